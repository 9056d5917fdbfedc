"""Read a province's tables, map their headers, validate them against the data contract and
return typed DataFrames.

What real HR exports look like, and what happens to each:

* files: ``<table>.csv`` or ``.tsv`` (UTF-8 with or without BOM, or UTF-16 with BOM) or
  ``<table>.xlsx``/``.xlsm`` (name case ignored); two candidates for one table is an error;
* separator: ',', ';', tab or '|' — the one under which a row names the most contract columns
  (noted when it is not ','); a first line ``sep=;`` is honoured;
* a title (or several rows) above the header: the header is the row, among the first
  :data:`HEADER_SCAN_ROWS` non-blank ones, that names the most contract columns; a row right
  under it numbering the columns (1, 2, 3 …) is skipped; blank rows are skipped;
* workbooks: the first sheet whose header has every required column (noted when it is not the
  first sheet, and when several sheets qualify);
* a trailing separator (an empty column without header, or one more empty cell on every row)
  is dropped; a column with values but no header is carried through as ``unnamed_<letter>``;
* every text cell and header is stripped and normalised to Unicode NFC, so an ID typed in
  decomposed form (NFD) is the same ID;
* numbers: '.' is the decimal point; the decimal comma is read in ';'- and tab-separated files
  and in numbers stored as text in workbooks; a number that reads differently under the two
  conventions ('1,234', '12.964' where the convention is not known; '1.234,5') is an error,
  never a guess; NaN and inf are errors; spaces grouping thousands ('1 234') are accepted;
* rows are numbered as a spreadsheet shows them (the header is the row it is on) through every
  check, blank lines and cells with line breaks included.

Every problem is collected — file, row, column, what is wrong and how to fix it — and raised
together as one :class:`DataValidationError`; what was accepted but is worth knowing comes back
as ``Province.notes``. Nothing here prints; only :func:`write_province` writes files.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataValidationError, Problem
from .paths import AREA_CLASS_PRIORITIES, BUNDLED_PROVINCE, FIELDS
from .schema import (
    DATE_DTYPE,
    FALSE_WORDS,
    OPTIONAL_TABLES,
    TABLES,
    TRUE_WORDS,
    Column,
    TableSpec,
    contract,
    empty_table,
    header_map,
)
from .schema import normalise_header as _norm

MAX_PROBLEMS_PER_COLUMN = 5  # beyond this, one summary line per column keeps the report readable
HEADER_SCAN_ROWS = 10  # the header is looked for among the first non-blank rows
SEPARATORS = (",", ";", "\t", "|")  # tried in this order; ties go to the earlier one
SEPARATOR_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}
TEXT_SUFFIXES = (".csv", ".tsv")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
UNREADABLE_SUFFIXES = (".xls", ".xlsb", ".ods", ".numbers")
# stripped from both ends of every cell: Unicode whitespace (NBSP included), zero-width space, BOM
_STRIP = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\u200b\ufeff"


def _empty(name: str):  # noqa: ANN202 - a dataclass default factory
    return field(default_factory=lambda: empty_table(name))


@dataclass
class Province:
    """The four validated tables of one province, plus where they came from.

    ``notes`` lists what reading found and accepted (separator, header row, sheet, dropped empty
    columns, Unicode normalisation …) as :class:`Problem` lines without a fix; ``files`` maps each
    table to the file (and sheet) it was read from.

    The optional tables (``ratings_history``, ``training_records``, ``rotation_records``) are
    validated like the others when the folder holds them; when it does not they are **empty
    tables with the contract's columns and dtypes** (never None), and ``files`` has no entry for
    them (:meth:`has`).
    """

    territories: pd.DataFrame
    positions: pd.DataFrame
    staff: pd.DataFrame
    workload: pd.DataFrame
    source: str = ""
    metadata: dict = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    ratings_history: pd.DataFrame = _empty("ratings_history")
    training_records: pd.DataFrame = _empty("training_records")
    rotation_records: pd.DataFrame = _empty("rotation_records")

    @property
    def synthetic(self) -> bool:
        return bool(self.metadata.get("synthetic", False))

    def has(self, table: str) -> bool:
        """Whether an optional table holds rows (the four required tables always do)."""
        return table in TABLES or len(getattr(self, table)) > 0

    def tables(self) -> dict[str, pd.DataFrame]:
        """The four required tables, then each optional table that holds rows."""
        return {name: getattr(self, name) for name in (*TABLES, *OPTIONAL_TABLES)
                if self.has(name)}

    def staff_posts(self) -> pd.DataFrame:
        """Staff joined with their current post and its territory (blank post → NA columns)."""
        posts = self.positions.merge(
            self.territories[["territory_id", "name", "area_class", "hard_area"]],
            on="territory_id", how="left")
        return self.staff.merge(posts, on="position_id", how="left", suffixes=("", "_post"))


def load_fields() -> pd.DataFrame:
    """Fields of work with Vietnamese and English names."""
    return pd.read_csv(FIELDS, dtype=str, keep_default_na=False).assign(
        new_work=lambda d: d["new_work"].str.lower() == "true")


def load_area_class_priorities() -> pd.DataFrame:
    """Priority fields of each area class (Resolution §II.7)."""
    return pd.read_csv(AREA_CLASS_PRIORITIES, dtype=str, keep_default_na=False)


# ---------------------------------------------------------------------------- finding files

def _candidate_files(data_dir: Path) -> dict[str, list[Path]]:
    """Files that could hold each table (``staff.csv``, ``Staff.XLSX`` …), sorted by name."""
    found: dict[str, list[Path]] = {t: [] for t in (*TABLES, *OPTIONAL_TABLES)}
    suffixes = TEXT_SUFFIXES + WORKBOOK_SUFFIXES + UNREADABLE_SUFFIXES
    for path in sorted(data_dir.iterdir()):
        stem, suffix = path.stem.casefold(), path.suffix.casefold()
        if stem in found and suffix in suffixes and path.is_file():
            found[stem].append(path)
    return found


def _pick_file(table: str, candidates: list[Path], data_dir: Path) -> tuple[Path | None,
                                                                            list[Problem]]:
    readable = [p for p in candidates if p.suffix.casefold() not in UNREADABLE_SUFFIXES]
    if len(readable) > 1:
        names = " and ".join(p.name for p in readable)
        return None, [Problem(
            file=str(data_dir / readable[0].name),
            message=f"{names} are both in the folder: which one holds the {table} table?",
            fix=f"keep one of them; move the other out of {data_dir} or rename it "
                f"(e.g. {table}.old{readable[-1].suffix})")]
    if readable:
        return readable[0], []
    if candidates:
        return None, [Problem(file=str(candidates[0]),
                              message=f"the {candidates[0].suffix} format cannot be read",
                              fix=f"save it as {table}.xlsx, or as {table}.csv in CSV UTF-8")]
    return None, [Problem(file=str(data_dir / f"{table}.csv"), message="table file not found",
                          fix=f"add {table}.csv (UTF-8) or {table}.xlsx to {data_dir}")]


# ---------------------------------------------------------------------------- raw tables

@dataclass
class RawTable:
    """One table as text cells (stripped, NFC), headers mapped, before typing.

    ``frame`` is indexed by the row number a spreadsheet shows (``row``); its columns are the
    contract names of mapped headers and the header text of extra columns.
    """

    frame: pd.DataFrame
    file: str
    header_row: int
    numbers: str  # decimal convention: "point" (',' files), "comma" (';'), "either"
    notes: list[Problem] = field(default_factory=list)
    # rows, per column, of workbook cells that were real numbers although their text looks
    # ambiguous ('12.964'): they are read with the decimal point
    exact: dict[str, set[int]] = field(default_factory=dict)


def column_letter(position: int) -> str:
    """Spreadsheet letter of a 0-based column position (0 → A, 26 → AA)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _header_score(cells: Iterable[str], accepted: dict[str, str]) -> int:
    """How many distinct contract columns a row names."""
    return len({accepted[k] for k in map(_norm, cells) if k in accepted})


def _find_header(rows: list[list[str]], accepted: dict[str, str]) -> tuple[int, int]:
    """(index, score) of the first row naming the most contract columns among the first
    :data:`HEADER_SCAN_ROWS` non-blank rows; (-1, 0) if none names any."""
    best, best_score, seen = -1, 0, 0
    for i, row in enumerate(rows):
        if not any(c.strip(_STRIP) for c in row):
            continue
        score = _header_score(row, accepted)
        if score > best_score:
            best, best_score = i, score
        seen += 1
        if seen == HEADER_SCAN_ROWS:
            break
    return best, best_score


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _quoted(cell: str, width: int = 60) -> str:
    """A cell for a message: quoted, shortened, control characters visible ('\\x00')."""
    cell = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", cell)
    return f"'{cell[:width]}…'" if len(cell) > width else f"'{cell}'"


def _shown(cells: list[str], limit: int = 6) -> str:
    """A row's first non-blank cells, quoted and shortened, for a message."""
    cells = [c for c in (c.strip(_STRIP) for c in cells) if c]
    more = f" … ({len(cells)} cells)" if len(cells) > limit else ""
    return ", ".join(_quoted(c) for c in cells[:limit]) + more


def _first_row(rows: list[list[str]]) -> list[str]:
    return next((r for r in rows if any(c.strip(_STRIP) for c in r)), [])


def _no_header(file: str, spec: TableSpec, found: str, cause: str = "") -> Problem:
    """The one problem for a table none of whose first rows looks like its header."""
    examples = ", ".join(f"'{c.name}'" for c in spec.columns[:2])
    vi = ", ".join(f"'{c.vi[0]}'" for c in spec.columns[:2] if c.vi)
    cause = cause or f"; the header row may be missing, or this is not the {spec.name} table"
    return Problem(
        file=file,
        message=f"no header row found: none of the first {HEADER_SCAN_ROWS} non-blank rows "
                f"names a column of the {spec.name} table ({found}){cause}",
        fix=f"put the column names ({examples} … or the Vietnamese headers {vi} …; see "
            "`khcadre contract`) in one row above the data")


def _clean_cell(cell: str, normalise: bool) -> str:
    cell = cell.strip(_STRIP)
    if normalise and not cell.isascii() and not unicodedata.is_normalized("NFC", cell):
        return unicodedata.normalize("NFC", cell)
    return cell


def _clean_column(cells: tuple[str, ...], normalise: bool) -> tuple[np.ndarray, np.ndarray]:
    """Strip every cell of a column (and bring it to NFC): (clean cells, which were not NFC).
    Each distinct cell is cleaned once."""
    codes, uniques = pd.factorize(np.fromiter(cells, dtype=object, count=len(cells)))
    clean = [u.strip(_STRIP) for u in uniques]
    nfd = np.zeros(len(clean), dtype=bool)
    if normalise:
        for k, cell in enumerate(clean):
            if not cell.isascii() and not unicodedata.is_normalized("NFC", cell):
                clean[k], nfd[k] = unicodedata.normalize("NFC", cell), True
    return np.array(clean, dtype=object)[codes], nfd[codes]


def _filled(row: list[str]) -> bool:
    """Whether a row has any non-blank cell."""
    return any(row) and bool("".join(row).strip(_STRIP))


_COLUMN_NUMBER = re.compile(r"\(?(\d{1,3})\)?")


def _numbers_columns(row: list[str]) -> bool:
    """A row such as '1 2 3 4' or '(1) (2) (3)' under a header (Vietnamese official forms)."""
    cells = [c for c in row if c]
    if len(cells) < 3:
        return False
    matches = [_COLUMN_NUMBER.fullmatch(c) for c in cells]
    if not all(matches):
        return False
    values = [int(m.group(1)) for m in matches if m]
    return values == list(range(values[0], values[0] + len(values)))


def _assemble(rows: list[list[str]], numbers: list[int], header_at: int, spec: TableSpec,
              file: str, normalise: bool, extra_cells_are_columns: bool,
              notes: list[Problem], convention: str,
              exact: set[tuple[int, int]] | None = None) -> tuple[RawTable | None,
                                                                   list[Problem]]:
    """Turn parsed rows into a :class:`RawTable`: header, blank rows, empty and duplicate
    columns, NFC, row numbers. ``numbers[i]`` is the spreadsheet row of ``rows[i]``;
    ``exact`` holds (i, j) of workbook cells that were real numbers."""
    problems: list[Problem] = []
    header = [_clean_cell(c, normalise) for c in rows[header_at]]
    header_nfd = [j for j, c in enumerate(rows[header_at]) if c.strip(_STRIP) != header[j]]
    header_row = numbers[header_at]
    if header_row > 1:
        above = next((i for i in range(header_at) if _filled(rows[i])), None)
        what = (f" (row {numbers[above]} reads {_shown(rows[above], 3)})" if above is not None
                else "")
        notes.append(Problem(file=file, message=f"header found on row {header_row}; rows above "
                             f"ignored{what}"))
    strip = _STRIP
    filled_rows = [bool("".join(r).strip(strip)) for r in rows[header_at + 1:]]
    body = [i for i, f in enumerate(filled_rows, start=header_at + 1) if f]
    if body and _numbers_columns([c.strip(_STRIP) for c in rows[body[0]]]):
        notes.append(Problem(file=file, message=f"row {numbers[body[0]]} numbers the columns "
                             f"({_shown(rows[body[0]], 3)} …); ignored"))
        body = body[1:]
    width = max([len(header), *(len(rows[i]) for i in body)])
    padded = [rows[i] if len(rows[i]) == width else rows[i] + [""] * (width - len(rows[i]))
              for i in body]
    raw_columns = list(zip(*padded, strict=True)) if padded else [()] * width
    row_numbers = [numbers[i] for i in body]
    if extra_cells_are_columns:
        header = header + [""] * (width - len(header))
    # columns without a header: dropped when empty, otherwise kept under a made-up name
    names: dict[int, str] = {}
    dropped: list[str] = []
    for j in range(width):
        text = header[j] if j < len(header) else None
        if text:
            names[j] = text
            continue
        filled = [k for k, c in enumerate(raw_columns[j]) if c.strip(_STRIP)]
        if text is None:  # cells beyond the header row (CSV rows longer than the header)
            if filled:
                cell = raw_columns[j][filled[0]].strip(_STRIP)
                problems.append(Problem(
                    file=file, row=row_numbers[filled[0]], column=column_letter(j),
                    message=f"{len(filled)} row(s) have more cells than the header on row "
                            f"{header_row} ({len(header)} columns); this one has "
                            f"{_quoted(cell, 40)} in column {column_letter(j)}",
                    fix="wrap cells that contain the separator in double quotes, or give that "
                        "column a header"))
            elif j == len(header):
                notes.append(Problem(file=file, message=f"rows have one more cell than the "
                                     f"header ({len(header)} columns), all empty (a separator "
                                     "at the end of each row?); ignored"))
        elif filled:
            names[j] = f"unnamed_{column_letter(j)}"
            notes.append(Problem(file=file, column=names[j], message=f"column "
                                 f"{column_letter(j)} has values but no header; carried "
                                 f"through as '{names[j]}'"))
        else:
            dropped.append(column_letter(j))
    if dropped:
        notes.append(Problem(file=file, message=f"dropped {len(dropped)} empty column(s) "
                             f"without a header (column {', '.join(dropped)}; e.g. a separator "
                             "at the end of the header)"))
    # map headers; two columns for one name is an error naming both
    accepted = header_map(spec)
    targets: dict[str, list[int]] = {}
    for j, text in names.items():
        targets.setdefault(accepted.get(_norm(text), text), []).append(j)
    for target, positions in targets.items():
        if len(positions) > 1:
            both = " and ".join(f"'{names[j]}' (column {column_letter(j)})" for j in positions)
            what = (f"columns {both} both map to the contract column '{target}'"
                    if target in spec.names else f"two columns have the same header: {both}")
            problems.append(Problem(file=file, row=header_row, column=target, message=what,
                                    fix="keep one of them: delete or rename the other"))
    unmapped = [t for t in targets if t not in spec.names]
    for col in spec.columns:
        if col.required and col.name not in targets:
            also = f" (or Vietnamese header '{col.vi[0]}')" if col.vi else ""
            close = difflib.get_close_matches(_norm(col.name), [_norm(u) for u in unmapped],
                                              n=1, cutoff=0.8)
            near = ""
            if close:
                found = next(u for u in unmapped if _norm(u) == close[0])
                near = f" — is '{found}' meant to be this column? rename it"
            problems.append(Problem(file=file, row=header_row, column=col.name,
                                    message="required column is missing",
                                    fix=f"add a column '{col.name}'{also}: {col.description}"
                                        f"{near}"))
    if problems:
        return None, problems
    footer = _footer_rows(raw_columns, names, spec, accepted)
    if footer:
        first = len(body) - footer
        notes.append(Problem(
            file=file, message=f"{footer} row(s) below the table (row {row_numbers[first]}"
                               f"{'' if footer == 1 else f'–{row_numbers[-1]}'}) fill few "
                               f"columns (row "
                               f"{row_numbers[first]} reads {_shown(rows[body[first]], 3)}); "
                               "ignored as notes or signatures"))
        body, row_numbers = body[:first], row_numbers[:first]
        raw_columns = [c[:first] for c in raw_columns]
    last = body[-1] if body else header_at
    blank = [numbers[i] for i in range(header_at + 1, last) if not filled_rows[i - header_at - 1]]
    if blank:
        shown = ", ".join(map(str, blank[:5])) + (" …" if len(blank) > 5 else "")
        notes.append(Problem(file=file, message=f"{len(blank)} blank row(s) skipped (row "
                             f"{shown}); rows keep the numbers a spreadsheet shows"))
    index = pd.Index(row_numbers, dtype="int64", name="row")
    columns: dict[str, pd.Series] = {}
    changed, first_changed = len(header_nfd), None
    if header_nfd:
        first_changed = (-1, f"the header '{header[header_nfd[0]]}'")
    for j in sorted(names):
        values, nfd = _clean_column(raw_columns[j], normalise)
        columns[accepted.get(_norm(names[j]), names[j])] = pd.Series(values, index=index,
                                                                     dtype=object)
        if nfd.any():
            changed += int(nfd.sum())
            k = int(np.argmax(nfd))
            if first_changed is None or k < first_changed[0]:
                first_changed = (k, f"row {row_numbers[k]}, column '{names[j]}'")
    if first_changed is not None:
        notes.append(Problem(file=file, message=f"{changed} text cell(s) were in decomposed "
                             f"Unicode (NFD) and were normalised to NFC (first: "
                             f"{first_changed[1]}); IDs compare equal however they were typed"))
    exact_rows: dict[str, set[int]] = {}
    for i, j in exact or ():
        if j in names:
            exact_rows.setdefault(accepted.get(_norm(names[j]), names[j]), set()).add(numbers[i])
    return RawTable(pd.DataFrame(columns, index=index), file, header_row, convention, notes,
                    exact_rows), []


def _footer_rows(columns: list[tuple[str, ...]], names: dict[int, str], spec: TableSpec,
                 accepted: dict[str, str]) -> int:
    """How many rows at the end are notes, totals or signatures ("Khánh Hòa, ngày …",
    "NGƯỜI LẬP BIỂU"): rows filling fewer than half the required columns, and either no key or
    at most two cells in all. A table made only of such rows keeps them (its problems are then
    reported cell by cell)."""
    contract_of = {j: accepted.get(_norm(text)) for j, text in names.items()}
    key = [j for j, c in contract_of.items() if c in spec.key]
    required = [j for j, c in contract_of.items()
                if c is not None and spec.column(c).required]
    n = len(columns[0]) if columns else 0
    footer = 0
    for k in range(n - 1, -1, -1):
        if 2 * sum(1 for j in required if columns[j][k].strip(_STRIP)) >= len(required):
            break
        cells = sum(1 for column in columns if column[k].strip(_STRIP))
        if cells > 2 and any(columns[j][k].strip(_STRIP) for j in key):
            break
        footer += 1
    return 0 if footer == n else footer


# ---------------------------------------------------------------------------- CSV / TSV

def _decode(path: Path, file: str, notes: list[Problem]) -> str:
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise DataValidationError(Problem(
            file=file, message="this is a workbook (XLSX) with a text-file name",
            fix=f"rename it to {path.stem}.xlsx, or export it again as CSV UTF-8"))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        notes.append(Problem(file=file, message="read as UTF-16 text (Excel 'Unicode Text')"))
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")  # strips a BOM if present
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise DataValidationError(Problem(
            file=file, message=f"the file is not UTF-8 text (first non-UTF-8 byte on line "
                               f"{line})",
            fix="save it as 'CSV UTF-8' (Excel) or UTF-8 (LibreOffice)")) from None


def _parse(text: str, separator: str, file: str, limit: int | None = None) -> list[list[str]]:
    """Records of ``text`` (a blank line is an empty record; a quoted line break stays in its
    cell). With ``limit``, the first records only, and a malformed one just ends the list."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader if limit is None else islice(reader, limit):
            rows.append(row)
    except csv.Error as exc:
        if limit is not None:
            return rows
        reason = str(exc)
        if "unexpected end of data" in reason:
            reason = "a double quote opened on this row is never closed"
        elif "expected after" in reason:
            reason = "text follows a closing double quote"
        raise DataValidationError(Problem(
            file=file, row=len(rows) + 1,
            message=f"the row cannot be read as {SEPARATOR_NAMES[separator]}-separated text "
                    f"({reason})",
            fix='wrap a cell holding the separator, a quote or a line break in double quotes, '
                'and double the quotes inside it ("")')) from None
    return rows


_SEP_LINE = re.compile(r"[ \t]*sep=([,;\t|])[ \t]*(?:\r\n|\n|\r|$)", re.IGNORECASE)


def _read_text(path: Path, spec: TableSpec) -> tuple[RawTable | None, list[Problem]]:
    file, notes = str(path), []
    text = _decode(path, file, notes)
    if not text.strip(_STRIP + ",;|"):
        raise DataValidationError(Problem(file=file, message="the file is empty",
                                          fix="export the table again with its header row"))
    separators = SEPARATORS
    sep_line = _SEP_LINE.match(text)
    if sep_line:  # Excel's hint line: not a row a spreadsheet shows
        separators = (sep_line.group(1),)
        text = text[sep_line.end():]
        notes.append(Problem(file=file, message=f"the first line 'sep={sep_line.group(1)}' "
                             "sets the separator; it is not counted as a row"))
    accepted = header_map(spec)
    best: tuple[str, int, int] | None = None
    for sep in separators:
        head = _parse(text, sep, file, limit=5 * HEADER_SCAN_ROWS)
        at, score = _find_header(head, accepted)
        if best is None or score > best[2]:
            best = (sep, at, score)
    assert best is not None
    sep, at, score = best
    if score == 0:
        first = _first_row(_parse(text, separators[0], file, limit=5 * HEADER_SCAN_ROWS))
        found = f"the first non-blank row reads {_shown(first)}"
        cause = ""
        if len([c for c in first if c.strip(_STRIP)]) == 1 and len(first[0]) > 40:
            cause = ("; that row is one long cell, so the columns may be separated by a "
                     "character other than ',', ';', tab or '|'")
        return None, [_no_header(file, spec, found, cause)]
    if sep != ",":
        notes.append(Problem(file=file, message=f"columns are separated by "
                             f"{SEPARATOR_NAMES[sep]} (found in the header row), not ','"))
    rows = _parse(text, sep, file)
    convention = {",": "point", ";": "comma"}.get(sep, "either")
    return _assemble(rows, list(range(1, len(rows) + 1)), at, spec, file,
                     normalise=not unicodedata.is_normalized("NFC", text),
                     extra_cells_are_columns=False, notes=notes, convention=convention)


# ---------------------------------------------------------------------------- XLSX

def _cell_text(value: object) -> str:
    """A workbook cell as the text a person would type (1994.0 → '1994', True → 'true')."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _sheet_rows(ws: object, limit: int | None = None,
                exact: set[tuple[int, int]] | None = None) -> list[list[str]]:
    """A sheet's rows as text; ``exact`` collects (i, j) of real numbers whose text could read
    two ways ('12.964')."""
    rows = ws.iter_rows(values_only=True)  # type: ignore[attr-defined]
    out = []
    for i, values in enumerate(rows if limit is None else islice(rows, limit)):
        row = [_cell_text(v) for v in values]
        if exact is not None:
            exact.update((i, j) for j, v in enumerate(values)
                         if isinstance(v, float) and _GROUPED.fullmatch(row[j]))
        out.append(row)
    return out


def _read_workbook(path: Path, spec: TableSpec) -> tuple[RawTable | None, list[Problem]]:
    import openpyxl

    file, notes = str(path), []
    unreadable = DataValidationError(Problem(
        file=file, message="cannot read the workbook (damaged, password-protected, or not an "
                           ".xlsx file)",
        fix="open it in Excel or LibreOffice and save it again as .xlsx without a password"))
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError:
        raise
    except Exception:  # noqa: BLE001 - any unreadable workbook is a user problem
        raise unreadable from None
    try:
        accepted = header_map(spec)
        required = {c.name for c in spec.columns if c.required}
        sheets = []  # (sheet, header index, score, has every required column, first rows)
        for ws in book.worksheets:
            if not hasattr(ws, "iter_rows"):
                continue  # a chart sheet
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # some writers store a wrong size; read what is there
            head = _sheet_rows(ws, 5 * HEADER_SCAN_ROWS)
            at, score = _find_header(head, accepted)
            complete = at >= 0 and required <= {accepted[k] for k in map(_norm, head[at])
                                                if k in accepted}
            sheets.append((ws, at, score, complete, head))
        if not sheets:
            return None, [Problem(file=file, message="the workbook has no sheet with cells",
                                  fix=f"put the {spec.name} table on the first sheet")]
        if max(s[2] for s in sheets) == 0:
            found = "; ".join(f"sheet '{s[0].title}': {_shown(_first_row(s[4]), 3) or 'empty'}"
                              for s in sheets[:3])
            return None, [_no_header(file, spec, f"{len(sheets)} sheet(s) — {found}")]
        complete = [s for s in sheets if s[3]]
        chosen = complete[0] if complete else max(sheets, key=lambda s: s[2])
        ws, at, first = chosen[0], chosen[1], sheets[0][0]
        if ws is not first:
            file = f"{path} [sheet '{ws.title}']"
            notes.append(Problem(file=file, message=f"table read from sheet '{ws.title}' (the "
                                 f"first sheet, '{first.title}', has no complete {spec.name} "
                                 "header)"))
        if len(complete) > 1:
            others = " and ".join(f"'{s[0].title}'" for s in complete[1:])
            notes.append(Problem(file=file, message=f"sheet {others} also holds a {spec.name} "
                                 f"table; using '{ws.title}', the first",
                                 fix="delete or move the other sheets if they are not meant"))
        exact: set[tuple[int, int]] = set()
        rows = _sheet_rows(ws, exact=exact)  # every text cell from a real number is collected
    except (DataValidationError, OSError):
        raise
    except Exception:  # noqa: BLE001 - a sheet that breaks while read is a damaged file
        raise unreadable from None
    finally:
        book.close()
    return _assemble(rows, list(range(1, len(rows) + 1)), at, spec, file, normalise=True,
                     extra_cells_are_columns=True, notes=notes, convention="either",
                     exact=exact)


def read_table(path: Path, spec: TableSpec) -> tuple[RawTable | None, list[Problem]]:
    """Read one table file (CSV/TSV or XLSX) as text cells with its headers mapped.

    Returns (table, problems); the table is None when its header has problems. Raises
    :class:`DataValidationError` for a file that cannot be read at all.
    """
    try:
        if path.stat().st_size == 0:
            raise DataValidationError(Problem(file=str(path), message="the file is empty",
                                              fix="export the table again with its header row"))
        if path.suffix.casefold() in WORKBOOK_SUFFIXES:
            return _read_workbook(path, spec)
        return _read_text(path, spec)
    except OSError as exc:
        raise DataValidationError(Problem(
            file=str(path), message=f"cannot open the file ({exc.strerror or type(exc).__name__})",
            fix="close it in Excel or LibreOffice and check that it may be read")) from None


# ---------------------------------------------------------------------------- typing cells

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SPACE_GROUPED = re.compile(r"[+-]?\d{1,3}(?:\s\d{3})+(?:[.,]\d+)?")
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")  # '1,234' / '12.964': decimal or thousands?
_MULTI_GROUPED = re.compile(r"[+-]?\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?")


def _parse_number(cell: str, convention: str) -> tuple[float, str, bool]:
    """(value, why it is not valid, whether a decimal comma was read).

    ``convention``: "point" (',' files: only '.' is decimal), "comma" (';' files: ',' is
    decimal, '.' too unless the number could be grouped thousands), "either" (tab files and text
    cells of workbooks: a single ',' or '.' is decimal unless the number could be grouped
    thousands).
    """
    nan = math.nan
    text = cell
    if any(ch.isspace() for ch in text):
        if not _SPACE_GROUPED.fullmatch(text):
            return nan, "", False
        text = "".join(text.split())
    if text.count(",") + text.count(".") > 1:
        return nan, "thousands separators are not read" if _MULTI_GROUPED.fullmatch(text) else (
            ""), False
    comma = "," in text
    if comma and convention == "point":
        return nan, "',' is not the decimal separator in a ','-separated file", False
    if _GROUPED.fullmatch(text) and (convention == "either" or convention == "comma" and
                                     not comma):
        whole, decimal = text.replace(",", "").replace(".", ""), text.replace(",", ".")
        return nan, f"ambiguous: {whole} with a thousands separator, or {decimal}?", False
    text = text.replace(",", ".")
    if not _PLAIN_NUMBER.fullmatch(text):
        folded = text.casefold().lstrip("+-")
        if folded in ("nan", "inf", "infinity", "∞"):
            return nan, "not a finite number", False
        if text.startswith("#") and (text.endswith(("!", "?")) or text == "#N/A"):
            return nan, "a spreadsheet error value", False
        return nan, "", False
    value = float(text)
    if not math.isfinite(value):
        return nan, "not a finite number", False
    return value, "", comma


def _numbers(codes: np.ndarray, uniques: np.ndarray,
             convention: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Parse a factorized text column: (floats, NaN where invalid or blank; why each cell is
    invalid; how many decimal commas were read)."""
    parsed = [_parse_number(u, convention) if u else (math.nan, "", False) for u in uniques]
    value = np.array([v for v, _, _ in parsed], dtype="float64")
    why = np.array([w for _, w, _ in parsed], dtype=object)
    comma = np.array([c for _, _, c in parsed], dtype=bool)
    return value[codes], why[codes], int(comma[codes].sum())


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")


def _parse_date(cell: str) -> tuple[dt.date | None, str]:
    """(date, why it is not valid): ISO ``1969-03-15`` (a midnight time allowed, as exports
    write it) or day first ``15/03/1969``, ``15-03-1969``, ``15.03.1969`` — the Vietnamese
    order, never month first."""
    iso = _ISO_DATE.fullmatch(cell)
    day_first = None if iso else _DAY_FIRST.fullmatch(cell)
    if iso:
        y, m, d = (int(g) for g in iso.groups())
    elif day_first:
        d, m, y = int(day_first.group(1)), int(day_first.group(3)), int(day_first.group(4))
    else:
        return None, ""
    try:
        return dt.date(y, m, d), ""
    except ValueError:
        return None, f"no such day: day {d}, month {m}, year {y}"


def _coerce(values: pd.Series, col: Column, file: str, convention: str = "point",
            exact: set[int] | None = None) -> tuple[pd.Series, list[Problem], int]:
    """Convert one text column to its type: (typed column, a problem per bad cell, decimal
    commas read). Each distinct cell is looked at once; cells on the ``exact`` rows were real
    numbers in a workbook and are read with the decimal point."""
    problems: list[Problem] = []
    codes, uniques = pd.factorize(values)
    uniques = np.asarray(uniques, dtype=object)
    blank = (uniques == "")[codes] if len(uniques) else np.zeros(len(values), dtype=bool)
    bad = np.zeros(len(values), dtype=bool)
    reasons = np.full(len(values), "", dtype=object)
    commas = 0
    separators_fix = ""
    out: pd.Series | np.ndarray
    if col.type in ("int", "float"):
        numbers, reasons, commas = _numbers(codes, uniques, convention)
        for i in np.flatnonzero(values.index.isin(list(exact or ()))):
            numbers[i], reasons[i], _ = _parse_number(values.iloc[i], "point")
        with np.errstate(invalid="ignore"):
            bad |= np.isnan(numbers) & ~blank
            if col.type == "int":
                bad |= ~np.isnan(numbers) & (numbers % 1 != 0)
            if col.min is not None:
                bad |= numbers < col.min
            if col.max is not None:
                bad |= numbers > col.max
        out = pd.Series(numbers, index=values.index, dtype="float64")
        decimal = "'.' (or ',')" if convention != "point" else "'.'"
        separators_fix = f", with {decimal} as the decimal separator and no thousands separator"
    elif col.type == "bool":
        lowered = np.array([u.casefold() for u in uniques], dtype=object)
        bad |= ~np.isin(lowered, list(TRUE_WORDS | FALSE_WORDS))[codes]
        out = pd.Series(np.isin(lowered, list(TRUE_WORDS))[codes], index=values.index,
                        dtype="bool")
    elif col.type == "enum":
        bad |= ~np.isin(uniques, list(col.allowed))[codes] & ~blank
        out = values
    elif col.type == "list":
        allowed = frozenset(col.allowed)

        def tidy(cell: str) -> tuple[str, bool]:
            parts = [p.strip() for p in cell.split(";") if p.strip()]
            return ";".join(parts), bool(parts) and allowed.issuperset(parts)
        tidied = [tidy(u) for u in uniques]
        bad |= ~np.array([ok for _, ok in tidied], dtype=bool)[codes] & ~blank
        out = pd.Series(np.array([t for t, _ in tidied], dtype=object)[codes],
                        index=values.index, dtype=object)
    elif col.type == "date":
        parsed = [_parse_date(u) if u else (None, "") for u in uniques]
        dates = np.array([d for d, _ in parsed] or [None], dtype=object)[codes]
        reasons = np.array([w for _, w in parsed] or [""], dtype=object)[codes]
        bad |= np.array([d is None for d in dates], dtype=bool) & ~blank
        for bound, outside in ((col.min, lambda d, b: d < b), (col.max, lambda d, b: d > b)):
            if isinstance(bound, dt.date):
                bad |= np.array([d is not None and outside(d, bound) for d in dates], dtype=bool)
        out = pd.Series([pd.NaT if d is None else pd.Timestamp(d) for d in dates],
                        index=values.index, dtype=DATE_DTYPE)
    else:
        out = values
    if not col.nullable and col.type != "bool":
        bad |= blank
    for n, i in enumerate(np.flatnonzero(bad)):
        if n == MAX_PROBLEMS_PER_COLUMN:
            problems.append(Problem(file=file, column=col.name,
                                    message=f"… and {int(bad.sum()) - n} more bad cells in this "
                                    "column", fix=f"write {col.valid_form}"))
            break
        cell, why = values.iloc[i], reasons[i]
        what = "is blank" if cell == "" else f"{_quoted(cell, 80)} is not valid" + (
            f" ({why})" if why else "")
        fix = f"write {col.valid_form}" + (separators_fix if "separator" in why or (
            "ambiguous" in why) else "")
        problems.append(Problem(file=file, row=int(values.index[i]), column=col.name,
                                message=what, fix=fix))
    if col.type in ("str", "enum", "list"):
        out = out.astype(str)
        if col.nullable:
            out = out.where(~blank, None)
    elif col.type == "int" and not problems:
        out = out.astype(col.dtype)
    return out, problems, commas


def _duplicates(frame: pd.DataFrame, key: list[str], file: str) -> list[Problem]:
    problems: list[Problem] = []
    duplicated = frame.duplicated(subset=key, keep="first")
    for n, idx in enumerate(frame.index[duplicated]):
        if n == MAX_PROBLEMS_PER_COLUMN:
            problems.append(Problem(file=file, column=", ".join(key),
                                    message=f"… and {int(duplicated.sum()) - n} more repeated "
                                            "IDs", fix="give every row its own ID"))
            break
        first = frame.index[(frame[key] == frame.loc[idx, key]).all(axis=1)][0]
        value = ", ".join(frame.loc[idx, key])
        problems.append(Problem(file=file, row=int(idx), column=", ".join(key),
                                message=f"duplicate ID {_quoted(value)} (also on row "
                                        f"{int(first)})",
                                fix="give every row its own ID or remove the repeated row"))
    return problems


def validate_table(raw: RawTable, spec: TableSpec) -> tuple[pd.DataFrame, list[Problem],
                                                           list[Problem]]:
    """Type and check one table. Returns (typed frame indexed by spreadsheet row, problems,
    notes)."""
    frame, file, notes = raw.frame, raw.file, []
    if frame.empty and spec.optional:
        notes.append(Problem(file=file, message=f"the optional {spec.name} table has a header "
                             "but no rows; read as empty"))
        return empty_table(spec.name), [], notes
    if frame.empty:
        return frame, [Problem(file=file, message="the table has a header but no rows",
                               fix="add at least one row of data")], notes
    typed: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    comma_columns: dict[str, int] = {}
    for col in spec.columns:
        if col.name not in frame.columns:
            continue
        typed[col.name], col_problems, commas = _coerce(frame[col.name], col, file,
                                                        raw.numbers, raw.exact.get(col.name))
        problems += col_problems
        if commas:
            comma_columns[col.name] = commas
    if comma_columns:
        cols = ", ".join(f"{c} ({n})" for c, n in comma_columns.items())
        notes.append(Problem(file=file, message=f"decimal commas read as decimal points "
                             f"('12,5' = 12.5) in {sum(comma_columns.values())} cell(s): {cols}"))
    problems += _duplicates(frame, list(spec.key), file)
    # contract columns first, extras after, in their original order; extras stay text
    extras = {c: frame[c].astype(str) for c in frame.columns if c not in typed}
    out = pd.DataFrame({**typed, **extras}, index=frame.index)
    return out, problems, notes


def _check_references(tables: dict[str, pd.DataFrame], files: dict[str, str]) -> list[Problem]:
    """References between tables (optional tables that are absent have none), one post per
    person, and a birth date in the birth year."""
    problems: list[Problem] = []
    for table, spec in contract().items():
        if table not in tables:
            continue
        frame = tables[table]
        for col in spec.columns:
            if not col.ref or col.name not in frame.columns:
                continue
            target_table, target_col = col.ref.split(".")
            known = set(tables[target_table][target_col].dropna())
            values = frame[col.name]
            dangling = values.notna() & ~values.isin(known)
            for n, idx in enumerate(frame.index[dangling]):
                if n == MAX_PROBLEMS_PER_COLUMN:
                    problems.append(Problem(
                        file=files[table], column=col.name,
                        message=f"… and {int(dangling.sum()) - n} more unknown references",
                        fix=f"every value must exist in {files[target_table]}"))
                    break
                problems.append(Problem(
                    file=files[table], row=int(idx), column=col.name,
                    message=f"{_quoted(values[idx])} does not exist in "
                            f"{target_table}.{target_col}",
                    fix=f"use an ID from {files[target_table]} or add that row there"))
    held = tables["staff"]["position_id"].dropna()
    repeated = held.duplicated(keep="first")
    for n, idx in enumerate(held.index[repeated]):
        if n == MAX_PROBLEMS_PER_COLUMN:
            problems.append(Problem(
                file=files["staff"], column="position_id",
                message=f"… and {int(repeated.sum()) - n} more posts held by two people",
                fix="one person per post"))
            break
        first = int(held.index[held == held[idx]][0])
        problems.append(Problem(
            file=files["staff"], row=int(idx), column="position_id",
            message=f"post {_quoted(held[idx])} is already held by another person (row "
                    f"{first})",
            fix="one person per post: blank this cell (unplaced) or correct the post"))
    return problems + _check_birth_dates(tables["staff"], files["staff"])


def _check_birth_dates(staff: pd.DataFrame, file: str) -> list[Problem]:
    """A birth date must fall in the birth year (both are kept: the year is required, the date
    optional)."""
    if "birth_date" not in staff.columns:
        return []
    born = staff["birth_date"]
    wrong = born.notna() & (born.dt.year != staff["birth_year"])
    problems: list[Problem] = []
    for n, idx in enumerate(staff.index[wrong]):
        if n == MAX_PROBLEMS_PER_COLUMN:
            problems.append(Problem(file=file, column="birth_date",
                                    message=f"… and {int(wrong.sum()) - n} more birth dates "
                                            "outside their birth year",
                                    fix="make birth_date and birth_year agree"))
            break
        date, year = born[idx].date().isoformat(), int(staff.at[idx, "birth_year"])
        problems.append(Problem(
            file=file, row=int(idx), column="birth_date",
            message=f"{date} is not in the birth year {year} (column birth_year)",
            fix="correct birth_date or birth_year so that they agree, or leave birth_date "
                "blank"))
    return problems


# ---------------------------------------------------------------------------- the province

def _read_metadata(data_dir: Path) -> tuple[dict, list[Problem]]:
    """``dataset.json`` (optional): a JSON object; ``synthetic``, if present, a boolean."""
    path = data_dir / "dataset.json"
    file = str(path)
    if not path.is_file():
        return {}, []
    example = '{"synthetic": false, "note": "HR export, January 2026"}'
    try:
        metadata = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        return {}, [Problem(file=file, message="the file is not UTF-8 text",
                            fix="save it as UTF-8, or delete it (it is optional)")]
    except OSError as exc:
        return {}, [Problem(file=file, message=f"cannot open the file ({exc.strerror})",
                            fix="check that it may be read, or delete it (it is optional)")]
    except json.JSONDecodeError as exc:
        return {}, [Problem(file=file, message=f"not valid JSON ({exc.msg} at "
                            f"line {exc.lineno}, character {exc.colno})",
                            fix=f"write a JSON object such as {example}, or delete the file "
                                "(it is optional)")]
    if not isinstance(metadata, dict):
        return {}, [Problem(file=file, message=f"must be a JSON object {{…}}, not a "
                            f"{type(metadata).__name__}",
                            fix=f"write a JSON object such as {example}")]
    if "synthetic" in metadata and not isinstance(metadata["synthetic"], bool):
        return {}, [Problem(file=file, column="synthetic",
                            message=f"{json.dumps(metadata['synthetic'], ensure_ascii=False)} is "
                                    "not true or false",
                            fix='write "synthetic": true or "synthetic": false (no quotes)')]
    return metadata, []


def load_province(data_dir: str | Path | None = None) -> Province:
    """Load and validate the tables of a province folder (default: the bundled one): the four
    required ones and any optional table the folder holds.

    Raises :class:`DataValidationError` listing every problem found; returns typed tables
    (default index), with what reading accepted in ``Province.notes``.
    """
    data_dir = Path(data_dir) if data_dir is not None else BUNDLED_PROVINCE
    if not data_dir.is_dir():
        raise DataValidationError(Problem(file=str(data_dir), message="folder not found",
                                          fix="give --data the folder holding territories.csv, "
                                          "positions.csv, staff.csv and workload.csv"))
    problems: list[Problem] = []
    notes: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    try:
        candidates = _candidate_files(data_dir)
    except OSError as exc:
        raise DataValidationError(Problem(file=str(data_dir), message=f"cannot list the folder "
                                          f"({exc.strerror})",
                                          fix="check that it may be read")) from None
    for table, spec in contract().items():
        if spec.optional and not candidates[table]:
            continue  # an optional table the folder does not hold: empty
        path, file_problems = _pick_file(table, candidates[table], data_dir)
        problems += file_problems
        if path is None:
            continue
        try:
            raw, read_problems = read_table(path, spec)
        except DataValidationError as exc:
            problems += exc.problems
            continue
        problems += read_problems
        if raw is None:
            continue
        files[table] = raw.file
        notes += raw.notes
        tables[table], table_problems, table_notes = validate_table(raw, spec)
        problems += table_problems
        notes += table_notes
    metadata, metadata_problems = _read_metadata(data_dir)
    problems += metadata_problems
    if not problems:
        problems += _check_references(tables, files)
    if problems:
        raise DataValidationError(problems)
    typed = {name: frame.reset_index(drop=True) for name, frame in tables.items()}
    return Province(**typed, source=str(data_dir), metadata=metadata, notes=notes, files=files)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or (
            value is pd.NaT):
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value)


def province_from_frames(tables: dict[str, pd.DataFrame], source: str = "tables",
                         metadata: dict | None = None) -> Province:
    """A validated :class:`Province` from four DataFrames with the contract's column names (and
    any of the optional tables) — the same checks and types as :func:`load_province` (for code,
    tests and notebooks that build a province rather than read one). Rows are numbered from 2,
    as in a file."""
    problems: list[Problem] = []
    typed: dict[str, pd.DataFrame] = {}
    files = {name: f"{name} ({source})" for name, spec in contract().items()
             if not spec.optional or name in tables}
    for name, spec in contract().items():
        if spec.optional and name not in tables:
            continue
        if name not in tables:
            problems.append(Problem(file=files[name], message="table not given",
                                    fix=f"pass a '{name}' DataFrame"))
            continue
        frame = tables[name]
        missing = [c.name for c in spec.columns if c.required and c.name not in frame.columns]
        problems += [Problem(file=files[name], row=1, column=c, message="required column is "
                             "missing", fix=f"add a column '{c}'") for c in missing]
        if missing:
            continue
        text = pd.DataFrame({c: [unicodedata.normalize("NFC", _text(v)).strip()
                                 for v in frame[c]] for c in frame.columns},
                            index=pd.RangeIndex(2, 2 + len(frame)), dtype=object)
        raw = RawTable(frame=text, file=files[name], header_row=1, numbers="point")
        typed[name], table_problems, _ = validate_table(raw, spec)
        problems += table_problems
    if not problems:
        problems += _check_references(typed, files)
    if problems:
        raise DataValidationError(problems)
    return Province(**{n: f.reset_index(drop=True) for n, f in typed.items()}, source=source,
                    metadata=dict(metadata or {}), files=files)


def write_province(province: Province, out_dir: Path) -> None:
    """Write the four tables (and each optional table holding rows) as UTF-8 CSV with a
    byte-order mark (and dataset.json), stable formatting."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in province.tables().items():
        frame.to_csv(out_dir / f"{name}.csv", index=False, lineterminator="\n",
                     float_format="%.10g", encoding="utf-8-sig")  # BOM: Excel reads UTF-8
    (out_dir / "dataset.json").write_text(
        json.dumps(province.metadata, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8")



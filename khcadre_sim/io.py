"""Read a province's tables (CSV in UTF-8 with or without BOM, or XLSX), map Vietnamese headers,
validate them against the data contract and return typed DataFrames.

Every problem is collected — file, row (as a spreadsheet shows it, header = row 1), column, what
is wrong and how to fix it — and raised together as one :class:`DataValidationError`.
Nothing here writes files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import DataValidationError, Problem
from .paths import AREA_CLASS_PRIORITIES, BUNDLED_PROVINCE, FIELDS
from .schema import FALSE_WORDS, TABLES, TRUE_WORDS, Column, TableSpec, contract, header_map
from .schema import normalise_header as _norm

MAX_PROBLEMS_PER_COLUMN = 5  # beyond this, one summary line per column keeps the report readable


@dataclass
class Province:
    """The four validated tables of one province, plus where they came from."""

    territories: pd.DataFrame
    positions: pd.DataFrame
    staff: pd.DataFrame
    workload: pd.DataFrame
    source: str = ""
    metadata: dict = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        return bool(self.metadata.get("synthetic", False))

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in TABLES}

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


# ---------------------------------------------------------------------------- reading files

def _table_file(data_dir: Path, table: str) -> Path | None:
    for ext in (".csv", ".xlsx"):
        path = data_dir / f"{table}{ext}"
        if path.is_file():
            return path
    return None


def read_raw(path: Path) -> pd.DataFrame:
    """Read a CSV or XLSX file as text cells (nothing coerced yet)."""
    display = str(path)
    if path.stat().st_size == 0:
        raise DataValidationError(Problem(file=display, message="the file is empty",
                                          fix="export the table again with its header row"))
    if path.suffix.lower() == ".xlsx":
        try:
            frame = pd.read_excel(path, dtype=str, sheet_name=0, engine="openpyxl")
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is a user problem
            raise DataValidationError(Problem(
                file=display, message=f"cannot read the workbook ({type(exc).__name__})",
                fix="save it as .xlsx from Excel/LibreOffice, table on the first sheet")) from None
        return frame.fillna("").astype(str).map(str.strip)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")  # strips a BOM if present
    except UnicodeDecodeError:
        raise DataValidationError(Problem(
            file=display, message="the file is not UTF-8 text",
            fix="save it as 'CSV UTF-8' (Excel) or UTF-8 (LibreOffice)")) from None
    if not text.strip():
        raise DataValidationError(Problem(file=display, message="the file is empty",
                                          fix="export the table again with its header row"))
    from io import StringIO

    try:
        frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False,
                            skip_blank_lines=True)
    except pd.errors.ParserError as exc:
        raise DataValidationError(Problem(file=display, message=f"not a valid CSV table ({exc})",
                                          fix="check separators (commas) and quotes")) from None
    return frame.map(str.strip)


def _map_headers(frame: pd.DataFrame, spec: TableSpec, file: str) -> tuple[pd.DataFrame,
                                                                           list[Problem]]:
    problems: list[Problem] = []
    accepted = header_map(spec)
    renamed: dict[str, str] = {}
    for header in frame.columns:
        canonical = accepted.get(_norm(header))
        if canonical is None:
            continue  # extra columns are carried through unchanged
        if canonical in renamed.values():
            problems.append(Problem(file=file, row=1, column=str(header),
                                    message=f"a second column maps to '{canonical}'",
                                    fix="keep one of the two columns"))
            continue
        renamed[header] = canonical
    frame = frame.rename(columns=renamed)
    for col in spec.columns:
        if col.required and col.name not in frame.columns:
            also = f" (or Vietnamese header '{col.vi[0]}')" if col.vi else ""
            problems.append(Problem(file=file, row=1, column=col.name,
                                    message="required column is missing",
                                    fix=f"add a column '{col.name}'{also}: {col.description}"))
    return frame, problems


def _coerce(values: pd.Series, col: Column, file: str) -> tuple[pd.Series, list[Problem]]:
    """Convert one text column to its type, collecting a problem for each bad cell."""
    problems: list[Problem] = []
    blank = values == ""
    bad = pd.Series(False, index=values.index)
    if col.type in ("int", "float"):
        numbers = pd.to_numeric(values.str.replace(" ", "", regex=False), errors="coerce")
        bad |= numbers.isna() & ~blank
        if col.type == "int":
            bad |= numbers.notna() & (numbers % 1 != 0)
        if col.min is not None:
            bad |= numbers < col.min
        if col.max is not None:
            bad |= numbers > col.max
        out = numbers.astype("Int64" if col.nullable else "int64", errors="ignore") if (
            col.type == "int") else numbers.astype(float)
    elif col.type == "bool":
        lowered = values.str.casefold()
        bad |= ~lowered.isin(TRUE_WORDS | FALSE_WORDS)
        out = lowered.isin(TRUE_WORDS)
    elif col.type == "enum":
        bad |= ~values.isin(col.allowed) & ~blank
        out = values
    elif col.type == "list":
        def list_ok(cell: str) -> bool:
            parts = [p.strip() for p in cell.split(";") if p.strip()]
            return bool(parts) and all(p in col.allowed for p in parts)
        bad |= ~values.map(list_ok) & ~blank
        out = values.map(lambda c: ";".join(p.strip() for p in c.split(";") if p.strip()))
    else:
        out = values
    if not col.nullable and col.type != "bool":
        bad |= blank
    for n, idx in enumerate(values.index[bad]):
        if n == MAX_PROBLEMS_PER_COLUMN:
            problems.append(Problem(file=file, column=col.name,
                                    message=f"… and {int(bad.sum()) - n} more bad cells in this "
                                    "column", fix=f"write {col.valid_form}"))
            break
        cell = values[idx]
        what = "is blank" if cell == "" else f"'{cell}' is not valid"
        problems.append(Problem(file=file, row=int(idx) + 2, column=col.name, message=what,
                                fix=f"write {col.valid_form}"))
    if col.type in ("str", "enum") and col.nullable:
        out = out.where(~blank, None)
    if col.type == "int" and not problems:
        out = out.astype("Int64" if col.nullable else "int64")
    return out, problems


def validate_table(frame: pd.DataFrame, spec: TableSpec, file: str) -> tuple[pd.DataFrame,
                                                                              list[Problem]]:
    """Map headers, coerce types and check keys of one table. Returns (typed frame, problems)."""
    frame, problems = _map_headers(frame, spec, file)
    if frame.empty and not problems:
        problems.append(Problem(file=file, message="the table has a header but no rows",
                                fix="add at least one row of data"))
    if problems:
        return frame, problems
    typed = frame.copy()
    for col in spec.columns:
        if col.name not in frame.columns:
            continue
        typed[col.name], col_problems = _coerce(frame[col.name], col, file)
        problems += col_problems
    key = list(spec.key)
    duplicated = frame.duplicated(subset=key, keep="first")
    for idx in frame.index[duplicated][:MAX_PROBLEMS_PER_COLUMN]:
        first = frame.index[(frame[key] == frame.loc[idx, key]).all(axis=1)][0]
        value = ", ".join(frame.loc[idx, key])
        problems.append(Problem(file=file, row=int(idx) + 2, column=", ".join(key),
                                message=f"duplicate ID '{value}' (also on row {int(first) + 2})",
                                fix="give every row its own ID or remove the repeated row"))
    # keep contract columns first, extras after, in their original order
    ordered = [c for c in spec.names if c in typed.columns]
    typed = typed[ordered + [c for c in typed.columns if c not in ordered]]
    return typed, problems


def _check_references(tables: dict[str, pd.DataFrame], files: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    for table, spec in contract().items():
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
                    file=files[table], row=int(idx) + 2, column=col.name,
                    message=f"'{values[idx]}' does not exist in {target_table}.{target_col}",
                    fix=f"use an ID from {files[target_table]} or add that row there"))
    held = tables["staff"]["position_id"].dropna()
    for idx in held.index[held.duplicated(keep="first")][:MAX_PROBLEMS_PER_COLUMN]:
        problems.append(Problem(
            file=files["staff"], row=int(idx) + 2, column="position_id",
            message=f"post '{held[idx]}' is already held by another person",
            fix="one person per post: blank this cell (unplaced) or correct the post"))
    return problems


def load_province(data_dir: str | Path | None = None) -> Province:
    """Load and validate the four tables of a province folder (default: the bundled one).

    Raises :class:`DataValidationError` listing every problem found; returns typed tables.
    """
    data_dir = Path(data_dir) if data_dir is not None else BUNDLED_PROVINCE
    if not data_dir.is_dir():
        raise DataValidationError(Problem(file=str(data_dir), message="folder not found",
                                          fix="give --data the folder holding territories.csv, "
                                          "positions.csv, staff.csv and workload.csv"))
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for table, spec in contract().items():
        path = _table_file(data_dir, table)
        files[table] = str(data_dir / f"{table}.csv") if path is None else str(path)
        if path is None:
            problems.append(Problem(file=files[table], message="table file not found",
                                    fix=f"add {table}.csv (UTF-8) or {table}.xlsx to {data_dir}"))
            continue
        try:
            raw = read_raw(path)
        except DataValidationError as exc:
            problems += exc.problems
            continue
        tables[table], table_problems = validate_table(raw, spec, files[table])
        problems += table_problems
    if not problems:
        problems += _check_references(tables, files)
    if problems:
        raise DataValidationError(problems)
    metadata_path = data_dir / "dataset.json"
    metadata = json.loads(metadata_path.read_text(encoding="utf-8")) if (
        metadata_path.is_file()) else {}
    return Province(**tables, source=str(data_dir), metadata=metadata)


def write_province(province: Province, out_dir: Path) -> None:
    """Write the four tables as UTF-8 CSV (and dataset.json) with stable formatting."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in province.tables().items():
        frame.to_csv(out_dir / f"{name}.csv", index=False, lineterminator="\n",
                     float_format="%.10g")
    (out_dir / "dataset.json").write_text(
        json.dumps(province.metadata, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8")

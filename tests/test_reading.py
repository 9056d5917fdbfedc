"""Reading what real HR exports look like: each odd export is either accepted (right typed
tables, the right note) or exactly one clear problem naming file, row, column and fix.

Most cases use a tiny hand-made province (2 units, 3 posts, 3 people) so every row number and
value can be checked by eye; the Excel-like workbook uses the bundled 2,685 staff.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import unicodedata
from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from khcadre_sim.checks import check_province, quota_violations
from khcadre_sim.cli import main
from khcadre_sim.errors import DataValidationError, Problem
from khcadre_sim.io import Province, load_province
from khcadre_sim.params import load_parameters
from khcadre_sim.paths import BUNDLED_PROVINCE, POLICY_PARAMETERS
from khcadre_sim.scenario import load_scenario
from khcadre_sim.schema import contract

matplotlib.use("Agg")

TERRITORIES = [
    ["territory_id", "name", "unit_type", "area_class", "area_km2", "population", "lat", "lon",
     "hard_area"],
    ["22333", "Phường Bắc Nha Trang", "phuong", "urban", "97", "128239", "12.32218", "109.17123",
     "False"],
    ["22399", "Xã Sơn Thái", "xa", "mountain", "300.5", "8000", "12.01", "108.9", "True"],
]
POSITIONS = [
    ["position_id", "territory_id", "office", "title", "field", "is_manager", "is_key_post",
     "req_political", "req_execution", "req_development"],
    ["P1", "22333", "leadership", "Chủ tịch UBND", "management", "True", "True", "70", "65",
     "60"],
    ["P2", "22333", "economy", "Chuyên viên", "finance", "False", "False", "60", "55", "50"],
    ["P3", "22399", "culture_social", "Chuyên viên", "social", "False", "False", "60", "55",
     "50"],
]
STAFF = [
    ["staff_id", "position_id", "home_territory_id", "birth_year", "gender", "ethnic_minority",
     "fields", "education", "score_political", "score_execution", "score_development",
     "planning_pool", "years_in_post", "last_rating"],
    ["S1", "P1", "22399", "1975", "M", "False", "management", "master", "80", "75", "70", "True",
     "3", "good"],
    ["S2", "P2", "22333", "1990", "F", "True", "finance;administration", "bachelor", "70", "65",
     "60", "False", "1.5", "good"],
    ["S3", "", "22399", "1995", "F", "False", "social", "college", "60", "60", "55", "False",
     "0", "completed"],
]
WORKLOAD = [["territory_id", "field", "annual_cases"], ["22333", "finance", "1200"],
            ["22399", "social", "300"]]
TINY = {"territories": TERRITORIES, "positions": POSITIONS, "staff": STAFF,
        "workload": WORKLOAD}


def text(rows: list[list[str]], sep: str = ",", eol: str = "\n", tail: bool = False) -> str:
    """Rows as a delimited file, quoted where needed; ``tail`` ends each row with a separator."""
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator=eol).writerows(
        [*r, ""] if tail else r for r in rows)
    return out.getvalue()


def rows_of(table: str) -> list[list[str]]:
    return [list(r) for r in TINY[table]]


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    folder.mkdir()
    for name, rows in TINY.items():
        (folder / f"{name}.csv").write_text(text(rows), encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(DataValidationError) as info:
        load_province(folder)
    return info.value.problems


def one_problem(folder: Path) -> Problem:
    problems = problems_of(folder)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def notes_of(province: Province) -> str:
    return "\n".join(str(n) for n in province.notes)


# ---------------------------------------------------------------------------- the baseline

def test_tiny_province_loads_typed_and_without_notes(tiny):
    p = load_province(tiny)
    assert p.notes == []
    assert p.territories["area_km2"].tolist() == [97.0, 300.5]
    assert str(p.territories["population"].dtype) == "Int64"
    assert p.staff["birth_year"].tolist() == [1975, 1990, 1995]
    assert p.staff["position_id"].isna().tolist() == [False, False, True]
    assert p.staff["ethnic_minority"].tolist() == [False, True, False]
    assert list(p.staff.index) == [0, 1, 2]  # tables come back with a plain index
    assert p.files["staff"] == str(tiny / "staff.csv")


def test_bundled_province_loads_without_notes():
    assert load_province().notes == []


def test_every_typed_column_has_a_dtype_and_every_number_a_range():
    for spec in contract().values():
        for col in spec.columns:
            assert col.dtype in ("str", "int64", "Int64", "float64", "bool", "datetime64[ns]")
            assert (col.type == "date") == (col.dtype == "datetime64[ns]")
            if col.type in ("int", "float"):
                assert col.min is not None and col.max is not None, col.name
    assert contract()["territories"].column("population").dtype == "Int64"


# ---------------------------------------------------------------------------- 1 trailing commas

def test_trailing_comma_on_every_data_row_is_accepted(tiny):
    rows = rows_of("workload")
    (tiny / "workload.csv").write_text(text(rows[:1]) + text(rows[1:], tail=True))
    p = load_province(tiny)
    assert p.workload["territory_id"].tolist() == ["22333", "22399"]  # not shifted into an index
    assert p.workload["annual_cases"].tolist() == [1200.0, 300.0]
    assert "one more cell than the header (3 columns), all empty" in notes_of(p)


def test_trailing_comma_on_header_and_rows_drops_the_empty_column(tiny):
    (tiny / "territories.csv").write_text(text(rows_of("territories"), tail=True))
    p = load_province(tiny)
    assert list(p.territories.columns) == TERRITORIES[0]
    assert "dropped 1 empty column(s) without a header (column J" in notes_of(p)


def test_trailing_comma_on_the_header_only(tiny):
    rows = rows_of("positions")
    (tiny / "positions.csv").write_text(text(rows[:1], tail=True) + text(rows[1:]))
    p = load_province(tiny)
    assert list(p.positions.columns) == POSITIONS[0]
    assert "column K" in notes_of(p)


def test_values_beyond_the_header_are_one_problem(tiny):
    rows = rows_of("workload")
    rows[2].append("ghi chú")  # row 3 has a fourth cell with a value
    (tiny / "workload.csv").write_text(text(rows))
    problem = one_problem(tiny)
    assert (problem.file, problem.row, problem.column) == (str(tiny / "workload.csv"), 3, "D")
    assert "more cells than the header on row 1 (3 columns)" in problem.message
    assert "double quotes" in problem.fix


def test_a_column_with_values_but_no_header_is_carried_through(tiny):
    rows = rows_of("workload")
    rows[0].append("")
    rows[1].append("x")
    rows[2].append("")
    (tiny / "workload.csv").write_text(text(rows))
    p = load_province(tiny)
    assert p.workload["unnamed_D"].tolist() == ["x", ""]
    assert "column D has values but no header; carried through as 'unnamed_D'" in notes_of(p)


def test_short_rows_are_padded_and_the_missing_cells_named(tiny):
    rows = rows_of("staff")
    rows[3] = rows[3][:12]  # row 4 stops before years_in_post and last_rating
    (tiny / "staff.csv").write_text(text(rows))
    problems = problems_of(tiny)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (4, "years_in_post", "is blank"), (4, "last_rating", "is blank")]


# ---------------------------------------------------------------------------- 2 separators

def test_semicolon_file_with_bom_and_decimal_commas(tiny):
    rows = rows_of("territories")
    rows[2][4], rows[2][6], rows[2][7] = "300,5", "12,01", "108,9"
    (tiny / "territories.csv").write_bytes(b"\xef\xbb\xbf" + text(rows, sep=";").encode())
    p = load_province(tiny)
    assert p.territories["area_km2"].tolist() == [97.0, 300.5]
    assert p.territories["lat"].tolist() == [12.32218, 12.01]
    notes = notes_of(p)
    assert "columns are separated by ';' (found in the header row), not ','" in notes
    assert "decimal commas read as decimal points ('12,5' = 12.5) in 3 cell(s): area_km2 (1), " \
           "lat (1), lon (1)" in notes


def test_tab_separated_file(tiny):
    (tiny / "positions.csv").write_text(text(rows_of("positions"), sep="\t"))
    p = load_province(tiny)
    assert p.positions["req_political"].tolist() == [70.0, 60.0, 60.0]
    assert "separated by tab" in notes_of(p)


def test_excel_sep_line_sets_the_separator_and_is_not_a_row(tiny):
    rows = rows_of("staff")
    rows[2][3] = "199O"  # letter O: row 3 as a spreadsheet shows it (the sep line is hidden)
    (tiny / "staff.csv").write_text("sep=;\n" + text(rows, sep=";"))
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (3, "birth_year")


def test_utf16_unicode_text_export(tiny):
    (tiny / "territories.csv").write_bytes(text(rows_of("territories"), sep="\t",
                                                eol="\r\n").encode("utf-16"))
    p = load_province(tiny)
    assert p.territories["name"].tolist() == ["Phường Bắc Nha Trang", "Xã Sơn Thái"]
    assert "UTF-16" in notes_of(p)


def test_crlf_file_reads_the_same(tiny):
    plain = load_province(tiny)
    (tiny / "staff.csv").write_bytes(text(rows_of("staff"), eol="\r\n").encode())
    crlf = load_province(tiny)
    pd.testing.assert_frame_equal(plain.staff, crlf.staff)
    assert crlf.notes == []


def test_unknown_separator_is_one_problem_naming_the_likely_cause(tiny):
    (tiny / "staff.csv").write_text(text(rows_of("staff"), sep=":"))
    problem = one_problem(tiny)
    assert problem.file == str(tiny / "staff.csv")
    assert problem.message.startswith("no header row found")
    assert "one long cell" in problem.message and "separated by a character other" in (
        problem.message)


# ---------------------------------------------------------------------------- numbers

@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
def test_nan_and_inf_are_rejected_in_a_numeric_column(tiny, cell):
    rows = rows_of("workload")
    rows[2][2] = cell
    (tiny / "workload.csv").write_text(text(rows))
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (3, "annual_cases")
    assert problem.message == f"'{cell}' is not valid (not a finite number)"


def test_every_numeric_column_rejects_inf(tmp_path):
    """The whole class: each int/float column of the contract, one 'inf' cell each."""
    folder = tmp_path / "p"
    folder.mkdir()
    columns = []
    for name, rows in TINY.items():
        rows = [list(r) for r in rows]
        spec = contract()[name]
        for j, header in enumerate(rows[0]):
            if spec.column(header).type in ("int", "float"):
                rows[1][j] = "inf"
                columns.append(header)
        (folder / f"{name}.csv").write_text(text(rows))
    problems = problems_of(folder)
    assert sorted(p.column for p in problems) == sorted(columns)
    assert all(p.row == 2 and "not a finite number" in p.message for p in problems)


@pytest.mark.parametrize(("table", "column", "cell", "fix"), [
    ("territories", "population", "1e20", "write a whole number ≥ 0 and ≤ 2 000 000"),
    ("territories", "area_km2", "1e12", "write a number ≥ 0 and ≤ 20 000"),
    ("workload", "annual_cases", "99999999999", "write a number ≥ 0 and ≤ 10 000 000"),
])
def test_absurd_values_are_one_clear_problem(tiny, table, column, cell, fix):
    rows = rows_of(table)
    rows[1][rows[0].index(column)] = cell
    (tiny / f"{table}.csv").write_text(text(rows))
    problem = one_problem(tiny)
    assert (problem.row, problem.column, problem.message, problem.fix) == (
        2, column, f"'{cell}' is not valid", fix)


@pytest.mark.parametrize(("sep", "cell", "why"), [
    (",", "1,234", "',' is not the decimal separator in a ','-separated file"),
    (";", "1.234", "ambiguous: 1234 with a thousands separator, or 1.234?"),
    (";", "1.234,5", "thousands separators are not read"),
    ("\t", "1,200", "ambiguous: 1200 with a thousands separator, or 1.200?"),
])
def test_numbers_that_read_two_ways_are_rejected(tiny, sep, cell, why):
    rows = rows_of("workload")
    rows[1][2] = cell
    (tiny / "workload.csv").write_text(text(rows, sep=sep))
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (2, "annual_cases")
    assert problem.message == f"'{cell}' is not valid ({why})"
    assert "decimal separator and no thousands separator" in problem.fix


@pytest.mark.parametrize(("sep", "cell", "value"), [
    (",", "1 200", 1200.0), (",", "1\u00a0200", 1200.0), (",", "1.5e3", 1500.0),
    (";", "12,5", 12.5), (";", "0.125", 0.125), ("\t", "12,5", 12.5), ("\t", "1200", 1200.0),
])
def test_numbers_that_read_one_way_are_accepted(tiny, sep, cell, value):
    rows = rows_of("workload")
    rows[1][2] = cell
    (tiny / "workload.csv").write_text(text(rows, sep=sep))
    assert load_province(tiny).workload["annual_cases"].iloc[0] == value


def test_spreadsheet_error_value_is_named(tiny):
    rows = rows_of("positions")
    rows[3][9] = "#DIV/0!"
    (tiny / "positions.csv").write_text(text(rows))
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (4, "req_development")
    assert "a spreadsheet error value" in problem.message


def test_blank_population_is_unknown_not_an_error(tiny):
    rows = rows_of("territories")
    rows[2][5] = ""
    (tiny / "territories.csv").write_text(text(rows))
    population = load_province(tiny).territories["population"]
    assert str(population.dtype) == "Int64" and population.isna().tolist() == [False, True]


# ---------------------------------------------------------------------------- 3 title rows

def test_title_rows_above_the_header(tiny):
    rows = rows_of("staff")
    rows[1][4] = "X"  # first data row: row 4 as a spreadsheet shows it
    title = "DANH SÁCH CÁN BỘ XÃ SƠN THÁI" + "," * 13 + "\n"
    (tiny / "staff.csv").write_text(title + "\n" + text(rows))
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (4, "gender")
    rows[1][4] = "M"
    (tiny / "staff.csv").write_text(title + "\n" + text(rows))
    p = load_province(tiny)
    assert len(p.staff) == 3
    assert "header found on row 3; rows above ignored (row 1 reads 'DANH SÁCH CÁN BỘ XÃ SƠN " \
           "THÁI')" in notes_of(p)


def test_a_row_numbering_the_columns_is_skipped(tiny):
    rows = rows_of("workload")
    (tiny / "workload.csv").write_text(text(rows[:1]) + "(1),(2),(3)\n" + text(rows[1:]))
    p = load_province(tiny)
    assert p.workload["annual_cases"].tolist() == [1200.0, 300.0]
    assert "row 2 numbers the columns ('(1)', '(2)', '(3)' …); ignored" in notes_of(p)


def test_no_header_row_is_one_problem_listing_what_was_found(tiny):
    (tiny / "staff.csv").write_text(text(rows_of("staff")[1:]))  # data only
    problem = one_problem(tiny)
    assert problem.row is None and problem.column is None
    assert problem.message.startswith("no header row found: none of the first 10 non-blank "
                                      "rows names a column of the staff table (the first "
                                      "non-blank row reads 'S1', 'P1', '22399'")
    assert "'staff_id'" in problem.fix and "'Mã cán bộ'" in problem.fix


def test_headers_are_matched_ignoring_case_line_breaks_and_underscores(tiny):
    rows = rows_of("staff")
    rows[0][0] = "MÃ CÁN\nBỘ"
    rows[0][1] = "Position ID"
    (tiny / "staff.csv").write_text(text(rows))
    p = load_province(tiny)
    assert p.staff["staff_id"].tolist() == ["S1", "S2", "S3"]


def test_a_misspelt_header_gets_a_hint(tiny):
    rows = rows_of("staff")
    rows[0][4] = "gendr"
    (tiny / "staff.csv").write_text(text(rows))
    problem = one_problem(tiny)
    assert (problem.row, problem.column, problem.message) == (1, "gender",
                                                             "required column is missing")
    assert "is 'gendr' meant to be this column? rename it" in problem.fix


def test_notes_and_signatures_below_the_table_are_ignored_and_noted(tiny):
    rows = rows_of("staff")
    footer = [["", "", "", "", "", "", "", "", "Tổng cộng: 3 người"], [],
              ["Khánh Hòa, ngày 15 tháng 1 năm 2026"], ["NGƯỜI LẬP BIỂU", "", "", "", "", "",
                                                        "THỦ TRƯỞNG ĐƠN VỊ"]]
    (tiny / "staff.csv").write_text(text(rows + footer))
    p = load_province(tiny)
    assert p.staff["staff_id"].tolist() == ["S1", "S2", "S3"]
    assert "3 row(s) below the table (row 5–8) fill few columns (row 5 reads 'Tổng cộng: 3 " \
           "người'); ignored as notes or signatures" in notes_of(p)


def test_a_last_person_without_an_id_is_still_an_error(tiny):
    rows = rows_of("staff")
    rows.append(["", *rows[3][1:]])
    rows[4][1] = "P3"
    (tiny / "staff.csv").write_text(text(rows))
    problem = one_problem(tiny)
    assert (problem.row, problem.column, problem.message) == (5, "staff_id", "is blank")


def test_a_nul_byte_is_one_problem(tiny):
    (tiny / "workload.csv").write_bytes(b"territory_id,field,annual_cases\n22333,fin\x00,1\n")
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (2, "field")
    assert problem.message == "'fin\\x00' is not valid"  # shown, not sent to the terminal


@pytest.mark.parametrize("damage", ["random", "truncated"])
def test_a_damaged_workbook_is_one_problem(tiny, damage):
    (tiny / "workload.csv").unlink()
    path = tiny / "workload.xlsx"
    pd.DataFrame(WORKLOAD[1:], columns=WORKLOAD[0]).to_excel(path, index=False)
    data = path.read_bytes()
    path.write_bytes(b"\x00\x01 not a workbook" * 50 if damage == "random" else
                     data[: len(data) // 2])
    problem = one_problem(tiny)
    assert problem.file == str(path) and problem.message.startswith("cannot read the workbook")


# ---------------------------------------------------------------------------- 5 row numbers

def test_blank_lines_do_not_shift_row_numbers(tiny):
    rows = rows_of("staff")
    rows[3][3] = "nineteen"  # the third person; after two blank lines it is on row 6
    (tiny / "staff.csv").write_text(text(rows[:2]) + "\n" + text(rows[2:3]) + ",,,\n" +
                                    text(rows[3:]))
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (6, "birth_year")


def write_with_two_blank_lines(folder: Path, rows: list[list[str]]) -> None:
    """Staff with two blank lines after the first person: people 2 and 3 are on rows 5 and 6."""
    (folder / "staff.csv").write_text(text(rows[:2]) + "\n\n" + text(rows[2:]))


def test_blank_lines_keep_the_row_of_a_duplicate_id(tiny):
    rows = rows_of("staff")
    rows[3][0] = "S1"
    write_with_two_blank_lines(tiny, rows)
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (6, "staff_id")
    assert problem.message == "duplicate ID 'S1' (also on row 2)"


def test_blank_lines_keep_the_row_of_a_dangling_reference(tiny):
    rows = rows_of("staff")
    rows[2][1] = "NO-POST"
    write_with_two_blank_lines(tiny, rows)
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (5, "position_id")
    assert problem.message == "'NO-POST' does not exist in positions.position_id"


def test_blank_lines_keep_the_row_of_two_people_on_one_post(tiny):
    rows = rows_of("staff")
    rows[3][1] = "P1"
    write_with_two_blank_lines(tiny, rows)
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (6, "position_id")
    assert problem.message == "post 'P1' is already held by another person (row 2)"


def test_blank_lines_are_skipped_and_noted(tiny):
    write_with_two_blank_lines(tiny, rows_of("staff"))
    p = load_province(tiny)
    assert p.staff["staff_id"].tolist() == ["S1", "S2", "S3"]
    assert "2 blank row(s) skipped (row 3, 4)" in notes_of(p)


def test_quoted_cells_with_separators_and_line_breaks(tiny):
    rows = rows_of("positions")
    rows[1][3] = "Chủ tịch, kiêm\nBí thư"  # one cell, two lines
    rows[3][7] = "abc"  # row 4 as a spreadsheet shows it, although it is on line 5
    (tiny / "positions.csv").write_text(text(rows, eol="\r\n"))
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (4, "req_political")
    rows[3][7] = "60"
    (tiny / "positions.csv").write_text(text(rows, eol="\r\n"))
    assert load_province(tiny).positions["title"].iloc[0] == "Chủ tịch, kiêm\nBí thư"


def test_an_unclosed_quote_is_one_problem_on_the_row_that_opens_it(tiny):
    lines = text(rows_of("positions")).splitlines(keepends=True)
    lines[2] = lines[2].replace("Chuyên viên", '"Chuyên viên')  # opens on row 3, never closes
    (tiny / "positions.csv").write_text("".join(lines))
    problem = one_problem(tiny)
    assert problem.row == 3 and "never closed" in problem.message


# ---------------------------------------------------------------------------- 6 Unicode

def nfd(value: str) -> str:
    return unicodedata.normalize("NFD", value)


def test_nfd_and_nfc_spellings_of_one_id_are_a_duplicate(tiny):
    rows = rows_of("staff")
    rows[1][0], rows[2][0] = "CB-Ánh", nfd("CB-Ánh")
    assert rows[1][0] != rows[2][0]
    (tiny / "staff.csv").write_text(text(rows))
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (3, "staff_id")
    assert problem.message == "duplicate ID 'CB-Ánh' (also on row 2)"


def test_nfd_references_match_nfc_ids(tiny):
    positions, staff = rows_of("positions"), rows_of("staff")
    positions[2][0] = "Đ-Phó-01"
    staff[2][1] = nfd("Đ-Phó-01")
    staff[0][0] = nfd("Mã cán bộ")
    (tiny / "positions.csv").write_text(text(positions))
    (tiny / "staff.csv").write_text(text(staff))
    p = load_province(tiny)
    assert p.staff["position_id"].iloc[1] == "Đ-Phó-01"
    assert "2 text cell(s) were in decomposed Unicode (NFD) and were normalised to NFC (first: " \
           "the header 'Mã cán bộ')" in notes_of(p)


# ---------------------------------------------------------------------------- 7 duplicate columns

def test_two_columns_with_the_same_header(tiny):
    rows = rows_of("workload")
    for r in rows:
        r.append(r[2])
    (tiny / "workload.csv").write_text(text(rows))
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (1, "annual_cases")
    assert problem.message == ("columns 'annual_cases' (column C) and 'annual_cases' (column D) "
                               "both map to the contract column 'annual_cases'")
    assert problem.fix == "keep one of them: delete or rename the other"


def test_english_and_vietnamese_header_for_one_column(tiny):
    rows = rows_of("staff")
    rows[0].append("Mã cán bộ")
    for r in rows[1:]:
        r.append(r[0])
    (tiny / "staff.csv").write_text(text(rows))
    problem = one_problem(tiny)
    assert problem.message == ("columns 'staff_id' (column A) and 'Mã cán bộ' (column O) both "
                               "map to the contract column 'staff_id'")


def test_two_extra_columns_with_the_same_header(tiny):
    rows = rows_of("workload")
    rows[0] += ["Ghi chú", "Ghi chú"]
    for r in rows[1:]:
        r += ["a", "b"]
    (tiny / "workload.csv").write_text(text(rows))
    assert one_problem(tiny).message == ("two columns have the same header: 'Ghi chú' (column D) "
                                         "and 'Ghi chú' (column E)")


# ---------------------------------------------------------------------------- 8 files

def test_csv_beside_xlsx_is_one_problem(tiny):
    pd.DataFrame(WORKLOAD[1:], columns=WORKLOAD[0]).to_excel(tiny / "workload.xlsx",
                                                             index=False)
    problem = one_problem(tiny)
    assert problem.message == ("workload.csv and workload.xlsx are both in the folder: which one "
                               "holds the workload table?")
    assert "keep one of them" in problem.fix


def test_an_old_excel_file_is_one_problem(tiny):
    (tiny / "workload.csv").rename(tiny / "workload.xls")
    problem = one_problem(tiny)
    assert problem.message == "the .xls format cannot be read"
    assert problem.fix == "save it as workload.xlsx, or as workload.csv in CSV UTF-8"


def test_a_workbook_named_csv_is_one_problem(tiny):
    (tiny / "workload.csv").unlink()
    pd.DataFrame(WORKLOAD[1:], columns=WORKLOAD[0]).to_excel(tiny / "workload.csv",
                                                             index=False, engine="openpyxl")
    assert "workbook (XLSX) with a text-file name" in one_problem(tiny).message


def test_file_names_in_another_case_are_found(tiny):
    (tiny / "staff.csv").rename(tiny / "Staff.CSV")
    assert len(load_province(tiny).staff) == 3


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b",,,\r\n,,,\r\n"])
def test_an_empty_file_is_one_problem(tiny, content):
    (tiny / "workload.csv").write_bytes(content)
    assert one_problem(tiny).message == "the file is empty"


# ---------------------------------------------------------------------------- 4 workbooks

def excel_like_staff(path: Path, bad: tuple[int, str, str] | None = None) -> pd.DataFrame:
    """The bundled staff as an HR system's workbook: an instructions sheet first, then a sheet
    with a merged bold title, a blank row, a styled header with Vietnamese names (one with a line
    break), scores stored as text, whole numbers and booleans as real cells, and an empty but
    formatted trailing column. Returns the bundled staff (typed)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    with (BUNDLED_PROVINCE / "staff.csv").open(encoding="utf-8-sig") as f:  # written with a BOM
        rows = list(csv.reader(f))
    vietnamese = {"staff_id": "Mã cán bộ", "position_id": "Vị trí hiện tại",
                  "home_territory_id": "Mã xã quê quán", "birth_year": "Năm sinh",
                  "gender": "Giới tính", "ethnic_minority": "Dân tộc thiểu số",
                  "fields": "Lĩnh vực chuyên môn", "education": "Trình độ",
                  "score_political": "Điểm\nchính trị", "score_execution": "Điểm thực thi",
                  "score_development": "Điểm phát triển", "planning_pool": "Quy hoạch",
                  "years_in_post": "Số năm giữ vị trí", "last_rating": "Xếp loại"}
    book = Workbook()
    guide = book.active
    guide.title = "Hướng dẫn"
    guide["A1"] = "Bảng cán bộ ở trang sau. Không sửa tiêu đề cột."
    sheet = book.create_sheet("Cán bộ")
    sheet["A1"] = "DANH SÁCH CÁN BỘ, CÔNG CHỨC CẤP XÃ NĂM 2026"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:N1")
    header = [vietnamese[h] for h in rows[0]]
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, name in enumerate([*header, None], start=1):
        cell = sheet.cell(row=3, column=j, value=name)
        cell.font, cell.fill = Font(bold=True), fill  # column O: styled, empty
    whole = {"birth_year"}
    flags = {"ethnic_minority", "planning_pool"}
    for i, row in enumerate(rows[1:], start=4):
        for j, (name, value) in enumerate(zip(rows[0], row, strict=True), start=1):
            cell_value: object = value
            if name in whole:
                cell_value = float(value)  # Excel stores numbers as floats: 1975.0
            elif name in flags:
                cell_value = value == "True"
            elif name == "years_in_post":
                cell_value = float(value)
            sheet.cell(row=i, column=j, value=None if cell_value == "" else cell_value)
        sheet.cell(row=i, column=15).fill = fill
    if bad is not None:
        row, column, value = bad
        sheet.cell(row=row, column=rows[0].index(column) + 1, value=value)
    book.save(path)
    return load_province().staff


def test_excel_like_workbook_on_the_second_sheet(province_dir):
    (province_dir / "staff.csv").unlink()
    expected = excel_like_staff(province_dir / "staff.xlsx")
    p = load_province(province_dir)
    pd.testing.assert_frame_equal(p.staff, expected)
    notes = notes_of(p)
    sheet = f"{province_dir / 'staff.xlsx'} [sheet 'Cán bộ']"
    assert p.files["staff"] == sheet
    assert f"{sheet}: table read from sheet 'Cán bộ' (the first sheet, 'Hướng dẫn', has no " \
           "complete staff header)" in notes
    assert "header found on row 3; rows above ignored (row 1 reads 'DANH SÁCH CÁN BỘ, CÔNG " \
           "CHỨC CẤP XÃ NĂM 2026')" in notes
    assert "dropped 1 empty column(s) without a header (column O" in notes


def test_excel_like_workbook_names_the_sheet_and_true_row(province_dir):
    (province_dir / "staff.csv").unlink()
    excel_like_staff(province_dir / "staff.xlsx", bad=(104, "score_execution", "7O"))
    problem = one_problem(province_dir)
    assert problem.file == f"{province_dir / 'staff.xlsx'} [sheet 'Cán bộ']"
    assert (problem.row, problem.column, problem.message) == (104, "score_execution",
                                                             "'7O' is not valid")


def test_numbers_in_workbook_cells(tiny):
    frame = pd.DataFrame({"territory_id": ["22333", "22399"], "field": ["finance", "social"],
                          "annual_cases": [1200, 12.5]})
    (tiny / "workload.csv").unlink()
    frame.to_excel(tiny / "workload.xlsx", index=False)
    assert load_province(tiny).workload["annual_cases"].tolist() == [1200.0, 12.5]
    frame["annual_cases"] = ["1,200", "12,5"]  # numbers typed as text, in two conventions
    frame.to_excel(tiny / "workload.xlsx", index=False)
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (2, "annual_cases")
    assert "ambiguous" in problem.message


def test_a_real_number_in_a_workbook_is_never_ambiguous(tiny):
    frame = pd.DataFrame({"territory_id": ["22333", "22399"], "field": ["finance", "social"],
                          "annual_cases": [12.964, "12.964"]})  # a number, then text
    (tiny / "workload.csv").unlink()
    frame.to_excel(tiny / "workload.xlsx", index=False)
    problem = one_problem(tiny)
    assert (problem.row, problem.column) == (3, "annual_cases")
    assert problem.message == ("'12.964' is not valid (ambiguous: 12964 with a thousands "
                               "separator, or 12.964?)")
    frame.loc[1, "annual_cases"] = 300
    frame.to_excel(tiny / "workload.xlsx", index=False)
    assert load_province(tiny).workload["annual_cases"].tolist() == [12.964, 300.0]


def test_several_sheets_with_the_table_use_the_first(tiny):
    (tiny / "workload.csv").unlink()
    frame = pd.DataFrame(WORKLOAD[1:], columns=WORKLOAD[0])
    with pd.ExcelWriter(tiny / "workload.xlsx") as writer:
        frame.to_excel(writer, sheet_name="2026", index=False)
        frame.assign(annual_cases="1").to_excel(writer, sheet_name="2025", index=False)
    p = load_province(tiny)
    assert p.workload["annual_cases"].tolist() == [1200.0, 300.0]
    assert "sheet '2025' also holds a workload table; using '2026', the first" in notes_of(p)


def test_a_workbook_without_a_header_is_one_problem(tiny):
    (tiny / "workload.csv").unlink()
    with pd.ExcelWriter(tiny / "workload.xlsx") as writer:
        pd.DataFrame({"a": [1]}).to_excel(writer, sheet_name="Tổng hợp", index=False)
        pd.DataFrame({"b": [2]}).to_excel(writer, sheet_name="Khác", index=False)
    problem = one_problem(tiny)
    assert problem.message.startswith("no header row found") and (
        "2 sheet(s) — sheet 'Tổng hợp': 'a'; sheet 'Khác': 'b'" in problem.message)


# ---------------------------------------------------------------------------- 10 dataset.json

@pytest.mark.parametrize(("content", "message"), [
    ('{"synthetic": tru}', "not valid JSON (Expecting value at line 1, character 15)"),
    ('["synthetic"]', "must be a JSON object {…}, not a list"),
    ('{"synthetic": "yes"}', '"yes" is not true or false'),
    ('{"synthetic": 1}', "1 is not true or false"),
])
def test_bad_dataset_json_is_one_problem(tiny, content, message):
    (tiny / "dataset.json").write_text(content, encoding="utf-8")
    problem = one_problem(tiny)
    assert problem.file == str(tiny / "dataset.json") and problem.message == message
    assert problem.fix


def test_good_dataset_json(tiny):
    (tiny / "dataset.json").write_text('{"synthetic": false, "note": "HR 2026"}')
    p = load_province(tiny)
    assert p.synthetic is False and p.metadata["note"] == "HR 2026"


# ---------------------------------------------------------------------------- 11 population

def test_unknown_population_is_drawn_and_said(tiny):
    from khcadre_sim import plots

    rows = rows_of("territories")
    rows[1][5] = rows[2][5] = ""
    (tiny / "territories.csv").write_text(text(rows))
    p = load_province(tiny)
    for lang, words in (("en", "Population unknown"), ("vi", "Dân số chưa rõ")):
        fig = plots.province_map(p, lang)
        legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        assert any(words in t for t in legend)
    sizes = plots.population_marker_sizes(p.territories["population"])
    assert sizes.tolist() == [plots.UNKNOWN_POPULATION_SIZE] * 2


def test_marker_sizes_scale_with_known_population():
    from khcadre_sim import plots

    sizes = plots.population_marker_sizes(pd.Series([100, None, 50], dtype="Int64"))
    assert sizes.tolist() == [200.0, plots.UNKNOWN_POPULATION_SIZE, 110.0]


def test_review_with_blank_populations_runs(tiny, tmp_path, capsys):
    rows = rows_of("territories")
    rows[1][5] = rows[2][5] = ""
    (tiny / "territories.csv").write_text(text(rows))
    assert main(["review", "--data", str(tiny), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "review_map.png").is_file()
    capsys.readouterr()


# ---------------------------------------------------------------------------- 13 quota warning

def test_quota_warning_is_one_summary_line(tiny):
    rows = rows_of("staff")
    rows[2][13] = "excellent"  # S2, specialist in 22333
    rows[3][2] = "22333"  # S3, unplaced, counted with the specialists of 22333
    rows[3][13] = "good"
    (tiny / "staff.csv").write_text(text(rows))
    p = load_province(tiny)
    warnings = check_province(p, load_scenario())
    assert len(warnings) == 1
    w = warnings[0]
    assert (w.file, w.column) == (str(tiny / "staff.csv"), "last_rating")
    # groups: 22333 key posts (S1), 22333 specialists (S2 on P2, S3 unplaced from 22333);
    # the specialists have 1 excellent vs 1 good, and 20% of 1 allows 0
    assert w.message == ("'excellent' ratings exceed 20% of 'good' (Decree 335/2025/NĐ-CP) in 1 "
                         "of 2 groups of similar duties, 1 'excellent' too many in all — worst: "
                         "Phường Bắc Nha Trang (22333), specialists: 1 excellent, 1 good, "
                         "0 allowed")
    assert "10 good allow 2" in w.fix
    assert check_province(p, load_parameters(POLICY_PARAMETERS)) == warnings
    assert quota_violations(p, load_scenario())["unit"].tolist() == ["22333"]


def test_bundled_province_has_no_quota_warning():
    assert check_province(load_province(), load_scenario()) == []


def test_quota_summary_names_only_the_worst_three():
    p = load_province()
    staff = p.staff.copy()
    staff.loc[staff.index[:300], "last_rating"] = "excellent"
    p.staff = staff
    (w,) = check_province(p, load_scenario())
    n = len(quota_violations(p, load_scenario()))
    assert n > 3 and w.message.count(" excellent, ") == 3
    assert w.message.endswith(f"… and {n - 3} more")


# ---------------------------------------------------------------------------- command line

def test_cli_validate_prints_notes_and_exits_0(tiny, capsys):
    rows = rows_of("staff")
    (tiny / "staff.csv").write_text("DANH SÁCH\n" + text(rows, sep=";"))
    assert main(["validate", "--data", str(tiny)]) == 0
    captured = capsys.readouterr()
    out, err = captured.out.splitlines(), captured.err.splitlines()  # notes go to stderr
    assert out[0].startswith("valid: ")
    assert f"note: {tiny / 'staff.csv'}: columns are separated by ';' (found in the header " \
           "row), not ','" in err
    assert any(line.startswith("note: ") and "header found on row 2" in line for line in err)


BROKEN = {
    "trailing values": ("workload.csv", "territory_id,field,annual_cases\n22333,finance,1,2\n"),
    "no header": ("staff.csv", "S1,P1,22399\n"),
    "inf": ("workload.csv", "territory_id,field,annual_cases\n22333,finance,inf\n"),
    "bad json": ("dataset.json", "{synthetic: true}"),
    "unclosed quote": ("workload.csv", 'territory_id,field,annual_cases\n"22333,finance,1\n'),
}


def test_cli_never_prints_a_traceback(tiny):
    for case, (name, content) in BROKEN.items():
        (tiny / name).write_text(content, encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "khcadre_sim.cli", "validate", "--data",
                               str(tiny)], capture_output=True, text=True, check=False)
        lines = proc.stderr.splitlines()
        assert proc.returncode == 2, case
        assert "Traceback" not in proc.stderr, case
        assert len(lines) == 1 and lines[0].startswith(f"error: {tiny / name}"), (case, lines)
        for table, rows in TINY.items():  # repair before the next case
            (tiny / f"{table}.csv").write_text(text(rows))
        (tiny / "dataset.json").unlink(missing_ok=True)

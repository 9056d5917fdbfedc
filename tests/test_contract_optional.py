"""Data contract additions: the optional birth_date column of staff and the three optional
tables (ratings_history, training_records, rotation_records) — read, typed and validated like
the four required tables."""

import datetime as dt
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from khcadre_sim.errors import DataValidationError
from khcadre_sim.examples import tiny_province
from khcadre_sim.io import load_province, province_from_frames, write_province
from khcadre_sim.schema import OPTIONAL_TABLES, contract, empty_table

RATINGS = ("staff_id,year,quarter,score\n"
           "SYN-000001,2025,4,82.5\nSYN-000001,2026,1,91\nSYN-000002,2026,1,64\n")
TRAINING = ("staff_id,course_id,year,passed\n"
            "SYN-000001,DS-01,2026,true\nSYN-000003,DS-01,2026,false\n")
ROTATION = ("staff_id,from_territory_id,to_territory_id,start_year,term_years,outcome\n"
            "SYN-000002,22660,22333,2022,3,return\nSYN-000004,22333,22660,2025,3,\n")


def problems(folder: Path) -> list:
    with pytest.raises(DataValidationError) as info:
        load_province(folder)
    return info.value.problems


def only_problem(folder: Path):
    found = problems(folder)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def add_birth_dates(folder: Path, dates: dict[int, str]) -> None:
    """A birth_date column on staff.csv: ``dates`` maps a 0-based data row to its cell."""
    path = folder / "staff.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["birth_date"] = ""
    for i, cell in dates.items():
        frame.loc[i, "birth_date"] = cell
    frame.to_csv(path, index=False)


# ---------------------------------------------------------------------------- absent / present

def test_absent_optional_tables_are_empty_typed_tables():
    p = load_province()
    for name in OPTIONAL_TABLES:
        table = getattr(p, name)
        assert len(table) == 0 and not p.has(name) and name not in p.files
        assert list(table.columns) == contract()[name].names
        assert dict(table.dtypes.astype(str)) == {c: str(t) for c, t in
                                                   empty_table(name).dtypes.items()}
    assert str(p.ratings_history["score"].dtype) == "float64"
    assert str(p.training_records["passed"].dtype) == "bool"
    assert str(p.rotation_records["term_years"].dtype) == "int64"
    assert list(p.tables()) == ["territories", "positions", "staff", "workload"]
    assert "birth_date" not in p.staff.columns  # an optional column is not invented


def test_each_optional_table_is_read_typed_and_written_back(province_dir, tmp_path):
    (province_dir / "ratings_history.csv").write_text(RATINGS, encoding="utf-8")
    (province_dir / "training_records.csv").write_text(TRAINING, encoding="utf-8")
    (province_dir / "Rotation_Records.CSV").write_text(ROTATION, encoding="utf-8")
    p = load_province(province_dir)
    assert p.notes == []
    assert p.ratings_history["score"].tolist() == [82.5, 91.0, 64.0]
    assert p.ratings_history["quarter"].tolist() == [4, 1, 1]
    assert str(p.ratings_history["year"].dtype) == "int64"
    assert p.training_records["passed"].tolist() == [True, False]
    r = p.rotation_records
    assert r["outcome"].isna().tolist() == [False, True]  # blank: the term has not ended
    assert r.loc[0, "outcome"] == "return" and r["term_years"].tolist() == [3, 3]
    assert all(p.has(t) for t in OPTIONAL_TABLES)
    assert list(p.tables())[4:] == list(OPTIONAL_TABLES)
    assert p.files["rotation_records"].endswith("Rotation_Records.CSV")
    write_province(p, tmp_path / "copy")
    again = load_province(tmp_path / "copy")
    for name in OPTIONAL_TABLES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(p, name))


def test_header_only_optional_table_is_empty_with_a_note(province_dir):
    (province_dir / "training_records.csv").write_text("staff_id,course_id,year,passed\n")
    p = load_province(province_dir)
    assert len(p.training_records) == 0 and not p.has("training_records")
    assert [n.message for n in p.notes] == [
        "the optional training_records table has a header but no rows; read as empty"]


def test_an_unreadable_optional_file_is_still_an_error(province_dir):
    (province_dir / "ratings_history.xls").write_bytes(b"old excel")
    problem = only_problem(province_dir)
    assert problem.file.endswith("ratings_history.xls")
    assert problem.message == "the .xls format cannot be read"


# ---------------------------------------------------------------------------- bad cells, refs

@pytest.mark.parametrize(("table", "text", "row", "column", "message", "fix"), [
    ("ratings_history", RATINGS.replace("2026,1,91", "2026,5,91"), 3, "quarter",
     "'5' is not valid", "write a whole number ≥ 1 and ≤ 4"),
    ("ratings_history", RATINGS.replace("82.5", "120"), 2, "score", "'120' is not valid",
     "write a number ≥ 0 and ≤ 100"),
    ("training_records", TRAINING.replace("false", "maybe"), 3, "passed",
     "'maybe' is not valid", "write true or false (also 1/0, có/không)"),
    ("rotation_records", ROTATION.replace("return", "fired"), 2, "outcome",
     "'fired' is not valid", "write one of return, stay, promote"),
    ("rotation_records", ROTATION.replace(",3,return", ",0,return"), 2, "term_years",
     "'0' is not valid", "write a whole number ≥ 1 and ≤ 10"),
])
def test_a_bad_cell_is_named(province_dir, table, text, row, column, message, fix):
    (province_dir / f"{table}.csv").write_text(text)
    problem = only_problem(province_dir)
    assert problem.file == str(province_dir / f"{table}.csv")
    assert (problem.row, problem.column, problem.message, problem.fix) == (
        row, column, message, fix)


def test_a_repeated_key_is_named(province_dir):
    (province_dir / "ratings_history.csv").write_text(RATINGS + "SYN-000002,2026,1,70\n")
    problem = only_problem(province_dir)
    assert (problem.row, problem.column) == (5, "staff_id, year, quarter")
    assert problem.message == "duplicate ID 'SYN-000002, 2026, 1' (also on row 4)"


@pytest.mark.parametrize(("table", "text", "row", "column", "value", "target"), [
    ("ratings_history", RATINGS.replace("SYN-000002", "SYN-999999"), 4, "staff_id",
     "SYN-999999", "staff.staff_id"),
    ("training_records", TRAINING.replace("SYN-000003", "NOBODY"), 3, "staff_id", "NOBODY",
     "staff.staff_id"),
    ("rotation_records", ROTATION.replace("SYN-000004", "SYN-999999"), 3, "staff_id",
     "SYN-999999", "staff.staff_id"),
    ("rotation_records", ROTATION.replace("22333,2022", "99999,2022"), 2, "to_territory_id",
     "99999", "territories.territory_id"),
])
def test_a_dangling_reference_is_named(province_dir, table, text, row, column, value, target):
    (province_dir / f"{table}.csv").write_text(text)
    problem = only_problem(province_dir)
    assert (problem.row, problem.column) == (row, column)
    assert problem.message == f"'{value}' does not exist in {target}"


# ---------------------------------------------------------------------------- the reading code

def test_hr_export_quirks_apply_to_optional_tables(province_dir):
    """';'-separated with a decimal comma, a title above the header, Vietnamese headers, an ID
    typed in decomposed Unicode, a signature under the table: read as for the required
    tables."""
    staff = pd.read_csv(province_dir / "staff.csv", dtype=str, keep_default_na=False)
    staff.loc[0, "staff_id"] = "CB-Ngọc-01"
    staff.to_csv(province_dir / "staff.csv", index=False)
    nfd = unicodedata.normalize("NFD", "CB-Ngọc-01")
    (province_dir / "ratings_history.csv").write_text(
        "BẢNG ĐIỂM ĐÁNH GIÁ HẰNG QUÝ;;;\n"
        "Mã CBCC;Năm;Quý;Điểm đánh giá\n"
        f"{nfd};2026;1;87,5\n"
        "SYN-000002;2026;1;90\n"
        ";;;\n"
        "NGƯỜI LẬP BIỂU;;;\n", encoding="utf-8")
    p = load_province(province_dir)
    assert p.ratings_history["staff_id"].tolist() == ["CB-Ngọc-01", "SYN-000002"]
    assert p.ratings_history["score"].tolist() == [87.5, 90.0]
    notes = " | ".join(n.message for n in p.notes)
    assert "header found on row 2" in notes and "separated by ';'" in notes
    assert "decimal commas read" in notes and "NFC" in notes and "signatures" in notes


def test_optional_table_from_a_workbook_sheet(province_dir):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Hướng dẫn"
    book.active["A1"] = "Bảng ở trang sau"
    sheet = book.create_sheet("Luân chuyển")
    sheet.append(["Mã cán bộ", "Mã xã đi", "Mã xã đến", "Năm bắt đầu", "Thời hạn (năm)",
                  "Kết quả sau luân chuyển"])
    sheet.append(["SYN-000002", "22660", "22333", 2022.0, 3.0, "stay"])
    book.save(province_dir / "rotation_records.xlsx")
    p = load_province(province_dir)
    assert p.rotation_records.iloc[0].tolist() == ["SYN-000002", "22660", "22333", 2022, 3,
                                                   "stay"]
    assert any("sheet 'Luân chuyển'" in n.message for n in p.notes)


# ---------------------------------------------------------------------------- birth_date

def test_birth_dates_iso_day_first_and_blank(province_dir):
    staff = pd.read_csv(province_dir / "staff.csv", dtype=str, keep_default_na=False)
    years = staff["birth_year"].astype(int).tolist()
    add_birth_dates(province_dir, {0: f"{years[0]}-03-15", 1: f"05/11/{years[1]}",
                                   2: f"5.1.{years[2]}", 3: f"{years[3]}-07-01 00:00:00"})
    p = load_province(province_dir)
    born = p.staff["birth_date"]
    assert str(born.dtype) == "datetime64[ns]"
    assert [d.date() for d in born[:4]] == [dt.date(years[0], 3, 15), dt.date(years[1], 11, 5),
                                            dt.date(years[2], 1, 5), dt.date(years[3], 7, 1)]
    assert born[4:].isna().all()  # blank: unknown (birth year only, July by convention)


@pytest.mark.parametrize(("cell", "why"), [
    ("31/02/1994", " (no such day: day 31, month 2, year 1994)"),
    ("03/15/1994", " (no such day: day 3, month 15, year 1994)"),  # month first is not read
    ("March 1994", ""),
    ("1994", ""),
])
def test_a_bad_birth_date_is_named(province_dir, cell, why):
    add_birth_dates(province_dir, {0: cell})  # SYN-000001 was born in 1994
    problem = only_problem(province_dir)
    assert (problem.row, problem.column) == (2, "birth_date")
    assert problem.message == f"'{cell}' is not valid{why}"
    assert problem.fix == ("write a date as 1969-03-15 or 15/03/1969 (day first) from "
                           "1950-01-01 to 2010-12-31")


def test_birth_date_outside_the_birth_year_is_named(province_dir):
    add_birth_dates(province_dir, {0: "1993-12-31", 3: "15/03/1969"})
    staff = pd.read_csv(province_dir / "staff.csv", dtype=str, keep_default_na=False)
    found = problems(province_dir)
    assert [(p.row, p.column) for p in found] == [(2, "birth_date"), (5, "birth_date")]
    assert found[0].message == "1993-12-31 is not in the birth year 1994 (column birth_year)"
    assert found[1].message == (f"1969-03-15 is not in the birth year {staff.loc[3, 'birth_year']}"
                                " (column birth_year)")
    assert found[0].fix == ("correct birth_date or birth_year so that they agree, or leave "
                            "birth_date blank")


def test_province_from_frames_takes_optional_tables_and_dates():
    t = tiny_province()
    staff = t.staff.copy()
    staff["birth_date"] = [pd.Timestamp("1975-02-10"), pd.NaT, dt.date(1968, 12, 1), None,
                           "1980-06-30", ""]
    p = province_from_frames({**t.tables(), "staff": staff,
                              "ratings_history": pd.DataFrame({
                                  "staff_id": ["S1", "S2"], "year": [2026, 2026],
                                  "quarter": [1, 1], "score": [88.0, 93.5]})})
    assert p.staff["birth_date"].dt.month.fillna(0).astype(int).tolist() == [2, 0, 12, 0, 6, 0]
    assert p.has("ratings_history") and not p.has("training_records")
    assert "training_records" not in p.files
    with pytest.raises(DataValidationError) as info:
        province_from_frames({**t.tables(), "training_records": pd.DataFrame({
            "staff_id": ["S9"], "course_id": ["C1"], "year": [2026], "passed": [True]})})
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column) == (
        "training_records (tables)", 2, "staff_id")

"""`khcadre validate` on good and broken inputs: exit codes, one clear line per problem."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from khcadre_sim.cli import main
from khcadre_sim.errors import DataValidationError
from khcadre_sim.io import load_province


def run_validate(data: Path, capsys) -> tuple[int, list[str]]:
    code = main(["validate", "--data", str(data)])
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line]


def edit_csv(path: Path, fn) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(frame).to_csv(path, index=False)


def test_bundled_province_is_valid(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out  # Vietnamese by default, behind a stable "valid:" prefix
    assert out.startswith("valid: ") and "65 đơn vị hành chính" in out and "MÔ PHỎNG" in out
    assert main(["validate", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "65 territories" in out and "SYNTHETIC" in out


def test_missing_column(province_dir, capsys):
    edit_csv(province_dir / "staff.csv", lambda f: f.drop(columns=["gender"]))
    code, lines = run_validate(province_dir, capsys)
    assert code == 2
    assert lines == [f"error: {province_dir / 'staff.csv'}, row 1, column 'gender': required "
                     "column is missing — fix: add a column 'gender' (or Vietnamese header "
                     "'Giới tính'): F or M"]


def test_wrong_type_names_row_and_column(province_dir, capsys):
    def bad(f):
        f.loc[4, "birth_year"] = "nineteen-eighty"
        return f
    edit_csv(province_dir / "staff.csv", bad)
    code, lines = run_validate(province_dir, capsys)
    assert code == 2 and len(lines) == 1
    assert "staff.csv, row 6, column 'birth_year': 'nineteen-eighty' is not valid" in lines[0]
    assert "fix: write a whole number ≥ 1950 and ≤ 2010" in lines[0]


def test_out_of_range_score(province_dir, capsys):
    def bad(f):
        f.loc[0, "score_development"] = "130"
        return f
    edit_csv(province_dir / "staff.csv", bad)
    code, lines = run_validate(province_dir, capsys)
    assert code == 2 and "row 2, column 'score_development': '130' is not valid" in lines[0]


def test_duplicate_id(province_dir, capsys):
    path = province_dir / "positions.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    duplicate = frame.loc[3, "position_id"]
    pd.concat([frame, frame.iloc[[3]]]).to_csv(path, index=False)
    code, lines = run_validate(province_dir, capsys)
    assert code == 2
    assert lines[0].endswith(f"row {len(frame) + 2}, column 'position_id': duplicate ID "
                             f"'{duplicate}' (also on row 5) — fix: give every row its own ID "
                             "or remove the repeated row")


def test_dangling_references(province_dir, capsys):
    def bad_pos(f):
        f.loc[2, "territory_id"] = "99999"
        return f
    def bad_staff(f):
        f.loc[7, "position_id"] = "NO-SUCH-POST"
        return f
    edit_csv(province_dir / "positions.csv", bad_pos)
    edit_csv(province_dir / "staff.csv", bad_staff)
    code, lines = run_validate(province_dir, capsys)
    assert code == 2
    assert any("positions.csv, row 4, column 'territory_id': '99999' does not exist in "
               "territories.territory_id" in line for line in lines)
    assert any("staff.csv, row 9, column 'position_id': 'NO-SUCH-POST' does not exist"
               in line for line in lines)


def test_two_people_on_one_post(province_dir, capsys):
    def bad(f):
        held = f["position_id"] != ""
        first, second = f.index[held][:2]
        f.loc[second, "position_id"] = f.loc[first, "position_id"]
        return f
    edit_csv(province_dir / "staff.csv", bad)
    code, lines = run_validate(province_dir, capsys)
    assert code == 2 and any("is already held by another person" in line for line in lines)


def test_unknown_enum_value(province_dir, capsys):
    def bad(f):
        f.loc[0, "last_rating"] = "superb"
        f.loc[1, "fields"] = "land;astrology"
        return f
    edit_csv(province_dir / "staff.csv", bad)
    code, lines = run_validate(province_dir, capsys)
    assert code == 2
    assert any("column 'last_rating': 'superb' is not valid — fix: write one of excellent, "
               "good, completed, not_completed" in line for line in lines)
    assert any("row 3, column 'fields': 'land;astrology' is not valid" in line for line in lines)


def test_bom_file_is_accepted(province_dir, capsys):
    path = province_dir / "territories.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert run_validate(province_dir, capsys)[0] == 0
    province = load_province(province_dir)
    assert "Phường Bắc Nha Trang" in set(province.territories["name"])


def test_bom_file_with_a_bad_cell_names_the_right_row_and_column(province_dir, capsys):
    path = province_dir / "workload.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "annual_cases"] = "-5"
    path.write_bytes(b"\xef\xbb\xbf" + frame.to_csv(index=False).encode("utf-8"))
    code, lines = run_validate(province_dir, capsys)
    assert code == 2
    assert lines == [f"error: {path}, row 2, column 'annual_cases': '-5' is not valid — fix: "
                     "write a number ≥ 0 and ≤ 10 000 000"]


def test_not_utf8(province_dir, capsys):
    path = province_dir / "territories.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1258", errors="replace"))
    code, lines = run_validate(province_dir, capsys)
    assert code == 2 and "not UTF-8" in lines[0] and "CSV UTF-8" in lines[0]


def test_empty_file(province_dir, capsys):
    (province_dir / "workload.csv").write_bytes(b"")
    code, lines = run_validate(province_dir, capsys)
    assert code == 2
    assert lines == [f"error: {province_dir / 'workload.csv'}: the file is empty — fix: export "
                     "the table again with its header row"]


def test_header_only_file(province_dir, capsys):
    (province_dir / "workload.csv").write_text("territory_id,field,annual_cases\n")
    code, lines = run_validate(province_dir, capsys)
    assert code == 2 and "header but no rows" in lines[0]


def test_missing_table_file(province_dir, capsys):
    (province_dir / "positions.csv").unlink()
    code, lines = run_validate(province_dir, capsys)
    assert code == 2 and "positions.csv: table file not found" in lines[0]


def test_xlsx_with_vietnamese_headers(province_dir, capsys):
    staff = pd.read_csv(province_dir / "staff.csv", dtype=str, keep_default_na=False)
    vietnamese = {"staff_id": "Mã cán bộ", "position_id": "Vị trí hiện tại",
                  "home_territory_id": "Mã xã quê quán", "birth_year": "Năm sinh",
                  "gender": "Giới tính", "ethnic_minority": "Dân tộc thiểu số",
                  "fields": "Lĩnh vực chuyên môn", "education": "Trình độ",
                  "score_political": "Điểm chính trị", "score_execution": "Điểm thực thi",
                  "score_development": "Điểm phát triển", "planning_pool": "Quy hoạch",
                  "years_in_post": "Số năm giữ vị trí", "last_rating": "Xếp loại"}
    staff["Ghi chú"] = "cột thêm"  # an extra column is carried through
    (province_dir / "staff.csv").unlink()
    staff.rename(columns=vietnamese).to_excel(province_dir / "staff.xlsx", index=False)
    assert run_validate(province_dir, capsys)[0] == 0
    loaded = load_province(province_dir).staff
    assert list(loaded.columns[:14]) == list(vietnamese)
    assert (loaded["Ghi chú"] == "cột thêm").all()
    expected = load_province().staff
    pd.testing.assert_series_equal(loaded["score_political"], expected["score_political"])


def test_xlsx_with_bad_cell_names_the_row(province_dir, capsys):
    pos = pd.read_csv(province_dir / "positions.csv", dtype=str, keep_default_na=False)
    pos.loc[10, "is_manager"] = "maybe"
    (province_dir / "positions.csv").unlink()
    pos.to_excel(province_dir / "positions.xlsx", index=False)
    code, lines = run_validate(province_dir, capsys)
    assert code == 2
    assert any("positions.xlsx, row 12, column 'is_manager': 'maybe' is not valid" in line
               for line in lines)


def test_all_problems_reported_at_once(province_dir):
    def bad(f):
        f.loc[0, "gender"] = "X"
        f.loc[1, "education"] = ""
        return f
    edit_csv(province_dir / "staff.csv", bad)
    with pytest.raises(DataValidationError) as info:
        load_province(province_dir)
    columns = {p.column for p in info.value.problems}
    assert {"gender", "education"} <= columns


def test_command_line_prints_no_traceback_and_writes_nothing(province_dir, tmp_path):
    (province_dir / "staff.csv").write_text("staff_id\nA\n", encoding="utf-8")
    out = tmp_path / "results"
    proc = subprocess.run([sys.executable, "-m", "khcadre_sim.cli", "review", "--data",
                           str(province_dir), "--out", str(out)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "required column is missing" in proc.stderr
    assert not out.exists()
    assert not any(p.name.startswith(".results") for p in tmp_path.iterdir())

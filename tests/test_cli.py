"""The main job and the review command write a complete, consistent results folder."""

import json
from pathlib import Path

import pandas as pd

from khcadre_sim.cli import main


def test_review_writes_tables_and_summary(tmp_path: Path, capsys):
    out = tmp_path / "review"
    assert main(["review", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["reviewed_share"] == 1.0
    assert summary["synthetic_staff_data"] is True
    people = pd.read_csv(out / "review_people.csv")
    warnings = pd.read_csv(out / "review_warnings.csv")
    assert len(people) == summary["staff"]
    assert len(warnings) == summary["warnings"] == int((~people["meets_standard"]).sum())
    assert people["staff_id"].str.startswith("SYN-").all()  # pseudonymous IDs only
    assert "Đã rà soát" in capsys.readouterr().out  # Vietnamese by default


def test_run_writes_index_with_every_section(tmp_path: Path):
    out = tmp_path / "results"
    assert main(["run", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "review" in summary["sections"]
    for folder, section in summary["sections"].items():
        assert (out / folder / "summary.json").is_file()
        for name in section["files"]:
            assert (out / folder / name).is_file(), f"{folder}/{name} listed but not written"
            if not name.endswith(".png"):
                assert f'href="{folder}/{name}"' in index
    assert (out / "index.md").read_text(encoding="utf-8").startswith("# khcadre")
    # the planner's workbook of every capability, linked from the summary
    assert summary["workbooks"] == ["ke_hoach_can_bo.xlsx"]
    assert (out / "ke_hoach_can_bo.xlsx").is_file() and 'href="ke_hoach_can_bo.xlsx"' in index
    # every CSV starts with the UTF-8 byte-order mark, so Excel shows Vietnamese correctly
    csvs = list(out.rglob("*.csv"))
    assert len(csvs) >= 20
    assert all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in csvs)
    # a page per commune, in Vietnamese by default
    assert len(list((out / "communes").glob("*.html"))) == 65
    assert '<html lang="vi">' in index and "Tóm tắt" in index


def test_rerun_replaces_folder_atomically(tmp_path: Path):
    out = tmp_path / "r"
    assert main(["review", "--out", str(out)]) == 0
    (out / "review_people.csv").write_text("old", encoding="utf-8")
    assert main(["review", "--out", str(out)]) == 0
    assert (out / "review_people.csv").read_text(encoding="utf-8") != "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]


def test_bad_scenario_exits_2_and_keeps_old_results(tmp_path: Path, capsys):
    out = tmp_path / "r"
    assert main(["review", "--out", str(out)]) == 0
    before = (out / "summary.json").read_bytes()
    bad = tmp_path / "bad.toml"
    bad.write_text('[levers.review]\nmajor_gap_points = -3\n', encoding="utf-8")
    assert main(["review", "--scenario", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}, column 'levers.review.major_gap_points': -3 is out of range" in err
    assert (out / "summary.json").read_bytes() == before

"""``khcadre compare``: real small incentive and review runs, hand-built projection folders, and
the folders it must refuse (missing, made by a user, of different kinds) — one line, exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import projection_tables as pt  # tests/projection_tables.py
import pytest

from khcadre_sim.cli import main
from khcadre_sim.compare import compare, open_folders
from khcadre_sim.outputs import write_marker
from khcadre_sim.report import write_csv, write_json

BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    cap = root / "cap5.toml"
    cap.write_text('[meta]\nname = "cap5"\n[levers.incentives]\ncommune_cap_share = 0.05\n',
                   encoding="utf-8")
    strict = root / "strict.toml"
    strict.write_text('[meta]\nname = "strict"\n[levers.review]\nmajor_gap_points = 5\n',
                      encoding="utf-8")
    out = {}
    for name, args in {"inc_base": ["incentives", "--draws", "100"],
                       "inc_cap5": ["incentives", "--draws", "100", "--scenario", str(cap)],
                       "rev_base": ["review"],
                       "rev_strict": ["review", "--scenario", str(strict)]}.items():
        out[name] = root / name
        assert main([*args, "--out", str(out[name]), "--quiet"]) == 0
    return out


def _expected(folder: Path, measure: str) -> pd.Series:
    table = pd.read_csv(folder / "by_year.csv", encoding="utf-8-sig")
    part = table[(table["programme"] == "all") & (table["measure"] == measure)]
    return part.set_index("year")["expected"] / 1e9


def test_incentives_cost_year_by_year_with_bands(runs, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", str(runs["inc_base"]), str(runs["inc_cap5"]), "--out", str(out),
                 "--lang", "en", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "Net cost | bn VND | 2027 | province" in printed
    assert (out / "comparison.csv").read_bytes()[:3] == BOM
    table = pd.read_csv(out / "comparison.csv", encoding="utf-8-sig")
    net = table[table["measure"] == "net_cost"].set_index("year")
    assert list(net.index) == [2026, 2027, 2028, 2029, 2030]
    base, alt = _expected(runs["inc_base"], "net_cost"), _expected(runs["inc_cap5"], "net_cost")
    assert net["baseline"].to_numpy() == pytest.approx(base.to_numpy(), rel=1e-5)
    assert net["difference"].to_numpy() == pytest.approx((alt - base).to_numpy(), rel=1e-4)
    assert net[["baseline_p5", "baseline_p95", "p5", "p95"]].notna().all().all()
    assert (net["p5"] <= net["value"] + 1e-9).all() and (net["value"] <= net["p95"] + 1e-9).all()
    # halving the per-commune cap grants fewer places: a difference that can be read off both
    places = table[table["measure"] == "places_granted"].iloc[0]
    a = json.loads((runs["inc_base"] / "summary.json").read_text(encoding="utf-8"))
    b = json.loads((runs["inc_cap5"] / "summary.json").read_text(encoding="utf-8"))
    assert places["difference"] == b["places_granted"] - a["places_granted"] < 0
    page = (out / "comparison.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Baseline" in page
    assert "| Net cost |" in (out / "comparison.md").read_text(encoding="utf-8")
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["kind"] == "incentives"
    assert (out / ".khcadre-run.json").is_file()


def test_review_shares_in_percentage_points(runs):
    table = compare(open_folders([runs["rev_base"], runs["rev_strict"]]), "vi")
    rows = table.set_index("measure")
    a = json.loads((runs["rev_base"] / "summary.json").read_text(encoding="utf-8"))
    b = json.loads((runs["rev_strict"] / "summary.json").read_text(encoding="utf-8"))
    assert rows.loc["warnings", "difference"] == b["warnings"] - a["warnings"]
    assert rows.loc["meeting_share", "difference"] == pytest.approx(
        100 * (b["meeting_share"] - a["meeting_share"]))
    assert rows.loc["warnings", "measure_label"] == "Số người trong danh sách cảnh báo"


def _run_folder(root: Path, review: Path) -> Path:
    """A ``khcadre run`` folder holding one capability (review), assembled from a real run."""
    shutil.copytree(review, root / "review")
    (root / "review" / ".khcadre-run.json").unlink()
    summary = json.loads((review / "summary.json").read_text(encoding="utf-8"))
    write_json({"synthetic_staff_data": True, "sections": {"review": summary}},
               root / "summary.json")
    write_marker(root, "khcadre run --out x")
    return root


def test_run_folders_compare_section_by_section(runs, tmp_path):
    a = _run_folder(tmp_path / "a", runs["rev_base"])
    b = _run_folder(tmp_path / "b", runs["rev_strict"])
    table = compare(open_folders([a, b]), "en")
    assert set(table["section"]) == {"review"}
    assert table.set_index("measure").loc["major_warnings", "difference"] > 0


def _projection_folder(folder: Path, bands: pd.DataFrame) -> Path:
    folder.mkdir()
    write_csv(bands, folder / "bands.csv")
    write_json({**pt.meta()}, folder / "summary.json")
    write_marker(folder, "khcadre project --out x")
    return folder


def test_projection_bands_by_scenario_year_indicator(tmp_path, capsys):
    bands = pt.bands()
    more = bands.copy()
    more.loc[more["indicator"] == "reviewed_share", ["p5", "p50", "p95"]] -= 0.1
    a = _projection_folder(tmp_path / "a", bands)
    b = _projection_folder(tmp_path / "b", more)
    table = compare(open_folders([a, b]), "vi")
    assert len(table) == len(bands)
    reviewed = table[(table["measure"] == "reviewed_share")]
    assert reviewed["difference"].to_numpy() == pytest.approx(-10.0)  # percentage points
    vac = table[(table["measure"] == "vacancies") & (table["where"] == "area_class:mountain")]
    assert len(vac) == 10 and (vac["difference"] == 0).all()
    cost = table[(table["measure"] == "total_cost_vnd") & (table["year"] == 2028)
                 & (table["scenario"] == "incentive-heavy")].iloc[0]
    assert cost["baseline"] == pytest.approx(26.0) and cost["unit"] == "bn"
    assert main(["compare", str(a), str(b), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "training-first | Tỷ lệ được rà soát theo khung năng lực | % | 2027" in printed
    assert "mountain" not in printed  # the console shows the province; the CSV holds all


def _fails(args: list[str], capsys) -> str:
    assert main(["compare", *args, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    return err


def test_bad_folders_are_refused_in_one_line(runs, tmp_path, capsys):
    assert "no such folder" in _fails([str(runs["inc_base"]), str(tmp_path / "nope")], capsys)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "budget.xlsx").write_text("not khcadre's", encoding="utf-8")
    assert "was not written by khcadre" in _fails([str(runs["inc_base"]), str(mine)], capsys)
    err = _fails([str(runs["inc_base"]), str(runs["rev_base"])], capsys)
    assert "only folders of the same kind" in err
    assert "needs a baseline" in _fails([str(runs["inc_base"])], capsys)
    broken = tmp_path / "broken"
    shutil.copytree(runs["rev_base"], broken)
    (broken / "summary.json").write_text("{", encoding="utf-8")
    assert "no readable summary.json" in _fails([str(runs["rev_base"]), str(broken)], capsys)
    out = tmp_path / "cmp"
    assert main(["compare", str(runs["rev_base"]), str(runs["rev_strict"]), "--out", str(out),
                 "--quiet"]) == 0
    capsys.readouterr()
    assert "cannot be compared" in _fails([str(out), str(out)], capsys)
    inside = _fails([str(runs["rev_base"]), str(runs["rev_strict"]), "--out",
                     str(runs["rev_base"] / "cmp")], capsys)
    assert "inside the compared folder" in inside
    assert not (runs["rev_base"] / "cmp").exists()

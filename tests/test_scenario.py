"""Scenario files: merge overrides, reject typos and wrong types with file, key and valid form."""

import datetime as dt
from pathlib import Path

import pytest

from khcadre_sim.errors import ScenarioError
from khcadre_sim.paths import DEFAULT_SCENARIO
from khcadre_sim.scenario import load_scenario


def write(tmp_path: Path, text: str, name: str = "override.toml") -> Path:
    path = tmp_path / name
    path.write_text(f'extends = "{DEFAULT_SCENARIO}"\n' + text, encoding="utf-8")
    return path


def test_base_loads_with_sections_apart():
    s = load_scenario()
    assert s.name == "base" and s.seed == 2026
    assert "review" in s.levers
    assert s.constants["reference_year"] == 2026


def test_override_merges_onto_base(tmp_path):
    path = write(tmp_path, "[meta]\nname = \"strict\"\n[levers.review]\nmajor_gap_points = 5\n")
    s = load_scenario(path)
    assert s.name == "strict"
    assert s.levers["review"]["major_gap_points"] == 5
    # untouched keys come from the base
    assert s.levers["review"]["priority_uplift_development"] == 5.0
    assert s.origin("levers.review.major_gap_points") == str(path)
    assert s.origin("levers.review.priority_uplift_development") == str(DEFAULT_SCENARIO)


def test_unknown_key_names_file_key_and_valid_keys(tmp_path):
    path = write(tmp_path, "[levers.review]\nmajor_gap_point = 5\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert problem.column == "levers.review.major_gap_point"
    assert problem.message == "unknown key"
    assert "major_gap_points" in problem.fix


def test_wrong_type(tmp_path):
    path = write(tmp_path, "[levers.review]\nmajor_gap_points = \"ten\"\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "'ten' is not a number" in str(info.value)
    assert "major_gap_points = 10.0" in str(info.value)


def test_out_of_range_weights(tmp_path):
    path = write(tmp_path, "[levers.review.group_weights]\nurban = [0.5, 0.5, 0.5]\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems[0].column == "levers.review.group_weights.urban"
    assert "summing to 1" in info.value.problems[0].fix


def test_bad_toml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[levers\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        load_scenario(bad)
    with pytest.raises(ScenarioError, match="scenario file not found"):
        load_scenario(tmp_path / "nope.toml")


def test_extends_loop(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="loop"):
        load_scenario(tmp_path / "a.toml")


def test_dated_parameter_override(tmp_path):
    path = write(tmp_path, """
[constants.parameters.base_salary]
unit = "VND/month"
values = [
  { from = 2024-07-01, value = 2340000, source = "Decree 73/2024/NĐ-CP" },
  { from = 2027-01-01, value = 2700000, source = "hypothetical reform (scenario)" },
]
""")
    s = load_scenario(path)
    assert s.params.value("base_salary", dt.date(2026, 12, 31)) == 2_340_000
    assert s.params.value("base_salary", dt.date(2027, 1, 1)) == 2_700_000


def test_parameter_override_needs_source(tmp_path):
    path = write(tmp_path, """
[constants.parameters.base_salary]
values = [ { from = 2024-07-01, value = 2340000 } ]
""")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems[0].column == "base_salary.values[0].source"


def test_file_without_extends_overrides_the_bundled_base(tmp_path):
    path = tmp_path / "plain.toml"
    path.write_text("[levers.review]\nmajor_gap_points = 7\n", encoding="utf-8")
    s = load_scenario(path)
    assert s.levers["review"]["major_gap_points"] == 7
    assert s.levers["review"]["unplaced_requirement"] == [60.0, 55.0, 50.0]
    assert s.files == [str(DEFAULT_SCENARIO.resolve()), str(path.resolve())]


@pytest.mark.parametrize("line", [
    "[levers.placement.weights]\nfill = nan",
    "[uncertainties.incentives]\ntransfer_monthly = inf",
    "[levers.workload]\ntarget_load = -inf",
    "[levers.review]\nunplaced_requirement = [60.0, nan, 50.0]",
])
def test_nan_and_inf_are_rejected_anywhere(tmp_path, line):
    path = tmp_path / "bad.toml"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="is not a finite number") as info:
        load_scenario(path)
    assert info.value.problems[0].file == str(path)


@pytest.mark.parametrize(("body", "message"), [
    ("value = -2530000", "out of range for base_salary"),
    ("value = nan", "is not a number"),
])
def test_parameter_override_keeps_the_parameters_bounds(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text("[constants.parameters.base_salary]\nvalues = [ { from = 2026-07-01, "
                    + body + ', source = "test" } ]\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)

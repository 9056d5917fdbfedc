"""Workload: WISN load, rebalancing optimum on hand-computable cases, feasibility, bad inputs."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from khcadre_sim.errors import DataValidationError, ModelError, ScenarioError
from khcadre_sim.workload import (
    RebalanceSettings,
    WorkloadSettings,
    add_arguments,
    analyse_workload,
    measure_load,
    read_standards,
    rebalance,
    required_fte,
    write_outputs,
)
from khcadre_sim.workload.standards import available_minutes

OVER, UNDER = 1.2, 0.8
MIN = pd.Series({"land": 100.0, "agriculture": 100.0, "justice": 100.0, "it_digital": 100.0})


def tiny(cases: dict[str, float], people: list[tuple[str, str, str]], commune: str = "C"):
    """People as (staff_id, post field, ';'-qualified fields); 100 min/case, 10,000 min/year."""
    positions = pd.DataFrame({"position_id": [f"P{p}" for p, _, _ in people],
                              "territory_id": commune, "office": "economy",
                              "field": [f for _, f, _ in people]})
    staff = pd.DataFrame({"staff_id": [p for p, _, _ in people],
                          "position_id": [f"P{p}" for p, _, _ in people],
                          "fields": [q for _, _, q in people],
                          "score_political": 70.0, "score_execution": 70.0,
                          "score_development": 70.0})
    workload = pd.DataFrame({"territory_id": commune, "field": list(cases),
                             "annual_cases": list(cases.values())})
    req = required_fte(workload, MIN, 10_000.0)
    return staff, positions, req


def two_by_two():
    # A holds the land post and can also do agriculture; B does agriculture only.
    # Required: land 1.2 FTE, agriculture 0.6 FTE.
    return tiny({"land": 120, "agriculture": 60},
                [("A", "land", "land;agriculture"), ("B", "agriculture", "agriculture")])


def test_required_fte_is_cases_times_minutes_over_available_time():
    _, _, req = two_by_two()
    assert req.set_index("field")["required_fte"].to_dict() == pytest.approx(
        {"land": 1.2, "agriculture": 0.6})


def test_default_time_share_rule_and_person_load_by_hand():
    staff, positions, req = two_by_two()
    st = measure_load(staff, positions, req, s_main=0.6, over=OVER, under=UNDER)
    # A: 0.6 land, 0.4 agriculture; B: 1.0 agriculture → land 1.2/0.6 = 2, agri 0.6/1.4 = 3/7.
    cf = st.commune_field.set_index("field")
    assert cf.loc["land", "load_ratio"] == pytest.approx(2.0)
    assert cf.loc["agriculture", "load_ratio"] == pytest.approx(3 / 7)
    load = st.people.set_index("staff_id")["load_ratio"]
    assert load["A"] == pytest.approx(0.6 * 2 + 0.4 * 3 / 7)  # 48/35
    assert load["B"] == pytest.approx(3 / 7)
    assert st.people.set_index("staff_id")["status"].to_dict() == {"A": "over", "B": "under"}
    # every field's work is carried in full
    assert st.portfolio.groupby("field")["work_fte"].sum().to_dict() == pytest.approx(
        {"land": 1.2, "agriculture": 0.6})


def test_two_people_two_fields_known_optimum():
    staff, positions, req = two_by_two()
    st = measure_load(staff, positions, req, s_main=0.6, over=OVER, under=UNDER)
    res = rebalance(st, req, RebalanceSettings(), over=OVER, under=UNDER)
    # Only A can do land (1.2 FTE), so the best peak is 1.2; B takes all agriculture (0.6).
    assert res.peak.status == "optimal" and res.excess.status == "optimal"
    assert res.peak.objective == pytest.approx(1.2, abs=1e-6)
    assert res.peak.gap == pytest.approx(0.0, abs=1e-9)
    load = res.after.people.set_index("staff_id")["load_ratio"]
    assert load["A"] == pytest.approx(1.2, abs=1e-5)
    assert load["B"] == pytest.approx(0.6, abs=1e-5)
    # what stays above target 1.0 is 0.2 FTE of land: a recruitment need
    sh = res.shortage.set_index("field")["shortage_fte"]
    assert sh.to_dict() == pytest.approx({"land": 0.2}, abs=1e-4)
    assert res.after.mean == pytest.approx(res.before.mean)  # work is conserved


def test_cap_on_changed_portfolios_binds():
    staff, positions, req = two_by_two()
    st = measure_load(staff, positions, req, s_main=0.6, over=OVER, under=UNDER)
    # Changing A alone cannot help (B still holds 3/7 of agriculture, A must do the rest);
    # changing B alone cannot either: with a cap of 1 the best peak stays 48/35.
    one = rebalance(st, req, RebalanceSettings(max_changed_per_commune=1), over=OVER,
                    under=UNDER)
    assert one.peak.status == "optimal"
    assert one.after.peak == pytest.approx(48 / 35, abs=1e-5)
    assert one.n_changed <= 1
    two = rebalance(st, req, RebalanceSettings(max_changed_per_commune=2), over=OVER,
                    under=UNDER)
    assert two.after.peak == pytest.approx(1.2, abs=1e-5)
    assert two.n_changed == 2


def test_three_people_equalise_when_qualifications_allow():
    staff, positions, req = tiny(
        {"land": 150, "justice": 60},
        [("A", "land", "land;justice"), ("B", "justice", "justice;land"),
         ("C", "justice", "justice")])
    st = measure_load(staff, positions, req, s_main=0.6, over=OVER, under=UNDER)
    res = rebalance(st, req, RebalanceSettings(), over=OVER, under=UNDER)
    # Only A and B can do land (1.5 FTE), so the peak is at least 0.75: A and B carry land,
    # C carries all justice (0.6). This optimum is unique.
    load = res.after.people.set_index("staff_id")["load_ratio"]
    assert load[["A", "B", "C"]].to_numpy() == pytest.approx([0.75, 0.75, 0.6], abs=1e-5)
    assert res.peak.objective == pytest.approx(0.75, abs=1e-6)
    assert res.shortage.empty


def test_uncovered_field_is_shortage_not_load():
    staff, positions, req = tiny({"land": 50, "it_digital": 80},
                                 [("A", "land", "land")])
    st = measure_load(staff, positions, req, s_main=0.6, over=OVER, under=UNDER)
    cf = st.commune_field.set_index("field")
    assert cf.loc["it_digital", "status"] == "uncovered"
    assert st.uncovered_fte == pytest.approx(0.8)
    res = rebalance(st, req, RebalanceSettings(), over=OVER, under=UNDER)
    sh = res.shortage.set_index("field")
    assert sh.loc["it_digital", "reason"] == "uncovered"
    assert sh.loc["it_digital", "shortage_fte"] == pytest.approx(0.8)


def test_time_share_override_and_its_errors():
    staff, positions, req = two_by_two()
    shares = pd.DataFrame({"staff_id": ["A", "A"], "field": ["land", "agriculture"],
                           "share": [1.0, 0.0]})
    st = measure_load(staff, positions, req, s_main=0.6, over=OVER, under=UNDER,
                      time_shares=shares)
    assert st.commune_field.set_index("field").loc["land", "load_ratio"] == pytest.approx(1.2)
    bad = shares.assign(share=[0.7, 0.1])
    with pytest.raises(DataValidationError, match="sum to 0.8000"):
        measure_load(staff, positions, req, s_main=0.6, over=OVER, under=UNDER,
                     time_shares=bad)
    unq = pd.DataFrame({"staff_id": ["B"], "field": ["land"], "share": [1.0]})
    with pytest.raises(DataValidationError, match="not qualified for 'land'"):
        measure_load(staff, positions, req, s_main=0.6, over=OVER, under=UNDER,
                     time_shares=unq)


def test_bad_inputs_give_clear_errors():
    wl = pd.DataFrame({"territory_id": ["C", "C"], "field": ["land", "security"],
                       "annual_cases": [-5, 10]})
    with pytest.raises(DataValidationError) as err:
        required_fte(wl, MIN, 10_000.0, workload_file="workload.csv")
    text = str(err.value)
    assert "workload.csv, row 2, column 'annual_cases'" in text
    assert "no standard minutes per case for field 'security'" in text
    staff, positions, req = two_by_two()
    with pytest.raises(DataValidationError, match="underload"):
        measure_load(staff, positions, req, s_main=0.6, over=0.8, under=1.2)
    with pytest.raises(DataValidationError, match="s_main"):
        measure_load(staff, positions, req, s_main=1.5, over=OVER, under=UNDER)
    st = measure_load(staff, positions, req, s_main=0.6, over=OVER, under=UNDER)
    with pytest.raises(ModelError, match="target load"):
        rebalance(st, req, RebalanceSettings(target_load=0), over=OVER, under=UNDER)


def test_standards_file_errors(tmp_path):
    path = tmp_path / "std.csv"
    path.write_text("field,minutes_per_case,from,source,assumption\n"
                    "land,abc,2025-07-01,x,true\nhr,30,2025-13-01,,maybe\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        read_standards(path)
    text = str(err.value)
    assert "row 2, column 'minutes_per_case'" in text
    assert "row 3, column 'from'" in text and "row 3, column 'source'" in text
    assert "row 3, column 'assumption'" in text


def test_bundled_standards_are_dated_and_sourced():
    std = read_standards()
    assert {"field", "minutes_per_case", "from", "source", "assumption"} <= set(std.columns)
    assert (std["minutes_per_case"] > 0).all() and std["source"].str.len().gt(0).all()


def test_scenario_settings_and_bad_thresholds(tmp_path):
    from khcadre_sim.paths import DEFAULT_SCENARIO
    from khcadre_sim.scenario import load_scenario

    sc = load_scenario()
    s = WorkloadSettings.from_scenario(sc)
    assert s.underload_threshold < s.overload_threshold
    minutes = available_minutes(sc.params, s.reference_date)
    assert minutes == pytest.approx(232 * 8 * 60 * 0.70)
    bad = tmp_path / "bad.toml"
    bad.write_text(f'extends = "{DEFAULT_SCENARIO}"\n[constants.workload]\n'
                   "overload_threshold = 0.7\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        WorkloadSettings.from_scenario(load_scenario(bad))
    assert "underload threshold 0.8 is not below the overload threshold 0.7" in str(err.value)


@pytest.fixture(scope="module")
def small_province():
    """The bundled province cut to six communes (keeps the test fast)."""
    from khcadre_sim.io import load_province

    prov = load_province()
    ids = sorted(prov.territories["territory_id"])[:6]
    pos = prov.positions[prov.positions["territory_id"].isin(ids)]
    return dataclasses.replace(
        prov, positions=pos, workload=prov.workload[prov.workload["territory_id"].isin(ids)],
        staff=prov.staff[prov.staff["position_id"].isin(set(pos["position_id"]))
                         | prov.staff["position_id"].isna()])


def _check_feasible(result, cap: int | None):
    before, reb = result.before, result.rebalanced
    after = reb.after
    # qualifications: every unit of work after is carried by someone eligible for it
    elig = set(map(tuple, before.eligible[["staff_id", "territory_id", "field"]].to_numpy()))
    worked = after.portfolio[after.portfolio["work_fte"] > 1e-9]
    assert all((p, c, f) in elig for p, c, f in worked[["staff_id", "territory_id",
                                                        "field"]].to_numpy())
    # every covered field's work is carried in full
    got = worked.groupby(["territory_id", "field"])["work_fte"].sum()
    cf = before.commune_field.set_index(["territory_id", "field"])
    covered = cf[cf["status"].isin(["over", "ok", "under"])]["required_fte"]
    assert got.reindex(covered.index).to_numpy() == pytest.approx(covered.to_numpy(), rel=1e-5)
    # time shares of each person sum to 1
    assert after.portfolio.groupby("staff_id")["time_share"].sum().to_numpy() == pytest.approx(
        1.0, abs=1e-6)
    # the cap on changed portfolios per commune
    if cap is not None:
        per = reb.changes.drop_duplicates("staff_id").groupby("territory_id").size()
        assert (per <= cap).all()
    # no commune's peak gets worse; total work is conserved
    pc = reb.per_commune
    assert (pc["peak_after"] <= pc["peak_before"] + 1e-6).all()
    assert after.people["load_ratio"].sum() == pytest.approx(before.people["load_ratio"].sum())


@pytest.mark.parametrize("cap", [None, 3])
def test_bundled_communes_feasible_and_proven(small_province, cap):
    from khcadre_sim.scenario import load_scenario

    sc = load_scenario()
    s = WorkloadSettings.from_scenario(sc)
    s = dataclasses.replace(s, rebalance=dataclasses.replace(
        s.rebalance, max_changed_per_commune=cap))
    res = analyse_workload(small_province, sc.params, s, standards=read_standards())
    assert res.rebalanced.peak.status == "optimal"
    assert res.rebalanced.excess.status == "optimal"
    assert res.rebalanced.n_blocks == 6
    assert res.after.peak <= res.before.peak + 1e-9
    _check_feasible(res, cap)


def test_moves_between_nearby_communes(small_province):
    from khcadre_sim.scenario import load_scenario

    sc = load_scenario()
    s = WorkloadSettings.from_scenario(sc)
    s = dataclasses.replace(s, rebalance=dataclasses.replace(
        s.rebalance, max_changed_per_commune=None, max_arrivals_per_commune=1, max_move_km=40.0))
    res = analyse_workload(small_province, sc.params, s, standards=read_standards())
    reb = res.rebalanced
    assert reb.peak.is_ok and reb.excess.is_ok
    assert (reb.moves.groupby("to_territory_id").size() <= 1).all()
    # a mover carries only fields they are qualified for, in the commune they moved to
    qual = res.before.people.set_index("staff_id")["qualified_fields"].str.split(";")
    after = reb.after.portfolio
    for p, dest in reb.moves[["staff_id", "to_territory_id"]].to_numpy():
        mine = after[(after["staff_id"] == p) & (after["work_fte"] > 1e-9)]
        assert set(mine["territory_id"]) <= {dest}
        assert set(mine["field"]) <= set(qual[p])
    assert (reb.moves["distance_km"] <= 40.0).all()
    base = analyse_workload(small_province, sc.params, dataclasses.replace(
        s, rebalance=dataclasses.replace(s.rebalance, max_arrivals_per_commune=0)),
        standards=read_standards())
    # allowing moves can only lower the sum of commune peaks (stage-1 objective)
    assert reb.peak.objective <= base.rebalanced.peak.objective + 1e-6


def test_write_outputs(small_province, tmp_path):
    from khcadre_sim.scenario import load_scenario

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    out = write_outputs(small_province, load_scenario(), tmp_path, parser.parse_args([]))
    for name in ("load_by_person.csv", "load_by_commune_field.csv", "rebalance_moves.csv",
                 "summary.json"):
        assert (tmp_path / name).is_file()
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["after"]["peak_load_ratio"] <= summary["before"]["peak_load_ratio"]
    assert summary["solve_peak"]["status"] == "optimal"
    assert out["headline"] and all(isinstance(h, str) for h in out["headline"])
    people = pd.read_csv(tmp_path / "load_by_person.csv")
    assert np.isclose(people["load_ratio_after"].max(), summary["after"]["peak_load_ratio"],
                      atol=1e-4)
    assert dt.date.fromisoformat(summary["settings"]["reference_date"])


def test_cli_reports_bad_input_without_writing(tmp_path, capsys):
    from khcadre_sim.cli import main

    shares = tmp_path / "shares.csv"
    shares.write_text("staff_id,field,share\nNOBODY,land,1.0\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["workload", "--time-shares", str(shares), "--no-rebalance",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "row 2, column 'staff_id'" in err and "'NOBODY' is not a placed staff member" in err
    assert not out.exists()  # nothing written on failure
    std = tmp_path / "std.csv"
    std.write_text("field,minutes_per_case,from,source,assumption\n"
                   "land,240,2025-07-01,assumed,true\n", encoding="utf-8")
    assert main(["workload", "--standards", str(std), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no standard minutes per case for field" in err and "fix: add a row" in err
    assert not out.exists()

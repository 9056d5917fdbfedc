"""Workload: WISN load, rebalancing optimum on hand-computable cases, feasibility, bad inputs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from khcadre_sim import examples, keys
from khcadre_sim.errors import DataValidationError, ModelError, ScenarioError
from khcadre_sim.io import Province, load_province, province_from_frames
from khcadre_sim.report import write_result
from khcadre_sim.scenario import Scenario, load_scenario
from khcadre_sim.workload import (
    RebalanceSettings,
    WorkloadSettings,
    measure_load,
    read_standards,
    rebalance,
    required_fte,
    run,
)
from khcadre_sim.workload.standards import available_minutes

OVER, UNDER = 1.2, 0.8
MIN = pd.Series({"land": 100.0, "agriculture": 100.0, "justice": 100.0, "it_digital": 100.0})


def hand_province(cases: dict[str, float], people: list[tuple[str, str, str]],
                  commune: str = "C") -> Province:
    """One commune with annual ``cases`` per field and ``people`` as (staff_id, post field,
    ';'-qualified fields), each holding a post of their own; validated like a file."""
    ids = [p for p, _, _ in people]
    territories = pd.DataFrame({
        "territory_id": [commune], "name": [f"Xã {commune}"], "unit_type": ["xa"],
        "area_class": ["rural"], "area_km2": [50.0], "population": [20_000], "lat": [12.3],
        "lon": [109.1], "hard_area": [False]})
    positions = pd.DataFrame({
        "position_id": [f"P{p}" for p in ids], "territory_id": commune, "office": "economy",
        "title": "Chuyên viên", "field": [f for _, f, _ in people], "is_manager": False,
        "is_key_post": False, "req_political": 50.0, "req_execution": 50.0,
        "req_development": 50.0})
    staff = pd.DataFrame({
        "staff_id": ids, "position_id": [f"P{p}" for p in ids], "home_territory_id": commune,
        "birth_year": 1990, "gender": "F", "ethnic_minority": False,
        "fields": [q for _, _, q in people], "education": "bachelor",
        "score_political": 70.0, "score_execution": 70.0, "score_development": 70.0,
        "planning_pool": False, "years_in_post": 1.0, "last_rating": "good"})
    workload = pd.DataFrame({"territory_id": commune, "field": list(cases),
                             "annual_cases": list(cases.values())})
    return province_from_frames({"territories": territories, "positions": positions,
                                 "staff": staff, "workload": workload}, source="hand example")


def tiny(cases: dict[str, float], people: list[tuple[str, str, str]], commune: str = "C"):
    """Staff, posts and required FTE of :func:`hand_province`; 100 min/case, 10,000 min/year."""
    prov = hand_province(cases, people, commune)
    return prov.staff, prov.positions, required_fte(prov.workload, MIN, 10_000.0)


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
    # Today: land 1.5 FTE on 1.0 FTE of time (ratio 1.5), justice 0.6 on 2.0 (ratio 0.3), so
    # A = 0.6·1.5 + 0.4·0.3 = 1.02, B = 0.4·1.5 + 0.6·0.3 = 0.78, C = 0.3.
    load0 = st.people.set_index("staff_id")["load_ratio"]
    assert load0[["A", "B", "C"]].to_numpy() == pytest.approx([1.02, 0.78, 0.3])
    # With a target of 0.5 the peak is worth lowering as far as it goes: only A and B can do
    # land (1.5 FTE), so the peak is at least 0.75; A and B carry land, C all justice (0.6).
    # This optimum is unique.
    res = rebalance(st, req, RebalanceSettings(target_load=0.5), over=OVER, under=UNDER)
    load = res.after.people.set_index("staff_id")["load_ratio"]
    assert load[["A", "B", "C"]].to_numpy() == pytest.approx([0.75, 0.75, 0.6], abs=1e-5)
    assert res.peak.objective == pytest.approx(0.75, abs=1e-6)
    # With the target 1.0 only A's 0.02 above it is a reason to change: A hands 0.02 FTE to
    # one other person, and nothing else moves (a peak below the target is not pursued).
    res = rebalance(st, req, RebalanceSettings(), over=OVER, under=UNDER)
    load = res.after.people.set_index("staff_id")["load_ratio"]
    assert res.peak.objective == pytest.approx(1.0, abs=1e-6)
    assert load["A"] == pytest.approx(1.0, abs=1e-6)
    assert load.sum() == pytest.approx(load0.sum())
    assert res.n_changed == 2
    moved = (res.changes["work_fte_after"] - res.changes["work_fte_before"]).abs().sum()
    assert moved == pytest.approx(0.04, abs=1e-6)  # 0.02 given + 0.02 taken
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


def test_scenario_settings_and_bad_thresholds():
    sc = load_scenario()
    s = WorkloadSettings.from_scenario(sc)
    assert s.underload_threshold < s.overload_threshold
    minutes = available_minutes(sc.params, s.reference_date)
    assert minutes == pytest.approx(232 * 8 * 60 * 0.70)
    bad = sc.with_overrides({"constants.workload.overload_threshold": 0.7})
    with pytest.raises(ScenarioError) as err:
        WorkloadSettings.from_scenario(bad)
    assert "underload threshold 0.8 is not below the overload threshold 0.7" in str(err.value)


@pytest.fixture(scope="module")
def small_province():
    """Six real communes with synthetic staff (keeps the test fast)."""
    return examples.small_province(6)


def _communes(prov: Province, ids: list[str]) -> Province:
    """``prov`` cut to the communes ``ids`` and the people placed there."""
    pos = prov.positions[prov.positions["territory_id"].isin(ids)]
    return dataclasses.replace(
        prov, territories=prov.territories[prov.territories["territory_id"].isin(ids)],
        positions=pos, workload=prov.workload[prov.workload["territory_id"].isin(ids)],
        staff=prov.staff[prov.staff["position_id"].isin(set(pos["position_id"]))])


def _scenario(**workload) -> Scenario:
    """The base scenario with keys of ``[*.workload]`` changed by their TOML names (``cap``
    for max_changed_per_commune, where None stands for -1: no cap)."""
    if "cap" in workload:
        cap = workload.pop("cap")
        workload["max_changed_per_commune"] = -1 if cap is None else cap
    declared = keys.keys()
    return examples.scenario("base", {
        next(f"{sec}.workload.{k}" for sec in ("levers", "uncertainties", "constants")
             if f"{sec}.workload.{k}" in declared): v for k, v in workload.items()})


def _check_feasible(result):
    cap = result.settings.rebalance.max_changed_per_commune
    before, reb = result.before, result.rebalanced
    after = reb.after
    # qualifications: every unit of work after is carried by someone eligible for it (a mover
    # in the commune they moved to, in a field they are qualified for)
    elig = set(map(tuple, before.eligible[["staff_id", "territory_id", "field"]].to_numpy()))
    qual = before.people.set_index("staff_id")["qualified_fields"].str.split(";")
    dest = dict(zip(reb.moves["staff_id"], reb.moves["to_territory_id"], strict=True))
    worked = after.portfolio[after.portfolio["work_fte"] > 1e-9]
    assert all((p, c, f) in elig or (dest.get(p) == c and f in qual[p])
               for p, c, f in worked[["staff_id", "territory_id", "field"]].to_numpy())
    # every covered field's work is carried in full
    got = worked.groupby(["territory_id", "field"])["work_fte"].sum()
    cf = before.commune_field.set_index(["territory_id", "field"])
    covered = cf[cf["status"].isin(["over", "ok", "under"])]["required_fte"]
    assert got.reindex(covered.index).to_numpy() == pytest.approx(covered.to_numpy(), rel=1e-5)
    # time shares of each person sum to 1
    assert after.portfolio.groupby("staff_id")["time_share"].sum().to_numpy() == pytest.approx(
        1.0, abs=1e-6)
    # the cap on changed portfolios per commune (a mover counts in their home commune)
    if cap is not None:
        home = before.people.set_index("staff_id")["territory_id"]
        per = reb.changes.drop_duplicates("staff_id")["staff_id"].map(home).value_counts()
        assert (per <= cap).all()
    # no commune's peak gets worse; total work is conserved
    pc = reb.per_commune
    assert (pc["peak_after"] <= pc["peak_before"] + 1e-6).all()
    assert after.people["load_ratio"].sum() == pytest.approx(before.people["load_ratio"].sum())


@pytest.mark.parametrize("cap", [None, 3])
def test_bundled_communes_feasible_and_proven(small_province, cap):
    res = run(small_province, _scenario(cap=cap))
    assert res.rebalanced.peak.status == "optimal"
    assert res.rebalanced.excess.status == "optimal"
    assert res.rebalanced.n_blocks == 6
    assert res.after.peak <= res.before.peak + 1e-9
    _check_feasible(res)


@pytest.mark.parametrize("cap", [None])
def test_moves_between_nearby_communes(small_province, cap):
    moves = {"max_arrivals_per_commune": 1, "max_move_km": 40.0}
    res = run(small_province, _scenario(cap=cap, **moves))
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
    base = run(small_province, _scenario(cap=cap, **{**moves, "max_arrivals_per_commune": 0}))
    # allowing moves can only lower the sum of commune peaks (stage-1 objective)
    assert reb.peak.objective <= base.rebalanced.peak.objective + 1e-6
    _check_feasible(res)


def test_moves_with_the_cap():
    # Two communes of the bundled province 6 km apart: with a cap the linked block is one MILP
    # (a mover counts as a changed portfolio of their home commune). Larger linked blocks grow
    # fast: documented.
    prov = _communes(load_province(), ["22411", "22420"])
    res = run(prov, _scenario(cap=5, max_arrivals_per_commune=1, max_move_km=10.0))
    reb = res.rebalanced
    assert reb.n_blocks == 1 and len(reb.moves) >= 1
    assert reb.peak.status == "optimal" and reb.excess.status == "optimal"
    _check_feasible(res)


def test_write_outputs(small_province, tmp_path):
    out = write_result(run(small_province, load_scenario()), tmp_path)
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


# ---------------------------------------------------------------- defaults, limits, exactness


def test_dataclass_defaults_are_the_base_scenario():
    sc = load_scenario()
    assert WorkloadSettings() == WorkloadSettings.from_scenario(sc)
    assert RebalanceSettings() == RebalanceSettings.from_scenario(sc)
    assert RebalanceSettings().max_changed_per_commune == 5 and RebalanceSettings().seed == 2026


def test_minus_one_means_no_cap_and_whole_numbers_are_floats():
    s = WorkloadSettings.from_scenario(_scenario(cap=None, load_ceiling=2))
    assert s.rebalance.max_changed_per_commune is None  # -1 in the scenario
    assert s.rebalance.changed_cap(40) is None
    assert RebalanceSettings(max_changed_per_commune=-1) == RebalanceSettings(
        max_changed_per_commune=None)
    assert RebalanceSettings().changed_cap(3) == 3 and RebalanceSettings().changed_cap(38) == 5
    assert isinstance(s.rebalance.load_ceiling, float) and s.rebalance.load_ceiling == 2.0


def test_settings_built_in_code_are_checked_against_the_key_table():
    staff, positions, req = two_by_two()
    st = measure_load(staff, positions, req, s_main=0.6, over=OVER, under=UNDER)
    with pytest.raises(ModelError) as err:
        rebalance(st, req, RebalanceSettings(max_field_share=1.5, max_changed_per_commune=-2,
                                             solver="glpk"), over=OVER, under=UNDER)
    text = str(err.value)
    for key in ("levers.workload.max_field_share", "levers.workload.max_changed_per_commune",
                "constants.workload.solver"):
        assert f"column '{key}'" in text
    assert "max field share 1.5 is out of range" in text and "≤ 1" in text


def test_settings_keep_the_toml_names_and_defaults():
    """The code defaults are base.toml's values (None ⇔ -1), under the TOML key names."""
    import tomllib

    from khcadre_sim.paths import DEFAULT_SCENARIO

    sc = load_scenario()
    from_toml = WorkloadSettings.from_scenario(sc)
    code = WorkloadSettings()
    assert from_toml == code
    base = tomllib.loads(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    names = ({f.name for f in dataclasses.fields(WorkloadSettings)}
             | {f.name for f in dataclasses.fields(RebalanceSettings)})
    for section in ("levers", "uncertainties", "constants"):
        keys = set(base[section]["workload"])
        assert keys <= names, f"{section}.workload keys without a setting: {keys - names}"
    reb = {f.name for f in dataclasses.fields(RebalanceSettings)} - {"seed"}
    toml_keys = {k for sec in ("levers", "constants") for k in base[sec]["workload"]}
    assert reb <= toml_keys, f"settings missing from base.toml: {reb - toml_keys}"
    assert RebalanceSettings().max_move_km == base["levers"]["workload"]["max_move_km"]


def _brute_force(staff, positions, req, cap: int, tau: float = 1.0, ceiling: float = 1.2,
                 mu: float = 1e-3):
    """Both stages by enumerating every set of at most ``cap`` changed people (an LP each,
    written here independently of the package's model)."""
    import itertools

    from scipy.optimize import linprog

    st = measure_load(staff, positions, req, s_main=0.6, over=OVER, under=UNDER)
    people = list(st.people["staff_id"])
    load0 = st.people.set_index("staff_id")["load_ratio"].to_dict()
    w0 = {(p, f): w for p, f, w in st.portfolio[["staff_id", "field", "work_fte"]].to_numpy()}
    rq = req.set_index("field")["required_fte"]
    pairs = [(p, f) for p, f in st.eligible[["staff_id", "field"]].to_numpy() if rq[f] > 0]
    n = len(pairs)

    def lp(changed: set, peak: float | None):
        # columns: w (n), then t (stage 1) or e per person (stage 2)
        extra = 1 if peak is None else len(people)
        c = np.zeros(n + extra)
        if peak is None:
            c[n] = 1.0
        else:
            c[n:] = 1.0
        a_eq, b_eq, a_ub, b_ub, bounds = [], [], [], [], []
        for f, r in rq.items():
            if r > 0:
                a_eq.append([1.0 if pf == f else 0.0 for _, pf in pairs] + [0.0] * extra)
                b_eq.append(r)
        for p, f in pairs:
            v = w0.get((p, f), 0.0)
            bounds.append((0.0, rq[f]) if p in changed else (v, v))
        bounds += [(tau, None)] if peak is None else [(0.0, None)] * len(people)
        for i, p in enumerate(people):
            row = [1.0 if pp == p else 0.0 for pp, _ in pairs]
            a_ub.append(row + [0.0] * extra)
            b_ub.append(max(ceiling - 1e-6, load0[p]))
            if peak is None:
                a_ub.append(row + [-1.0])
                b_ub.append(0.0)
            else:
                a_ub.append(row + [0.0] * extra)
                b_ub.append(peak + 1e-6)
                a_ub.append(row + [-1.0 if j == i else 0.0 for j in range(len(people))])
                b_ub.append(tau)
        out = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                      method="highs")
        return out.fun if out.status == 0 else None

    sets = [set(s) for k in range(cap + 1) for s in itertools.combinations(people, k)]
    peak = min(v for v in (lp(s, None) for s in sets) if v is not None)
    excess = min(v + mu * len(s) for s in sets if (v := lp(s, peak)) is not None)
    return st, peak, excess


@pytest.mark.parametrize("cap", [1, 2, 3])
def test_capped_milp_equals_brute_force(cap):
    # Land (3.0 FTE) only A, B, C can do; B and A are overloaded today (1.485, 1.325).
    staff, positions, req = tiny(
        {"land": 300, "justice": 120, "agriculture": 90, "it_digital": 50},
        [("A", "land", "land;justice"), ("B", "land", "land;agriculture"),
         ("C", "justice", "justice;land"), ("D", "agriculture", "agriculture;it_digital"),
         ("E", "it_digital", "it_digital;justice"), ("F", "justice", "justice")])
    st, peak, excess = _brute_force(staff, positions, req, cap)
    load0 = st.people.set_index("staff_id")["load_ratio"]
    assert load0[["A", "B"]].to_numpy() == pytest.approx([1.325, 1.485])
    res = rebalance(st, req, RebalanceSettings(max_changed_per_commune=cap), over=OVER,
                    under=UNDER)
    assert res.peak.status == "optimal" and res.excess.status == "optimal"
    assert res.peak.objective == pytest.approx(peak, abs=1e-6)
    assert res.excess.objective == pytest.approx(excess, abs=1e-6)
    assert res.n_changed <= cap
    after = res.after.people.set_index("staff_id")["load_ratio"]
    assert after.max() == pytest.approx(peak, abs=1e-5)
    assert (after <= np.maximum(1.2, load0) + 1e-6).all()


def test_nobody_is_pushed_into_overload_or_piled_on():
    # A carries all of land today (1.5 FTE); B (post land) and C are qualified and idle-ish.
    staff, positions, req = tiny(
        {"land": 150, "justice": 40, "agriculture": 30},
        [("A", "justice", "justice;land"), ("B", "land", "land"),
         ("C", "agriculture", "agriculture;land")])
    st = measure_load(staff, positions, req, s_main=0.6, over=OVER, under=UNDER)
    load0 = st.people.set_index("staff_id")["load_ratio"]
    for cap in (None, 3):
        res = rebalance(st, req, RebalanceSettings(max_changed_per_commune=cap), over=OVER,
                        under=UNDER)
        after = res.after.people.set_index("staff_id")["load_ratio"]
        assert (after <= np.maximum(1.2, load0) + 1e-6).all()
        assert not (res.after.people["status"] == "over").any()
    # a ceiling on one person's share of a field, where others are qualified
    res = rebalance(st, req, RebalanceSettings(max_field_share=0.5, target_load=0.5),
                    over=OVER, under=UNDER)
    pf = res.after.portfolio
    w0 = st.portfolio.set_index(["staff_id", "field"])["work_fte"]
    share = pf.assign(r=pf["field"].map(req.set_index("field")["required_fte"]))
    for p, f, w, r in share[["staff_id", "field", "work_fte", "r"]].to_numpy():
        assert w <= max(0.5 * r, w0.get((p, f), 0.0)) + 1e-6


def test_parallel_blocks_do_not_change_the_answer(small_province):
    out = [run(small_province, _scenario(parallel_blocks=workers)).rebalanced
           for workers in (1, 2)]
    assert out[0].peak.objective == out[1].peak.objective
    assert out[0].excess.objective == out[1].excess.objective
    pd.testing.assert_frame_equal(out[0].changes, out[1].changes)


def test_highs_and_cbc_agree_on_the_capped_milp(small_province):
    prov = _communes(small_province, sorted(small_province.territories["territory_id"])[:3])
    got = {}
    for solver in ("highs", "cbc"):
        reb = run(prov, _scenario(solver=solver)).rebalanced
        assert reb.peak.status == "optimal" and reb.excess.status == "optimal"
        got[solver] = (reb.peak.objective, reb.excess.objective)
    assert got["highs"] == pytest.approx(got["cbc"], abs=1e-5)


def test_solve_arrays_reports_a_checked_proof():
    import scipy.sparse as sp

    from khcadre_sim.solve import ArrayModel, solve_arrays

    # max x + 2y (as min −x − 2y), x + y ≤ 2.5, x integer ≤ 3, y ≤ 1: optimum −3 (x 1, y 1
    # or x 2, y 0.5); the LP relaxation gives −3.5 (x 1.5, y 1).
    model = ArrayModel(cost=np.array([-1.0, -2.0]), a=sp.csc_matrix([[1.0, 1.0]]),
                       row_lower=np.array([-np.inf]), row_upper=np.array([2.5]),
                       col_lower=np.zeros(2), col_upper=np.array([3.0, 1.0]),
                       integer=np.array([True, False]))
    for start in (None, np.array([0.0, 0.0])):
        res, x = solve_arrays(model, start=start, gap_rel=1e-9)
        assert res.status == "optimal" and res.objective == pytest.approx(-3.0)
        assert res.bound == pytest.approx(-3.0) and res.gap == pytest.approx(0.0, abs=1e-9)
        assert x[0] == pytest.approx(round(x[0])) and x[0] + x[1] <= 2.5 + 1e-9
    lp, _ = solve_arrays(dataclasses.replace(model, integer=np.array([False, False])))
    assert lp.objective == pytest.approx(-3.5)
    cbc, _ = solve_arrays(model, solver="cbc", gap_rel=1e-9)
    assert cbc.objective == pytest.approx(-3.0)


# ---------------------------------------------------------------- the whole capability on
# provinces that are valid but unusual: every commune-field covered, one commune, nobody
# overloaded, one person, a field with no cases, no staff at all.


def _every_commune_field_covered(prov):
    from khcadre_sim.workload.load import placed_people

    people, _ = placed_people(prov.staff, prov.positions)
    covered = {(c, f) for c, q in zip(people["territory_id"], people["qualified"], strict=True)
               for f in q}
    wl = prov.workload.copy()
    gone = [(c, f) not in covered for c, f in zip(wl["territory_id"], wl["field"], strict=True)]
    wl.loc[gone, "annual_cases"] = 0.0
    return dataclasses.replace(prov, workload=wl)


def _assert_typed(table: pd.DataFrame, schema) -> None:
    from khcadre_sim.workload import frames

    want = frames.frame([], schema).dtypes
    assert list(table.columns) == list(want.index)
    assert table.dtypes.to_dict() == want.to_dict()


def _whole_capability(province, tmp_path, **changes):
    """Measure + rebalance + every table + every plot (both languages) + write_outputs, under
    the base scenario with ``changes`` (:func:`_scenario`)."""
    import matplotlib.pyplot as plt

    from khcadre_sim.workload import (
        capability_pattern,
        commune_field_table,
        frames,
        moves_table,
        office_table,
        person_table,
        plots,
        summary,
    )

    res = run(province, _scenario(**changes))
    s = res.settings
    reb = res.rebalanced
    assert reb.peak.status == "optimal" and reb.excess.status == "optimal"
    _assert_typed(reb.shortage, frames.SHORTAGE)
    _assert_typed(reb.changes, frames.CHANGES)
    _assert_typed(reb.moves, frames.MOVES)
    _assert_typed(reb.per_commune, frames.PER_COMMUNE)
    _assert_typed(moves_table(res), frames.MOVES_TABLE)
    _assert_typed(office_table(res), frames.OFFICE_TABLE)
    _assert_typed(capability_pattern(res.before.people), frames.CAPABILITY)
    _assert_typed(capability_pattern(res.after.people), frames.CAPABILITY)
    people = person_table(res)
    for col in ("load_ratio_before", "load_ratio_after", "competency"):
        assert people[col].dtype == "float64"
    for col in ("portfolio_changed", "moved"):
        assert people[col].dtype == bool
    cf = commune_field_table(res, province.territories.set_index("territory_id")["name"])
    assert cf["shortage_fte"].dtype == "float64"
    json.dumps(summary(res))
    for lang in ("vi", "en"):
        for fig in (plots.load_heatgrid(res, lang), plots.load_vs_competency(res, lang),
                    plots.load_distribution(res, lang), plots.top_people(res, lang),
                    plots.changes_by_commune(res, lang), plots.residual_shortage(res, lang)):
            plt.close(fig)
    out = write_result(res, tmp_path)
    assert (tmp_path / "residual_shortage.png").is_file()
    assert (tmp_path / "summary.json").is_file() and out["status"] == "optimal"
    # nobody is pushed into overload; the cap holds; work is conserved
    before = res.before.people.set_index("staff_id")["load_ratio"]
    after = res.after.people.set_index("staff_id")["load_ratio"].reindex(before.index)
    assert (after <= np.maximum(s.rebalance.load_ceiling, before) + 1e-6).all()
    assert after.sum() == pytest.approx(before.sum())
    if s.rebalance.max_changed_per_commune is not None:
        assert (reb.per_commune["n_changed"] <= s.rebalance.max_changed_per_commune).all()
    return res


def test_every_commune_field_covered(tmp_path):
    # The residual shortage then has no "uncovered" part: it used to lose its dtype there
    # and crash the residual-shortage figure (pandas 3).
    prov = _every_commune_field_covered(examples.small_province(3, scale=1.0))
    res = _whole_capability(prov, tmp_path)
    assert not (res.before.commune_field["status"] == "uncovered").any()
    assert set(res.rebalanced.shortage["reason"]) <= {"overload_after_rebalance"}
    assert res.rebalanced.shortage["shortage_fte"].sum() > 0


def test_one_commune_province(tmp_path):
    # the generator needs a neighbour to draw home communes from
    prov = examples.small_province(2, seed=3, scale=1.0)
    res = _whole_capability(_communes(prov, [prov.territories["territory_id"].iloc[0]]),
                            tmp_path)
    assert res.rebalanced.n_blocks == 1 and len(res.rebalanced.per_commune) == 1


def test_province_where_nobody_is_overloaded(tmp_path):
    prov = _every_commune_field_covered(examples.small_province(2, seed=5, scale=1.0))
    res = _whole_capability(prov, tmp_path, cases_multiplier=0.1)
    assert not (res.before.people["status"] == "over").any()
    assert res.before.peak <= 1.0  # nothing above the target: no reason to change anything
    assert res.rebalanced.changes.empty and res.rebalanced.moves.empty
    assert res.rebalanced.shortage.empty
    assert moves_table_is_empty(res)


def moves_table_is_empty(res) -> bool:
    from khcadre_sim.workload import moves_table

    return moves_table(res).empty


def test_one_person_commune_and_a_field_without_cases(tmp_path):
    one = hand_province({"land": 500.0, "justice": 0.0, "hr": 0.0},
                        [("A", "land", "land;justice")])
    for cap in (None, 5):
        (tmp_path / str(cap)).mkdir()
        res = _whole_capability(one, tmp_path / str(cap), cap=cap)
        assert res.rebalanced.changes.empty  # one person: nobody to share with
        sh = res.rebalanced.shortage
        # 500 land cases × 240 min ÷ 77,952 min a year = 1.539 FTE on one person: 0.539 over
        assert set(sh["field"]) == {"land"}
        assert sh["shortage_fte"].sum() == pytest.approx(500 * 240 / 77_952 - 1.0)


def test_province_without_staff(tmp_path):
    prov = examples.small_province(2, scale=1.0)
    empty = dataclasses.replace(prov, staff=prov.staff.iloc[0:0])
    res = _whole_capability(empty, tmp_path)
    assert res.before.people.empty
    assert set(res.rebalanced.shortage["reason"]) == {"uncovered"}


def test_explicit_zero_time_share_leaves_the_field_to_recruitment():
    # A gives no time to agriculture although qualified, and nobody else can do it: the field
    # is carried by no one today and the model stays feasible by construction.
    staff, positions, req = tiny({"land": 50, "agriculture": 40},
                                 [("A", "land", "land;agriculture")])
    shares = pd.DataFrame({"staff_id": ["A", "A"], "field": ["land", "agriculture"],
                           "share": [1.0, 0.0]})
    st = measure_load(staff, positions, req, s_main=0.6, over=OVER, under=UNDER,
                      time_shares=shares)
    assert st.portfolio["work_fte"].notna().all()
    res = rebalance(st, req, RebalanceSettings(), over=OVER, under=UNDER)
    assert res.peak.is_ok
    sh = res.shortage.set_index("field")
    assert sh.loc["agriculture", "reason"] == "uncovered"


def test_solve_arrays_doubts_an_inconsistent_answer():
    import scipy.sparse as sp

    from khcadre_sim.solve import ArrayModel, SolveResult, Status, _doubt

    model = ArrayModel(cost=np.array([1.0]), a=sp.csc_matrix([[1.0]]),
                       row_lower=np.array([1.0]), row_upper=np.array([np.inf]),
                       col_lower=np.zeros(1), col_upper=np.array([5.0]),
                       integer=np.array([True]))
    x = np.array([1.0])

    def res(status=Status.OPTIMAL, objective=1.0, bound=1.0) -> SolveResult:
        return SolveResult(status, objective, bound, 0.0, 0.0, "highs")

    assert _doubt(model, res(), x, 1.0, None) == ""
    assert "reported 0.9" in _doubt(model, res(), x, 0.9, None)  # objective ≠ cost·x
    assert "above the objective" in _doubt(model, res(bound=1.5), x, 1.0, None)
    no = res(Status.INFEASIBLE, None, None)
    assert "although the start is feasible" in _doubt(model, no, None, None, np.array([2.0]))
    assert _doubt(model, no, None, None, np.array([0.0])) == ""  # that start is infeasible

"""Placement optimizer: optimality against independent solves, every rule on the output,
infeasibility explanations, time limits and bad input."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pulp
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from khcadre_sim.errors import DataValidationError, ModelError, ScenarioError
from khcadre_sim.io import write_province
from khcadre_sim.placement import (
    PlacementSettings,
    candidates_for,
    manager_diversity,
    place,
    price_rules,
    settings_from_scenario,
    write_outputs,
)
from khcadre_sim.placement.formulation import build_mip, build_rows, rotation_pairs
from khcadre_sim.scenario import load_scenario
from khcadre_sim.solve import Status, solve
from khcadre_sim.synth import generate_province
from khcadre_sim.territories import load_reference_territories

ALL_OFF = dict(thresholds=False, non_local=False, manager_floors=False, rotation=False,
               move_caps=False, stay=False, keep_filled_posts=False, keep_placed=False)


@pytest.fixture(scope="module")
def province():
    """Ten communes of mixed area classes (hard areas included), synthetic staff."""
    t = load_reference_territories()
    pick = pd.concat([t[t.area_class == a].head(k) for a, k in
                      (("urban", 3), ("rural", 3), ("mountain", 3), ("island", 1))])
    return generate_province(seed=7, scale=0.6, territories=pick.reset_index(drop=True))


@pytest.fixture(scope="module")
def base_settings():
    s = settings_from_scenario(load_scenario())
    # rules sized to bind on ten communes
    return dataclasses.replace(s, rotation_count=4, move_cap_total=40, move_cap_per_commune=8,
                               female_share=0.3, young_share=0.12, minority_share=0.08,
                               floor_scope="province", max_distance_km=120.0, time_limit=60.0)


@pytest.fixture(scope="module")
def full(province, base_settings):
    return place(province, settings=base_settings)


def _matching_objective(cand: pd.DataFrame, staff_ids) -> float:
    """Best one-to-one placement from candidates.csv alone (SciPy sparse matching)."""
    people = {s: i for i, s in enumerate(staff_ids)}
    posts = {p: j for j, p in enumerate(sorted(set(cand["position_id"])))}
    n, m = len(people), len(posts)
    si = cand["staff_id"].map(people).to_numpy()
    pj = cand["position_id"].map(posts).to_numpy()
    score = cand["score"].to_numpy()
    big = np.abs(score).max() + 1
    g = sp.csr_matrix((np.r_[big - score, np.full(n, big)],
                       (np.r_[si, np.arange(n)], np.r_[pj, m + np.arange(n)])), shape=(n, m + n))
    r, c = min_weight_full_bipartite_matching(g)
    return float(n * big - g[r, c].sum())


def test_objective_is_sum_of_pair_scores(full):
    assert full.status is Status.OPTIMAL
    a = full.assignments
    assert a["score"].sum() == pytest.approx(full.solution.objective, abs=1e-4)
    comp = a["score_fill"] + a["score_fit"] + a["score_field"] + a["score_priority"] - a[
        "score_disruption"]
    assert np.allclose(comp, a["score"], atol=1e-5)
    assert full.solution.bound >= full.solution.objective - 1e-6
    assert full.solution.gap <= full.settings.gap_rel


def test_matches_independent_matching_with_side_rules_off(province, base_settings, tmp_path):
    s = dataclasses.replace(base_settings, **ALL_OFF)
    result = place(province, settings=s)
    assert result.status is Status.OPTIMAL
    cand = result.candidates_frame()
    best = _matching_objective(cand, province.staff["staff_id"])
    assert result.solution.objective == pytest.approx(best, rel=1e-9, abs=1e-6)
    # and it cross-checks from the written files alone
    args = type("A", (), {"solver": "cbc", "time_limit": None, "log": False,
                          "price_rules": False})()
    summary = write_outputs(province, _scenario_with(s), tmp_path, args)
    written = pd.read_csv(tmp_path / "candidates.csv", dtype={"staff_id": str,
                                                               "position_id": str})
    assert summary["objective"] == pytest.approx(
        _matching_objective(written, province.staff["staff_id"]), abs=1e-3)
    for f in ("assignments.csv", "vacancies.csv", "surplus.csv", "summary.json"):
        assert (tmp_path / f).exists()


def _scenario_with(s: PlacementSettings):
    """A scenario-like object carrying exactly these settings."""
    sc = load_scenario()
    lev = sc.levers["placement"]
    lev.update(keep_filled_posts=s.keep_filled_posts, keep_placed=s.keep_placed,
               max_distance_km=s.max_distance_km)
    lev["thresholds"]["enabled"] = s.thresholds
    lev["non_local"]["enabled"] = s.non_local
    lev["manager_floors"]["enabled"] = s.manager_floors
    lev["rotation"]["enabled"] = s.rotation
    lev["move_caps"]["enabled"] = s.move_caps
    lev["stay"]["enabled"] = s.stay
    return sc


def test_matches_naive_model_with_all_rules(province, base_settings, full):
    """The pruned, priced model reaches the optimum of a model with every candidate pair."""
    c = full.candidates
    rows = build_rows(c, base_settings)
    model = build_mip(c, rows, np.arange(c.n_pairs), elastic=False)
    res = solve(model.problem, gap_rel=1e-6)
    assert res.status is Status.OPTIMAL
    assert full.solution.objective >= res.objective * (1 - base_settings.gap_rel) - 1e-6
    assert full.solution.bound >= res.objective - 1e-6


def test_every_rule_holds_on_the_output(province, full):
    s, c, a = full.settings, full.candidates, full.assignments
    placed = a[a["position_id"].notna()]
    assert placed["position_id"].is_unique and a["staff_id"].is_unique
    staff = province.staff.set_index("staff_id")
    pos = province.positions.set_index("position_id")
    terr = province.territories.set_index("territory_id")
    new = placed[placed["position_id"] != placed["current_position_id"]]
    st, po = staff.loc[new["staff_id"]], pos.loc[new["position_id"]]
    for g in ("political", "execution", "development"):  # thresholds on new placements
        assert (st[f"score_{g}"].to_numpy() >= po[f"req_{g}"].to_numpy() - 1e-9).all()
    # non-local rule: no key post to someone from the post's commune
    key = po["is_key_post"].to_numpy()
    assert not (key & (st["home_territory_id"].to_numpy() == po["territory_id"].to_numpy())).any()
    # field match required
    assert all(f in fl.split(";") for f, fl in zip(po["field"], st["fields"], strict=True))
    # recently moved people stay
    recent = staff["position_id"].notna() & (staff["years_in_post"] < s.stay_min_years)
    kept = a.set_index("staff_id").loc[recent[recent].index]
    assert (kept["position_id"] == kept["current_position_id"]).all()
    # posts filled today stay filled
    filled_today = set(staff["position_id"].dropna())
    assert filled_today <= set(placed["position_id"])
    # move caps
    moved = a[a["moved"]]
    assert len(moved) <= s.move_cap_total
    arrivals = pos.loc[moved["position_id"], "territory_id"].value_counts()
    departures = pos.loc[moved["current_position_id"], "territory_id"].value_counts()
    assert arrivals.max() <= s.move_cap_per_commune
    assert departures.max() <= s.move_cap_per_commune
    # rotation of planning-pool cadres into hard areas of another commune
    rot = placed[staff.loc[placed["staff_id"], "planning_pool"].to_numpy()
                 & terr.loc[placed["territory_id"], "hard_area"].to_numpy()]
    origin = [pos.loc[p, "territory_id"] if isinstance(p, str) else staff.loc[i,
              "home_territory_id"] for i, p in zip(rot["staff_id"], rot["current_position_id"],
                                                   strict=True)]
    assert (rot["territory_id"].to_numpy() != np.array(origin)).sum() >= s.rotation_count
    assert int(a["rotation"].sum()) >= s.rotation_count
    # manager floors, province-wide
    div = manager_diversity(full)
    after = div[(div["when"] == "after") & (div["scope"] == "province")]
    for share, col in ((s.female_share, "female_share"), (s.young_share, "young_share"),
                       (s.minority_share, "minority_share")):
        assert (after[col] >= share - 1e-9).all(), after
    assert rotation_pairs(c).sum() > 0


def test_infeasible_floor_is_explained(province, base_settings):
    s = dataclasses.replace(base_settings, female_share=0.95, floor_scope="province")
    result = place(province, settings=s)
    assert result.status is Status.INFEASIBLE
    assert result.solution.infeasibility_proven
    text = " ".join(result.explanation)
    assert "female-manager floor of 95%" in text
    assert "women are eligible" in text
    assert result.summary()["headline"][0].startswith("placement infeasible")


def test_infeasible_rotation_is_explained(province, base_settings):
    s = dataclasses.replace(base_settings, rotation_count=5000)
    result = place(province, settings=s)
    assert result.status is Status.INFEASIBLE
    text = " ".join(result.explanation)
    assert "Rotating 5000 planning-pool cadres" in text
    assert "planning-pool rotations to hard areas are possible" in text


def test_rule_prices_are_non_negative(province, base_settings, full):
    s = dataclasses.replace(base_settings, thresholds=False, non_local=False, stay=False,
                            keep_filled_posts=False)
    prices = price_rules(province, settings=s)
    assert set(prices) == {"manager_floors", "rotation", "move_caps"}
    for p in prices.values():
        assert p["price"] >= -p["gap_bound"] - 1e-6
    assert max(p["price"] for p in prices.values()) > 0


def test_time_limit_returns_solution_with_gap():
    """CBC stopped by the clock: best solution, its bound and gap (not a fake 'optimal')."""
    rng = np.random.default_rng(0)
    n, k = 400, 30
    prob = pulp.LpProblem("knapsacks", pulp.LpMaximize)
    x = [prob.add_variable(f"x{i}", cat="Binary") for i in range(n)]
    w, v = rng.integers(50, 100, (k, n)), rng.integers(10, 100, n)
    prob += pulp.lpSum(int(v[i]) * x[i] for i in range(n))
    for r in range(k):
        prob += pulp.lpSum(int(w[r, i]) * x[i] for i in range(n)) <= int(w[r].sum() // 3)
    res = solve(prob, time_limit=1, gap_rel=0.0)
    assert res.status is Status.FEASIBLE
    assert res.bound is not None and res.bound >= res.objective
    assert res.gap == pytest.approx((res.bound - res.objective) / res.objective)


def test_placement_time_limit_keeps_a_proof(province, base_settings):
    s = dataclasses.replace(base_settings, gap_rel=1e-9)
    result = place(province, settings=s, time_limit=1.0)
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert result.solution.bound >= result.solution.objective - 1e-6
    assert result.solution.gap is not None


def test_highs_agrees_with_cbc(province, base_settings, full):
    other = place(province, settings=base_settings, solver="highs")
    assert other.status is Status.OPTIMAL
    tol = base_settings.gap_rel * abs(full.solution.objective)
    assert abs(other.solution.objective - full.solution.objective) <= tol + 1e-6


def test_missing_column_is_a_clear_error(province, base_settings):
    bad = dataclasses.replace(province, staff=province.staff.drop(columns=["fields"]))
    with pytest.raises(DataValidationError, match="staff, column 'fields'.*missing"):
        candidates_for(bad, base_settings)


def test_unknown_post_reference_names_the_row(province, base_settings):
    staff = province.staff.copy()
    staff.loc[3, "position_id"] = "NO-SUCH-POST"
    with pytest.raises(DataValidationError, match="staff, row 5, column 'position_id'"):
        candidates_for(dataclasses.replace(province, staff=staff), base_settings)


def test_bad_scenario_values_are_named(tmp_path):
    path = tmp_path / "bad.toml"
    base = load_scenario().files[0].replace("\\", "/")
    path.write_text(f'extends = "{base}"\n[levers.placement.manager_floors]\n'
                    'female_share = 1.5\nscope = "district"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        settings_from_scenario(load_scenario(path))
    text = str(err.value)
    assert "female_share" in text and "outside 0–1" in text and "unknown scope 'district'" in text


def test_unknown_solver_is_refused(province, base_settings):
    with pytest.raises(ModelError, match="unknown solver"):
        place(province, settings=base_settings, solver="gurobi")


def test_cli_bad_data_writes_nothing(province, tmp_path, capsys):
    from khcadre_sim.cli import main

    data = tmp_path / "data"
    write_province(province, data)
    staff = pd.read_csv(data / "staff.csv", dtype=str)
    staff.loc[0, "score_execution"] = "abc"
    staff.to_csv(data / "staff.csv", index=False)
    out = tmp_path / "out"
    assert main(["place", "--data", str(data), "--out", str(out)]) == 2
    assert "score_execution" in capsys.readouterr().err
    assert not out.exists()


def test_cli_place_writes_files(province, tmp_path):
    from khcadre_sim.cli import main

    data = tmp_path / "data"
    write_province(province, data)
    out = tmp_path / "out"
    code = main(["place", "--data", str(data), "--out", str(out)])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (code, summary["status"]) in ((0, "optimal"), (3, "infeasible"))
    assert (out / "candidates.csv").exists()


def test_cli_place_infeasible_scenario_exits_3_with_explanation(tmp_path, capsys):
    from khcadre_sim.cli import main
    from khcadre_sim.paths import SCENARIOS

    out = tmp_path / "out"
    code = main(["place", "--scenario", str(SCENARIOS / "placement_infeasible.toml"),
                 "--out", str(out)])
    assert code == 3
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "infeasible" and summary["explanation"]
    err = capsys.readouterr().err
    assert "infeasible: " in err and "female" in err.lower()
    assert not (out / "assignments.csv").exists()

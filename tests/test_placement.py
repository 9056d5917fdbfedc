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

from khcadre_sim import examples
from khcadre_sim.errors import DataValidationError, ModelError, ScenarioError
from khcadre_sim.io import Province, province_from_frames, write_province
from khcadre_sim.placement import (
    RULES,
    PlacementSettings,
    candidates_for,
    manager_diversity,
    manager_floors,
    place,
    price_rules,
    run,
)
from khcadre_sim.placement.formulation import (
    EQ,
    GE,
    LE,
    build_mip,
    build_rows,
    floor_groups,
    rotation_pairs,
)
from khcadre_sim.report import write_result
from khcadre_sim.scenario import load_scenario
from khcadre_sim.solve import Status, solve
from khcadre_sim.territories import load_reference_territories

P = "levers.placement."
ALL_OFF = {P + "thresholds.enabled": False, P + "non_local.enabled": False,
           P + "manager_floors.enabled": False, P + "rotation.enabled": False,
           P + "move_caps.enabled": False, P + "stay.enabled": False,
           P + "keep_filled_posts": False, P + "keep_placed": False}
# rules sized to bind on ten communes
TEN_COMMUNES = {P + "rotation.planning_pool_to_hard_areas": 4, P + "move_caps.total": 40,
                P + "move_caps.per_commune": 8, P + "manager_floors.female_share": 0.3,
                P + "manager_floors.young_share": 0.12, P + "manager_floors.minority_share": 0.08,
                P + "manager_floors.scope": "province", P + "max_distance_km": 120.0,
                "constants.placement.time_limit": 60.0}


def _settings(scenario, overrides: dict) -> PlacementSettings:
    """The placement settings of ``scenario`` with some keys changed (validated as a file)."""
    return PlacementSettings.from_scenario(scenario.with_overrides(overrides))


@pytest.fixture(scope="module")
def province():
    """Ten communes of mixed area classes (hard areas included), synthetic staff."""
    return examples.small_province(10, seed=7, scale=0.6)


@pytest.fixture(scope="module")
def base_scenario():
    return examples.scenario("base", TEN_COMMUNES)


@pytest.fixture(scope="module")
def base_settings(base_scenario):
    return PlacementSettings.from_scenario(base_scenario)


@pytest.fixture(scope="module")
def full(province, base_settings):
    return place(province, settings=base_settings)


def test_settings_defaults_are_the_key_table():
    """No drift between the code and the scenario key table: the defaults of
    PlacementSettings are base.toml's values (the seed is the run's, 0 by default)."""
    scenario = load_scenario()
    from_file = PlacementSettings.from_scenario(scenario)
    assert from_file.seed == scenario.seed
    assert dataclasses.replace(PlacementSettings(), seed=scenario.seed) == from_file
    assert from_file.move_caps.total == scenario.get(P + "move_caps.total")
    assert from_file.rotation.planning_pool_to_hard_areas == scenario.get(
        P + "rotation.planning_pool_to_hard_areas")
    # a rule's switch is its `enabled` flag (or the plain switch of keep_*)
    off = from_file.with_rule("move_caps", False)
    assert off.move_caps == dataclasses.replace(from_file.move_caps, enabled=False)
    assert "move_caps" not in off.enabled_rules()
    assert from_file.with_rule("keep_placed", True).keep_placed is True
    assert [r["key"] for r in from_file.rule_sources()] == [k for k, _ in RULES.values()]
    for rule, (key, _) in RULES.items():
        assert from_file.rule_on(rule) is scenario.get(key)
        assert from_file.with_rule(rule, not scenario.get(key)).rule_on(rule) is (
            not scenario.get(key))


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


def test_matches_independent_matching_with_side_rules_off(province, base_scenario, tmp_path):
    off = base_scenario.with_overrides(ALL_OFF)
    result = place(province, settings=PlacementSettings.from_scenario(off))
    assert result.status is Status.OPTIMAL
    cand = result.candidates_frame()
    best = _matching_objective(cand, province.staff["staff_id"])
    assert result.solution.objective == pytest.approx(best, rel=1e-9, abs=1e-6)
    # and it cross-checks from the written files alone
    summary = write_result(run(province, off), tmp_path)
    written = pd.read_csv(tmp_path / "candidates.csv", dtype={"staff_id": str,
                                                               "position_id": str})
    assert summary["objective"] == pytest.approx(
        _matching_objective(written, province.staff["staff_id"]), abs=1e-3)
    for f in ("assignments.csv", "vacancies.csv", "surplus.csv", "summary.json"):
        assert (tmp_path / f).exists()


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
    recent = staff["position_id"].notna() & (staff["years_in_post"] < s.stay.min_years_in_post)
    kept = a.set_index("staff_id").loc[recent[recent].index]
    assert (kept["position_id"] == kept["current_position_id"]).all()
    # posts filled today stay filled
    filled_today = set(staff["position_id"].dropna())
    assert filled_today <= set(placed["position_id"])
    # move caps: people holding a post today who do not keep it (moved or left without one)
    holders = a[a["current_position_id"].notna()]
    changed = holders[holders["position_id"].fillna("") != holders["current_position_id"]]
    assert len(changed) == full.counts()["changed_post"] <= s.move_caps.total
    departures = pos.loc[changed["current_position_id"], "territory_id"].value_counts()
    moved = a[a["moved"]]
    arrivals = pos.loc[moved["position_id"], "territory_id"].value_counts()
    assert arrivals.max() <= s.move_caps.per_commune
    assert departures.max() <= s.move_caps.per_commune
    # rotation of planning-pool cadres into hard areas of another commune
    rot = placed[staff.loc[placed["staff_id"], "planning_pool"].to_numpy()
                 & terr.loc[placed["territory_id"], "hard_area"].to_numpy()]
    origin = [pos.loc[p, "territory_id"] if isinstance(p, str) else staff.loc[i,
              "home_territory_id"] for i, p in zip(rot["staff_id"], rot["current_position_id"],
                                                   strict=True)]
    n_rot = s.rotation.planning_pool_to_hard_areas
    assert (rot["territory_id"].to_numpy() != np.array(origin)).sum() >= n_rot
    assert int(a["rotation"].sum()) >= n_rot
    # manager floors, province-wide: no group's share falls below today's (mode no_fall)
    div = manager_diversity(full).set_index(["when", "scope"])
    for col in ("female_share", "young_share", "minority_share"):
        assert div.loc[("after", "province"), col] >= div.loc[("before", "province"), col] - 1e-4
    assert manager_floors(full)["met"].all()
    assert rotation_pairs(c).sum() > 0


def test_fixed_floors_hold_on_the_output(province, base_scenario):
    s = _settings(base_scenario, {P + "manager_floors.mode": "fixed"})
    result = place(province, settings=s)
    assert result.status is Status.OPTIMAL
    div = manager_diversity(result)
    after = div[(div["when"] == "after") & (div["scope"] == "province")]
    floors = s.manager_floors
    for share, col in ((floors.female_share, "female_share"), (floors.young_share, "young_share"),
                       (floors.minority_share, "minority_share")):
        assert (after[col] >= share - 1e-9).all(), after


def test_infeasible_floor_is_explained(province, base_scenario):
    s = _settings(base_scenario, {P + "manager_floors.female_share": 0.95,
                                  P + "manager_floors.scope": "province",
                                  P + "manager_floors.mode": "fixed"})
    result = place(province, settings=s)
    assert result.status is Status.INFEASIBLE
    assert result.solution.infeasibility_proven
    text = " ".join(result.explanation)
    assert "female-manager floor of 95%" in text
    assert "women are eligible" in text
    assert result.summary()["headline"][0].startswith("placement infeasible")


def test_infeasible_rotation_is_explained(province, base_scenario):
    s = _settings(base_scenario, {P + "rotation.planning_pool_to_hard_areas": 5000})
    result = place(province, settings=s)
    assert result.status is Status.INFEASIBLE
    text = " ".join(result.explanation)
    assert "Rotating 5000 planning-pool cadres" in text
    assert "planning-pool rotations to hard areas are possible" in text


def test_rule_prices_are_non_negative(province, base_scenario, full):
    s = _settings(base_scenario, {P + "thresholds.enabled": False, P + "non_local.enabled": False,
                                  P + "stay.enabled": False, P + "keep_filled_posts": False})
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


def test_placement_time_limit_keeps_a_proof(province, base_scenario):
    s = _settings(base_scenario, {"constants.placement.gap_rel": 1e-9})
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
                    'female_share = 1.5\nscope = "district"\nmode = "floor"\n'
                    'female_delta = -0.02\n',
                    encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        PlacementSettings.from_scenario(load_scenario(path))
    columns = {p.column: p.message for p in err.value.problems}
    assert columns["levers.placement.manager_floors.female_share"] == "1.5 is out of range"
    assert "not one of the choices" in columns["levers.placement.manager_floors.scope"]
    assert "not one of the choices" in columns["levers.placement.manager_floors.mode"]
    assert columns["levers.placement.manager_floors.female_delta"] == "-0.02 is out of range"
    assert all(p.file == str(path) for p in err.value.problems)


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


# ------------------------------------------------------------- hand-checkable tiny instances
# One field ("hr", a priority of no area class), everyone at the post's minimums except the
# execution score: a pair scores fill 50 + field 20 + (execution − minimum) − disruption, and
# nobody moves between communes, so the scores below are exact by hand.
_REQ = 60.0
# every rule off but keep_filled_posts, a gap of 1e-9 and seed 0
TINY = ALL_OFF | {P + "keep_filled_posts": True, "constants.placement.gap_rel": 1e-9,
                  "meta.seed": 0}


def _tiny(posts: list[tuple], staff: list[tuple]) -> Province:
    """posts: (id, commune k, manager); staff: (id, post id or None, home commune k, execution
    points above the minimum, ethnic minority)."""
    terr = load_reference_territories().head(2).reset_index(drop=True)
    tid = terr["territory_id"].astype(str).tolist()
    positions = pd.DataFrame({
        "position_id": [p[0] for p in posts], "territory_id": [tid[p[1]] for p in posts],
        "office": "office_hdnd_ubnd", "title": "post", "field": "hr",
        "is_manager": [p[2] for p in posts], "is_key_post": False,
        "req_political": _REQ, "req_execution": _REQ, "req_development": _REQ})
    people = pd.DataFrame({
        "staff_id": [s[0] for s in staff],
        "position_id": pd.array([s[1] for s in staff], dtype="string"),
        "home_territory_id": [tid[s[2]] for s in staff], "birth_year": 1975, "gender": "M",
        "ethnic_minority": [s[4] for s in staff], "fields": "hr", "education": "bachelor",
        "score_political": _REQ, "score_execution": [_REQ + s[3] for s in staff],
        "score_development": _REQ, "planning_pool": False, "years_in_post": 5.0,
        "last_rating": "good"})
    workload = pd.DataFrame({"territory_id": tid, "field": "hr", "annual_cases": 100.0})
    return province_from_frames({"territories": terr, "positions": positions, "staff": people,
                                 "workload": workload}, source="tiny test")


@pytest.fixture(scope="module")
def tiny_scenario():
    return examples.scenario("base", TINY)


@pytest.fixture(scope="module")
def tiny_settings(tiny_scenario):
    return PlacementSettings.from_scenario(tiny_scenario)


def _replaceable():
    """Three holders at the minimums (score 70 where they are) and three people without a
    post who would score 75, 80 and 85 in any of the three posts."""
    return _tiny([("P1", 0, False), ("P2", 0, False), ("P3", 0, False)],
                 [("H1", "P1", 0, 0, False), ("H2", "P2", 0, 0, False),
                  ("H3", "P3", 0, 0, False), ("N1", None, 0, 5, False),
                  ("N2", None, 0, 10, False), ("N3", None, 0, 15, False)])


def test_move_cap_counts_holders_left_without_a_post(tiny_scenario, tiny_settings):
    """Without caps all three holders lose their post (75+80+85 = 240) and nobody 'moves':
    a cap counting only moves to another post would not bind. The cap counts changes of post:
    cap 1 → one holder replaced (70+70+85 = 225), cap 2 → two (70+85+80 = 235)."""
    prov = _replaceable()
    free = place(prov, settings=tiny_settings)
    k = free.counts()
    assert free.solution.objective == pytest.approx(240.0)
    assert (k["moved"], k["removed"], k["changed_post"]) == (0, 3, 3)
    # what the former cap counted (pairs moving a holder to another post): 0 of the 3
    assert not free.candidates.moved[free.solution.chosen].any()
    for cap, objective in ((1, 225.0), (2, 235.0)):
        s = _settings(tiny_scenario, {P + "move_caps.enabled": True, P + "move_caps.total": cap,
                                      P + "move_caps.per_commune": 10})
        r = place(prov, settings=s)
        assert r.status is Status.OPTIMAL
        assert r.solution.objective == pytest.approx(objective)
        assert r.counts()["changed_post"] == r.counts()["removed"] == cap
        assert f"{cap} changed post, cap {cap} (0 moved to another post, {cap} left" in (
            r.headline()[1])
    # the same cap per commune limits departures from the commune of the post held today
    s = _settings(tiny_scenario, {P + "move_caps.enabled": True, P + "move_caps.total": 10,
                                  P + "move_caps.per_commune": 1})
    r = place(prov, settings=s)
    assert r.solution.objective == pytest.approx(225.0)
    assert r.counts()["changed_post"] == 1
    assert r.assignments.set_index("staff_id").loc["N3", "change"] == "placed"


def test_arrivals_count_newly_placed_only_when_asked(tiny_scenario):
    """Two vacant posts in commune 1 and two people without a post living there (score 70
    each). Arrivals count people coming from another post, so by default both are placed
    (140); with arrivals_count_newly_placed and a cap of 1 per commune, only one (70)."""
    prov = _tiny([("P1", 1, False), ("P2", 1, False)],
                 [("N1", None, 1, 0, False), ("N2", None, 1, 0, False)])
    caps = {P + "move_caps.enabled": True, P + "move_caps.total": 0,
            P + "move_caps.per_commune": 1}
    s = _settings(tiny_scenario, caps)
    assert place(prov, settings=s).solution.objective == pytest.approx(140.0)
    r = place(prov, settings=_settings(tiny_scenario, caps | {
        P + "move_caps.arrivals_count_newly_placed": True}))
    assert r.solution.objective == pytest.approx(70.0)
    assert r.counts()["newly_placed"] == 1


def test_cap_on_changes_of_post_against_rotation_is_explained(tiny_scenario):
    """A planning-pool holder must rotate to a hard-area commune (a change of post) while the
    cap allows no change of post at all: infeasible, and said in words."""
    prov = _tiny([("P1", 0, False), ("P2", 1, False)], [("H", "P1", 0, 0, False)])
    prov.staff["planning_pool"] = True
    prov.territories.loc[1, "hard_area"] = True
    rules = {P + "rotation.enabled": True, P + "rotation.planning_pool_to_hard_areas": 1,
             P + "move_caps.enabled": True, P + "move_caps.total": 0,
             P + "move_caps.per_commune": 5, P + "keep_filled_posts": False}
    s = _settings(tiny_scenario, rules)
    r = place(prov, settings=s)
    assert r.status is Status.INFEASIBLE and r.solution.infeasibility_proven
    assert ("Rotating 1 planning-pool cadres needs at least 1 change of post (rotated cadres "
            "who hold a post today), but the cap on changes of post allows only 0."
            ) in r.explanation
    # the least-violation solve names one of the two rules with its shortfall
    assert any("would have to allow about 1 change of post" in x
               or "Only 0 of the 1 planning-pool rotations" in x for x in r.explanation)
    # with a cap of 1 the rotation happens: H leaves P1 for P2 (1 change of post)
    r = place(prov, settings=_settings(tiny_scenario, rules | {P + "move_caps.total": 1}))
    assert r.status is Status.OPTIMAL
    assert r.counts()["changed_post"] == r.counts()["rotations_to_hard_areas"] == 1


def _minority_managers():
    """Four manager posts; holders H1, H2 (ethnic minority) and H3, H4; today's minority
    share 2/4 = 50%. H1 is at the minimums (70 where they are), the others 10 points above
    (80). N (not minority, no post) scores 90 in any post. Best swap without floors: N
    replaces H1 (+20), and the minority share falls to 1/4."""
    return _tiny([("M1", 0, True), ("M2", 0, True), ("M3", 0, True), ("M4", 0, True)],
                 [("H1", "M1", 0, 0, True), ("H2", "M2", 0, 10, True),
                  ("H3", "M3", 0, 10, False), ("H4", "M4", 0, 10, False),
                  ("N", None, 0, 20, False)])


def test_fixed_floor_lets_the_minority_share_fall_no_fall_does_not(tiny_scenario):
    prov = _minority_managers()
    today = 70 + 80 + 80 + 80
    floors = {P + "manager_floors.enabled": True, P + "manager_floors.mode": "fixed",
              P + "manager_floors.young_share": 0.0, P + "manager_floors.female_share": 0.0,
              P + "manager_floors.minority_share": 0.05}
    r = place(prov, settings=_settings(tiny_scenario, floors))
    assert r.solution.objective == pytest.approx(today + 20)
    f = manager_floors(r).set_index("group").loc["minority"]
    assert (f["share_today"], f["floor"], f["share_after"]) == (0.5, 0.05, 0.25)
    # no_fall: the floor is today's 50%, so N may only replace a non-minority holder (+10)
    r = place(prov, settings=_settings(tiny_scenario, floors | {
        P + "manager_floors.mode": "no_fall"}))
    assert r.solution.objective == pytest.approx(today + 10)
    f = manager_floors(r).set_index("group").loc["minority"]
    assert (f["share_today"], f["floor"], f["share_after"]) == (0.5, 0.5, 0.5)
    assert r.assignments.set_index("staff_id").loc["H1", "change"] == "stays"
    # young and female: nobody today, so their no-fall floors are 0 and add no row
    assert list(build_rows(r.candidates, r.settings).rule).count("manager_floors") == 1


def test_no_fall_floor_with_delta_is_explained_when_impossible(tiny_scenario):
    """Δ = 0.5 asks for 100% minority managers: 4 needed, only H1 and H2 exist."""
    prov = _minority_managers()
    floors = {P + "manager_floors.enabled": True, P + "manager_floors.mode": "no_fall"}
    r = place(prov, settings=_settings(tiny_scenario, floors | {
        P + "manager_floors.minority_delta": 0.5}))
    assert r.status is Status.INFEASIBLE and r.solution.infeasibility_proven
    text = " ".join(r.explanation)
    assert ("ethnic-minority share among managers in the province may not fall below today's "
            "50.0% + 50.0% = 100.0% needs at least 4 ethnic-minority managers") in text
    assert "only 2 ethnic-minority people are eligible" in text
    # Δ = 0.25 → 75%: three minority managers; adding a minority person without a post who
    # scores 75 makes it feasible by replacing a non-minority holder (80 → 75)
    prov.staff.loc[len(prov.staff)] = prov.staff.iloc[0].to_dict() | {
        "staff_id": "N2", "position_id": pd.NA, "ethnic_minority": True,
        "score_execution": _REQ + 5}
    r = place(prov, settings=_settings(tiny_scenario, floors | {
        P + "manager_floors.minority_delta": 0.25}))
    assert r.status is Status.OPTIMAL
    f = manager_floors(r).set_index("group").loc["minority"]
    assert (f["floor"], f["share_after"]) == (0.75, 0.75)
    # N (90) replaces H1 would break the floor; best: N2 and N replace H3 and H4
    assert r.solution.objective == pytest.approx(70 + 80 + 75 + 90)


def test_floor_groups_share_today_matches_manager_diversity(full, base_scenario):
    s = _settings(base_scenario, {P + "manager_floors.scope": "both",
                                  P + "manager_floors.young_delta": 0.01,
                                  P + "manager_floors.female_delta": 0.01,
                                  P + "manager_floors.minority_delta": 0.01})
    div = manager_diversity(full)
    before = div[div["when"] == "before"].set_index("scope")
    groups = floor_groups(full.candidates, s)
    assert len(groups) == 3 * len(before)  # the province and each area class
    for g in groups:
        assert g.today == pytest.approx(before.loc[g.scope, f"{g.group}_share"], abs=5e-5)
        assert g.filled_today == before.loc[g.scope, "managers"]
        assert g.floor == pytest.approx(g.today + 0.01)


def test_rows_of_each_rule_on_the_tiny_province():
    """The rows of every rule builder, by hand on ``examples.tiny_province``: S1–S4 hold
    T1-CT, T1-DD, T2-CT, T2-VP (S4, one year in post, must stay); S5 and S6 hold no post. With
    the required field match and the non-local rule, the only moves are S2 → T2-DD and
    S3 → T1-DD or T2-DD (S1 and S3 are from the other commune's key post; T2-VP is S4's)."""
    c_s = _settings(examples.scenario("base"), {
        P + "manager_floors.enabled": False, P + "rotation.planning_pool_to_hard_areas": 1,
        P + "move_caps.total": 1, P + "move_caps.per_commune": 1})
    c = candidates_for(examples.tiny_province(), c_s)
    rows = build_rows(c, c_s)
    by_row = rows.A.tocsr()

    def pairs(r: int) -> set[tuple[str, str]]:
        return {(str(c.staff_ids[c.si[k]]), str(c.post_ids[c.pj[k]]))
                for k in by_row[r].indices}

    moves = {(str(c.staff_ids[c.si[k]]), str(c.post_ids[c.pj[k]]))
             for k in np.flatnonzero(c.moved)}
    assert moves == {("S2", "T2-DD"), ("S3", "T1-DD"), ("S3", "T2-DD")}
    # one-to-one: six people (S4 stays: an equality), six posts (the four filled stay filled)
    assert list(rows.rule[:12]) == ["assignment"] * 3 + ["stay"] + ["assignment"] * 2 + [
        "keep_filled_posts", "keep_filled_posts", "assignment", "keep_filled_posts",
        "keep_filled_posts", "assignment"]
    assert (rows.sense[:12] == np.where(rows.rule[:12] == "assignment", LE, EQ)).all()
    # rotation: at least 1 of the pool cadres' hard-area pairs in another commune
    (rot,) = np.flatnonzero(rows.rule == "rotation")
    assert (rows.sense[rot], rows.rhs[rot], pairs(rot)) == (GE, 1.0, {("S2", "T2-DD")})
    # caps: 4 holders, at most 1 change → ≥ 3 of the current pairs; departures per commune
    # (2 holders each, cap 1 → ≥ 1); arrivals per commune ≤ 1
    total, dep1, dep2, arr1, arr2 = np.flatnonzero(rows.rule == "move_caps")
    current = {("S1", "T1-CT"), ("S2", "T1-DD"), ("S3", "T2-CT"), ("S4", "T2-VP")}
    assert (rows.sense[total], rows.rhs[total], pairs(total)) == (GE, 3.0, current)
    assert (rows.rhs[dep1], pairs(dep1)) == (1.0, {("S1", "T1-CT"), ("S2", "T1-DD")})
    assert (rows.rhs[dep2], pairs(dep2)) == (1.0, {("S3", "T2-CT"), ("S4", "T2-VP")})
    assert (rows.sense[arr1], rows.rhs[arr1], pairs(arr1)) == (LE, 1.0, {("S3", "T1-DD")})
    assert pairs(arr2) == {("S2", "T2-DD"), ("S3", "T2-DD")}
    assert list(rows.limit[[total, dep1, arr2]]) == [1.0, 1.0, 1.0]
    assert rows.n_rows == 12 + 1 + 5 and rows.elastic.sum() == 6


def test_summary_flags_where_each_rule_comes_from(full, base_scenario):
    rules = {r["rule"]: r for r in full.summary()["rules"]}
    assert set(rules) == set(full.settings.enabled_rules()) | {
        r for r, v in rules.items() if not v["enabled"]}
    assert rules["non_local"]["assumption"] and "26-NQ/TW" in rules["non_local"]["source"]
    assert not rules["manager_floors"]["assumption"]
    assert "Tăng tỷ lệ cán bộ trẻ" in rules["manager_floors"]["source"]
    fixed = _settings(base_scenario, {P + "manager_floors.mode": "fixed"})
    fr = {r["rule"]: r for r in fixed.rule_sources()}
    assert fr["manager_floors"]["assumption"]
    assert all(r["label_vi"] for r in rules.values())


def test_no_candidate_pair_at_all_is_a_placement_with_nobody_placed():
    """Only the two unplaced people (S5: administration and land, S6: IT and administration)
    and one specialist post in IT from which S6's field is taken away: no candidate pair
    exists. The placement still answers — both stay without a post — instead of failing on the
    empty pair table (found by the projection's yearly re-placement on a tiny province)."""
    from khcadre_sim.placement import PlacementSettings, place

    p = examples.tiny_province()
    staff = p.staff[p.staff["position_id"].isna()].reset_index(drop=True)
    staff["fields"] = ["administration;land", "administration"]
    posts = p.positions[p.positions["position_id"] == "T1-IT"].reset_index(drop=True)
    assert not any("it_digital" in f for f in staff["fields"])
    sub = dataclasses.replace(p, staff=staff, positions=posts)
    ps = PlacementSettings.from_scenario(examples.scenario("base"))
    # as the projection's re-placement: no planning-pool rotation quota (none could be met)
    ps = dataclasses.replace(ps, rotation=dataclasses.replace(ps.rotation, enabled=False))
    res = place(sub, settings=ps)
    a = res.assignments
    assert res.status.has_solution and len(a) == 2
    assert a["position_id"].isna().all() and (a["change"] == "unplaced").all()
    assert (a["score"] == 0.0).all() and not a["rotation"].any()

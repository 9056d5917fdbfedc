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
from khcadre_sim.io import Province, write_province
from khcadre_sim.placement import (
    PlacementSettings,
    candidates_for,
    manager_diversity,
    manager_floors,
    place,
    price_rules,
    run,
    settings_from_scenario,
)
from khcadre_sim.placement.formulation import build_mip, build_rows, floor_groups, rotation_pairs
from khcadre_sim.report import write_result
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
    summary = write_result(run(province, _scenario_with(s)), tmp_path)
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
    # move caps: people holding a post today who do not keep it (moved or left without one)
    holders = a[a["current_position_id"].notna()]
    changed = holders[holders["position_id"].fillna("") != holders["current_position_id"]]
    assert len(changed) == full.counts()["changed_post"] <= s.move_cap_total
    departures = pos.loc[changed["current_position_id"], "territory_id"].value_counts()
    moved = a[a["moved"]]
    arrivals = pos.loc[moved["position_id"], "territory_id"].value_counts()
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
    # manager floors, province-wide: no group's share falls below today's (mode no_fall)
    div = manager_diversity(full).set_index(["when", "scope"])
    for col in ("female_share", "young_share", "minority_share"):
        assert div.loc[("after", "province"), col] >= div.loc[("before", "province"), col] - 1e-4
    assert manager_floors(full)["met"].all()
    assert rotation_pairs(c).sum() > 0


def test_fixed_floors_hold_on_the_output(province, base_settings):
    s = dataclasses.replace(base_settings, floor_mode="fixed")
    result = place(province, settings=s)
    assert result.status is Status.OPTIMAL
    div = manager_diversity(result)
    after = div[(div["when"] == "after") & (div["scope"] == "province")]
    for share, col in ((s.female_share, "female_share"), (s.young_share, "young_share"),
                       (s.minority_share, "minority_share")):
        assert (after[col] >= share - 1e-9).all(), after


def test_infeasible_floor_is_explained(province, base_settings):
    s = dataclasses.replace(base_settings, female_share=0.95, floor_scope="province",
                            floor_mode="fixed")
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
                    'female_share = 1.5\nscope = "district"\nmode = "floor"\n'
                    'female_delta = -0.02\n',
                    encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        settings_from_scenario(load_scenario(path))
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
TINY = dict(ALL_OFF, keep_filled_posts=True)


def _tiny(posts: list[tuple], staff: list[tuple]) -> Province:
    """posts: (id, commune k, manager); staff: (id, post id or None, home commune k, execution
    points above the minimum, ethnic minority)."""
    terr = load_reference_territories().head(2).reset_index(drop=True)
    tid = terr["territory_id"].astype(str).tolist()
    positions = pd.DataFrame({
        "position_id": [p[0] for p in posts], "territory_id": [tid[p[1]] for p in posts],
        "office": "office", "title": "post", "field": "hr",
        "is_manager": [p[2] for p in posts], "is_key_post": False,
        "req_political": _REQ, "req_execution": _REQ, "req_development": _REQ})
    people = pd.DataFrame({
        "staff_id": [s[0] for s in staff],
        "position_id": pd.array([s[1] for s in staff], dtype="string"),
        "home_territory_id": [tid[s[2]] for s in staff], "birth_year": 1975, "gender": "M",
        "ethnic_minority": [s[4] for s in staff], "fields": "hr",
        "score_political": _REQ, "score_execution": [_REQ + s[3] for s in staff],
        "score_development": _REQ, "planning_pool": False, "years_in_post": 5.0})
    return Province(territories=terr, positions=positions, staff=people,
                    workload=pd.DataFrame())


@pytest.fixture(scope="module")
def tiny_settings():
    return dataclasses.replace(PlacementSettings(), **TINY, gap_rel=1e-9)


def _replaceable():
    """Three holders at the minimums (score 70 where they are) and three people without a
    post who would score 75, 80 and 85 in any of the three posts."""
    return _tiny([("P1", 0, False), ("P2", 0, False), ("P3", 0, False)],
                 [("H1", "P1", 0, 0, False), ("H2", "P2", 0, 0, False),
                  ("H3", "P3", 0, 0, False), ("N1", None, 0, 5, False),
                  ("N2", None, 0, 10, False), ("N3", None, 0, 15, False)])


def test_move_cap_counts_holders_left_without_a_post(tiny_settings):
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
        s = dataclasses.replace(tiny_settings, move_caps=True, move_cap_total=cap,
                                move_cap_per_commune=10)
        r = place(prov, settings=s)
        assert r.status is Status.OPTIMAL
        assert r.solution.objective == pytest.approx(objective)
        assert r.counts()["changed_post"] == r.counts()["removed"] == cap
        assert f"{cap} changed post, cap {cap} (0 moved to another post, {cap} left" in (
            r.headline()[1])
    # the same cap per commune limits departures from the commune of the post held today
    s = dataclasses.replace(tiny_settings, move_caps=True, move_cap_total=10,
                            move_cap_per_commune=1)
    r = place(prov, settings=s)
    assert r.solution.objective == pytest.approx(225.0)
    assert r.counts()["changed_post"] == 1
    assert r.assignments.set_index("staff_id").loc["N3", "change"] == "placed"


def test_arrivals_count_newly_placed_only_when_asked(tiny_settings):
    """Two vacant posts in commune 1 and two people without a post living there (score 70
    each). Arrivals count people coming from another post, so by default both are placed
    (140); with arrivals_count_newly_placed and a cap of 1 per commune, only one (70)."""
    prov = _tiny([("P1", 1, False), ("P2", 1, False)],
                 [("N1", None, 1, 0, False), ("N2", None, 1, 0, False)])
    s = dataclasses.replace(tiny_settings, move_caps=True, move_cap_total=0,
                            move_cap_per_commune=1)
    assert place(prov, settings=s).solution.objective == pytest.approx(140.0)
    r = place(prov, settings=dataclasses.replace(s, arrivals_count_newly_placed=True))
    assert r.solution.objective == pytest.approx(70.0)
    assert r.counts()["newly_placed"] == 1


def test_cap_on_changes_of_post_against_rotation_is_explained(tiny_settings):
    """A planning-pool holder must rotate to a hard-area commune (a change of post) while the
    cap allows no change of post at all: infeasible, and said in words."""
    prov = _tiny([("P1", 0, False), ("P2", 1, False)], [("H", "P1", 0, 0, False)])
    prov.staff["planning_pool"] = True
    prov.territories.loc[1, "hard_area"] = True
    s = dataclasses.replace(tiny_settings, rotation=True, rotation_count=1, move_caps=True,
                            move_cap_total=0, move_cap_per_commune=5, keep_filled_posts=False)
    r = place(prov, settings=s)
    assert r.status is Status.INFEASIBLE and r.solution.infeasibility_proven
    assert ("Rotating 1 planning-pool cadres needs at least 1 change of post (rotated cadres "
            "who hold a post today), but the cap on changes of post allows only 0."
            ) in r.explanation
    # the least-violation solve names one of the two rules with its shortfall
    assert any("would have to allow about 1 change of post" in x
               or "Only 0 of the 1 planning-pool rotations" in x for x in r.explanation)
    # with a cap of 1 the rotation happens: H leaves P1 for P2 (1 change of post)
    r = place(prov, settings=dataclasses.replace(s, move_cap_total=1))
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


def test_fixed_floor_lets_the_minority_share_fall_no_fall_does_not(tiny_settings):
    prov = _minority_managers()
    today = 70 + 80 + 80 + 80
    fixed = dataclasses.replace(tiny_settings, manager_floors=True, floor_mode="fixed",
                                young_share=0.0, female_share=0.0, minority_share=0.05)
    r = place(prov, settings=fixed)
    assert r.solution.objective == pytest.approx(today + 20)
    f = manager_floors(r).set_index("group").loc["minority"]
    assert (f["share_today"], f["floor"], f["share_after"]) == (0.5, 0.05, 0.25)
    # no_fall: the floor is today's 50%, so N may only replace a non-minority holder (+10)
    r = place(prov, settings=dataclasses.replace(fixed, floor_mode="no_fall"))
    assert r.solution.objective == pytest.approx(today + 10)
    f = manager_floors(r).set_index("group").loc["minority"]
    assert (f["share_today"], f["floor"], f["share_after"]) == (0.5, 0.5, 0.5)
    assert r.assignments.set_index("staff_id").loc["H1", "change"] == "stays"
    # young and female: nobody today, so their no-fall floors are 0 and add no row
    assert list(build_rows(r.candidates, r.settings).rule).count("manager_floors") == 1


def test_no_fall_floor_with_delta_is_explained_when_impossible(tiny_settings):
    """Δ = 0.5 asks for 100% minority managers: 4 needed, only H1 and H2 exist."""
    prov = _minority_managers()
    s = dataclasses.replace(tiny_settings, manager_floors=True, floor_mode="no_fall",
                            minority_delta=0.5)
    r = place(prov, settings=s)
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
    r = place(prov, settings=dataclasses.replace(s, minority_delta=0.25))
    assert r.status is Status.OPTIMAL
    f = manager_floors(r).set_index("group").loc["minority"]
    assert (f["floor"], f["share_after"]) == (0.75, 0.75)
    # N (90) replaces H1 would break the floor; best: N2 and N replace H3 and H4
    assert r.solution.objective == pytest.approx(70 + 80 + 75 + 90)


def test_floor_groups_share_today_matches_manager_diversity(full):
    s = dataclasses.replace(full.settings, floor_scope="both", young_delta=0.01,
                            female_delta=0.01, minority_delta=0.01)
    div = manager_diversity(full)
    before = div[div["when"] == "before"].set_index("scope")
    groups = floor_groups(full.candidates, s)
    assert len(groups) == 3 * len(before)  # the province and each area class
    for g in groups:
        assert g.today == pytest.approx(before.loc[g.scope, f"{g.group}_share"], abs=5e-5)
        assert g.filled_today == before.loc[g.scope, "managers"]
        assert g.floor == pytest.approx(g.today + 0.01)


def test_summary_flags_where_each_rule_comes_from(full):
    rules = {r["rule"]: r for r in full.summary()["rules"]}
    assert set(rules) == set(full.settings.enabled_rules()) | {
        r for r, v in rules.items() if not v["enabled"]}
    assert rules["non_local"]["assumption"] and "26-NQ/TW" in rules["non_local"]["source"]
    assert not rules["manager_floors"]["assumption"]
    assert "Tăng tỷ lệ cán bộ trẻ" in rules["manager_floors"]["source"]
    fixed = dataclasses.replace(full.settings, floor_mode="fixed")
    fr = {r["rule"]: r for r in fixed.rule_sources()}
    assert fr["manager_floors"]["assumption"]
    assert all(r["label_vi"] for r in rules.values())

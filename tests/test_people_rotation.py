"""Rotation with a term (§II.2): who goes where, the term, the evaluation after it, and the
placement's view of it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from khcadre_sim import examples
from khcadre_sim.errors import ScenarioError
from khcadre_sim.people import rotation as ro
from khcadre_sim.placement import api as placement
from khcadre_sim.solve import Status

NO_RATINGS = pd.DataFrame({"staff_id": pd.Series(dtype="string"),
                           "rating": pd.Series(dtype="string")})


def settings(**kw) -> ro.RotationSettings:
    return dataclasses.replace(ro.RotationSettings.from_scenario(examples.scenario()), **kw)


def test_on_the_tiny_province_the_pool_cadre_goes_to_the_hard_areas_vacancy():
    """S2 (planning pool, land post in T1) may take T2-DD (vacant land post in T2, a hard
    area); S6 is in the pool but holds no post; the managers S1 and S3 have no vacant post of
    their title elsewhere."""
    province = examples.tiny_province()
    scenario = examples.scenario()
    plan = ro.select(province, settings(), 2026, np.random.default_rng(0), scenario.params)
    assert plan.proof.status is Status.OPTIMAL
    row = plan.started.iloc[0]
    assert len(plan.started) == 1
    assert (row["staff_id"], row["kind"], row["home_position_id"], row["position_id"],
            row["territory_id"]) == ("S2", "hard_area", "T1-DD", "T2-DD", "T2")
    assert (row["start_year"], row["term_years"], row["end_year"]) == (2026, 3, 2028)
    assert plan.eligible == {"hard_area": 1, "horizontal": 0}
    assert plan.shortfall == {"hard_area": 9, "horizontal": 5}


def test_a_three_year_rotation_is_evaluated_in_its_third_year_exactly():
    province = examples.tiny_province()
    scenario = examples.scenario()
    rng = np.random.default_rng(0)
    year = ro.step(province, scenario, ro.empty(), 2026, NO_RATINGS, rng)
    table = year.rotations
    assert table["end_year"].tolist() == [2028]
    good = pd.DataFrame({"staff_id": ["S2"], "rating": ["good"]})
    for y in (2026, 2027):
        table = ro.end_terms(table, y, good, settings(), rng)
        assert table["status"].tolist() == ["active"] and table["outcome"].isna().all()
        assert len(ro.active_in(table, y)) == 1
    table = ro.end_terms(table, 2028, good, settings(), rng)
    assert table["status"].tolist() == ["ended"]
    assert table["outcome"].iloc[0] in ro.OUTCOMES and table["rating"].iloc[0] == "good"
    assert ro.active_in(table, 2028).empty
    log = ro.rotation_events(table, 2028)
    assert log["event"].tolist() == ["rotation_ended"]
    assert str(log["date"].iloc[0]) == "2028-12-01"
    again = ro.end_terms(table, 2028, good, settings(), rng)  # ended terms stay ended
    pd.testing.assert_frame_equal(again, table)


@pytest.mark.parametrize(("rating", "stay", "outcome"), [
    ("excellent", 0.0, "promote"), ("good", 1.0, "stay"), ("good", 0.0, "return"),
    ("completed", 1.0, "return"), ("not_completed", 1.0, "return"), (None, 1.0, "return")])
def test_the_outcome_follows_the_rating_of_the_last_year(rating, stay, outcome):
    table = pd.DataFrame([{"staff_id": "A", "kind": "hard_area", "home_position_id": "H",
                           "home_territory_id": "T1", "position_id": "D", "territory_id": "T2",
                           "start_year": 2026, "term_years": 3, "end_year": 2028,
                           "status": "active", "outcome": None, "rating": None}]
                         ).astype(ro.COLUMNS)
    ratings = pd.DataFrame({"staff_id": ["A"] if rating else [], "rating": [rating] if rating
                            else []})
    out = ro.end_terms(table, 2028, ratings, settings(stay_probability=stay),
                       np.random.default_rng(0))
    assert out["outcome"].iloc[0] == outcome


def test_only_the_planning_pool_goes_and_only_to_hard_areas():
    province = examples.small_province(20, seed=5, scale=1.0)
    scenario = examples.scenario(overrides={"levers.rotation_terms.starts_per_year": 25,
                                            "levers.rotation_terms.horizontal_per_year": 8})
    plan = ro.select(province, ro.RotationSettings.from_scenario(scenario), 2026,
                     np.random.default_rng(0), scenario.params)
    s = plan.started
    staff = province.staff.set_index("staff_id")
    posts = province.positions.set_index("position_id")
    hard = province.territories.set_index("territory_id")["hard_area"]
    term = s[s["kind"] == "hard_area"]
    assert len(term) > 0 and plan.proof.status is Status.OPTIMAL
    assert staff.loc[term["staff_id"], "planning_pool"].all()
    assert hard.loc[term["territory_id"]].all()
    assert (term["territory_id"] != term["home_territory_id"]).all()
    assert (term["territory_id"].to_numpy()
            != staff.loc[term["staff_id"], "home_territory_id"].to_numpy()).all()
    assert len(term) + plan.shortfall["hard_area"] == 25
    side = s[s["kind"] == "horizontal"]
    assert len(side) > 0
    assert (posts.loc[side["position_id"], "title"].to_numpy()
            == posts.loc[side["home_position_id"], "title"].to_numpy()).all()
    assert posts.loc[side["home_position_id"], "is_manager"].all()
    assert (side["territory_id"] != side["home_territory_id"]).all()
    # nobody twice, no post twice, only vacant posts
    assert s["staff_id"].is_unique and s["position_id"].is_unique
    assert not s["position_id"].isin(province.staff["position_id"].dropna()).any()
    # everyone meets the post's minimums
    for g in ("political", "execution", "development"):
        assert (staff.loc[s["staff_id"], f"score_{g}"].to_numpy()
                >= posts.loc[s["position_id"], f"req_{g}"].to_numpy()).all()


def test_people_who_retire_during_the_term_are_not_rotated():
    """S3 (born 1968, a man) reaches the statutory age in July 2030: a term starting in 2028
    ends in December 2030, after it, so he cannot go; a term starting in 2027 ends in 2029."""
    province = examples.tiny_province()
    staff = province.staff.copy()
    staff.loc[staff["staff_id"] == "S3", "planning_pool"] = True
    staff.loc[staff["staff_id"] == "S2", "planning_pool"] = False
    staff.loc[staff["staff_id"] == "S3", "position_id"] = "T1-DD"  # a land post in T1
    staff.loc[staff["staff_id"] == "S2", "position_id"] = None
    province = dataclasses.replace(province, staff=staff)
    params = examples.scenario().params
    early = ro.select(province, settings(), 2027, np.random.default_rng(0), params)
    late = ro.select(province, settings(), 2028, np.random.default_rng(0), params)
    assert early.started["staff_id"].tolist() == ["S3"]
    assert late.started.empty and late.eligible["hard_area"] == 0


def test_moves_are_applied_and_a_return_takes_back_a_vacant_home_post():
    province = examples.tiny_province()
    scenario = examples.scenario(overrides={"uncertainties.rotation_terms.stay_probability": 0.0})
    rng = np.random.default_rng(0)
    first = ro.step(province, scenario, ro.empty(), 2026, NO_RATINGS, rng)
    staff = first.province.staff.set_index("staff_id")
    assert staff.loc["S2", "position_id"] == "T2-DD" and staff.loc["S2", "years_in_post"] == 0
    assert list(first.province.staff.dtypes) == list(province.staff.dtypes)
    rows = first.rotations
    good = pd.DataFrame({"staff_id": ["S2"], "rating": ["good"]})
    later = first.province
    for y in (2027, 2028):
        step = ro.step(later, scenario, rows, y, good, rng)
        rows, later = step.rotations, step.province
    back = rows[rows["staff_id"] == "S2"].iloc[0]
    assert back["outcome"] == "return"
    assert later.staff.set_index("staff_id").loc["S2", "position_id"] == "T1-DD"
    assert set(step.events["event"]) == {"rotation_ended"}


def test_the_placement_keeps_an_active_rotation_in_its_post():
    province = examples.tiny_province()
    scenario = examples.scenario(overrides={"levers.placement.rotation.enabled": False})
    started = ro.select(province, settings(), 2026, np.random.default_rng(0),
                        scenario.params).started
    pinned = ro.placement_inputs(province, started, 2027, scenario)
    assert pinned.staff.set_index("staff_id").loc["S2", "position_id"] == "T2-DD"
    result = placement.run(pinned, scenario)
    assert result.status.has_solution
    assert result.assignments.set_index("staff_id").loc["S2", "position_id"] == "T2-DD"
    assert ro.placement_inputs(province, started, 2029, scenario) is province  # term over
    off = scenario.with_overrides({"levers.placement.stay.enabled": False})
    with pytest.raises(ScenarioError, match="stay rule"):
        ro.placement_inputs(province, started, 2027, off)


def test_the_placements_own_rotations_become_terms():
    province = examples.tiny_province()
    scenario = examples.scenario(overrides={
        "levers.placement.rotation.planning_pool_to_hard_areas": 1})
    result = placement.run(province, scenario)
    assert result.status.has_solution
    terms = ro.from_placement(result.assignments, province, 2026, settings())
    assert len(terms) == int(result.assignments["rotation"].sum()) == 1
    row = terms.iloc[0]
    assert row["staff_id"] in set(province.staff.loc[province.staff["planning_pool"],
                                                     "staff_id"])
    hard = province.territories.set_index("territory_id")["hard_area"]
    assert hard[row["territory_id"]] and row["end_year"] == 2028
    assert list(terms.dtypes.astype(str)) == list(ro.COLUMNS.values())

"""Training (§II.3): the catalogue, the yearly allocation MILP, the evaluated effect and the
reassignment list."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from khcadre_sim import examples
from khcadre_sim.errors import DataValidationError
from khcadre_sim.people import catalogue as cat
from khcadre_sim.people import training as tr
from khcadre_sim.solve import Status

HEADER = list(cat.COLUMNS)


def course(course_id: str, group: str, gain: float, cost: float, capacity: int,
           digital: bool = False, **kw: str) -> dict[str, str]:
    row = {"course_id": course_id, "name_vi": course_id, "name_en": course_id,
           "kind": "problem", "audience": "all", "area_class": "all", "field": "all",
           "group": group, "digital": str(digital).lower(), "days": "3",
           "cost_per_trainee_vnd": str(cost), "capacity_per_year": str(capacity),
           "expected_gain_points": str(gain), "assumption": "all", "source": "test"}
    return row | kw


def catalogue(*rows: dict[str, str]) -> pd.DataFrame:
    return cat.validate_catalogue(pd.DataFrame(list(rows), columns=HEADER), "test.csv")


def person(staff_id: str, area: str = "rural", gaps: tuple[float, float, float] = (0, 0, 0),
           field: str = "administration", title: str = "specialist") -> dict:
    return {"staff_id": staff_id, "territory_id": "T", "area_class": area, "field": field,
            "title_group": title, "gap_political": gaps[0], "gap_execution": gaps[1],
            "gap_development": gaps[2]}


def settings(**kw: float) -> tr.TrainingSettings:
    base = dict(budget_vnd_per_year=1e12, max_courses_per_person=1, digital_min_share=0.0,
                fair_share=0.0, no_change_points=1.0, gain_multiplier=1.0, gain_sd=0.0,
                time_limit=60.0, gap_rel=1e-9)
    return dataclasses.replace(tr.TrainingSettings(), **(base | kw))


# ------------------------------------------------------------------------------ catalogue

def test_the_bundled_catalogue_loads_with_its_dtypes():
    c = cat.load_catalogue()
    assert list(c.dtypes.astype(str)) == list(cat.COLUMNS.values())
    assert c["course_id"].is_unique
    assert set(c["kind"]) == set(cat.KINDS)
    assert c["digital"].sum() >= 4 and (c["cost_per_trainee_vnd"] > 0).all()
    assert c["assumption"].str.contains("cost_per_trainee_vnd").all()
    assert (c["name_vi"] == c["name_vi"].str.normalize("NFC")).all()


def test_a_bad_catalogue_names_file_row_and_column():
    rows = [course("A", "development", 5, 1000, 10),
            course("A", "execution", 5, 1000, 10),  # duplicate id
            course("B", "skills", 5, -1, 10),  # bad group, negative cost
            course("C", "political", 5, 1000, 2.5, field="astrology", digital="maybe")]
    with pytest.raises(DataValidationError) as info:
        cat.validate_catalogue(pd.DataFrame(rows, columns=HEADER), "catalogue.csv")
    where = {(p.file, p.row, p.column) for p in info.value.problems}
    assert where == {("catalogue.csv", 3, "course_id"), ("catalogue.csv", 4, "group"),
                     ("catalogue.csv", 4, "cost_per_trainee_vnd"),
                     ("catalogue.csv", 5, "field"), ("catalogue.csv", 5, "digital"),
                     ("catalogue.csv", 5, "capacity_per_year")}
    with pytest.raises(DataValidationError, match="column missing"):
        cat.validate_catalogue(pd.DataFrame(rows, columns=HEADER).drop(columns="days"))


def test_a_missing_catalogue_file_is_a_problem_not_a_traceback(tmp_path):
    with pytest.raises(DataValidationError, match="file not found"):
        cat.load_catalogue(tmp_path / "nowhere.csv")


# -------------------------------------------------------------------------- expected gain

def test_expected_gap_closed_matches_simulation():
    rng = np.random.default_rng(0)
    draws = np.maximum(rng.normal(5.0, 3.0, 400_000), 0.0)
    for gap in (0.5, 3.0, 5.0, 12.0):
        exact = tr.expected_closed(np.array([gap]), 5.0, 3.0)[0]
        assert exact == pytest.approx(np.minimum(gap, draws).mean(), abs=0.01)
    assert tr.expected_closed(np.array([3.0, 8.0]), 5.0, 0.0).tolist() == [3.0, 5.0]


# -------------------------------------------------------------------------- the allocation

def test_a_tiny_allocation_is_the_hand_computed_optimum():
    """Rural weights (0.35, 0.35, 0.30), gains without spread. Values: X–A 0.30·min(10, 5) =
    1.5, X–B 0.35·min(3, 4) = 1.05, Y–A 0.30·min(2, 5) = 0.6, Z–B 0.35·min(8, 4) = 1.4. With a
    budget of 3 M and one course each, the best is X–A + Z–B = 2.9 (3 M), not X–A + Y–A = 2.1."""
    c = catalogue(course("A", "development", 5, 1_000_000, 2),
                  course("B", "execution", 4, 2_000_000, 1))
    people = pd.DataFrame([person("X", gaps=(0, 3, 10)), person("Y", gaps=(0, 0, 2)),
                           person("Z", gaps=(0, 8, 0))])
    alloc = tr.allocate(people, c, settings(budget_vnd_per_year=3_000_000), 2026)
    assert alloc.proof.status is Status.OPTIMAL
    assert alloc.proof.objective == pytest.approx(2.9)
    assert alloc.proof.bound == pytest.approx(2.9, abs=1e-6)
    got = set(zip(alloc.seats["staff_id"], alloc.seats["course_id"], strict=True))
    assert got == {("X", "A"), ("Z", "B")}
    assert alloc.summary()["cost_vnd"] == 3_000_000
    assert alloc.summary()["expected_gap_closed"] == pytest.approx(5 + 4)


def test_budget_zero_trains_nobody():
    province = examples.small_province(6, seed=3)
    scenario = examples.scenario(overrides={"levers.training.budget_vnd_per_year": 0})
    p = tr.plan(province, scenario, [2026], np.random.default_rng(0))
    assert p.seats.empty and p.persons.empty and p.events.empty
    assert p.allocations[0].proof.status is Status.OPTIMAL
    assert p.allocations[0].candidates > 0
    assert list(p.seats.dtypes.astype(str)) == list(tr.SEAT_COLUMNS.values())


def test_budget_and_capacities_are_respected():
    province = examples.small_province(10, seed=4)
    scenario = examples.scenario(overrides={"levers.training.budget_vnd_per_year": 60_000_000,
                                            "levers.training.max_courses_per_person": 2})
    c = cat.load_catalogue()
    c["capacity_per_year"] = 3
    p = tr.plan(province, scenario, [2026, 2027], np.random.default_rng(0), catalogue=c)
    for alloc in p.allocations:
        s = alloc.seats
        assert alloc.proof.status is Status.OPTIMAL
        assert 0 < s["cost_vnd"].sum() <= 60_000_000
        assert s.groupby("course_id").size().max() <= 3
        assert s.groupby("staff_id").size().max() <= 2
        assert not s.duplicated(["staff_id", "group"]).any()  # one course per group
        assert (s["gap_before"] > 0).all()


def test_the_fairness_floor_binds_in_a_crafted_case():
    """Three rural people with 10-point gaps, three mountain people with 2-point gaps, one
    course of 5 points and 4 seats. Rural value 0.30·5 = 1.5, mountain 0.25·2 = 0.5. Without
    the floor: 3 rural + 1 mountain = 5.0. With fair_share 1 each class (half the people who
    need a course) gets at least ⌊1 · 0.5 · 4⌋ = 2 seats: 2 · 1.5 + 2 · 0.5 = 4.0."""
    c = catalogue(course("A", "development", 5, 1, 4))
    people = pd.DataFrame([person(f"R{k}", "rural", (0, 0, 10)) for k in range(3)]
                          + [person(f"M{k}", "mountain", (0, 0, 2)) for k in range(3)])
    free = tr.allocate(people, c, settings(fair_share=0.0), 2026)
    fair = tr.allocate(people, c, settings(fair_share=1.0), 2026)
    assert free.proof.objective == pytest.approx(5.0)
    assert fair.proof.objective == pytest.approx(4.0)
    assert fair.seats["area_class"].value_counts().to_dict() == {"rural": 2, "mountain": 2}
    assert fair.need_share == {"mountain": 0.5, "rural": 0.5}


def test_digital_first_binds_in_a_crafted_case():
    """Two courses for the development group: a digital one worth less. With 4 seats and a
    digital share of at least 50%, two seats go to the digital course."""
    c = catalogue(course("D", "development", 1, 1, 10, digital=True),
                  course("N", "development", 5, 1, 10))
    people = pd.DataFrame([person(f"P{k}", "rural", (0, 0, 10)) for k in range(4)])
    free = tr.allocate(people, c, settings(), 2026)
    digital = tr.allocate(people, c, settings(digital_min_share=0.5), 2026)
    assert set(free.seats["course_id"]) == {"N"}
    assert digital.seats["course_id"].value_counts().to_dict() == {"D": 2, "N": 2}
    assert digital.summary()["digital_share"] == 0.5


def test_nobody_without_a_gap_and_only_eligible_audiences():
    c = catalogue(course("K", "development", 5, 1, 10, kind="title", audience="key"),
                  course("L", "execution", 5, 1, 10, field="land"),
                  course("M", "political", 5, 1, 10, area_class="mountain"))
    people = pd.DataFrame([person("key", gaps=(0, 0, 5), title="key"),
                           person("spec", gaps=(0, 0, 5)),
                           person("land", gaps=(0, 5, 0), field="land"),
                           person("admin", gaps=(0, 5, 0)),
                           person("mtn", "mountain", gaps=(5, 0, 0)),
                           person("rur", "rural", gaps=(5, 0, 0)),
                           person("none")])
    got = set(zip(*tr.allocate(people, c, settings(), 2026).seats[["staff_id", "course_id"]]
                  .to_numpy().T, strict=True))
    assert got == {("key", "K"), ("land", "L"), ("mtn", "M")}


# ------------------------------------------------------------------ evaluation after training

def test_a_trainee_without_gain_is_a_reassignment_candidate():
    """Seats chosen on expected gains; the course then does nothing for anyone (drawn gain 0):
    every trainee is on the reassignment list, and the log says so."""
    province = examples.small_province(6, seed=3)
    alloc = tr.plan(province, examples.scenario(), [2026], np.random.default_rng(0)
                    ).allocations[0]
    c = cat.load_catalogue()
    outcomes, persons = tr.evaluate_training(alloc.seats, c, settings(gain_multiplier=0.0),
                                             np.random.default_rng(0))
    trained = set(alloc.seats["staff_id"])
    assert trained and not persons["changed"].any()
    assert (outcomes["gain"] == 0).all() and (outcomes["closed"] == 0).all()
    log = tr.training_events(outcomes, persons, province)
    assert set(log.loc[log["event"] == "reassignment_candidate", "staff_id"]) == trained
    assert set(log.loc[log["event"] == "evaluated", "detail"]) == {"no_change"}
    pd.testing.assert_frame_equal(tr.apply_gains(province.staff, outcomes), province.staff)

    _, sure = tr.evaluate_training(alloc.seats, c, settings(), np.random.default_rng(0))
    assert sure["changed"].all() and (sure["total_gain"] >= 4).all()


def test_the_reassignment_list_is_who_gained_under_the_threshold():
    province = examples.small_province(6, seed=3)
    scenario = examples.scenario(overrides={"uncertainties.training.gain_sd": 6.0,
                                            "levers.training.no_change_points": 2.0})
    p = tr.plan(province, scenario, [2026], np.random.default_rng(1))
    low = p.persons[p.persons["total_gain"] < 2.0]
    assert len(low) > 0 and len(low) < len(p.persons)
    assert set(p.reassignment["staff_id"]) == set(low["staff_id"])


def test_gains_raise_the_framework_scores_and_the_next_years_review_sees_them():
    province = examples.small_province(6, seed=3)
    scenario = examples.scenario(overrides={"uncertainties.training.gain_sd": 0.0})
    p = tr.plan(province, scenario, [2026, 2027], np.random.default_rng(0))
    first = p.outcomes[p.outcomes["year"] == 2026]
    row = first.iloc[0]
    before = province.staff.set_index("staff_id").loc[row["staff_id"], f"score_{row['group']}"]
    after = p.province.staff.set_index("staff_id").loc[row["staff_id"], f"score_{row['group']}"]
    later = p.outcomes[(p.outcomes["year"] == 2027) & (p.outcomes["staff_id"] == row["staff_id"])
                       & (p.outcomes["group"] == row["group"])]
    assert after == pytest.approx(min(100.0, before + row["gain"] + later["gain"].sum()))
    if len(later):
        assert later["gap_before"].iloc[0] == pytest.approx(row["gap_before"] - row["gain"],
                                                             abs=0.11)


def test_the_plan_is_seeded():
    province = examples.small_province(6, seed=3)
    scenario = examples.scenario()
    a = tr.plan(province, scenario, [2026], np.random.default_rng(5))
    b = tr.plan(province, scenario, [2026], np.random.default_rng(5))
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)
    pd.testing.assert_frame_equal(a.events, b.events)

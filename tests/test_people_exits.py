"""Retirement (the statutory roadmap) and exits by cause (seeded competing risks) —
khcadre_sim.people.exits, with hand-checkable cases."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from khcadre_sim.errors import ScenarioError
from khcadre_sim.examples import scenario, tiny_province
from khcadre_sim.io import load_province, province_from_frames
from khcadre_sim.people import events
from khcadre_sim.people.exits import (
    AGE_BANDS,
    CAUSES,
    ExitSettings,
    exits,
    hazards,
    retirements,
    retirements_between,
)
from khcadre_sim.retirement import retirement_month

BASE = scenario()
ZERO = {f"uncertainties.people.exits.{c}": dict.fromkeys(AGE_BANDS, 0.0) for c in CAUSES}


def rates(**changes: dict) -> object:
    """The base scenario with every exit rate 0, then ``changes`` per cause."""
    overrides = {k: dict(v) for k, v in ZERO.items()}
    for cause, values in changes.items():
        overrides[f"uncertainties.people.exits.{cause}"].update(values)
    return BASE.with_overrides(overrides)


def born_1969() -> object:
    """The tiny province with three women born in 1969: S2 in March (birth date given), S4 in
    May (given), S6 with a birth year only (July by convention)."""
    t = tiny_province()
    staff = t.staff.copy()
    staff.loc[staff["staff_id"].isin(["S2", "S4", "S6"]), "birth_year"] = 1969
    staff["birth_date"] = ["", "1969-03-15", "", "20/05/1969", "", ""]
    return province_from_frames({**t.tables(), "staff": staff})


# ---------------------------------------------------------------------------- retirement

def test_woman_born_march_1969_retired_in_november_2025_not_in_service_in_2026():
    p = born_1969()
    t2025, log = retirements(p.staff, BASE.params, 2025, p.positions)
    assert t2025["staff_id"].tolist() == ["S2"]
    row = t2025.iloc[0]
    # Decree 135/2020: women reaching the age in 2025 retire at 56y8m; March 1969 + 56y8m
    assert (row["month"], row["retirement_age_months"]) == (11, 56 * 12 + 8)
    assert row["vacant_from"] == dt.date(2025, 12, 1) and bool(row["birth_month_known"])
    assert (row["territory_id"], row["title"], bool(row["is_manager"])) == (
        "T1", "Chuyên viên", False)
    assert log["event"].tolist() == ["exit", "retirement"]  # sorted by date, person, event
    assert set(log["date"]) == {dt.date(2025, 11, 1)}
    assert log.loc[log["event"] == "exit", "detail"].item() == "retirement"
    assert log.loc[log["event"] == "retirement", "value"].item() == 680.0
    t2026, _ = retirements(p.staff, BASE.params, 2026, p.positions)
    assert "S2" not in set(t2026["staff_id"])


def test_woman_born_may_1969_retires_in_may_2026_and_birth_year_only_in_july():
    p = born_1969()
    t, _ = retirements(p.staff, BASE.params, 2026, p.positions)
    got = {r.staff_id: (r.month, r.birth_month, r.birth_month_known, r.retirement_age_months)
           for r in t.itertuples()}
    assert got == {"S4": (5, 5, True, 57 * 12), "S6": (7, 7, False, 57 * 12)}
    assert t["staff_id"].tolist() == ["S4", "S6"]  # by month
    assert t["vacant_from"].tolist() == [dt.date(2026, 6, 1), dt.date(2026, 8, 1)]
    assert t.loc[t["staff_id"] == "S6", "position_id"].isna().item()  # S6 holds no post


def test_tiny_province_chairman_retires_in_july_2030():
    p = tiny_province()  # S3, a man born in 1968 (July by convention): 62 in July 2030
    table, _ = retirements_between(p.staff, BASE.params, 2026, 2030, p.positions)
    assert table[["staff_id", "year", "month"]].values.tolist() == [["S3", 2030, 7]]
    assert bool(table["is_manager"].item()) and bool(table["is_key_post"].item())


def test_no_retiree_is_an_empty_typed_table():
    p = tiny_province()
    table, log = retirements(p.staff, BASE.params, 2026)
    assert len(table) == 0 and len(log) == 0
    assert str(table["month"].dtype) == "int64" and str(table["is_manager"].dtype) == "boolean"
    assert list(log.columns) == list(events.COLUMNS)


def test_bundled_province_retirements_2026_2030_match_the_roadmap():
    p = load_province()
    table, log = retirements_between(p.staff, BASE.params, 2026, 2030, p.positions)
    # independent count: the scalar roadmap person by person (birth year only → July)
    expected: dict[int, int] = {}
    for sex, born in zip(p.staff["gender"], p.staff["birth_year"], strict=True):
        year, _ = retirement_month(BASE.params, sex, int(born))
        if 2026 <= year <= 2030:
            expected[year] = expected.get(year, 0) + 1
    assert table.groupby("year").size().to_dict() == expected
    assert len(table) == 149  # as base.toml's retirement_monthly_existing comment says
    assert table["staff_id"].is_unique and len(log) == 2 * len(table)
    held = p.positions.set_index("position_id")["is_manager"]
    managers = table["position_id"].dropna().map(held).sum()
    assert int(table["is_manager"].sum()) == int(managers)


# ---------------------------------------------------------------------------- hazards

def test_hazard_is_rate_by_band_times_sex_and_area_factors():
    s = rates(quit={"age_40_49": 0.02, "female_factor": 1.5, "mountain_factor": 2.0,
                    "rural_factor": 0.5},
              transfer={"age_50_plus": 0.01, "island_factor": 3.0})
    p = tiny_province()
    h = hazards(p.staff, p.positions, p.territories, ExitSettings.from_scenario(s),
                2026).set_index("staff_id")
    # S4: woman, 41, post T2-VP (mountain): 0.02 × 1.5 × 2; S5: man, 46, no post, home T2
    # (mountain): 0.02 × 2; S1: man, 51, post in T1 (rural): transfer 0.01, quit band 50+ = 0
    assert h.loc["S4", "p_quit"] == pytest.approx(0.06)
    assert h.loc["S5", "p_quit"] == pytest.approx(0.04) and h.loc["S5", "area_class"] == "mountain"
    assert h.loc["S1", ["p_quit", "p_transfer"]].tolist() == pytest.approx([0.0, 0.01])
    assert h.loc["S2", "age_band"] == "age_30_39" and h.loc["S2", "p_total"] == 0.0
    assert h.loc["S3", "p_transfer"] == pytest.approx(0.01)  # T2 is mountain, not island


def test_hazard_zero_nobody_leaves():
    p = tiny_province()
    s = rates()
    for seed in range(10):
        table, log = exits(p.staff, p.positions, p.territories, s, 2026,
                           np.random.default_rng(seed))
        assert len(table) == 0 and len(log) == 0
    assert str(table["month"].dtype) == "int64" and list(log.columns) == list(events.COLUMNS)


def test_hazard_one_everyone_in_the_band_leaves():
    p = tiny_province()  # ages in 2026: S1 51, S2 36, S3 58, S4 41, S5 46, S6 30
    s = rates(quit={"age_30_39": 1.0})
    for seed in range(5):
        table, log = exits(p.staff, p.positions, p.territories, s, 2026,
                           np.random.default_rng(seed))
        assert sorted(table["staff_id"]) == ["S2", "S6"]
        assert set(table["cause"]) == {"quit"} and set(table["age_band"]) == {"age_30_39"}
        assert log["detail"].tolist() == table.sort_values(["month", "staff_id"])[
            "cause"].tolist()


def test_expected_count_is_n_times_p():
    """5,000 men aged 35 in T1 (rural, factor 1), quit 0.06 and transfer 0.04 a year: over 40
    seeds the mean count is 5,000 × 0.1 = 500 (standard error √(5000·0.1·0.9/40) ≈ 3.4; the
    tolerance is 4 standard errors), 60% quits, each month about 1/12."""
    p = tiny_province()
    n, seeds = 5000, 40
    staff = pd.DataFrame({"staff_id": [f"P{i:05d}" for i in range(n)], "position_id": None,
                          "home_territory_id": "T1", "birth_year": 1991, "gender": "M"})
    s = rates(quit={"age_30_39": 0.06}, transfer={"age_30_39": 0.04})
    counts, quits, months = [], 0, np.zeros(12)
    for seed in range(seeds):
        table, _ = exits(staff, p.positions, p.territories, s, 2026, np.random.default_rng(seed))
        counts.append(len(table))
        quits += int((table["cause"] == "quit").sum())
        months += np.bincount(table["month"] - 1, minlength=12)
    assert abs(np.mean(counts) - n * 0.1) < 4 * np.sqrt(n * 0.1 * 0.9 / seeds)
    total = sum(counts)
    assert abs(quits / total - 0.6) < 4 * np.sqrt(0.6 * 0.4 / total)
    assert np.all(np.abs(months / total - 1 / 12) < 4 * np.sqrt((1 / 12) * (11 / 12) / total))


def test_someone_retiring_in_april_can_leave_otherwise_only_in_january_to_march():
    p = tiny_province()
    n = 600  # men born in October 1964 reach 61y6m in April 2026 (Decree 135/2020 appendix)
    staff = pd.DataFrame({"staff_id": [f"P{i:04d}" for i in range(n)], "position_id": None,
                          "home_territory_id": "T1", "birth_year": 1964, "gender": "M",
                          "birth_date": pd.to_datetime(["1964-10-01"] * n)})
    t, _ = retirements(staff, BASE.params, 2026)
    assert set(t["month"]) == {4}
    s = rates(quit={"age_50_plus": 1.0})
    table, _ = exits(staff, p.positions, p.territories, s, 2026, np.random.default_rng(3))
    assert set(table["month"]) == {1, 2, 3}
    assert abs(len(table) / n - 3 / 12) < 4 * np.sqrt((3 / 12) * (9 / 12) / n)


def test_people_past_retirement_are_not_at_risk():
    p = born_1969()  # S2 retired in November 2025
    s = rates(quit={"age_50_plus": 1.0, "age_30_39": 1.0, "age_40_49": 1.0, "under_30": 1.0})
    table, _ = exits(p.staff, p.positions, p.territories, s, 2026, np.random.default_rng(0))
    assert "S2" not in set(table["staff_id"])
    s4 = table.loc[table["staff_id"] == "S4", "month"]  # retires in May 2026
    assert s4.empty or s4.item() <= 4


def test_same_seed_same_exits_whatever_the_row_order():
    p = load_province()
    s = BASE
    a, la = exits(p.staff, p.positions, p.territories, s, 2027, np.random.default_rng(9))
    shuffled = p.staff.sample(frac=1.0, random_state=1)
    b, lb = exits(shuffled, p.positions, p.territories, s, 2027, np.random.default_rng(9))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(la, lb)
    c, _ = exits(p.staff, p.positions, p.territories, s, 2027, np.random.default_rng(10))
    assert not a["staff_id"].equals(c["staff_id"])


def test_probabilities_adding_up_to_more_than_one_are_a_scenario_error():
    s = rates(quit={"age_50_plus": 0.6}, death_health={"age_50_plus": 0.3, "female_factor": 2.0})
    p = tiny_province()
    with pytest.raises(ScenarioError) as info:
        exits(p.staff, p.positions, p.territories, s, 2026, np.random.default_rng(0))
    (problem,) = info.value.problems
    assert problem.column == "uncertainties.people.exits"
    assert problem.message == ("yearly exit probabilities add up to 1.2 for women, age_50_plus, "
                               "urban units (quit 0.6 + fail_duties 0 + death_health 0.6 + "
                               "transfer 0), more than 1")


def test_settings_defaults_are_the_base_scenario():
    assert ExitSettings.from_scenario(BASE) == ExitSettings()
    grid = ExitSettings().grid()
    assert grid[CAUSES.index("quit")].min() == grid[CAUSES.index("quit")].max() == 0.0226
    with pytest.raises(ValueError, match="needs params"):
        p = tiny_province()
        exits(p.staff, p.positions, p.territories, ExitSettings(), 2026,
              np.random.default_rng(0))

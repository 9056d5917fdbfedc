"""Worked cases for each dated policy figure in data/policy/parameters.toml."""

import datetime as dt

import pytest

from khcadre_sim.errors import ScenarioError
from khcadre_sim.params import load_parameters
from khcadre_sim.paths import POLICY_PARAMETERS

P = load_parameters(POLICY_PARAMETERS)
D = dt.date


@pytest.mark.parametrize(("name", "on", "value"), [
    ("base_salary", D(2026, 6, 30), 2_340_000),   # Decree 73/2024/NĐ-CP
    ("base_salary", D(2026, 7, 1), 2_530_000),    # Decree 161/2026/NĐ-CP
    ("entry_salary_coefficient", D(2026, 1, 1), 2.34),
    ("talent_allowance_share", D(2026, 1, 1), 1.5),  # Decree 179/2024/NĐ-CP
    ("talent_budget_share_of_salary_fund", D(2026, 1, 1), 0.10),  # Conclusion 205-KL/TW
    ("rating_excellent_min", D(2026, 1, 1), 90),  # Decree 335/2025/NĐ-CP
    ("rating_good_min", D(2026, 1, 1), 70),
    ("rating_completed_min", D(2026, 1, 1), 50),
    ("excellent_max_share_of_good", D(2026, 1, 1), 0.20),
    ("government_posts_per_commune", D(2026, 1, 1), 32),  # Official Dispatch 09/CV-BCĐ
    ("deputies_per_office", D(2026, 1, 1), 2),  # Resolution 332/NQ-CP
    ("working_days_per_year", D(2026, 1, 1), 232),
    ("working_hours_per_day", D(2026, 1, 1), 8),
    ("case_work_share", D(2026, 1, 1), 0.70),
])
def test_value_on_date(name, on, value):
    assert P.value(name, on) == pytest.approx(value)


def test_entry_salary_arithmetic():
    # 2.34 × base salary: 5,475,600 before 1 July 2026 and 5,920,200 from then
    coef = P.value("entry_salary_coefficient", D(2026, 1, 1))
    assert round(coef * P.value("base_salary", D(2026, 1, 1))) == 5_475_600
    assert round(coef * P.value("base_salary", D(2026, 7, 1))) == 5_920_200


def test_every_value_has_a_source_and_assumptions_are_flagged():
    for row in P.table():
        assert row["source"].strip()
    flagged = {row["parameter"] for row in P.table() if row["assumption"]}
    assert {"case_work_share", "working_days_per_year",
            "talent_budget_share_of_salary_fund"} <= flagged  # 205-KL/TW applied as a ceiling
    assert "base_salary" not in flagged


def test_before_first_date_is_an_error():
    with pytest.raises(ScenarioError, match="no value applies on 2020-01-01"):
        P.value("base_salary", D(2020, 1, 1))

"""Retirement roadmap (Labour Code 2019 Art. 169; Decree 135/2020/NĐ-CP) — worked cases."""

import datetime as dt

import pytest

from khcadre_sim.io import load_province
from khcadre_sim.params import load_parameters
from khcadre_sim.paths import POLICY_PARAMETERS
from khcadre_sim.retirement import (
    oldest_birth_year_in_service,
    retirement_age_months,
    retirement_index,
    retirement_month,
)

P = load_parameters(POLICY_PARAMETERS)


@pytest.mark.parametrize(("sex", "year", "months"), [
    ("M", 2021, 60 * 12 + 3), ("M", 2026, 61 * 12 + 6), ("M", 2028, 62 * 12), ("M", 2035, 744),
    ("F", 2021, 55 * 12 + 4), ("F", 2026, 57 * 12), ("F", 2030, 58 * 12 + 4),
    ("F", 2035, 60 * 12), ("F", 2040, 720)])
def test_age_by_year(sex, year, months):
    assert retirement_age_months(P, sex, year) == months


@pytest.mark.parametrize(("sex", "born", "retires"), [
    # Decree 135/2020 appendix: women born 9/1968–4/1969 retire in 2025 at 56y8m …
    ("F", (1968, 9), (2025, 5)), ("F", (1969, 3), (2025, 11)), ("F", (1969, 4), (2025, 12)),
    # … women born 5/1969–12/1969 in 2026 at 57y0m
    ("F", (1969, 5), (2026, 5)), ("F", (1969, 12), (2026, 12)),
    # men: 61y3m in 2025 (born 10/1963–9/1964), 61y6m in 2026 (born 10/1964–6/1965),
    # 61y9m in 2027, 62y from 2028
    ("M", (1964, 9), (2025, 12)), ("M", (1964, 10), (2026, 4)), ("M", (1965, 6), (2026, 12)),
    ("M", (1965, 7), (2027, 4)),
    ("M", (1970, 5), (2032, 5)),
])
def test_month_of_retirement(sex, born, retires):
    assert retirement_month(P, sex, *born) == retires


def test_birth_year_only_means_born_in_july():
    assert retirement_month(P, "F", 1969) == retirement_month(P, "F", 1969, 7) == (2026, 7)
    idx = retirement_index(P, ["F", "M"], [1969, 1965])
    assert list(idx) == [2026 * 12 + 6, 2027 * 12 + 3]


def test_nobody_in_the_bundled_province_is_past_retirement():
    staff = load_province().staff
    on = dt.date(2026, 1, 1)
    for sex in ("F", "M"):
        oldest = oldest_birth_year_in_service(P, sex, on)
        assert staff.loc[staff["gender"] == sex, "birth_year"].min() >= oldest
    assert oldest_birth_year_in_service(P, "F", on) == 1969
    assert oldest_birth_year_in_service(P, "M", on) == 1965

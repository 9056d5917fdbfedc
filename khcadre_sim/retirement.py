"""Statutory retirement under normal working conditions (Labour Code 2019 Art. 169; Decree
135/2020/NĐ-CP).

The retirement age rises by a fixed step each calendar year (men 60y3m in 2021 → 62y in 2028;
women 55y4m in 2021 → 60y in 2035), read from the dated parameters
``retirement_age_men_months`` / ``retirement_age_women_months``. A person retires at the age in
force in the calendar year in which they reach it — which is how Decree 135/2020's appendix maps
a month of birth to a month of retirement. Retirement takes effect at the end of the month the
age is reached; the pension is paid from the next month.

Birth month: when the data hold a birth year only, the person is taken to be born in
``DEFAULT_BIRTH_MONTH`` (July, mid-year) — a stated convention of this project, not a rule.
Earlier retirement for hard or remote areas and later retirement for some senior posts exist
in law but are not modelled (no person-level data to apply them).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

DEFAULT_BIRTH_MONTH = 7  # convention for a birth year without a month: mid-year
_PARAMETER = {"M": "retirement_age_men_months", "F": "retirement_age_women_months"}


def retirement_age_months(params, sex: str, year: int) -> int:
    """Retirement age (months) for a person of ``sex`` ("F"/"M") reaching it in ``year``."""
    return int(params.value(_PARAMETER[sex], dt.date(year, 1, 1)))


def retirement_month(params, sex: str, birth_year: int,
                     birth_month: int = DEFAULT_BIRTH_MONTH) -> tuple[int, int]:
    """(year, month) in which the person reaches the retirement age in force that year.

    They work to the end of that month. Example (Decree 135/2020 appendix: women born 9/1968 –
    4/1969 retire in 2025 at 56y8m): a woman born in March 1969 reaches 56y8m in November 2025,
    so she retires at the end of November 2025 and draws a pension from December 2025.
    """
    born = birth_year * 12 + (birth_month - 1)
    for year in range(birth_year + 40, birth_year + 80):
        reached = born + retirement_age_months(params, sex, year)
        # the age rises by at most 4 months a year, so reached // 12 meets ``year`` exactly once
        if reached // 12 == year:
            return year, reached % 12 + 1
    raise ValueError(f"no retirement month found for birth year {birth_year}")


def retirement_index(params, sex: np.ndarray, birth_year: np.ndarray,
                     birth_month: np.ndarray | None = None) -> np.ndarray:
    """Vectorised :func:`retirement_month` as a month index ``year × 12 + (month − 1)``."""
    sex = np.asarray(sex).astype(str)
    birth_year = np.asarray(birth_year).astype(int)
    months = (np.full(len(birth_year), DEFAULT_BIRTH_MONTH) if birth_month is None
              else np.asarray(birth_month).astype(int))
    # one computation per distinct (sex, birth year, birth month): a few hundred for a province
    keys = pd.MultiIndex.from_arrays([sex, birth_year, months])
    codes, distinct = pd.factorize(keys)
    per_key = np.zeros(len(distinct), dtype=np.int64)
    for k, (g, b, mo) in enumerate(distinct):
        y, m = retirement_month(params, str(g), int(b), int(mo))
        per_key[k] = y * 12 + (m - 1)
    return per_key[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def oldest_birth_year_in_service(params, sex: str, on: dt.date,
                                 birth_month: int = DEFAULT_BIRTH_MONTH) -> int:
    """Earliest birth year of someone of ``sex`` (born in ``birth_month``) still in service on
    ``on`` — i.e. whose retirement month is not before the month of ``on``."""
    year = on.year - 30
    while True:
        y, m = retirement_month(params, sex, year - 1, birth_month)
        if (y, m) < (on.year, on.month):
            return year
        year -= 1

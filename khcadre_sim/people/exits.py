"""Retirement and exits: who leaves public service in a year, when, and why.

**Retirement** follows the statutory roadmap (Labour Code 2019 Art. 169; Decree 135/2020/NĐ-CP;
:mod:`khcadre_sim.retirement` with the dated parameters ``retirement_age_men_months`` /
``retirement_age_women_months``): a person retires at the end of the month in which they reach
the age in force in that calendar year, and their post is vacant from the next month. The month
of birth comes from the optional ``birth_date`` column of the staff table (only the month is
used: the day does not change the month of retirement); without it, a person is taken to be born
in July (:data:`khcadre_sim.retirement.DEFAULT_BIRTH_MONTH`, the project's stated convention).
Earlier retirement for hard areas and later retirement for some senior posts exist in law but
are not modelled.

**Other exits** — quitting by choice (``quit``, "tự ý nghỉ việc"), dismissal for failing duties
(``fail_duties``, "không hoàn thành nhiệm vụ"), death or ill health (``death_health``), transfer
out of commune-level service by the state (``transfer``) — are competing risks with a yearly
probability per person::

    p[cause] = rate[cause, age band] × female_factor[cause] (women) × area_factor[cause, area]

read from ``[uncertainties.people.exits.<cause>]`` (age bands by the age reached in the year:
under 30, 30–39, 40–49, 50 or more; area class of the person's post, or of their home commune
when they hold none; urban = 1). The causes' probabilities may not add up to more than 1. Each
person draws three uniforms ``u`` (rows sorted by staff_id, so the order of the input table does
not matter): they leave when ``u0 < Σ p``, in month ``1 + ⌊12 u1⌋`` (uniform over the year), for
the cause whose share of ``Σ p`` holds ``u2``. A person who retires in month ``R`` of the year
can leave for another cause only in months ``1 … R−1`` — in month ``R`` retirement is the cause
— so their chance of another exit is ``Σ p × (R − 1) / 12``.

Dates: an exit in month ``m`` means the person serves to the end of month ``m`` and the post is
vacant from month ``m + 1``; the event log dates it on the first day of month ``m``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem, ScenarioError
from ..keys import build, default
from ..retirement import DEFAULT_BIRTH_MONTH, retirement_age_months, retirement_index
from . import events

CAUSES = ("quit", "fail_duties", "death_health", "transfer")  # hazards; retirement: the roadmap
AGE_BANDS = ("under_30", "age_30_39", "age_40_49", "age_50_plus")
AGE_EDGES = (30, 40, 50)  # lower edges of the bands after the first
AREA_CLASSES = ("urban", "rural", "mountain", "island")
SECTION = "uncertainties.people.exits"

RETIREMENTS: dict[str, Any] = {
    "staff_id": "string", "position_id": "string", "territory_id": "string", "title": "string",
    "is_manager": "boolean", "is_key_post": "boolean", "gender": "string",
    "birth_year": "int64", "birth_month": "int64", "birth_month_known": "bool",
    "retirement_age_months": "int64", "year": "int64", "month": "int64",
    "vacant_from": "object"}
EXITS: dict[str, Any] = {
    "staff_id": "string", "position_id": "string", "territory_id": "string",
    "area_class": "string", "is_manager": "boolean", "gender": "string", "age": "int64",
    "age_band": "string", "cause": "string", "probability": "float64", "year": "int64",
    "month": "int64"}


@dataclass(frozen=True)
class CauseRates:
    """Yearly probability of one cause by age band (man, urban unit) and its factors."""

    under_30: float
    age_30_39: float
    age_40_49: float
    age_50_plus: float
    female_factor: float
    rural_factor: float
    mountain_factor: float
    island_factor: float

    def by_band(self) -> np.ndarray:
        return np.array([getattr(self, b) for b in AGE_BANDS], dtype="float64")

    def by_area(self) -> np.ndarray:
        return np.array([1.0 if a == "urban" else getattr(self, f"{a}_factor")
                         for a in AREA_CLASSES], dtype="float64")


def _defaults(cause: str) -> CauseRates:
    return CauseRates(**{f.name: default(f"{SECTION}.{cause}.{f.name}")
                         for f in fields(CauseRates)})


@dataclass(frozen=True)
class ExitSettings:
    """``[uncertainties.people.exits]`` (names and defaults from the scenario key table)."""

    quit: CauseRates = field(default_factory=lambda: _defaults("quit"))
    fail_duties: CauseRates = field(default_factory=lambda: _defaults("fail_duties"))
    death_health: CauseRates = field(default_factory=lambda: _defaults("death_health"))
    transfer: CauseRates = field(default_factory=lambda: _defaults("transfer"))

    @classmethod
    def from_scenario(cls, scenario: Any) -> ExitSettings:
        settings = build(cls, scenario, "people.exits")
        settings.check(scenario.origin)
        return settings

    def grid(self) -> np.ndarray:
        """Yearly probabilities ``[cause, band, sex (0 man, 1 woman), area class]``."""
        out = np.empty((len(CAUSES), len(AGE_BANDS), 2, len(AREA_CLASSES)))
        for c, cause in enumerate(CAUSES):
            r: CauseRates = getattr(self, cause)
            sex = np.array([1.0, r.female_factor])
            out[c] = r.by_band()[:, None, None] * sex[None, :, None] * r.by_area()[None, None, :]
        return out

    def check(self, origin: Any = None) -> None:
        """Raise :class:`ScenarioError` when some person's probabilities add up to more than 1
        (the first such group: age band, sex, area class)."""
        total = self.grid().sum(axis=0)
        if not (total > 1 + 1e-12).any():
            return
        b, s, a = (int(i[0]) for i in np.nonzero(total > 1 + 1e-12))
        parts = " + ".join(f"{c} {self.grid()[k, b, s, a]:.4g}" for k, c in enumerate(CAUSES))
        who = f"{'women' if s else 'men'}, {AGE_BANDS[b]}, {AREA_CLASSES[a]} units"
        key = f"{SECTION}.quit.{AGE_BANDS[b]}"
        raise ScenarioError(Problem(
            file=origin(key) if origin else "scenario", column=SECTION,
            message=f"yearly exit probabilities add up to {total[b, s, a]:.4g} for {who} "
                    f"({parts}), more than 1",
            fix="lower the rates or factors of [uncertainties.people.exits.*] so that the four "
                "causes' probabilities add up to at most 1"))


def _settings(scenario_or_settings: Any) -> ExitSettings:
    if isinstance(scenario_or_settings, ExitSettings):
        scenario_or_settings.check()
        return scenario_or_settings
    return ExitSettings.from_scenario(scenario_or_settings)


# ---------------------------------------------------------------------------------- helpers

def birth_months(staff: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(month of birth 1–12, whether it is known) per row: from ``birth_date`` where given,
    else July by convention."""
    known = np.zeros(len(staff), dtype=bool)
    month = np.full(len(staff), DEFAULT_BIRTH_MONTH, dtype=np.int64)
    if "birth_date" in staff.columns:
        born = pd.to_datetime(staff["birth_date"])
        known = born.notna().to_numpy()
        month[known] = born[known].dt.month.to_numpy(dtype=np.int64)
    return month, known


def age_band(age: np.ndarray) -> np.ndarray:
    """Index into :data:`AGE_BANDS` of each age."""
    return np.searchsorted(np.asarray(AGE_EDGES), np.asarray(age), side="right")


def _posts(staff: pd.DataFrame, positions: pd.DataFrame | None) -> pd.DataFrame:
    """Each person's post columns (territory, title, manager flags; NA without a post)."""
    cols = ["territory_id", "title", "is_manager", "is_key_post"]
    if positions is None:
        return pd.DataFrame({c: pd.Series(pd.NA, index=staff.index, dtype="object")
                             for c in cols})
    pos = positions.set_index("position_id")
    keys = staff["position_id"]
    return pd.DataFrame({c: keys.map(pos[c]) if c in pos.columns else pd.NA for c in cols},
                        index=staff.index)


def _typed(data: dict[str, Any], schema: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(list(data[c]), dtype="object") for c in schema})
    return frame.astype(schema)


# -------------------------------------------------------------------------------- retirement

def retirements(staff: pd.DataFrame, params: Any, year: int,
                positions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Who reaches the statutory retirement age in ``year``, and in which month.

    Returns (table, events): one row per retiree (columns :data:`RETIREMENTS`; ``month`` is the
    last month of service, ``vacant_from`` the first day of the next month; post columns come
    from ``positions`` when given), and two events per retiree dated the first day of ``month``:
    ``retirement`` (value = the age in force, in months) and ``exit`` with cause
    ``retirement``. People who reached the age before ``year`` are not listed.
    """
    month, known = birth_months(staff)
    index = retirement_index(params, staff["gender"].to_numpy(), staff["birth_year"].to_numpy(),
                             month) if len(staff) else np.zeros(0, dtype=np.int64)
    mask = index // 12 == year
    who = staff[mask]
    posts = _posts(who, positions)
    months = index[mask] % 12 + 1
    ages = [retirement_age_months(params, g, year) for g in who["gender"]]
    table = _typed({
        "staff_id": who["staff_id"], "position_id": who["position_id"],
        "territory_id": posts["territory_id"], "title": posts["title"],
        "is_manager": posts["is_manager"], "is_key_post": posts["is_key_post"],
        "gender": who["gender"], "birth_year": who["birth_year"], "birth_month": month[mask],
        "birth_month_known": known[mask], "retirement_age_months": ages,
        "year": [year] * len(who), "month": months,
        "vacant_from": [dt.date(year + m // 12, m % 12 + 1, 1) for m in months],
    }, RETIREMENTS).sort_values(["month", "staff_id"], kind="stable").reset_index(drop=True)
    rows = []
    for r in table.itertuples(index=False):
        where = {"date": events.month(year, int(r.month)), "staff_id": r.staff_id,
                 "territory_id": r.territory_id, "position_id": r.position_id}
        rows.append({**where, "event": "retirement", "detail": "statutory_age",
                     "value": float(r.retirement_age_months)})
        rows.append({**where, "event": "exit", "detail": "retirement"})
    return table, events.concat([events.make(rows)])


def retirements_between(staff: pd.DataFrame, params: Any, first: int, last: int,
                        positions: pd.DataFrame | None = None) -> tuple[pd.DataFrame,
                                                                        pd.DataFrame]:
    """:func:`retirements` for each year ``first … last``, concatenated."""
    parts = [retirements(staff, params, y, positions) for y in range(first, last + 1)]
    table = pd.concat([t for t, _ in parts], ignore_index=True).astype(RETIREMENTS)
    return table, events.concat(e for _, e in parts)


# ------------------------------------------------------------------------------------- exits

def hazards(staff: pd.DataFrame, positions: pd.DataFrame, territories: pd.DataFrame,
            settings: ExitSettings, year: int) -> pd.DataFrame:
    """Each person's yearly probability of leaving by each cause (columns ``p_<cause>`` and
    ``p_total``), with the age, band, sex and area class they were read from."""
    posts = _posts(staff, positions)
    area_of = territories.set_index("territory_id")["area_class"]
    where = posts["territory_id"].where(posts["territory_id"].notna(),
                                        staff["home_territory_id"])
    area = where.map(area_of)
    age = (year - staff["birth_year"]).to_numpy(dtype=np.int64)
    band = age_band(age)
    female = (staff["gender"] == "F").to_numpy().astype(np.int64)
    area_index = area.map({a: i for i, a in enumerate(AREA_CLASSES)}).to_numpy(dtype=np.int64)
    grid = settings.grid()
    out = pd.DataFrame({
        "staff_id": staff["staff_id"].to_numpy(), "position_id": staff["position_id"].to_numpy(),
        "territory_id": where.to_numpy(), "area_class": area.to_numpy(),
        "is_manager": posts["is_manager"].to_numpy(), "gender": staff["gender"].to_numpy(),
        "age": age, "age_band": np.asarray(AGE_BANDS)[band]})
    for c, cause in enumerate(CAUSES):
        out[f"p_{cause}"] = grid[c, band, female, area_index]
    out["p_total"] = out[[f"p_{c}" for c in CAUSES]].sum(axis=1)
    return out


def exits(staff: pd.DataFrame, positions: pd.DataFrame, territories: pd.DataFrame,
          scenario_or_settings: Any, year: int, rng: np.random.Generator, *,
          params: Any = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Exits other than retirement in ``year`` (see the module docstring for the rule).

    ``scenario_or_settings`` is a scenario (its ``[uncertainties.people.exits]`` and its dated
    parameters) or an :class:`ExitSettings` (then pass ``params``, the dated parameters giving
    the retirement roadmap). People already past their retirement month are not at risk.
    Returns (table with columns :data:`EXITS`, events: one ``exit`` per row, detail = cause).
    """
    settings = _settings(scenario_or_settings)
    params = params if params is not None else getattr(scenario_or_settings, "params", None)
    if params is None:
        raise ValueError("exits() with ExitSettings needs params (the dated parameters)")
    staff = staff.sort_values("staff_id", kind="stable").reset_index(drop=True)
    risk = hazards(staff, positions, territories, settings, year)
    month_of_birth, _ = birth_months(staff)
    retire = retirement_index(params, staff["gender"].to_numpy(), staff["birth_year"].to_numpy(),
                              month_of_birth) if len(staff) else np.zeros(0, dtype=np.int64)
    u = rng.random((len(staff), 3))
    month = 1 + np.minimum((12 * u[:, 1]).astype(np.int64), 11)
    p = risk[[f"p_{c}" for c in CAUSES]].to_numpy()
    total = p.sum(axis=1)
    leaves = (u[:, 0] < total) & (year * 12 + month - 1 < retire)  # in service, before retiring
    share = np.cumsum(p, axis=1) / np.where(total > 0, total, 1.0)[:, None]
    cause = np.minimum((u[:, 2:3] >= share).sum(axis=1), len(CAUSES) - 1)
    left = risk[leaves]
    table = _typed({
        **{c: left[c] for c in ("staff_id", "position_id", "territory_id", "area_class",
                                "is_manager", "gender", "age", "age_band")},
        "cause": np.asarray(CAUSES)[cause[leaves]], "probability": left["p_total"],
        "year": [year] * len(left), "month": month[leaves],
    }, EXITS).sort_values(["month", "staff_id"], kind="stable").reset_index(drop=True)
    log = events.make({"date": events.month(year, int(r.month)), "staff_id": r.staff_id,
                       "event": "exit", "territory_id": r.territory_id,
                       "position_id": r.position_id, "detail": r.cause}
                      for r in table.itertuples(index=False))
    return table, events.concat([log])

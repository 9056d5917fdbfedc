"""Warnings on a valid province: what the rules forbid but the data contract cannot.

A warning never stops a run; each is one :class:`Problem` line (file, column, what, fix) that
the command line prints as ``warning:``. Checks read nothing and print nothing.

First check — the Decree 335/2025/NĐ-CP quota: within each unit and group of similar duties,
"excellent" ratings may not exceed ``excellent_max_share_of_good`` (20%) of the "good" ones. The
groups are those of :mod:`khcadre_sim.ratings` (key posts, other managers, specialists per
unit). A province has hundreds of groups, so the violations come back as ONE summary line: how
many groups, how many "excellent" ratings too many, and the worst few by name.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .errors import Problem
from .io import Province
from .params import Parameters
from .ratings import quota_table
from .scenario import Scenario

QUOTA_PARAMETER = "excellent_max_share_of_good"
WORST_SHOWN = 3  # groups named in the summary line
GROUP_WORDS = {"key": "key posts", "manager": "other managers", "specialist": "specialists"}


def _parameters_and_date(params: Parameters | Scenario,
                         on: dt.date | None) -> tuple[Parameters, dt.date]:
    """A scenario gives its parameters and 1 January of its ``reference_year``; bare parameters
    without a date give the latest value of the quota."""
    if isinstance(params, Scenario):
        year = params.get("constants.reference_year")
        return params.params, on or dt.date(int(year), 1, 1)
    return params, on or params.get(QUOTA_PARAMETER).values[-1].start


def rating_quota_warning(province: Province, params: Parameters | Scenario,
                         on: dt.date | None = None) -> Problem | None:
    """One summary warning if ``last_rating`` breaks the "excellent" quota in any group."""
    params, on = _parameters_and_date(params, on)
    rule = params.get(QUOTA_PARAMETER).at(on)
    share = rule.value
    table = quota_table(province.staff, province.positions, share)
    over = table[table["excess_excellent"] > 0]
    if over.empty:
        return None
    names = province.territories.set_index("territory_id")["name"]
    worst = over.sort_values(["excess_excellent", "excellent", "unit", "title_group"],
                             ascending=[False, False, True, True], kind="stable")
    shown = "; ".join(
        f"{names.get(r.unit, r.unit)} ({r.unit}), {GROUP_WORDS.get(r.title_group, r.title_group)}"
        f": {r.excellent} excellent, {r.good} good, {r.allowed_excellent} allowed"
        for r in worst.head(WORST_SHOWN).itertuples())
    more = f"; … and {len(over) - WORST_SHOWN} more" if len(over) > WORST_SHOWN else ""
    return Problem(
        file=province.files.get("staff", "staff"), column="last_rating",
        message=f"'excellent' ratings exceed {share:.0%} of 'good' ({rule.source}) in "
                f"{len(over)} of {len(table)} groups of similar duties, "
                f"{int(over['excess_excellent'].sum())} 'excellent' too many in all — worst: "
                f"{shown}{more}",
        fix=f"review these ratings: in each unit, key posts, other managers and specialists "
            f"are separate groups, and a group may rate at most {share:.0%} of its 'good' count "
            f"'excellent' (10 good allow 2); ratings given before {rule.start.isoformat()} "
            "followed earlier rules")


def check_province(province: Province, params: Parameters | Scenario,
                   on: dt.date | None = None) -> list[Problem]:
    """Warnings on a valid province (empty when nothing is wrong). ``params`` is a scenario
    (rules in force on 1 January of its ``reference_year``) or dated parameters (rules in force
    on ``on``, default: their latest values)."""
    warnings = [rating_quota_warning(province, params, on)]
    return [w for w in warnings if w is not None]


def quota_violations(province: Province, params: Parameters | Scenario,
                     on: dt.date | None = None) -> pd.DataFrame:
    """The groups behind the quota warning, worst first (for a report or a notebook)."""
    params, on = _parameters_and_date(params, on)
    table = quota_table(province.staff, province.positions, params.value(QUOTA_PARAMETER, on))
    return (table[table["excess_excellent"] > 0]
            .sort_values(["excess_excellent", "excellent"], ascending=False, kind="stable")
            .reset_index(drop=True))

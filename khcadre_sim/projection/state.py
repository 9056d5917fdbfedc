"""The state a projection carries from one year to the next, and its year-end snapshot.

One :class:`ProjectionState` per scenario and seed: the province as it stands (staff in service
with their posts, the posts including those opened for the shortage), the rotation table
(:mod:`khcadre_sim.people.rotation`), the last annual ratings, who was reviewed and who is to
be reconsidered (training without effect, rotations ending in promotion), the need-driven offers
of the talent programmes so far, and the event log (:mod:`khcadre_sim.people.events`). The
mechanisms return new tables; the helpers here only put them into the state (table glue, no
rule of their own).

A **snapshot** (:data:`SNAPSHOT`) is the state at the end of a year, one row per post (held or
vacant) and one per person without a post, with what the indicators need that the event log
does not hold (the post's field and kind, the holder's age group, sex, ethnicity, load ratio
and whether they have been reviewed).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..io import Province
from ..people import events
from ..people import rotation as rotation_mod
from ..ratings import title_group
from ..schema import isin

SNAPSHOT: dict[str, Any] = {
    "year": "int64", "staff_id": "string", "position_id": "string", "territory_id": "string",
    "area_class": "string", "field": "string", "new_work": "bool", "is_manager": "bool",
    "title_group": "string", "young": "bool", "female": "bool", "minority": "bool",
    "load_ratio": "float64", "reviewed": "bool"}
BUDGET: dict[str, Any] = {"year": "int64", "territory_id": "string",
                          "incentive_spending_vnd": "float64",
                          "incentive_ceiling_vnd": "float64"}
PROGRAMME_OFFERS: dict[str, Any] = {"programme": "string", "year": "int64", "needed": "int64",
                                    "offers": "int64", "commune_offers": "int64"}


@dataclass
class ProjectionState:
    """Everything carried from one year to the next for one scenario and one seed."""

    year: int  # the year about to be simulated
    province: Province
    rotations: pd.DataFrame = field(default_factory=rotation_mod.empty)
    ratings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"staff_id": pd.Series(dtype="string"), "rating": pd.Series(dtype="string")}))
    reviewed: set[str] = field(default_factory=set)
    reconsider: set[str] = field(default_factory=set)  # to be offered other work next January
    programme_offers: list[pd.DataFrame] = field(default_factory=list)
    logs: list[pd.DataFrame] = field(default_factory=list)

    def log(self, frame: pd.DataFrame) -> None:
        if len(frame):
            self.logs.append(frame)

    def events(self) -> pd.DataFrame:
        return events.concat(self.logs)

    def with_staff(self, staff: pd.DataFrame, positions: pd.DataFrame | None = None) -> None:
        """Replace the staff (and posts) keeping the province's declared dtypes."""
        p = self.province
        staff = staff.reset_index(drop=True).astype(p.staff.dtypes.to_dict())
        pos = p.positions if positions is None else positions.reset_index(drop=True).astype(
            p.positions.dtypes.to_dict())
        self.province = dataclasses.replace(p, staff=staff, positions=pos)


def typed(frame: pd.DataFrame, schema: dict[str, Any]) -> pd.DataFrame:
    """``frame`` with exactly the columns of ``schema`` in its dtypes (empty frames too)."""
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in schema.items()})
    return frame[list(schema)].astype(schema).reset_index(drop=True)


# ----------------------------------------------------------------------- applying changes

def set_posts(state: ProjectionState, new_post: dict[str, str | None], year: int,
              detail: str) -> int:
    """Give people new posts (``None`` = no post), reset their years in post and log a ``moved``
    event (January of ``year``) for every change. Returns the number of changes."""
    staff = state.province.staff.copy()
    ids = staff["staff_id"].astype(str)
    current = dict(zip(ids.to_numpy(dtype=object), staff["position_id"].astype(object).where(
        staff["position_id"].notna(), None).to_numpy(dtype=object), strict=True))
    changed = {i: p for i, p in new_post.items() if i in current and current[i] != p}
    if not changed:
        return 0
    mask = isin(ids, changed)
    staff.loc[mask, "position_id"] = ids[mask].map(changed).to_numpy(dtype=object)
    staff.loc[mask, "years_in_post"] = 0.0
    state.with_staff(staff)
    where = state.province.positions.set_index("position_id")["territory_id"]
    state.log(events.make({"date": events.month(year, 1), "staff_id": i, "event": "moved",
                           "territory_id": where.get(p) if p is not None else None,
                           "position_id": p, "detail": detail}
                          for i, p in sorted(changed.items())))
    return len(changed)


def remove_leavers(state: ProjectionState, leaving: set[str]) -> None:
    """Take the people who left public service out of the staff; end their rotations."""
    staff = state.province.staff
    state.with_staff(staff[~isin(staff["staff_id"].astype(str), leaving)])
    r = state.rotations
    gone = isin(r["staff_id"].astype(str), leaving) & (r["status"] == "active").to_numpy(
        dtype=bool)
    if gone.any():
        r = r.copy()
        r.loc[gone, "status"] = "ended"
        state.rotations = r.astype(rotation_mod.COLUMNS)


def add_recruits(state: ProjectionState, result: Any) -> None:
    """The year's recruitment in the state: redeployed surplus in their posts, new posts opened,
    recruits in post (the staff contract's columns of :attr:`RecruitmentResult.recruits`)."""
    p = state.province
    staff = p.staff.copy()
    moved = dict(zip(result.redeployed["staff_id"].astype(str),
                     result.redeployed["position_id"].astype(str), strict=True))
    if moved:
        ids = staff["staff_id"].astype(str)
        mask = isin(ids, moved)
        staff.loc[mask, "position_id"] = ids[mask].map(moved).to_numpy(dtype=object)
        staff.loc[mask, "years_in_post"] = 0.0
    recruits = result.recruits[[c for c in staff.columns if c in result.recruits.columns]]
    parts = [staff] + ([recruits.astype(staff.dtypes.to_dict())] if len(recruits) else [])
    posts = [p.positions] + ([result.new_posts.astype(p.positions.dtypes.to_dict())]
                             if len(result.new_posts) else [])
    state.with_staff(pd.concat(parts, ignore_index=True),
                     pd.concat(posts, ignore_index=True))


def next_year(state: ProjectionState) -> None:
    """Everyone has served one more year in their post."""
    staff = state.province.staff.copy()
    held = staff["position_id"].notna().to_numpy()
    staff.loc[held, "years_in_post"] = staff.loc[held, "years_in_post"].to_numpy(float) + 1.0
    state.with_staff(staff)
    state.year += 1


# ----------------------------------------------------------------------------- snapshots

def snapshot(province: Province, year: int, load: pd.Series, reviewed: set[str],
             young_age: int, new_work: set[str]) -> pd.DataFrame:
    """The state at the end of ``year`` (columns :data:`SNAPSHOT`): every post with its holder
    (if any) and every person without a post (territory = home commune)."""
    staff, pos, terr = province.staff, province.positions, province.territories
    area = terr.set_index("territory_id")["area_class"]
    held = staff[staff["position_id"].notna()]
    holder = pd.Series(held["staff_id"].astype(str).to_numpy(),
                       index=held["position_id"].astype(str).to_numpy())
    post_ids = pos["position_id"].astype(str)
    sid = post_ids.map(holder)
    posts = pd.DataFrame({
        "staff_id": sid.to_numpy(dtype=object), "position_id": post_ids.to_numpy(),
        "territory_id": pos["territory_id"].astype(str).to_numpy(),
        "field": pos["field"].astype(str).to_numpy(),
        "is_manager": pos["is_manager"].to_numpy(dtype=bool),
        "title_group": title_group(pos).astype(str).to_numpy()})
    free = staff[staff["position_id"].isna()]
    people = pd.DataFrame({
        "staff_id": free["staff_id"].astype(str).to_numpy(), "position_id": None,
        "territory_id": free["home_territory_id"].astype(str).to_numpy(), "field": None,
        "is_manager": False, "title_group": "specialist"})
    out = pd.concat([posts, people], ignore_index=True)
    who = staff.set_index(staff["staff_id"].astype(str))
    ids = out["staff_id"]
    has = ids.notna().to_numpy()
    age = year - ids.map(who["birth_year"]).to_numpy(dtype=float)
    out["young"] = has & (age < young_age)
    out["female"] = has & (ids.map(who["gender"]).astype(str) == "F").to_numpy()
    out["minority"] = has & ids.map(who["ethnic_minority"]).astype("boolean").fillna(
        False).to_numpy(dtype=bool)  # boolean first: fillna on object warns in pandas 2.2
    out["load_ratio"] = ids.map(load).to_numpy(dtype=float)
    out["reviewed"] = has & isin(ids, reviewed)
    out["area_class"] = out["territory_id"].map(area).to_numpy()
    out["new_work"] = out["field"].isin(new_work).to_numpy()
    out["year"] = year
    out = out.sort_values(["territory_id", "position_id", "staff_id"], kind="stable",
                          na_position="last")
    return typed(out, SNAPSHOT)


def no_load() -> pd.Series:
    return pd.Series(dtype="float64")


__all__ = ["BUDGET", "SNAPSHOT", "ProjectionState", "add_recruits", "next_year", "no_load",
           "remove_leavers", "set_posts", "snapshot", "typed"]



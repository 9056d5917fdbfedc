"""Competency framework review (Resolution §II.1, §II.6).

Every person is scored against their post's three requirement groups — (i) political quality,
ethics and service; (ii) public-service execution; (iii) development capacity — with the
territory's priorities: a post whose field is a priority of its area class (§II.7) asks
``priority_uplift_development`` more development points. People without a post are reviewed
against the scenario's standard for unplaced staff, so the reviewed share is 100% of the data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..capability import ResultBase, computed
from ..io import Province, load_area_class_priorities
from ..keys import build, setting
from ..scenario import Scenario
from ..solve import SolveResult

GROUPS = ("political", "execution", "development")


@dataclass(frozen=True)
class GroupWeights:
    """Weights of the three groups in the weighted gap, by area class (§II.7 criteria)."""

    urban: list[float] = setting("levers.review.group_weights.urban")
    rural: list[float] = setting("levers.review.group_weights.rural")
    mountain: list[float] = setting("levers.review.group_weights.mountain")
    island: list[float] = setting("levers.review.group_weights.island")

    def __getitem__(self, area_class: str) -> list[float]:
        return getattr(self, area_class)


@dataclass(frozen=True)
class ReviewSettings:
    """``[levers.review]`` (names and defaults from the scenario key table)."""

    priority_uplift_development: float = setting("levers.review.priority_uplift_development")
    major_gap_points: float = setting("levers.review.major_gap_points")
    unplaced_requirement: list[float] = setting("levers.review.unplaced_requirement")
    group_weights: GroupWeights = field(default_factory=GroupWeights)

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> ReviewSettings:
        return build(cls, scenario, "review")


@dataclass
class ReviewResult(ResultBase):
    """Per-person gaps, the warning list and summaries."""

    people: pd.DataFrame  # one row per staff member
    warnings: pd.DataFrame  # those not meeting the standard, worst first
    by_commune: pd.DataFrame
    by_office: pd.DataFrame
    by_field: pd.DataFrame
    by_area_class: pd.DataFrame
    territories: pd.DataFrame | None = None  # for the map
    proof: SolveResult = field(default_factory=lambda: computed(0.0))

    @property
    def reviewed_share(self) -> float:
        return float(self.people["reviewed"].mean()) if len(self.people) else 0.0

    @property
    def meeting_share(self) -> float:
        return float(self.people["meets_standard"].mean()) if len(self.people) else 0.0

    def headline(self, lang: str = "en") -> list[str]:
        p = self.people
        n, meet = len(p), int(p["meets_standard"].sum())
        warn = len(self.warnings)
        major = int((self.warnings["severity"] == "major").sum())
        if lang == "vi":
            return [f"Đã rà soát {n:,} cán bộ, công chức ({self.reviewed_share:.0%} dữ liệu)",
                    f"{meet:,} người đạt chuẩn vị trí ({self.meeting_share:.1%}); {warn:,} người "
                    f"trong danh sách cảnh báo, {major:,} người thiếu hụt nghiêm trọng"]
        return [f"{n:,} staff reviewed ({self.reviewed_share:.0%} of the data)",
                f"{meet:,} meet their post's standard ({self.meeting_share:.1%}); {warn:,} on "
                f"the warning list, {major:,} with a major gap"]

    def details(self) -> dict[str, Any]:
        return {"staff": len(self.people), "reviewed_share": round(self.reviewed_share, 4),
                "meeting_share": round(self.meeting_share, 4), "warnings": len(self.warnings),
                "major_warnings": int((self.warnings["severity"] == "major").sum())}

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"review_people": self.people, "review_warnings": self.warnings,
                "review_by_commune": self.by_commune, "review_by_office": self.by_office,
                "review_by_field": self.by_field, "review_by_area_class": self.by_area_class}

    def commune_tables(self, territory_id: str, lang: str = "vi") -> dict[str, pd.DataFrame]:
        vi = lang == "vi"
        offices = self.people[self.people["territory_id"] == territory_id]
        by_office = offices.groupby("office", sort=True).agg(
            staff=("staff_id", "size"), meets_standard=("meets_standard", "sum"),
            major_gaps=("severity", lambda s: int((s == "major").sum()))).reset_index()
        warned = self.warnings[self.warnings["territory_id"] == territory_id][
            ["staff_id", "office", "field", "weighted_gap", "severity", "weakest_group"]]
        return {("Cán bộ theo cơ quan" if vi else "Staff by office"): by_office,
                ("Danh sách cảnh báo (nặng nhất trước)" if vi
                 else "Warning list (worst first)"): warned}

    def figures(self, lang: str = "vi") -> dict[str, Any]:
        from . import plots

        out = {"review_by_area_class": plots.review_by_area_class(self, lang),
               "review_gaps": plots.gap_distribution(self, lang)}
        if self.territories is not None:
            out["review_map"] = plots.review_map(self, lang)
        return out


def run(province: Province, scenario: Scenario,
        priorities: pd.DataFrame | None = None) -> ReviewResult:
    """Review every person of ``province`` under ``scenario``'s ``[levers.review]`` (priority
    fields by area class: the bundled data/area_class_priorities.csv unless given)."""
    started = time.perf_counter()
    result = review(province, ReviewSettings.from_scenario(scenario),
                    load_area_class_priorities() if priorities is None else priorities)
    result.proof = computed(time.perf_counter() - started, scenario.seed)
    return result


def review(province: Province, settings: ReviewSettings,
           priorities: pd.DataFrame) -> ReviewResult:
    """Score every staff member against their post (or the unplaced standard)."""
    people = review_people(province, settings, priorities)
    warnings = (people[~people["meets_standard"]]
                .sort_values(["weighted_gap", "staff_id"], ascending=[False, True])
                .reset_index(drop=True))

    def summarise(by: str) -> pd.DataFrame:
        g = people.groupby(by, sort=True)
        return pd.DataFrame({
            "staff": g.size(),
            "meets_standard": g["meets_standard"].sum().astype(int),
            "share_meeting": g["meets_standard"].mean().round(3),
            "major_gaps": g["severity"].apply(lambda s: int((s == "major").sum())),
            "mean_gap_political": g["gap_political"].mean().round(2),
            "mean_gap_execution": g["gap_execution"].mean().round(2),
            "mean_gap_development": g["gap_development"].mean().round(2),
            "mean_weighted_gap": g["weighted_gap"].mean().round(2),
        }).reset_index()

    by_commune = summarise("territory_id").merge(
        province.territories[["territory_id", "name", "area_class"]], on="territory_id")
    return ReviewResult(people=people, warnings=warnings, by_commune=by_commune,
                        by_office=summarise("office"), by_field=summarise("field"),
                        by_area_class=summarise("area_class"), territories=province.territories)


def review_people(province: Province, settings: ReviewSettings,
                  priorities: pd.DataFrame) -> pd.DataFrame:
    """One row per staff member: scores, requirements, gaps and severity (what :func:`review`
    summarises; the projection needs only this, every year)."""
    people = province.staff_posts()
    area_by_territory = province.territories.set_index("territory_id")["area_class"]
    # unplaced people are reviewed where they belong administratively: their home unit's class
    people["review_territory_id"] = people["territory_id"].fillna(people["home_territory_id"])
    people["area_class"] = people["review_territory_id"].map(area_by_territory)
    placed = people["position_id"].notna()

    priority_pairs = set(zip(priorities["area_class"], priorities["field"], strict=True))
    is_priority = pd.Series(pd.MultiIndex.from_arrays(
        [people["area_class"].astype(object), people["field"].astype(object)]).isin(
        list(priority_pairs)), index=people.index) & placed
    unplaced_req = settings.unplaced_requirement
    for i, group in enumerate(GROUPS):
        required = people[f"req_{group}"].where(placed, unplaced_req[i]).astype(float)
        if group == "development":
            required = required + np.where(is_priority, settings.priority_uplift_development, 0)
        people[f"required_{group}"] = required
        people[f"gap_{group}"] = (required - people[f"score_{group}"]).clip(lower=0).round(1)

    codes, classes = pd.factorize(people["area_class"].astype(object))
    table = np.array([settings.group_weights[a] for a in classes] + [[np.nan] * len(GROUPS)],
                     dtype=float)  # the last row: no area class (code −1)
    weights = table[codes]
    gaps = people[[f"gap_{g}" for g in GROUPS]].to_numpy()
    scores = people[[f"score_{g}" for g in GROUPS]].to_numpy()
    people["priority_field"] = is_priority
    people["weighted_gap"] = (weights * gaps).sum(axis=1).round(2)
    people["competency_index"] = (weights * scores).sum(axis=1).round(1)
    people["max_gap"] = gaps.max(axis=1)
    people["meets_standard"] = people["max_gap"] <= 0
    people["reviewed"] = people[[f"required_{g}" for g in GROUPS]].notna().all(axis=1)
    people["severity"] = np.select(
        [people["meets_standard"], people["max_gap"] >= settings.major_gap_points],
        ["ok", "major"], "minor")
    people["weakest_group"] = np.where(people["meets_standard"], "",
                                       np.array(GROUPS)[gaps.argmax(axis=1)])
    people["placed"] = placed

    columns = ["staff_id", "position_id", "review_territory_id", "area_class", "office", "field",
               "is_manager", "placed", "priority_field",
               *[f"score_{g}" for g in GROUPS], *[f"required_{g}" for g in GROUPS],
               *[f"gap_{g}" for g in GROUPS], "weighted_gap", "competency_index",
               "meets_standard", "severity", "weakest_group", "last_rating", "reviewed"]
    people = people[columns].rename(columns={"review_territory_id": "territory_id"})
    people["office"] = people["office"].fillna("unplaced")
    people["field"] = people["field"].fillna("unplaced")
    return people


VACANCY_GROUPS = ("field", "territory_id", "area_class", "office")


def vacancy_rates(province: Province, by: str = "field") -> pd.DataFrame:
    """Posts held today and posts without a holder, by ``by`` (``field``, ``territory_id`` —
    with the unit's name and area class —, ``area_class`` or ``office``), with the vacancy
    rate (vacant ÷ posts, 0–1), highest rate first (ties by ``by``)."""
    if by not in VACANCY_GROUPS:
        raise ValueError(f"by must be one of {VACANCY_GROUPS}")
    held = set(province.staff["position_id"].dropna())
    terr = province.territories.set_index("territory_id")
    posts = province.positions.assign(
        vacant=~province.positions["position_id"].isin(held),
        area_class=province.positions["territory_id"].map(terr["area_class"]))
    out = (posts.groupby(by, sort=True)["vacant"].agg(posts="size", vacant="sum")
           .reset_index())
    out = out.astype({by: object, "posts": "int64", "vacant": "int64"})
    out["vacancy_rate"] = (out["vacant"] / out["posts"]).astype("float64")
    if by == "territory_id":
        out.insert(1, "name", out["territory_id"].map(terr["name"]).astype(object))
        out.insert(2, "area_class", out["territory_id"].map(terr["area_class"]).astype(object))
    return out.sort_values(["vacancy_rate", by], ascending=[False, True],
                           kind="stable").reset_index(drop=True)

"""WISN load model: required FTE per commune and field, actual FTE from the staff, load ratios.

Definitions (all per year, one person = 1 FTE):

* required FTE ``R[c,f] = annual_cases × minutes_per_case ÷ available case-work minutes``;
* each placed person splits their time over the fields they cover (time shares ``x[p,f]`` that
  sum to 1). Default rule: share ``s_main`` on the post's field, the rest split equally over
  the person's other qualified fields that have cases in the commune (all on the post's field
  when there are none). An explicit ``time_shares`` table (staff_id, field, share) overrides the
  rule for the people it lists;
* actual FTE ``A[c,f] = Σ_p x[p,f]`` and the field load ratio ``R[c,f] ÷ A[c,f]``;
* a field's work is carried by the people covering it in proportion to the time they give it,
  so person ``p`` carries ``w[p,f] = x[p,f] × R[c,f] ÷ A[c,f]`` FTE of field ``f``; the person
  load ratio is ``L[p] = Σ_f w[p,f]`` (work carried ÷ one person-year). A field with cases and
  nobody covering it is *uncovered*: its required FTE is a shortage, carried by no one.

Only people holding a post count; unplaced people (blank position_id) are reported, not used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataValidationError, Problem
from ..schema import isin
from . import frames

STATUS_ORDER = ("uncovered", "over", "ok", "under", "no_demand")


@dataclass(frozen=True)
class LoadState:
    """A load picture: who carries what, and how heavy it is."""

    people: pd.DataFrame  # one row per placed person: load_ratio, status, competency …
    portfolio: pd.DataFrame  # staff_id, territory_id, field, time_share, work_fte
    commune_field: pd.DataFrame  # territory_id, field, required_fte, actual_fte, load_ratio …
    eligible: pd.DataFrame  # staff_id, territory_id, field: who may take which field's work
    n_unplaced: int

    @property
    def peak(self) -> float:
        return float(self.people["load_ratio"].max()) if len(self.people) else 0.0

    @property
    def mean(self) -> float:
        return float(self.people["load_ratio"].mean()) if len(self.people) else 0.0

    @property
    def uncovered_fte(self) -> float:
        cf = self.commune_field
        return float(cf.loc[cf["status"] == "uncovered", "required_fte"].sum())


def classify(ratio: float, required: float, actual: float, over: float, under: float) -> str:
    if required <= 0:
        return "no_demand"
    if actual <= 0:
        return "uncovered"
    if ratio > over:
        return "over"
    if ratio < under:
        return "under"
    return "ok"


def classify_all(ratio: Any, required: Any, actual: Any, over: float,
                 under: float) -> np.ndarray:
    """:func:`classify` of whole arrays (the same rule, element by element)."""
    r = np.asarray(ratio, dtype=float)
    q = np.broadcast_to(np.asarray(required, dtype=float), r.shape)
    a = np.broadcast_to(np.asarray(actual, dtype=float), r.shape)
    return np.select([q <= 0, a <= 0, r > over, r < under],
                     ["no_demand", "uncovered", "over", "under"], "ok").astype(object)


def check_thresholds(over: float, under: float, source: str = "scenario") -> None:
    if not (0 < under < over):
        raise DataValidationError(Problem(
            file=source, column="constants.workload.underload_threshold/overload_threshold",
            message=f"thresholds must satisfy 0 < underload ({under}) < overload ({over})",
            fix="e.g. underload_threshold = 0.8, overload_threshold = 1.2"))


def required_fte(workload: pd.DataFrame, minutes: pd.Series, available_minutes: float, *,
                 cases_multiplier: float = 1.0, minutes_multiplier: float = 1.0,
                 workload_file: str = "workload", standards_file: str = "workload_standards.csv"
                 ) -> pd.DataFrame:
    """Required FTE per (territory, field); every problem in the input named by row."""
    if not available_minutes > 0:
        raise DataValidationError(Problem(file="policy parameters",
                                          column="working_days_per_year/case_work_share",
                                          message="available working time is not positive",
                                          fix="check working days, hours and case-work share"))
    problems: list[Problem] = []
    cases = pd.to_numeric(workload["annual_cases"], errors="coerce")
    for i in np.flatnonzero(cases.isna().to_numpy() | (cases < 0).to_numpy()):
        problems.append(Problem(file=workload_file, row=int(i) + 2, column="annual_cases",
                                message=f"'{workload['annual_cases'].iloc[i]}' is not a "
                                "non-negative number of cases",
                                fix="write the yearly number of cases, 0 or more"))
    missing = sorted(set(workload["field"]) - set(minutes.index))
    for f in missing:
        problems.append(Problem(file=standards_file, column="field",
                                message=f"no standard minutes per case for field '{f}' (used in "
                                f"{workload_file})",
                                fix=f"add a row: {f},<minutes>,<from date>,<source>,true"))
    dup = workload.duplicated(["territory_id", "field"], keep="first")
    for i in np.flatnonzero(dup.to_numpy()):
        problems.append(Problem(file=workload_file, row=int(i) + 2, column="field",
                                message=f"territory '{workload['territory_id'].iloc[i]}' and "
                                f"field '{workload['field'].iloc[i]}' repeated",
                                fix="keep one row per territory and field"))
    if not (cases_multiplier >= 0 and minutes_multiplier > 0):
        problems.append(Problem(file="scenario", column="uncertainties.workload",
                                message="cases_multiplier must be ≥ 0 and minutes_multiplier > 0",
                                fix="e.g. cases_multiplier = 1.0"))
    if problems:
        raise DataValidationError(problems)
    out = workload[["territory_id", "field"]].copy()
    out["annual_cases"] = cases.to_numpy() * cases_multiplier
    out["minutes_per_case"] = out["field"].map(minutes).astype(float) * minutes_multiplier
    out["required_fte"] = out["annual_cases"] * out["minutes_per_case"] / available_minutes
    return out.reset_index(drop=True)


def _split_fields(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return []
    return [f.strip() for f in str(value).split(";") if f.strip()]


def placed_people(staff: pd.DataFrame, positions: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Placed staff with their post's territory, office and field, and their qualified fields."""
    has_post = staff["position_id"].notna() & (staff["position_id"].astype(str).str.strip() != "")
    posts = positions.set_index("position_id")[["territory_id", "office", "field"]]
    people = staff.loc[has_post].copy()
    people["position_id"] = people["position_id"].astype(str)
    unknown = ~isin(people["position_id"], posts.index)
    if unknown.any():
        first = people.loc[unknown, "position_id"].iloc[0]
        raise DataValidationError(Problem(file="staff", column="position_id",
                                          message=f"{int(unknown.sum())} staff hold posts not in "
                                          f"positions (e.g. '{first}')",
                                          fix="add the posts to positions or blank the cell"))
    joined = posts.loc[people["position_id"]].reset_index(drop=True)
    people = people.reset_index(drop=True)
    people["territory_id"] = joined["territory_id"].to_numpy()
    people["office"] = joined["office"].to_numpy()
    people["post_field"] = joined["field"].to_numpy()
    scores = [c for c in ("score_political", "score_execution", "score_development")
              if c in people.columns]
    people["competency"] = people[scores].astype(float).mean(axis=1) if scores else np.nan
    made: dict[tuple[Any, Any], list[str]] = {}  # many people share fields and post field

    def qualified(q: Any, post: Any) -> list[str]:
        key = (None if q is None or (isinstance(q, float) and np.isnan(q)) or q is pd.NA
               else q, post)
        if key not in made:
            made[key] = sorted(set(_split_fields(q)) | {post})
        return list(made[key])

    people["qualified"] = [qualified(q, post) for q, post in zip(
        people["fields"].to_numpy(dtype=object) if "fields" in people.columns
        else [None] * len(people), people["post_field"].to_numpy(dtype=object), strict=True)]
    return people, int((~has_post).sum())


def default_time_shares(people: pd.DataFrame, required: pd.DataFrame, s_main: float,
                        time_shares: pd.DataFrame | None = None,
                        time_shares_file: str = "time_shares") -> tuple[pd.DataFrame,
                                                                         pd.DataFrame]:
    """Time shares per person and field (default rule or override) and the eligible pairs."""
    if not 0 < s_main <= 1:
        raise DataValidationError(Problem(file="scenario", column="levers.workload.s_main",
                                          message=f"share on the post's field {s_main} is not "
                                          "in (0, 1]", fix="e.g. s_main = 0.6"))
    # one row per person and qualified field (people in order, fields as listed), at once
    active = required.loc[required["required_fte"] > 0]
    active_pairs = pd.MultiIndex.from_arrays([active["territory_id"].astype(object),
                                              active["field"].astype(object)])
    qualified = people["qualified"].to_list()
    person = np.repeat(np.arange(len(people)), [len(q) for q in qualified])
    field = np.array([f for q in qualified for f in q], dtype=object)
    sid = people["staff_id"].to_numpy(dtype=object)
    commune = people["territory_id"].to_numpy(dtype=object)
    post = people["post_field"].to_numpy(dtype=object)
    acts = (pd.MultiIndex.from_arrays([commune[person], field]).isin(active_pairs)
            if len(field) else np.zeros(0, dtype=bool))
    other = acts & (field != post[person])
    n_other = np.bincount(person[other], minlength=len(people))
    # each person's post field first, then the other active fields they are qualified for,
    # sharing what the post leaves: (1 − s_main) ÷ their number
    main_share = np.where(n_other > 0, s_main, 1.0)
    who = np.concatenate([np.arange(len(people)), person[other]])
    rank = np.concatenate([np.zeros(len(people), dtype=np.int64),
                           np.flatnonzero(other) + 1])
    order = np.lexsort((rank, who))
    all_fields = np.concatenate([post, field[other]])
    all_shares = np.concatenate([main_share, (1 - s_main) / n_other[person[other]]])
    schema = {k: v for k, v in frames.PORTFOLIO.items() if k != "work_fte"}
    shares = frames.from_columns({"staff_id": sid[who][order],
                                  "territory_id": commune[who][order],
                                  "field": all_fields[order], "time_share": all_shares[order]},
                                 schema)
    shares = shares[shares["time_share"] > 0]
    eligible = frames.from_columns({"staff_id": sid[person[acts]],
                                    "territory_id": commune[person[acts]],
                                    "field": field[acts]}, frames.ELIGIBLE)
    if time_shares is not None and len(time_shares):
        shares = _apply_override(shares, people, time_shares, time_shares_file)
    return shares.reset_index(drop=True), eligible


def _apply_override(shares: pd.DataFrame, people: pd.DataFrame, override: pd.DataFrame,
                    file: str) -> pd.DataFrame:
    need = {"staff_id", "field", "share"}
    if not need <= set(override.columns):
        raise DataValidationError(Problem(file=file, column=", ".join(sorted(need - set(
            override.columns))), message="required column missing",
            fix="columns: staff_id, field, share"))
    qual = dict(zip(people["staff_id"], people["qualified"], strict=True))
    where = dict(zip(people["staff_id"], people["territory_id"], strict=True))
    problems: list[Problem] = []
    share = pd.to_numeric(override["share"], errors="coerce")
    for i, (sid, f, s) in enumerate(zip(override["staff_id"], override["field"], share,
                                        strict=True)):
        if sid not in qual:
            problems.append(Problem(file=file, row=i + 2, column="staff_id",
                                    message=f"'{sid}' is not a placed staff member",
                                    fix="use staff_id of someone holding a post"))
        elif f not in qual[sid]:
            problems.append(Problem(file=file, row=i + 2, column="field",
                                    message=f"'{sid}' is not qualified for '{f}'",
                                    fix="add the field to the person's qualifications or drop "
                                    "the row"))
        if not (s >= 0):
            problems.append(Problem(file=file, row=i + 2, column="share",
                                    message=f"'{override['share'].iloc[i]}' is not a share ≥ 0",
                                    fix="write a fraction such as 0.25"))
    sums = share.groupby(override["staff_id"]).sum()
    for sid, total in sums.items():
        if abs(total - 1) > 1e-6:
            problems.append(Problem(file=file, column="share",
                                    message=f"shares of '{sid}' sum to {total:.4f}, not 1",
                                    fix="make each person's shares add up to 1"))
    if problems:
        raise DataValidationError(problems)
    new = pd.DataFrame({"staff_id": override["staff_id"], "field": override["field"],
                        "time_share": share})
    new["territory_id"] = new["staff_id"].map(where)
    kept = shares[~isin(shares["staff_id"], set(new["staff_id"]))]
    schema = {k: frames.PORTFOLIO[k] for k in shares.columns}
    return frames.concat([kept, new[shares.columns]], schema)


def summarise(people: pd.DataFrame, portfolio: pd.DataFrame, required: pd.DataFrame,
              eligible: pd.DataFrame, n_unplaced: int, over: float, under: float) -> LoadState:
    """Turn a portfolio (time_share and work_fte per person and field) into a LoadState."""
    check_thresholds(over, under)
    load = portfolio.groupby("staff_id")["work_fte"].sum()
    worked = portfolio.loc[portfolio["work_fte"] > 1e-9]
    fields_worked = worked.groupby("staff_id")["field"].nunique()
    out = people.drop(columns=["qualified"]).copy()
    out["qualified_fields"] = people["qualified"].map(";".join)
    out["n_qualified_fields"] = people["qualified"].map(len)
    out["n_fields_worked"] = out["staff_id"].map(fields_worked).fillna(0).astype("int64")
    out["n_qualified_fields"] = out["n_qualified_fields"].astype("int64")
    out["qualified_fields"] = out["qualified_fields"].astype(str)
    out["load_ratio"] = out["staff_id"].map(load).fillna(0.0).astype("float64")
    out["status"] = pd.Series(classify_all(out["load_ratio"], 1.0, 1.0, over, under),
                              index=out.index, dtype=str)
    actual = portfolio.groupby(["territory_id", "field"])["time_share"].sum()
    n_cover = eligible.groupby(["territory_id", "field"])["staff_id"].nunique()
    cf = required.copy()
    key = pd.MultiIndex.from_frame(cf[["territory_id", "field"]])
    cf["actual_fte"] = actual.reindex(key).fillna(0.0).to_numpy()
    cf["n_people_qualified"] = n_cover.reindex(key).fillna(0).astype("int64").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(cf["actual_fte"] > 1e-12, cf["required_fte"] / cf["actual_fte"], np.nan)
    cf["load_ratio"] = np.where(cf["required_fte"] <= 0, 0.0, ratio)
    cf["status"] = pd.Series(classify_all(cf["load_ratio"], cf["required_fte"],
                                          cf["actual_fte"], over, under), index=cf.index,
                             dtype=str)
    return LoadState(people=out, portfolio=portfolio.reset_index(drop=True), commune_field=cf,
                     eligible=eligible, n_unplaced=n_unplaced)


def measure_load(staff: pd.DataFrame, positions: pd.DataFrame, required: pd.DataFrame, *,
                 s_main: float, over: float, under: float,
                 time_shares: pd.DataFrame | None = None) -> LoadState:
    """The current load picture under the time-share rule (or the given time shares)."""
    check_thresholds(over, under)
    people, n_unplaced = placed_people(staff, positions)
    shares, eligible = default_time_shares(people, required, s_main, time_shares)
    actual = shares.groupby(["territory_id", "field"])["time_share"].sum().rename("actual")
    req = required.set_index(["territory_id", "field"])["required_fte"]
    shares = shares.join(actual, on=["territory_id", "field"]).join(req, on=["territory_id",
                                                                             "field"])
    shares["required_fte"] = shares["required_fte"].fillna(0.0)
    # a field nobody gives time to (possible with an explicit time-shares table) is carried by
    # no one: 0 work, not 0/0
    shares["work_fte"] = (shares["time_share"] * shares["required_fte"]
                          / shares["actual"]).where(shares["actual"] > 0, 0.0)
    portfolio = frames.typed(shares, frames.PORTFOLIO)
    return summarise(people, portfolio, required, eligible, n_unplaced, over, under)

"""Annual ratings under Decree 335/2025/NĐ-CP: bands and the "excellent" quota.

Bands (dated parameters ``rating_*_min``): excellent ≥ 90 points, good 70–89, completed 50–69,
not completed < 50. Quota (parameter ``excellent_max_share_of_good``): the number rated
"excellent" may not exceed 20% of the number rated "good" *in the same unit and within each group
of staff with similar duties* ("theo từng nhóm đối tượng có chức trách, nhiệm vụ tương đồng").

Groups of similar duties — the project's reading, stated here and in the README: within each
commune-level unit, (1) key posts (chức danh chủ chốt), (2) other managers (heads and deputies of
offices and the centre), (3) specialists. A person without a post is counted with the
specialists of their home unit.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

RATINGS = ("not_completed", "completed", "good", "excellent")  # worst → best
TITLE_GROUPS = ("key", "manager", "specialist")


def title_group(positions: pd.DataFrame) -> pd.Series:
    """Group of similar duties of each post: key | manager | specialist."""
    key = positions["is_key_post"].astype(bool).to_numpy()
    manager = positions["is_manager"].astype(bool).to_numpy()
    return pd.Series(np.where(key, "key", np.where(manager, "manager", "specialist")),
                     index=positions.index, name="title_group")


def rating_groups(staff: pd.DataFrame, positions: pd.DataFrame) -> pd.DataFrame:
    """Unit and title group of each staff row (rows aligned with ``staff``)."""
    posts = positions.assign(title_group=title_group(positions)).set_index("position_id")
    pid = staff["position_id"]
    unit = pid.map(posts["territory_id"])
    group = pid.map(posts["title_group"])
    return pd.DataFrame({
        "unit": unit.where(unit.notna(), staff["home_territory_id"]).astype(str).to_numpy(),
        "title_group": group.where(group.notna(), "specialist").astype(str).to_numpy()},
        index=staff.index)


def bands(params, on: dt.date) -> dict[str, float]:
    """Minimum points of each band and the quota share in force on ``on``."""
    return {"excellent": params.value("rating_excellent_min", on),
            "good": params.value("rating_good_min", on),
            "completed": params.value("rating_completed_min", on),
            "excellent_share": params.value("excellent_max_share_of_good", on)}


def rate(points: np.ndarray, cut: dict[str, float]) -> np.ndarray:
    """Rating from points with the Decree 335 bands."""
    points = np.asarray(points, dtype=float)
    return np.select([points >= cut["excellent"], points >= cut["good"],
                      points >= cut["completed"]],
                     ["excellent", "good", "completed"], "not_completed").astype(object)


def allowed_excellent(n_good: int, share: float) -> int:
    """Most "excellent" ratings a group with ``n_good`` "good" ratings may have (10 good → 2)."""
    return math.floor(share * n_good + 1e-9)


def cap_excellent(rating: np.ndarray, points: np.ndarray, group: np.ndarray,
                  share: float) -> np.ndarray:
    """Apply the quota: in each group, the lowest-scoring "excellent" ratings beyond the
    allowance are lowered to "good" (each lowering also adds one "good")."""
    rating = np.asarray(rating, dtype=object).copy()
    points = np.asarray(points, dtype=float)
    _, code = np.unique(np.asarray(group), return_inverse=True)
    order = np.argsort(code.ravel(), kind="stable")  # each group's rows, in their order
    cuts = np.flatnonzero(np.diff(code.ravel()[order])) + 1
    for idx in np.split(order, cuts) if len(order) else []:
        exc = idx[rating[idx] == "excellent"]
        if not len(exc):
            continue
        exc = exc[np.argsort(points[exc], kind="stable")]
        n_good = int(np.sum(rating[idx] == "good"))
        while len(exc) and len(exc) > allowed_excellent(n_good, share):
            rating[exc[0]] = "good"
            n_good += 1
            exc = exc[1:]
    return rating


def quota_table(staff: pd.DataFrame, positions: pd.DataFrame, share: float,
                rating_column: str = "last_rating") -> pd.DataFrame:
    """Per unit and group of similar duties: counts by rating, the allowance and the excess."""
    groups = rating_groups(staff, positions)
    counts = (pd.crosstab([groups["unit"], groups["title_group"]], staff[rating_column])
              .reindex(columns=list(RATINGS), fill_value=0))
    out = counts.reset_index()
    out.columns.name = None
    out["allowed_excellent"] = [allowed_excellent(int(g), share) for g in out["good"]]
    out["excess_excellent"] = (out["excellent"] - out["allowed_excellent"]).clip(lower=0)
    return out.astype({c: "int64" for c in (*RATINGS, "allowed_excellent",
                                            "excess_excellent")})

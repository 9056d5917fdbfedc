"""Who is offered support: requests per commune, beneficiary caps and the waitlist.

Caps (Resolution §II.8: "a maximum number of beneficiaries in an agency, unit or locality") are
applied to the places granted over 2026–2030, all programmes together:

* per commune: at most ``floor(commune_cap_share × staff of the commune)`` places;
* province-wide: at most ``floor(province_cap_share × staff of the province)`` places.

A place is not re-offered when its holder leaves (the plan is fixed in advance; this is the
conservative reading for a budget).  When a cap binds, requests are served in this documented order
and the rest are waitlisted:

1. programme ``priority`` (smaller first), 2. earlier intake first, 3. hard-area communes first
(mountain, island, remote: the resolution sends capable people there), 4. territory code,
5. within a programme, the order of its ``fields`` list; for existing staff the stronger
candidate first (better last rating, then higher development score, then staff id).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..ratings import RATINGS
from .spec import Design, Programme


def month_index(year: int, month: int, first_year: int = 2026) -> int:
    """Months since January of the first year (0 = 2026-01)."""
    return (year - first_year) * 12 + (month - 1)


def staff_counts(staff: pd.DataFrame, positions: pd.DataFrame,
                 territories: pd.DataFrame | None = None) -> pd.Series:
    """Staff per commune, counted by the commune of their current post (unplaced staff excluded)."""
    post_terr = positions.set_index("position_id")["territory_id"]
    terr = staff["position_id"].map(post_terr).dropna()
    counts = terr.value_counts()
    if territories is not None:
        counts = counts.reindex(territories["territory_id"], fill_value=0)
    counts.index.name = "territory_id"
    return counts.rename("staff").astype(int)


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split a whole number in proportion to weights (Hamilton's method; ties to the first)."""
    weights = np.asarray(weights, dtype=float)
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=int)
    quota = total * weights / weights.sum()
    base = np.floor(quota).astype(int)
    short = total - int(base.sum())
    order = np.argsort(-(quota - base), kind="stable")
    base[order[:short]] += 1
    return base


def _eligible_territories(prog: Programme, territories: pd.DataFrame) -> pd.DataFrame:
    return territories[territories["area_class"].isin(prog.area_classes)]


def _eligible_posts(prog: Programme, positions: pd.DataFrame) -> pd.DataFrame:
    """Posts whose role the programme covers (office list; managers or not)."""
    pos = positions
    if prog.offices and "office" in pos.columns:
        pos = pos[pos["office"].isin(prog.offices)]
    if not prog.include_managers and "is_manager" in pos.columns:
        pos = pos[~pos["is_manager"].astype(bool)]
    return pos


def recruit_requests(prog: Programme, territories: pd.DataFrame, positions: pd.DataFrame,
                     counts: pd.Series, first_year: int = 2026) -> pd.DataFrame:
    """Offers per (field, commune, intake): each year's target split in proportion to the posts of
    that field in eligible communes (or to staff, split evenly over fields, if none exist)."""
    terr = _eligible_territories(prog, territories)
    pos = _eligible_posts(prog, positions)
    pos = pos[pos["territory_id"].isin(terr["territory_id"]) & pos["field"].isin(prog.fields)]
    w = pos.groupby(["field", "territory_id"]).size()
    if w.sum() == 0:
        idx = pd.MultiIndex.from_product([list(prog.fields), terr["territory_id"]],
                                         names=["field", "territory_id"])
        w = pd.Series([counts.get(t, 0) for _, t in idx], index=idx, dtype=float)
    w = w[w > 0]
    rows = []
    for year, n in sorted(prog.recruits_per_year.items()):
        alloc = largest_remainder(int(n), w.to_numpy())
        for (f, t), k in zip(w.index, alloc, strict=True):
            if k > 0:
                rows.append((prog.id, f, t, month_index(year, prog.intake_month, first_year),
                             int(k), ""))
    return pd.DataFrame(rows, columns=["programme", "field", "territory_id", "intake",
                                       "requested", "staff_id"])


def existing_candidates(prog: Programme, staff: pd.DataFrame, positions: pd.DataFrame,
                        territories: pd.DataFrame, first_year: int = 2026) -> pd.DataFrame:
    """Eligible staff already at the grassroots, one row each, ranked within their commune."""
    rank = {r: i for i, r in enumerate(RATINGS)}
    post = _eligible_posts(prog, positions).set_index("position_id")[["territory_id", "field"]]
    s = staff.join(post, on="position_id")
    s = s[s["territory_id"].isin(_eligible_territories(prog, territories)["territory_id"])]
    s = s[s["last_rating"].map(rank) >= rank[prog.min_rating]]
    s = s[s["score_development"] >= prog.min_score_development]
    if s.empty:
        return pd.DataFrame(columns=["programme", "field", "territory_id", "intake",
                                     "requested", "staff_id"])
    # the post's field if the programme covers it, else the first programme field the person
    # is qualified in
    quals = s["fields"].fillna("").astype(str).str.split(";")
    qual_sets = [{q.strip() for q in qs} for qs in quals]
    matched = [f if f in prog.fields else next((g for g in prog.fields if g in qs), "")
               for f, qs in zip(s["field"], qual_sets, strict=True)]
    s = s.assign(match=matched)
    s = s[s["match"] != ""]
    s = s.assign(_r=s["last_rating"].map(rank)).sort_values(
        ["territory_id", "_r", "score_development", "staff_id"],
        ascending=[True, False, False, True])
    return pd.DataFrame({
        "programme": prog.id, "field": s["match"].to_numpy(),
        "territory_id": s["territory_id"].to_numpy(),
        "intake": month_index(prog.start.year, prog.start.month, first_year),
        "requested": 1, "staff_id": s["staff_id"].astype(str).to_numpy()})


def apply_caps(requests: pd.DataFrame, counts: pd.Series, commune_cap_share: float,
               province_cap_share: float, hard_area: pd.Series | None = None,
               priority: dict[str, int] | None = None,
               field_order: dict[str, dict[str, int]] | None = None) -> pd.DataFrame:
    """Grant places under the commune and province caps in the documented priority order.

    ``counts`` is a plain Series of staff per territory.  Returns the requests with ``admitted``,
    ``waitlisted`` and ``reason`` ("" | "commune cap" | "province cap") in serving order.
    """
    req = requests.copy()
    if req.empty:
        return req.assign(admitted=0, waitlisted=0, reason="")
    priority = priority or {}
    field_order = field_order or {}
    hard = hard_area if hard_area is not None else pd.Series(dtype=bool)
    req["_prio"] = req["programme"].map(lambda p: priority.get(p, 0))
    hard_ids = set(hard.index[hard.astype(bool).to_numpy()])
    req["_hard"] = ~req["territory_id"].isin(hard_ids)  # False sorts first: hard areas first
    req["_fo"] = [field_order.get(p, {}).get(f, 0) for p, f in zip(req["programme"], req["field"],
                                                                    strict=True)]
    req["_seq"] = np.arange(len(req))  # keeps the candidate ranking of existing staff
    req = req.sort_values(["_prio", "intake", "_hard", "territory_id", "_fo", "_seq"],
                          kind="stable")
    # the small epsilon keeps 0.1 × 30 at 3 despite binary floating point
    left_commune = {t: math.floor(commune_cap_share * n + 1e-9) for t, n in counts.items()}
    left_province = math.floor(province_cap_share * int(counts.sum()) + 1e-9)
    admitted, reasons = [], []
    for t, n in zip(req["territory_id"], req["requested"], strict=True):
        c = left_commune.get(t, 0)
        k = min(int(n), c, left_province)
        left_commune[t] = c - k
        left_province -= k
        admitted.append(k)
        # when both caps bind at once the commune cap is named (it binds locally)
        reasons.append("" if k == n else ("commune cap" if c <= left_province + k
                                          else "province cap"))
    req["admitted"] = admitted
    req["waitlisted"] = req["requested"] - req["admitted"]
    req["reason"] = reasons
    return req.drop(columns=["_prio", "_hard", "_fo", "_seq"]).reset_index(drop=True)


def plan_places(design: Design, territories: pd.DataFrame, positions: pd.DataFrame,
                staff: pd.DataFrame) -> pd.DataFrame:
    """Requests of every programme with the places granted under the design's caps."""
    counts = staff_counts(staff, positions, territories)
    parts = []
    for prog in design.programmes:
        if prog.kind == "recruit":
            parts.append(recruit_requests(prog, territories, positions, counts, design.first_year))
        else:
            parts.append(existing_candidates(prog, staff, positions, territories,
                                             design.first_year))
    parts = [p for p in parts if not p.empty]
    cols = ["programme", "field", "territory_id", "intake", "requested", "staff_id"]
    requests = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    return apply_caps(
        requests, counts, design.commune_cap_share, design.province_cap_share,
        hard_area=territories.set_index("territory_id")["hard_area"],
        priority={p.id: p.priority for p in design.programmes},
        field_order={p.id: {f: i for i, f in enumerate(p.fields)} for p in design.programmes})

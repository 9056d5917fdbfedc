"""Output tables and the summary of a workload analysis (before and after rebalancing)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import frames
from .api import WorkloadResult


def _like(values: Any, index: pd.Index, dtype: Any) -> pd.Series:
    """A column with a declared dtype (an empty table keeps it)."""
    return pd.Series(list(values), index=index, dtype=dtype)


def person_table(result: WorkloadResult) -> pd.DataFrame:
    """One row per placed person: load before and after, what changed."""
    b = result.before.people
    cols = ["staff_id", "position_id", "territory_id", "office", "post_field", "competency",
            "qualified_fields", "n_qualified_fields"]
    out = b[cols].copy()
    out["competency"] = out["competency"].astype("float64")
    out["n_qualified_fields"] = out["n_qualified_fields"].astype("int64")
    out["n_fields_worked_before"] = b["n_fields_worked"].astype("int64").to_numpy()
    out["load_ratio_before"] = b["load_ratio"].astype("float64").to_numpy()
    out["status_before"] = _like(b["status"], out.index, str)
    reb = result.rebalanced
    if reb is not None:
        a = reb.after.people.set_index("staff_id").reindex(out["staff_id"])
        out["territory_id_after"] = _like(a["territory_id"], out.index, str)
        out["n_fields_worked_after"] = a["n_fields_worked"].astype("int64").to_numpy()
        out["load_ratio_after"] = a["load_ratio"].astype("float64").to_numpy()
        out["status_after"] = _like(a["status"], out.index, str)
        changed = set(reb.changes["staff_id"])
        out["portfolio_changed"] = out["staff_id"].isin(changed).astype(bool)
        out["moved"] = out["staff_id"].isin(set(reb.moves["staff_id"])).astype(bool)
    return out.sort_values(["territory_id", "staff_id"]).reset_index(drop=True)


def commune_field_table(result: WorkloadResult, names: pd.Series | None = None) -> pd.DataFrame:
    """One row per (commune, field): required and actual FTE, load ratio before and after."""
    b = result.before.commune_field
    out = b[["territory_id", "field", "annual_cases", "minutes_per_case", "required_fte",
             "n_people_qualified"]].copy()
    if names is not None:
        out.insert(1, "name", _like(out["territory_id"].map(names), out.index, str))
    out["actual_fte_before"] = b["actual_fte"].astype("float64").to_numpy()
    out["load_ratio_before"] = b["load_ratio"].astype("float64").to_numpy()
    out["status_before"] = _like(b["status"], out.index, str)
    reb = result.rebalanced
    if reb is not None:
        a = reb.after.commune_field
        out["actual_fte_after"] = a["actual_fte"].astype("float64").to_numpy()
        out["load_ratio_after"] = a["load_ratio"].astype("float64").to_numpy()
        out["status_after"] = _like(a["status"], out.index, str)
        sh = reb.shortage.set_index(["territory_id", "field"])
        key = pd.MultiIndex.from_frame(out[["territory_id", "field"]])
        out["shortage_fte"] = sh["shortage_fte"].reindex(key).fillna(0.0).astype(
            "float64").to_numpy()
        out["shortage_reason"] = _like(sh["reason"].reindex(key).fillna(""), out.index, str)
    return out.sort_values(["territory_id", "field"]).reset_index(drop=True)


def office_table(result: WorkloadResult) -> pd.DataFrame:
    """Per commune and office: people, mean and peak load, how many over and under."""
    p = person_table(result)
    whens = ("before", "after") if result.rebalanced is not None else ("before",)
    schema = {k: v for k, v in frames.OFFICE_TABLE.items()
              if not k.endswith("_after") or "after" in whens}
    rows = []
    for (c, office), g in p.groupby(["territory_id", "office"], sort=True):
        row: list[Any] = [c, office, len(g)]
        for when in whens:
            load, status = g[f"load_ratio_{when}"], g[f"status_{when}"]
            row += [load.mean(), load.max(), int((status == "over").sum()),
                    int((status == "under").sum())]
        rows.append(tuple(row))
    return frames.frame(rows, schema)


def moves_table(result: WorkloadResult) -> pd.DataFrame:
    """Every portfolio change (person × field) and every move between communes."""
    reb = result.rebalanced
    if reb is None or not len(reb.changes):
        return frames.frame([], frames.MOVES_TABLE)
    ch = reb.changes
    dest = dict(zip(reb.moves["staff_id"], reb.moves["to_territory_id"], strict=True))
    dist = dict(zip(reb.moves["staff_id"], reb.moves["distance_km"], strict=True))
    home = dict(zip(result.before.people["staff_id"], result.before.people["territory_id"],
                    strict=True))
    # to_territory_id is "" for people who stay: a missing string prints differently across
    # pandas releases (None / NaN / <NA>), an empty one the same everywhere
    rows = [(p, "move" if moved else "portfolio", home[p], dest.get(p, ""), dist.get(p, np.nan), f,
             wb, wa, tb, ta)
            for p, moved, f, wb, wa, tb, ta in zip(
                ch["staff_id"], ch["moved"], ch["field"], ch["work_fte_before"],
                ch["work_fte_after"], ch["time_share_before"], ch["time_share_after"],
                strict=True)
            if wb > 1e-9 or wa > 1e-9]
    out = frames.frame(rows, frames.MOVES_TABLE)
    return out.sort_values(["territory_id", "staff_id", "field"], kind="stable").reset_index(
        drop=True)


def field_load(result: WorkloadResult, when: str = "before") -> pd.DataFrame:
    """The province by field: required and available FTE summed over the communes, the load
    ratio of the sums (required ÷ available), and how many communes are overloaded or have
    nobody qualified in the field (``when``: ``before`` or ``after`` rebalancing); highest load
    first."""
    if when not in ("before", "after"):
        raise ValueError("when must be 'before' or 'after'")
    if when == "after" and result.rebalanced is None:
        raise ValueError("no rebalancing was run: only 'before' is available")
    cf = (result.before if when == "before" else result.rebalanced.after).commune_field
    rows = []
    for f, g in cf.groupby("field", sort=True):
        required, actual = float(g["required_fte"].sum()), float(g["actual_fte"].sum())
        rows.append((f, required, actual, int((g["status"] == "over").sum()),
                     int((g["status"] == "uncovered").sum()),
                     required / actual if actual > 0 else np.nan))
    out = frames.frame(rows, {"field": str, "required_fte": "float64", "actual_fte": "float64",
                              "communes_over": "int64", "communes_uncovered": "int64",
                              "load_ratio": "float64"})
    return out.sort_values(["load_ratio", "field"], ascending=[False, True],
                           na_position="first", kind="stable").reset_index(drop=True)


def status_counts(result: WorkloadResult) -> pd.DataFrame:
    """People by load status (over, ok, under …) before and, when rebalanced, after."""
    people = person_table(result)
    whens = ["before"] + (["after"] if result.rebalanced is not None else [])
    counts = {w: people[f"status_{w}"].value_counts() for w in whens}
    out = pd.DataFrame(counts).fillna(0).astype("int64")
    out.index.name = "status"
    return out.sort_index()


def shortage_by_field(result: WorkloadResult) -> pd.DataFrame:
    """Residual shortage (FTE) by field and reason (columns), largest total first."""
    if result.rebalanced is None:
        raise ValueError("no rebalancing was run: there is no residual shortage")
    sh = result.rebalanced.shortage
    out = sh.pivot_table(index="field", columns="reason", values="shortage_fte",
                         aggfunc="sum", fill_value=0.0).astype("float64")
    out.columns.name = None
    out["total"] = out.sum(axis=1)
    return out.sort_values(["total"], ascending=False, kind="stable")


def capability_pattern(state_people: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """"Capable people carry the load": by competency quintile, fields covered and load.

    With fewer people than ``bins`` there is one band per person (none without people)."""
    p = state_people.loc[state_people["competency"].notna()].copy()
    bins = min(bins, len(p))
    if bins == 0:
        return frames.frame([], frames.CAPABILITY)
    p["competency_band"] = pd.qcut(p["competency"].rank(method="first"), bins,
                                   labels=[f"Q{i + 1}" for i in range(bins)])
    g = p.groupby("competency_band", observed=True)
    out = pd.DataFrame({
        "competency_mean": g["competency"].mean(),
        "n_people": g.size(),
        "fields_qualified_mean": g["n_qualified_fields"].mean(),
        "fields_worked_mean": g["n_fields_worked"].mean(),
        "load_mean": g["load_ratio"].mean(),
        "share_over": g["status"].apply(lambda s: float((s == "over").mean())),
    }).reset_index()
    return frames.typed(out.assign(competency_band=out["competency_band"].astype(str)),
                        frames.CAPABILITY)


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else round(float(x), nd)


def summary(result: WorkloadResult) -> dict[str, Any]:
    """JSON-able summary: before/after peak and mean load, solver proof, shortages, headline."""
    s = result.settings
    b = result.before
    out: dict[str, Any] = {
        "people_placed": len(b.people),
        "people_unplaced_not_counted": b.n_unplaced,
        "required_fte": _r(result.required["required_fte"].sum(), 2),
        "available_case_minutes_per_person_year": _r(result.available_minutes, 1),
        "standards_assumed_fields": sorted(result.standards.loc[
            result.standards["assumption"], "field"]),
        "settings": {
            "share_on_post_field": s.share_on_post_field,
            "overload_threshold": s.overload_threshold,
            "underload_threshold": s.underload_threshold,
            "reference_date": s.reference_date.isoformat(),
            "cases_multiplier": s.cases_multiplier, "minutes_multiplier": s.minutes_multiplier,
            "target_load": s.rebalance.target_load,
            "max_changed_per_commune": s.rebalance.max_changed_per_commune,
            "load_ceiling": s.rebalance.load_ceiling,
            "max_field_share": s.rebalance.max_field_share,
            "max_arrivals_per_commune": s.rebalance.max_arrivals_per_commune,
            "max_move_km": s.rebalance.max_move_km,
        },
        "before": _state_summary(b),
        "spearman_competency_vs_load_before": _r(b.people["competency"].corr(
            b.people["load_ratio"], method="spearman")),
        "spearman_competency_vs_fields_before": _r(b.people["competency"].corr(
            b.people["n_qualified_fields"], method="spearman")),
    }
    reb = result.rebalanced
    if reb is not None:
        a = reb.after
        out["after"] = _state_summary(a)
        out["people_with_changed_portfolio"] = reb.n_changed
        out["people_moved"] = len(reb.moves)
        out["residual_shortage_fte"] = _r(reb.shortage["shortage_fte"].sum(), 2)
        out["residual_shortage_by_reason"] = {
            k: _r(v, 2) for k, v in reb.shortage.groupby("reason")["shortage_fte"].sum().items()}
        out["residual_shortage_by_field"] = {
            k: _r(v, 2) for k, v in reb.shortage.groupby("field")["shortage_fte"].sum()
            .sort_values(ascending=False).items()}
        out["solve_peak"] = _solve_dict(reb.peak)
        out["solve_excess"] = _solve_dict(reb.excess)
        out["independent_blocks"] = reb.n_blocks
        out["status"] = str(reb.status)
    out["headline"] = headline(result, "en")
    return out


def headline(result: WorkloadResult, lang: str = "en") -> list[str]:
    """The workload in two or three sentences, in Vietnamese or English."""
    s, b, reb = result.settings, result.before, result.rebalanced
    over, under = s.overload_threshold, s.underload_threshold

    def n(state, status: str) -> int:
        return int((state.people["status"] == status).sum())

    if lang == "vi":
        lines = [f"tải hiện nay: cao nhất {b.peak:.2f}, bình quân {b.mean:.2f}; {n(b, 'over'):,} "
                 f"người quá tải (trên {over:g} lần), {n(b, 'under'):,} người dưới tải (dưới "
                 f"{under:g} lần)"]
        if reb is not None:
            a = reb.after
            lines += [f"sau điều chỉnh ({reb.status}, {reb.n_changed:,} người đổi phân công, "
                      f"{len(reb.moves)} người điều động): cao nhất {a.peak:.2f}, bình quân "
                      f"{a.mean:.2f}; {n(a, 'over'):,} quá tải, {n(a, 'under'):,} dưới tải",
                      f"thiếu hụt còn lại cần tuyển dụng: "
                      f"{reb.shortage['shortage_fte'].sum():.1f} biên chế tương đương (FTE)"]
        return lines
    lines = [f"load before: peak {b.peak:.2f}, mean {b.mean:.2f}; {n(b, 'over'):,} people over "
             f"{over:g}×, {n(b, 'under'):,} under {under:g}×"]
    if reb is not None:
        a = reb.after
        lines += [f"after rebalancing ({reb.status}, {reb.n_changed:,} portfolios changed, "
                  f"{len(reb.moves)} moves): peak {a.peak:.2f}, mean {a.mean:.2f}; "
                  f"{n(a, 'over'):,} over, {n(a, 'under'):,} under",
                  f"residual shortage needing recruitment: "
                  f"{reb.shortage['shortage_fte'].sum():.1f} FTE"]
    return lines


def _state_summary(state) -> dict[str, Any]:
    p = state.people
    return {"peak_load_ratio": _r(state.peak), "mean_load_ratio": _r(state.mean),
            "median_load_ratio": _r(float(p["load_ratio"].median())),
            "people_over": int((p["status"] == "over").sum()),
            "people_under": int((p["status"] == "under").sum()),
            "commune_fields_over": int((state.commune_field["status"] == "over").sum()),
            "commune_fields_under": int((state.commune_field["status"] == "under").sum()),
            "commune_fields_uncovered": int((state.commune_field["status"] == "uncovered").sum())}


def _solve_dict(res) -> dict[str, Any]:
    d = res.to_dict()
    for k in ("objective", "bound", "gap", "seconds"):
        if d.get(k) is not None:
            d[k] = round(d[k], 6)
    return d

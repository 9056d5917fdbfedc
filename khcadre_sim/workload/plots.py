"""Workload figures (returned, never shown), labelled in Vietnamese or English."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from ..labels import label, literal_text, translator
from ..plots import legend_below
from .api import WorkloadResult
from .tables import capability_pattern

_TEXT = {
    "heat_title": ("Tỷ lệ tải theo xã × lĩnh vực", "Load ratio by commune × field"),
    "before": ("Trước điều chỉnh", "Before rebalancing"),
    "after": ("Sau điều chỉnh", "After rebalancing"),
    "load_ratio": ("Tỷ lệ tải (cần ÷ có)", "Load ratio (required ÷ actual)"),
    "commune": ("Xã, phường, đặc khu", "Commune-level unit"),
    "field": ("Lĩnh vực", "Field"),
    "competency": ("Điểm năng lực bình quân", "Mean competency score"),
    "n_fields": ("Số lĩnh vực đảm nhiệm", "Fields covered"),
    "capable_title": ("Người có năng lực gánh việc?", "Do capable people carry the load?"),
    "people": ("Số người", "People"),
    "dist_title": ("Phân bố tỷ lệ tải cá nhân", "Distribution of personal load ratio"),
    "top_title": ("Những người gánh nhiều việc nhất", "People carrying the most"),
    "shortage_title": ("Thiếu hụt còn lại cần tuyển dụng (FTE)",
                       "Residual shortage needing recruitment (FTE)"),
    "fte": ("Biên chế tương đương (FTE)", "Full-time equivalents (FTE)"),
    "uncovered": ("Không ai đủ chuyên môn", "Nobody qualified"),
    "overload_after_rebalance": ("Quá tải sau điều chỉnh", "Overload after rebalancing"),
    "changes_title": ("Thay đổi phân công theo xã", "Portfolio changes by commune"),
    "changed": ("Số người đổi phân công", "People with a changed portfolio"),
    "over": ("quá tải", "overloaded"),
    "under": ("dưới tải", "underloaded"),
    "no_uncovered": ("Không có thiếu hụt", "No shortage"),
    "no_data": ("Không có số liệu khối lượng công việc", "No workload data"),
    "person": ("Một người (màu: số lĩnh vực đủ chuyên môn)",
               "One person (colour: fields qualified in)"),
    "over_line": ("Ngưỡng quá tải", "Overload threshold"),
    "under_line": ("Ngưỡng dưới tải", "Underload threshold"),
    "fields_mean": ("Số lĩnh vực đảm nhiệm bình quân (trục trái)",
                    "Mean fields covered (left axis)"),
    "load_mean": ("Tỷ lệ tải bình quân (trục phải)", "Mean load ratio (right axis)"),
    "peak_before": ("Tải cao nhất trước điều chỉnh (trục phải)",
                    "Peak load before rebalancing (right axis)"),
    "peak_after": ("Tải cao nhất sau điều chỉnh (trục phải)",
                   "Peak load after rebalancing (right axis)"),
    "changed_left": ("Số người đổi phân công (trục trái)",
                     "People with a changed portfolio (left axis)"),
}


_t = translator(_TEXT)


def _names(result: WorkloadResult) -> dict[str, str]:
    """territory_id → name (the code itself when the result carries no territories)."""
    t = result.territories
    if t is None:
        return {}
    return dict(zip(t["territory_id"].astype(str), t["name"].astype(str), strict=True))


def _log_ratio_axis(axis) -> None:  # noqa: ANN001 - a matplotlib Axis
    """A log axis for load ratios with plain ticks (0.25, 0.5, 1, 2, 4 …), never "6×10⁰"."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    axis.set_major_locator(FixedLocator([0.125, 0.25, 0.5, 1, 2, 4, 8, 16]))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _grid(cf: pd.DataFrame, col: str) -> pd.DataFrame:
    """Commune × field grid of ``col``; a cell with no value (e.g. an uncovered field) stays
    in the grid as NaN (pivot_table would drop a column or row that is all NaN)."""
    values = cf[col].astype("float64").to_numpy()
    g = pd.Series(values, index=pd.MultiIndex.from_frame(cf[["territory_id", "field"]]))
    return g[~g.index.duplicated()].unstack("field")


@literal_text
def load_heatgrid(result: WorkloadResult, lang: str = "vi", cap: float = 3.0) -> Figure:
    """Heat-grid of the field load ratio, commune × field, before and after (capped at ``cap``)."""
    panels = [("before", result.before.commune_field)]
    if result.rebalanced is not None:
        panels.append(("after", result.rebalanced.after.commune_field))
    grids = [_grid(cf, "load_ratio") for _, cf in panels]
    fields = sorted(set().union(*[g.columns for g in grids]))
    communes = sorted(set().union(*[g.index for g in grids]))
    if not fields or not communes:
        fig, ax = plt.subplots(figsize=(6.5, 4))
        ax.text(0.5, 0.5, _t("no_data", lang), ha="center", va="center")
        ax.set_axis_off()
        return fig
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 11), squeeze=False,
                             sharey=True)
    norm = TwoSlopeNorm(vmin=0.0, vcenter=1.0, vmax=cap)
    im = None
    for ax, (when, _), g in zip(axes[0], panels, grids, strict=True):
        g = g.reindex(index=communes, columns=fields)
        data = np.clip(g.to_numpy(dtype=float), 0, cap)
        im = ax.imshow(np.ma.masked_invalid(data), aspect="auto", cmap="RdBu_r", norm=norm)
        ax.set_xticks(range(len(fields)), [label(f, lang) for f in fields], rotation=90,
                      fontsize=7)
        names = _names(result)
        ax.set_yticks(range(len(communes)), [names.get(str(c), c) for c in communes],
                      fontsize=5)
        ax.set_title(_t(when, lang))
        ax.set_xlabel(_t("field", lang))
    axes[0][0].set_ylabel(_t("commune", lang))
    fig.colorbar(im, ax=axes[0].tolist(), shrink=0.5, label=_t("load_ratio", lang))
    fig.suptitle(_t("heat_title", lang))
    return fig


@literal_text
def load_vs_competency(result: WorkloadResult, lang: str = "vi") -> Figure:
    """Personal load and fields covered against competency (before rebalancing), by quintile."""
    p = result.before.people
    pat = capability_pattern(p)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 5))
    sc = ax1.scatter(p["competency"], p["load_ratio"], c=p["n_qualified_fields"], s=6,
                     cmap="viridis", alpha=0.6, label=_t("person", lang))
    fig.colorbar(sc, ax=ax1, label=_t("n_fields", lang))
    s = result.settings
    ax1.axhline(s.overload_threshold, color="firebrick", lw=1, ls="--",
                label=f"{_t('over_line', lang)} ({s.overload_threshold:g})")
    ax1.axhline(s.underload_threshold, color="steelblue", lw=1, ls="--",
                label=f"{_t('under_line', lang)} ({s.underload_threshold:g})")
    if (p["load_ratio"] > 0).any():
        ax1.set_yscale("log")
        _log_ratio_axis(ax1.yaxis)
    ax1.set_xlabel(_t("competency", lang))
    ax1.set_ylabel(_t("load_ratio", lang) + (" — log" if lang == "en" else " — thang log"))
    x = np.arange(len(pat))
    ax2.bar(x - 0.2, pat["fields_worked_mean"], 0.4, label=_t("fields_mean", lang),
            color="#7570b3")
    ax2.set_ylabel(_t("n_fields", lang), color="#7570b3")
    ax2.set_xticks(x, pat["competency_band"].astype(str))
    ax2.set_xlabel(_t("competency", lang) + " (Q1–Q5)")
    ax3 = ax2.twinx()
    ax3.bar(x + 0.2, pat["load_mean"], 0.4, label=_t("load_mean", lang), color="#d95f02")
    ax3.set_ylabel(_t("load_ratio", lang), color="#d95f02")
    fig.suptitle(_t("capable_title", lang))
    legend_below(fig, [ax1, ax2, ax3], ncol=3)
    return fig


@literal_text
def load_distribution(result: WorkloadResult, lang: str = "vi") -> Figure:
    """Histogram of personal load before and after, with the thresholds."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    b = result.before.people["load_ratio"].clip(upper=4)
    a = result.after.people["load_ratio"].clip(upper=4)
    bins = np.linspace(0, 4, 41)
    ax.hist(b, bins=bins, alpha=0.55, label=_t("before", lang), color="#d95f02")
    ax.hist(a, bins=bins, alpha=0.55, label=_t("after", lang), color="#1b9e77")
    s = result.settings
    ax.axvline(s.overload_threshold, color="firebrick", ls="--", lw=1)
    ax.axvline(s.underload_threshold, color="steelblue", ls="--", lw=1)
    ax.set_xlabel(_t("load_ratio", lang) + " (≤ 4)")
    ax.set_ylabel(_t("people", lang))
    ax.set_title(_t("dist_title", lang))
    ax.legend(loc="best", frameon=True)
    fig.tight_layout()
    return fig


@literal_text
def top_people(result: WorkloadResult, lang: str = "vi", n: int = 20) -> Figure:
    """The ``n`` people carrying the most before rebalancing, and their load after."""
    b = result.before.people.nlargest(n, "load_ratio")
    after = result.after.people.set_index("staff_id")["load_ratio"]
    fig, ax = plt.subplots(figsize=(8, 0.3 * n + 1.5))
    y = np.arange(len(b))[::-1]
    units = _names(result)
    names = [f"{r.staff_id} · {units.get(str(r.territory_id), r.territory_id)} · "
             f"{label(r.post_field, lang)}" for r in b.itertuples()]
    ax.barh(y + 0.2, b["load_ratio"], 0.4, label=_t("before", lang), color="#d95f02")
    ax.barh(y - 0.2, b["staff_id"].map(after), 0.4, label=_t("after", lang), color="#1b9e77")
    ax.set_yticks(y, names, fontsize=7)
    ax.axvline(result.settings.overload_threshold, color="firebrick", ls="--", lw=1)
    ax.set_xlabel(_t("load_ratio", lang))
    ax.set_title(_t("top_title", lang))
    ax.legend(loc="lower right", frameon=True)
    fig.tight_layout()
    return fig


@literal_text
def changes_by_commune(result: WorkloadResult, lang: str = "vi") -> Figure:
    """People with a changed portfolio per commune, beside the commune's peak before/after."""
    per = result.rebalanced.per_commune.sort_values("peak_before", ascending=False)
    fig, ax = plt.subplots(figsize=(12, 4.5))
    x = np.arange(len(per))
    ax.bar(x, per["n_changed"], color="#7570b3", label=_t("changed_left", lang))
    names = _names(result)
    ax.set_xticks(x, [names.get(str(c), c) for c in per["territory_id"]], rotation=90,
                  fontsize=6)
    ax.set_ylabel(_t("changed", lang))
    ax2 = ax.twinx()
    ax2.plot(x, per["peak_before"], "o", ms=3, color="#d95f02", label=_t("peak_before", lang))
    ax2.plot(x, per["peak_after"], "o", ms=3, color="#1b9e77", label=_t("peak_after", lang))
    ax2.set_ylabel(_t("load_ratio", lang) + " (max)")
    ax.set_xlabel(_t("commune", lang))
    ax.set_title(_t("changes_title", lang))
    legend_below(fig, [ax, ax2], ncol=3)
    return fig


@literal_text
def residual_shortage(result: WorkloadResult, lang: str = "vi") -> Figure:
    """FTE still short after rebalancing, by field, split by reason."""
    sh = result.rebalanced.shortage
    fig, ax = plt.subplots(figsize=(8, 4.5))
    if not len(sh):
        ax.text(0.5, 0.5, _t("no_uncovered", lang), ha="center", va="center")
        ax.set_axis_off()
        return fig
    g = sh.pivot_table(index="field", columns="reason", values="shortage_fte", aggfunc="sum",
                       fill_value=0.0)
    g = g.loc[g.sum(axis=1).sort_values().index]
    left = np.zeros(len(g))
    colours = {"overload_after_rebalance": "#d95f02", "uncovered": "#636363"}
    for reason in g.columns:
        ax.barh(range(len(g)), g[reason], left=left, label=_t(reason, lang),
                color=colours.get(reason, "grey"))
        left += g[reason].to_numpy()
    ax.set_yticks(range(len(g)), [label(f, lang) for f in g.index], fontsize=8)
    ax.set_xlabel(_t("fte", lang))
    ax.set_title(_t("shortage_title", lang))
    ax.legend(loc="lower right", frameon=True)
    fig.tight_layout()
    return fig

"""Figures of the 2026–2030 projection, drawn from the band and target tables (returned, never
shown), labelled in Vietnamese or English. Shares are drawn in %, money in tỷ đồng; every line
is the median (P50) with its P5–P95 band; legends sit outside the data."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..labels import LANGS, literal_text
from .words import indicator_kind, indicator_label, scaled, unit_word, word

COST_PARTS = ("training_cost_vnd", "incentive_spending_vnd")


def _province(bands: pd.DataFrame, last_year: int) -> pd.DataFrame:
    part = bands[(bands["scope"] == "province") & (bands["year"] <= last_year)]
    return part.sort_values(["scenario", "indicator", "year"])


def _axis_label(indicator: str, lang: str) -> str:
    unit = unit_word(indicator, lang)
    return f"{indicator_label(indicator, lang)} ({unit})" if unit else indicator_label(
        indicator, lang)


def _wrap(text: str, width: int = 38) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "\n".join([*lines, line])


@literal_text
def indicator_bands(bands: pd.DataFrame, indicators: list[str], lang: str = "vi",
                    last_year: int = 2030) -> Figure:
    """One panel per indicator (province scope): each scenario's P50 by year with its P5–P95
    band, years up to ``last_year``; one legend, right of the panels."""
    word("year", lang)  # checks ``lang``
    data = _province(bands, last_year)
    shown = [i for i in indicators if (data["indicator"] == i).any()]
    scenarios = list(dict.fromkeys(bands["scenario"]))
    n = max(len(shown), 1)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols + 2.2, 3.2 * rows), squeeze=False)
    years = sorted(data["year"].unique())
    for ax, indicator in zip(axes.flat, shown, strict=False):
        for k, scenario in enumerate(scenarios):
            d = data[(data["scenario"] == scenario) & (data["indicator"] == indicator)]
            if d.empty:
                continue
            colour = f"C{k % 10}"
            ax.fill_between(d["year"], scaled(indicator, d["p5"]), scaled(indicator, d["p95"]),
                            color=colour, alpha=0.2, linewidth=0)
            ax.plot(d["year"], scaled(indicator, d["p50"]), marker="o", color=colour,
                    label=scenario)
        ax.set_title(_wrap(_axis_label(indicator, lang)), fontsize=9)
        ax.set_xticks(years, [str(y) for y in years], fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        if indicator_kind(indicator) == "share":
            ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(shown):]:
        ax.set_visible(False)
    handles = [plt.Line2D([], [], color=f"C{k % 10}", marker="o") for k in range(len(scenarios))]
    band = plt.Rectangle((0, 0), 1, 1, color="grey", alpha=0.2)
    fig.legend([*handles, band], [*scenarios, "P5–P95"], title=word("scenario", lang),
               loc="upper left", bbox_to_anchor=(1.0, 0.98), fontsize=8)
    fig.suptitle(word("figure_indicators", lang), fontsize=11)
    fig.tight_layout()
    return fig


@literal_text
def cost_by_year(bands: pd.DataFrame, lang: str = "vi", last_year: int = 2030) -> Figure:
    """Per scenario: training and incentive spending stacked by year (P50), the total's P5–P95
    band as an error bar, and the incentive ceiling as a dashed line (tỷ đồng)."""
    word("year", lang)
    data = _province(bands, last_year)
    scenarios = list(dict.fromkeys(bands["scenario"]))
    n = max(len(scenarios), 1)
    fig, axes = plt.subplots(1, n, figsize=(4.3 * n + 2.4, 3.8), squeeze=False, sharey=True)
    colours = {"training_cost_vnd": "#1b9e77", "incentive_spending_vnd": "#7570b3"}
    for ax, scenario in zip(axes.flat, scenarios, strict=False):
        d = data[data["scenario"] == scenario]
        years = sorted(d["year"].unique())
        x = np.arange(len(years))
        bottom = np.zeros(len(years))
        for part in COST_PARTS:
            p = d[d["indicator"] == part].set_index("year").reindex(years)
            if p["p50"].isna().all():
                continue
            values = (p["p50"].fillna(0) / 1e9).to_numpy()
            ax.bar(x, values, bottom=bottom, color=colours[part], width=0.6,
                   label=indicator_label(part, lang))
            bottom += values
        total = d[d["indicator"] == "total_cost_vnd"].set_index("year").reindex(years)
        if not total["p50"].isna().all():
            mid = total["p50"].to_numpy() / 1e9
            ax.errorbar(x, mid, yerr=[mid - total["p5"].to_numpy() / 1e9,
                                      total["p95"].to_numpy() / 1e9 - mid],
                        fmt="D", color="black", markersize=4, capsize=3,
                        label=indicator_label("total_cost_vnd", lang) + " (P50, P5–P95)")
        ceiling = d[d["indicator"] == "incentive_ceiling_vnd"].set_index("year").reindex(years)
        if not ceiling["p50"].isna().all():
            ax.plot(x, ceiling["p50"].to_numpy() / 1e9, "k--",
                    label=indicator_label("incentive_ceiling_vnd", lang))
        ax.set_xticks(x, [str(y) for y in years], fontsize=8)
        ax.set_title(scenario, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    axes.flat[0].set_ylabel(UNIT_VND[LANGS.index(lang)])
    handles, names = axes.flat[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, names, loc="upper left", bbox_to_anchor=(1.0, 0.95), fontsize=8)
    fig.suptitle(word("figure_cost", lang), fontsize=11)
    fig.tight_layout()
    return fig


UNIT_VND = ("tỷ đồng", "bn VND")


@literal_text
def targets_share_met(targets: pd.DataFrame, labels: dict[str, str], lang: str = "vi",
                      last_year: int = 2030) -> Figure:
    """Share of seeds meeting each target by year, one panel per scenario (in %); ``labels``
    maps target id → a short label."""
    word("year", lang)
    data = targets[targets["year"] <= last_year]
    scenarios = list(dict.fromkeys(data["scenario"]))
    n = max(len(scenarios), 1)
    fig, axes = plt.subplots(1, n, figsize=(4.0 * n + 3.5, 3.6), squeeze=False, sharey=True)
    ids = list(dict.fromkeys(data["target"]))
    for ax, scenario in zip(axes.flat, scenarios, strict=False):
        d = data[data["scenario"] == scenario]
        for k, target in enumerate(ids):
            t = d[d["target"] == target].sort_values("year")
            ax.plot(t["year"], t["share_met"] * 100, marker="o", color=f"C{k % 10}",
                    label=_wrap(labels.get(target, target), 45))
        years = sorted(d["year"].unique())
        ax.set_xticks(years, [str(y) for y in years], fontsize=8)
        ax.set_ylim(-3, 103)
        ax.set_title(scenario, fontsize=10)
        ax.grid(alpha=0.3)
    axes.flat[0].set_ylabel(word("share_of_seeds", lang))
    handles, names = axes.flat[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, names, loc="upper left", bbox_to_anchor=(1.0, 0.95), fontsize=7)
    fig.suptitle(word("figure_targets", lang), fontsize=11)
    fig.tight_layout()
    return fig

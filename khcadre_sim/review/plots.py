"""Figures of the competency review (returned, never shown), in Vietnamese or English."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..labels import label, literal_text
from ..plots import AREA_COLOURS, AREA_ORDER, percent_axis, province_map
from .api import GROUPS, ReviewResult


def review_map(result: ReviewResult, lang: str = "vi") -> Figure:
    """Share of each unit's staff meeting the standard, on the map."""
    share = result.by_commune.set_index("territory_id")["share_meeting"]
    return province_map(result.territories, lang, values=share,
                        value_label=label("share_meeting", lang), percent=True, n_names=10,
                        title=("Tỷ lệ đạt chuẩn theo đơn vị" if lang == "vi"
                               else "Share meeting the standard by unit"))


@literal_text
def review_by_area_class(result: ReviewResult, lang: str = "vi") -> Figure:
    """Share meeting the standard and mean gap per competency group, by area class."""
    s = result.by_area_class.set_index("area_class").reindex(
        [a for a in AREA_ORDER if a in set(result.by_area_class["area_class"])])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ax1.bar([label(a, lang) for a in s.index], s["share_meeting"],
            color=[AREA_COLOURS[a] for a in s.index])
    ax1.set_ylim(0, 1)
    percent_axis(ax1.yaxis)
    ax1.set_ylabel(label("share_meeting", lang) + " (%)")
    ax1.tick_params(axis="x", labelsize=8)
    width = 0.25
    x = np.arange(len(s))
    for i, g in enumerate(GROUPS):
        ax2.bar(x + (i - 1) * width, s[f"mean_gap_{g}"], width, label=label(g, lang))
    ax2.set_xticks(x, [label(a, lang) for a in s.index], fontsize=8)
    ax2.set_ylabel(label("mean_gap", lang))
    ax2.legend(fontsize=8, loc="best", frameon=True)
    fig.suptitle(label("review_by_area", lang))
    fig.tight_layout()
    return fig


@literal_text
def gap_distribution(result: ReviewResult, lang: str = "vi") -> Figure:
    """Histogram of the positive gaps per competency group (people below the minimum only)."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    bins = np.arange(0, 41, 2.5)
    for g in GROUPS:
        gaps = result.people[f"gap_{g}"]
        ax.hist(gaps[gaps > 0], bins=bins, histtype="step", linewidth=2, label=label(g, lang))
    ax.set_xlabel(label("mean_gap", lang))
    ax.set_ylabel(label("staff", lang))
    ax.set_title(label("gap_distribution", lang))
    ax.legend(loc="best", frameon=True)
    fig.tight_layout()
    return fig

"""Figures of a sweep (returned, never shown), in Vietnamese or English: the probability of
breaching the ceiling over a grid of two levers, Sobol' indices with their intervals, and the
PRIM peeling trajectory with the chosen box."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ..labels import literal_text, translator
from .analysis import PrimResult

_WORDS: dict[str, tuple[str, str]] = {
    "breach_title": ("Xác suất chi phí P95 vượt trần (trên không gian bất định)",
                     "Probability that the P95 cost exceeds the ceiling (over the uncertainties)"),
    "probability": ("Xác suất", "Probability"),
    "sobol_title": ("Chỉ số Sobol: phần phương sai do mỗi yếu tố bất định",
                    "Sobol' indices: share of the variance due to each uncertainty"),
    "first_order": ("Bậc một (S1)", "First order (S1)"),
    "total": ("Toàn phần (ST)", "Total (ST)"),
    "share_of_variance": ("Tỷ lệ phương sai", "Share of variance"),
    "prim_title": ("PRIM: đánh đổi giữa độ bao phủ và mật độ của hộp",
                   "PRIM: coverage against density of the boxes"),
    "coverage": ("Độ bao phủ", "Coverage"),
    "density": ("Mật độ", "Density"),
    "chosen": ("Hộp được chọn", "Chosen box"),
    "peeling": ("Các bước bóc tách", "Peeling steps"),
}
_t = translator(_WORDS)


def _short(name: str) -> str:
    """The last part of a scenario key (``…incentives.acceptance_recruit`` → its tail)."""
    return name.rsplit(".", 1)[-1] if "]" not in name.rsplit(".", 1)[-1] else name


@literal_text
def breach_heatmap(probability: pd.DataFrame, x: str, y: str, lang: str = "vi",
                   names: dict[str, str] | None = None) -> Figure:
    """``probability``: :func:`analysis.breach_probability` over two levers ``x`` and ``y``;
    each cell shows the share of experiments breaching, in %."""
    names = names or {}
    table = probability.pivot(index=y, columns=x, values="probability").sort_index(
        ascending=False)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    im = ax.imshow(table.to_numpy(dtype=float), cmap="Reds", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(table.shape[1]), [f"{v:g}" for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [f"{v:g}" for v in table.index])
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            v = float(table.iloc[i, j])
            ax.annotate(f"{v:.0%}", (j, i), ha="center", va="center",
                        color="white" if v > 0.6 else "black", fontsize=10)
    ax.set_xlabel(names.get(x, _short(x)))
    ax.set_ylabel(names.get(y, _short(y)))
    bar = fig.colorbar(im, ax=ax, format=PercentFormatter(1.0, decimals=0))
    bar.set_label(_t("probability", lang))
    ax.set_title(_t("breach_title", lang), fontsize=10)
    fig.tight_layout()
    return fig


@literal_text
def sobol_bars(indices: pd.DataFrame, lang: str = "vi",
               names: dict[str, str] | None = None) -> Figure:
    """``indices``: :func:`analysis.sobol_indices`; S1 and ST with their interval half-widths
    as error bars (indices are clipped to [0, 1] for drawing only; the table keeps them)."""
    names = names or {}
    labels = [names.get(f, _short(f)) for f in indices["factor"]]
    y = np.arange(len(indices))
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(indices) + 1.6))
    for offset, col, colour in ((-0.18, "S1", "#3182bd"), (0.18, "ST", "#fd8d3c")):
        ax.barh(y + offset, indices[col].clip(0, 1), 0.34,
                xerr=indices[f"{col}_conf"], color=colour, capsize=3,
                label=_t("first_order" if col == "S1" else "total", lang))
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.5)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(_t("share_of_variance", lang))
    ax.set_title(_t("sobol_title", lang), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


@literal_text
def prim_tradeoff(result: PrimResult, lang: str = "vi") -> Figure:
    """Coverage against density along the peeling trajectory, the chosen box marked."""
    tr = result.trajectory()
    fig, ax = plt.subplots(figsize=(6, 4))
    sc = ax.scatter(tr["coverage"], tr["density"], c=tr["step"], cmap="viridis", s=18,
                    label=_t("peeling", lang))
    ax.scatter([result.box.coverage], [result.box.density], s=120, facecolors="none",
               edgecolors="#d7301f", linewidths=2, label=_t("chosen", lang))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(_t("coverage", lang))
    ax.set_ylabel(_t("density", lang))
    fig.colorbar(sc, ax=ax).set_label("step" if lang == "en" else "bước")
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(_t("prim_title", lang), fontsize=10)
    fig.tight_layout()
    return fig

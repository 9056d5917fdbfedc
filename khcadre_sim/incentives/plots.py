"""Figures of the incentive budget (returned, never shown), labelled in Vietnamese or English."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..labels import literal_text
from ..plots import legend_below
from .budget import BudgetResult
from .report import text


def _bn(x) -> np.ndarray:
    return np.asarray(x, dtype=float) / 1e9


@literal_text
def plot_cost_by_year(results: dict[str, BudgetResult], lang: str = "vi",
                      measure: str = "net_cost") -> Figure:
    """Net cost by year with the P5–P95 band, one line per design, and each design's ceiling."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, (name, r) in enumerate(results.items()):
        d = r.view(measure)
        colour = f"C{i}"
        ax.plot(d["year"], _bn(d["expected"]), marker="o", color=colour, label=name)
        ax.fill_between(d["year"], _bn(d["p5"]), _bn(d["p95"]), color=colour, alpha=0.2)
    first = next(iter(results.values()))
    ax.plot(first.ceiling["year"], _bn(first.ceiling["ceiling"]), "k--",
            label=text("ceiling", lang))
    ax.set_xlabel(text("year", lang))
    ax.set_ylabel(f"{text(measure, lang)} ({text('vnd_bn', lang)})")
    ax.set_title("Chi phí ròng theo năm, dải P5–P95" if lang == "vi"
                 else "Net cost by year, P5–P95 band")
    ax.set_xticks(first.years)
    ax.legend(fontsize=8, loc="best", frameon=True)
    fig.tight_layout()
    return fig


@literal_text
def plot_cap_curve(curve: pd.DataFrame, lang: str = "vi") -> Figure:
    """Total net cost 2026–2030 and places granted against the commune cap share."""
    tot = curve.groupby("commune_cap_share").agg(expected=("expected", "sum"),
                                                 places=("places_granted", "first"),
                                                 waitlisted=("waitlisted", "first"))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(tot.index * 100, _bn(tot["expected"]), marker="o", color="C0",
            label=("Chi phí ròng 2026–2030 (trục trái)" if lang == "vi"
                   else "Net cost 2026–2030 (left axis)"))
    ax.set_xlabel(text("commune_cap_share", lang) + " (%)")
    ax.set_ylabel(("Chi phí ròng 2026–2030" if lang == "vi" else "Net cost 2026–2030")
                  + f" ({text('vnd_bn', lang)})", color="C0")
    ax2 = ax.twinx()
    ax2.plot(tot.index * 100, tot["places"], marker="s", color="C1",
             label=text("places_granted", lang))
    ax2.plot(tot.index * 100, tot["waitlisted"], marker="^", color="C2",
             label=text("waitlisted", lang))
    ax2.set_ylabel("Số người (trục phải)" if lang == "vi" else "People (right axis)")
    ax.set_title("Ảnh hưởng của trần người hưởng mỗi xã" if lang == "vi"
                 else "Effect of the per-commune beneficiary cap")
    legend_below(fig, [ax, ax2], ncol=3)
    return fig


@literal_text
def plot_amount_curve(curve: pd.DataFrame, ceiling: pd.DataFrame, lang: str = "vi",
                      answer_scale: float | None = None) -> Figure:
    """Worst year's P95 and expected net cost against the factor on the monthly (or one-off)
    amounts (the curve's ``*_scale`` column)."""
    col = next(c for c in curve.columns if c.endswith("_scale"))
    worst = curve.groupby(col).agg(p95=("p95", "max"), expected=("expected", "max"))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(worst.index, _bn(worst["expected"]), marker="o",
            label="Kỳ vọng, năm cao nhất" if lang == "vi" else "Expected, highest year")
    ax.plot(worst.index, _bn(worst["p95"]), marker="s",
            label="P95, năm cao nhất" if lang == "vi" else "P95, highest year")
    ax.axhline(_bn(ceiling["ceiling"].min()), color="k", ls="--", label=text("ceiling", lang))
    if answer_scale is not None:
        ax.axvline(answer_scale, color="C3", ls=":",
                   label="Mức tối đa" if lang == "vi" else "Largest factor")
    ax.set_xlabel(text(col, lang))
    ax.set_ylabel(f"{text('net_cost', lang)} ({text('vnd_bn', lang)})")
    ax.set_title(f"Chi phí theo {text(col, 'vi').lower()}" if lang == "vi"
                 else f"Cost against the {text(col, 'en').lower()}")
    ax.legend(fontsize=8, loc="best", frameon=True)
    fig.tight_layout()
    return fig


@literal_text
def plot_refunds(result: BudgetResult, lang: str = "vi") -> Figure:
    """Gross outlay, refunds recovered (shown separately, as income) and net cost by year."""
    d = result.expected_by_year()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    x = np.arange(len(d))
    ax.bar(x - 0.2, _bn(d["gross_outlay"]), width=0.4, label=text("gross_outlay", lang))
    ax.bar(x + 0.2, -_bn(d["refunds_recovered"]), width=0.4,
           label=text("refunds_recovered", lang))
    ax.plot(x, _bn(d["net_cost"]), "ko-", label=text("net_cost", lang))
    ax.set_xticks(x, d.index)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel(text("vnd_bn", lang))
    ax.set_title("Tổng chi, thu hồi và chi phí ròng" if lang == "vi"
                 else "Gross outlay, refunds recovered and net cost")
    ax.legend(fontsize=8, loc="best", frameon=True)
    fig.tight_layout()
    return fig


@literal_text
def plot_sensitivity(table: pd.DataFrame, lang: str = "vi") -> Figure:
    """Tornado: total net cost 2026–2030 with each rate at its low and high value."""
    t = table.iloc[::-1]
    base = _bn(t["net_cost_base"].iloc[0]) if len(t) else 0.0
    fig, ax = plt.subplots(figsize=(8, 4.5))
    y = np.arange(len(t))
    ax.barh(y, _bn(t["net_cost_at_low"]) - base, left=base, color="C0",
            label="Mức thấp" if lang == "vi" else "Low value")
    ax.barh(y, _bn(t["net_cost_at_high"]) - base, left=base, color="C3", alpha=0.7,
            label="Mức cao" if lang == "vi" else "High value")
    ax.set_yticks(y, [text(r, lang) for r in t["rate"]])
    ax.axvline(base, color="k", lw=0.8)
    ax.set_xlabel(("Chi phí ròng 2026–2030" if lang == "vi" else "Net cost 2026–2030")
                  + f" ({text('vnd_bn', lang)})")
    ax.set_title("Độ nhạy của chi phí theo các tham số bất định" if lang == "vi"
                 else "Sensitivity of cost to the uncertain rates")
    ax.legend(fontsize=8, loc="best", frameon=True)
    fig.tight_layout()
    return fig

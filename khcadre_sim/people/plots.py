"""Figures of the people-over-time mechanisms (returned, never shown), in Vietnamese or English:
the retirement wave, the year's ratings with the quota and the levelling detector, the training
plan and the need-driven recruitment."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ..labels import literal_text, translator
from ..plots import AREA_ORDER
from ..ratings import RATINGS
from .evaluation import EvaluationResult
from .recruitment import RecruitmentResult
from .training import TrainingPlan

_WORDS: dict[str, tuple[str, str]] = {
    "retirement_wave": ("Nghỉ hưu theo lộ trình tuổi nghỉ hưu, 2026–2030",
                        "Retirements on the statutory roadmap, 2026–2030"),
    "retirees": ("Số người nghỉ hưu", "People retiring"),
    "managers": ("Lãnh đạo, quản lý", "Managers"),
    "others": ("Công chức, viên chức khác", "Other staff"),
    "year": ("Năm", "Year"),
    "by_commune": ("Đơn vị có nhiều người nghỉ hưu nhất (2026–2030)",
                   "Units with the most retirements (2026–2030)"),
    "ratings_title": ("Xếp loại năm {year} theo kết quả, sản phẩm",
                      "{year} ratings by outputs"),
    "share_of_people": ("Tỷ lệ người", "Share of people"),
    "levelling_title": ("Phát hiện cào bằng:\ntỷ lệ ở mức phổ biến nhất của mỗi đơn vị",
                        "Levelling detector:\nshare in each unit's modal band"),
    "modal_share": ("Tỷ lệ ở mức phổ biến nhất", "Share in the modal band"),
    "expected_share": ("Kỳ vọng theo phân bố của tỉnh", "Expected from the province's spread"),
    "flagged": ("Bị gắn cờ cào bằng", "Flagged for levelling"),
    "not_flagged": ("Không gắn cờ", "Not flagged"),
    "staff_in_unit": ("Số người được xếp loại trong đơn vị", "People rated in the unit"),
    "training_title": ("Kế hoạch bồi dưỡng: số suất theo năm", "Training plan: seats by year"),
    "seats": ("Số suất học", "Seats"),
    "digital": ("Kỹ năng số (ưu tiên)", "Digital skills (first)"),
    "other_courses": ("Khóa khác", "Other courses"),
    "coverage": ("Tỷ lệ người có khoảng cách\nđược bồi dưỡng",
                 "Share of people\nwith a gap trained"),
    "not_changed": ("Năng lực không chuyển biến", "Capacity did not change"),
    "not_completed": ("Không hoàn thành nhiệm vụ", "Not completed"),
    "completed": ("Hoàn thành nhiệm vụ", "Completed"),
    "good": ("Hoàn thành tốt nhiệm vụ", "Good"),
    "excellent": ("Hoàn thành xuất sắc nhiệm vụ", "Excellent"),
    "recruitment_title": ("Bù đắp thiếu hụt năm {year} theo lĩnh vực",
                          "Filling the {year} shortage by field"),
    "people": ("Số người", "People"),
    "from_surplus": ("Bố trí từ người dôi dư", "From surplus staff"),
    "regular": ("Tuyển dụng thông thường", "Regular recruitment"),
    "programmes": ("Chương trình thu hút", "Talent programmes"),
    "unfilled": ("Chưa tuyển được", "Not filled"),
}
_t = translator(_WORDS)


@literal_text
def retirement_wave(retirements: pd.DataFrame, territories: pd.DataFrame | None = None,
                    lang: str = "vi", top: int = 12) -> Figure:
    """Retirements by year (managers apart) and, with ``territories``, the units with the
    most retirements over the period. ``retirements``: :func:`exits.retirements_between`."""
    panels = 2 if territories is not None else 1
    fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 4), squeeze=False)
    ax = axes[0, 0]
    years = sorted(retirements["year"].unique()) if len(retirements) else []
    manager = retirements["is_manager"].fillna(False).astype(bool)
    m = retirements[manager].groupby("year").size().reindex(years, fill_value=0)
    o = retirements[~manager].groupby("year").size().reindex(years, fill_value=0)
    ax.bar([str(y) for y in years], m.to_numpy(), color="#b2182b", label=_t("managers", lang))
    ax.bar([str(y) for y in years], o.to_numpy(), bottom=m.to_numpy(), color="#9ecae1",
           label=_t("others", lang))
    for i, total in enumerate(m.to_numpy() + o.to_numpy()):
        ax.annotate(f"{total}", (i, total), ha="center", va="bottom", fontsize=9)
    ax.set_ylabel(_t("retirees", lang))
    ax.set_xlabel(_t("year", lang))
    ax.set_ylim(0, max(1, (m + o).max() if years else 1) * 1.18)
    ax.legend(loc="upper left", fontsize=8, frameon=True)
    ax.set_title(_t("retirement_wave", lang), fontsize=10)
    if territories is not None:
        ax2 = axes[0, 1]
        names = territories.set_index(territories["territory_id"].astype(str))["name"]
        counts = (retirements.dropna(subset=["territory_id"])
                  .groupby(retirements["territory_id"].astype(str)).size()
                  .sort_values(ascending=False).head(top).iloc[::-1])
        ax2.barh([str(names.get(t, t)) for t in counts.index], counts.to_numpy(),
                 color="#756bb1")
        ax2.set_xlabel(_t("retirees", lang))
        ax2.tick_params(axis="y", labelsize=8)
        ax2.set_title(_t("by_commune", lang), fontsize=10)
    fig.tight_layout()
    return fig


@literal_text
def ratings_and_levelling(result: EvaluationResult, territories: pd.DataFrame | None = None,
                          lang: str = "vi") -> Figure:
    """Left: the year's rating distribution (in %), by area class when ``territories`` are
    given. Right: each unit's share in its modal band against the share expected from the
    province's spread, flagged units in red."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
    r = result.ratings
    areas: list[str] = []
    if territories is not None:
        area_of = territories.set_index(territories["territory_id"].astype(str))["area_class"]
        r = r.assign(area_class=r["unit"].astype(str).map(area_of).astype(str))
        areas = [a for a in AREA_ORDER if a in set(r["area_class"])]
    bands = list(RATINGS)
    colours = {"not_completed": "#d7301f", "completed": "#fdae6b", "good": "#74c476",
               "excellent": "#238b45"}
    groups = areas or ["all"]
    shares = []
    for g in groups:
        part = r if g == "all" else r[r["area_class"].astype(str) == g]
        shares.append(part["rating"].value_counts(normalize=True).reindex(bands, fill_value=0))
    table = pd.DataFrame(shares, index=groups)
    x = np.arange(len(groups))
    width = 0.8 / len(bands)
    for i, b in enumerate(bands):
        ax1.bar(x + (i - (len(bands) - 1) / 2) * width, table[b].to_numpy(), width,
                color=colours[b], label=_t(b, lang))
    ax1.set_xticks(x, [_t(g, lang).replace(", ", ",\n") for g in groups], fontsize=8)
    ax1.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax1.set_ylabel(_t("share_of_people", lang))
    ax1.set_title(_t("ratings_title", lang).format(year=result.year), fontsize=10)
    ax1.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    lv = result.levelling[result.levelling["testable"].astype(bool)]
    flagged = lv["flagged"].astype(bool)
    ax2.scatter(lv.loc[~flagged, "n"], lv.loc[~flagged, "modal_share"], s=18, color="#4292c6",
                label=_t("not_flagged", lang))
    ax2.scatter(lv.loc[flagged, "n"], lv.loc[flagged, "modal_share"], s=30, color="#d7301f",
                marker="D", label=_t("flagged", lang))
    ax2.scatter(lv["n"], lv["expected_share"], s=40, color="grey", marker="_",
                label=_t("expected_share", lang))
    ax2.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax2.set_ylim(0, 1.05)
    ax2.set_xlabel(_t("staff_in_unit", lang))
    ax2.set_ylabel(_t("modal_share", lang))
    ax2.set_title(_t("levelling_title", lang), fontsize=10)
    ax2.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


@literal_text
def training_plan(plan: TrainingPlan, lang: str = "vi") -> Figure:
    """Seats per year, digital courses first, with the coverage of people with a gap and the
    number whose capacity did not change."""
    seats = plan.seats
    summary = plan.summary()
    years = [int(y) for y in summary["year"]] if len(summary) else []
    digital = seats[seats["digital"]].groupby("year").size().reindex(years, fill_value=0)
    other = seats[~seats["digital"]].groupby("year").size().reindex(years, fill_value=0)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    labels = [str(y) for y in years]
    ax1.bar(labels, digital.to_numpy(), color="#3182bd", label=_t("digital", lang))
    ax1.bar(labels, other.to_numpy(), bottom=digital.to_numpy(), color="#bdd7e7",
            label=_t("other_courses", lang))
    ax1.set_ylabel(_t("seats", lang))
    ax1.set_xlabel(_t("year", lang))
    ax1.set_ylim(0, max(1, (digital + other).max() if years else 1) * 1.2)
    ax1.legend(fontsize=8, loc="upper right")
    ax1.set_title(_t("training_title", lang), fontsize=10)
    ax2.bar(labels, summary["coverage"].to_numpy(dtype=float) if years else [],
            color="#31a354")
    for i, (cov, nc) in enumerate(zip(summary.get("coverage", []),
                                      summary.get("not_changed", []), strict=True)):
        ax2.annotate(f"{cov:.0%}\n{_t('not_changed', lang)}: {int(nc)}", (i, cov),
                     ha="center", va="bottom", fontsize=8)
    ax2.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax2.set_ylim(0, 1.3)
    ax2.set_ylabel(_t("coverage", lang))
    ax2.set_xlabel(_t("year", lang))
    fig.tight_layout()
    return fig


@literal_text
def recruitment_by_field(result: RecruitmentResult, lang: str = "vi") -> Figure:
    """Per field: posts filled from surplus staff, by regular recruitment, by the talent
    programmes, and left unfilled."""
    by = result.by_field().set_index("field")
    programmes = [c for c in by.columns if c not in
                  {"posts_to_fill", "from_surplus", "to_recruit", "offers", "regular",
                   "recruits"}]
    parts = pd.DataFrame({
        "from_surplus": by["from_surplus"],
        "regular": by.get("regular", 0),
        "programmes": by[programmes].sum(axis=1) if programmes else 0,
    })
    parts["unfilled"] = (by["posts_to_fill"] - parts.sum(axis=1)).clip(lower=0)
    parts = parts.loc[parts.sum(axis=1).sort_values().index]
    colours = {"from_surplus": "#9e9ac8", "regular": "#6baed6", "programmes": "#fd8d3c",
               "unfilled": "#d9d9d9"}
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(parts) + 1.6))
    left = np.zeros(len(parts))
    names = [_t(f, lang) for f in parts.index]
    for col in parts.columns:
        ax.barh(names, parts[col].to_numpy(), left=left, color=colours[col], label=_t(col, lang))
        left += parts[col].to_numpy()
    ax.set_xlabel(_t("people", lang))
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title(_t("recruitment_title", lang).format(year=result.year), fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


__all__ = ["ratings_and_levelling", "recruitment_by_field", "retirement_wave",
           "training_plan"]

"""Figures of a placement run (returned, never shown), labelled in Vietnamese or English."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..labels import label, literal_text, translator
from ..plots import label_units, percent_axis
from .api import PlacementResult, manager_diversity, manager_floors

_T: dict[str, tuple[str, str]] = {
    "moves_map": ("Điều động theo phương án tối ưu", "Moves in the optimized placement"),
    "moves": ("người chuyển sang vị trí khác", "people moved to another post"),
    "surplus": ("Dôi dư (chưa bố trí)", "Surplus (unplaced)"),
    "vacant": ("Vị trí còn trống", "Vacant posts"),
    "old_new": ("Dôi dư và vị trí trống theo lĩnh vực (★ = việc mới)",
                "Surplus and vacancies by field (★ = new work)"),
    "by_area": ("Dôi dư và vị trí trống theo loại địa bàn", "Surplus and vacancies by area class"),
    "count": ("Số lượng", "Count"),
    "diversity": ("Cơ cấu cán bộ lãnh đạo, quản lý: trước và sau",
                  "Managers: before and after"),
    "share": ("Tỷ lệ", "Share"),
    "before": ("Hiện tại", "Today"),
    "after": ("Sau bố trí", "After placement"),
    "floor": ("Mức sàn", "Floor"),
    "young": ("Trẻ", "Young"),
    "female": ("Nữ", "Female"),
    "minority": ("Dân tộc thiểu số", "Ethnic minority"),
    "prices": ("Chi phí của từng quy tắc (điểm mục tiêu mất đi)",
               "Price of each rule (objective points lost)"),
    "points": ("Điểm", "Points"),
    "gap_bounds": ("Khoảng sai số do khoảng cách tối ưu (gap)",
                   "Range the solver gaps could hide"),
    "not_solved": ("không giải được khi bỏ quy tắc", "no answer without the rule"),
    "unit": ("Đơn vị", "Unit"),
    "hard_unit": ("Đơn vị địa bàn khó khăn", "Hard-area unit"),
    "move": ("Điều động giữa hai đơn vị (độ dày theo số người)",
             "Move between units (width by people)"),
    "rotation_move": ("Luân chuyển cán bộ quy hoạch đến địa bàn khó khăn",
                      "Planning-pool rotation to a hard area"),
    "within": ("Đổi vị trí trong cùng đơn vị", "Change of post within a unit"),
    "thresholds": ("Ngưỡng năng lực tối thiểu", "Minimum competency thresholds"),
    "non_local": ("Không bố trí người địa phương (chức danh chủ chốt; giả định của dự án)",
                  "Non-local rule for key posts (project assumption)"),
    "manager_floors": ("Tỷ lệ tối thiểu trẻ/nữ/DTTS trong lãnh đạo",
                       "Young/female/minority manager floors"),
    "rotation": ("Luân chuyển cán bộ quy hoạch đến địa bàn khó khăn",
                 "Planning-pool rotation to hard areas"),
    "move_caps": ("Giới hạn số người thay đổi vị trí", "Caps on changes of post"),
    "stay": ("Người mới điều động giữ nguyên vị trí", "Recently moved people stay"),
    "keep_filled_posts": ("Vị trí đang có người không để trống", "Filled posts stay filled"),
    "keep_placed": ("Người đang có vị trí vẫn được bố trí", "People in posts keep a post"),
}
OFFSHORE_LON = 110.5  # Trường Sa, ~400 km offshore, is left off the map


_t = translator(_T)


@literal_text
def moves_map(result: PlacementResult, territories: pd.DataFrame, lang: str = "vi",
              n_names: int = 10) -> Figure:
    """Communes at their centroids; a line for each origin → destination flow of moved people
    (width by count), planning-pool rotations to hard areas in red; the ``n_names`` units most
    moves leave or reach are named, and a legend says what each mark is."""
    t = territories.set_index(territories["territory_id"].astype(str))
    a = result.assignments
    pos = result.candidates
    moved = a[a["moved"]].copy()
    cur_terr = dict(zip(pos.post_ids, pos.territory_ids[pos.post_terr], strict=True))
    moved["origin"] = moved["current_position_id"].map(cur_terr)
    flows = moved.groupby(["origin", "territory_id", "rotation"]).size().reset_index(name="n")
    fig, ax = plt.subplots(figsize=(10.5, 7.5))
    main = t[t["lon"] < OFFSHORE_LON]
    hard = main["hard_area"].astype(bool)
    ax.scatter(main.loc[~hard, "lon"], main.loc[~hard, "lat"], s=18, c="#999999", zorder=2)
    ax.scatter(main.loc[hard, "lon"], main.loc[hard, "lat"], s=30, c="#7570b3", marker="^",
               zorder=2)
    for f in flows.itertuples():
        if f.origin not in main.index or f.territory_id not in main.index:
            continue
        o, d = main.loc[f.origin], main.loc[f.territory_id]
        if f.origin == f.territory_id:
            ax.scatter(o["lon"], o["lat"], s=10 + 6 * f.n, facecolor="none",
                       edgecolor="#1b9e77", zorder=3)
            continue
        ax.annotate("", xy=(d["lon"], d["lat"]), xytext=(o["lon"], o["lat"]),
                    arrowprops={"arrowstyle": "->", "lw": 0.4 + 0.5 * f.n, "alpha": 0.6,
                                "color": "#d62728" if f.rotation else "#1f78b4"}, zorder=1)
    # the units most moves leave or reach are named
    busy = pd.concat([flows.groupby("origin")["n"].sum(), flows.groupby("territory_id")["n"]
                      .sum()]).groupby(level=0).sum().sort_values(ascending=False)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], ls="", marker="o", ms=5, color="#999999", label=_t("unit", lang)),
               Line2D([], [], ls="", marker="^", ms=6, color="#7570b3",
                      label=_t("hard_unit", lang)),
               Line2D([], [], color="#1f78b4", lw=1.5, label=_t("move", lang)),
               Line2D([], [], color="#d62728", lw=1.5, label=_t("rotation_move", lang)),
               Line2D([], [], ls="", marker="o", ms=8, markerfacecolor="none",
                      markeredgecolor="#1b9e77", label=_t("within", lang))]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8,
              frameon=True)
    ax.set_xlabel(label("longitude", lang))
    ax.set_ylabel(label("latitude", lang))
    ax.set_aspect("equal")
    ax.set_title(f"{_t('moves_map', lang)}: {len(moved):,} {_t('moves', lang)}")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    # the units most moves leave or reach are named, once the layout is final
    label_units(ax, main.reset_index(drop=True), [i for i in busy.index[:n_names]
                                                  if i in main.index])
    return fig


@literal_text
def surplus_and_vacancies(result: PlacementResult, by: str = "field", lang: str = "vi"
                          ) -> Figure:
    """Surplus people (by their first qualified field or their commune's area class) beside
    vacant posts (by the post's field or area class) — the "old work / new work" picture."""
    if by not in ("field", "area_class"):
        raise ValueError("by must be 'field' or 'area_class'")
    s, v = result.surplus, result.vacancies
    if by == "field":
        sur = s["fields"].fillna("").astype(str).str.split(";").str[0]
        vac = v["field"].astype(str)
        new = dict(zip(v["field"].astype(str), v["new_work"], strict=False))
    else:
        sur, vac, new = s["area_class"].astype(str), v["area_class"].astype(str), {}
    keys = sorted(set(sur) | set(vac))
    from ..io import load_fields

    new_work = dict(zip(load_fields()["field"], load_fields()["new_work"], strict=True))
    new.update({k: bool(new_work.get(k, False)) for k in keys})
    sc = sur.value_counts().reindex(keys, fill_value=0)
    vc = vac.value_counts().reindex(keys, fill_value=0)
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(keys) + 1.8))
    y = np.arange(len(keys))
    ax.barh(y - 0.2, sc.to_numpy(), height=0.4, color="#e6ab02", label=_t("surplus", lang))
    ax.barh(y + 0.2, vc.to_numpy(), height=0.4, color="#1f78b4", label=_t("vacant", lang))
    ax.set_yticks(y, [("★ " if new.get(k) else "") + label(k, lang) for k in keys], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(_t("count", lang))
    ax.set_title(_t("old_new" if by == "field" else "by_area", lang))
    ax.legend(loc="best", frameon=True)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


@literal_text
def manager_diversity_chart(result: PlacementResult, lang: str = "vi") -> Figure:
    """Province-wide shares of young, female and ethnic-minority managers, before and after,
    with the scenario's province-wide floors (today's share + the group's rise in mode
    ``no_fall``, the fixed shares in mode ``fixed``)."""
    d = manager_diversity(result)
    d = d[d["scope"] == "province"].set_index("when")
    s = result.settings
    fl = manager_floors(result) if s.manager_floors.enabled else pd.DataFrame(
        columns=["scope", "group", "floor"])
    fl = fl[fl["scope"] == "province"].set_index("group")["floor"]
    groups = [(g, float(fl[g]) if g in fl.index else None)
              for g in ("young", "female", "minority")]
    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(groups))
    for k, (when, colour) in enumerate((("before", "#bbbbbb"), ("after", "#1b9e77"))):
        vals = [float(d.loc[when, f"{g}_share"]) for g, _ in groups]
        ax.bar(x + (k - 0.5) * 0.38, vals, width=0.38, color=colour, label=_t(when, lang))
    first = True
    for i, (_, f) in enumerate(groups):
        if f is not None:
            ax.hlines(f, i - 0.4, i + 0.4, colors="#d62728", linestyles="--",
                      label=_t("floor", lang) if first else None)
            first = False
    ax.set_xticks(x, [_t(g, lang) for g, _ in groups])
    ax.set_ylabel(_t("share", lang) + " (%)")
    percent_axis(ax.yaxis)
    ax.set_title(_t("diversity", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=True)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


@literal_text
def rule_prices_chart(prices: dict[str, dict], lang: str = "vi") -> Figure:
    """Objective points lost by switching each rule on, with the range the solver gaps could
    hide (``gap_bound``: the true price lies within price ± gap_bound, and is never negative),
    so a price smaller than its gap is not read as a real cost. A rule whose switched-off
    problem was not solved is listed without a bar."""
    items = list(prices.items())
    fig, ax = plt.subplots(figsize=(9, 0.5 * max(1, len(items)) + 1.8))
    y = np.arange(len(items))
    price = np.array([v["price"] if v.get("price") is not None else np.nan
                      for _, v in items], dtype=float)
    gap = np.array([v.get("gap_bound") or 0.0 for _, v in items], dtype=float)
    shown = np.clip(np.nan_to_num(price), 0.0, None)
    ax.barh(y, shown, color="#7570b3")
    low = np.clip(np.nan_to_num(price) - gap, 0.0, None)
    high = np.nan_to_num(price) + gap
    solved = ~np.isnan(price)
    ax.errorbar(shown[solved], y[solved], xerr=[(shown - low)[solved], (high - shown)[solved]],
                fmt="none", ecolor="black", capsize=4, lw=1, label=_t("gap_bounds", lang))
    for i in np.flatnonzero(~solved):
        ax.text(0, y[i], " " + _t("not_solved", lang), va="center", fontsize=8, color="#d62728")
    ax.set_yticks(y, [_t(k, lang) for k, _ in items], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(_t("points", lang))
    ax.set_title(_t("prices", lang))
    ax.grid(axis="x", alpha=0.3)
    if solved.any():
        ax.legend(loc="best", frameon=True, fontsize=8)
    fig.tight_layout()
    return fig

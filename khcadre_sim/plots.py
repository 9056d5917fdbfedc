"""Figures for the foundation views (returned, never shown), labelled in Vietnamese or English."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .io import Province
from .labels import label, literal_text

__all__ = ["AREA_COLOURS", "AREA_ORDER", "label", "label_units", "legend_below",
           "percent_axis", "population_marker_sizes", "province_map", "short_name",
           "staffing_by_commune"]

AREA_COLOURS = {"urban": "#d95f02", "rural": "#1b9e77", "mountain": "#7570b3",
                "island": "#1f78b4"}
AREA_ORDER = ("urban", "rural", "mountain", "island")
# Trường Sa lies ~400 km offshore; the map shows it in a corner box, not to scale.
OFFSHORE_LON = 110.5


# marker sizes (points²): 20 + 180 × population / largest population; a unit whose population
# is blank (allowed by the contract: unknown) gets UNKNOWN_POPULATION_SIZE and a hollow marker.
UNKNOWN_POPULATION_SIZE = 60.0
UNKNOWN_POPULATION_LABEL = {"vi": "Dân số chưa rõ (cỡ cố định)",
                            "en": "Population unknown (fixed size)"}


def short_name(name: str) -> str:
    """A unit's name without its kind ("Xã Cam Lâm" → "Cam Lâm"), for labels on maps."""
    for prefix in ("Phường ", "Xã ", "Đặc khu "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def label_units(ax, territories: pd.DataFrame, ids, fontsize: float = 7) -> None:  # noqa: ANN001
    """Write the short names of the units ``ids`` beside their centroids (white halo), each on
    the first place around it (right, left, below, above, further below) where it overlaps no
    earlier name (the last place otherwise)."""
    import matplotlib.patheffects as pe

    t = territories.set_index(territories["territory_id"].astype(str))
    ax.figure.canvas.draw()  # positions as drawn (an equal aspect moves the axes at drawing)
    renderer = ax.figure.canvas.get_renderer()
    placed: list = []
    sides = (((4, 3), "left"), ((-4, 3), "right"), ((4, -9), "left"), ((-4, -9), "right"),
             ((4, 12), "left"), ((-4, 12), "right"), ((4, -18), "left"), ((-4, -18), "right"))
    for tid in ids:
        if str(tid) not in t.index:
            continue
        row = t.loc[str(tid)]
        for offset, align in sides:
            text = ax.annotate(short_name(str(row["name"])), (row["lon"], row["lat"]),
                               xytext=offset, textcoords="offset points", ha=align,
                               fontsize=fontsize, zorder=5,
                               path_effects=[pe.withStroke(linewidth=2.5, foreground="white")])
            box = text.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed) or offset == sides[-1][0]:
                placed.append(box)
                break
            text.remove()


def percent_axis(axis, decimals: int = 0) -> None:  # noqa: ANN001 - a matplotlib Axis
    """Show a 0–1 share axis as percentages."""
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=decimals))


def legend_below(fig: Figure, axes, ncol: int = 3, **kwargs) -> None:  # noqa: ANN001
    """One legend for the handles of every axis in ``axes``, under the plot (never on data)."""
    handles, labels = [], []
    for ax in axes:
        h, lab = ax.get_legend_handles_labels()
        handles += h
        labels += lab
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=min(ncol, len(handles)),
                   bbox_to_anchor=(0.5, 0.0), frameon=True, fontsize=8, **kwargs)
        fig.tight_layout(rect=(0, 0.08 + 0.04 * ((len(handles) - 1) // ncol), 1, 1))


def population_marker_sizes(population: pd.Series) -> pd.Series:
    """Marker size of each unit from its population; blank (unknown) → the fixed size."""
    population = pd.to_numeric(population, errors="coerce").astype("float64")
    largest = population.max()
    if pd.isna(largest) or largest <= 0:
        return pd.Series(UNKNOWN_POPULATION_SIZE, index=population.index, dtype="float64")
    return (20 + 180 * population / largest).fillna(UNKNOWN_POPULATION_SIZE)


@literal_text
def province_map(province: Province | pd.DataFrame, lang: str = "vi",
                 values: pd.Series | None = None, value_label: str = "",
                 percent: bool = False, n_names: int = 12, title: str | None = None) -> Figure:
    """Units at their centroids, coloured by area class, sized by population (``province`` is
    a :class:`Province` or its territories table), the ``n_names`` most populous named.

    If ``values`` (indexed by territory_id) is given, colour by it instead (``percent``: a
    0–1 share shown in %), and name the units with the lowest values instead. Units whose
    population is unknown (blank) are drawn hollow at a fixed size, and the legend says so.
    """
    label(AREA_ORDER[0], lang)  # checks ``lang``
    t = province if isinstance(province, pd.DataFrame) else province.territories
    fig, ax = plt.subplots(figsize=(8.5, 7.5))
    main = t[t["lon"] < OFFSHORE_LON]
    offshore = t[t["lon"] >= OFFSHORE_LON]
    size = population_marker_sizes(t["population"])
    unknown = t["population"].isna()
    if values is None:
        for cls in AREA_ORDER:
            part = main[(main["area_class"] == cls) & ~unknown[main.index]]
            ax.scatter(part["lon"], part["lat"], s=size[part.index], c=AREA_COLOURS[cls],
                       label=label(cls, lang), alpha=0.85, edgecolor="white", linewidth=0.5)
            hollow = main[(main["area_class"] == cls) & unknown[main.index]]
            if len(hollow):
                ax.scatter(hollow["lon"], hollow["lat"], s=size[hollow.index],
                           facecolors="none", edgecolors=AREA_COLOURS[cls], linewidth=1.5)
        if unknown[main.index].any():
            ax.scatter([], [], s=UNKNOWN_POPULATION_SIZE, facecolors="none", edgecolors="grey",
                       linewidth=1.5, label=UNKNOWN_POPULATION_LABEL[lang])
        legend = ax.legend(title=label("area_class", lang), loc="upper left",
                           bbox_to_anchor=(1.02, 1), fontsize=8)
        for handle in legend.legend_handles:
            if hasattr(handle, "set_sizes"):
                handle.set_sizes([40])  # the class, not a unit's population
    else:
        v = main["territory_id"].map(values)
        known = main[~unknown[main.index]]
        sc = ax.scatter(known["lon"], known["lat"], s=size[known.index], c=v[known.index],
                        cmap="viridis", alpha=0.9, edgecolor="white", linewidth=0.5)
        hollow = main[unknown[main.index]]
        if len(hollow):
            ax.scatter(hollow["lon"], hollow["lat"], s=size[hollow.index], c=v[hollow.index],
                       cmap="viridis", norm=sc.norm, marker="o", linewidth=1.5,
                       edgecolor="black", label=UNKNOWN_POPULATION_LABEL[lang])
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
        bar = fig.colorbar(sc, ax=ax, shrink=0.7, label=value_label)
        if percent:
            percent_axis(bar.ax.yaxis)
    if values is None:
        named = pd.to_numeric(main["population"], errors="coerce").nlargest(n_names).index
    else:
        named = main["territory_id"].map(values).astype("float64").nsmallest(n_names).index
    for row in offshore.itertuples():
        ax.annotate(f"{row.name}\n({row.lat:.2f}°N, {row.lon:.2f}°E) →",
                    xy=(0.97, 0.03), xycoords="axes fraction", ha="right", va="bottom", fontsize=8,
                    bbox={"boxstyle": "round", "fc": AREA_COLOURS.get(row.area_class, "grey"),
                          "alpha": 0.3})
    ax.set_xlabel(label("longitude", lang))
    ax.set_ylabel(label("latitude", lang))
    ax.set_aspect("equal")
    named_note = ({"vi": f"tên: {n_names} đơn vị đông dân nhất",
                   "en": f"named: the {n_names} most populous"} if values is None else
                  {"vi": f"tên: {n_names} đơn vị có giá trị thấp nhất",
                   "en": f"named: the {n_names} lowest"})[lang]
    ax.set_title(f"{title or label('province_map', lang)}\n({named_note})", fontsize=11)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    label_units(ax, main, main.loc[named, "territory_id"])  # once the layout is final
    return fig


@literal_text
def staffing_by_commune(province: Province, lang: str = "vi") -> Figure:
    """Posts per unit split into filled and vacant, with unplaced people beside them."""
    held = set(province.staff["position_id"].dropna())
    posts = province.positions.assign(filled=province.positions["position_id"].isin(held))
    counts = posts.groupby("territory_id")["filled"].agg(filled="sum", total="size")
    counts["vacant"] = counts["total"] - counts["filled"]
    names = province.territories.set_index("territory_id")["name"]
    counts = counts.sort_values("total")
    fig, ax = plt.subplots(figsize=(7, 12))
    y = np.arange(len(counts))
    ax.barh(y, counts["filled"], color="#1b9e77", label=label("filled", lang))
    ax.barh(y, counts["vacant"], left=counts["filled"], color="#e7298a",
            label=label("vacant", lang))
    ax.set_yticks(y, [names[i] for i in counts.index], fontsize=6)
    ax.set_xlabel(label("posts", lang))
    ax.set_title(label("staffing_by_commune", lang))
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig

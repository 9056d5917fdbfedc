"""Figures for the foundation views (returned, never shown), labelled in Vietnamese or English."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .io import Province
from .labels import label, literal_text

__all__ = ["AREA_COLOURS", "AREA_ORDER", "label", "population_marker_sizes", "province_map",
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


def population_marker_sizes(population: pd.Series) -> pd.Series:
    """Marker size of each unit from its population; blank (unknown) → the fixed size."""
    population = pd.to_numeric(population, errors="coerce").astype("float64")
    largest = population.max()
    if pd.isna(largest) or largest <= 0:
        return pd.Series(UNKNOWN_POPULATION_SIZE, index=population.index, dtype="float64")
    return (20 + 180 * population / largest).fillna(UNKNOWN_POPULATION_SIZE)


@literal_text
def province_map(province: Province | pd.DataFrame, lang: str = "vi",
                 values: pd.Series | None = None, value_label: str = "") -> Figure:
    """Units at their centroids, coloured by area class, sized by population (``province`` is
    a :class:`Province` or its territories table).

    If ``values`` (indexed by territory_id) is given, colour by it instead. Units whose
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
        ax.legend(title=label("area_class", lang), loc="upper left", bbox_to_anchor=(1.02, 1),
                  fontsize=8)
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
        fig.colorbar(sc, ax=ax, shrink=0.7, label=value_label)
    for row in offshore.itertuples():
        ax.annotate(f"{row.name}\n({row.lat:.2f}°N, {row.lon:.2f}°E) →",
                    xy=(0.97, 0.03), xycoords="axes fraction", ha="right", va="bottom", fontsize=8,
                    bbox={"boxstyle": "round", "fc": AREA_COLOURS.get(row.area_class, "grey"),
                          "alpha": 0.3})
    ax.set_xlabel(label("longitude", lang))
    ax.set_ylabel(label("latitude", lang))
    ax.set_aspect("equal")
    ax.set_title(label("province_map", lang))
    ax.grid(alpha=0.3)
    fig.tight_layout()
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

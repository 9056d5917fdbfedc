"""Build the territories table from the real unit list and the editable area-class assignment."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import DataValidationError, Problem
from .paths import DATA

REFERENCE = DATA / "reference" / "khanh_hoa_communes_2025.csv"
AREA_CLASS = DATA / "area_class.csv"
# Populations the source gives but that look like placeholders (see the reference's note column).
PLACEHOLDER_NOTE = "placeholder"


def build_territories(reference: pd.DataFrame, assignment: pd.DataFrame) -> pd.DataFrame:
    """Contract-shaped territories: codes, names, type, area class, area, population, lat/lon.

    A population that is blank or marked as a placeholder in the source is replaced by an
    estimate — area × median density of units of the same type and area class — and flagged in
    ``population_is_estimate`` with the reason in ``population_note``.
    """
    merged = reference.merge(assignment[["territory_id", "area_class", "hard_area"]],
                             on="territory_id", how="left", validate="one_to_one")
    missing = merged.loc[merged["area_class"].isna(), "territory_id"].tolist()
    if missing:
        raise DataValidationError(Problem(
            file=str(AREA_CLASS), column="territory_id",
            message=f"no area class for unit(s) {', '.join(missing)}",
            fix="add a row per unit with area_class urban|rural|mountain|island"))
    population = pd.to_numeric(merged["population"], errors="coerce")
    note = merged.get("note", pd.Series("", index=merged.index)).fillna("")
    suspect = population.isna() | note.str.contains(PLACEHOLDER_NOTE, case=False)
    area = merged["area_km2"].astype(float)
    density = population / area
    peers = merged[["unit_type", "area_class"]].apply(tuple, axis=1)
    reported = ~suspect
    estimate = pd.Series(np.nan, index=merged.index)
    for idx in merged.index[suspect]:
        same = reported & (peers == peers[idx])
        pool = density[same] if same.any() else density[reported]
        estimate[idx] = round(float(pool.median()) * area[idx], -2)
    out = pd.DataFrame({
        "territory_id": merged["territory_id"].astype(str),
        "name": merged["name"],
        "unit_type": merged["unit_type"],
        "area_class": merged["area_class"],
        "area_km2": area,
        "population": pd.Series(np.where(reported, population, estimate), index=merged.index,
                                dtype=float).round().astype("Int64"),
        "population_is_estimate": suspect,
        "lat": merged["lat"].astype(float),
        "lon": merged["lon"].astype(float),
        "hard_area": merged["hard_area"].astype(str).str.lower().eq("true"),
        "short_name": merged["short_name"],
        "former_district": merged["former_district"],
        "population_reported": population.astype("Int64"),
        "population_note": np.where(
            suspect, "estimated: area × median density of same unit type and area class "
            "(source value missing or a placeholder)", ""),
    })
    return out


def load_reference_territories() -> pd.DataFrame:
    reference = pd.read_csv(REFERENCE, dtype={"territory_id": str}, keep_default_na=False,
                            na_values={"population": [""]})
    assignment = pd.read_csv(AREA_CLASS, dtype=str, keep_default_na=False)
    return build_territories(reference, assignment)


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km (arrays broadcast)."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(x, dtype=float))
                              for x in (lat1, lon1, lat2, lon2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 6371.0088 * 2 * np.arcsin(np.sqrt(a))

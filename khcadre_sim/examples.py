"""Small provinces and named scenarios shared by tests, docs, notebooks and benchmarks (as
``pypsa.examples`` and ``linopy.examples`` are).

* :func:`tiny_province` — two communes, six posts, six people: small enough to check every
  number by hand.
* :func:`small_province` — ``n`` real communes of mixed area classes with synthetic staff.
* :func:`scenario` — the bundled scenarios by name, optionally with overrides.

All staff here are SYNTHETIC.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .io import Province, province_from_frames
from .paths import SCENARIOS
from .scenario import Scenario, load_scenario

_TERRITORIES = [
    # id, name, type, class, km², population, lat, lon, hard area
    ("T1", "Xã Một", "xa", "rural", 50.0, 20_000, 12.30, 109.10, False),
    ("T2", "Xã Núi", "xa", "mountain", 300.0, 8_000, 12.40, 108.90, True),
]
_POSITIONS = [
    # id, commune, office, title, field, manager, key post, minimums (i, ii, iii)
    ("T1-CT", "T1", "leadership", "Chủ tịch UBND", "management", True, True, (70, 65, 55)),
    ("T1-DD", "T1", "economy", "Chuyên viên", "land", False, False, (60, 55, 55)),
    ("T1-IT", "T1", "office_hdnd_ubnd", "Chuyên viên", "it_digital", False, False, (60, 55, 55)),
    ("T2-CT", "T2", "leadership", "Chủ tịch UBND", "management", True, True, (70, 65, 55)),
    ("T2-VP", "T2", "office_hdnd_ubnd", "Chuyên viên", "administration", False, False,
     (60, 55, 50)),
    ("T2-DD", "T2", "economy", "Chuyên viên", "land", False, False, (60, 55, 55)),
]
_STAFF = [
    # id, post, home, born, sex, minority, fields, degree, scores, pool, years, rating
    ("S1", "T1-CT", "T2", 1975, "M", False, "management;administration", "master",
     (80, 75, 65), False, 4.0, "good"),
    ("S2", "T1-DD", "T1", 1990, "F", False, "land;administration", "bachelor",
     (72, 70, 66), True, 3.0, "excellent"),
    ("S3", "T2-CT", "T1", 1968, "M", True, "management;land", "bachelor",
     (78, 70, 58), False, 6.0, "good"),
    ("S4", "T2-VP", "T2", 1985, "F", True, "administration;it_digital", "bachelor",
     (66, 60, 62), False, 1.0, "completed"),
    ("S5", "", "T2", 1980, "M", False, "administration;land", "college",
     (62, 58, 56), False, 0.0, "completed"),
    ("S6", "", "T1", 1996, "F", False, "it_digital;administration", "bachelor",
     (70, 64, 70), True, 0.0, "good"),
]
_WORKLOAD = [  # commune, field, annual cases
    ("T1", "management", 400.0), ("T1", "land", 500.0), ("T1", "it_digital", 600.0),
    ("T1", "administration", 2_000.0), ("T2", "management", 300.0), ("T2", "land", 200.0),
    ("T2", "administration", 1_500.0), ("T2", "it_digital", 100.0),
]


def tiny_province() -> Province:
    """Two communes (T1 rural; T2 mountain, a hard area), six posts and six people.

    Today: S1–S4 hold T1-CT, T1-DD, T2-CT, T2-VP; S5 and S6 have no post; T1-IT and T2-DD are
    vacant. S2 and S6 are in the planning pool; S3 and S4 belong to an ethnic minority; S3, born
    in 1968, reaches the statutory age of 62 in July 2030 (birth month July by convention).
    """
    territories = pd.DataFrame(_TERRITORIES, columns=[
        "territory_id", "name", "unit_type", "area_class", "area_km2", "population", "lat",
        "lon", "hard_area"])
    positions = pd.DataFrame(
        [(p, t, o, ti, f, m, k, *req) for p, t, o, ti, f, m, k, req in _POSITIONS],
        columns=["position_id", "territory_id", "office", "title", "field", "is_manager",
                 "is_key_post", "req_political", "req_execution", "req_development"])
    staff = pd.DataFrame(
        [(s, p, h, b, g, em, f, ed, *sc, pool, y, r)
         for s, p, h, b, g, em, f, ed, sc, pool, y, r in _STAFF],
        columns=["staff_id", "position_id", "home_territory_id", "birth_year", "gender",
                 "ethnic_minority", "fields", "education", "score_political", "score_execution",
                 "score_development", "planning_pool", "years_in_post", "last_rating"])
    workload = pd.DataFrame(_WORKLOAD, columns=["territory_id", "field", "annual_cases"])
    return province_from_frames({"territories": territories, "positions": positions,
                                 "staff": staff, "workload": workload}, source="tiny example",
                                metadata={"synthetic": True, "note": "khcadre_sim.examples"})


# area classes and how many communes of each a small province takes, in this order
_MIX = (("urban", 0.3), ("rural", 0.3), ("mountain", 0.3), ("island", 0.1))


def small_province(n: int = 10, seed: int = 7, scale: float = 0.6) -> Province:
    """``n`` real communes of Khánh Hòa (urban, rural, mountain and the island, in proportion)
    with a seeded synthetic staff (``khcadre_sim.synth``)."""
    from .synth import generate_province
    from .territories import load_reference_territories

    if n < 1:
        raise ValueError("a province has at least one commune")
    t = load_reference_territories()
    counts = {cls: max(0, round(share * n)) for cls, share in _MIX}
    counts["rural"] += n - sum(counts.values())
    pick = pd.concat([t[t["area_class"] == cls].head(k) for cls, k in counts.items()])
    return generate_province(seed=seed, scale=scale, territories=pick.reset_index(drop=True))


SCENARIO_FILES = {
    "base": "base.toml",
    "incentives_generous": "incentives_generous.toml",
    "incentives_lean": "incentives_lean.toml",
    "incentives_hard_areas": "incentives_hard_areas.toml",
    "placement_infeasible": "placement_infeasible.toml",
}


def scenario(name: str = "base", overrides: dict[str, Any] | None = None) -> Scenario:
    """A bundled scenario by name (see :data:`SCENARIO_FILES`), with optional overrides."""
    if name not in SCENARIO_FILES:
        raise KeyError(f"no example scenario '{name}'; known: {', '.join(SCENARIO_FILES)}")
    s = load_scenario(SCENARIOS / SCENARIO_FILES[name])
    return s.with_overrides(overrides, source=f"{name} overrides") if overrides else s

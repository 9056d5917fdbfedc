"""Seeded synthetic province: posts, staff and workload on the real Khánh Hòa territories.

SYNTHETIC DATA. Territories are real; positions, people and workload are generated, calibrated
to the public facts in data/policy/parameters.toml and the resolution's diagnosis:
~32 government posts per commune (Official Dispatch 09/CV-BCĐ) in leadership, three specialised
offices and the public-service centre (Decree 150/2025/NĐ-CP) with two deputies each
(Resolution 332/NQ-CP), plus Party and mass-organisation posts; a surplus of people in old fields
and shortages in IT/digital and land management ("thừa người quen việc cũ, thiếu người làm việc
mới"); ethnic-minority shares higher in mountain units. Every other rate below is an assumption
chosen to look plausible, stated where it is used. Same seed and scale → identical tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .io import Province
from .params import load_parameters
from .paths import POLICY_PARAMETERS
from .ratings import bands, cap_excellent, rate
from .retirement import oldest_birth_year_in_service
from .territories import haversine_km, load_reference_territories

REFERENCE_YEAR = 2026
OLD_WORK = ("administration", "culture", "agriculture", "party_affairs", "mass_mobilisation", "hr")
SHORTAGE_FIELDS = {"it_digital": 0.55, "land": 0.75, "construction": 0.85}  # fill rates (assumed)
DEFAULT_FILL_RATE = 0.94  # assumed
SURPLUS_RATE = 0.09  # unplaced people per post (assumed), all from old fields


@dataclass(frozen=True)
class PostTemplate:
    office: str
    title: str
    field: str
    level: str  # head | deputy | officer
    key: bool = False
    count: int = 1


def _tiny_templates() -> list[PostTemplate]:
    """Posts of a unit with very few residents (Trường Sa: 153 people): leadership, one office
    with a handful of civil servants and the Party secretary — no specialised offices or centre
    (an assumed frame; no published staffing list was found)."""
    return [
        PostTemplate("leadership", "Chủ tịch UBND", "management", "head", key=True),
        PostTemplate("leadership", "Phó Chủ tịch UBND", "management", "deputy", key=True),
        PostTemplate("office_hdnd_ubnd", "Chánh Văn phòng", "administration", "head"),
        *[PostTemplate("office_hdnd_ubnd", "Chuyên viên", f, "officer")
          for f in ("administration", "security", "agriculture", "social")],
        PostTemplate("party_mass", "Bí thư Đảng ủy", "party_affairs", "head", key=True),
    ]


TINY_POPULATION = 2_000  # units with fewer residents get the tiny frame (assumed threshold)


def _templates(unit_type: str) -> list[PostTemplate]:
    """Posts of one commune-level unit (before scaling)."""
    economy = "economy_infrastructure_urban" if unit_type == "phuong" else "economy"
    econ_head_field = "construction" if unit_type == "phuong" else "agriculture"
    econ_officers = (["construction", "construction", "land", "finance", "environment"]
                     if unit_type == "phuong" else
                     ["land", "land", "finance", "environment", "construction"])
    posts = [
        # Leadership (People's Council and People's Committee)
        PostTemplate("leadership", "Chủ tịch HĐND", "management", "head", key=True),
        PostTemplate("leadership", "Phó Chủ tịch HĐND", "management", "deputy", key=True),
        PostTemplate("leadership", "Chủ tịch UBND", "management", "head", key=True),
        PostTemplate("leadership", "Phó Chủ tịch UBND", "management", "deputy", key=True),
        # Office of the People's Council and People's Committee
        PostTemplate("office_hdnd_ubnd", "Chánh Văn phòng", "administration", "head"),
        PostTemplate("office_hdnd_ubnd", "Phó Chánh Văn phòng", "administration", "deputy"),
        PostTemplate("office_hdnd_ubnd", "Phó Chánh Văn phòng", "hr", "deputy"),
        *[PostTemplate("office_hdnd_ubnd", "Chuyên viên", f, "officer")
          for f in ("administration", "justice", "justice", "it_digital", "security")],
        # Economic office (wards: Economy–Infrastructure–Urban)
        PostTemplate(economy, "Trưởng phòng", econ_head_field, "head"),
        PostTemplate(economy, "Phó Trưởng phòng", "land", "deputy"),
        PostTemplate(economy, "Phó Trưởng phòng", "finance", "deputy"),
        *[PostTemplate(economy, "Chuyên viên", f, "officer") for f in econ_officers],
        # Culture–Social Affairs office
        PostTemplate("culture_social", "Trưởng phòng", "culture", "head"),
        PostTemplate("culture_social", "Phó Trưởng phòng", "social", "deputy"),
        PostTemplate("culture_social", "Phó Trưởng phòng", "health_education", "deputy"),
        *[PostTemplate("culture_social", "Chuyên viên", f, "officer")
          for f in ("culture", "social", "social", "health_education")],
        # Public Administration Service Centre: its director is a vice-chair of the People's
        # Committee (the second vice-chair post, held together with the centre)
        PostTemplate("public_service_center",
                     "Giám đốc Trung tâm Phục vụ hành chính công (Phó Chủ tịch UBND)",
                     "management", "head", key=True),
        PostTemplate("public_service_center", "Phó Giám đốc", "administration", "deputy"),
        PostTemplate("public_service_center", "Phó Giám đốc", "it_digital", "deputy"),
        *[PostTemplate("public_service_center", "Chuyên viên", f, "officer")
          for f in ("administration", "land", "it_digital")],
        # Party committee and mass organisations
        PostTemplate("party_mass", "Bí thư Đảng ủy", "party_affairs", "head", key=True),
        PostTemplate("party_mass", "Phó Bí thư Đảng ủy", "party_affairs", "deputy", key=True),
        PostTemplate("party_mass", "Chủ tịch Ủy ban MTTQ", "mass_mobilisation", "head", key=True),
        PostTemplate("party_mass", "Phó Chủ tịch Ủy ban MTTQ", "mass_mobilisation", "deputy",
                     count=2),
        *[PostTemplate("party_mass", "Chuyên viên", f, "officer")
          for f in ("party_affairs", "party_affairs", "mass_mobilisation", "hr")],
    ]
    return posts


# Minimum framework scores by post level (political, execution, development) — assumed defaults
# a province would set per job position; new-work fields ask 5 more development points.
REQUIREMENTS = {"officer": (60, 55, 50), "deputy": (64, 60, 54), "head": (68, 63, 57),
                "key": (72, 67, 58)}
NEW_WORK_DEVELOPMENT_EXTRA = 5


def synth_positions(territories: pd.DataFrame, scale: float, rng: np.random.Generator
                    ) -> pd.DataFrame:
    rows = []
    for terr in territories.itertuples(index=False):
        known = not pd.isna(terr.population)
        tiny = known and terr.population < TINY_POPULATION
        large = known and terr.population >= 60_000
        counters: dict[str, int] = {}
        for tpl in (_tiny_templates() if tiny else _templates(terr.unit_type)):
            count = tpl.count
            if tpl.level != "head" and not tiny:
                # stochastic rounding keeps the expected count at count × scale for any scale
                whole, frac = divmod(count * scale, 1.0)
                count = int(whole) + (int(rng.random() < frac) if frac > 1e-9 else 0)
            if large and tpl.level == "officer" and tpl.office != "party_mass":
                count += int(rng.random() < 0.5)  # big wards carry one more officer (assumed)
            level = "key" if tpl.key else tpl.level
            req = REQUIREMENTS[level]
            extra = NEW_WORK_DEVELOPMENT_EXTRA if tpl.field in ("land", "it_digital",
                                                                 "construction") else 0
            for _ in range(count):
                counters[tpl.office] = counters.get(tpl.office, 0) + 1
                rows.append({
                    "position_id": f"{terr.territory_id}-{_OFFICE_CODE[tpl.office]}-"
                                   f"{counters[tpl.office]:02d}",
                    "territory_id": terr.territory_id, "office": tpl.office, "title": tpl.title,
                    "field": tpl.field, "is_manager": tpl.level != "officer",
                    "is_key_post": tpl.key, "req_political": float(req[0]),
                    "req_execution": float(req[1]), "req_development": float(req[2] + extra),
                })
    return pd.DataFrame(rows)


_OFFICE_CODE = {"leadership": "LD", "office_hdnd_ubnd": "VP", "economy": "KT",
                "economy_infrastructure_urban": "KT", "culture_social": "VX",
                "public_service_center": "HCC", "party_mass": "DMT"}


def _neighbours(territories: pd.DataFrame, k: int = 6) -> dict[str, list[str]]:
    lat, lon = territories["lat"].to_numpy(), territories["lon"].to_numpy()
    dist = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    ids = territories["territory_id"].to_numpy()
    # a unit alone in its province is its own neighbour (nobody else to come from)
    return {ids[i]: list(ids[np.argsort(dist[i])[1:k + 1]]) or [ids[i]] for i in range(len(ids))}


def synth_staff(territories: pd.DataFrame, positions: pd.DataFrame, rng: np.random.Generator,
                ratings: dict[str, float], oldest_birth: dict[str, int]) -> pd.DataFrame:
    fields_all = sorted(set(positions["field"]) - {"management"})
    terr = territories.set_index("territory_id")
    neighbours = _neighbours(territories)
    ids = territories["territory_id"].to_numpy()

    fill = positions["field"].map(SHORTAGE_FIELDS).fillna(DEFAULT_FILL_RATE).to_numpy()
    filled = rng.random(len(positions)) < fill
    held = positions[filled].reset_index(drop=True)
    n_surplus = int(round(SURPLUS_RATE * len(positions)))
    surplus_terr = rng.choice(ids, size=n_surplus)
    people = pd.DataFrame({
        "position_id": list(held["position_id"]) + [None] * n_surplus,
        "territory_id": list(held["territory_id"]) + list(surplus_terr),
        "post_field": list(held["field"]) + list(rng.choice(OLD_WORK, size=n_surplus)),
        "level": [("head" if m and not k and f != "management" else "deputy") if m else "officer"
                  for m, k, f in zip(held["is_manager"], held["is_key_post"], held["field"],
                                     strict=True)] + ["officer"] * n_surplus,
        "key": list(held["is_key_post"]) + [False] * n_surplus,
    })
    n = len(people)
    area = people["territory_id"].map(terr["area_class"]).to_numpy()
    manager = people["level"].to_numpy() != "officer"

    # Gender: women 45% of officers, 25% of managers, 15% of key posts (assumed; §I.2 wants more).
    p_female = np.where(people["key"], 0.15, np.where(manager, 0.25, 0.45))
    female = rng.random(n) < p_female
    # Age: officers ~ N(40, 9), managers ~ N(46, 7), from 23 up to the oldest age still in
    # service on 1 January of the reference year under the retirement roadmap (Labour Code 2019
    # Art. 169, Decree 135/2020/NĐ-CP; birth year only → born mid-year): 57 for women and 61 for
    # men in 2026 (assumed shape, legal ceiling).
    oldest = REFERENCE_YEAR - np.where(female, oldest_birth["F"], oldest_birth["M"])
    age = np.where(manager, rng.normal(46, 7, n), rng.normal(40, 9, n)).round()
    age = np.clip(age, 23, oldest)
    # Ethnic minority: half in mountain units, 5% elsewhere, none on the islands (assumed).
    p_em = np.select([area == "mountain", area == "island"], [0.5, 0.0], 0.05)
    minority = rng.random(n) < p_em
    # Home commune: 70% local (60% for key posts), 25% a neighbour, 5% anywhere (assumed).
    p_local = np.where(people["key"], 0.6, 0.7)
    u = rng.random(n)
    home = np.where(
        u < p_local, people["territory_id"],
        np.where(u < p_local + 0.25,
                 [rng.choice(neighbours[t]) for t in people["territory_id"]],
                 rng.choice(ids, size=n)))

    # Competency: one latent ability drives the three groups; development falls with age and
    # is higher in new-work fields and with a master's degree (assumed shape).
    ability = rng.normal(0, 1, n) + np.where(manager, 0.4, 0.0)
    surplus = people["position_id"].isna().to_numpy()
    ability -= np.where(surplus, 0.5, 0.0)
    education = rng.choice(["college", "bachelor", "master", "phd"], size=n,
                           p=[0.12, 0.75, 0.12, 0.01])
    education = np.where(manager & (rng.random(n) < 0.3), "master", education)
    new_work = people["post_field"].isin(["it_digital", "land", "construction"]).to_numpy()
    political = 72 + 8 * ability + rng.normal(0, 5, n)
    execution = 68 + 9 * ability + rng.normal(0, 6, n)
    development = (60 + 9 * ability + rng.normal(0, 7, n) - 0.3 * (age - 40)
                   + 6 * new_work + 4 * np.isin(education, ["master", "phd"]))

    # Qualifications: the post's own field for 85% (15% hold a post outside their training —
    # the old-work mismatch), plus 1–5 others; abler people are qualified for more fields, which
    # is how work ends up piled on them (§I.1, "dồn việc").
    extra_counts = np.clip(np.round(2 + 1.0 * ability + rng.normal(0, 0.8, n)), 1, 5).astype(int)
    fields_col = []
    new_work_pool = {"it_digital", "land"}
    for i in range(n):
        own = people["post_field"].iat[i]
        qualified: list[str] = []
        if own == "management":
            qualified.append(rng.choice(["administration", "party_affairs", "agriculture",
                                         "finance", "hr"]))
        elif rng.random() < 0.85 or surplus[i]:
            qualified.append(own)
        else:
            qualified.append(rng.choice(OLD_WORK))
        pool = [f for f in fields_all if f not in qualified]
        # new-work skills are rare outside their own posts (the shortage)
        weights = np.array([0.25 if f in new_work_pool else 1.0 for f in pool])
        picks = rng.choice(pool, size=min(extra_counts[i], len(pool)), replace=False,
                           p=weights / weights.sum())
        qualified += [str(p) for p in picks]
        if manager[i] or own == "management":
            qualified.insert(0, "management")
        fields_col.append(";".join(dict.fromkeys(qualified)))

    years_in_post = np.minimum(rng.exponential(4.0, n), age - 22).clip(0).round(1)
    planning = rng.random(n) < np.where(manager, 0.30, np.where(ability > 0.3, 0.15, 0.02))
    planning &= age < 55

    # Annual rating from framework points with the Decree 335/2025 bands (assumed mapping).
    points = (0.35 * political + 0.4 * execution + 0.25 * development
              + rng.normal(4, 5, n)).clip(0, 100)
    rating = rate(points, ratings)
    # Decree 335 quota within each unit and group of similar duties (khcadre_sim.ratings); the
    # rating unit of a person without a post is their home commune, among its specialists
    unit = np.where(surplus, home, people["territory_id"].to_numpy())
    group = np.where(people["key"], "key", np.where(manager, "manager", "specialist"))
    rating = cap_excellent(rating, points, np.char.add(unit.astype(str), "|" + group),
                           ratings["excellent_share"])

    order = rng.permutation(n)  # pseudonymous IDs carry no order of commune or post
    staff_id = np.empty(n, dtype=object)
    staff_id[order] = [f"SYN-{i + 1:06d}" for i in range(n)]

    def clip(x: np.ndarray) -> np.ndarray:
        return np.clip(x, 15, 99).round(1)

    staff = pd.DataFrame({
        "staff_id": staff_id, "position_id": people["position_id"],
        "home_territory_id": home, "birth_year": (REFERENCE_YEAR - age).astype(int),
        "gender": np.where(female, "F", "M"), "ethnic_minority": minority,
        "fields": fields_col, "education": education,
        "score_political": clip(political), "score_execution": clip(execution),
        "score_development": clip(development), "planning_pool": planning,
        "years_in_post": years_in_post, "last_rating": rating,
    })
    return staff.sort_values("staff_id", kind="stable").reset_index(drop=True)


def synth_workload(positions: pd.DataFrame, minutes_per_case: dict[str, float],
                   available_minutes: float, rng: np.random.Generator) -> pd.DataFrame:
    """Annual cases per unit and field, backed out from a required-FTE draw per field.

    Required FTE ≈ posts in the field × a load factor: lognormal around 1.3 for new-work fields
    (land, IT, construction: the overload the resolution names), 0.85 for old-work fields and 1.0
    otherwise (assumed). Cases = FTE × available minutes ÷ standard minutes per case.
    """
    counts = positions.groupby(["territory_id", "field"]).size().rename("posts").reset_index()
    centre = counts["field"].map(lambda f: 1.3 if f in ("land", "it_digital", "construction")
                                 else 0.85 if f in OLD_WORK else 1.0).to_numpy()
    factor = centre * rng.lognormal(0, 0.25, len(counts))
    fte = counts["posts"].to_numpy() * factor
    minutes = counts["field"].map(minutes_per_case).to_numpy(dtype=float)
    cases = np.round(fte * available_minutes / minutes)
    return pd.DataFrame({"territory_id": counts["territory_id"], "field": counts["field"],
                         "annual_cases": cases.astype(float)})


def generate_province(seed: int = 2026, scale: float = 1.0,
                      territories: pd.DataFrame | None = None) -> Province:
    """A synthetic province on the real territories (or those given), seeded and scalable.

    ``scale`` multiplies deputy and officer posts per office (heads stay one per office), and the
    staff and workload with them; scale 2 gives roughly 4,600 posts and 5,000 staff.
    """
    if not 0 < scale <= 50:
        raise ValueError("scale must be in (0, 50]")
    rng = np.random.default_rng(seed)
    territories = load_reference_territories() if territories is None else territories
    params = load_parameters(POLICY_PARAMETERS)
    on = dt.date(REFERENCE_YEAR, 1, 1)
    ratings = bands(params, on)
    oldest_birth = {sex: oldest_birth_year_in_service(params, sex, on) for sex in ("F", "M")}
    available = (params.value("working_days_per_year", on)
                 * params.value("working_hours_per_day", on) * 60
                 * params.value("case_work_share", on))
    from .paths import DATA

    standards = pd.read_csv(DATA / "policy" / "workload_standards.csv")
    minutes = dict(zip(standards["field"], standards["minutes_per_case"], strict=True))
    positions = synth_positions(territories, scale, rng)
    staff = synth_staff(territories, positions, rng, ratings, oldest_birth)
    workload = synth_workload(positions, minutes, available, rng)
    metadata = {
        "synthetic": True, "seed": seed, "scale": scale, "generator": "khcadre synth",
        "note": "SYNTHETIC positions, staff and workload on the real 65 Khánh Hòa territories; "
                "calibrated to public staffing norms, not real people.",
    }
    return Province(territories=territories, positions=positions, staff=staff,
                    workload=workload, source=f"synthetic(seed={seed}, scale={scale})",
                    metadata=metadata)

"""Rotation with a term (Resolution §II.2), carried from year to year.

§II.2: "Đẩy mạnh luân chuyển cán bộ ngang giữa các địa phương, đơn vị và luân chuyển có thời hạn
đối với cán bộ trong diện quy hoạch nhằm rèn luyện thực tiễn, nhất là tại địa bàn khó khăn, phức
tạp. Sau luân chuyển phải đánh giá cụ thể kết quả công tác làm căn cứ bố trí, sử dụng cán bộ."

**State.** The projection carries a table of rotations (:data:`COLUMNS`): who, which kind
(``hard_area``: a planning-pool cadre sent to a hard area; ``horizontal``: a manager moved to the
same title in another commune), the post left (``home_position_id``) and the post taken, the
start year, the term and the end year = start + term − 1 (a 3-year term started in 2026 runs
2026–2028 and is evaluated in 2028, its third year), the status (``active`` | ``ended``) and,
once ended, the outcome and the rating it rests on.

**Who goes where** (:func:`select`, one year). Term rotation to a hard area: people in the
planning pool holding a post, not already rotating, who will not reach the statutory retirement
age before the end of the term (:mod:`khcadre_sim.retirement`), to a *vacant* post of a hard-area
unit (``hard_area``) other than the unit they work in and their home unit, in one of their
qualified fields, whose three minimum scores they meet, and of the same group of similar duties
or a higher one (specialist < manager < key post: a rotation to train in practice is not a
demotion). Horizontal rotation: holders of manager
posts, same conditions of term and retirement, to a vacant post with the *same title* in another
unit (not their home unit) within ``horizontal_max_km``, field and minimums as above. Among
these pairs a MILP (HiGHS, :func:`khcadre_sim.solve.solve_arrays`) gives each person at most one
post and each post at most one person, makes as many rotations as possible up to
``starts_per_year`` and ``horizontal_per_year`` and, among those, the best fits — each pair
scores 1,000 + the placement's competency fit (``levers.placement.weights.fit_*``, capped at
``fit_cap``) − ``move_per_km`` × km, plus a seeded jitter below 0.001 that breaks ties.

**End of term** (:func:`end_terms`). In the term's last year the rotation is evaluated on that
year's rating (the rules are the project's, stated): rated at least ``promote_min_rating`` →
``promote`` (a candidate for a higher post; the placement decides which); otherwise, rated at
least "good" → ``stay`` at the destination with probability ``stay_probability`` (seeded), else
``return``; rated below "good" or not rated → ``return``. A returning cadre takes back their home
post if it is vacant, or is left without a post in their home unit for the placement to place.

**As moves the placement can make.** :func:`placement_inputs` hands the placement the active
rotations as fixed: each rotating person sits in the destination post with ``years_in_post = 0``,
so the placement's ``stay`` rule keeps them there and no one else can take the post (the post is
reserved for the term). :func:`from_placement` turns the placement's own rotations
(``levers.placement.rotation``) into term rotations.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..capability import computed
from ..errors import Problem, ScenarioError
from ..io import Province
from ..keys import build, setting
from ..ratings import RATINGS, title_group
from ..retirement import retirement_index
from ..review.api import GROUPS
from ..scenario import Scenario
from ..schema import id_set, isin
from ..solve import ArrayModel, SolveResult, solve_arrays
from ..territories import haversine_km
from . import events

KINDS = ("hard_area", "horizontal")
OUTCOMES = ("return", "stay", "promote")
COLUMNS = {"staff_id": "string", "kind": "string", "home_position_id": "string",
           "home_territory_id": "string", "position_id": "string", "territory_id": "string",
           "start_year": "int64", "term_years": "int64", "end_year": "int64",
           "status": "string", "outcome": "string", "rating": "string"}
REWARD = 1000.0  # per rotation made: more than any fit can add, so the count comes first


@dataclass(frozen=True)
class RotationSettings:
    """``[levers.rotation_terms]``, ``[uncertainties.rotation_terms]``; pair scores use the
    placement's weights."""

    starts_per_year: int = setting("levers.rotation_terms.starts_per_year")
    horizontal_per_year: int = setting("levers.rotation_terms.horizontal_per_year")
    term_years: int = setting("levers.rotation_terms.term_years")
    horizontal_max_km: float = setting("levers.rotation_terms.horizontal_max_km")
    promote_min_rating: str = setting("levers.rotation_terms.promote_min_rating")
    stay_probability: float = setting("uncertainties.rotation_terms.stay_probability")
    fit_political: float = setting("levers.placement.weights.fit_political")
    fit_execution: float = setting("levers.placement.weights.fit_execution")
    fit_development: float = setting("levers.placement.weights.fit_development")
    fit_cap: float = setting("levers.placement.weights.fit_cap")
    move_per_km: float = setting("levers.placement.weights.move_per_km")
    seed: int = 0

    @property
    def fit_weights(self) -> np.ndarray:
        return np.array([self.fit_political, self.fit_execution, self.fit_development])

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> RotationSettings:
        placement = {name: float(scenario.get(f"levers.placement.weights.{name}"))
                     for name in ("fit_political", "fit_execution", "fit_development",
                                  "fit_cap", "move_per_km")}
        return build(cls, scenario, "rotation_terms", seed=scenario.seed, **placement)


def empty() -> pd.DataFrame:
    """A rotation table with no rows and the declared dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})


def active_in(rotations: pd.DataFrame, year: int) -> pd.DataFrame:
    """Rotations running in ``year`` (started, not past their end year, not ended early)."""
    r = rotations
    keep = (r["status"] == "active") & (r["start_year"] <= year) & (r["end_year"] >= year)
    return r[keep.to_numpy(dtype=bool)].reset_index(drop=True)


# ------------------------------------------------------------------------------- selection

@dataclass
class RotationPlan:
    """The rotations started in a year, with the proof of the selection."""

    year: int
    started: pd.DataFrame  # rows of the rotation table
    proof: SolveResult
    eligible: dict[str, int]  # people who could go, by kind
    shortfall: dict[str, int]  # rotations asked for but not possible, by kind


PAIR_COLUMNS = {**{k: "string" for k in ("staff_id", "kind", "home_position_id",
                                         "home_territory_id", "position_id", "territory_id")},
                "km": "float64", "score": "float64"}
_LEVEL = {"specialist": 0, "manager": 1, "key": 2}  # groups of similar duties, lowest first


def _who_may_go(province: Province, settings: RotationSettings, year: int,
                active: pd.DataFrame, params: Any) -> pd.DataFrame:
    """People holding a post, not rotating, serving to the end of a term started in ``year``;
    with the unit they work in, their post's title and level, pool and manager flags."""
    staff, posts = province.staff, province.positions
    post_at = posts.assign(level=title_group(posts).map(_LEVEL).to_numpy()).set_index(
        posts["position_id"].astype(str))
    busy = id_set(active_in(active, year)["staff_id"]) if len(active) else set()
    end_month = (year + settings.term_years - 1) * 12 + 11  # December of the last year
    retire = retirement_index(params, staff["gender"].astype(str).to_numpy(),
                              staff["birth_year"].to_numpy(dtype=int))
    ok = (staff["position_id"].notna().to_numpy()
          & ~isin(staff["staff_id"].astype(str), busy) & (retire >= end_month))
    people = staff[ok]
    post = people["position_id"].astype(str)
    out = pd.DataFrame({
        "staff_id": people["staff_id"].astype(str).to_numpy(), "position_id": post.to_numpy(),
        "works": post.map(post_at["territory_id"]).astype(str).to_numpy(),
        "home": people["home_territory_id"].astype(str).to_numpy(),
        "title": post.map(post_at["title"]).astype(str).to_numpy(),
        "level": post.map(post_at["level"]).to_numpy(dtype=int),
        "pool": people["planning_pool"].to_numpy(dtype=bool),
        "manager": post.map(post_at["is_manager"]).to_numpy(dtype=bool),
        "fields": people["fields"].astype(str).to_numpy()})
    scores = people[[f"score_{g}" for g in GROUPS]].to_numpy(dtype=float)
    return out[out["pool"] | out["manager"]].assign(
        scores=list(scores[(out["pool"] | out["manager"]).to_numpy()]))


def candidate_pairs(province: Province, settings: RotationSettings, year: int,
                    active: pd.DataFrame, params: Any) -> pd.DataFrame:
    """Every allowed (person, vacant post) pair of both kinds, with its score."""
    posts, t = province.positions, province.territories.set_index(
        province.territories["territory_id"].astype(str))
    held = id_set(province.staff["position_id"].dropna())
    vacant = posts[~isin(posts["position_id"].astype(str), held)].reset_index(drop=True)
    v_terr = vacant["territory_id"].astype(str).to_numpy()
    v_hard = t["hard_area"].reindex(v_terr).to_numpy(dtype=bool)
    v_level = title_group(vacant).map(_LEVEL).to_numpy(dtype=int)
    v_lat, v_lon = (t[c].reindex(v_terr).to_numpy(dtype=float) for c in ("lat", "lon"))
    req = vacant[[f"req_{g}" for g in GROUPS]].to_numpy(dtype=float)
    v_field = vacant["field"].astype(str).to_numpy()
    v_title = vacant["title"].astype(str).to_numpy()
    v_ids = vacant["position_id"].astype(str).to_numpy()
    who = _who_may_go(province, settings, year, active, params)
    if who.empty or not len(vacant):
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in PAIR_COLUMNS.items()})
    # person × vacant post masks, built at once (rows: people in order, columns: posts)
    w_works = who["works"].to_numpy(dtype=object)
    w_home = who["home"].to_numpy(dtype=object)
    scores = np.stack(who["scores"].to_list()).astype(float)
    codes = {f: k for k, f in enumerate(dict.fromkeys(v_field))}
    has_field = np.zeros((len(who), len(codes) + 1), dtype=bool)  # last column: no such field
    for i, fs in enumerate(who["fields"].to_numpy(dtype=object)):
        for f in fs.split(";"):
            if f in codes:
                has_field[i, codes[f]] = True
    v_code = np.array([codes[f] for f in v_field], dtype=np.int64)
    # units and titles compared as whole-number codes (a person × post table of strings
    # compared element by element costs more than the rest of the function)
    vt, ww, wh = _codes(v_terr, w_works, w_home)
    v_tc, w_tc = _codes(v_title, who["title"].to_numpy(dtype=object))
    base = (has_field[:, v_code] & (vt[None, :] != ww[:, None]) & (vt[None, :] != wh[:, None])
            & (scores[:, None, :] >= req[None, :, :]).all(axis=2))
    # distances from each unit people work in (the same call per unit as per person)
    units = list(dict.fromkeys(w_works))
    by_unit = {u: np.asarray(haversine_km(t.at[u, "lat"], t.at[u, "lon"], v_lat, v_lon),
                             dtype=float) for u in units}
    km = np.stack([by_unit[u] for u in w_works])
    pool = who["pool"].to_numpy(dtype=bool)
    manager = who["manager"].to_numpy(dtype=bool)
    level = who["level"].to_numpy(dtype=int)
    ok = np.stack([  # kinds in the order of KINDS: to a hard area, then horizontal
        base & pool[:, None] & v_hard[None, :] & (v_level[None, :] >= level[:, None]),
        base & manager[:, None] & (v_tc[None, :] == w_tc[:, None])
        & (km <= settings.horizontal_max_km)], axis=1)
    i, k, j = np.nonzero(ok)  # person, then kind, then post: the order of the pairs
    if not len(i):
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in PAIR_COLUMNS.items()})
    fit = (np.minimum(scores[i] - req[j], settings.fit_cap) * settings.fit_weights).sum(axis=1)
    d = km[i, j]
    return pd.DataFrame({
        "staff_id": who["staff_id"].to_numpy(dtype=object)[i],
        "kind": np.array(KINDS, dtype=object)[k],
        "home_position_id": who["position_id"].to_numpy(dtype=object)[i],
        "home_territory_id": w_works[i], "position_id": v_ids[j], "territory_id": v_terr[j],
        "km": d, "score": REWARD + fit - settings.move_per_km * d}).astype(PAIR_COLUMNS)


def _codes(*arrays: np.ndarray) -> list[np.ndarray]:
    """Each array with its values replaced by whole numbers, one per distinct value over all
    ``arrays`` (equal values, equal codes)."""
    code = {v: k for k, v in enumerate(dict.fromkeys(v for a in arrays for v in a))}
    return [np.fromiter((code[v] for v in a), dtype=np.int64, count=len(a)) for a in arrays]


def select(province: Province, settings: RotationSettings, year: int,
           rng: np.random.Generator, params: Any,
           active: pd.DataFrame | None = None) -> RotationPlan:
    """The rotations that start in ``year`` (see the module docstring; ``params``: the
    scenario's dated parameters, for the retirement ages)."""
    started = time.perf_counter()
    active = empty() if active is None else active
    pairs = candidate_pairs(province, settings, year, active, params)
    want = {"hard_area": settings.starts_per_year, "horizontal": settings.horizontal_per_year}
    eligible = {k: int(pairs.loc[pairs["kind"] == k, "staff_id"].nunique()) for k in KINDS}
    asked = np.isin(pairs["kind"].to_numpy(dtype=object), [k for k in KINDS if want[k] > 0])
    pairs = pairs[asked].reset_index(drop=True)
    if pairs.empty:
        proof = dataclasses.replace(computed(time.perf_counter() - started, settings.seed,
                                             "no rotation possible or asked for"),
                                    objective=0.0, bound=0.0, gap=0.0)
        chosen = pairs
    else:
        score = pairs["score"].to_numpy() + rng.uniform(0.0, 1e-3, len(pairs))
        keep = _undominated(pairs, score, sum(want.values()))
        pairs, score = pairs[keep].reset_index(drop=True), score[keep]
        # an assignment with two count rows: its LP relaxation is (almost always) whole,
        # which proves its optimum at a tenth of the MILP's time; the MILP otherwise, whose
        # presolve costs more than it saves here
        proof, x = solve_arrays(_model(pairs, score, want), seed=settings.seed,
                                lp_first=True, options={"presolve": "off"})
        proof = dataclasses.replace(proof, objective=None if proof.objective is None
                                    else -proof.objective,
                                    bound=None if proof.bound is None else -proof.bound)
        chosen = pairs[np.round(x).astype(bool)] if x is not None else pairs.iloc[:0]
    made = {k: int((chosen["kind"] == k).sum()) for k in KINDS}
    rows = chosen.drop(columns=["km", "score"]).assign(
        start_year=year, term_years=settings.term_years,
        end_year=year + settings.term_years - 1, status="active", outcome=pd.NA, rating=pd.NA)
    return RotationPlan(year=year, started=rows[list(COLUMNS)].astype(COLUMNS).reset_index(
        drop=True), proof=proof, eligible=eligible,
        shortfall={k: max(0, want[k] - made[k]) for k in KINDS})


def _undominated(pairs: pd.DataFrame, score: np.ndarray, most: int) -> np.ndarray:
    """The pairs an optimal selection can use: at most ``most`` pairs are chosen, so a pair
    with ``most`` better pairs (strictly higher score) of the same person and kind is never
    chosen — one of these keeps its post free and would replace it with the same counts and a
    higher score —, and likewise a pair with ``most`` better pairs of the same post and kind
    (one of their people is free). Dropping both kinds of pair leaves the optimum unchanged."""
    s = pd.Series(score)
    kind = pairs["kind"].astype(str).to_numpy()
    keep = np.ones(len(pairs), dtype=bool)
    for who in ("staff_id", "position_id"):
        rank = s.groupby([pairs[who].astype(str).to_numpy(), kind], sort=False).rank(
            method="min", ascending=False).to_numpy()
        keep &= rank <= most  # rank r: r − 1 pairs strictly better
    return keep


def _model(pairs: pd.DataFrame, score: np.ndarray, want: dict[str, int]) -> ArrayModel:
    """Each person ≤ 1 pair, each post ≤ 1 pair, each kind ≤ its count; maximise the score."""
    n = len(pairs)
    cols = np.arange(n)
    _, person = np.unique(pairs["staff_id"].astype(str).to_numpy(), return_inverse=True)
    _, post = np.unique(pairs["position_id"].astype(str).to_numpy(), return_inverse=True)
    kind = pd.Index(KINDS).get_indexer(pairs["kind"].to_numpy(dtype=object))
    blocks = [sp.coo_matrix((np.ones(n), (idx, cols)), shape=(idx.max() + 1, n))
              for idx in (person, post, kind)]
    a = sp.vstack(blocks).tocsc()
    upper = np.concatenate([np.ones(person.max() + 1), np.ones(post.max() + 1),
                            [float(want[k]) for k in KINDS[:kind.max() + 1]]])
    return ArrayModel(cost=-score, a=a, row_lower=np.full(len(upper), -np.inf),
                      row_upper=upper, col_lower=np.zeros(n), col_upper=np.ones(n),
                      integer=np.ones(n, dtype=bool))


# ------------------------------------------------------------------------------ end of term

def end_terms(rotations: pd.DataFrame, year: int, ratings: pd.DataFrame,
              settings: RotationSettings, rng: np.random.Generator) -> pd.DataFrame:
    """The rotation table with the terms ending in ``year`` evaluated and ended.

    ``ratings``: (staff_id, rating) — the ratings of ``year`` (e.g.
    :func:`khcadre_sim.people.evaluation.evaluate`'s, or a real table)."""
    out = rotations.copy().astype(COLUMNS)
    due = ((out["status"] == "active") & (out["end_year"] == year)).to_numpy(dtype=bool)
    if not due.any():
        return out
    rated = ratings.set_index(ratings["staff_id"].astype(str))["rating"].astype("string")
    got = out.loc[due, "staff_id"].astype(str).map(rated).astype("string")
    rank = got.map({r: k for k, r in enumerate(RATINGS)}).fillna(-1).to_numpy(dtype=int)
    promote = rank >= RATINGS.index(settings.promote_min_rating)
    draw = rng.random(int(due.sum()))
    stay = ~promote & (rank >= RATINGS.index("good")) & (draw < settings.stay_probability)
    out.loc[due, "outcome"] = np.where(promote, "promote", np.where(stay, "stay", "return"))
    out.loc[due, "rating"] = got.to_numpy(dtype=object, na_value=None)
    out.loc[due, "status"] = "ended"
    return out.astype(COLUMNS)


def apply_moves(province: Province, rotations: pd.DataFrame, year: int) -> Province:
    """The province after the rotations of ``year``: people starting a term take their
    destination (``years_in_post`` 0); people returning take back their home post when it is
    vacant, or are left without a post; people who stay or are promoted keep the destination."""
    staff = province.staff.copy()
    ids = staff["staff_id"].astype(str)
    starting = rotations[(rotations["start_year"] == year).to_numpy(dtype=bool)]
    back = rotations[((rotations["status"] == "ended") & (rotations["end_year"] == year)
                      & (rotations["outcome"] == "return")).to_numpy(dtype=bool)]
    dest = dict(zip(starting["staff_id"].astype(str), starting["position_id"], strict=True))
    if dest:  # the last row of a person wins, as row by row
        row = isin(ids, dest)
        staff.loc[row, "position_id"] = ids[row].map(dest).to_numpy(dtype=object)
        staff.loc[row, "years_in_post"] = 0.0
    if len(back):
        # one returning person after another, each seeing the posts the others hold then
        post = staff["position_id"].to_numpy(dtype=object, na_value=None).copy()
        years = staff["years_in_post"].to_numpy(dtype=float).copy()
        held = Counter(str(q) for q in post if q is not None)
        rows = pd.Series(np.arange(len(ids))).groupby(ids.to_numpy(dtype=object)).indices
        for who, home in zip(back["staff_id"].astype(str), back["home_position_id"],
                             strict=True):
            home = None if pd.isna(home) else str(home)
            for i in rows.get(who, []):
                if post[i] is not None:
                    held[str(post[i])] -= 1
                post[i] = home if home is not None and held[home] <= 0 else None
                if post[i] is not None:
                    held[str(post[i])] += 1
                years[i] = 0.0
        staff["position_id"] = pd.Series(post, index=staff.index, dtype=object)
        staff["years_in_post"] = years
    return dataclasses.replace(province, staff=staff.astype(province.staff.dtypes.to_dict()))


def rotation_events(rotations: pd.DataFrame, year: int) -> pd.DataFrame:
    """``rotated_out`` (January of the start year; territory = destination, value = term) and
    ``rotation_ended`` (December of the end year; detail = outcome) for ``year``."""
    r = rotations
    start = r[(r["start_year"] == year).to_numpy(dtype=bool)]
    end = r[((r["status"] == "ended") & (r["end_year"] == year)).to_numpy(dtype=bool)]
    out = [pd.DataFrame({"date": [events.month(year, 1)] * len(start),
                         "staff_id": start["staff_id"].to_numpy(), "event": "rotated_out",
                         "territory_id": start["territory_id"].to_numpy(),
                         "position_id": start["position_id"].to_numpy(),
                         "detail": start["kind"].to_numpy(),
                         "value": start["term_years"].to_numpy(dtype=float)}),
           pd.DataFrame({"date": [events.month(year, 12)] * len(end),
                         "staff_id": end["staff_id"].to_numpy(), "event": "rotation_ended",
                         "territory_id": end["territory_id"].to_numpy(),
                         "position_id": end["position_id"].to_numpy(),
                         "detail": end["outcome"].to_numpy(), "value": np.nan})]
    return events.concat([o.astype(events.COLUMNS) for o in out])


@dataclass
class RotationYear:
    """One year of rotation: the updated table, the year's selection, the province after the
    moves and the events."""

    rotations: pd.DataFrame
    plan: RotationPlan
    province: Province
    events: pd.DataFrame


def step(province: Province, scenario: Scenario, rotations: pd.DataFrame, year: int,
         ratings: pd.DataFrame, rng: np.random.Generator) -> RotationYear:
    """One year: end the terms due (on ``ratings`` of the year), select new rotations, apply
    both to the staff table and log the events."""
    settings = RotationSettings.from_scenario(scenario)
    rotations = end_terms(rotations, year, ratings, settings, rng)
    plan_ = select(province, settings, year, rng, scenario.params, rotations)
    rotations = pd.concat([rotations.astype(COLUMNS), plan_.started], ignore_index=True
                          ).astype(COLUMNS) if len(plan_.started) else rotations
    return RotationYear(rotations=rotations, plan=plan_,
                        province=apply_moves(province, rotations, year),
                        events=rotation_events(rotations, year))


# ------------------------------------------------------------------------------- placement

def placement_inputs(province: Province, rotations: pd.DataFrame, year: int,
                     scenario: Scenario) -> Province:
    """The province as the placement should see it in ``year``: every person on an active
    rotation sits in the destination post with ``years_in_post = 0``, so the placement's stay
    rule keeps them there and the post is reserved for the term. Raises a
    :class:`ScenarioError` when the scenario's stay rule would not hold them."""
    running = active_in(rotations, year)
    if running.empty:
        return province
    stay_on = scenario.get("levers.placement.stay.enabled")
    min_years = float(scenario.get("levers.placement.stay.min_years_in_post"))
    if not stay_on or min_years <= 0:
        key = "levers.placement.stay.enabled"
        raise ScenarioError(Problem(
            file=scenario.origin(key), column=key,
            message=f"{len(running)} people are on a rotation term, which the placement keeps "
                    "through its stay rule, but the rule is off",
            fix="set levers.placement.stay.enabled = true and min_years_in_post > 0"))
    staff = province.staff.copy()
    dest = running.set_index(running["staff_id"].astype(str))["position_id"]
    on = isin(staff["staff_id"].astype(str), dest.index)
    staff.loc[on, "position_id"] = staff.loc[on, "staff_id"].astype(str).map(dest).to_numpy()
    staff.loc[on, "years_in_post"] = 0.0
    return dataclasses.replace(province, staff=staff.astype(province.staff.dtypes.to_dict()))


def from_placement(assignments: pd.DataFrame, province: Province, year: int,
                   settings: RotationSettings) -> pd.DataFrame:
    """Term rotations from a placement's assignments (``PlacementResult.assignments`` on
    ``province``): every pair the placement counted as a planning-pool rotation to a hard area
    (``rotation``) starts a term in ``year``."""
    a = assignments[assignments["rotation"].to_numpy(dtype=bool)]
    if a.empty:
        return empty()
    posts = province.positions.set_index(province.positions["position_id"].astype(str))
    home = a["current_position_id"]
    return pd.DataFrame({
        "staff_id": a["staff_id"].astype(str).to_numpy(), "kind": "hard_area",
        "home_position_id": home.to_numpy(),
        "home_territory_id": home.map(posts["territory_id"]).to_numpy(),
        "position_id": a["position_id"].to_numpy(),
        "territory_id": a["territory_id"].to_numpy(), "start_year": year,
        "term_years": settings.term_years, "end_year": year + settings.term_years - 1,
        "status": "active", "outcome": pd.NA, "rating": pd.NA}).astype(COLUMNS)

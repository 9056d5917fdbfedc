"""Training with evaluated effect (Resolution §II.3, §I.2).

§II.3: "Thực hiện cơ chế đào tạo, bồi dưỡng theo chức danh, theo vấn đề, theo nhu cầu vị trí
việc làm …; Sau đào tạo, bồi dưỡng phải tổ chức đánh giá kết quả, mức độ vận dụng vào thực tiễn
công tác; trường hợp sau đào tạo nhưng năng lực không chuyển biến thì xem xét bố trí công việc
khác phù hợp". §I.2: "đặc biệt là bồi dưỡng về ứng dụng công nghệ thông tin, chuyển đổi số".

**Who may take which course.** Person *i* may take course *c* of the catalogue
(:mod:`khcadre_sim.people.catalogue`) when they have a gap (competency review, §II.1) in the
group *g(c)* the course raises, and the course's audience (all, key posts, managers,
specialists), area class and field (``all`` or the field of the person's post) admit them.

**Expected gap closed.** A trainee's gain is ``G = max(0, X)``, ``X ~ N(μ_c, σ²)`` with μ_c the
course's expected gain × ``gain_multiplier`` and σ = ``gain_sd`` (uncertainties). A seat closes
``min(gap, G)`` points of the gap, whose expectation is exact::

    E[min(gap, G)] = ∫_0^gap P(X > t) dt = gap − σ [ψ((gap − μ)/σ) − ψ(−μ/σ)],
    ψ(z) = z Φ(z) + φ(z)

(``min(gap, max(0, μ))`` when σ = 0). Its value is that expectation × the weight of the group in
the person's area class (``levers.review.group_weights``): the expected *weighted* gap closed,
in the unit of the review's weighted gap.

**Yearly allocation (MILP, HiGHS through :func:`khcadre_sim.solve.solve_arrays`).** Binary x_ic:

* maximise Σ value_ic · x_ic;
* each person at most ``max_courses_per_person`` courses, at most one per group (so gaps closed
  add up);
* each course at most ``capacity_per_year`` seats; Σ cost_c · x_ic ≤ ``budget_vnd_per_year``;
* digital first: of the T seats given, at least ⌊``digital_min_share`` · T⌋ on digital courses;
* fair by area class: class *a* gets at least ⌊``fair_share`` · r_a · T⌋ of the T seats, where
  r_a is its share of the people who could take some course (people with a gap and an eligible
  course). (A row ``Σ (1[class = a] − φ r_a) x ≥ −1 + 10⁻⁴`` states exactly that floor, seats
  being whole.) The model is first solved without these floors; only when that answer misses
  one is the full model solved (the relaxation's answer, when it meets them, is optimal for the
  full model with the same proof).

Giving nobody a seat meets every row, so the model is always feasible; the proof (status, bound,
gap) is reported. Courses with a cost of 0 may be given even with a budget of 0.

**Post-training evaluation.** Each seat's gain is drawn (seeded) from the same distribution and
added to the person's framework score in the group (at most 100); a person whose gains of the
year add up to less than ``no_change_points`` "did not change" and is listed as a candidate for
reassignment ("xem xét bố trí công việc khác phù hợp").
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from ..capability import computed
from ..io import Province
from ..keys import build, setting
from ..ratings import rating_groups
from ..review.api import GROUPS, GroupWeights, ReviewSettings, review_people
from ..scenario import Scenario
from ..solve import ArrayModel, SolveResult, solve_arrays
from . import events

SEAT_COLUMNS = {
    "year": "int64", "staff_id": "string", "course_id": "string", "territory_id": "string",
    "area_class": "string", "title_group": "string", "field": "string", "group": "string",
    "digital": "bool", "gap_before": "float64", "expected_closed": "float64",
    "value": "float64", "cost_vnd": "float64"}
OUTCOME_COLUMNS = {**SEAT_COLUMNS, "gain": "float64", "closed": "float64"}
PERSON_COLUMNS = {"year": "int64", "staff_id": "string", "territory_id": "string",
                  "area_class": "string", "courses": "int64", "total_gain": "float64",
                  "changed": "bool"}
_FLOOR_SLACK = 1.0 - 1e-4  # Σ(...) ≥ −(1 − ε): with whole seats, a floor of ⌊share · T⌋


@dataclass(frozen=True)
class TrainingSettings:
    """``[levers.training]``, ``[uncertainties.training]``, ``[constants.training]``; the group
    weights by area class come from ``[levers.review.group_weights]``."""

    budget_vnd_per_year: float = setting("levers.training.budget_vnd_per_year")
    max_courses_per_person: int = setting("levers.training.max_courses_per_person")
    digital_min_share: float = setting("levers.training.digital_min_share")
    fair_share: float = setting("levers.training.fair_share")
    no_change_points: float = setting("levers.training.no_change_points")
    gain_multiplier: float = setting("uncertainties.training.gain_multiplier")
    gain_sd: float = setting("uncertainties.training.gain_sd")
    time_limit: float = setting("constants.training.time_limit")
    gap_rel: float = setting("constants.training.gap_rel")
    weights: GroupWeights = field(default_factory=GroupWeights)
    seed: int = 0

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> TrainingSettings:
        weights = ReviewSettings.from_scenario(scenario).group_weights
        return build(cls, scenario, "training", weights=weights, seed=scenario.seed)


def expected_closed(gap: np.ndarray, mean: np.ndarray, sd: float) -> np.ndarray:
    """``E[min(gap, max(0, X))]`` for ``X ~ N(mean, sd²)`` (see the module docstring)."""
    gap = np.asarray(gap, dtype=float)
    mean = np.broadcast_to(np.asarray(mean, dtype=float), gap.shape)
    if sd <= 0:
        return np.minimum(gap, np.maximum(mean, 0.0))

    def psi(z: np.ndarray) -> np.ndarray:
        return z * stats.norm.cdf(z) + stats.norm.pdf(z)

    out = gap - sd * (psi((gap - mean) / sd) - psi(-mean / sd))
    return np.clip(out, 0.0, gap)


# ----------------------------------------------------------------------------- eligible seats

def trainees(province: Province, review_people: pd.DataFrame) -> pd.DataFrame:
    """The review's people with their group of similar duties (audience of title courses)."""
    groups = rating_groups(province.staff, province.positions)
    title = pd.Series(groups["title_group"].to_numpy(),
                      index=province.staff["staff_id"].astype(str).to_numpy())
    people = review_people.copy()
    people["title_group"] = people["staff_id"].astype(str).map(title).to_numpy()
    return people.reset_index(drop=True)


def eligible_seats(people: pd.DataFrame, catalogue: pd.DataFrame,
                   settings: TrainingSettings) -> pd.DataFrame:
    """Every (person, course) pair allowed, with its expected gap closed, value and cost.

    ``people``: :func:`trainees` (staff_id, territory_id, area_class, field, title_group and
    the review's gap_* columns)."""
    area = people["area_class"].astype(str).to_numpy()
    title = people["title_group"].astype(str).to_numpy()
    field_of = people["field"].astype(str).to_numpy()
    gaps = {g: people[f"gap_{g}"].to_numpy(dtype=float) for g in GROUPS}
    classes = list(dict.fromkeys(area))
    area_ix = pd.Index(classes).get_indexer(area)
    parts: list[tuple[np.ndarray, Any, np.ndarray, np.ndarray]] = []
    for c in catalogue.itertuples(index=False):
        gap = gaps[c.group]
        ok = gap > 0
        if c.audience != "all":
            ok &= title == c.audience
        if c.area_class != "all":
            ok &= area == c.area_class
        if c.field != "all":
            ok &= field_of == c.field
        if not ok.any() or c.capacity_per_year <= 0:
            continue
        gi = GROUPS.index(c.group)
        by_class = np.array([settings.weights[a][gi] for a in classes], dtype=float)
        closed = expected_closed(gap[ok], c.expected_gain_points * settings.gain_multiplier,
                                 settings.gain_sd)
        rows = np.flatnonzero(ok)
        parts.append((rows, c, closed, by_class[area_ix[rows]] * closed))
    cols = {k: v for k, v in SEAT_COLUMNS.items() if k != "year"}
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})
    rows = np.concatenate([r for r, _, _, _ in parts])
    size = [len(r) for r, _, _, _ in parts]

    def each(values: list[Any], dtype: Any) -> np.ndarray:
        return np.repeat(np.array(values, dtype=dtype), size)

    return pd.DataFrame({
        "staff_id": people["staff_id"].astype(str).to_numpy()[rows],
        "course_id": each([c.course_id for _, c, _, _ in parts], object),
        "territory_id": people["territory_id"].astype(str).to_numpy()[rows],
        "area_class": area[rows], "title_group": title[rows], "field": field_of[rows],
        "group": each([c.group for _, c, _, _ in parts], object),
        "digital": each([bool(c.digital) for _, c, _, _ in parts], bool),
        "gap_before": np.concatenate([gaps[c.group][r] for r, c, _, _ in parts]),
        "expected_closed": np.concatenate([x for _, _, x, _ in parts]),
        "value": np.concatenate([v for _, _, _, v in parts]),
        "cost_vnd": each([float(c.cost_per_trainee_vnd) for _, c, _, _ in parts], float),
    }).astype(cols)


# --------------------------------------------------------------------------------- allocation

@dataclass
class Allocation:
    """One year's seats, with the proof of the allocation and the floors it had to meet."""

    year: int
    seats: pd.DataFrame
    proof: SolveResult
    candidates: int  # people with a gap and at least one eligible course
    need_share: dict[str, float]  # r_a: each area class's share of those people

    def summary(self) -> dict[str, Any]:
        s = self.seats
        n = len(s)
        return {"year": self.year, "status": str(self.proof.status),
                "objective": self.proof.objective, "bound": self.proof.bound,
                "gap": self.proof.gap, "seats": n, "people": int(s["staff_id"].nunique()),
                "candidates": self.candidates,
                "coverage": (s["staff_id"].nunique() / self.candidates
                             if self.candidates else 0.0),
                "cost_vnd": float(s["cost_vnd"].sum()),
                "digital_share": float(s["digital"].mean()) if n else 0.0,
                "expected_gap_closed": float(s["expected_closed"].sum()),
                "expected_weighted_gap_closed": float(s["value"].sum())}

    def by_area_class(self) -> pd.DataFrame:
        """Seats, cost and expected gap closed per area class, beside its share of the need."""
        g = self.seats.groupby("area_class", sort=True)
        out = pd.DataFrame({"seats": g.size(), "cost_vnd": g["cost_vnd"].sum(),
                            "expected_gap_closed": g["expected_closed"].sum()})
        out = out.reindex(sorted(set(out.index) | set(self.need_share)), fill_value=0)
        out["seat_share"] = out["seats"] / max(1, len(self.seats))
        out["need_share"] = [self.need_share.get(a, 0.0) for a in out.index]
        out.index.name = "area_class"
        return out.reset_index().astype({"area_class": "string", "seats": "int64",
                                         "cost_vnd": "float64",
                                         "expected_gap_closed": "float64"})


def allocation_model(seats: pd.DataFrame, catalogue: pd.DataFrame, settings: TrainingSettings,
                     need_share: dict[str, float], *, floors: bool = True) -> ArrayModel:
    """The yearly allocation MILP as arrays (rows as in the module docstring; ``floors=False``:
    without the area-class floors, the relaxation :func:`allocate` solves first)."""
    n = len(seats)
    person, pi = np.unique(seats["staff_id"].astype(str).to_numpy(), return_inverse=True)
    course = catalogue.set_index("course_id")
    ci = pd.Index(course.index.astype(str)).get_indexer(seats["course_id"].astype(str))
    rows: list[sp.csr_matrix] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []

    def add(matrix: sp.spmatrix, low: np.ndarray, high: np.ndarray) -> None:
        rows.append(sp.csr_matrix(matrix))
        lo.append(np.asarray(low, dtype=float))
        hi.append(np.asarray(high, dtype=float))

    cols = np.arange(n)
    ones = np.ones(n)
    add(sp.coo_matrix((ones, (pi, cols)), shape=(len(person), n)),
        np.full(len(person), -np.inf), np.full(len(person), settings.max_courses_per_person))
    if settings.max_courses_per_person > 1:
        gi = np.array([GROUPS.index(g) for g in seats["group"].astype(str)], dtype=np.int64)
        add(sp.coo_matrix((ones, (pi * len(GROUPS) + gi, cols)),
                          shape=(len(person) * len(GROUPS), n)),
            np.full(len(person) * len(GROUPS), -np.inf), np.ones(len(person) * len(GROUPS)))
    add(sp.coo_matrix((ones, (ci, cols)), shape=(len(course), n)), np.full(len(course), -np.inf),
        course["capacity_per_year"].to_numpy(dtype=float))
    cost = seats["cost_vnd"].to_numpy(dtype=float)
    add(sp.csr_matrix(cost[None, :]), [-np.inf], [float(settings.budget_vnd_per_year)])
    digital = seats["digital"].to_numpy(dtype=bool).astype(float)
    add(sp.csr_matrix((digital - settings.digital_min_share)[None, :]), [-_FLOOR_SLACK],
        [np.inf])
    for row in _floor_rows(seats, settings, need_share) if floors else []:
        add(sp.csr_matrix(row[None, :]), [-_FLOOR_SLACK], [np.inf])
    return ArrayModel(cost=-seats["value"].to_numpy(dtype=float), a=sp.vstack(rows).tocsc(),
                      row_lower=np.concatenate(lo), row_upper=np.concatenate(hi),
                      col_lower=np.zeros(n), col_upper=np.ones(n),
                      integer=np.ones(n, dtype=bool))


def _floor_rows(seats: pd.DataFrame, settings: TrainingSettings,
                need_share: dict[str, float]) -> list[np.ndarray]:
    """The area-class floors' coefficients ``1[class = a] − φ r_a`` (one array per class with
    a floor above 0); each row must stay ≥ −(1 − ε)."""
    area = seats["area_class"].astype(str).to_numpy()
    return [(area == a).astype(float) - settings.fair_share * share
            for a, share in sorted(need_share.items()) if settings.fair_share * share > 0]


def allocate(people: pd.DataFrame, catalogue: pd.DataFrame, settings: TrainingSettings,
             year: int) -> Allocation:
    """The year's seats: the allocation MILP solved with HiGHS (see the module docstring)."""
    started = time.perf_counter()
    seats = eligible_seats(people, catalogue, settings)
    seats = seats[seats["value"] > 0].reset_index(drop=True)
    who = seats.drop_duplicates("staff_id")
    need = (who["area_class"].astype(str).value_counts(normalize=True).sort_index().to_dict()
            if len(who) else {})
    if seats.empty or settings.max_courses_per_person == 0:
        proof = computed(time.perf_counter() - started, settings.seed,
                         "nobody to train" if seats.empty else "no course allowed per person")
        proof = dataclasses.replace(proof, objective=0.0, bound=0.0, gap=0.0)
        return Allocation(year, _with_year(seats.iloc[:0], year), proof, len(who), need)
    # First without the area-class floors: these dense rows with coefficients of both signs
    # cost HiGHS most of its set-up time, and the value-maximising allocation usually meets
    # them anyway. A relaxation's answer that meets the floors is an answer of the full model,
    # and its bound is a bound of the full model (fewer rows can only do better); an
    # infeasible relaxation means an infeasible model. Otherwise the full model is solved.
    # HiGHS's feasibility-jump heuristic finds nothing the root LP does not on these
    # allocations (solved at the root); without it the same answers come 14% faster
    solve = {"time_limit": settings.time_limit, "gap_rel": settings.gap_rel,
             "seed": settings.seed,
             "options": {"mip_heuristic_run_feasibility_jump": False}}
    res, x = solve_arrays(allocation_model(seats, catalogue, settings, need, floors=False),
                          **solve)
    if x is not None and any(float(row @ np.round(x)) < -_FLOOR_SLACK - 1e-9
                             for row in _floor_rows(seats, settings, need)):
        res, x = solve_arrays(allocation_model(seats, catalogue, settings, need), **solve)
    # the solver minimises −value; report the value given (objective and bound as maxima)
    res = dataclasses.replace(res, objective=None if res.objective is None else -res.objective,
                              bound=None if res.bound is None else -res.bound)
    chosen = seats[np.round(x).astype(bool)] if x is not None else seats.iloc[:0]
    return Allocation(year, _with_year(chosen.reset_index(drop=True), year), res, len(who), need)


def _with_year(seats: pd.DataFrame, year: int) -> pd.DataFrame:
    return seats.assign(year=year)[list(SEAT_COLUMNS)].astype(SEAT_COLUMNS)


# --------------------------------------------------------------------- post-training evaluation

def evaluate_training(seats: pd.DataFrame, catalogue: pd.DataFrame, settings: TrainingSettings,
                      rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw each seat's gain; return (per seat: gain and gap closed, per person: total gain and
    whether their capacity changed — ``total_gain ≥ no_change_points``)."""
    mean = (seats["course_id"].astype(str)
            .map(catalogue.set_index(catalogue["course_id"].astype(str))["expected_gain_points"])
            .to_numpy(dtype=float) * settings.gain_multiplier)
    draw = mean + (rng.normal(0.0, settings.gain_sd, len(seats)) if settings.gain_sd > 0
                   else np.zeros(len(seats)))
    gain = np.maximum(draw, 0.0).round(1)
    outcomes = seats.assign(gain=gain, closed=np.minimum(gain, seats["gap_before"].to_numpy()))
    outcomes = outcomes[list(OUTCOME_COLUMNS)].astype(OUTCOME_COLUMNS)
    g = outcomes.groupby(["year", "staff_id", "territory_id", "area_class"], sort=True)
    persons = pd.DataFrame({"courses": g.size(), "total_gain": g["gain"].sum()}).reset_index()
    persons["changed"] = persons["total_gain"] >= settings.no_change_points
    return outcomes, persons[list(PERSON_COLUMNS)].astype(PERSON_COLUMNS)


def apply_gains(staff: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """The staff table with each seat's gain added to the person's score in the course's group
    (capped at 100)."""
    out = staff.copy()
    ids = out["staff_id"].astype(str)
    for group in GROUPS:
        add = (outcomes[outcomes["group"] == group].groupby("staff_id")["gain"].sum())
        plus = ids.map(add).fillna(0.0).to_numpy(dtype=float)
        out[f"score_{group}"] = np.minimum(100.0, out[f"score_{group}"].to_numpy(dtype=float)
                                           + plus).round(1)
    return out


# ------------------------------------------------------------------------------ several years

@dataclass
class TrainingPlan:
    """Allocations, outcomes and reassignment candidates over several years."""

    allocations: list[Allocation]
    outcomes: pd.DataFrame  # one row per seat, with the drawn gain
    persons: pd.DataFrame  # one row per trainee and year
    province: Province  # with the gains added to the framework scores
    events: pd.DataFrame

    @property
    def seats(self) -> pd.DataFrame:
        return pd.concat([a.seats for a in self.allocations], ignore_index=True).astype(
            SEAT_COLUMNS) if self.allocations else pd.DataFrame(
            {c: pd.Series(dtype=t) for c, t in SEAT_COLUMNS.items()})

    @property
    def reassignment(self) -> pd.DataFrame:
        """Trainees whose capacity did not change (§II.3: consider other suitable work)."""
        return self.persons[~self.persons["changed"]].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        rows = [a.summary() for a in self.allocations]
        out = pd.DataFrame(rows)
        if len(out):
            got = self.persons.groupby("year").agg(
                trained=("staff_id", "size"), not_changed=("changed", lambda c: int((~c).sum())))
            out = out.merge(got.reset_index(), on="year", how="left")
        return out

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"training_seats": self.outcomes, "training_persons": self.persons,
                "training_reassignment": self.reassignment,
                "training_summary": self.summary()}


def plan(province: Province, scenario: Scenario, years: list[int] | tuple[int, ...],
         rng: np.random.Generator, catalogue: pd.DataFrame | None = None,
         priorities: pd.DataFrame | None = None) -> TrainingPlan:
    """Allocate, train and evaluate year after year: each year's review sees the gains of the
    years before (catalogue and territory priorities: the bundled files unless given)."""
    from ..io import load_area_class_priorities
    from .catalogue import load_catalogue

    catalogue = load_catalogue() if catalogue is None else catalogue
    priorities = load_area_class_priorities() if priorities is None else priorities
    settings = TrainingSettings.from_scenario(scenario)
    review_settings = ReviewSettings.from_scenario(scenario)
    allocations, outcomes, persons, logs = [], [], [], []
    for year in years:
        people = trainees(province, review_people(province, review_settings, priorities))
        alloc = allocate(people, catalogue, settings, year)
        seat_out, person_out = evaluate_training(alloc.seats, catalogue, settings, rng)
        province = dataclasses.replace(province, staff=apply_gains(province.staff, seat_out))
        allocations.append(alloc)
        outcomes.append(seat_out)
        persons.append(person_out)
        logs.append(training_events(seat_out, person_out, province))
    return TrainingPlan(
        allocations=allocations,
        outcomes=pd.concat(outcomes, ignore_index=True).astype(OUTCOME_COLUMNS) if outcomes
        else pd.DataFrame({c: pd.Series(dtype=t) for c, t in OUTCOME_COLUMNS.items()}),
        persons=pd.concat(persons, ignore_index=True).astype(PERSON_COLUMNS) if persons
        else pd.DataFrame({c: pd.Series(dtype=t) for c, t in PERSON_COLUMNS.items()}),
        province=province, events=events.concat(logs))


def training_events(outcomes: pd.DataFrame, persons: pd.DataFrame,
                    province: Province) -> pd.DataFrame:
    """``trained`` (July of the year, value = cost) and ``evaluated`` (December, value = the
    seat's gain, detail = ``improved`` or ``no_change`` by the person's total gain of the year)
    per seat; ``reassignment_candidate`` (December, value = total gain) per person whose
    capacity did not change."""
    if outcomes.empty:
        return events.empty()
    post = province.staff.set_index(province.staff["staff_id"].astype(str))["position_id"]
    ids = outcomes["staff_id"].astype(str)
    common = {"staff_id": ids.to_numpy(), "territory_id": outcomes["territory_id"].to_numpy(),
              "position_id": ids.map(post).to_numpy()}
    changed = persons.set_index(persons["staff_id"].astype(str))["changed"]
    trained = pd.DataFrame({"date": [events.month(int(y), 7) for y in outcomes["year"]],
                            **common, "event": "trained",
                            "detail": outcomes["course_id"].to_numpy(),
                            "value": outcomes["cost_vnd"].to_numpy()})
    evaluated = pd.DataFrame({
        "date": [events.month(int(y), 12) for y in outcomes["year"]], **common,
        "event": "evaluated",
        "detail": np.where(ids.map(changed).to_numpy(dtype=bool), "improved", "no_change"),
        "value": outcomes["gain"].to_numpy()})
    stuck = persons[~persons["changed"]]
    sid = stuck["staff_id"].astype(str)
    candidates = pd.DataFrame({
        "date": [events.month(int(y), 12) for y in stuck["year"]], "staff_id": sid.to_numpy(),
        "event": "reassignment_candidate", "territory_id": stuck["territory_id"].to_numpy(),
        "position_id": sid.map(post).to_numpy(), "detail": "training_no_change",
        "value": stuck["total_gain"].to_numpy()})
    return events.concat([trained.astype(events.COLUMNS), evaluated.astype(events.COLUMNS),
                          candidates.astype(events.COLUMNS)])

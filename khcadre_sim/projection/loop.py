"""The yearly loop 2026 → 2030 for one scenario and one seed, composing the mechanisms.

Each year ``y`` (the order of one year, every step a call to an existing mechanism):

1. **January — end of the rotation terms of y − 1** (:func:`people.rotation.end_terms` on the
   ratings of y − 1, :func:`people.rotation.apply_moves`): returns take back their home post if
   it is vacant; ``promote`` outcomes are offered other work in step 2.
2. **January — re-placement** with the placement optimizer (:func:`placement.place`). In the
   first year the whole province is placed (a cold solve, the same for every seed: computed once
   per scenario) and the placement's own rotations to hard areas become rotation terms
   (:func:`people.rotation.from_placement`). From the second year on only what is free is
   re-solved: the posts vacant now (left by exits, opened for the shortage, left by rotations)
   and the people without a post, the trainees whose capacity did not change ("xem xét bố trí
   công việc khác phù hợp", §II.3) and the rotated cadres to promote, each with the post they
   hold. Everyone else keeps their post. The sub-problem is a placement problem of its own,
   solved with the same score and rules (manager floors and the placement's rotation rule
   excepted: the floors are a rule of the province-wide placement — the shares are followed as
   indicators —, and rotations come from step 3), with its proof (status, bound, gap).
3. **January — new rotation terms** (:func:`people.rotation.select`) to vacant posts.
4. **Workload re-measured on the new placement** (:func:`workload.api.analyse_workload`
   without rebalancing, every year; ``rebalance_workload=True`` rebalances every year, about
   9 s a year on the bundled province) and its **residual shortage** by the workload model's own
   rule (excess above the target load attributed to fields, uncovered fields in full).
5. **Need-driven recruitment** (:func:`people.recruitment.recruitment`) for the posts still
   vacant and the shortage: surplus first, then talent programmes or regular recruitment.
6. **Exits during the year**: statutory retirement (:func:`people.exits.retirements`) and the
   other causes (:func:`people.exits.exits`); leavers are out of the state at the end of the
   year and their posts are vacant for next January.
7. **Review and training** (:func:`review.api.review`, :func:`people.training.allocate`,
   :func:`people.training.evaluate_training`, :func:`people.training.apply_gains`) of the people
   who serve to the end of the year.
8. **Output-based evaluation**: quarterly scores and the annual rating with the Decree 335 quota
   (:func:`people.evaluation.evaluate`); the levelling detector runs on the year's ratings.

After the last year, the **incentive budget** (:func:`incentives.budget.simulate`) is computed on
the programme offers the recruitment actually made (:func:`people.recruitment.
programme_overrides`) and the existing staff the programmes admit; ``supported`` events are
logged for the programme recruits and the admitted staff.

Random draws: the generator of a step is seeded by (seed, year, step), so a step's draws do not
depend on how many draws another step made, and the same seed gives the same run in every
scenario (common random numbers: differences between scenarios are not noise of the draws).
The quarterly scores are summarised by the annual rating (its value is their mean); they are
not kept in the log unless ``keep_scores``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import placement as placement_mod
from ..capability import computed
from ..io import Province, load_area_class_priorities, load_fields
from ..people import evaluation, events, exits, recruitment, rotation, training
from ..people.catalogue import load_catalogue
from ..review.api import ReviewSettings, review_people
from ..scenario import Scenario
from ..schema import OPTIONAL_TABLES, TABLES, declared, id_set, isin, python_backed, python_strings
from ..workload import frames
from ..workload.api import WorkloadSettings, analyse_workload
from ..workload.rebalance import _coverage, _shortage
from ..workload.standards import read_standards
from . import state as st

FIRST_YEAR, LAST_YEAR = 2026, 2030
# steps whose draws have their own generator (seed, year, step)
_END_TERMS, _ROTATION, _RECRUIT, _EXITS, _TRAINING, _EVALUATION = range(1, 7)
PROOF: dict[str, Any] = {
    "year": "int64", "mode": "string", "status": "string", "objective": "float64",
    "bound": "float64", "gap": "float64", "seconds": "float64", "people": "int64",
    "posts": "int64", "changes": "int64"}


@dataclass(frozen=True)
class Prepared:
    """What does not depend on the seed, prepared once per scenario and shared by its seeds."""

    name: str
    scenario: Scenario
    placement: Any  # PlacementSettings of the province-wide placement
    restricted: Any  # PlacementSettings of the yearly re-placement
    rotation: rotation.RotationSettings
    training: training.TrainingSettings
    review: ReviewSettings
    workload: WorkloadSettings
    catalogue: pd.DataFrame
    priorities: pd.DataFrame
    standards: pd.DataFrame
    new_work: frozenset[str]
    young_age: int
    first_placement: dict[str, str | None]  # the first year's placement: staff → post
    first_assignments: pd.DataFrame
    first_proof: dict[str, Any]


@dataclass(frozen=True)
class FirstPlacement:
    """The first year's province-wide placement: staff → post, the assignments, the proof."""

    moves: dict[str, str | None]
    assignments: pd.DataFrame
    proof: dict[str, Any]


def first_placement(province: Province, settings: Any) -> FirstPlacement:
    """The province-wide placement of the first January under ``settings``
    (:class:`PlacementSettings`) — it depends on nothing else, so scenarios with the same
    placement settings share it."""
    started = time.perf_counter()
    first = placement_mod.place(province, settings=settings)
    a = first.assignments
    moves = ({str(s): (None if pd.isna(p) else str(p))
              for s, p in zip(a["staff_id"], a["position_id"], strict=True)}
             if first.status.has_solution else {})
    proof = _proof_row(FIRST_YEAR, "province", first.proof, len(province.staff),
                       len(province.positions), 0, time.perf_counter() - started)
    return FirstPlacement(moves, a if first.status.has_solution else pd.DataFrame(), proof)


def placement_settings(scenario: Scenario) -> Any:
    return placement_mod.PlacementSettings.from_scenario(scenario)


def prepare(province: Province, name: str, scenario: Scenario,
            first: FirstPlacement | None = None) -> Prepared:
    """Settings, reference tables and the first year's province-wide placement of a scenario
    (``first``: that placement when already made, e.g. for another scenario with the same
    placement settings)."""
    ps = placement_settings(scenario)
    restricted = dataclasses.replace(
        ps, manager_floors=dataclasses.replace(ps.manager_floors, enabled=False),
        rotation=dataclasses.replace(ps.rotation, enabled=False))
    fields = load_fields()
    first = first_placement(province, ps) if first is None else first
    return Prepared(
        name=name, scenario=scenario, placement=ps, restricted=restricted,
        rotation=rotation.RotationSettings.from_scenario(scenario),
        training=training.TrainingSettings.from_scenario(scenario),
        review=ReviewSettings.from_scenario(scenario),
        workload=WorkloadSettings.from_scenario(scenario), catalogue=load_catalogue(),
        priorities=load_area_class_priorities(), standards=read_standards(),
        new_work=frozenset(fields.loc[fields["new_work"], "field"].astype(str)),
        young_age=int(ps.manager_floors.young_age), first_placement=first.moves,
        first_assignments=first.assignments, first_proof=first.proof)


def _proof_row(year: int, mode: str, proof: Any, people: int, posts: int, changes: int,
               seconds: float) -> dict[str, Any]:
    return {"year": year, "mode": mode, "status": str(proof.status),
            "objective": np.nan if proof.objective is None else float(proof.objective),
            "bound": np.nan if proof.bound is None else float(proof.bound),
            "gap": np.nan if proof.gap is None else float(proof.gap),
            "seconds": float(seconds), "people": int(people), "posts": int(posts),
            "changes": int(changes)}


@dataclass
class SeedRun:
    """One scenario and seed over the years: the log, the year-end snapshots, the incentive
    budget by year and commune, the re-placements' proofs and the seconds of each step."""

    events: pd.DataFrame
    snapshots: pd.DataFrame
    budget: pd.DataFrame
    proofs: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)
    mechanism: dict[str, dict[int, float]] = field(default_factory=dict)  # for cross-checks


def _rng(seed: int, year: int, step: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), int(year), int(step)])


# ------------------------------------------------------------------------------- one year

def _end_terms(s: st.ProjectionState, prep: Prepared, year: int, seed: int) -> None:
    """Step 1: the terms that ended in ``year − 1``, on that year's ratings."""
    last = year - 1
    r = rotation.end_terms(s.rotations, last, s.ratings, prep.rotation, _rng(seed, year,
                                                                                 _END_TERMS))
    s.rotations = r
    ended = r[((r["status"] == "ended") & (r["end_year"] == last)
               & r["outcome"].notna()).to_numpy(dtype=bool)]
    if ended.empty:
        return
    s.log(rotation.rotation_events(ended, last))
    before = s.province.staff.set_index(s.province.staff["staff_id"].astype(str))["position_id"]
    after = rotation.apply_moves(s.province, ended, last).staff
    back = dict(zip(after["staff_id"].astype(str), after["position_id"].astype(object).where(
        after["position_id"].notna(), None), strict=True))
    going = {i: back[i] for i in ended.loc[ended["outcome"] == "return", "staff_id"].astype(str)
             if i in back and (pd.isna(before.get(i)) or back[i] != before.get(i))}
    st.set_posts(s, going, year, "rotation_return")
    s.reconsider |= id_set(ended.loc[ended["outcome"] == "promote", "staff_id"])


def cold_solve(s: st.ProjectionState, prep: Prepared, year: int) -> dict[str, Any]:
    """For comparison only (benchmark): the province-wide placement of the same January, people
    on a rotation term held in their post (:func:`people.rotation.placement_inputs`)."""
    started = time.perf_counter()
    province = rotation.placement_inputs(s.province, s.rotations, year, prep.scenario)
    settings = dataclasses.replace(prep.placement, reference_year=year)
    res = placement_mod.place(province, settings=settings)
    return _proof_row(year, "cold", res.proof, len(province.staff), len(province.positions),
                      int(res.counts()["changed_post"]) if res.status.has_solution else 0,
                      time.perf_counter() - started)


def _replace(s: st.ProjectionState, prep: Prepared, year: int) -> dict[str, Any]:
    """Step 2 from the second year: re-place the free people over the free posts."""
    started = time.perf_counter()
    p = s.province
    staff, pos = p.staff, p.positions
    free = staff[staff["position_id"].isna().to_numpy()
                 | isin(staff["staff_id"].astype(str), s.reconsider)]
    held = id_set(staff["position_id"].dropna())
    mine = id_set(free["position_id"].dropna())
    posts = pos[~isin(pos["position_id"].astype(str), held - mine)]
    s.reconsider = set()
    if free.empty or posts.empty:
        proof = computed(time.perf_counter() - started, message="nothing to re-place")
        return _proof_row(year, "restricted", proof, len(free), len(posts), 0,
                          time.perf_counter() - started)
    sub = dataclasses.replace(p, staff=free.reset_index(drop=True),
                              positions=posts.reset_index(drop=True))
    settings = dataclasses.replace(prep.restricted, reference_year=year)
    res = placement_mod.place(sub, settings=settings)
    changes = 0
    if res.status.has_solution:
        a = res.assignments
        changes = st.set_posts(s, {str(i): (None if pd.isna(q) else str(q)) for i, q in zip(
            a["staff_id"], a["position_id"], strict=True)}, year, "placement")
    return _proof_row(year, "restricted", res.proof, len(free), len(posts), changes,
                      time.perf_counter() - started)


def _first_placement(s: st.ProjectionState, prep: Prepared, year: int) -> dict[str, Any]:
    """Step 2 in the first year: the province-wide placement (shared by the seeds)."""
    changes = st.set_posts(s, prep.first_placement, year, "placement")
    if len(prep.first_assignments):
        started = rotation.from_placement(prep.first_assignments, s.province, year,
                                          prep.rotation)
        if len(started):
            s.rotations = pd.concat([s.rotations, started], ignore_index=True).astype(
                rotation.COLUMNS)
            s.log(rotation.rotation_events(started, year))
    return {**prep.first_proof, "changes": changes}


def _rotate(s: st.ProjectionState, prep: Prepared, year: int, seed: int) -> None:
    """Step 3: new rotation terms to vacant posts."""
    plan = rotation.select(s.province, prep.rotation, year, _rng(seed, year, _ROTATION),
                           prep.scenario.params, s.rotations)
    if plan.started.empty:
        return
    s.rotations = pd.concat([s.rotations, plan.started], ignore_index=True).astype(
        rotation.COLUMNS)
    moved = rotation.apply_moves(s.province, plan.started, year)
    s.with_staff(moved.staff)
    s.log(rotation.rotation_events(plan.started, year))


def _workload(s: st.ProjectionState, prep: Prepared,
              rebalance: bool) -> tuple[pd.Series, pd.DataFrame]:
    """Step 4: load on the new placement and the residual shortage."""
    w = analyse_workload(s.province, prep.scenario.params, prep.workload,
                         standards=prep.standards, do_rebalance=rebalance)
    if rebalance and w.rebalanced is not None:
        shortage = w.rebalanced.shortage
        people = w.rebalanced.after.people
    else:
        people = w.before.people
        target = prep.workload.rebalance.target_load
        cover = _coverage(w.before, w.required)
        if (people["load_ratio"].to_numpy(dtype=float) > target + 1e-9).any():
            shortage = _shortage(w.before, cover, target)
        else:  # nobody above target: only uncovered fields (_shortage needs someone above it)
            shortage = frames.frame([(c, f, r / target, "uncovered")
                                     for (c, f), r in sorted(cover.required.items())
                                     if (c, f) not in cover.covered and r > 1e-9 * target],
                                    frames.SHORTAGE)
    load = pd.Series(people["load_ratio"].to_numpy(dtype=float),
                     index=people["staff_id"].astype(str).to_numpy())
    return load, shortage


def _recruit(s: st.ProjectionState, prep: Prepared, year: int, seed: int,
             shortage: pd.DataFrame) -> Any:
    """Step 5: need-driven recruitment."""
    rr = recruitment.recruitment(s.province, shortage, prep.scenario, year,
                                 _rng(seed, year, _RECRUIT))
    st.add_recruits(s, rr)
    s.log(rr.events)
    s.programme_offers.append(rr.programme_offers)
    return rr


def _exits(s: st.ProjectionState, prep: Prepared, year: int, seed: int) -> tuple[int, int]:
    """Step 6: retirements and other exits of the year."""
    p = s.province
    retired, log1 = exits.retirements(p.staff, prep.scenario.params, year, p.positions)
    left, log2 = exits.exits(p.staff, p.positions, p.territories, prep.scenario, year,
                             _rng(seed, year, _EXITS))
    s.log(log1)
    s.log(log2)
    st.remove_leavers(s, id_set(retired["staff_id"]) | id_set(left["staff_id"]))
    return len(retired), len(left)


def _train(s: st.ProjectionState, prep: Prepared, year: int, seed: int) -> float:
    """Step 7: review, training allocation, post-training evaluation."""
    p = s.province
    people = review_people(p, prep.review, prep.priorities)
    s.reviewed |= id_set(people["staff_id"])
    alloc = training.allocate(training.trainees(p, people), prep.catalogue, prep.training,
                              year)
    seats, persons = training.evaluate_training(alloc.seats, prep.catalogue, prep.training,
                                                _rng(seed, year, _TRAINING))
    s.with_staff(training.apply_gains(p.staff, seats))
    s.log(training.training_events(seats, persons, s.province))
    s.reconsider |= id_set(persons.loc[~persons["changed"], "staff_id"])
    return float(seats["cost_vnd"].sum())


def _evaluate(s: st.ProjectionState, prep: Prepared, year: int, seed: int,
              keep_scores: bool) -> evaluation.EvaluationResult:
    """Step 8: quarterly scores, annual ratings with the quota, levelling detector."""
    ev = evaluation.evaluate(s.province, prep.scenario, year, _rng(seed, year, _EVALUATION),
                             score_events=keep_scores)
    s.log(ev.events)
    s.ratings = ev.ratings[["staff_id", "rating"]].reset_index(drop=True)
    return ev


# ---------------------------------------------------------------------------- the run

def run_seed(province: Province, prep: Prepared, seed: int,
             years: tuple[int, ...] = tuple(range(FIRST_YEAR, LAST_YEAR + 1)), *,
             rebalance_workload: bool = False, keep_scores: bool = False,
             on_year: Any = None, compare_cold: bool = False) -> SeedRun:
    """The projection of one scenario (prepared) under one seed (see the module docstring)."""
    with python_strings():  # the loop's many small tables; returned in the declared dtypes
        r = _run_seed(province, prep, seed, years, rebalance_workload=rebalance_workload,
                      keep_scores=keep_scores, on_year=on_year, compare_cold=compare_cold)
    return dataclasses.replace(r, events=declared(r.events, events.COLUMNS),
                               snapshots=declared(r.snapshots, st.SNAPSHOT),
                               budget=declared(r.budget, st.BUDGET),
                               proofs=declared(r.proofs, PROOF))


def _run_seed(province: Province, prep: Prepared, seed: int, years: tuple[int, ...], *,
              rebalance_workload: bool, keep_scores: bool, on_year: Any,
              compare_cold: bool) -> SeedRun:
    s = st.ProjectionState(year=years[0], province=dataclasses.replace(province, **{
        name: python_backed(getattr(province, name)) for name in TABLES + OPTIONAL_TABLES}))
    seconds: dict[str, float] = {}
    mech: dict[str, dict[int, float]] = {"retirements": {}, "recruits": {}, "levelled_units": {},
                                         "training_cost_vnd": {}}
    snaps, proofs = [], []

    def timed(name: str, fn: Any, *args: Any) -> Any:
        t = time.perf_counter()
        out = fn(*args)
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - t
        return out

    for year in years:
        if year == years[0]:
            proofs.append(timed("placement", _first_placement, s, prep, year))
        else:
            timed("rotation", _end_terms, s, prep, year, seed)
            if compare_cold:  # timed apart: not part of the run
                proofs.append(cold_solve(s, prep, year))
            proofs.append(timed("placement", _replace, s, prep, year))
        timed("rotation", _rotate, s, prep, year, seed)
        load, shortage = timed("workload", _workload, s, prep, rebalance_workload)
        rr = timed("recruitment", _recruit, s, prep, year, seed, shortage)
        n_retired, _ = timed("exits", _exits, s, prep, year, seed)
        mech["training_cost_vnd"][year] = timed("training", _train, s, prep, year, seed)
        ev = timed("evaluation", _evaluate, s, prep, year, seed, keep_scores)
        mech["retirements"][year] = n_retired
        mech["recruits"][year] = float(len(rr.recruits))
        mech["levelled_units"][year] = float(ev.levelling["flagged"].sum())
        snaps.append(st.snapshot(s.province, year, load, s.reviewed, prep.young_age,
                                 set(prep.new_work)))
        if on_year is not None:
            on_year(year)
        st.next_year(s)
    budget = timed("incentives", _budget, s, prep, province, years)
    # typed once, by run_seed, outside the block of Python-stored strings
    return SeedRun(events=s.events(), snapshots=pd.concat(snaps, ignore_index=True),
                   budget=budget, proofs=pd.DataFrame(proofs, columns=list(PROOF)),
                   seconds=seconds, mechanism=mech)


def _budget(s: st.ProjectionState, prep: Prepared, province: Province,
            years: tuple[int, ...]) -> pd.DataFrame:
    """After the loop: the incentive budget on the offers made and the staff admitted."""
    from ..incentives.api import prepare as prepare_incentives
    from ..incentives.budget import simulate

    offers = (pd.concat(s.programme_offers, ignore_index=True) if s.programme_offers
              else pd.DataFrame({c: pd.Series(dtype=t)
                                 for c, t in st.PROGRAMME_OFFERS.items()}))
    scenario = prep.scenario.with_overrides(
        recruitment.programme_overrides(prep.scenario, offers), source="need-driven offers")
    inputs = prepare_incentives(province, scenario)
    result = simulate(inputs, draws=100)
    s.log(_supported(s, result, inputs.design.first_year))
    by_year = result.expected_by_year()
    ceiling = result.ceiling.set_index("year")["ceiling"]
    rows = [(y, "", float(by_year.at[y, "net_cost"]) if y in by_year.index else 0.0,
             float(ceiling.get(y, np.nan))) for y in years]
    bc = result.by_commune
    if len(bc):
        per = bc.groupby(["year", "territory_id"], sort=True)["net_cost"].sum()
        rows += [(int(y), str(t), float(v), np.nan) for (y, t), v in per.items()
                 if int(y) in years]
    return pd.DataFrame(rows, columns=list(st.BUDGET)).astype(st.BUDGET)


def _supported(s: st.ProjectionState, result: Any, first_year: int) -> pd.DataFrame:
    """``supported`` events: programme recruits at their start, admitted staff at intake."""
    log = s.events()
    programmes = {p.id for p in result.design.programmes}
    rec = log[(log["event"] == "recruited") & log["detail"].isin(programmes)]
    rows = [{"date": r.date, "staff_id": r.staff_id, "event": "supported",
             "territory_id": r.territory_id, "position_id": r.position_id,
             "detail": r.detail} for r in rec.itertuples(index=False)]
    places = result.places
    admitted = places[(places["admitted"] > 0) & places["staff_id"].notna()]
    for r in admitted.itertuples(index=False):
        m = int(r.intake)
        rows.append({"date": events.month(first_year + m // 12, m % 12 + 1),
                     "staff_id": str(r.staff_id), "event": "supported",
                     "territory_id": str(r.territory_id), "detail": str(r.programme)})
    return events.make(rows) if rows else events.empty()

"""Rebalancing optimizer: even out load by reassigning task portfolios (and, if allowed, people).

Decision: ``w[p,f]`` — FTE of field ``f``'s work that person ``p`` carries (their portfolio),
only for fields ``p`` is qualified for (or holds the post of) with cases in the commune. All the
work of every covered field must be carried: ``Σ_p w[p,f] = R[c,f]``; ``L[p] = Σ_f w[p,f]``;
today's portfolio is ``w0`` and today's load ``L0``.

Limits a commune chairman can sign (levers in ``[levers.workload]`` of scenarios/base.toml):

* **changed portfolios per commune** (``max_changed_per_commune``, default 5, ``-1`` = no cap):
  a person's portfolio counts as changed (binary ``z_p``) when any ``w[p,f]`` differs from
  ``w0[p,f]``; at most that many people per commune (all of them when the commune has fewer)
  — about one in eight of a commune's ~38 staff, a decision a chairman can explain person by
  person (the trade-off is in ``benchmarks/bench_workload.py --sweep``);
* **load ceiling** (``load_ceiling``, default 1.2 = the overload threshold): the rebalancing
  may not leave anyone above ``max(ceiling, L0[p])`` — nobody is pushed into overload, and
  nobody already overloaded is given more than they carry today;
* **share of one field** (``max_field_share``, default 1.0 = no limit): where at least two
  people in the commune are qualified for a field, nobody is handed more than this share of
  its work, ``w[p,f] ≤ max(share × R[c,f], w0[p,f])`` (what someone carries today may stay).

Keeping every portfolio as it is satisfies all three, so the model is feasible by construction
(a field counts as covered when someone qualified gives it time today; one nobody gives time to
is left to recruitment, see below).

Objective, lexicographic in two solves:

1. minimise ``Σ_c t_c`` with ``t_c ≥ L[p]`` for everyone in commune ``c`` and ``t_c ≥ τ``
   (τ = ``target_load``, default 1.0) — every commune's peak load ratio, as far as it is above
   the target (a peak at or below the target is no reason to change anything); communes are
   independent without moves, so this is each commune's own minimum;
2. with every ``t_c`` held at its optimum, minimise the total excess ``Σ_p max(0, L[p] − τ)``
   plus a small tie-break (μ = ``tiebreak_weight``, 0.001) so that nothing changes without a
   reason: without a cap ``μ × Σ |w − w0|`` (an LP); with a cap ``μ × (people changed)`` in the
   MILP, then — with the changed people and the total excess fixed — the least ``Σ |w − w0|``
   (a small LP, the *polish*: each changed portfolio moves as little work as it can); with
   moves, ``move_cost × (people moved)`` as well.

With a cap the link ``z = 0 ⇔ w = w0`` is written per field, ``w0·(1 − z) ≤ w ≤ w0 + (u − w0)·z``
(``u`` the pair's upper bound), and per person, ``L ≤ L0 + (T − L0)·z`` (``T`` the most the
person may carry: ceiling and peak) — together the convex hull of each person's two cases.
Valid inequalities make the LP relaxation useful: a kept portfolio keeps today's load, so
``t_c ≥ L0[p]·(1 − z_p) + t_min·z_p`` (``t_min`` the lower bound of ``t_c``) and
``e_p ≥ (L0[p] − τ)·(1 − z_p)``; what a changed person below the target takes on up to it costs
the whole ``z_p``, beyond it is excess: ``L ≤ L0 + (τ − L0)·z + e``; of the k + 1 most loaded
people one keeps their portfolio, so ``t_c ≥`` the (k+1)-th largest load today. The most
loaded person of a commune is marked changed in stage 1 (if they keep their portfolio the peak
cannot fall, which the changed case with ``w = w0`` also gives), and in stage 2 everyone whose
load today is above the peak held. People who are the only one qualified for every field they
work in cannot change anything and carry no ``z``. Each MILP starts from a feasible answer
(keep everything for stage 1, stage 1's answer for stage 2) and is handed to HiGHS as arrays by
:func:`khcadre_sim.solve.solve_arrays`, which checks what HiGHS reports against the solution it
returns. Without a cap the model is a pure LP. One block's model is built, step by step with
the mathematics of each, in :mod:`khcadre_sim.workload.model`.

Moves: a person may move to a commune within ``max_move_km`` (haversine between commune
centroids) that is still above target after internal rebalancing, at most
``max_arrivals_per_commune`` into any commune; a mover takes only fields they are qualified for
and carries nothing at home, and counts as a changed portfolio of their home commune. Candidate
movers are people underloaded today, into communes where one of their fields is overloaded or
uncovered today (a pruning rule that keeps the model small; a documented limit, not a proof).
Communes linked by a candidate move are solved together: on the bundled province with 30 km
almost every commune links into one block of ~2,400 people, which HiGHS does not finish within
``time_limit`` (the stage is then reported ``feasible`` with its gap) — moves suit a few
communes at a time.

Structure: communes linked by no candidate move form independent blocks, each solved as its
own small model (65 blocks without moves), ``parallel_blocks`` at a time (one per CPU core by
default; each block is solved alone and deterministically, so the answer does not depend on
it). The stages' status, objective, bound and gap add up the blocks' — the status is the worst
block's, and their solver seconds are summed even when blocks ran side by side.

What no feasible rebalancing can fix is the *residual shortage*: a covered field's share of the
excess above τ (attributed to fields in proportion to each overloaded person's portfolio) plus
every uncovered field's whole need — so work a cap or a ceiling keeps in place is reported,
not hidden.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd

from ..errors import ModelError, Problem
from ..keys import build, keys, setting
from ..schema import isin
from ..solve import SolveResult, Status, relative_gap, solve_arrays
from ..territories import haversine_km
from . import frames
from .load import LoadState, summarise
from .model import TOL, Block, BlockModel, Data, Move, Pair, Values

NO_CAP = -1  # max_changed_per_commune = -1 in a scenario: no cap on changed portfolios


@dataclass(frozen=True)
class RebalanceSettings:
    """The rebalancing's keys of ``[levers.workload]`` and ``[constants.workload]``, under their
    TOML names with the defaults of the scenario key table (khcadre_sim/scenario_keys.toml).

    ``max_changed_per_commune``: ``-1`` in a scenario (no cap) is ``None`` here — written either
    way, the field holds ``None`` for "no cap" (:meth:`changed_cap` reads it). Whole numbers
    given for a float key become floats. ``seed`` is the scenario's ``meta.seed``.
    """

    target_load: float = setting("levers.workload.target_load")
    max_changed_per_commune: int | None = setting("levers.workload.max_changed_per_commune")
    load_ceiling: float = setting("levers.workload.load_ceiling")
    max_field_share: float = setting("levers.workload.max_field_share")
    max_arrivals_per_commune: int = setting("levers.workload.max_arrivals_per_commune")
    max_move_km: float = setting("levers.workload.max_move_km")
    tiebreak_weight: float = setting("constants.workload.tiebreak_weight")
    move_cost: float = setting("constants.workload.move_cost")
    solver: str = setting("constants.workload.solver")
    time_limit: float | None = setting("constants.workload.time_limit")
    gap_rel: float = setting("constants.workload.gap_rel")
    parallel_blocks: int = setting("constants.workload.parallel_blocks")
    seed: int | None = setting("meta.seed")

    def __post_init__(self) -> None:
        if self.max_changed_per_commune == NO_CAP:
            object.__setattr__(self, "max_changed_per_commune", None)
        as_floats(self)

    @classmethod
    def from_scenario(cls, scenario: Any) -> RebalanceSettings:
        return build(cls, scenario, "workload", seed=scenario.seed)

    def changed_cap(self, n_people: int) -> int | None:
        """The cap on changed portfolios in a commune of ``n_people`` (None = no cap)."""
        k = self.max_changed_per_commune
        return None if k is None else min(int(k), n_people)


def as_floats(settings: Any) -> None:
    """Whole numbers in the float fields of a frozen settings dataclass become floats (a
    scenario may write ``load_ceiling = 2`` for 2.0)."""
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if str(f.type).startswith("float") and isinstance(value, int) and \
                not isinstance(value, bool):
            object.__setattr__(settings, f.name, float(value))


def check_settings(s: RebalanceSettings) -> None:
    """Settings built in code (a scenario's were checked when it was read): every value outside
    its key's bounds or choices in the key table, named with the key."""
    problems = []
    declared = keys()
    for f in dataclasses.fields(s):
        names = [f"{section}.workload.{f.name}" for section in ("levers", "constants")]
        key = next((declared[n] for n in names if n in declared), None)
        value = getattr(s, f.name)
        if key is None or value is None or _allowed(key, value):
            continue
        problems.append(Problem(file="settings", column=key.name,
                                message=f"{f.name.replace('_', ' ')} {value!r} is out of range",
                                fix=f"write {key.bounds_text()}"))
    if problems:
        raise ModelError(problems)


def _allowed(key: Any, value: Any) -> bool:
    if key.choices:
        return value in key.choices
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return False
    return ((key.ge is None or value >= key.ge) and (key.gt is None or value > key.gt)
            and (key.le is None or value <= key.le) and (key.lt is None or value < key.lt))


@dataclass(frozen=True)
class RebalanceResult:
    """Before/after load, what changed, what still needs recruitment, and what the solver proved."""

    before: LoadState
    after: LoadState
    changes: pd.DataFrame  # staff_id, territory_id, moved, field, work/time share before, after
    moves: pd.DataFrame  # staff_id, from_territory_id, to_territory_id, distance_km
    shortage: pd.DataFrame  # territory_id, field, shortage_fte, reason
    per_commune: pd.DataFrame  # territory_id, n_people, peak/mean before/after, n_changed, cap
    peak: SolveResult  # stage 1 (sum of commune peaks above target), aggregated over blocks
    excess: SolveResult  # stage 2 (total excess + tie-break), aggregated over blocks
    n_blocks: int

    @property
    def status(self) -> Status:
        return self.excess.status

    @property
    def n_changed(self) -> int:
        return int(self.changes["staff_id"].nunique()) if len(self.changes) else 0


class Solved(NamedTuple):
    """One block's model solved: the proof and the solution."""

    result: SolveResult
    values: Values


@dataclass(frozen=True)
class Stage:
    """One stage solved over every block (lists in block order)."""

    results: list[SolveResult]
    values: list[Values]

    def peaks(self) -> dict[str, float]:
        """The commune peaks ``t_c`` of a stage-1 solution."""
        return {c: t for v in self.values for c, t in v.t.items()}


@dataclass(frozen=True)
class Coverage:
    """The work to carry: every (commune, field) with cases, and those someone covers today."""

    required: dict[tuple[str, str], float]  # (commune, field) → required FTE, all with cases
    covered: set[tuple[str, str]]  # carried today by someone qualified

    @property
    def req(self) -> dict[tuple[str, str], float]:
        """Required FTE of the covered fields only (what the model must carry)."""
        return {k: v for k, v in self.required.items() if k in self.covered}


# ----------------------------------------------------------------------------- the optimum

def rebalance(before: LoadState, required: pd.DataFrame, settings: RebalanceSettings, *,
              over: float, under: float,
              territories: pd.DataFrame | None = None) -> RebalanceResult:
    """Minimise every commune's peak load above target, then the total excess, within the caps;
    report what stays short."""
    s = settings
    check_settings(s)
    cover = _coverage(before, required)
    d = _prepare(before, cover.req)
    blocks, first, second = _two_stages(before, d, s, territories)
    work = {k: w for v in second.values for k, w in v.w.items() if w > 1e-9}
    dest = {mv.person: mv.dest for v in second.values for mv, m in v.m.items() if m > 0.5}
    after = _after(before, required, work, dest, d.home, over, under)
    changes, changed = _changes(before, after, dest, d.home)
    shortage = _shortage(after, cover, s.target_load)
    return RebalanceResult(
        before=before, after=after, changes=changes, moves=_moves(dest, d.home, territories),
        shortage=shortage, per_commune=_per_commune(before, after, changed, d.home, shortage, s),
        peak=_aggregate(first.results, s.solver, s.seed),
        excess=_aggregate(second.results, s.solver, s.seed), n_blocks=len(blocks))


def _coverage(before: LoadState, required: pd.DataFrame) -> Coverage:
    """A field counts as covered when someone qualified gives it time today (an explicit
    time-shares table may leave a qualified person at 0): then keeping every portfolio carries
    its work in full, and the model is feasible by construction."""
    rq = required.loc[required["required_fte"] > 0]
    req_all = {(c, f): float(r) for c, f, r in zip(*_objects(rq, "territory_id", "field"),
                                                   rq["required_fte"].to_numpy(), strict=True)}
    cf = before.commune_field
    carried = set(zip(*_objects(cf[cf["actual_fte"] > 0], "territory_id", "field"),
                      strict=True))
    covered = carried & set(zip(*_objects(before.eligible, "territory_id", "field"),
                                strict=True))
    return Coverage(required=req_all, covered=covered)


def _objects(frame: pd.DataFrame, *columns: str) -> list[Any]:
    """Columns as NumPy object arrays, to zip (iterating pandas string columns costs a Python
    call per element)."""
    return [frame[c].to_numpy(dtype=object) for c in columns]


def _two_stages(before: LoadState, d: Data, s: RebalanceSettings,
                territories: pd.DataFrame | None) -> tuple[list[Block], Stage, Stage]:
    """Both stages over the independent blocks. Without moves every commune is its own block;
    with moves, first the internal optimum (it decides which communes may receive people),
    then the linked blocks."""
    internal = (s if s.max_arrivals_per_commune == 0
                else dataclasses.replace(s, max_arrivals_per_commune=0))
    blocks = _blocks(before, d.req, None, internal, None)
    first = _solve_blocks(blocks, d, internal, None)
    if s.max_arrivals_per_commune > 0:
        blocks = _blocks(before, d.req, territories, s, first.peaks())
        first = _solve_blocks(blocks, d, s, None)
    second = _solve_blocks(blocks, d, s, first.peaks(), first.values)
    return blocks, first, second


def _prepare(before: LoadState, req: dict[tuple[str, str], float]) -> Data:
    pf = before.portfolio
    w0 = {(p, f): float(w) for p, f, w in zip(pf["staff_id"], pf["field"], pf["work_fte"],
                                              strict=True)}
    people = before.people
    home = dict(zip(people["staff_id"], people["territory_id"], strict=True))
    load0 = {p: float(v) for p, v in zip(people["staff_id"], people["load_ratio"],
                                         strict=True)}
    members: dict[str, list[str]] = defaultdict(list)
    for p, c in home.items():
        members[c].append(p)
    elig = before.eligible
    n_q = elig.groupby(["territory_id", "field"])["staff_id"].nunique()
    n_qualified = {(c, f): int(n) for (c, f), n in n_q.items()}
    shared: dict[str, bool] = defaultdict(bool)
    for p, c, f in zip(elig["staff_id"], elig["territory_id"], elig["field"], strict=True):
        if (c, f) in req and n_qualified[c, f] > 1:
            shared[p] = True
    fixed = {p for p in home if not shared[p]}
    return Data(req=req, n_qualified=n_qualified, w0=w0, load0=load0, home=home,
                members=dict(members), fixed=fixed)


# ---------------------------------------------------------------------------------- blocks

class Candidates(NamedTuple):
    """Candidate moves between communes, the portfolio columns they open and the communes
    they link (origin, destination)."""

    movers: list[Move]
    pairs: list[Pair]
    links: list[tuple[str, str]]


def _blocks(before: LoadState, req: dict[tuple[str, str], float],
            territories: pd.DataFrame | None, s: RebalanceSettings,
            internal_peaks: dict[str, float] | None) -> list[Block]:
    """The independent blocks: every commune on its own, joined where a candidate move links
    them; blocks without any portfolio column are left out."""
    elig = before.eligible
    pairs_by_c: dict[str, list[Pair]] = defaultdict(list)
    for p, c, f in zip(elig["staff_id"], elig["territory_id"], elig["field"], strict=True):
        if (c, f) in req:
            pairs_by_c[c].append(Pair(p, c, f))
    communes = sorted(set(before.people["territory_id"]) | {c for c, _ in req})
    moves = _candidate_moves(before, req, territories, s, internal_peaks, communes)
    blocks = []
    for members in _linked(communes, moves.links):
        ms = set(members)
        pairs = [k for c in members for k in pairs_by_c.get(c, [])]
        pairs += [k for k in moves.pairs if k.commune in ms]
        if pairs:
            blocks.append(Block(sorted(members), pairs,
                                [mv for mv in moves.movers if mv.dest in ms]))
    return blocks


def _linked(communes: list[str], links: list[tuple[str, str]]) -> list[list[str]]:
    """The groups of communes joined by ``links`` (union–find), each in the order of
    ``communes``, the groups in the order of their first commune."""
    parent = {c: c for c in communes}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for origin, dest in links:
        parent[root(origin)] = root(dest)
    groups: dict[str, list[str]] = defaultdict(list)
    for c in communes:
        groups[root(c)].append(c)
    return list(groups.values())


def _candidate_moves(before: LoadState, req: dict[tuple[str, str], float],
                     territories: pd.DataFrame | None, s: RebalanceSettings,
                     internal_peaks: dict[str, float] | None,
                     communes: list[str]) -> Candidates:
    """Candidate movers (a pruning rule that keeps the MILP small): people underloaded today,
    within ``max_move_km`` of a commune still above target after internal rebalancing, where
    a field they are qualified for is overloaded or uncovered today; they may take there every
    field they are qualified for that has cases."""
    out = Candidates([], [], [])
    if not (s.max_arrivals_per_commune > 0 and s.max_move_km > 0 and territories is not None
            and internal_peaks):
        return out
    terr = territories.set_index("territory_id")
    hot = [c for c, t in internal_peaks.items() if t > s.target_load + TOL and c in terr.index]
    active: dict[str, set[str]] = defaultdict(set)
    for c, f in req:
        active[c].add(f)
    people = before.people
    qual = dict(zip(people["staff_id"], people["qualified_fields"].map(
        lambda v: set(v.split(";"))), strict=True))
    spare = set(people.loc[people["status"] == "under", "staff_id"])
    cf = before.commune_field
    short_fields: dict[str, set[str]] = defaultdict(set)
    for c, f in cf.loc[cf["status"].isin(["over", "uncovered"]), ["territory_id",
                                                                   "field"]].to_numpy():
        short_fields[c].add(f)
    staff_of = people.groupby("territory_id")["staff_id"].agg(list).to_dict()
    for dest in hot:
        lat, lon = terr.at[dest, "lat"], terr.at[dest, "lon"]
        for origin in communes:
            if origin == dest or origin not in terr.index:
                continue
            dist = float(haversine_km(lat, lon, terr.at[origin, "lat"], terr.at[origin, "lon"]))
            if dist > s.max_move_km:
                continue
            linked = False
            for p in staff_of.get(origin, []):
                fs = sorted(qual.get(p, set()) & active[dest])
                if p in spare and qual.get(p, set()) & short_fields[dest] and fs:
                    out.movers.append(Move(p, dest))
                    out.pairs.extend(Pair(p, dest, f) for f in fs)
                    linked = True
            if linked:
                out.links.append((origin, dest))
    return out


# ---------------------------------------------------------------------------------- solving

def _aggregate(results: list[SolveResult], solver: str, seed: int | None) -> SolveResult:
    """The blocks' proofs as one: the worst status, summed objective, bound and seconds."""
    if not results:
        return SolveResult(Status.OPTIMAL, 0.0, 0.0, 0.0, 0.0, solver, seed, "nothing to solve")
    order = [Status.NOT_SOLVED, Status.UNBOUNDED, Status.INFEASIBLE, Status.FEASIBLE,
             Status.OPTIMAL]
    status = min((r.status for r in results), key=order.index)
    seconds = round(sum(r.seconds for r in results), 6)
    if not status.has_solution:
        return SolveResult(status, None, None, None, seconds, solver, seed,
                           f"{sum(not r.is_ok for r in results)} of {len(results)} blocks failed")
    obj = sum(r.objective or 0.0 for r in results)
    bounds = [r.bound for r in results]
    bound = None if any(b is None for b in bounds) else float(sum(bounds))
    gap = None if bound is None else relative_gap(obj, bound)
    return SolveResult(status, float(obj), bound, gap, seconds, solver, seed,
                       f"{len(results)} independent blocks")


def _polish(block: Block, d: Data, s: RebalanceSettings, peaks: dict[str, float],
            found: Values) -> Solved | None:
    """With the changed (and moved) people of the stage-2 answer fixed and its total excess
    held, ``Σ_p e_p ≤ excess found (+ 1e-9 relative)``, the smallest total change
    ``Σ|w − w0|`` (an LP)."""
    model = BlockModel(block, d, s, peaks, found, polish=True)
    a = model.arrays
    excess = model.excess_of(found)
    cols = list(model.e.values())
    a.row(cols, [1.0] * len(cols), -math.inf, excess + 1e-9 * max(1.0, excess))
    for p, j in model.z.items():
        a.lo[j] = a.hi[j] = float(round(found.z[p]))
    for mv, j in model.m.items():
        a.lo[j] = a.hi[j] = float(round(found.m[mv]))
    res, x = solve_arrays(a.model(integer=False), solver=s.solver, time_limit=s.time_limit,
                          gap_rel=s.gap_rel, seed=s.seed)
    if not res.is_ok or x is None:
        return None
    return Solved(res, model.values(x))


def _solve_one(block: Block, d: Data, s: RebalanceSettings, peaks: dict[str, float] | None,
               start: Values | None) -> Solved:
    """One block's stage (stage 2 when ``peaks`` are given), polished when capped."""
    model = BlockModel(block, d, s, peaks, start)
    arrays = model.arrays
    res, x = solve_arrays(arrays.model(), solver=s.solver, time_limit=s.time_limit,
                          gap_rel=s.gap_rel, seed=s.seed, start=arrays.start_vector(),
                          small_mip=True)
    if res.is_ok and x is not None and peaks is not None and model.z and \
            s.tiebreak_weight > 0:
        polished = _polish(block, d, s, peaks, model.values(x))
        if polished is not None:
            extra = polished.result
            res = dataclasses.replace(res, seconds=round(res.seconds + extra.seconds, 6),
                                      message=f"{res.message}; polished by an LP")
            return Solved(res, polished.values)
    if not res.is_ok or x is None:
        raise ModelError(Problem(
            file="workload model", column=",".join(block.communes[:3]),
            message=f"the rebalancing model of commune(s) {', '.join(block.communes[:3])} "
            f"came back {res.status} ({res.message}) in stage {model.stage}; keeping every "
            "portfolio is always feasible, so only a time limit can cause this",
            fix="raise constants.workload.time_limit, or lower max_changed_per_commune"))
    return Solved(res, model.values(x))


def _solve_blocks(blocks: list[Block], d: Data, s: RebalanceSettings,
                  peaks: dict[str, float] | None, starts: list[Values] | None = None) -> Stage:
    """Solve the independent blocks, ``parallel_blocks`` at a time (HiGHS releases the
    interpreter while it solves, so threads run blocks side by side). Each block is solved
    alone and deterministically, so the answer does not depend on how many run at once."""

    from ..progress import bar

    stage = ("cực đại" if peaks is None else "vượt ngưỡng", "peak" if peaks is None else "excess")
    with bar(len(blocks), (f"Khối lượng công việc: các khối ({stage[0]})",
                           f"Workload: blocks ({stage[1]})"), "block") as progress:

        def one(i: int) -> Solved:
            solved = _solve_one(blocks[i], d, s, peaks, None if starts is None else starts[i])
            progress.update()  # tqdm's update is thread-safe
            return solved

        workers = s.parallel_blocks or (os.cpu_count() or 1)
        if workers <= 1 or len(blocks) <= 1:
            out = [one(i) for i in range(len(blocks))]
        else:
            with ThreadPoolExecutor(max_workers=min(workers, len(blocks))) as pool:
                out = list(pool.map(one, range(len(blocks))))
    return Stage(results=[o.result for o in out], values=[o.values for o in out])


# ----------------------------------------------------------------------------- the result

def _after(before: LoadState, required: pd.DataFrame, work: dict[Pair, float],
           dest: dict[str, str], home: dict[str, str], over: float, under: float) -> LoadState:
    """The load picture of the solution: movers placed where they moved, time shares in
    proportion to the work carried (people with no work at all keep theirs)."""
    people = before.people.copy()
    people["from_territory_id"] = people["territory_id"]
    people["territory_id"] = pd.Series([dest.get(p, home[p]) for p in people["staff_id"]],
                                       index=people.index, dtype=str)
    pf = frames.frame([(p, c, f, 0.0, w) for (p, c, f), w in work.items()], frames.PORTFOLIO)
    load = pf.groupby("staff_id")["work_fte"].sum()
    pf["time_share"] = (pf["work_fte"] / pf["staff_id"].map(load).astype("float64")).astype(
        "float64")
    idle = before.portfolio[~isin(before.portfolio["staff_id"], set(load.index))]
    pf = frames.concat([pf, idle.assign(work_fte=0.0)], frames.PORTFOLIO)
    people["qualified"] = people["qualified_fields"].map(lambda v: v.split(";"))
    people = people.drop(columns=["qualified_fields", "n_qualified_fields", "n_fields_worked",
                                  "load_ratio", "status"])
    return summarise(people, pf, required, before.eligible, before.n_unplaced, over, under)


def _changes(before: LoadState, after: LoadState, dest: dict[str, str],
             home: dict[str, str]) -> tuple[pd.DataFrame, set[str]]:
    """What changed, person by person and field by field, and who changed (a mover counts)."""
    old = {(p, f): (w, t) for p, f, w, t in zip(
        before.portfolio["staff_id"], before.portfolio["field"], before.portfolio["work_fte"],
        before.portfolio["time_share"], strict=True)}
    pf = after.portfolio
    new = {(p, f): (w, t, c) for p, f, w, t, c in zip(
        pf["staff_id"], pf["field"], pf["work_fte"], pf["time_share"], pf["territory_id"],
        strict=True)}
    both = set(old) | set(new)
    changed = {p for p, f in both
               if abs(new.get((p, f), (0.0,))[0] - old.get((p, f), (0.0,))[0]) > 1e-6}
    changed |= set(dest)
    rows = []
    for p, f in sorted(both):
        if p not in changed:
            continue
        wb, tb = old.get((p, f), (0.0, 0.0))
        wa, ta, c = new.get((p, f), (0.0, 0.0, home[p]))
        rows.append((p, c, p in dest, f, wb, wa, tb, ta))
    table = frames.frame(rows, frames.CHANGES).sort_values(
        ["territory_id", "staff_id", "field"], kind="stable").reset_index(drop=True)
    return table, changed


def _moves(dest: dict[str, str], home: dict[str, str],
           territories: pd.DataFrame | None) -> pd.DataFrame:
    """Who moved where, with the distance between commune centroids."""
    rows = []
    terr = territories.set_index("territory_id") if territories is not None else None
    for p, c in sorted(dest.items()):
        o = home[p]
        dist = (float(haversine_km(terr.at[o, "lat"], terr.at[o, "lon"], terr.at[c, "lat"],
                                   terr.at[c, "lon"])) if terr is not None else math.nan)
        rows.append((p, o, c, round(dist, 2)))
    return frames.frame(rows, frames.MOVES)


def _shortage(after: LoadState, cover: Coverage, target: float) -> pd.DataFrame:
    """Residual shortage: the excess above target, attributed to fields in proportion to each
    overloaded person's portfolio, plus every uncovered field's whole need (in FTE at the
    target load)."""
    pf = after.portfolio
    excess = (after.people.set_index("staff_id")["load_ratio"] - target).clip(lower=0)
    short = pf[isin(pf["staff_id"], set(excess.index[excess > 1e-9]))].copy()
    # map() of an empty selection has the index's (string) dtype: declare float first
    over = short["staff_id"].map(excess).astype("float64")
    short["shortage_fte"] = (short["time_share"].astype("float64") * over / target).astype(
        "float64")
    short = short.groupby(["territory_id", "field"], as_index=False)["shortage_fte"].sum()
    short["reason"] = "overload_after_rebalance"
    unc = frames.frame([(c, f, r / target, "uncovered") for (c, f), r in cover.required.items()
                        if (c, f) not in cover.covered], frames.SHORTAGE)
    short = frames.concat([short, unc], frames.SHORTAGE)
    short = short[short["shortage_fte"] > 1e-9].sort_values(["territory_id", "field"],
                                                            kind="stable")
    return short.reset_index(drop=True)


def _per_commune(before: LoadState, after: LoadState, changed: set[str], home: dict[str, str],
                 shortage: pd.DataFrame, s: RebalanceSettings) -> pd.DataFrame:
    """Per commune: people, peak and mean load before and after, people changed and the cap,
    residual shortage."""
    communes = sorted(set(before.people["territory_id"]) | set(after.people["territory_id"]))
    b_load = before.people.groupby("territory_id")["load_ratio"]
    a_load = after.people.groupby("territory_id")["load_ratio"]
    b_n, b_max, b_mean = b_load.size(), b_load.max(), b_load.mean()
    a_max, a_mean = a_load.max(), a_load.mean()
    n_ch: dict[str, int] = defaultdict(int)
    for p in changed:
        n_ch[home[p]] += 1
    sh = shortage.groupby("territory_id")["shortage_fte"].sum()
    return frames.frame([
        (c, int(b_n.get(c, 0)), float(b_max.get(c, math.nan)), float(b_mean.get(c, math.nan)),
         float(a_max.get(c, math.nan)), float(a_mean.get(c, math.nan)), n_ch.get(c, 0),
         s.changed_cap(int(b_n.get(c, 0))), float(sh.get(c, 0.0))) for c in communes],
        frames.PER_COMMUNE)

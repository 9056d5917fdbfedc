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
returns. Without a cap the model is a pure LP.

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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import ModelError, Problem
from ..solve import ArrayModel, SolveResult, Status, relative_gap, solve_arrays
from . import frames
from .load import LoadState, summarise

TOL = 1e-7
HOLD = 1e-6  # slack on the stage-1 peaks held in stage 2 (solver tolerance)
CEILING_MARGIN = 1e-6  # the load ceiling is imposed this much lower (solver tolerance)


@dataclass(frozen=True)
class RebalanceSettings:
    """Levers and constants of the rebalancing.

    Names and defaults are those of ``[levers.workload]`` and ``[constants.workload]`` in
    scenarios/base.toml (a test checks that they agree); ``None`` here is ``-1`` there.
    """

    target_load: float = 1.0
    max_changed_per_commune: int | None = 5  # None = no cap
    load_ceiling: float = 1.2
    max_field_share: float = 1.0
    max_arrivals_per_commune: int = 0
    max_move_km: float = 30.0
    tiebreak_weight: float = 1e-3
    move_cost: float = 0.01  # load-ratio points a move must save to be worth making
    solver: str = "highs"
    time_limit: float | None = 60.0
    gap_rel: float = 1e-6
    parallel_blocks: int = 0  # blocks solved at the same time (0 = one per CPU core)
    seed: int | None = 0


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


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    r = 6371.0088
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


@dataclass
class _Block:
    communes: list[str]
    pairs: list[tuple[str, str, str]]  # (person, commune where the work is, field)
    movers: list[tuple[str, str]]  # (person, destination commune)


@dataclass
class _Data:
    """What every block model reads, prepared once."""

    req: dict[tuple[str, str], float]  # (commune, field) → required FTE, covered fields only
    n_qualified: dict[tuple[str, str], int]
    w0: dict[tuple[str, str], float]  # (person, field) → work carried today (home commune)
    load0: dict[str, float]
    home: dict[str, str]
    members: dict[str, list[str]]  # commune → people placed there
    fixed: set[str]  # people who are the only one qualified for every field they work in


def _aggregate(results: list[SolveResult], solver: str, seed: int | None) -> SolveResult:
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


@dataclass
class _Arrays:
    """Columns and rows of one model, collected as lists and turned into an ArrayModel."""

    cost: list[float] = field(default_factory=list)
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    start: list[float] = field(default_factory=list)
    r_lo: list[float] = field(default_factory=list)
    r_hi: list[float] = field(default_factory=list)
    ri: list[int] = field(default_factory=list)
    ci: list[int] = field(default_factory=list)
    val: list[float] = field(default_factory=list)

    def col(self, cost: float, lo: float, hi: float, start: float, integer: bool = False) -> int:
        self.cost.append(cost)
        self.lo.append(lo)
        self.hi.append(hi)
        self.integer.append(integer)
        self.start.append(start)
        return len(self.cost) - 1

    def row(self, cols: list[int], vals: list[float], lo: float, hi: float) -> None:
        i = len(self.r_lo)
        self.r_lo.append(lo)
        self.r_hi.append(hi)
        self.ri.extend([i] * len(cols))
        self.ci.extend(cols)
        self.val.extend(vals)

    def model(self) -> ArrayModel:
        a = sp.csc_matrix((self.val, (self.ri, self.ci)), shape=(len(self.r_lo), len(self.cost)))
        return ArrayModel(cost=np.array(self.cost), a=a, row_lower=np.array(self.r_lo),
                          row_upper=np.array(self.r_hi), col_lower=np.array(self.lo),
                          col_upper=np.array(self.hi), integer=np.array(self.integer))


def cap_of(n_people: int, s: RebalanceSettings) -> int | None:
    """The cap on changed portfolios in a commune of ``n_people`` (None = no cap)."""
    k = s.max_changed_per_commune
    return None if k is None else min(int(k), n_people)


class _Model:
    """Stage 1 (``peaks`` None) or stage 2 model of one block, as arrays."""

    def __init__(self, block: _Block, d: _Data, s: RebalanceSettings,
                 peaks: dict[str, float] | None, start: dict | None = None,
                 polish: bool = False):
        self.stage = 1 if peaks is None else 2
        stage2 = peaks is not None
        a = _Arrays()
        self.arrays = a
        inf = math.inf
        tau, mu = s.target_load, s.tiebreak_weight
        people = sorted({p for p, _, _ in block.pairs})
        # a margin below the ceiling so that solver tolerances never tip anyone into "over"
        ceiling = {p: max(s.load_ceiling - CEILING_MARGIN, d.load0[p]) for p in people}
        movers_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for p, dest in block.movers:
            movers_of[p].append((p, dest))
        peak0 = {c: max([d.load0[p] for p in d.members.get(c, [])] or [0.0])
                 for c in block.communes}
        cap = {c: cap_of(len(d.members.get(c, [])), s) for c in block.communes}
        changeable = {p for p in people if cap[d.home[p]] is not None and p not in d.fixed}
        # the most a person may carry where they work: ceiling, and the peak held in stage 2
        limit = {c: (peaks[c] + HOLD if stage2 else max(peak0[c], tau)) for c in block.communes}
        prev_w = start["w"] if start else {}

        # portfolio columns w[p, c, f]
        self.w: dict[tuple[str, str, str], int] = {}
        ub_of: dict[tuple[str, str, str], float] = {}
        for k in block.pairs:
            p, c, f = k
            r = d.req[c, f]
            at_home = d.home[p] == c
            w_old = d.w0.get((p, f), 0.0) if at_home else 0.0
            ub = r
            if s.max_field_share < 1 and d.n_qualified.get((c, f), 0) > 1:
                ub = max(w_old, s.max_field_share * r)
            ub = min(ub, ceiling[p], max(limit[c], w_old))
            if p in d.fixed:
                ub = w_old
            ub_of[k] = ub
            lo = w_old if p in d.fixed else 0.0
            x0 = prev_w.get(k, w_old)
            self.w[k] = a.col(0.0, lo, ub, min(max(x0, lo), ub))
        by_cf: dict = defaultdict(list)
        by_pc: dict = defaultdict(list)
        by_p: dict = defaultdict(list)
        for k, j in self.w.items():
            by_cf[k[1], k[2]].append(j)
            by_pc[k[0], k[1]].append(k)
            by_p[k[0]].append(k)
        for (c, f), cols in by_cf.items():
            a.row(cols, [1.0] * len(cols), d.req[c, f], d.req[c, f])

        def load_start(p: str) -> float:
            return sum(a.start[self.w[k]] for k in by_p[p])

        # peaks t_c (stage 1) or the held peaks (stage 2)
        self.t: dict[str, int] = {}
        if not stage2:
            for c in block.communes:
                floor = tau
                members = d.members.get(c, [])
                floor = max([floor] + [d.load0[p] for p in members if p in d.fixed])
                k_c = cap[c]
                if k_c is not None and k_c < len(members):
                    # of the k + 1 most loaded people one at least keeps their portfolio
                    floor = max(floor, sorted((d.load0[p] for p in members), reverse=True)[k_c])
                top = max(peak0[c], floor)
                self.t[c] = a.col(1.0, floor - TOL, top + TOL, top + TOL)
        for (_p, c), ks in by_pc.items():
            cols = [self.w[k] for k in ks]
            if stage2:
                if sum(ub_of[k] for k in ks) > limit[c]:
                    a.row(cols, [1.0] * len(cols), -inf, limit[c])
            elif sum(ub_of[k] for k in ks) > a.lo[self.t[c]]:  # else the row cannot bind
                a.row(cols + [self.t[c]], [1.0] * len(cols) + [-1.0], -inf, 0.0)

        # moves between communes
        self.m: dict[tuple[str, str], int] = {}
        prev_m = start["m"] if start else {}
        for mv in block.movers:
            self.m[mv] = a.col(s.move_cost if stage2 else 0.0, 0.0, 1.0, prev_m.get(mv, 0.0),
                               integer=True)
        arrivals: dict = defaultdict(list)
        for (p, c), j in self.m.items():
            arrivals[c].append(j)
            for k in by_pc[p, c]:
                a.row([self.w[k], j], [1.0, -ub_of[k]], -inf, 0.0)
        for p, mvs in movers_of.items():
            js = [self.m[mv] for mv in mvs]
            a.row(js, [1.0] * len(js), -inf, 1.0)
            for k in by_pc[p, d.home[p]]:
                a.row([self.w[k]] + js, [1.0] + [ub_of[k]] * len(js), -inf, ub_of[k])
        for js in arrivals.values():
            if len(js) > s.max_arrivals_per_commune:
                a.row(js, [1.0] * len(js), -inf, s.max_arrivals_per_commune)

        # changed portfolios z_p and the cap
        self.z: dict[str, int] = {}
        prev_z = start["z"] if start else {}
        for p in people:
            if p not in changeable:
                continue
            c = d.home[p]
            home_ks = by_pc[p, c]
            l0 = d.load0[p]
            changed_now = any(abs(a.start[self.w[k]] - d.w0.get((p, k[2]), 0.0)) > 1e-9
                              for k in home_ks) or any(prev_m.get(mv, 0) > 0.5
                                                       for mv in movers_of[p])
            if stage2:
                must = l0 > limit[c]  # today's load is above the peak held: must change
            else:
                # The commune's most loaded person: if they keep their portfolio the peak stays
                # where it is, which the case z = 1 with w = w0 also gives — so z = 1 loses
                # nothing (a free branching step, valid for the bound too).
                must = (cap[c] is not None and cap[c] >= 1
                        and l0 >= peak0[c] - 1e-12 and l0 > a.lo[self.t[c]] + TOL)
            self.z[p] = a.col(mu if stage2 else 0.0, 1.0 if must else 0.0, 1.0,
                              1.0 if (changed_now or must or prev_z.get(p, 0) > 0.5) else 0.0,
                              integer=True)
            zj = self.z[p]
            for k in home_ks:
                w_old = d.w0.get((p, k[2]), 0.0)
                if w_old > 0:
                    a.row([self.w[k], zj], [1.0, w_old], w_old, inf)
                if ub_of[k] - w_old > 1e-9:
                    a.row([self.w[k], zj], [1.0, -(ub_of[k] - w_old)], -inf, w_old)
            top = min(ceiling[p], limit[c])
            a.row([self.w[k] for k in home_ks] + [zj], [1.0] * len(home_ks) + [-(top - l0)],
                  -inf, l0)
            floor = a.lo[self.t[c]] if not stage2 else 0.0
            if not stage2 and l0 > floor:
                # a kept portfolio keeps today's load: t_c ≥ L0·(1 − z) + floor·z
                a.row([self.t[c], zj], [1.0, l0 - floor], l0, inf)
            for mv in movers_of[p]:
                a.row([self.m[mv], zj], [1.0, -1.0], -inf, 0.0)
        for c in block.communes:
            k_c = cap[c]
            js = [self.z[p] for p in d.members.get(c, []) if p in self.z]
            if k_c is not None and len(js) > k_c:
                a.row(js, [1.0] * len(js), -inf, float(k_c))
        # the load ceiling, where the z link does not already impose it
        for p in people:
            if p in self.z and not movers_of[p]:
                continue
            ks = by_p[p]
            if sum(ub_of[k] for k in ks) > ceiling[p] + TOL:
                a.row([self.w[k] for k in ks], [1.0] * len(ks), -inf, ceiling[p])

        if stage2:
            # excess e_p ≥ L_p − τ, and |w − w0| at home as the tie-break
            self.e: dict[str, int] = {}
            for p in people:
                ks = by_p[p]
                if sum(ub_of[k] for k in ks) <= tau:
                    continue
                x0 = max(0.0, load_start(p) - tau)
                self.e[p] = j = a.col(1.0, 0.0, inf, x0)
                a.row([self.w[k] for k in ks] + [j], [1.0] * len(ks) + [-1.0], -inf, tau)
                l0 = d.load0[p]
                if p in self.z and l0 > tau:
                    a.row([j, self.z[p]], [1.0, l0 - tau], l0 - tau, inf)  # e ≥ (L0−τ)(1−z)
                if p in self.z and l0 < tau:
                    # what a changed person takes on up to the target costs the whole z_p;
                    # beyond it, it is excess: L ≤ L0 + (τ − L0)·z + e
                    a.row([self.w[k] for k in ks] + [self.z[p], j],
                          [1.0] * len(ks) + [-(tau - l0), -1.0], -inf, l0)
            # |w − w0| at home: the tie-break of the LP without a cap; with a cap it is left to
            # the polish (an LP with the changed people fixed), which keeps the MILP small
            self.d: dict[tuple[str, str, str], int] = {}
            if mu > 0 and (not self.z or polish):
                for k, wj in self.w.items():
                    p, c, f = k
                    if c != d.home[p] or p in d.fixed:
                        continue
                    w_old = d.w0.get((p, f), 0.0)
                    dj = a.col(mu, 0.0, inf, abs(a.start[wj] - w_old))
                    self.d[k] = dj
                    a.row([dj, wj], [1.0, -1.0], -w_old, inf)
                    a.row([dj, wj], [1.0, 1.0], w_old, inf)
        else:
            self.e = {}
            self.d = {}

    def values(self, x: np.ndarray) -> dict:
        return {"w": {k: float(x[j]) for k, j in self.w.items()},
                "m": {k: float(x[j]) for k, j in self.m.items()},
                "z": {k: float(x[j]) for k, j in self.z.items()},
                "t": {c: float(x[j]) for c, j in self.t.items()}}


def _prepare(before: LoadState, req: dict[tuple[str, str], float]) -> _Data:
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
    return _Data(req=req, n_qualified=n_qualified, w0=w0, load0=load0, home=home,
                 members=dict(members), fixed=fixed)


def _blocks(before: LoadState, req: dict, territories: pd.DataFrame | None,
            s: RebalanceSettings, internal_peaks: dict[str, float] | None) -> list[_Block]:
    elig = before.eligible
    pairs_by_c: dict = defaultdict(list)
    for p, c, f in zip(elig["staff_id"], elig["territory_id"], elig["field"], strict=True):
        if (c, f) in req:
            pairs_by_c[c].append((p, c, f))
    communes = sorted(set(before.people["territory_id"]) | {c for c, _ in req})
    parent = {c: c for c in communes}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    movers: list[tuple[str, str]] = []
    extra_pairs: list[tuple[str, str, str]] = []
    if (s.max_arrivals_per_commune > 0 and s.max_move_km > 0 and territories is not None
            and internal_peaks):
        terr = territories.set_index("territory_id")
        hot = [c for c, t in internal_peaks.items()
               if t > s.target_load + TOL and c in terr.index]
        active: dict = defaultdict(set)
        for c, f in req:
            active[c].add(f)
        qual = dict(zip(before.people["staff_id"],
                        before.people["qualified_fields"].map(lambda v: set(v.split(";"))),
                        strict=True))
        # Candidate movers (keeps the MILP small): people underloaded today, into a commune
        # where a field they are qualified for is overloaded or uncovered today.
        spare = set(before.people.loc[before.people["status"] == "under", "staff_id"])
        cf = before.commune_field
        short_fields: dict = defaultdict(set)
        for c, f in cf.loc[cf["status"].isin(["over", "uncovered"]), ["territory_id",
                                                                       "field"]].to_numpy():
            short_fields[c].add(f)
        staff_of = before.people.groupby("territory_id")["staff_id"].agg(list).to_dict()
        for dest in hot:
            lat, lon = terr.at[dest, "lat"], terr.at[dest, "lon"]
            for origin in communes:
                if origin == dest or origin not in terr.index:
                    continue
                dist = float(haversine_km(lat, lon, terr.at[origin, "lat"], terr.at[origin,
                                                                                     "lon"]))
                if dist > s.max_move_km:
                    continue
                linked = False
                for p in staff_of.get(origin, []):
                    fs = sorted(qual.get(p, set()) & active[dest])
                    if p in spare and qual.get(p, set()) & short_fields[dest] and fs:
                        movers.append((p, dest))
                        extra_pairs.extend((p, dest, f) for f in fs)
                        linked = True
                if linked:
                    parent[root(origin)] = root(dest)
    groups: dict = defaultdict(list)
    for c in communes:
        groups[root(c)].append(c)
    blocks = []
    for members in groups.values():
        ms = set(members)
        pairs = [k for c in members for k in pairs_by_c.get(c, [])]
        pairs += [k for k in extra_pairs if k[1] in ms]
        mv = [k for k in movers if k[1] in ms]
        if pairs:
            blocks.append(_Block(sorted(members), pairs, mv))
    return blocks


def _polish(block: _Block, d: _Data, s: RebalanceSettings, peaks: dict, found: dict
            ) -> tuple[SolveResult, dict] | None:
    """With the changed (and moved) people of the stage-2 answer fixed and its total excess
    held, the smallest total change Σ|w − w0| (an LP)."""
    model = _Model(block, d, s, peaks, found, polish=True)
    a = model.arrays
    excess = sum(max(0.0, sum(found["w"][k] for k in block.pairs if k[0] == p)
                     - s.target_load) for p in model.e)
    cols = list(model.e.values())
    a.row(cols, [1.0] * len(cols), -math.inf, excess + 1e-9 * max(1.0, excess))
    for p, j in model.z.items():
        a.lo[j] = a.hi[j] = float(round(found["z"][p]))
    for mv, j in model.m.items():
        a.lo[j] = a.hi[j] = float(round(found["m"][mv]))
    lp = a.model()
    lp = ArrayModel(lp.cost, lp.a, lp.row_lower, lp.row_upper, lp.col_lower, lp.col_upper,
                    np.zeros(lp.n_cols, dtype=bool))
    res, x = solve_arrays(lp, solver=s.solver, time_limit=s.time_limit, gap_rel=s.gap_rel,
                          seed=s.seed)
    if not res.is_ok or x is None:
        return None
    return res, model.values(x)


def _solve_one(block: _Block, d: _Data, s: RebalanceSettings, peaks: dict | None,
               start: dict | None) -> tuple[SolveResult, dict]:
    model = _Model(block, d, s, peaks, start)
    arrays = model.arrays
    res, x = solve_arrays(arrays.model(), solver=s.solver, time_limit=s.time_limit,
                          gap_rel=s.gap_rel, seed=s.seed, start=np.array(arrays.start),
                          small_mip=True)
    if res.is_ok and x is not None and peaks is not None and model.z and \
            s.tiebreak_weight > 0:
        polished = _polish(block, d, s, peaks, model.values(x))
        if polished is not None:
            extra, values = polished
            res = dataclasses.replace(res, seconds=round(res.seconds + extra.seconds, 6),
                                      message=f"{res.message}; polished by an LP")
            return res, values
    if not res.is_ok or x is None:
        raise ModelError(Problem(
            file="workload model", column=",".join(block.communes[:3]),
            message=f"the rebalancing model of commune(s) {', '.join(block.communes[:3])} "
            f"came back {res.status} ({res.message}) in stage {model.stage}; keeping every "
            "portfolio is always feasible, so only a time limit can cause this",
            fix="raise constants.workload.time_limit, or lower max_changed_per_commune"))
    return res, model.values(x)


def _solve_blocks(blocks: list[_Block], d: _Data, s: RebalanceSettings,
                  peaks: dict | None, starts: dict | None = None
                  ) -> tuple[list[SolveResult], dict[int, dict]]:
    """Solve the independent blocks, ``parallel_blocks`` at a time (HiGHS releases the
    interpreter while it solves, so threads run blocks side by side). Each block is solved
    alone and deterministically, so the answer does not depend on how many run at once."""

    def one(i: int) -> tuple[SolveResult, dict]:
        return _solve_one(blocks[i], d, s, peaks, None if starts is None else starts.get(i))

    workers = s.parallel_blocks or (os.cpu_count() or 1)
    if workers <= 1 or len(blocks) <= 1:
        out = [one(i) for i in range(len(blocks))]
    else:
        with ThreadPoolExecutor(max_workers=min(workers, len(blocks))) as pool:
            out = list(pool.map(one, range(len(blocks))))
    return [r for r, _ in out], {i: v for i, (_, v) in enumerate(out)}


def check_settings(s: RebalanceSettings) -> None:
    """Every out-of-range setting named with the scenario key that sets it."""
    problems = []

    def bad(key: str, message: str, fix: str) -> None:
        problems.append(Problem(file="scenario", column=f"levers.workload.{key}",
                                message=message, fix=fix))

    if not s.target_load > 0:
        bad("target_load", f"target load {s.target_load} is not positive", "e.g. target_load = 1.0")
    if s.max_changed_per_commune is not None and s.max_changed_per_commune < 0:
        bad("max_changed_per_commune", "cap is negative", "write 0 or more, or -1 for none")
    if not s.load_ceiling > 0:
        bad("load_ceiling", f"load ceiling {s.load_ceiling} is not positive",
            "e.g. load_ceiling = 1.2 (the overload threshold)")
    if not 0 < s.max_field_share <= 1:
        bad("max_field_share", f"share {s.max_field_share} is not in (0, 1]",
            "e.g. max_field_share = 1.0 (no limit)")
    if problems:
        raise ModelError(problems)


def rebalance(before: LoadState, required: pd.DataFrame, settings: RebalanceSettings, *,
              over: float, under: float,
              territories: pd.DataFrame | None = None) -> RebalanceResult:
    """Minimise every commune's peak load above target, then the total excess, within the caps;
    report what stays short."""
    s = settings
    check_settings(s)
    rq = required.loc[required["required_fte"] > 0]
    req_all = {(c, f): float(r) for c, f, r in zip(rq["territory_id"], rq["field"],
                                                   rq["required_fte"], strict=True)}
    # A field counts as covered when someone qualified gives it time today (an explicit
    # time-shares table may leave a qualified person at 0): then keeping every portfolio
    # carries its work in full, and the model is feasible by construction.
    cf = before.commune_field
    carried = set(zip(cf.loc[cf["actual_fte"] > 0, "territory_id"],
                      cf.loc[cf["actual_fte"] > 0, "field"], strict=True))
    covered = carried & set(zip(before.eligible["territory_id"], before.eligible["field"],
                                strict=True))
    req = {k: v for k, v in req_all.items() if k in covered}
    d = _prepare(before, req)

    # Without moves every commune is its own block; with moves, first the internal optimum
    # (it decides which communes may receive people), then the linked blocks.
    internal = (s if s.max_arrivals_per_commune == 0
                else dataclasses.replace(s, max_arrivals_per_commune=0))
    blocks = _blocks(before, req, None, internal, None)
    r1, v1 = _solve_blocks(blocks, d, internal, None)
    peaks = {c: t for v in v1.values() for c, t in v["t"].items()}
    if s.max_arrivals_per_commune > 0:
        blocks = _blocks(before, req, territories, s, peaks)
        r1, v1 = _solve_blocks(blocks, d, s, None)
        peaks = {c: t for v in v1.values() for c, t in v["t"].items()}
    r2, v2 = _solve_blocks(blocks, d, s, peaks, v1)
    work = {k: w for v in v2.values() for k, w in v["w"].items() if w > 1e-9}
    moved = {k for v in v2.values() for k, m in v["m"].items() if m > 0.5}
    return _assemble(before, required, work, moved, d, s, over, under, territories,
                     _aggregate(r1, s.solver, s.seed), _aggregate(r2, s.solver, s.seed),
                     len(blocks), req_all, covered)


def _assemble(before: LoadState, required: pd.DataFrame, work: dict, moved: set, d: _Data,
              s: RebalanceSettings, over: float, under: float,
              territories: pd.DataFrame | None, peak_res: SolveResult, excess_res: SolveResult,
              n_blocks: int, req_all: dict, covered: set) -> RebalanceResult:
    home = d.home
    people = before.people.copy()
    dest = {p: c for (p, c) in moved}
    people["from_territory_id"] = people["territory_id"]
    people["territory_id"] = pd.Series([dest.get(p, home[p]) for p in people["staff_id"]],
                                       index=people.index, dtype=str)
    pf = frames.frame([(p, c, f, 0.0, w) for (p, c, f), w in work.items()], frames.PORTFOLIO)
    load = pf.groupby("staff_id")["work_fte"].sum()
    pf["time_share"] = (pf["work_fte"] / pf["staff_id"].map(load)).astype("float64")
    # People with no work at all keep their time shares (nothing to carry either way).
    idle = before.portfolio[~before.portfolio["staff_id"].isin(set(load.index))]
    pf = frames.concat([pf, idle.assign(work_fte=0.0)], frames.PORTFOLIO)
    people["qualified"] = people["qualified_fields"].map(lambda v: v.split(";"))
    people = people.drop(columns=["qualified_fields", "n_qualified_fields", "n_fields_worked",
                                  "load_ratio", "status"])
    after = summarise(people, pf, required, before.eligible, before.n_unplaced, over, under)

    # What changed, person by person and field by field.
    old = {(p, f): (w, t) for p, f, w, t in zip(
        before.portfolio["staff_id"], before.portfolio["field"], before.portfolio["work_fte"],
        before.portfolio["time_share"], strict=True)}
    new = {(p, f): (w, t, c) for p, f, w, t, c in zip(
        pf["staff_id"], pf["field"], pf["work_fte"], pf["time_share"], pf["territory_id"],
        strict=True)}
    keys = set(old) | set(new)
    changed_people = {p for p, f in keys
                      if abs(new.get((p, f), (0.0,))[0] - old.get((p, f), (0.0,))[0]) > 1e-6}
    changed_people |= set(dest)
    rows = []
    for p, f in sorted(keys):
        if p not in changed_people:
            continue
        wb, tb = old.get((p, f), (0.0, 0.0))
        wa, ta, c = new.get((p, f), (0.0, 0.0, home[p]))
        rows.append((p, c, p in dest, f, wb, wa, tb, ta))
    changes = frames.frame(rows, frames.CHANGES).sort_values(
        ["territory_id", "staff_id", "field"], kind="stable").reset_index(drop=True)

    mv_rows = []
    terr = territories.set_index("territory_id") if territories is not None else None
    for p, c in sorted(dest.items()):
        o = home[p]
        dist = (float(haversine_km(terr.at[o, "lat"], terr.at[o, "lon"], terr.at[c, "lat"],
                                   terr.at[c, "lon"])) if terr is not None else math.nan)
        mv_rows.append((p, o, c, round(dist, 2)))
    moves = frames.frame(mv_rows, frames.MOVES)

    # Residual shortage: excess above target, attributed to fields by portfolio; plus uncovered.
    excess = (after.people.set_index("staff_id")["load_ratio"] - s.target_load).clip(lower=0)
    short = pf[pf["staff_id"].isin(set(excess.index[excess > 1e-9]))].copy()
    short["shortage_fte"] = (short["time_share"] * short["staff_id"].map(excess)
                             / s.target_load).astype("float64")
    short = short.groupby(["territory_id", "field"], as_index=False)["shortage_fte"].sum()
    short["reason"] = "overload_after_rebalance"
    unc = frames.frame([(c, f, r / s.target_load, "uncovered") for (c, f), r in req_all.items()
                        if (c, f) not in covered], frames.SHORTAGE)
    short = frames.concat([short, unc], frames.SHORTAGE)
    short = short[short["shortage_fte"] > 1e-9].sort_values(["territory_id", "field"],
                                                            kind="stable")
    short = short.reset_index(drop=True)

    communes = sorted(set(before.people["territory_id"]) | set(after.people["territory_id"]))
    b_load = before.people.groupby("territory_id")["load_ratio"]
    a_load = after.people.groupby("territory_id")["load_ratio"]
    b_n, b_max, b_mean = b_load.size(), b_load.max(), b_load.mean()
    a_max, a_mean = a_load.max(), a_load.mean()
    n_ch: dict[str, int] = defaultdict(int)
    for p in changed_people:
        n_ch[home[p]] += 1
    sh = short.groupby("territory_id")["shortage_fte"].sum()
    per = frames.frame([
        (c, int(b_n.get(c, 0)), float(b_max.get(c, math.nan)), float(b_mean.get(c, math.nan)),
         float(a_max.get(c, math.nan)), float(a_mean.get(c, math.nan)), n_ch.get(c, 0),
         cap_of(int(b_n.get(c, 0)), s), float(sh.get(c, 0.0))) for c in communes],
        frames.PER_COMMUNE)
    return RebalanceResult(before=before, after=after, changes=changes, moves=moves,
                           shortage=short, per_commune=per, peak=peak_res, excess=excess_res,
                           n_blocks=n_blocks)

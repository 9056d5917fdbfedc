"""The rebalancing model of one block of communes, as arrays for HiGHS.

Notation (see :mod:`khcadre_sim.workload.rebalance` for the problem in words): ``p`` a person,
``c`` a commune, ``f`` a field; ``R[c,f]`` the required FTE of a covered field; ``w[p,c,f]`` the
FTE of ``(c, f)``'s work that ``p`` carries, ``w0`` today's, ``L[p] = Σ w[p,·,·]`` the load and
``L0`` today's; ``τ`` the target load, ``μ`` the tie-break weight, ``k_c`` the cap on changed
portfolios of commune ``c``; ``u[p,c,f]`` the upper bound of ``w[p,c,f]`` and ``T[p]`` the most
``p`` may carry (:meth:`BlockModel._upper_bound`).

Columns: ``w`` (portfolios), ``t_c`` (stage-1 peaks), ``m[p,c]`` (binary: ``p`` moves to ``c``),
``z_p`` (binary: ``p``'s portfolio changes), ``e_p`` (stage-2 excess) and ``d[p,c,f]``
(``|w − w0|``, the tie-break). Each builder of :class:`BlockModel` appends its columns and rows,
in a fixed order, so the same block always gives the same arrays.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import scipy.sparse as sp

from ..solve import ArrayModel

if TYPE_CHECKING:
    from .rebalance import RebalanceSettings

TOL = 1e-7
HOLD = 1e-6  # slack on the stage-1 peaks held in stage 2 (solver tolerance)
CEILING_MARGIN = 1e-6  # the load ceiling is imposed this much lower (solver tolerance)
INF = math.inf


class Pair(NamedTuple):
    """A portfolio column: ``person`` may carry work of ``field`` in ``commune``."""

    person: str
    commune: str  # where the work is (the person's home commune, or where they would move)
    field: str


class Move(NamedTuple):
    """A candidate move of ``person`` to the commune ``dest``."""

    person: str
    dest: str


@dataclass
class Block:
    """Communes solved together (linked by candidate moves), with their columns."""

    communes: list[str]
    pairs: list[Pair]
    movers: list[Move]


@dataclass
class Data:
    """What every block model reads, prepared once from the load today."""

    req: dict[tuple[str, str], float]  # (commune, field) → required FTE, covered fields only
    n_qualified: dict[tuple[str, str], int]  # (commune, field) → people qualified
    w0: dict[tuple[str, str], float]  # (person, field) → work carried today (home commune)
    load0: dict[str, float]
    home: dict[str, str]
    members: dict[str, list[str]]  # commune → people placed there
    fixed: set[str]  # people who are the only one qualified for every field they work in


@dataclass
class Values:
    """A solution of a block model (also the start of the next one)."""

    w: dict[Pair, float] = field(default_factory=dict)
    m: dict[Move, float] = field(default_factory=dict)
    z: dict[str, float] = field(default_factory=dict)
    t: dict[str, float] = field(default_factory=dict)


@dataclass
class Arrays:
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

    def start_vector(self) -> np.ndarray:
        return np.array(self.start)

    def model(self, integer: bool = True) -> ArrayModel:
        """The arrays (``integer=False``: the LP relaxation, every column continuous), every
        number rounded to :data:`DIGITS` significant digits (see :func:`canonical`)."""
        a = sp.csc_matrix((canonical(self.val), (self.ri, self.ci)),
                          shape=(len(self.r_lo), len(self.cost)))
        kinds = np.array(self.integer) if integer else np.zeros(len(self.cost), dtype=bool)
        return ArrayModel(cost=canonical(self.cost), a=a, row_lower=canonical(self.r_lo),
                          row_upper=canonical(self.r_hi), col_lower=canonical(self.lo),
                          col_upper=canonical(self.hi), integer=kinds)


DIGITS = 9


def canonical(values: list[float] | np.ndarray) -> np.ndarray:
    """``values`` rounded to :data:`DIGITS` significant digits (±inf and 0 kept).

    Why: the rebalancing MILP has many equally good answers, and the solver's choice among them
    follows the last bits of its coefficients. Sums made by different pandas/numpy releases
    differ in those bits (1e-15), so the same data gave different — equally optimal — portfolios
    on different installations. Rounded coefficients are the same everywhere; 1e-9 relative is
    far below the solver's tolerances (1e-6), so the model's meaning does not change.
    """
    x = np.asarray(values, dtype=float)
    out = x.copy()
    ok = np.isfinite(x) & (x != 0)
    if ok.any():
        scale = 10.0 ** (DIGITS - 1 - np.floor(np.log10(np.abs(x[ok]))))
        out[ok] = np.round(x[ok] * scale) / scale
    return out


class BlockModel:
    """Stage 1 (``peaks`` None) or stage 2 model of one block, as arrays.

    Built in this order (each step its own method): portfolio columns and cover rows, peak
    rows, moves, the change cap (``z`` links and valid inequalities), the load ceiling, and in
    stage 2 the excess and the tie-break. ``start`` (a previous solution) gives the start
    values; ``polish`` adds the ``|w − w0|`` tie-break to a capped stage 2 (see
    :func:`khcadre_sim.workload.rebalance._polish`).
    """

    def __init__(self, block: Block, data: Data, s: RebalanceSettings,
                 peaks: dict[str, float] | None, start: Values | None = None,
                 polish: bool = False) -> None:
        self.block, self.data, self.s = block, data, s
        self.peaks = peaks
        self.stage2 = peaks is not None
        self.stage = 2 if self.stage2 else 1
        self.start = start if start is not None else Values()
        self.polish = polish
        self.arrays = Arrays()
        self.w: dict[Pair, int] = {}
        self.t: dict[str, int] = {}
        self.m: dict[Move, int] = {}
        self.z: dict[str, int] = {}
        self.e: dict[str, int] = {}
        self.dev: dict[Pair, int] = {}
        self._limits()
        self._portfolio()
        self._peaks()
        self._moves()
        self._change_cap()
        self._load_ceiling()
        if self.stage2:
            self._excess()
            self._tiebreak()

    # ---------------------------------------------------------------------- what bounds what

    def _limits(self) -> None:
        """Per person and commune quantities every builder reads.

        * ``ceiling[p] = max(load_ceiling − margin, L0[p])`` — nobody is pushed above the
          ceiling, nobody already above it is given more (the margin keeps solver tolerances
          from tipping anyone into "over");
        * ``peak0[c] = max_p∈c L0[p]``, today's peak; ``cap[c] = min(k, |c|)`` or None;
        * ``limit[c]``, the most anyone may carry in ``c``: ``max(peak0[c], τ)`` in stage 1
          (the peak never rises), the stage-1 peak held (+ ``HOLD``) in stage 2;
        * ``changeable``: people of a capped commune who are not fixed (only they get a ``z``).
        """
        d, s, block = self.data, self.s, self.block
        self.people = sorted({k.person for k in block.pairs})
        self.ceiling = {p: max(s.load_ceiling - CEILING_MARGIN, d.load0[p]) for p in self.people}
        self.movers_of: dict[str, list[Move]] = defaultdict(list)
        for mv in block.movers:
            self.movers_of[mv.person].append(mv)
        self.peak0 = {c: max([d.load0[p] for p in d.members.get(c, [])] or [0.0])
                      for c in block.communes}
        self.cap = {c: s.changed_cap(len(d.members.get(c, []))) for c in block.communes}
        self.changeable = {p for p in self.people
                           if self.cap[d.home[p]] is not None and p not in d.fixed}
        self.limit = {c: (self.peaks[c] + HOLD if self.peaks is not None
                          else max(self.peak0[c], s.target_load)) for c in block.communes}

    def _w_old(self, k: Pair) -> float:
        """``w0`` of a pair: today's work where the person is placed, nothing elsewhere."""
        d = self.data
        return d.w0.get((k.person, k.field), 0.0) if d.home[k.person] == k.commune else 0.0

    def _upper_bound(self, k: Pair) -> float:
        """``u[p,c,f]``, the most ``p`` may carry of ``(c, f)``'s work:

        ``u = min(R[c,f], ceiling[p], max(limit[c], w0))``, and where two or more people of
        ``c`` are qualified for ``f`` and ``max_field_share = σ < 1``, ``R[c,f]`` is replaced
        by ``max(w0, σ·R[c,f])`` (the field share: what someone carries today may stay). A fixed
        person keeps ``w = w0``."""
        d, s = self.data, self.s
        p, c, f = k
        r = d.req[c, f]
        w_old = self._w_old(k)
        if p in d.fixed:
            return w_old
        ub = r
        if s.max_field_share < 1 and d.n_qualified.get((c, f), 0) > 1:
            ub = max(w_old, s.max_field_share * r)
        return min(ub, self.ceiling[p], max(self.limit[c], w_old))

    # ------------------------------------------------------------------------------- builders

    def _portfolio(self) -> None:
        """Portfolio columns ``w[p,c,f] ∈ [lo, u]`` (``lo = w0`` for a fixed person, else 0),
        started at the previous solution (else ``w0``), and the cover rows
        ``Σ_p w[p,c,f] = R[c,f]`` for every covered field of the block."""
        a, d = self.arrays, self.data
        self.ub: dict[Pair, float] = {}
        for k in self.block.pairs:
            w_old = self._w_old(k)
            ub = self.ub[k] = self._upper_bound(k)
            lo = w_old if k.person in d.fixed else 0.0
            x0 = self.start.w.get(k, w_old)
            self.w[k] = a.col(0.0, lo, ub, min(max(x0, lo), ub))
        by_cf: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.by_pc: dict[tuple[str, str], list[Pair]] = defaultdict(list)
        self.by_p: dict[str, list[Pair]] = defaultdict(list)
        for k, j in self.w.items():
            by_cf[k.commune, k.field].append(j)
            self.by_pc[k.person, k.commune].append(k)
            self.by_p[k.person].append(k)
        for (c, f), cols in by_cf.items():
            a.row(cols, [1.0] * len(cols), d.req[c, f], d.req[c, f])

    def _peak_floor(self, c: str) -> float:
        """The lower bound of ``t_c``: ``τ``; the load of every fixed member (they cannot
        change); and with a cap ``k_c`` below the commune's size, the (k+1)-th largest load
        today (of the k + 1 most loaded people one at least keeps their portfolio)."""
        d = self.data
        members = d.members.get(c, [])
        floor = max([self.s.target_load] + [d.load0[p] for p in members if p in d.fixed])
        k_c = self.cap[c]
        if k_c is not None and k_c < len(members):
            floor = max(floor, sorted((d.load0[p] for p in members), reverse=True)[k_c])
        return floor

    def _peaks(self) -> None:
        """Stage 1: columns ``t_c ∈ [floor_c, max(peak0[c], floor_c)]`` (± ``TOL``) of cost 1
        — the objective ``min Σ_c t_c`` — and ``Σ_f w[p,c,f] ≤ t_c`` for everyone working in
        ``c``. Stage 2: the held peaks as ``Σ_f w[p,c,f] ≤ limit[c]``. A row whose bounds
        already hold (``Σ u ≤`` its right-hand side) is left out."""
        a = self.arrays
        if not self.stage2:
            for c in self.block.communes:
                floor = self._peak_floor(c)
                top = max(self.peak0[c], floor)
                self.t[c] = a.col(1.0, floor - TOL, top + TOL, top + TOL)
        for (_p, c), ks in self.by_pc.items():
            cols = [self.w[k] for k in ks]
            most = sum(self.ub[k] for k in ks)
            if self.stage2:
                if most > self.limit[c]:
                    a.row(cols, [1.0] * len(cols), -INF, self.limit[c])
            elif most > a.lo[self.t[c]]:
                a.row(cols + [self.t[c]], [1.0] * len(cols) + [-1.0], -INF, 0.0)

    def _moves(self) -> None:
        """Binary ``m[p,c]`` (cost ``move_cost`` in stage 2) with

        * work only where one moves: ``w[p,c,f] ≤ u[p,c,f]·m[p,c]``;
        * at most one destination: ``Σ_c m[p,c] ≤ 1``;
        * nothing at home after a move: ``w[p,home,f] + u[p,home,f]·Σ_c m[p,c] ≤ u[p,home,f]``;
        * at most ``max_arrivals_per_commune`` arrivals into any commune."""
        a, s = self.arrays, self.s
        for mv in self.block.movers:
            self.m[mv] = a.col(s.move_cost if self.stage2 else 0.0, 0.0, 1.0,
                               self.start.m.get(mv, 0.0), integer=True)
        arrivals: dict[str, list[int]] = defaultdict(list)
        for mv, j in self.m.items():
            arrivals[mv.dest].append(j)
            for k in self.by_pc.get((mv.person, mv.dest), []):
                a.row([self.w[k], j], [1.0, -self.ub[k]], -INF, 0.0)
        for p, mvs in self.movers_of.items():
            js = [self.m[mv] for mv in mvs]
            a.row(js, [1.0] * len(js), -INF, 1.0)
            for k in self.by_pc.get((p, self.data.home[p]), []):
                a.row([self.w[k]] + js, [1.0] + [self.ub[k]] * len(js), -INF, self.ub[k])
        for js in arrivals.values():
            if len(js) > s.max_arrivals_per_commune:
                a.row(js, [1.0] * len(js), -INF, s.max_arrivals_per_commune)

    def _must_change(self, p: str, l0: float) -> bool:
        """People whose ``z_p`` is fixed at 1. Stage 1: the commune's most loaded person (if
        they keep their portfolio the peak stays where it is, which ``z = 1`` with ``w = w0``
        also gives — so ``z = 1`` loses nothing: a free branching step, valid for the bound
        too), when a cap allows a change and their load is above the peak's floor. Stage 2:
        everyone whose load today is above the peak held."""
        c = self.data.home[p]
        if self.stage2:
            return l0 > self.limit[c]
        cap = self.cap[c]
        return (cap is not None and cap >= 1 and l0 >= self.peak0[c] - 1e-12
                and l0 > self.arrays.lo[self.t[c]] + TOL)

    def _change_cap(self) -> None:
        """Binary ``z_p`` for every changeable person (:meth:`_link`) and the cap
        ``Σ_{p∈c} z_p ≤ k_c`` where a commune has more changeable people than ``k_c``."""
        for p in self.people:
            if p in self.changeable:
                self._link(p)
        for c in self.block.communes:
            k_c = self.cap[c]
            js = [self.z[p] for p in self.data.members.get(c, []) if p in self.z]
            if k_c is not None and len(js) > k_c:
                self.arrays.row(js, [1.0] * len(js), -INF, float(k_c))

    def _link(self, p: str) -> None:
        """``z_p`` (cost ``μ`` in stage 2) with ``z = 0 ⇔ w = w0``, written as the convex hull
        of the person's two cases: per field ``w0·(1 − z) ≤ w ≤ w0 + (u − w0)·z``; per person
        ``L ≤ L0 + (T − L0)·z`` with ``T = min(ceiling[p], limit[c])``. Valid inequalities: a
        kept portfolio keeps today's load, so (stage 1) ``t_c ≥ L0·(1 − z) + t_min·z``
        (``t_min`` the lower bound of ``t_c``); a mover has changed, ``m[p,c] ≤ z_p``. ``z``
        starts at 1 where the start changes the portfolio or moves the person, or the previous
        solution had it at 1."""
        a, d = self.arrays, self.data
        c = d.home[p]
        home_ks = self.by_pc.get((p, c), [])
        l0 = d.load0[p]
        movers = self.movers_of.get(p, [])
        changed_now = any(abs(a.start[self.w[k]] - d.w0.get((p, k.field), 0.0)) > 1e-9
                          for k in home_ks) or any(self.start.m.get(mv, 0) > 0.5
                                                   for mv in movers)
        must = self._must_change(p, l0)
        zj = self.z[p] = a.col(
            self.s.tiebreak_weight if self.stage2 else 0.0, 1.0 if must else 0.0, 1.0,
            1.0 if (changed_now or must or self.start.z.get(p, 0) > 0.5) else 0.0,
            integer=True)
        for k in home_ks:
            w_old = d.w0.get((p, k.field), 0.0)
            if w_old > 0:
                a.row([self.w[k], zj], [1.0, w_old], w_old, INF)
            if self.ub[k] - w_old > 1e-9:
                a.row([self.w[k], zj], [1.0, -(self.ub[k] - w_old)], -INF, w_old)
        top = min(self.ceiling[p], self.limit[c])
        a.row([self.w[k] for k in home_ks] + [zj], [1.0] * len(home_ks) + [-(top - l0)],
              -INF, l0)
        if not self.stage2:
            floor = a.lo[self.t[c]]
            if l0 > floor:
                a.row([self.t[c], zj], [1.0, l0 - floor], l0, INF)
        for mv in movers:
            a.row([self.m[mv], zj], [1.0, -1.0], -INF, 0.0)

    def _load_ceiling(self) -> None:
        """``L[p] ≤ ceiling[p]`` over every commune ``p`` may work in, where the ``z`` link does
        not already impose it (a person with ``z`` and no move) and the bounds allow more
        (``Σ u > ceiling + TOL``). The field share is in the bounds ``u``."""
        a = self.arrays
        for p in self.people:
            if p in self.z and not self.movers_of.get(p):
                continue
            ks = self.by_p[p]
            if sum(self.ub[k] for k in ks) > self.ceiling[p] + TOL:
                a.row([self.w[k] for k in ks], [1.0] * len(ks), -INF, self.ceiling[p])

    def _excess(self) -> None:
        """Stage 2: ``e_p ≥ L[p] − τ``, ``e_p ≥ 0`` of cost 1 — the objective ``Σ_p e_p`` —
        for everyone who can exceed the target (``Σ u > τ``). With a ``z``: a kept portfolio
        keeps today's excess, ``e ≥ (L0 − τ)·(1 − z)`` (``L0 > τ``); and what a changed person
        below the target takes on up to it costs the whole ``z_p``, beyond it is excess:
        ``L ≤ L0 + (τ − L0)·z + e`` (``L0 < τ``)."""
        a, d, tau = self.arrays, self.data, self.s.target_load
        for p in self.people:
            ks = self.by_p[p]
            if sum(self.ub[k] for k in ks) <= tau:
                continue
            x0 = max(0.0, sum(a.start[self.w[k]] for k in ks) - tau)
            self.e[p] = j = a.col(1.0, 0.0, INF, x0)
            a.row([self.w[k] for k in ks] + [j], [1.0] * len(ks) + [-1.0], -INF, tau)
            l0 = d.load0[p]
            if p in self.z and l0 > tau:
                a.row([j, self.z[p]], [1.0, l0 - tau], l0 - tau, INF)
            if p in self.z and l0 < tau:
                a.row([self.w[k] for k in ks] + [self.z[p], j],
                      [1.0] * len(ks) + [-(tau - l0), -1.0], -INF, l0)

    def _tiebreak(self) -> None:
        """``μ·Σ d[p,c,f]`` with ``d ≥ |w − w0|`` over the changeable home pairs: the tie-break
        of the LP without a cap. With a cap it is left to the polish (an LP with the changed
        people fixed), which keeps the MILP small; the MILP's tie-break is ``μ·Σ z``."""
        a, d, mu = self.arrays, self.data, self.s.tiebreak_weight
        if not (mu > 0 and (not self.z or self.polish)):
            return
        for k, wj in self.w.items():
            if k.commune != d.home[k.person] or k.person in d.fixed:
                continue
            w_old = d.w0.get((k.person, k.field), 0.0)
            dj = a.col(mu, 0.0, INF, abs(a.start[wj] - w_old))
            self.dev[k] = dj
            a.row([dj, wj], [1.0, -1.0], -w_old, INF)
            a.row([dj, wj], [1.0, 1.0], w_old, INF)

    # ------------------------------------------------------------------------------- results

    def values(self, x: np.ndarray) -> Values:
        return Values(w={k: float(x[j]) for k, j in self.w.items()},
                      m={k: float(x[j]) for k, j in self.m.items()},
                      z={k: float(x[j]) for k, j in self.z.items()},
                      t={c: float(x[j]) for c, j in self.t.items()})

    def excess_of(self, values: Values) -> float:
        """``Σ_p max(0, L[p] − τ)`` of a solution over the people with an excess column."""
        tau = self.s.target_load
        return sum(max(0.0, sum(values.w[k] for k in self.block.pairs if k.person == p) - tau)
                   for p in self.e)

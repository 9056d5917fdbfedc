"""The placement model: rows (rules) over candidate pairs, and its PuLP form.

Each candidate pair is a 0/1 column. Rows are kept as one sparse matrix over *all* candidate
pairs so that a restricted model is a column slice, and excluded pairs can be priced with the
duals of the restricted LP in one sparse product.

Rows that a rule can make impossible are *elastic*: they get a slack column with a large
penalty, so every restricted model is feasible (pricing needs duals) and a slack left in the
final answer names the rule that cannot be met.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pulp
import scipy.sparse as sp

from .scoring import Candidates
from .settings import PlacementSettings

LE, EQ, GE = -1, 0, 1
GROUP_WORDS = {"young": "young", "female": "female", "minority": "ethnic-minority"}


@dataclass
class Rows:
    """All constraint rows over the candidate pairs, in the direction stated by ``sense``."""

    A: sp.csc_matrix  # rows × pairs
    sense: np.ndarray  # LE, EQ or GE
    rhs: np.ndarray
    rule: np.ndarray  # rule name of each row (object array)
    label: list[str]  # plain-words description of each row
    elastic: np.ndarray  # bool: row gets a penalised slack
    limit: np.ndarray | None = None  # the cap a move-cap row enforces (NaN for other rows)

    @property
    def n_rows(self) -> int:
        return len(self.rhs)


@dataclass(frozen=True)
class FloorGroup:
    """One manager floor: a group of people (young, female, ethnic minority) in one scope.

    ``floor`` is the share of the group the placement must reach among the filled manager
    posts of the scope (``posts``). In mode ``no_fall`` it is today's share among the manager
    posts of the scope held today plus the group's rise (``young_delta`` …); in mode ``fixed``
    the scenario's fixed share.
    """

    group: str  # "young" | "female" | "minority"
    scope: str  # "province" or an area class
    where: str  # plain words: "the province", "rural communes"
    posts: np.ndarray  # bool per post: manager posts of the scope
    member: np.ndarray  # bool per person
    floor: float
    today: float | None  # today's share among manager posts of the scope held today
    filled_today: int  # people holding a manager post of the scope today
    members_today: int
    mode: str

    @property
    def words(self) -> str:
        return GROUP_WORDS[self.group]

    def describe(self) -> str:
        """The floor in plain words, e.g. '16.5% ethnic-minority among managers in the
        province (today's share)'."""
        text = f"{self.floor:.1%} {self.words} among managers in {self.where}"
        if self.mode == "no_fall":
            if self.floor > (self.today or 0.0) + 1e-12:
                return text + (f" (today's share {self.today or 0.0:.1%} + "
                               f"{self.floor - (self.today or 0.0):.1%})")
            return text + " (today's share)"
        return text


def floor_groups(c: Candidates, s: PlacementSettings) -> list[FloorGroup]:
    """Every manager floor (scope × group) of the scenario, with its members and share.

    The one place the floors are defined: the rows (:func:`build_rows`), the data checks
    (``explain.precheck``) and the first restricted set (``optimize.initial_set``) all iterate
    over this list. A floor ≤ 0 cannot bind; callers skip it.
    """
    mf = s.manager_floors
    scopes: list[tuple[str, str, np.ndarray]] = []
    if mf.scope in ("province", "both"):
        scopes.append(("province", "the province", c.is_manager.copy()))
    if mf.scope in ("area_class", "both"):
        for a in sorted(set(c.post_area[c.is_manager])):
            scopes.append((a, f"{a} communes", c.is_manager & (c.post_area == a)))
    holders = c.cur_post >= 0
    held = np.maximum(c.cur_post, 0)
    fixed = {"young": mf.young_share, "female": mf.female_share, "minority": mf.minority_share}
    rise = {"young": mf.young_delta, "female": mf.female_delta, "minority": mf.minority_delta}
    out: list[FloorGroup] = []
    for gname, member in (("young", c.young), ("female", c.female),
                          ("minority", c.minority)):
        for scope, where, posts in scopes:
            in_scope = holders & posts[held]
            n = int(in_scope.sum())
            k = int((in_scope & member).sum())
            today = k / n if n else None
            base = float(fixed[gname]) if mf.mode == "fixed" else (today or 0.0)
            floor = base + (rise[gname] if mf.mode == "no_fall" else 0.0)
            out.append(FloorGroup(gname, scope, where, posts, member, floor, today, n, k,
                                  mf.mode))
    return out


def build_rows(c: Candidates, s: PlacementSettings) -> Rows:
    """Translate the scenario's rules into rows over the candidate pairs."""
    rows_r: list[np.ndarray] = []
    rows_c: list[np.ndarray] = []
    rows_v: list[np.ndarray] = []
    sense: list[int] = []
    rhs: list[float] = []
    rule: list[str] = []
    label: list[str] = []
    elastic: list[bool] = []
    pairs = np.arange(c.n_pairs)
    n_rows = 0
    limits: list[tuple[int, int]] = []  # (row, cap) of the move-cap rows

    def add_block(row_of_pair: np.ndarray, cols: np.ndarray, vals: np.ndarray, k: int,
                  senses: list[int], rhss: list[float], rule_name: str, labels: list[str],
                  is_elastic: list[bool]) -> None:
        nonlocal n_rows
        rows_r.append(row_of_pair + n_rows)
        rows_c.append(cols)
        rows_v.append(vals)
        sense.extend(senses)
        rhs.extend(rhss)
        rule.extend([rule_name] * k)
        label.extend(labels)
        elastic.extend(is_elastic)
        n_rows += k

    # each person at most one post (exactly one when the person must stay or keep a post)
    has_cur = c.cur_post >= 0
    must = c.stayer | (has_cur & s.keep_placed)
    add_block(c.si, pairs, np.ones(c.n_pairs), c.n_staff,
              [EQ if m else LE for m in must], [1.0] * c.n_staff, "assignment",
              [f"person {sid}" for sid in c.staff_ids], [False] * c.n_staff)
    # each post at most one person (exactly one when it is filled today and must stay filled)
    keep = c.filled_today & s.keep_filled_posts
    add_block(c.pj, pairs, np.ones(c.n_pairs), c.n_posts,
              [EQ if k else LE for k in keep], [1.0] * c.n_posts, "assignment",
              [f"post {pid}" for pid in c.post_ids], [False] * c.n_posts)
    # the rule behind an equality row, for explanations
    for i in np.flatnonzero(must):
        rule[i] = "stay" if c.stayer[i] else "keep_placed"
    for j in np.flatnonzero(keep):
        rule[c.n_staff + j] = "keep_filled_posts"
    # equality rows are met by "everyone stays" (current pairs are always candidates), so only
    # side rules need slack; the phase-one check makes every row elastic when data conflict

    if s.manager_floors.enabled:
        for g in floor_groups(c, s):
            if g.floor <= 0:
                continue
            cols = np.flatnonzero(g.posts[c.pj])
            vals = g.member[c.si[cols]].astype(float) - g.floor
            add_block(np.zeros(len(cols), dtype=np.int64), cols, vals, 1, [GE], [0.0],
                      "manager_floors", [g.describe()], [True])
    n_rot = s.rotation.planning_pool_to_hard_areas
    if s.rotation.enabled and n_rot > 0:
        cols = np.flatnonzero(rotation_pairs(c))
        add_block(np.zeros(len(cols), dtype=np.int64), cols, np.ones(len(cols)), 1, [GE],
                  [float(n_rot)], "rotation",
                  [f"{n_rot} planning-pool cadres rotated to hard areas"], [True])
    caps = s.move_caps
    if caps.enabled:
        # a change of post: a person holding a post today does not keep it (moves to another
        # post or becomes surplus). Each holder's current pair is a candidate, so
        #   Σ_holders (1 − x[i, current post]) ≤ cap  ⇔  Σ_holders x[i, current post] ≥ n − cap
        cur = np.flatnonzero(c.is_current)
        n_hold = len(cur)
        if n_hold > caps.total:
            add_block(np.zeros(len(cur), dtype=np.int64), cur, np.ones(len(cur)), 1, [GE],
                      [float(n_hold - caps.total)], "move_caps",
                      [f"at most {caps.total} people holding a post today change post or "
                       "lose it, in the province"], [True])
            limits.append((n_rows - 1, caps.total))
        # departures: the same count per commune of the post held today
        origin = c.post_terr[c.pj[cur]]
        held = np.bincount(origin, minlength=len(c.territory_ids))
        binding = np.flatnonzero(held > caps.per_commune)
        row_of = np.full(len(c.territory_ids), -1, dtype=np.int64)
        row_of[binding] = np.arange(len(binding))
        sel = row_of[origin] >= 0
        first = n_rows
        add_block(row_of[origin[sel]], cur[sel], np.ones(int(sel.sum())), len(binding),
                  [GE] * len(binding),
                  [float(held[t] - caps.per_commune) for t in binding], "move_caps",
                  [f"at most {caps.per_commune} people holding a post in "
                   f"{c.territory_ids[t]} today change post or lose it" for t in binding],
                  [True] * len(binding))
        limits.extend((first + k, caps.per_commune) for k in range(len(binding)))
        # arrivals: people who take a post of the commune coming from another post (and, when
        # arrivals_count_newly_placed, people without a post today placed there)
        arrive = c.moved | ((c.cur_post[c.si] < 0) & caps.arrivals_count_newly_placed)
        arr = np.flatnonzero(arrive)
        nt = len(c.territory_ids)
        whom = ("arrivals (newly placed people included)" if caps.arrivals_count_newly_placed
                else "arrivals from another post")
        first = n_rows
        add_block(c.post_terr[c.pj[arr]].astype(np.int64), arr, np.ones(len(arr)), nt,
                  [LE] * nt, [float(caps.per_commune)] * nt, "move_caps",
                  [f"at most {caps.per_commune} {whom} in {t}" for t in c.territory_ids],
                  [True] * nt)
        limits.extend((first + k, caps.per_commune) for k in range(nt))
    # column-major with 32-bit indices: restricted models are column slices, and memory
    # stays well under 1 GB at 5,000+ staff
    r_all = np.concatenate([r.astype(np.int32) for r in rows_r])
    c_all = np.concatenate([k.astype(np.int32) for k in rows_c])
    v_all = np.concatenate(rows_v)
    rows_r.clear(), rows_c.clear(), rows_v.clear()
    A = sp.coo_matrix((v_all, (r_all, c_all)), shape=(n_rows, c.n_pairs)).tocsc()
    del r_all, c_all, v_all
    limit = np.full(n_rows, np.nan)
    for r, cap in limits:
        limit[r] = cap
    return Rows(A=A, sense=np.array(sense), rhs=np.array(rhs, dtype=float),
                rule=np.array(rule, dtype=object), label=label, elastic=np.array(elastic),
                limit=limit)


def rotation_pairs(c: Candidates) -> np.ndarray:
    """Pairs that count as a planning-pool rotation: a pool cadre takes a post in a hard area
    in a commune other than their current one (home one when unplaced)."""
    return (c.pool[c.si] & c.hard[c.pj] & (c.post_terr[c.pj] != c.origin_terr[c.si])
            & ~c.is_current)


def penalty(c: Candidates) -> float:
    """Penalty per unit of slack: far above anything a better score could buy."""
    return 1000.0 * (1.0 + float(np.abs(c.score).max(initial=0.0)))


def reduced_costs(c: Candidates, rows_a: sp.csr_matrix, duals: np.ndarray) -> np.ndarray:
    """Gain in the maximised objective per unit of each pair, at the given row duals
    (HiGHS duals of the minimisation of −score).

    A pair with a positive value could improve the LP; at an optimal LP over all pairs every
    value is ≤ 0, and any placement using pair e scores at most ``LP* + rc[e]``.
    """
    return c.score + rows_a.T @ duals


@dataclass
class MipModel:
    problem: pulp.LpProblem
    x: list[pulp.LpVariable]
    slack: dict[int, pulp.LpVariable]


def build_mip(c: Candidates, rows: Rows, cols: np.ndarray, elastic: bool = True,
              name: str = "placement") -> MipModel:
    """PuLP model over the pairs ``cols``; expressions are built from sparse rows directly."""
    prob = pulp.LpProblem(name, pulp.LpMaximize)
    x = [prob.add_variable(f"x{k}", cat=pulp.LpBinary) for k in range(len(cols))]
    slack: dict[int, pulp.LpVariable] = {}
    if elastic:
        slack = {int(r): prob.add_variable(f"s{r}", lowBound=0)
                 for r in np.flatnonzero(rows.elastic)}
    pen = penalty(c)
    obj = pulp.LpAffineExpression(list(zip(x, c.score[cols].tolist(), strict=True))
                                  + [(v, -pen) for v in slack.values()])
    prob.setObjective(obj)
    A = rows.A[:, cols].tocsr()
    senses = {LE: pulp.LpConstraintLE, EQ: pulp.LpConstraintEQ, GE: pulp.LpConstraintGE}
    for r in range(rows.n_rows):
        lo, hi = A.indptr[r], A.indptr[r + 1]
        terms = [(x[k], v) for k, v in zip(A.indices[lo:hi].tolist(), A.data[lo:hi].tolist(),
                                           strict=True)]
        sense = int(rows.sense[r])
        if r in slack:
            # ≥ and = rows are short by the slack; ≤ rows may exceed by it
            terms.append((slack[r], -1.0 if sense == LE else 1.0))
        if not terms:
            continue
        if sense == LE and hi == lo and rows.rhs[r] >= 0:
            continue
        prob.addConstraint(pulp.LpConstraint(pulp.LpAffineExpression(terms), senses[sense],
                                             rhs=float(rows.rhs[r])), name=f"r{r}")
    return MipModel(prob, x, slack)


def floor_need(share: float, filled: int) -> int:
    """Smallest head-count meeting a share floor among ``filled`` posts."""
    return math.ceil(share * filled - 1e-9)

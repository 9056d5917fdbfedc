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

    The one place the floors are defined: the rows (:func:`floor_rows`), the data checks
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


# ------------------------------------------------------------------------------ the rules
# Notation: x[i, j] ∈ {0, 1} is 1 when person i takes post j; (i, j) ranges over the candidate
# pairs only. Each builder returns the rows of one rule as a :class:`Block`; :func:`build_rows`
# stacks them in a fixed order (row order is part of the model handed to the solvers).


@dataclass
class Block:
    """Rows of one rule before stacking: entry k puts ``vals[k]`` in local row ``row[k]``,
    column (pair) ``cols[k]``; the other arrays have one item per row."""

    row: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    sense: list[int]
    rhs: list[float]
    rule: list[str]
    label: list[str]
    elastic: bool  # the rule's rows get a penalised slack
    limit: float | None = None  # the cap a move-cap row enforces

    @property
    def n_rows(self) -> int:
        return len(self.rhs)


def _block(row: np.ndarray, cols: np.ndarray, vals: np.ndarray, sense: list[int],
           rhs: list[float], rule: str | list[str], label: list[str], elastic: bool,
           limit: float | None = None) -> Block:
    k = len(rhs)
    return Block(row, cols, vals, sense, rhs, [rule] * k if isinstance(rule, str) else rule,
                 label, elastic, limit)


def assignment_rows(c: Candidates, s: PlacementSettings) -> list[Block]:
    """One-to-one: a person takes at most one post (:func:`person_rows`), a post at most one
    person (:func:`post_rows`); vacancies and surplus are allowed. The rules ``stay``,
    ``keep_placed`` and ``keep_filled_posts`` turn some of these rows into equalities."""
    return [person_rows(c, s), post_rows(c, s)]


def person_rows(c: Candidates, s: PlacementSettings) -> Block:
    """One-to-one, people: for every person i,

        Σ_j x[i, j] ≤ 1,   or  = 1  when i must stay (rule ``stay``: recently placed, so only
                                    their current pair is a candidate) or holds a post today
                                    and ``keep_placed`` is on (rule ``keep_placed``).

    Not elastic: "everyone stays" meets every equality (current pairs are always candidates);
    the phase-one check makes them elastic when the data conflict.
    """
    must = c.stayer | ((c.cur_post >= 0) & s.keep_placed)
    rule = np.where(c.stayer, "stay", np.where(must, "keep_placed", "assignment")).tolist()
    return _block(c.si, np.arange(c.n_pairs), np.ones(c.n_pairs),
                  [EQ if m else LE for m in must], [1.0] * c.n_staff, rule,
                  [f"person {sid}" for sid in c.staff_ids], False)


def post_rows(c: Candidates, s: PlacementSettings) -> Block:
    """One-to-one, posts: for every post j,

        Σ_i x[i, j] ≤ 1,   or  = 1  when j is filled today and ``keep_filled_posts`` is on
                                    (rule ``keep_filled_posts``: by its holder or someone else).
    """
    keep = c.filled_today & s.keep_filled_posts
    rule = np.where(keep, "keep_filled_posts", "assignment").tolist()
    return _block(c.pj, np.arange(c.n_pairs), np.ones(c.n_pairs),
                  [EQ if k else LE for k in keep], [1.0] * c.n_posts, rule,
                  [f"post {pid}" for pid in c.post_ids], False)


def floor_rows(c: Candidates, s: PlacementSettings) -> list[Block]:
    """Manager floors (§I.2), one row per floor group g of :func:`floor_groups` with floor
    f_g > 0 (a floor ≤ 0 cannot bind):

        Σ_{(i, j): j ∈ manager posts of g's scope} (member_g(i) − f_g) · x[i, j] ≥ 0

    i.e. among the manager posts of the scope filled after the placement, the group's share is
    at least f_g (today's share + the rise in mode ``no_fall``, the fixed share in ``fixed``).
    Elastic.
    """
    if not s.manager_floors.enabled:
        return []
    out = []
    for g in floor_groups(c, s):
        if g.floor <= 0:
            continue
        cols = np.flatnonzero(g.posts[c.pj])
        vals = g.member[c.si[cols]].astype(float) - g.floor
        out.append(_block(np.zeros(len(cols), dtype=np.int64), cols, vals, [GE], [0.0],
                          "manager_floors", [g.describe()], True))
    return out


def rotation_rows(c: Candidates, s: PlacementSettings) -> list[Block]:
    """Rotation of planning-pool cadres to hard areas (§II.2), one row when on and n > 0:

        Σ_{(i, j) ∈ rotation_pairs} x[i, j] ≥ n,   n = rotation.planning_pool_to_hard_areas

    over the pairs of :func:`rotation_pairs` (a pool cadre, a hard-area post, another commune
    than their current one). Elastic.
    """
    n = s.rotation.planning_pool_to_hard_areas
    if not s.rotation.enabled or n <= 0:
        return []
    cols = np.flatnonzero(rotation_pairs(c))
    return [_block(np.zeros(len(cols), dtype=np.int64), cols, np.ones(len(cols)), [GE],
                   [float(n)], "rotation",
                   [f"{n} planning-pool cadres rotated to hard areas"], True)]


def move_cap_rows(c: Candidates, s: PlacementSettings) -> list[Block]:
    """Caps on changes of post (project assumption): the province's cap on changes of post
    (:func:`change_cap_row`), departures per commune (:func:`departure_rows`) and arrivals per
    commune (:func:`arrival_rows`), in this order. Elastic."""
    if not s.move_caps.enabled:
        return []
    return [*change_cap_row(c, s), departure_rows(c, s), arrival_rows(c, s)]


# one builder per rule, in the order their rows are stacked
RULE_BUILDERS = (assignment_rows, floor_rows, rotation_rows, move_cap_rows)


def change_cap_row(c: Candidates, s: PlacementSettings) -> list[Block]:
    """A change of post is a person holding a post today who does not keep it (moves to another
    post or becomes surplus). With H the holders and cur(i) the post i holds today (always a
    candidate), for the cap T = move_caps.total:

        Σ_{i ∈ H} (1 − x[i, cur(i)]) ≤ T   ⇔   Σ_{i ∈ H} x[i, cur(i)] ≥ |H| − T

    One row, only when |H| > T (otherwise it cannot bind).
    """
    cap = s.move_caps.total
    cur = np.flatnonzero(c.is_current)
    if len(cur) <= cap:
        return []
    return [_block(np.zeros(len(cur), dtype=np.int64), cur, np.ones(len(cur)), [GE],
                   [float(len(cur) - cap)], "move_caps",
                   [f"at most {cap} people holding a post today change post or lose it, in the "
                    "province"], True, limit=cap)]


def departure_rows(c: Candidates, s: PlacementSettings) -> Block:
    """Departures: the change-of-post count per commune t of the post held today, with the cap
    P = move_caps.per_commune and H_t the people holding a post of t today:

        Σ_{i ∈ H_t} x[i, cur(i)] ≥ |H_t| − P

    one row per commune with |H_t| > P (the others cannot bind).
    """
    cap = s.move_caps.per_commune
    cur = np.flatnonzero(c.is_current)
    origin = c.post_terr[c.pj[cur]]
    held = np.bincount(origin, minlength=len(c.territory_ids))
    binding = np.flatnonzero(held > cap)
    row_of = np.full(len(c.territory_ids), -1, dtype=np.int64)
    row_of[binding] = np.arange(len(binding))
    sel = row_of[origin] >= 0
    return _block(row_of[origin[sel]], cur[sel], np.ones(int(sel.sum())), [GE] * len(binding),
                  [float(held[t] - cap) for t in binding], "move_caps",
                  [f"at most {cap} people holding a post in {c.territory_ids[t]} today change "
                   "post or lose it" for t in binding], True, limit=cap)


def arrival_rows(c: Candidates, s: PlacementSettings) -> Block:
    """Arrivals: for every commune t, with P = move_caps.per_commune,

        Σ_{(i, j) arriving, j in t} x[i, j] ≤ P

    where a pair arrives when a person holding a post today takes another post (``moved``;
    a move inside the commune counts too) and, when ``arrivals_count_newly_placed``, when a
    person without a post today is placed. One row per commune, even an empty one.
    """
    cap = s.move_caps.per_commune
    newly = s.move_caps.arrivals_count_newly_placed
    arr = np.flatnonzero(c.moved | ((c.cur_post[c.si] < 0) & newly))
    nt = len(c.territory_ids)
    whom = "arrivals (newly placed people included)" if newly else "arrivals from another post"
    return _block(c.post_terr[c.pj[arr]].astype(np.int64), arr, np.ones(len(arr)), [LE] * nt,
                  [float(cap)] * nt, "move_caps",
                  [f"at most {cap} {whom} in {t}" for t in c.territory_ids], True, limit=cap)


def build_rows(c: Candidates, s: PlacementSettings) -> Rows:
    """Translate the scenario's rules into rows over the candidate pairs: the blocks of
    :data:`RULE_BUILDERS`, stacked in that order."""
    blocks = [b for builder in RULE_BUILDERS for b in builder(c, s)]
    starts = np.cumsum([0] + [b.n_rows for b in blocks])
    n_rows = int(starts[-1])
    per_row = {
        "sense": np.array([x for b in blocks for x in b.sense]),
        "rhs": np.array([x for b in blocks for x in b.rhs], dtype=float),
        "rule": np.array([x for b in blocks for x in b.rule], dtype=object),
        "label": [x for b in blocks for x in b.label],
        "elastic": np.array([b.elastic for b in blocks for _ in range(b.n_rows)]),
        "limit": np.concatenate([np.full(b.n_rows, np.nan if b.limit is None else b.limit,
                                         dtype=float) for b in blocks])}
    # column-major with 32-bit indices: restricted models are column slices, and memory
    # stays well under 1 GB at 5,000+ staff
    r_all = np.concatenate([(b.row + k).astype(np.int32)
                            for b, k in zip(blocks, starts[:-1], strict=True)])
    c_all = np.concatenate([b.cols.astype(np.int32) for b in blocks])
    v_all = np.concatenate([b.vals for b in blocks])
    del blocks  # free the blocks' arrays before the matrix is built
    A = sp.coo_matrix((v_all, (r_all, c_all)), shape=(n_rows, c.n_pairs)).tocsc()
    return Rows(A=A, **per_row)


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

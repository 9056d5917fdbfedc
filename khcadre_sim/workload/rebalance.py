"""Rebalancing optimizer: even out load by reassigning task portfolios (and, if allowed, people).

Decision: ``w[p,f]`` — FTE of field ``f``'s work that person ``p`` carries (their portfolio),
only for fields ``p`` is qualified for (or holds the post of) with cases in the commune. All the
work of every covered field must be carried: ``Σ_p w[p,f] = R[c,f]``; ``L[p] = Σ_f w[p,f]``.

Objective, lexicographic in two solves:

1. minimise ``Σ_c t_c`` with ``t_c ≥ L[p]`` for everyone in commune ``c`` — the peak load ratio
   of every commune (without moves the communes are independent, so this is each commune's
   own minimum peak and therefore also the province's);
2. with every ``t_c`` held at its optimum, minimise the total excess ``Σ_p max(0, L[p] − τ)``
   (τ = target load, default 1.0) plus a small tie-break (μ = 0.001) so that nothing changes
   without a reason: ``μ × Σ |w − w_before|`` without a cap, ``μ × (people changed)`` with one;
   with moves, ``move_cost × (people moved)`` as well.

Cap on changes: a person's portfolio counts as changed (binary ``z_p``) when any ``w[p,f]``
differs from today's; at most ``max_changed_per_commune`` per commune. The link is written
disaggregated, ``w0·(1 − z) ≤ w ≤ w0·(1 − z) + R·z`` (so ``z = 0`` ⇔ ``w = w0``), with two valid
inequalities that make the LP relaxation useful: ``t_c ≥ L0[p]·(1 − z_p)`` (a kept portfolio
keeps today's load) and ``t_c ≥`` the (k+1)-th largest load today (one of the k+1 most loaded
people must keep their portfolio). Without a cap the model is a pure LP.

Moves: a person may move to a commune within ``max_move_km`` (haversine between commune
centroids) that is still above target after internal rebalancing, at most
``max_arrivals_per_commune`` into any commune (a per-commune cap keeps blocks independent); a
mover takes only fields they are qualified for and carries nothing at home. Candidate movers are
people underloaded today, into communes where one of their fields is overloaded or uncovered
today (a pruning rule that keeps the model small; a documented limit, not a proof).

Structure: communes linked by no candidate move form independent blocks, each solved as its
own small model (65 blocks without moves). What no feasible rebalancing can fix is the
*residual shortage*: a covered field's share of the excess above τ (attributed to fields in
proportion to each overloaded person's portfolio) plus every uncovered field's whole need.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from ..errors import ModelError, Problem
from ..solve import SolveResult, Status, relative_gap, solve
from .load import LoadState, summarise

TOL = 1e-7


@dataclass(frozen=True)
class RebalanceSettings:
    target_load: float = 1.0
    max_changed_per_commune: int | None = None  # None = no cap
    max_arrivals_per_commune: int = 0
    max_move_km: float = 0.0
    tiebreak_weight: float = 1e-3
    move_cost: float = 0.01  # load-ratio points a move must save to be worth making
    solver: str = "highs"
    time_limit: float | None = 60.0
    gap_rel: float = 1e-6
    seed: int | None = 0


@dataclass(frozen=True)
class RebalanceResult:
    """Before/after load, what changed, what still needs recruitment, and what the solver proved."""

    before: LoadState
    after: LoadState
    changes: pd.DataFrame  # staff_id, territory_id, field, work/time share before and after
    moves: pd.DataFrame  # staff_id, from_territory_id, to_territory_id, distance_km
    shortage: pd.DataFrame  # territory_id, field, shortage_fte, reason
    per_commune: pd.DataFrame  # territory_id, n_people, peak_before/after, n_changed, status
    peak: SolveResult  # stage 1 (sum of commune peaks), aggregated over blocks
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


class _Model:
    """Stage 1 or 2 model of one block."""

    def __init__(self, block: _Block, req: dict, w0: dict, home: dict,
                 s: RebalanceSettings, peaks: dict[str, float] | None):
        self.prob = pulp.LpProblem("workload_rebalance", pulp.LpMinimize)
        prob = self.prob
        self.w = {k: pulp.LpVariable(f"w_{i}", lowBound=0, upBound=req[k[1], k[2]])
                  for i, k in enumerate(block.pairs)}
        self.m = {k: pulp.LpVariable(f"m_{i}", cat=pulp.LpBinary)
                  for i, k in enumerate(block.movers)}
        people = sorted({p for p, _, _ in block.pairs})
        by_cf: dict = defaultdict(list)
        by_pc: dict = defaultdict(list)
        by_p: dict = defaultdict(list)
        for k, v in self.w.items():
            by_cf[k[1], k[2]].append(v)
            by_pc[k[0], k[1]].append(v)
            by_p[k[0]].append(v)
        for (c, f), vs in by_cf.items():
            prob += pulp.lpSum(vs) == req[c, f], f"cover_{c}_{f}"
        self.t = {c: pulp.LpVariable(f"t_{j}", lowBound=0) for j, c in enumerate(block.communes)}
        for (p, c), vs in by_pc.items():
            prob += pulp.lpSum(vs) <= self.t[c], f"peak_{p}_{c}"
        # A person works in one commune: home unless moved (then nothing at home).
        moves_of: dict = defaultdict(list)
        for (p, c), mv in self.m.items():
            moves_of[p].append(mv)
            for f_var in by_pc[p, c]:
                prob += f_var <= _ub(f_var) * mv
        for p, mvs in moves_of.items():
            prob += pulp.lpSum(mvs) <= 1, f"one_move_{p}"
            for v in by_pc[p, home[p]]:
                prob += v <= _ub(v) * (1 - pulp.lpSum(mvs))
        arrivals: dict = defaultdict(list)
        for (_p, c), mv in self.m.items():
            arrivals[c].append(mv)
        for c, mvs in arrivals.items():
            if len(mvs) > s.max_arrivals_per_commune:
                prob += pulp.lpSum(mvs) <= s.max_arrivals_per_commune, f"arrivals_{c}"
        # Tie-break of stage 2 without a cap: |w - w0| on home work (changes nothing needlessly).
        # With a cap the tie-break is the number of people changed (Σ z), which needs no d.
        self.d = {}
        capped = s.max_changed_per_commune is not None
        if peaks is not None and not capped:
            for (p, c, f), v in self.w.items():
                if c != home[p]:
                    continue
                d = pulp.LpVariable(f"d_{len(self.d)}", lowBound=0)
                prob += d >= v - w0.get((p, f), 0.0)
                prob += d >= w0.get((p, f), 0.0) - v
                self.d[p, f] = d
        home_pairs: dict = defaultdict(list)
        for (p, c, f), v in self.w.items():
            if c == home[p]:
                home_pairs[p].append((f, v))
        self.z = {}
        load_now: dict = defaultdict(float)
        for (p, _f), w_old in w0.items():
            load_now[p] += w_old
        peak0 = {c: max([load_now[p] for p in people if home[p] == c] or [0.0])
                 for c in block.communes}
        if s.max_changed_per_commune is not None:
            for j, p in enumerate(people):
                z = pulp.LpVariable(f"z_{j}", cat=pulp.LpBinary)
                self.z[p] = z
                # Kept portfolio (z = 0) ⇔ w = w0. Written as w = w0·(1 − z) + v with
                # 0 ≤ v ≤ R·z, and the work a changed person takes on bounded by the peak
                # (nobody ends above today's commune peak: keeping everything is feasible).
                c = home[p]
                mine = home_pairs[p]
                for f, v in mine:
                    w_old = w0.get((p, f), 0.0)
                    prob += v >= w_old * (1 - z)
                    prob += v <= w_old * (1 - z) + req[c, f] * z
                load0 = sum(w0.get((p, f), 0.0) for f, _ in mine)
                cap_t = (peaks[c] if peaks is not None else peak0[c]) + 1e-5
                prob += (pulp.lpSum(v for _, v in mine) - load0 * (1 - z) <= cap_t * z,
                         f"take_{j}")
                # Valid inequality that makes the LP relaxation useful: a person whose portfolio
                # is kept keeps today's load, so the commune peak is at least that load.
                if load0 > 0:
                    prob += self.t[c] >= load0 * (1 - z), f"keep_{j}"
                for mv in moves_of.get(p, []):
                    prob += mv <= z
            for c in block.communes:
                members = [p for p in people if home[p] == c]
                k = s.max_changed_per_commune
                if len(members) > k:
                    prob += pulp.lpSum(self.z[p] for p in members) <= k, f"cap_{c}"
                    # Of the k + 1 most loaded people one at least keeps their portfolio, so
                    # the peak is at least the (k + 1)-th largest load today (valid, and much
                    # stronger than the LP relaxation of the keep inequalities).
                    loads = sorted((load_now[p] for p in members), reverse=True)
                    prob += self.t[c] >= loads[k] - 1e-7, f"kplus1_{c}"
        if peaks is None:
            prob += pulp.lpSum(self.t.values())
            self.stage = 1
        else:
            for c, t in self.t.items():
                prob += t <= peaks[c] + 1e-6, f"hold_peak_{c}"
            self.e = {p: pulp.LpVariable(f"e_{j}", lowBound=0) for j, p in enumerate(people)}
            for p in people:
                prob += self.e[p] >= pulp.lpSum(by_p[p]) - s.target_load
            prob += (pulp.lpSum(self.e.values()) + s.tiebreak_weight * pulp.lpSum(self.d.values())
                     + s.tiebreak_weight * pulp.lpSum(self.z.values())
                     + s.move_cost * pulp.lpSum(self.m.values()))
            self.stage = 2


def _ub(var: pulp.LpVariable) -> float:
    return float(var.upBound)


def _blocks(before: LoadState, req: dict, territories: pd.DataFrame | None,
            s: RebalanceSettings, internal_peaks: dict[str, float] | None) -> list[_Block]:
    elig = before.eligible
    elig = elig[[(c, f) in req for c, f in zip(elig["territory_id"], elig["field"],
                                                 strict=True)]]
    pairs_by_c: dict = defaultdict(list)
    for p, c, f in elig.itertuples(index=False):
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
        for dest in hot:
            lat, lon = terr.at[dest, "lat"], terr.at[dest, "lon"]
            for origin in communes:
                if origin == dest or origin not in terr.index:
                    continue
                dist = float(haversine_km(lat, lon, terr.at[origin, "lat"], terr.at[origin,
                                                                                     "lon"]))
                if dist > s.max_move_km:
                    continue
                staff_o = before.people.loc[before.people["territory_id"] == origin, "staff_id"]
                linked = False
                for p in staff_o:
                    fs = sorted(qual.get(p, set()) & active[dest])
                    if p in spare and qual.get(p, set()) & short_fields[dest]:
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


def _solve_one(block, req, w0, home, s, peaks):
    model = _Model(block, req, w0, home, s, peaks)
    res = solve(model.prob, solver=s.solver, time_limit=s.time_limit, gap_rel=s.gap_rel,
                seed=s.seed)
    if not res.is_ok:
        raise ModelError(Problem(
            file="workload model", column=",".join(block.communes[:3]),
            message=f"the rebalancing model of commune(s) {', '.join(block.communes[:3])} "
            f"came back {res.status} ({res.message}) in stage {model.stage}",
            fix="raise constants.workload.time_limit, loosen max_changed_per_commune, or "
            "check the commune's staff and workload rows"))
    return res, (
        {k: max(0.0, v.value() or 0.0) for k, v in model.w.items()},
        {k: round(v.value() or 0.0) for k, v in model.m.items()},
        {c: float(t.value() or 0.0) for c, t in model.t.items()},
    )


def _solve_blocks(blocks, req, w0, home, s, peaks):
    out = [_solve_one(b, req, w0, home, s, peaks) for b in blocks]
    results = [r for r, _ in out]
    values = {id(b): v for b, (_, v) in zip(blocks, out, strict=True)}
    return results, values


def rebalance(before: LoadState, required: pd.DataFrame, settings: RebalanceSettings, *,
              over: float, under: float,
              territories: pd.DataFrame | None = None) -> RebalanceResult:
    """Minimise every commune's peak load, then the total excess; report what stays short."""
    s = settings
    if not s.target_load > 0:
        raise ModelError(Problem(file="scenario", column="levers.workload.target_load",
                                 message=f"target load {s.target_load} is not positive",
                                 fix="e.g. target_load = 1.0"))
    if s.max_changed_per_commune is not None and s.max_changed_per_commune < 0:
        raise ModelError(Problem(file="scenario", column="levers.workload.max_changed_per_commune",
                                 message="cap is negative", fix="write 0 or more, or -1 for none"))
    rq = required.loc[required["required_fte"] > 0]
    req_all = {(c, f): float(r) for c, f, r in zip(rq["territory_id"], rq["field"],
                                                   rq["required_fte"], strict=True)}
    covered = set(zip(before.eligible["territory_id"], before.eligible["field"], strict=True))
    req = {k: v for k, v in req_all.items() if k in covered}
    pf = before.portfolio
    w0 = {(p, f): float(w) for p, f, w in zip(pf["staff_id"], pf["field"], pf["work_fte"],
                                              strict=True)}
    home = dict(zip(before.people["staff_id"], before.people["territory_id"], strict=True))

    # Without moves every commune is its own block; with moves, first the internal optimum
    # (it decides which communes may receive people), then the linked blocks.
    internal = (s if s.max_arrivals_per_commune == 0
                else dataclasses.replace(s, max_arrivals_per_commune=0))
    blocks = _blocks(before, req, None, internal, None)
    r1, v1 = _solve_blocks(blocks, req, w0, home, internal, None)
    peaks = {c: t for b in blocks for c, t in v1[id(b)][2].items()}
    if s.max_arrivals_per_commune > 0:
        blocks = _blocks(before, req, territories, s, peaks)
        r1, v1 = _solve_blocks(blocks, req, w0, home, s, None)
        peaks = {c: t for b in blocks for c, t in v1[id(b)][2].items()}
    r2, v2 = _solve_blocks(blocks, req, w0, home, s, peaks)
    work = {k: w for b in blocks for k, w in v2[id(b)][0].items() if w > 1e-9}
    moved = {k: 1 for b in blocks for k, m in v2[id(b)][1].items() if m}
    return _assemble(before, required, work, moved, home, w0, s, over, under, territories,
                     _aggregate(r1, s.solver, s.seed), _aggregate(r2, s.solver, s.seed),
                     len(blocks), req_all, covered)


def _assemble(before, required, work, moved, home, w0, s, over, under, territories, peak_res,
              excess_res, n_blocks, req_all, covered) -> RebalanceResult:
    people = before.people.copy()
    dest = {p: c for (p, c) in moved}
    people["from_territory_id"] = people["territory_id"]
    people["territory_id"] = people["staff_id"].map(lambda p: dest.get(p, home[p]))
    rows = [(p, c, f, w) for (p, c, f), w in work.items()]
    pf = pd.DataFrame(rows, columns=["staff_id", "territory_id", "field", "work_fte"])
    load = pf.groupby("staff_id")["work_fte"].sum()
    pf["time_share"] = pf["work_fte"] / pf["staff_id"].map(load)
    # People with no work at all keep their time shares (nothing to carry either way).
    idle = before.portfolio[~before.portfolio["staff_id"].isin(set(load.index))]
    pf = pd.concat([pf, idle.assign(work_fte=0.0)[pf.columns]], ignore_index=True)
    people["qualified"] = people["qualified_fields"].map(lambda v: v.split(";"))
    people = people.drop(columns=["qualified_fields", "n_qualified_fields", "n_fields_worked",
                                  "load_ratio", "status"])
    after = summarise(people, pf, required, before.eligible, before.n_unplaced, over, under)

    # What changed, person by person and field by field.
    old = before.portfolio.set_index(["staff_id", "field"])[["work_fte", "time_share"]]
    new = pf.set_index(["staff_id", "field"])[["work_fte", "time_share", "territory_id"]]
    both = old.add_suffix("_before").join(new.rename(columns={
        "work_fte": "work_fte_after", "time_share": "time_share_after"}), how="outer").fillna(
        {"work_fte_before": 0.0, "time_share_before": 0.0, "work_fte_after": 0.0,
         "time_share_after": 0.0}).reset_index()
    both["territory_id"] = both["territory_id"].fillna(both["staff_id"].map(home))
    changed_people = set(both.loc[(both["work_fte_after"] - both["work_fte_before"]).abs() > 1e-6,
                                  "staff_id"]) | set(dest)
    changes = both[both["staff_id"].isin(changed_people)].sort_values(["territory_id", "staff_id",
                                                                       "field"])
    changes = changes[["staff_id", "territory_id", "field", "work_fte_before", "work_fte_after",
                       "time_share_before", "time_share_after"]].reset_index(drop=True)
    changes.insert(2, "moved", changes["staff_id"].isin(set(dest)))

    mv_rows = []
    terr = territories.set_index("territory_id") if territories is not None else None
    for p, c in sorted(dest.items()):
        o = home[p]
        dist = (float(haversine_km(terr.at[o, "lat"], terr.at[o, "lon"], terr.at[c, "lat"],
                                   terr.at[c, "lon"])) if terr is not None else math.nan)
        mv_rows.append((p, o, c, round(dist, 2)))
    moves = pd.DataFrame(mv_rows, columns=["staff_id", "from_territory_id", "to_territory_id",
                                           "distance_km"])

    # Residual shortage: excess above target, attributed to fields by portfolio; plus uncovered.
    excess = (after.people.set_index("staff_id")["load_ratio"] - s.target_load).clip(lower=0)
    short = pf[pf["staff_id"].isin(set(excess.index[excess > 1e-9]))].copy()
    short["shortage_fte"] = (short["time_share"] * short["staff_id"].map(excess)
                             / s.target_load)
    short = short.groupby(["territory_id", "field"], as_index=False)["shortage_fte"].sum()
    short["reason"] = "overload_after_rebalance"
    unc = [(c, f, r / s.target_load, "uncovered") for (c, f), r in req_all.items()
           if (c, f) not in covered]
    short = pd.concat([short, pd.DataFrame(unc, columns=short.columns)], ignore_index=True)
    short = short[short["shortage_fte"] > 1e-9].sort_values(["territory_id", "field"])
    short = short.reset_index(drop=True)

    pb = before.people.groupby("territory_id")["load_ratio"].agg(["size", "max", "mean"])
    pa = after.people.groupby("territory_id")["load_ratio"].agg(["max", "mean"])
    per = pd.DataFrame({"n_people": pb["size"], "peak_before": pb["max"], "mean_before":
                        pb["mean"]}).join(pa.rename(columns={"max": "peak_after",
                                                             "mean": "mean_after"}), how="outer")
    n_ch = pd.Series([home[p] for p in changed_people], dtype=object).value_counts()
    per["n_changed"] = n_ch.reindex(per.index).fillna(0).astype(int)
    sh = short.groupby("territory_id")["shortage_fte"].sum()
    per["shortage_fte"] = sh.reindex(per.index).fillna(0.0)
    per = per.rename_axis("territory_id").reset_index()
    return RebalanceResult(before=before, after=after, changes=changes, moves=moves,
                           shortage=short, per_commune=per, peak=peak_res, excess=excess_res,
                           n_blocks=n_blocks)

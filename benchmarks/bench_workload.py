"""Benchmark: rebalancing the bundled province's workload, structured vs naive formulation.

Structured (the package): one small model per commune (communes are independent without moves),
variables only for pairs a person is eligible for, solved with HiGHS in process.
Naive: one province-wide model with a variable for every placed person × every field (an
unqualified pair is forbidden by a constraint), both stages solved as one model with CBC.
Both solve the same lexicographic problem (sum of commune peaks, then total excess + tie-break);
the table shows that they reach the same optimum, and how long each takes.

Run: python benchmarks/bench_workload.py   (writes benchmarks/results/bench_workload.json)
"""

from __future__ import annotations

import dataclasses
import json
import platform
import time
from pathlib import Path

import pulp

from khcadre_sim.io import load_province
from khcadre_sim.scenario import load_scenario
from khcadre_sim.solve import solve
from khcadre_sim.workload import WorkloadSettings, analyse_workload, read_standards

OUT = Path(__file__).resolve().parent / "results" / "bench_workload.json"


def naive_solve(before, required, settings, solver: str = "cbc") -> dict:
    """Both stages as single province-wide models over every person × field."""
    s = settings.rebalance
    req = {(c, f): float(r) for c, f, r in required[["territory_id", "field",
                                                     "required_fte"]].to_numpy() if r > 0}
    covered = set(map(tuple, before.eligible[["territory_id", "field"]].to_numpy()))
    req = {k: v for k, v in req.items() if k in covered}
    elig = set(map(tuple, before.eligible[["staff_id", "field"]].to_numpy()))
    people = before.people[["staff_id", "territory_id"]].to_numpy()
    fields = sorted(set(required["field"]))
    w0 = {(p, f): w for p, f, w in before.portfolio[["staff_id", "field", "work_fte"]].to_numpy()}
    communes = sorted({c for _, c in people})
    results = {}
    peaks = None
    for stage in (1, 2):
        prob = pulp.LpProblem(f"naive_stage{stage}", pulp.LpMinimize)
        w = {(p, f): pulp.LpVariable(f"w_{i}_{j}", lowBound=0)
             for i, (p, _c) in enumerate(people) for j, f in enumerate(fields)}
        t = {c: pulp.LpVariable(f"t_{k}", lowBound=0) for k, c in enumerate(communes)}
        for (p, f), v in w.items():
            if (p, f) not in elig:
                prob += v == 0
        for c in communes:
            members = [p for p, cc in people if cc == c]
            for f in fields:
                if (c, f) in req:
                    prob += pulp.lpSum(w[p, f] for p in members) == req[c, f]
            for p in members:
                prob += pulp.lpSum(w[p, f] for f in fields) <= t[c]
        if stage == 1:
            prob += pulp.lpSum(t.values())
        else:
            e = {p: pulp.LpVariable(f"e_{i}", lowBound=0) for i, (p, _) in enumerate(people)}
            d = {k: pulp.LpVariable(f"d_{i}", lowBound=0) for i, k in enumerate(w)}
            for (p, f), v in w.items():
                prob += d[p, f] >= v - w0.get((p, f), 0.0)
                prob += d[p, f] >= w0.get((p, f), 0.0) - v
            for p, _ in people:
                prob += e[p] >= pulp.lpSum(w[p, f] for f in fields) - s.target_load
            for c in communes:
                prob += t[c] <= peaks[c] + 1e-6
            prob += pulp.lpSum(e.values()) + s.tiebreak_weight * pulp.lpSum(d.values())
        started = time.perf_counter()
        res = solve(prob, solver=solver, time_limit=600, gap_rel=s.gap_rel, seed=s.seed)
        total = time.perf_counter() - started
        results[stage] = (res, total)
        peaks = {c: v.value() for c, v in t.items()}
    return results


def row(name: str, peak_res, excess_res, wall: float, after_peak=None, after_mean=None) -> dict:
    return {"formulation": name, "status_peak": str(peak_res.status),
            "status_excess": str(excess_res.status),
            "objective_peak": round(peak_res.objective, 6),
            "bound_peak": round(peak_res.bound, 6) if peak_res.bound is not None else None,
            "objective_excess": round(excess_res.objective, 6),
            "bound_excess": round(excess_res.bound, 6) if excess_res.bound is not None else None,
            "gap_excess": excess_res.gap, "solver_seconds": round(peak_res.seconds
                                                                  + excess_res.seconds, 3),
            "wall_seconds": round(wall, 3),
            "after_peak": None if after_peak is None else round(after_peak, 4),
            "after_mean": None if after_mean is None else round(after_mean, 4)}


def main() -> None:
    province, scenario = load_province(), load_scenario()
    settings = WorkloadSettings.from_scenario(scenario)
    standards = read_standards()
    rows = []

    def structured(name: str, **changes) -> None:
        s = dataclasses.replace(settings, rebalance=dataclasses.replace(settings.rebalance,
                                                                        **changes))
        started = time.perf_counter()
        res = analyse_workload(province, scenario.params, s, standards=standards)
        wall = time.perf_counter() - started  # load model + both stages + result tables
        reb = res.rebalanced
        rows.append(row(name, reb.peak, reb.excess, wall, res.after.peak, res.after.mean))
        return res

    base = structured("structured: per-commune blocks, eligible pairs, HiGHS (default)",
                      max_changed_per_commune=None)
    structured("structured: per-commune blocks, eligible pairs, CBC", solver="cbc",
               max_changed_per_commune=None)
    started = time.perf_counter()
    naive = naive_solve(base.before, base.required, settings, solver="cbc")
    wall = time.perf_counter() - started
    rows.append(row("naive: one province model, every person × field, CBC", naive[1][0],
                    naive[2][0], wall))
    structured("structured MILP: cap 3 changed portfolios per commune, HiGHS",
               max_changed_per_commune=3)
    b = base.before
    meta = {"staff_placed": len(b.people), "communes": int(b.people["territory_id"].nunique()),
            "eligible_pairs": len(b.eligible), "required_fte": round(
                float(base.required["required_fte"].sum()), 2),
            "before_peak": round(b.peak, 4), "before_mean": round(b.mean, 4),
            "machine": f"{platform.machine()}, {platform.python_version()}",
            "note": "wall seconds include building the models; solver seconds as reported by "
                    "khcadre_sim.solve (sum over blocks and stages)"}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    print(f"bundled province: {meta['staff_placed']} placed staff, {meta['communes']} communes, "
          f"{meta['eligible_pairs']} eligible pairs; before: peak {meta['before_peak']}, "
          f"mean {meta['before_mean']}")
    head = f"{'formulation':64} {'status':>8} {'Σ peaks':>10} {'excess':>10} {'solver s':>9} " \
           f"{'wall s':>8}"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['formulation']:64} {r['status_excess']:>8} {r['objective_peak']:>10.4f} "
              f"{r['objective_excess']:>10.4f} {r['solver_seconds']:>9.2f} "
              f"{r['wall_seconds']:>8.2f}")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

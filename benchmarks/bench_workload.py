"""Benchmark: rebalancing the bundled province's workload.

Rows (each run ``--repeats`` times; wall seconds reported as min and median):

* **default**: the scenario's settings — at most ``max_changed_per_commune`` changed portfolios
  per commune (a MILP per commune), the load ceiling, both stages proven (status, bound, gap);
* the same capped MILP with the blocks solved one after the other (``parallel_blocks = 1``);
* the cap of 3 that the previous formulation needed 9.6–13.6 s for;
* no cap (a pure LP per commune), with HiGHS and with CBC;
* naive: the uncapped problem as one province-wide model over every person × field with CBC —
  the same lexicographic problem (sum of commune peaks above target, then total excess and
  tie-break) under the same load ceiling, to check that the structured LP reaches its optimum.

Wall seconds cover the whole analysis (load model, both stages, result tables). Solver seconds
are summed over blocks, which may run side by side (``parallel_blocks``), so they can exceed
the wall time.

``--sweep`` adds the trade-off behind the default cap: for caps 0–10 and no cap, the people
changed, the peak, people over the overload threshold, the total excess above target and the
residual shortage.

Run: python benchmarks/bench_workload.py [--repeats 5] [--sweep]
     (writes benchmarks/results/bench_workload.json)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import time
from pathlib import Path

import pulp

from khcadre_sim.io import load_province
from khcadre_sim.scenario import load_scenario
from khcadre_sim.solve import solve
from khcadre_sim.workload import WorkloadSettings, analyse_workload, read_standards

OUT = Path(__file__).resolve().parent / "results" / "bench_workload.json"


def naive_solve(before, required, settings, solver: str = "cbc") -> dict:
    """Both uncapped stages as single province-wide models over every person × field."""
    s = settings.rebalance
    req = {(c, f): float(r) for c, f, r in required[["territory_id", "field",
                                                     "required_fte"]].to_numpy() if r > 0}
    cf = before.commune_field
    carried = set(map(tuple, cf.loc[cf["actual_fte"] > 0, ["territory_id", "field"]].to_numpy()))
    req = {k: v for k, v in req.items() if k in carried}
    elig = set(map(tuple, before.eligible[["staff_id", "field"]].to_numpy()))
    people = before.people[["staff_id", "territory_id"]].to_numpy()
    load0 = dict(zip(before.people["staff_id"], before.people["load_ratio"], strict=True))
    fields = sorted(set(required["field"]))
    w0 = {(p, f): w for p, f, w in before.portfolio[["staff_id", "field", "work_fte"]].to_numpy()}
    communes = sorted({c for _, c in people})
    results = {}
    peaks = None
    for stage in (1, 2):
        prob = pulp.LpProblem(f"naive_stage{stage}", pulp.LpMinimize)
        w = {(p, f): pulp.LpVariable(f"w_{i}_{j}", lowBound=0)
             for i, (p, _c) in enumerate(people) for j, f in enumerate(fields)}
        t = {c: pulp.LpVariable(f"t_{k}", lowBound=s.target_load)
             for k, c in enumerate(communes)}
        for (p, f), v in w.items():
            if (p, f) not in elig:
                prob += v == 0
        for c in communes:
            members = [p for p, cc in people if cc == c]
            for f in fields:
                if (c, f) in req:
                    prob += pulp.lpSum(w[p, f] for p in members) == req[c, f]
                else:
                    for p in members:
                        prob += w[p, f] == 0
            for p in members:
                load = pulp.lpSum(w[p, f] for f in fields)
                prob += load <= t[c]
                prob += load <= max(s.load_ceiling - 1e-6, load0[p])
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
        results[stage] = (res, time.perf_counter() - started)
        peaks = {c: v.value() for c, v in t.items()}
    return results


def _stage(res) -> dict:
    return {"status": str(res.status),
            "objective": None if res.objective is None else round(res.objective, 6),
            "bound": None if res.bound is None else round(res.bound, 6),
            "gap": res.gap, "solver_seconds": round(res.seconds, 3)}


def row(name: str, peak_res, excess_res, walls: list[float], result=None) -> dict:
    out = {"formulation": name, "peak": _stage(peak_res), "excess": _stage(excess_res),
           "wall_seconds_min": round(min(walls), 3),
           "wall_seconds_median": round(statistics.median(walls), 3),
           "wall_seconds_all": [round(w, 3) for w in walls]}
    if result is not None:
        out.update(_outcome(result))
    return out


def _outcome(res) -> dict:
    s = res.settings
    b, a, reb = res.before.people, res.after.people, res.rebalanced
    sh = reb.shortage
    return {
        "max_changed_per_commune": s.rebalance.max_changed_per_commune,
        "people_changed": reb.n_changed, "people_moved": len(reb.moves),
        "peak_before": round(float(b["load_ratio"].max()), 4),
        "peak_after": round(float(a["load_ratio"].max()), 4),
        "mean_before": round(float(b["load_ratio"].mean()), 4),
        "mean_after": round(float(a["load_ratio"].mean()), 4),
        "over_before": int((b["status"] == "over").sum()),
        "over_after": int((a["status"] == "over").sum()),
        "under_before": int((b["status"] == "under").sum()),
        "under_after": int((a["status"] == "under").sum()),
        "excess_before": round(float((b["load_ratio"] - s.rebalance.target_load).clip(
            lower=0).sum()), 2),
        "excess_after": round(float((a["load_ratio"] - s.rebalance.target_load).clip(
            lower=0).sum()), 2),
        "residual_shortage_fte": round(float(sh["shortage_fte"].sum()), 2),
        "residual_shortage_by_reason": {k: round(float(v), 2) for k, v in sh.groupby(
            "reason")["shortage_fte"].sum().items()},
        "residual_shortage_by_field": {k: round(float(v), 2) for k, v in sh.groupby(
            "field")["shortage_fte"].sum().sort_values(ascending=False).items()},
        "max_person_load_increase_above_ceiling": round(float(max(
            0.0, (a.set_index("staff_id")["load_ratio"]
                   - b.set_index("staff_id")["load_ratio"].clip(
                       lower=s.rebalance.load_ceiling)).max())), 6),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sweep", action="store_true")
    args = ap.parse_args()
    province, scenario = load_province(), load_scenario()
    settings = WorkloadSettings.from_scenario(scenario)
    standards = read_standards()
    rows = []

    def structured(name: str, repeats: int, **changes):
        s = dataclasses.replace(settings, rebalance=dataclasses.replace(settings.rebalance,
                                                                        **changes))
        walls, res = [], None
        for _ in range(repeats):
            started = time.perf_counter()
            res = analyse_workload(province, scenario.params, s, standards=standards)
            walls.append(time.perf_counter() - started)
        reb = res.rebalanced
        rows.append(row(name, reb.peak, reb.excess, walls, res))
        print(f"{name}: wall min {min(walls):.2f} s, median {statistics.median(walls):.2f} s; "
              f"{reb.peak.status}/{reb.excess.status}", flush=True)
        return res

    cap = settings.rebalance.max_changed_per_commune
    default = structured(f"default: cap {cap} changed portfolios per commune, load ceiling "
                         f"{settings.rebalance.load_ceiling:g}, HiGHS MILP per commune, blocks "
                         "side by side", args.repeats)
    structured("default, blocks one after the other (parallel_blocks = 1)", args.repeats,
               parallel_blocks=1)
    structured("cap 3 changed portfolios per commune (the notebook's example)", args.repeats,
               max_changed_per_commune=3)
    base = structured("no cap: LP per commune, HiGHS", args.repeats,
                      max_changed_per_commune=None)
    structured("no cap: LP per commune, CBC", 1, max_changed_per_commune=None, solver="cbc")
    started = time.perf_counter()
    naive = naive_solve(base.before, base.required, settings, solver="cbc")
    rows.append(row("naive, no cap: one province model, every person × field, CBC",
                    naive[1][0], naive[2][0], [time.perf_counter() - started]))
    sweep = []
    if args.sweep:
        for k in [0, 1, 2, 3, 4, 5, 6, 8, 10, None]:
            s = dataclasses.replace(settings, rebalance=dataclasses.replace(
                settings.rebalance, max_changed_per_commune=k))
            started = time.perf_counter()
            res = analyse_workload(province, scenario.params, s, standards=standards)
            out = {"wall_seconds": round(time.perf_counter() - started, 2),
                   "status": f"{res.rebalanced.peak.status}/{res.rebalanced.excess.status}",
                   **_outcome(res)}
            for key in ("residual_shortage_by_field", "residual_shortage_by_reason"):
                out.pop(key)
            sweep.append(out)
            print(f"cap {k}: {out}", flush=True)
    b = default.before
    meta = {"staff_placed": len(b.people), "communes": int(b.people["territory_id"].nunique()),
            "eligible_pairs": len(b.eligible), "required_fte": round(
                float(default.required["required_fte"].sum()), 2),
            "before_peak": round(b.peak, 4), "before_mean": round(b.mean, 4),
            "repeats": args.repeats,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                       f"{platform.python_version()}",
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "note": "wall seconds include the load model, both stages and the result tables; "
                    "solver seconds are summed over blocks (which may run side by side); "
                    "measured while other jobs shared the machine's cores: treat as noisy"}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = {"meta": meta, "rows": rows}
    if sweep:
        payload["sweep"] = sweep
    OUT.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    head = (f"{'formulation':86} {'status':>17} {'Σ peaks':>10} {'excess':>10} "
            f"{'min s':>7} {'median s':>8}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['formulation'][:86]:86} {r['peak']['status'] + '/' + r['excess']['status']:>17}"
              f" {r['peak']['objective']:>10.4f} {r['excess']['objective']:>10.4f} "
              f"{r['wall_seconds_min']:>7.2f} {r['wall_seconds_median']:>8.2f}")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()

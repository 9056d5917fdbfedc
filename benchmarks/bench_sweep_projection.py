"""Benchmark: a 100-experiment sweep of the 2026–2030 projection on the bundled province.

``capability = "projection"`` (each experiment: one scenario under one seed through the yearly
loop, outcomes = cost, targets met in 2030, ceiling breaches, load, manager shares), a Latin
hypercube of 50 points × 2 seeds over two levers (the yearly training budget, the commune cap
on incentive beneficiaries) and three uncertainties (trainees' gains, the performance offset of
the evaluation, young people's quit rate), on a Dask LocalCluster of ``--workers``
single-threaded processes. Measured: wall seconds of the sweep (the cluster's start-up apart),
seconds per experiment, failures, peak memory of the process tree; and what the sweep says —
the share of experiments meeting every measured target in 2030 and staying under the incentive
ceiling every year, and the PRIM box of lever values that does both most often.

Run: python benchmarks/bench_sweep_projection.py [--workers 2] [--points 50]
     (writes benchmarks/results/bench_sweep_projection.json)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_national_projection import TreeMemory, machine  # noqa: E402

OUT = Path(__file__).resolve().parent / "results" / "bench_sweep_projection.json"
LEVERS = {"levers.training.budget_vnd_per_year": {"range": [1e9, 6e9]},
          "levers.incentives.commune_cap_share": {"range": [0.05, 0.2]}}
UNCERTAINTIES = {"uncertainties.training.gain_multiplier": {},
                 "uncertainties.evaluation.performance_offset": {},
                 "uncertainties.people.exits.quit.under_30": {}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--points", type=int, default=50)
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    import khcadre_sim as kh
    from khcadre_sim.sweep import parse_spec, run_sweep
    from khcadre_sim.sweep.analysis import prim

    spec = parse_spec({"capability": "projection", "design": "lhs", "samples": args.points,
                       "seeds": 2, "seed": 2026, "factors": {**LEVERS, **UNCERTAINTIES}})
    province, scenario = kh.load_province(), kh.load_scenario()
    load_before = os.getloadavg()
    with TreeMemory() as mem:
        t0 = time.perf_counter()
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          dashboard_address="127.0.0.1:0") as cluster, \
                Client(cluster) as client:
            client.wait_for_workers(args.workers)
            startup = time.perf_counter() - t0
            t1 = time.perf_counter()
            result = run_sweep(spec, province, scenario, client=client)
            seconds = time.perf_counter() - t1
    ex, res = result.experiments, result.results
    wide = res.pivot_table(index="experiment_id", columns="outcome", values="value")
    good = ((wide["all_targets_met_2030"] == 1) & (wide["ceiling_breach_years"] == 0))
    table = ex.set_index("experiment_id").join(wide)
    box = prim(table[list(LEVERS)], (table["targets_met_2030"]
                                     >= table["targets_met_2030"].max())
               & (table["ceiling_breach_years"] == 0))
    n = len(ex)
    out = {
        "what": f"projection sweep, bundled province, LHS {args.points} points x 2 seeds over "
                "2 levers and 3 uncertainties (capability = projection)",
        "workers": args.workers, "experiments": n, "startup_seconds": round(startup, 2),
        "sweep_seconds": round(seconds, 1),
        "seconds_per_experiment_mean_in_worker": round(float(ex["seconds"].mean()), 2),
        "failed": int((ex["status"] != "ok").sum()),
        "peak_memory_mb_process_tree": round(mem.peak / 2**20, 1),
        "share_all_targets_met_2030_and_under_ceiling": round(float(good.mean()), 3),
        "targets_met_2030_range": [float(wide["targets_met_2030"].min()),
                                   float(wide["targets_met_2030"].max())],
        "total_cost_bn_p5_p50_p95": [round(float(wide["total_cost_bn"].quantile(q)), 2)
                                     for q in (0.05, 0.5, 0.95)],
        "prim_box_most_targets_under_ceiling": {
            "coverage": round(float(box.box.coverage), 3),
            "density": round(float(box.box.density), 3),
            "limits": box.limits().to_dict(orient="records"), "notes": box.notes},
        "machine": machine(load_before),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str) + "\n",
                   encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()

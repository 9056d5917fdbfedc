"""Benchmark: the 2026–2030 projection of the bundled province (issue item 6).

Rows:

* **run**: 3 contrasting scenarios (training first, rotation and placement first, incentive
  heavy; the same override dicts notebook 06 uses) × 5 years × ``--seeds`` seeds through
  :func:`khcadre_sim.projection.run` with ``--workers`` processes: wall seconds, peak resident
  memory of the main process and of the largest worker, seconds per step summed over runs;
* **re-placement vs cold solve**: for one seed of the first scenario, each year from the second
  on, the restricted re-placement the projection makes (free people × free posts, with its proof)
  beside a cold province-wide placement of the same January (timed apart, not part of the run).

The machine is shared: wall seconds are noisy (the step seconds, summed inside the workers, show
where the time goes whatever the load).

Run: python benchmarks/bench_projection.py [--seeds 20] [--workers 2]
     (writes benchmarks/results/bench_projection.json)
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import resource
import time
from pathlib import Path
from typing import Any

from khcadre_sim import examples
from khcadre_sim.io import load_province
from khcadre_sim.projection import api, loop

OUT = Path(__file__).resolve().parent / "results" / "bench_projection.json"


def contrasting_scenarios() -> dict[str, Any]:
    """Three scenarios on declared keys (``Scenario.with_overrides``)."""
    base = examples.scenario("base")
    heavy = copy.deepcopy(base.get("levers.incentives.programmes"))
    for prog in heavy:
        prog["monthly"] = prog["monthly"] * 1.5
        if prog["kind"] == "existing":
            prog["min_rating"] = "good"
    return {
        "training_first": base.with_overrides({
            "meta.name": "training_first",
            "levers.training.budget_vnd_per_year": 6_000_000_000,
            "levers.training.max_courses_per_person": 2,
            "levers.training.digital_min_share": 0.5}),
        "rotation_placement_first": base.with_overrides({
            "meta.name": "rotation_placement_first",
            "levers.rotation_terms.starts_per_year": 30,
            "levers.rotation_terms.horizontal_per_year": 15,
            "levers.placement.stay.min_years_in_post": 1.0}),
        "incentive_heavy": base.with_overrides({
            "meta.name": "incentive_heavy",
            "levers.incentives.commune_cap_share": 0.2,
            "levers.incentives.province_cap_share": 0.15,
            "levers.incentives.programmes": heavy}),
    }


def _mb(kb: int) -> float:
    return round(kb / 1024, 1)  # ru_maxrss is in KiB on Linux


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    province = load_province(None)
    scenarios = contrasting_scenarios()

    load_before = os.getloadavg()
    started = time.perf_counter()
    result = api.run(province, scenarios, seeds=args.seeds, workers=args.workers)
    wall = time.perf_counter() - started
    load_after = os.getloadavg()
    peak_main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    name, scenario = next(iter(scenarios.items()))
    prep = loop.prepare(province, name, scenario)
    compare = loop.run_seed(province, prep, 0, compare_cold=True).proofs
    years = []
    for year, g in compare.groupby("year", sort=True):
        rows = {str(r["mode"]): {k: (round(float(v), 6) if isinstance(v, float) else v)
                                 for k, v in r.items() if k not in ("year", "mode")}
                for r in g.to_dict(orient="records")}
        years.append({"year": int(year), **rows})
    proofs = result.placement_proofs
    out = {
        "what": "bundled province, 3 scenarios x 5 years x seeds (khcadre_sim.projection.run)",
        "staff": len(province.staff), "posts": len(province.positions),
        "scenarios": list(scenarios), "seeds": args.seeds, "workers": args.workers,
        "wall_seconds": round(wall, 2), "target_wall_seconds": 120,
        "peak_rss_mb_main": _mb(peak_main), "peak_rss_mb_largest_worker": _mb(peak_child),
        "target_rss_mb": 2048,
        "step_seconds_summed_over_runs": {k: round(v, 2) for k, v in result.seconds.items()},
        "replacements": {"total": int(len(proofs)),
                         "optimal": int((proofs["status"] == "optimal").sum()),
                         "statuses": proofs["status"].value_counts().to_dict(),
                         "largest_gap": float(proofs["gap"].max()),
                         "restricted_seconds_mean": round(float(
                             proofs.loc[proofs["mode"] == "restricted", "seconds"].mean()), 4)},
        "replacement_vs_cold_solve": years,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "note": "shared machine: wall seconds are noisy",
                    "load_average_1_5_15_min_before_run": [round(x, 2) for x in load_before],
                    "load_average_1_5_15_min_after_run": [round(x, 2) for x in load_after]},
        "headline": result.headline("en"),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

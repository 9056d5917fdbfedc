"""Placement speed: this model vs the matching floor vs a naive full MIP, in one run.

On the synthetic province scaled to ≥ 5,000 staff over the 65 communes, with every rule of the
base scenario on and a proven gap ≤ 0.1 %:

(a) ``solve_placement`` — pruned, dual-priced model (rows, LP column generation, MIP, proof);
(b) floor — SciPy's ``min_weight_full_bipartite_matching`` on the same candidate graph with the
    side rules dropped (a dummy "unplaced" post per person keeps the matching full);
(c) naive — one PuLP binary per candidate pair, every rule, CBC with the same gap.

All three start from the same scored candidate pairs (their construction is timed apart).
Peak memory of (a) is the process's maximum resident set after (a) (it runs first). The
"children" figure is the largest child's peak as the kernel reports it, which includes the forked
copy of this process before the solver starts — so for (a) it only says the CBC child stayed below
that size; for (c) the CBC child dominates. "hit_time_limit" compares the solve's wall time with
the limit; CBC checks its clock between phases, so a solve can finish (even optimally) after it.
Writes benchmarks/results/placement.json (or the file given with --out).

    python benchmarks/bench_placement.py [--scale 2.3] [--naive-time-limit 1800] [--skip-naive]
                                         [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from khcadre_sim.placement import PlacementSettings, candidates_for
from khcadre_sim.placement.formulation import build_mip, build_rows
from khcadre_sim.placement.optimize import solve_placement
from khcadre_sim.scenario import load_scenario
from khcadre_sim.solve import solve
from khcadre_sim.synth import generate_province

OUT = Path(__file__).resolve().parent / "results" / "placement.json"


def _mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0  # Linux reports KiB


def floor_matching(c) -> tuple[float, float]:
    """Seconds and objective of the pure matching on the candidate graph."""
    started = time.perf_counter()
    n, m = c.n_staff, c.n_posts
    big = float(np.abs(c.score).max()) + 1.0
    graph = sp.csr_matrix((np.concatenate([big - c.score, np.full(n, big)]),
                           (np.concatenate([c.si, np.arange(n)]),
                            np.concatenate([c.pj, m + np.arange(n)]))), shape=(n, m + n))
    r, k = min_weight_full_bipartite_matching(graph)
    objective = n * big - float(graph[r, k].sum())
    return time.perf_counter() - started, objective


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=2.3)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--solver", default="cbc")
    ap.add_argument("--naive-time-limit", type=float, default=1800.0)
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT,
                    help=f"results file (default: {OUT.relative_to(OUT.parents[2])})")
    args = ap.parse_args(argv)
    out_file: Path = args.out

    province = generate_province(seed=args.seed, scale=args.scale)
    settings = PlacementSettings.from_scenario(load_scenario())
    t0 = time.perf_counter()
    cands = candidates_for(province, settings)
    t_cand = time.perf_counter() - t0

    ours = solve_placement(cands, settings, solver=args.solver)
    t_ours = ours.seconds
    mem_self = _mb(resource.RUSAGE_SELF)
    mem_child = _mb(resource.RUSAGE_CHILDREN)

    t_floor, floor_obj = floor_matching(cands)

    naive: dict = {"skipped": True}
    if not args.skip_naive:
        t1 = time.perf_counter()
        rows = build_rows(cands, settings)
        model = build_mip(cands, rows, np.arange(cands.n_pairs), elastic=False, name="naive")
        t_build = time.perf_counter() - t1
        res = solve(model.problem, solver=args.solver, time_limit=args.naive_time_limit,
                    gap_rel=settings.gap_rel, seed=settings.seed)
        t_naive = time.perf_counter() - t1
        naive = {"seconds": round(t_naive, 3), "build_seconds": round(t_build, 3),
                 "status": str(res.status), "objective": res.objective, "bound": res.bound,
                 "gap": res.gap, "hit_time_limit": res.seconds >= args.naive_time_limit * 0.98,
                 "peak_rss_mb_process": round(_mb(resource.RUSAGE_SELF), 1),
                 "peak_rss_mb_children": round(_mb(resource.RUSAGE_CHILDREN), 1)}

    out = {
        "province": {"scale": args.scale, "seed": args.seed, "staff": int(cands.n_staff),
                     "posts": int(cands.n_posts), "communes": int(len(province.territories)),
                     "candidate_pairs": int(cands.n_pairs)},
        "rules_on": settings.enabled_rules(), "gap_rel_target": settings.gap_rel,
        "candidates_seconds": round(t_cand, 3),
        "ours": {"seconds": round(t_ours, 3), "status": str(ours.status),
                 "objective": ours.objective, "bound": ours.bound, "gap": ours.gap,
                 "solver": ours.solver, "method": ours.stats,
                 "peak_rss_mb_process": round(mem_self, 1),
                 "peak_rss_mb_children": round(mem_child, 1)},
        "floor": {"seconds": round(t_floor, 3), "objective_side_rules_dropped": floor_obj},
        "naive": naive,
        "ratios": {"ours_over_floor": round(t_ours / t_floor, 2),
                   "naive_over_ours": (round(naive["seconds"] / t_ours, 2)
                                       if "seconds" in naive else None)},
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                    "note": "2 cores shared with other jobs; times vary run to run"},
    }
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(out, indent=2, default=float) + "\n", encoding="utf-8")

    print(f"placement benchmark: {cands.n_staff:,} staff, {cands.n_posts:,} posts, "
          f"{cands.n_pairs:,} candidate pairs (built in {t_cand:.2f} s), all rules on")
    print(f"{'model':<34}{'seconds':>10}{'status':>14}{'gap':>12}")
    print(f"{'(a) ours (priced, proven)':<34}{t_ours:>10.2f}{str(ours.status):>14}"
          f"{ours.gap if ours.gap is not None else float('nan'):>12.2e}")
    print(f"{'(b) floor: SciPy matching':<34}{t_floor:>10.2f}{'no side rules':>14}{'':>12}")
    if "seconds" in naive:
        g = naive["gap"] if naive["gap"] is not None else float("nan")
        print(f"{'(c) naive PuLP+CBC, every pair':<34}{naive['seconds']:>10.2f}"
              f"{naive['status']:>14}{g:>12.2e}")
    print(f"ours / floor = {out['ratios']['ours_over_floor']}×   "
          f"naive / ours = {out['ratios']['naive_over_ours']}×   "
          f"peak memory (ours) = {mem_self:.0f} MB process + {mem_child:.0f} MB solver")
    print(f"wrote {out_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

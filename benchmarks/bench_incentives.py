"""Incentive budget speed: cohort chain (exact + 10,000 Monte Carlo draws) vs a per-person loop.

Both run the same model on the bundled Khánh Hòa province with the base scenario, 2026–2030 by
month.  The per-person, per-month loop is too slow to run 10,000 times, so it runs
``--loop-draws`` times and its time is scaled linearly to 10,000 draws (each draw is an independent
repetition of the same work, so the scaling is exact up to timer noise).  Agreement: the mean net
cost of each year from the loop and from the Monte Carlo must lie within 4.5 standard errors of
the exact expectation.

    python benchmarks/bench_incentives.py [--draws 10000] [--loop-draws 300] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

import khcadre_sim.incentives as inc
from khcadre_sim.incentives.chain import person_loop, run_chain
from khcadre_sim.io import load_province
from khcadre_sim.scenario import load_scenario

RESULTS = Path(__file__).resolve().parent / "results" / "bench_incentives.json"


def _cohorts(result, prog):
    p = result.places[(result.places["programme"] == prog.id) & (result.places["admitted"] > 0)]
    per = p.groupby("intake")["admitted"].sum()
    return per.index.to_numpy(dtype=np.int64), per.to_numpy()


def _net_by_year(out: dict[str, np.ndarray], n_years: int = 5) -> np.ndarray:
    """(years, draws) net cost from monthly measures (months, draws)."""
    net = (out["one_off_paid"] + out["monthly_paid"] - out["refund_one_off"]
           - out["refund_monthly"])
    return net[:12 * n_years].reshape(n_years, 12, -1).sum(axis=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--loop-draws", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    inputs = inc.prepare(load_province(), load_scenario())
    design = inputs.design
    horizon = 12 * (design.last_year - design.first_year + 1)

    # 1. the whole model run: places under caps, exact expectation, Monte Carlo, budget views
    full = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = inc.simulate(inputs, draws=args.draws)
        full.append(time.perf_counter() - t0)

    # 2. the same chain, without the table work: exact + draws for every programme
    chain_t, loop_t, rows = [], 0.0, []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        rng = np.random.default_rng(inputs.seed)
        for prog in design.programmes:
            intakes, places = _cohorts(result, prog)
            run_chain(prog, design.rates[prog.kind], intakes, places, inputs.base_salary,
                      horizon)
            run_chain(prog, design.rates[prog.kind], intakes, places, inputs.base_salary,
                      horizon, rng=rng, draws=args.draws)
        chain_t.append(time.perf_counter() - t0)

    # 3. the per-person, per-month loop of the same model, and agreement with the exact result
    ok = True
    for i, prog in enumerate(design.programmes):
        intakes, places = _cohorts(result, prog)
        rates = design.rates[prog.kind]
        exact = _net_by_year(run_chain(prog, rates, intakes, places, inputs.base_salary,
                                       horizon))[:, 0]
        mc = _net_by_year(run_chain(prog, rates, intakes, places, inputs.base_salary, horizon,
                                    rng=np.random.default_rng(inputs.seed + 1),
                                    draws=args.draws))
        t0 = time.perf_counter()
        loop = _net_by_year(person_loop(prog, rates, intakes, places, inputs.base_salary,
                                        horizon, args.loop_draws, seed=inputs.seed + 2 + i))
        loop_t += time.perf_counter() - t0
        for y in range(len(exact)):
            z_mc = (mc[y].mean() - exact[y]) / max(mc[y].std(ddof=1) / np.sqrt(mc.shape[1]),
                                                   1e-9)
            z_loop = (loop[y].mean() - exact[y]) / max(
                loop[y].std(ddof=1) / np.sqrt(loop.shape[1]), 1e-9)
            agree = abs(z_mc) <= 4.5 and abs(z_loop) <= 4.5
            ok &= bool(agree)
            rows.append({"programme": prog.id, "year": design.first_year + y,
                         "exact_bn": exact[y] / 1e9, "mc_mean_bn": mc[y].mean() / 1e9,
                         "loop_mean_bn": loop[y].mean() / 1e9, "z_mc": z_mc, "z_loop": z_loop,
                         "agree": bool(agree)})
    loop_scaled = loop_t * args.draws / args.loop_draws
    best_full, best_chain = min(full), min(chain_t)
    persons = int(result.places["admitted"].sum())

    print(f"Incentive budget benchmark — {persons} places, {len(design.programmes)} programmes, "
          f"{horizon} months, {args.draws:,} draws")
    print(f"{'what':<58}{'seconds':>10}")
    print(f"{'model run (places + exact + MC + views), best of ' + str(args.repeat):<58}"
          f"{best_full:>10.3f}")
    print(f"{'cohort chain only (exact + MC), best of ' + str(args.repeat):<58}"
          f"{best_chain:>10.3f}")
    print(f"{'per-person loop, ' + str(args.loop_draws) + ' draws (measured)':<58}"
          f"{loop_t:>10.3f}")
    print(f"{'per-person loop, scaled to ' + f'{args.draws:,}' + ' draws':<58}"
          f"{loop_scaled:>10.1f}")
    print(f"speed-up: {loop_scaled / best_full:,.0f}× (model run), "
          f"{loop_scaled / best_chain:,.0f}× (chain only); ≤1 s: {best_full <= 1.0}")
    print(f"{'programme':<20}{'year':>6}{'exact bn':>11}{'MC bn':>9}{'loop bn':>9}"
          f"{'z MC':>7}{'z loop':>8}")
    for r in rows:
        print(f"{r['programme']:<20}{r['year']:>6}{r['exact_bn']:>11.3f}{r['mc_mean_bn']:>9.3f}"
              f"{r['loop_mean_bn']:>9.3f}{r['z_mc']:>7.2f}{r['z_loop']:>8.2f}")
    print(f"results agree (|z| ≤ 4.5 everywhere): {ok}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "incentives", "places": persons, "programmes": len(design.programmes),
        "months": horizon, "draws": args.draws, "loop_draws_measured": args.loop_draws,
        "model_run_seconds": full, "chain_seconds": chain_t, "loop_seconds_measured": loop_t,
        "loop_seconds_scaled": loop_scaled, "speedup_model_run": loop_scaled / best_full,
        "speedup_chain": loop_scaled / best_chain, "within_1s": best_full <= 1.0,
        "agreement": rows, "all_agree": ok, "machine": platform.platform(),
        "python": platform.python_version(), "numpy": np.__version__,
    }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

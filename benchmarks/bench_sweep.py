"""Sweep speed on Dask: a 1,000-experiment incentive sweep on 1 and 2 workers, and a sweep
through a scheduler started as separate processes (``dask scheduler`` + ``dask worker``).

The sweep: the bundled Khánh Hòa province, base scenario, Latin hypercube of 500 points × 2
seeds over four incentive uncertainties and two levers (the new-talent programme's monthly
support, the commune cap), each experiment ``kh.run("incentives", …, draws=100,
curves=False)`` — 100 Monte Carlo draws instead of the default 10,000 (the smallest the key
allows) so that a thousand experiments fit in minutes; the exact expectation is unaffected.

1. LocalCluster with 1 worker, then with 2 workers (processes, one thread each), the same
   sweep in the same run; the cluster's start-up is timed apart. Speed-up = time(1) ÷ time(2).
   The two tables must be identical.
2. ``dask scheduler`` and ``dask worker --nworkers 2`` as subprocesses on a free local port,
   then ``khcadre sweep --scheduler tcp://127.0.0.1:PORT`` on a 200-experiment sweep (the
   address path of the command line).

The machine is shared: numbers are noisy. ``python benchmarks/bench_sweep.py [--points 500]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

import khcadre_sim as kh
from khcadre_sim.sweep import parse_spec, run_sweep
from khcadre_sim.sweep.analysis import prim

RESULTS = Path(__file__).resolve().parent / "results" / "bench_sweep.json"
FACTORS = {
    "uncertainties.incentives.acceptance_recruit": {},
    "uncertainties.incentives.quit_monthly_recruit": {},
    "uncertainties.incentives.evaluation_raise": {},
    "uncertainties.incentives.refund_collection": {},
    "levers.incentives.programmes[recruit_new_work].monthly": {"range": [1.0, 10.0]},
    "levers.incentives.commune_cap_share": {"range": [0.05, 0.2]},
}


def spec_dict(points: int, seeds: int) -> dict:
    return {"capability": "incentives", "design": "lhs", "samples": points, "seeds": seeds,
            "seed": 2026, "options": {"draws": 100, "curves": False}, "factors": FACTORS}


def _local(spec, province, scenario, workers: int) -> tuple[dict, object]:
    from distributed import Client, LocalCluster

    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        startup = time.perf_counter() - t0
        t1 = time.perf_counter()
        result = run_sweep(spec, province, scenario, client=client)
        seconds = time.perf_counter() - t1
    n = len(result.experiments)
    return {"workers": workers, "experiments": n, "startup_seconds": round(startup, 2),
            "sweep_seconds": round(seconds, 2),
            "experiments_per_second": round(n / seconds, 2),
            "failed": int((result.experiments["status"] != "ok").sum()),
            "load_average_1min_before_after": [round(load_before, 2),
                                               round(os.getloadavg()[0], 2)]}, result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _scheduler_run(points: int) -> dict:
    """dask scheduler + dask worker subprocesses, then the CLI with --scheduler."""
    bindir = Path(sys.executable).parent
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        log = (tmp_path / "dask.log").open("w")
        scheduler = subprocess.Popen([str(bindir / "dask"), "scheduler", "--host", "127.0.0.1",
                                      "--port", str(port), "--no-dashboard"],
                                     stdout=log, stderr=subprocess.STDOUT, env=env)
        worker = subprocess.Popen([str(bindir / "dask"), "worker", address, "--nworkers", "2",
                                   "--nthreads", "1", "--no-dashboard"],
                                  stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            from distributed import Client

            t0 = time.perf_counter()
            with Client(address, timeout="60s") as client:
                client.wait_for_workers(2, timeout=120)
            ready = time.perf_counter() - t0
            spec_file = tmp_path / "sweep.toml"
            spec_file.write_text(_toml(spec_dict(points, 2)), encoding="utf-8")
            out = tmp_path / "out"
            t1 = time.perf_counter()
            cmd = [str(bindir / "khcadre"), "sweep", "--capability", "incentives", "--spec",
                   str(spec_file), "--out", str(out), "--scheduler", address, "--lang", "en"]
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
            seconds = time.perf_counter() - t1
            exp = pd.read_parquet(out / "experiments.parquet") if done.returncode == 0 else None
            return {"address": "tcp://127.0.0.1:<free port>", "workers": 2,
                    "command": "khcadre sweep --capability incentives --spec sweep.toml "
                               "--out out --scheduler tcp://127.0.0.1:PORT",
                    "exit_code": done.returncode, "stdout": done.stdout.strip(),
                    "stderr": done.stderr.strip()[-500:],
                    "experiments": None if exp is None else len(exp),
                    "ok": None if exp is None else int((exp["status"] == "ok").sum()),
                    "workers_ready_seconds": round(ready, 2),
                    "command_seconds": round(seconds, 2)}
        finally:
            for proc in (worker, scheduler):
                proc.terminate()
            for proc in (worker, scheduler):
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
            log.close()


def _toml(d: dict) -> str:
    lines = [f'capability = "{d["capability"]}"', f'design = "{d["design"]}"',
             f'samples = {d["samples"]}', f'seeds = {d["seeds"]}', f'seed = {d["seed"]}',
             "[options]", "draws = 100", "curves = false"]
    for name, body in d["factors"].items():
        lines.append(f'[factors."{name}"]')
        if "range" in body:
            lines.append(f"range = {body['range']}")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=500)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--scheduler-points", type=int, default=100)
    args = ap.parse_args()

    province, scenario = kh.load_province(), kh.load_scenario()
    spec = parse_spec(spec_dict(args.points, args.seeds))
    one, r1 = _local(spec, province, scenario, 1)
    two, r2 = _local(spec, province, scenario, 2)
    identical = r1.results.equals(r2.results)
    wide = r2.wide()
    lever_cols = ["levers.incentives.programmes[recruit_new_work].monthly",
                  "levers.incentives.commune_cap_share"]
    fits = (wide["p95_net_max_bn"] <= wide["ceiling_min_bn"]).to_numpy()
    box = prim(wide[lever_cols + [c for c in FACTORS if c.startswith("uncertainties")]],
               fits, threshold=0.95)
    out = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "note": "shared 2-core machine; other jobs ran at the same time: noisy"},
        "sweep": {"design": "lhs", "points": args.points, "seeds": args.seeds,
                  "experiments": len(r2.experiments), "factors": list(FACTORS),
                  "draws_per_experiment": 100, "curves": False,
                  "outcomes_per_experiment": int(r2.results["outcome"].nunique())},
        "local_1_worker": one, "local_2_workers": two,
        "speedup_1_to_2_workers": round(one["sweep_seconds"] / two["sweep_seconds"], 3),
        "tables_identical_1_vs_2_workers": bool(identical),
        "share_p95_under_ceiling": round(float(fits.mean()), 4),
        "prim_box_p95_under_ceiling": {
            "coverage": round(box.box.coverage, 4), "density": round(box.box.density, 4),
            "limits": box.limits().to_dict(orient="records")},
        "scheduler_subprocesses": _scheduler_run(args.scheduler_points),
        "peak_rss_mb_this_process": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()

"""Benchmark: the national 5-year projection with one seed (issue: many futures, item 4).

Every province of the national synthetic instance (34 provinces, 3,321 commune-level units;
``khcadre synth --national`` at seed 2026) through 2026–2030 under the base scenario, seed 0,
each province a Dask task on a LocalCluster of ``--workers`` single-threaded processes
(:func:`khcadre_sim.projection.national.run_national`). Measured: wall seconds (target ≤ 600),
peak memory of the whole process tree — the main process, the Dask nannies and workers, sampled
every 0.2 s (target ≤ 8 GB) —, seconds per province, the re-placements' proofs and the
headline. SYNTHETIC data.

Run: python benchmarks/bench_national_projection.py [--workers 2]
     (writes benchmarks/results/bench_national_projection.json)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import threading
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "results" / "bench_national_projection.json"


class TreeMemory:
    """Peak resident memory of this process and all its descendants (psutil, sampled)."""

    def __init__(self, every: float = 0.2) -> None:
        import psutil

        self.root = psutil.Process()
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for p in [self.root, *self.root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def machine(load_before: tuple[float, float, float]) -> dict:
    """Python, cores and the load average before and after a run (the machine is shared)."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "note": "shared machine: wall seconds are noisy",
            "load_average_1_5_15_min_before_run": [round(x, 2) for x in load_before],
            "load_average_1_5_15_min_after_run": [round(x, 2) for x in os.getloadavg()]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    from khcadre_sim import examples
    from khcadre_sim.projection.national import run_national

    load_before = os.getloadavg()
    with TreeMemory() as mem:
        started = time.perf_counter()
        result = run_national(examples.scenario("base"), seed=0, national_seed=2026,
                              workers=args.workers)
        wall = time.perf_counter() - started
    proofs = result.placement_proofs
    out = {
        "what": "national synthetic instance (seed 2026), base scenario, seed 0, 2026-2030, "
                "each province a Dask task (khcadre_sim.projection.national.run_national)",
        "workers": args.workers, "wall_seconds": round(wall, 1), "target_wall_seconds": 600,
        "peak_memory_mb_process_tree": round(mem.peak / 2**20, 1), "target_memory_mb": 8192,
        "summary": result.summary(),
        "replacements": {"total": int(len(proofs)),
                         "optimal": int((proofs["status"] == "optimal").sum()),
                         "largest_gap": float(proofs["gap"].max())},
        "provinces": result.provinces.to_dict(orient="records"),
        "headline": result.headline("en"),
        "machine": machine(load_before),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in out.items() if k != "provinces"}, ensure_ascii=False,
                     indent=1))


if __name__ == "__main__":
    main()

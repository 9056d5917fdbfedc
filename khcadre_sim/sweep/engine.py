"""Running experiments: each one a task on Dask distributed (or in this process, one after the
other), every outcome a row.

* The province, the base scenario and the model go to the workers once (scattered to all of
  them); an experiment task carries only its factor values and seed.
* An experiment that raises is a row with ``status = "error"`` and a one-line error; the sweep
  goes on. A worker that dies takes its running tasks with it: the scheduler re-runs them on
  the other workers (and the restarted one), and as every experiment is seeded by its own
  scenario seed, the re-run gives the same numbers.
* Results come back as they finish; ``on_rows`` receives them in batches (the command line
  writes each batch to the results folder, so an interrupted sweep keeps what it finished).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import KhcadreError
from ..progress import bar
from .spec import overrides

log = logging.getLogger("khcadre")

RESULT_COLUMNS = {"experiment_id": "string", "seed": "int64", "outcome": "string",
                  "value": "float64", "status": "string", "error": "string"}
STATUS_COLUMNS = {"experiment_id": "string", "status": "string", "error": "string",
                  "seconds": "float64"}


@dataclass(frozen=True)
class Outcome:
    """What one experiment gave back."""

    experiment_id: str
    seed: int
    values: dict[str, float]
    status: str  # ok | error
    error: str
    seconds: float


def one_line(exc: BaseException) -> str:
    """An exception as one line: a user-facing problem's text, else type and first line."""
    if isinstance(exc, KhcadreError):
        text = "; ".join(str(p).lstrip(": ") for p in exc.problems)
    else:
        text = f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return text[:500]


def evaluate(model: Any, province: Any, scenario: Any, experiment_id: str,
             values: dict[str, Any], seed: int) -> Outcome:
    """Run one experiment; any exception becomes an error outcome (never raised)."""
    started = time.perf_counter()
    try:
        changed = scenario.with_overrides(overrides(scenario, values, seed), source="sweep")
        out = model(province, changed, int(seed))
        return Outcome(experiment_id, int(seed), {str(k): float(v) for k, v in out.items()},
                       "ok", "", time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - recorded as the experiment's row
        return Outcome(experiment_id, int(seed), {}, "error", one_line(exc),
                       time.perf_counter() - started)


def rows(outcomes: list[Outcome], keep: tuple[str, ...] = ()) -> tuple[pd.DataFrame,
                                                                        pd.DataFrame]:
    """Tidy results (one row per experiment × outcome; a failed experiment is one row with no
    outcome) and the status of each experiment."""
    out: dict[str, list] = {c: [] for c in RESULT_COLUMNS}
    for o in outcomes:
        items = [(k, v) for k, v in sorted(o.values.items()) if not keep or k in keep]
        if o.status != "ok":
            items = [("", float("nan"))]
        for name, value in items:
            out["experiment_id"].append(o.experiment_id)
            out["seed"].append(o.seed)
            out["outcome"].append(name)
            out["value"].append(value)
            out["status"].append(o.status)
            out["error"].append(o.error)
    results = pd.DataFrame({c: pd.Series(v, dtype=RESULT_COLUMNS[c]) for c, v in out.items()})
    status = pd.DataFrame({
        "experiment_id": pd.Series([o.experiment_id for o in outcomes], dtype="string"),
        "status": pd.Series([o.status for o in outcomes], dtype="string"),
        "error": pd.Series([o.error for o in outcomes], dtype="string"),
        "seconds": pd.Series([o.seconds for o in outcomes], dtype="float64")})
    return results, status


# ------------------------------------------------------------------------------ executors

@contextlib.contextmanager
def dask_client(workers: int = 2, scheduler: str | None = None, processes: bool = True
                ) -> Iterator[Any]:
    """A Dask client: on the scheduler at ``scheduler`` (an existing cluster), else on a
    LocalCluster of ``workers`` single-threaded workers (processes unless ``processes=False``).
    """
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise KhcadreError(f"cannot reach the Dask scheduler at {scheduler} ({exc}) — fix: "
                               "start it (`dask scheduler`) or give the right --scheduler "
                               "address, e.g. tcp://127.0.0.1:8786") from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                      dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        yield client


def _batches(items: list[Outcome], size: int) -> Iterator[list[Outcome]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def run_experiments(model: Any, province: Any, scenario: Any, design: pd.DataFrame,
                    factors: list[str], *, client: Any = None,
                    on_rows: Callable[[list[Outcome]], None] | None = None,
                    on_outcome: Callable[[Outcome], None] | None = None,
                    batch: int = 50) -> list[Outcome]:
    """Run every experiment of ``design`` (columns experiment_id, seed and the factors) with
    ``model``; on ``client`` (a dask.distributed Client) or, without one, here one by one.
    Returns the outcomes in the order of ``design``."""
    tasks = [(str(r["experiment_id"]), {f: _plain(r[f]) for f in factors}, int(r["seed"]))
             for r in design.to_dict(orient="records")]
    order = {t[0]: i for i, t in enumerate(tasks)}
    done: list[Outcome] = []
    pending: list[Outcome] = []

    def collect(o: Outcome) -> None:
        done.append(o)
        pending.append(o)
        if on_rows is not None and len(pending) >= batch:
            on_rows(list(pending))
            pending.clear()
        if on_outcome is not None:
            on_outcome(o)

    with bar(len(tasks), ("Thí nghiệm", "Experiments")) as progress:
        if client is None:
            for eid, values, seed in tasks:
                collect(evaluate(model, province, scenario, eid, values, seed))
                progress.update()
        else:
            from distributed import as_completed

            shared = client.scatter([model, province, scenario], broadcast=True)
            futures = {client.submit(evaluate, *shared, eid, values, seed,
                                     key=f"khcadre-experiment-{eid}", pure=False): (eid, seed)
                       for eid, values, seed in tasks}
            for future in as_completed(futures):
                eid, seed = futures[future]
                if future.status == "finished":
                    collect(future.result())
                else:  # lost beyond the scheduler's retries (e.g. workers killed repeatedly)
                    collect(Outcome(eid, seed, {}, "error", one_line(future.exception()),
                                    float("nan")))
                future.release()
                progress.update()
    if on_rows is not None and pending:
        on_rows(list(pending))
    return sorted(done, key=lambda o: order[o.experiment_id])


def _plain(v: Any) -> Any:
    """numpy / pandas scalars as plain Python (TOML-valid scenario values)."""
    if v is pd.NA:
        return None
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v

"""Sweeps: many experiments over scenario keys × seeds, on Dask distributed.

Typical use::

    from khcadre_sim.sweep import load_spec, run_sweep
    spec = load_spec("sweep.toml")                         # or parse_spec({...})
    result = run_sweep(spec, province, scenario, workers=2) # LocalCluster of 2 workers
    result.wide()      # one row per experiment: factor values, status and every outcome
    result.results     # tidy: experiment × outcome

``out=DIR`` writes (and resumes) a results folder (:mod:`.store`); ``client=`` uses a Dask
client you already have, ``scheduler="tcp://host:8786"`` an existing cluster; with neither
``workers`` nor ``scheduler`` nor ``client`` the experiments run here, one after the other
(the same numbers: every experiment is seeded by its own scenario seed).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ScenarioError
from .design import experiments as design_of
from .engine import STATUS_COLUMNS, Outcome, dask_client, rows, run_experiments
from .models import model_for
from .spec import SweepSpec, check_against
from .store import KIND, SweepFolder


@dataclass
class SweepResult:
    """A finished sweep: the spec, every experiment (scenario values, status) and the tidy
    results."""

    spec: SweepSpec
    experiments: pd.DataFrame
    results: pd.DataFrame
    ran: int  # experiments run by this call (the others were already in the folder)
    seconds: float

    @property
    def factors(self) -> list[str]:
        return [f.name for f in self.spec.factors]

    def wide(self) -> pd.DataFrame:
        """One row per experiment: its values, status and one column per outcome."""
        ok = self.results[self.results["status"] == "ok"]
        table = ok.pivot_table(index="experiment_id", columns="outcome", values="value",
                               aggfunc="first", observed=True) if len(ok) else pd.DataFrame()
        table.columns = [str(c) for c in table.columns]
        out = self.experiments.merge(table, left_on="experiment_id", right_index=True,
                                     how="left")
        return out.reset_index(drop=True)

    def failed(self) -> pd.DataFrame:
        return self.experiments[self.experiments["status"] != "ok"].reset_index(drop=True)

    def summary(self) -> dict[str, Any]:
        st = self.experiments["status"]
        return {"capability": self.spec.capability, "design": self.spec.design,
                "factors": self.factors, "experiments": int(len(self.experiments)),
                "ok": int((st == "ok").sum()), "failed": int((st != "ok").sum()),
                "ran_now": self.ran, "outcomes": int(self.results["outcome"].nunique())}


def fingerprint(spec: SweepSpec, province: Any, scenario: Any) -> str:
    """What a resumed folder must share with this sweep: the spec, the scenario and the data."""
    text = json.dumps({"spec": spec.fingerprint(), "scenario": scenario.to_dict(),
                       "data": getattr(province, "source", "")}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def run_sweep(spec: SweepSpec, province: Any, scenario: Any, *, out: str | Path | None = None,
              client: Any = None, workers: int | None = None, scheduler: str | None = None,
              processes: bool = True, command: str = "khcadre_sim.sweep.run_sweep",
              protect: Iterable[tuple[str, Path]] = (), force: bool = False, batch: int = 50,
              on_outcome: Callable[[Outcome], None] | None = None) -> SweepResult:
    """Run the sweep ``spec`` on ``province`` from ``scenario`` (see the module doc)."""
    started = time.perf_counter()
    try:
        model = model_for(spec.capability, spec.options)
    except KeyError as exc:
        raise _unknown_capability(spec, exc) from None
    check_against(spec, scenario)
    design = design_of(spec, int(scenario.seed))
    factors = [f.name for f in spec.factors]
    if client is not None or (workers is None and scheduler is None):
        executor: Any = contextlib.nullcontext(client)
    else:  # connect first: an unreachable scheduler leaves --out as it was
        executor = dask_client(workers or 1, scheduler, processes)
    with executor as c:
        folder = None
        done: set[str] = set()
        if out is not None:
            info = {"kind": KIND, "fingerprint": fingerprint(spec, province, scenario),
                    "spec": spec.to_dict(), "spec_file": spec.source, "scenario": scenario.name,
                    "scenario_files": scenario.files, "data": getattr(province, "source", ""),
                    "synthetic_staff_data": bool(getattr(province, "synthetic", False))}
            folder = SweepFolder(out, command, info, protect, force)
            _, status = folder.open(design)
            done = set(status.loc[status["status"] == "ok", "experiment_id"])
        todo = design[~design["experiment_id"].isin(done)]
        on_rows = (lambda batch_: folder.add(batch_, spec.outcomes)) if folder else None
        outcomes = run_experiments(model, province, scenario, todo, factors, client=c,
                                   on_rows=on_rows, on_outcome=on_outcome, batch=batch)
    if folder is not None:
        st = pd.Series([o.status for o in outcomes])
        results, experiments = folder.close(design, {
            "ran_now": len(outcomes), "failed_now": int((st != "ok").sum())})
    else:
        results, status = rows(outcomes, spec.outcomes)
        experiments = design.merge(status, on="experiment_id", how="left", validate="1:1")
        experiments = experiments.astype(dict(STATUS_COLUMNS))
    return SweepResult(spec, experiments, results, len(outcomes),
                       time.perf_counter() - started)


def _unknown_capability(spec: SweepSpec, exc: KeyError) -> ScenarioError:
    from ..errors import Problem

    return ScenarioError(Problem(file=spec.source, column="capability", message=str(exc.args[0]),
                                 fix="name a capability of the registry, e.g. incentives"))

"""A sweep's results folder: created whole, grown batch by batch, consolidated at the end.

Files (all Parquet tables with declared dtypes, plus JSON):

* ``sweep.json`` — the spec, its fingerprint, the base scenario and data, the counts;
* ``experiments.parquet`` — every experiment: ``experiment_id``, ``point``, ``seed``, one column
  per factor (the scenario values), ``status``, ``error``, ``seconds``;
* ``results.parquet`` — tidy: one row per experiment × outcome (``experiment_id``, ``seed``,
  ``outcome``, ``value``, ``status``, ``error``);
* ``parts/part-NNNNN.parquet`` — while a sweep runs, each finished batch (results and status);
  merged into the two tables when it ends.

A re-run on the same folder with the same spec skips the experiments that finished (``ok``) and
runs the rest (failed ones again). Every write goes through :mod:`khcadre_sim.outputs`: the folder
is created by one rename, batches are added with the marker kept true
(:func:`khcadre_sim.outputs.add_file`), and the consolidated folder replaces it by one rename.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import KhcadreError, Problem
from ..outputs import MARKER, _marker, add_file, check_target, output_dir
from .engine import RESULT_COLUMNS, STATUS_COLUMNS, Outcome, rows

KIND = "khcadre-sweep"
PARTS = "parts"


def _typed(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(frame.get(c, []), dtype=t).reset_index(
        drop=True) for c, t in columns.items()})


def read_folder(target: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Results and statuses already in a sweep folder (consolidated tables and parts)."""
    results, status = [], []
    if (target / "results.parquet").is_file():
        results.append(pd.read_parquet(target / "results.parquet"))
        exp = pd.read_parquet(target / "experiments.parquet")
        status.append(exp[exp["status"].notna()][list(STATUS_COLUMNS)])
    for part in sorted((target / PARTS).glob("results-*.parquet")):
        results.append(pd.read_parquet(part))
        status.append(pd.read_parquet(target / PARTS / part.name.replace("results-",
                                                                          "status-")))
    res = _typed(pd.concat(results, ignore_index=True), RESULT_COLUMNS) if results else \
        _typed(pd.DataFrame(), RESULT_COLUMNS)
    st = _typed(pd.concat(status, ignore_index=True), STATUS_COLUMNS) if status else \
        _typed(pd.DataFrame(), STATUS_COLUMNS)
    # a later batch supersedes an earlier row of the same experiment (a failed one re-run)
    st = st.drop_duplicates("experiment_id", keep="last")
    latest = set(zip(st["experiment_id"], st["status"], strict=True))
    keep = [(e, s) in latest for e, s in zip(res["experiment_id"], res["status"], strict=True)]
    res = res[keep].drop_duplicates(["experiment_id", "outcome"], keep="last")
    return res.reset_index(drop=True), st.reset_index(drop=True)


def sweep_info(target: Path) -> dict[str, Any] | None:
    """The ``sweep.json`` of a khcadre sweep folder (None if ``target`` is not one)."""
    marker = _marker(target) if target.is_dir() else None
    if marker is None or "sweep.json" not in marker["files"]:
        return None
    try:
        info = json.loads((target / "sweep.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and info.get("kind") == KIND else None


class SweepFolder:
    """The results folder of one sweep (see the module doc)."""

    def __init__(self, out: str | Path, command: str, info: dict[str, Any],
                 protect: Iterable[tuple[str, Path]] = (), force: bool = False) -> None:
        self.out, self.command, self.info = Path(out), command, info
        self.protect, self.force = list(protect), force
        self._part = 0

    def open(self, design: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Create the folder (spec and planned experiments) or, when it holds this same sweep,
        keep it; return what it already holds (results, statuses)."""
        target = check_target(self.out, self.protect, self.force)
        found = sweep_info(target)
        if found is not None and found.get("fingerprint") == self.info["fingerprint"] and \
                not self._foreign(target):
            results, status = read_folder(target)
            self._part = len(list((target / PARTS).glob("results-*.parquet")))
            return results, status
        if found is not None and not self.force:
            raise KhcadreError(Problem(
                file=str(self.out), column="--out",
                message="holds the results of a different sweep (its spec, scenario or data "
                        "differ)", fix="give --out a new folder, or add --force to start over"))
        with output_dir(self.out, command=self.command, protect=self.protect,
                        force=self.force) as tmp:
            self._write_info(tmp, {"status": "running"})
            design.to_parquet(tmp / "experiments.parquet", index=False)
        return _typed(pd.DataFrame(), RESULT_COLUMNS), _typed(pd.DataFrame(), STATUS_COLUMNS)

    def _foreign(self, target: Path) -> bool:
        marker = _marker(target) or {"files": []}
        listed = set(marker["files"]) | {MARKER}
        return any(p.is_file() and str(p.relative_to(target)) not in listed
                   for p in target.rglob("*"))

    def _write_info(self, folder: Path, extra: dict[str, Any]) -> None:
        (folder / "sweep.json").write_text(
            json.dumps({**self.info, **extra}, ensure_ascii=False, indent=1, default=str) + "\n",
            encoding="utf-8")

    def add(self, outcomes: list[Outcome], keep: tuple[str, ...] = ()) -> None:
        """Keep a finished batch in the folder (two small Parquet files)."""
        results, status = rows(outcomes, keep)
        self._part += 1
        name = f"{self._part:05d}.parquet"
        add_file(self.out, f"{PARTS}/results-{name}",
                 lambda p: results.to_parquet(p, index=False), protect=self.protect)
        add_file(self.out, f"{PARTS}/status-{name}",
                 lambda p: status.to_parquet(p, index=False), protect=self.protect)

    def close(self, design: pd.DataFrame, summary: dict[str, Any]) -> tuple[pd.DataFrame,
                                                                             pd.DataFrame]:
        """Merge the batches into ``results.parquet`` and ``experiments.parquet`` (one rename
        replaces the folder); returns (results, experiments with their status)."""
        target = check_target(self.out, self.protect, False)
        results, status = read_folder(target)
        planned = set(design["experiment_id"])
        results = results[results["experiment_id"].isin(planned)].sort_values(
            ["experiment_id", "outcome"], kind="stable").reset_index(drop=True)
        experiments = design.merge(status, on="experiment_id", how="left", validate="1:1")
        experiments = experiments.astype({c: t for c, t in STATUS_COLUMNS.items()})
        with output_dir(self.out, command=self.command, protect=self.protect,
                        force=False) as tmp:
            self._write_info(tmp, {"status": "complete", **summary})
            experiments.to_parquet(tmp / "experiments.parquet", index=False)
            results.to_parquet(tmp / "results.parquet", index=False)
        return results, experiments

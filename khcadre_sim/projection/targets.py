"""The resolution's targets (Part Two, I.2) and whether a projection meets them, year by year.

The targets are data: ``data/policy/targets.toml`` (each in the resolution's own words, with an
English rendering, the indicator measuring it, the comparison and the threshold). A target
without a number in the resolution ("Tăng tỷ lệ …") has ``baseline = true``: its threshold is the
indicator's value before the projection (the start of 2026), and it is flagged ``no_number``.

A target is **met** in a year when the median over seeds (P50) meets it; ``share_met`` is the
share of seeds that meet it; ``margin`` = P50 − threshold, signed so that positive = met.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataValidationError, Problem
from ..paths import DATA
from .indicators import INDICATORS

TARGETS_FILE = DATA / "policy" / "targets.toml"
COMPARISONS = (">=", "<=", ">", "<")
TABLE: dict[str, Any] = {"scenario": "string", "year": "int64", "target": "string",
                         "indicator": "string", "comparison": "string",
                         "threshold": "float64", "p50": "float64", "share_met": "float64",
                         "met": "bool", "margin": "float64"}


@dataclass(frozen=True)
class Target:
    id: str
    text_vi: str
    text_en: str
    indicator: str
    comparison: str
    threshold: float | None  # None: the baseline
    baseline: bool
    no_number: bool
    measured: bool
    note: str = ""


def load_targets(path: str | Path | None = None) -> list[Target]:
    """The targets file (the bundled one unless ``path``), checked."""
    path = Path(path) if path is not None else TARGETS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataValidationError(Problem(file=str(path), message=f"cannot read ({exc})",
                                          fix="give a TOML file of [[target]] tables")) from None
    out, problems = [], []
    for k, t in enumerate(data.get("target", [])):
        where = f"target #{k + 1} ({t.get('id', '?')})"
        measured = bool(t.get("measured", True))
        if measured and t.get("indicator") not in INDICATORS:
            problems.append(Problem(file=path.name, column="indicator", message=f"{where}: "
                                    f"unknown indicator {t.get('indicator')!r}",
                                    fix="use an id of khcadre_sim.projection.indicators"))
            continue
        if t.get("comparison") not in COMPARISONS:
            problems.append(Problem(file=path.name, column="comparison", message=f"{where}: "
                                    f"comparison {t.get('comparison')!r}",
                                    fix="one of " + ", ".join(COMPARISONS)))
            continue
        baseline = bool(t.get("baseline", False))
        if measured and not baseline and not isinstance(t.get("threshold"), int | float):
            problems.append(Problem(file=path.name, column="threshold", message=f"{where}: "
                                    "no threshold", fix="give a threshold or baseline = true"))
            continue
        out.append(Target(str(t["id"]), str(t.get("text_vi", "")), str(t.get("text_en", "")),
                          str(t.get("indicator", "")), str(t["comparison"]),
                          None if baseline or not measured else float(t["threshold"]),
                          baseline, bool(t.get("no_number", False)), measured,
                          str(t.get("note", ""))))
    if problems:
        raise DataValidationError(problems)
    return out


def meets(value: np.ndarray | float, comparison: str, threshold: float) -> np.ndarray:
    """Whether ``value`` meets ``comparison threshold`` (NaN never meets)."""
    v = np.asarray(value, dtype=float)
    with np.errstate(invalid="ignore"):
        return {">=": v >= threshold - 1e-12, "<=": v <= threshold + 1e-12, ">": v > threshold,
                "<": v < threshold}[comparison] & np.isfinite(v)


def margin(value: float, comparison: str, threshold: float) -> float:
    """``value − threshold`` signed so that positive = met (for > and >=)."""
    return float(value - threshold) if comparison in (">=", ">") else float(threshold - value)


def assess(indicators: pd.DataFrame, targets: list[Target],
           baseline: dict[str, float]) -> pd.DataFrame:
    """The targets table (:data:`TABLE`): per scenario, year and measured target, at the
    province scope. ``baseline``: indicator → value before the projection."""
    prov = indicators[indicators["scope"] == "province"]
    rows = []
    for t in (t for t in targets if t.measured):
        threshold = baseline.get(t.indicator, np.nan) if t.baseline else t.threshold
        mine = prov[prov["indicator"] == t.indicator]
        for (scenario, year), g in mine.groupby(["scenario", "year"], sort=True):
            values = g["value"].to_numpy(dtype=float)
            p50 = float(np.median(values)) if len(values) else np.nan
            ok = bool(meets(p50, t.comparison, threshold)) if np.isfinite(threshold) else False
            rows.append((scenario, int(year), t.id, t.indicator, t.comparison, threshold, p50,
                         float(meets(values, t.comparison, threshold).mean()) if
                         np.isfinite(threshold) else 0.0, ok,
                         margin(p50, t.comparison, threshold)))
    return pd.DataFrame(rows, columns=list(TABLE)).astype(TABLE)


def to_records(targets: list[Target]) -> list[dict[str, Any]]:
    return [t.__dict__.copy() for t in targets]

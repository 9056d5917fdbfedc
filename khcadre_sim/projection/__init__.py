"""The 2026–2030 projection: a seeded yearly loop composing the people mechanisms, review,
placement, workload and incentives; indicators recomputed from the event log; the
resolution's targets year by year.

Public API (imported on first use, so that ``khcadre --help`` stays quick)::

    result = run(province, {"A": scenario_a, "B": scenario_b}, seeds=20)
    result.indicators, result.bands, result.targets, result.events
    INDICATORS  # id → (label vi, label en, unit, description)
"""

from __future__ import annotations

from typing import Any

__all__ = ["INDICATORS", "ProjectionResult", "load_targets", "run"]


def __getattr__(name: str) -> Any:
    if name in ("ProjectionResult", "run"):
        from . import api

        return getattr(api, name)
    if name == "INDICATORS":
        from .indicators import INDICATORS

        return INDICATORS
    if name == "load_targets":
        from .targets import load_targets

        return load_targets
    raise AttributeError(name)

"""The 2026–2030 projection (issue: one connected simulation): a seeded yearly loop composing
the people mechanisms, review, placement, workload and incentives; indicators recomputed from
the event log; the resolution's targets year by year.

Public API::

    result = run(province, {"A": scenario_a, "B": scenario_b}, seeds=20)
    result.indicators, result.bands, result.targets, result.events
"""

from .api import ProjectionResult, run
from .indicators import INDICATORS
from .targets import load_targets

__all__ = ["INDICATORS", "ProjectionResult", "load_targets", "run"]

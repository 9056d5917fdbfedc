"""Placement optimizer — "right person, right job, right territory" (Resolution §II.2).

Public API::

    result = run(province, scenario)            # best placement under the scenario's rules
    result.assignments, result.vacancies, result.surplus, result.candidates_frame()
    result.summary(), result.tables(), result.figures("vi")
    prices = price_rules(province, scenario)    # objective lost by switching each rule on
    settings = PlacementSettings.from_scenario(scenario)  # settings.move_caps.total, …

The objective is the sum of the scores of the assigned pairs; the score is documented in
:mod:`khcadre_sim.placement.scoring` and docs/placement.md.
"""

from .api import (
    PlacementResult,
    baseline_comparison,
    candidates_for,
    manager_diversity,
    manager_floors,
    place,
    price_rules,
    run,
)
from .optimize import matching_pairs
from .scoring import build_candidates
from .settings import RULES, PlacementSettings

__all__ = ["RULES", "PlacementResult", "PlacementSettings", "baseline_comparison",
           "build_candidates", "candidates_for", "manager_diversity", "manager_floors",
           "matching_pairs", "place", "price_rules", "run"]

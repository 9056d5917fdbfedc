"""Competency framework review (Resolution §II.1, §II.6).

Public API::

    result = run(province, scenario)           # ReviewResult
    result.warnings, result.by_commune …       # tables; result.figures(lang); result.summary()
"""

from .api import GROUPS, GroupWeights, ReviewResult, ReviewSettings, review, run

__all__ = ["GROUPS", "GroupWeights", "ReviewResult", "ReviewSettings", "review", "run"]

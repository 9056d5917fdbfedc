"""Competency framework review (Resolution §II.1, §II.6).

Public API::

    result = run(province, scenario)           # ReviewResult
    result.warnings, result.by_commune …       # tables; result.figures(lang); result.summary()
    vacancy_rates(province, by="area_class")   # posts without a holder today, by group
"""

from .api import GROUPS, GroupWeights, ReviewResult, ReviewSettings, review, run, vacancy_rates

__all__ = ["GROUPS", "GroupWeights", "ReviewResult", "ReviewSettings", "review", "run",
           "vacancy_rates"]

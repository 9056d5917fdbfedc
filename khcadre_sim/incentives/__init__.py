"""Incentive budget (Resolution §II.8): what talent attraction and support programmes cost,
year by year 2026–2030, under beneficiary caps — exact expectation, uncertainty bands, and the
largest design that fits a budget ceiling.

Typical use::

    result = run(province, scenario)           # budget, ceiling solver, curves (the capability)
    inputs = prepare(province, scenario)
    budget = simulate(inputs)                  # exact + 10,000 Monte Carlo draws
    budget.by_year                             # year × programme × measure with P5/P50/P95
    largest_monthly_scale(budget, 20e9)        # monthly support that keeps P95 ≤ 20 bn a year

Model layers: :mod:`.spec` (scenario → typed programmes), :mod:`.places` (caps, waitlist),
:mod:`.chain` (the cohort Markov chain), :mod:`.budget` (views and solvers), :mod:`.report`
(workbook, figures), :mod:`.api` (the capability).
"""

from .api import (
    AMOUNT_GRID,
    CAP_GRID,
    IncentiveInputs,
    IncentivesResult,
    base_salary_by_month,
    cost_curve_caps,
    largest_recruits,
    prepare,
    run,
    sensitivity,
    simulate,
    summary_table,
)
from .budget import (
    BudgetResult,
    CeilingAnswer,
    cost_curve_amounts,
    largest_amount_scale,
    largest_monthly_scale,
    salary_fund_by_year,
)
from .chain import person_loop, run_chain
from .places import apply_caps, plan_places, staff_counts
from .report import (
    plot_amount_curve,
    plot_cap_curve,
    plot_cost_by_year,
    plot_refunds,
    plot_sensitivity,
    write_workbook,
)
from .spec import AFTER_COMMITMENT, CAUSES, Design, Programme, Rates, design_from_scenario

__all__ = [
    "AFTER_COMMITMENT", "AMOUNT_GRID", "CAP_GRID", "CAUSES", "BudgetResult", "CeilingAnswer",
    "Design", "IncentiveInputs", "IncentivesResult", "Programme", "Rates", "apply_caps",
    "base_salary_by_month", "cost_curve_amounts", "cost_curve_caps", "design_from_scenario",
    "largest_amount_scale", "largest_monthly_scale", "largest_recruits", "person_loop",
    "plan_places", "plot_amount_curve", "plot_cap_curve", "plot_cost_by_year", "plot_refunds",
    "plot_sensitivity", "prepare", "run", "run_chain", "salary_fund_by_year", "sensitivity",
    "simulate", "staff_counts", "summary_table", "write_workbook",
]

"""Incentive budget (Resolution §II.8): what talent attraction and support programmes cost,
year by year 2026–2030, under beneficiary caps — exact expectation, uncertainty bands, and the
largest design that fits a budget ceiling.

Typical use::

    result = run(province, scenario)           # the capability: budget, ceiling solver, curves
    inputs = prepare(province, scenario)       # the design with its tables and dated money
    budget = simulate(inputs)                  # exact + 10,000 Monte Carlo draws
    budget.view("net_cost")                    # by year: expected, P5/P50/P95 (all programmes)
    largest_monthly_scale(budget, 20e9)        # monthly support that keeps P95 ≤ 20 bn a year
    cost_curve_caps(inputs)                    # the same design under other commune caps
    sensitivity(inputs)                        # each uncertain rate at the ends of its range
    compare_designs({"base": result, "lean": other})   # one row per design
    base_salary(scenario, dt.date(2026, 7, 1))         # the dated base salary, VND/month

Model layers: :mod:`.spec` (scenario → typed programmes), :mod:`.places` (caps, waitlist),
:mod:`.chain` (the cohort Markov chain), :mod:`.budget` (views and solvers), :mod:`.report`
(labels, workbook), :mod:`.plots` (figures), :mod:`.api` (the capability).
"""

from .api import (
    IncentivesResult,
    base_salary,
    base_salary_by_month,
    compare_designs,
    prepare,
    run,
    summary_table,
)
from .budget import (
    AMOUNT_GRID,
    CAP_GRID,
    BudgetResult,
    CeilingAnswer,
    IncentiveInputs,
    cost_curve_amounts,
    cost_curve_caps,
    largest_amount_scale,
    largest_monthly_scale,
    largest_recruits,
    salary_fund_by_year,
    sensitivity,
    simulate,
)
from .chain import person_loop, run_chain
from .places import apply_caps, plan_places, staff_counts
from .plots import (
    plot_amount_curve,
    plot_cap_curve,
    plot_cost_by_year,
    plot_refunds,
    plot_sensitivity,
)
from .report import write_workbook
from .spec import (
    AFTER_COMMITMENT,
    CAUSES,
    Design,
    Programme,
    Rates,
    design_from_scenario,
    rate_ranges,
)

__all__ = [
    "AFTER_COMMITMENT", "AMOUNT_GRID", "CAP_GRID", "CAUSES", "BudgetResult", "CeilingAnswer",
    "Design", "IncentiveInputs", "IncentivesResult", "Programme", "Rates", "apply_caps",
    "base_salary", "base_salary_by_month", "compare_designs", "cost_curve_amounts",
    "cost_curve_caps", "design_from_scenario",
    "largest_amount_scale", "largest_monthly_scale", "largest_recruits", "person_loop",
    "plan_places", "plot_amount_curve", "plot_cap_curve", "plot_cost_by_year", "plot_refunds",
    "plot_sensitivity", "prepare", "rate_ranges", "run", "run_chain", "salary_fund_by_year",
    "sensitivity", "simulate", "staff_counts", "summary_table", "write_workbook",
]

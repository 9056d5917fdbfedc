"""Incentive budget (Resolution §II.8): what talent attraction and support programmes cost,
year by year 2026–2030, under beneficiary caps — exact expectation, uncertainty bands, and the
largest design that fits a budget ceiling.

Typical use::

    inputs = prepare(load_province(), load_scenario())
    result = run(inputs)                       # exact + 10,000 Monte Carlo draws
    result.by_year                             # year × programme × measure with P5/P50/P95
    largest_monthly_scale(result, 20e9)        # monthly support that keeps P95 ≤ 20 bn a year

Model layers: :mod:`.spec` (scenario → typed programmes), :mod:`.places` (caps, waitlist),
:mod:`.chain` (the cohort Markov chain), :mod:`.budget` (views and solvers), :mod:`.report`
(workbook, figures).

How the model reads §II.8 ("Người được hưởng chính sách thu hút phải cam kết thời gian công tác;
định kỳ đánh giá hiệu quả công việc làm căn cứ tiếp tục, điều chỉnh hoặc chấm dứt chính sách;
trường hợp không hoàn thành nhiệm vụ hoặc tự ý nghỉ việc phải hoàn trả kinh phí hỗ trợ theo quy
định"):

* **Refunds by cause.**  Support ends for one of five causes — quit by choice ("tự ý nghỉ việc"),
  failed duties ("không hoàn thành nhiệm vụ": a failed evaluation or a monthly hazard),
  retirement, death or ill health, transfer by the state (điều động, chuyển công tác) — each with
  its own monthly hazard (``[uncertainties.incentives]``).  Only the causes in a programme's
  ``refund_causes`` owe a refund, and only within the commitment; the default is exactly the
  resolution's two, ``["quit", "fail_duties"]``.
* **After the commitment.**  The resolution does not say that support stops when the commitment
  ends; it makes periodic evaluation the basis to continue, adjust or end it.  The project's
  reading of that silence is the default ``after_commitment = "continue_while_evaluations_pass"``:
  support goes on, evaluations keep raising, lowering or ending it, and leaving then owes no
  refund; ``"stop"`` ends support with the commitment.  Support paid after a commitment is in the
  yearly views (``post_commitment_paid``, part of ``monthly_paid``) but not in the whole-commitment
  views of ``per_retained`` ("cost per person retained to the end of the commitment"), which
  show it apart for 2026–2030 (``post_commitment_paid_in_horizon``).
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..argtypes import whole_number
from .budget import (
    BudgetResult,
    CeilingAnswer,
    cost_curve_amounts,
    salary_fund_by_year,
)
from .budget import cost_curve_caps as _cost_curve_caps
from .budget import largest_amount_scale as largest_amount_scale
from .budget import largest_monthly_scale as largest_monthly_scale
from .budget import largest_recruits as _largest_recruits
from .budget import run_budget as _run_budget
from .budget import sensitivity as _sensitivity
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
    "AFTER_COMMITMENT", "CAUSES", "BudgetResult", "CeilingAnswer", "Design", "IncentiveInputs",
    "Programme", "Rates",
    "add_arguments", "apply_caps", "base_salary_by_month", "cost_curve_amounts",
    "cost_curve_caps", "design_from_scenario", "largest_amount_scale", "largest_monthly_scale",
    "largest_recruits",
    "person_loop", "plan_places", "plot_amount_curve", "plot_cap_curve", "plot_cost_by_year",
    "plot_refunds", "plot_sensitivity", "prepare", "run", "run_chain", "salary_fund_by_year",
    "sensitivity", "staff_counts", "summary_table", "write_outputs", "write_workbook",
]

CAP_GRID = (0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.15, 0.20)
AMOUNT_GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)


@dataclass(frozen=True)
class IncentiveInputs:
    """A validated design with the tables and dated money it runs on."""

    design: Design
    territories: pd.DataFrame
    positions: pd.DataFrame
    staff: pd.DataFrame
    base_salary: np.ndarray  # VND per month from January of the first year
    talent_share: np.ndarray  # share of the salary fund for talent, per year
    seed: int
    scenario_name: str = ""

    def with_design(self, design: Design) -> IncentiveInputs:
        return replace(self, design=design)


def base_salary_by_month(params, first_year: int, n_months: int) -> np.ndarray:
    """Base salary (VND/month) in force on the 1st of each month from January of first_year."""
    return np.array([params.value("base_salary", dt.date(first_year + m // 12, m % 12 + 1, 1))
                     for m in range(n_months)], dtype=float)


def prepare(province, scenario) -> IncentiveInputs:
    """Validate the scenario's incentive sections against the province; gather dated money."""
    from ..io import load_fields

    design = design_from_scenario(scenario, known_fields=set(load_fields()["field"]))
    n_years = design.last_year - design.first_year + 1
    longest = max(p.commitment_months for p in design.programmes)
    base = base_salary_by_month(scenario.params, design.first_year, 12 * n_years + longest)
    share = np.array([scenario.params.value("talent_budget_share_of_salary_fund",
                                            dt.date(y, 1, 1))
                      for y in range(design.first_year, design.last_year + 1)])
    return IncentiveInputs(design, province.territories, province.positions, province.staff,
                           base, share, int(scenario.seed), str(getattr(scenario, "name", "")))


def run(inputs: IncentiveInputs, draws: int | None = None,
        commune_cap_share: float | None = None) -> BudgetResult:
    """Exact expectation and Monte Carlo bands of the design (``draws`` default: scenario's)."""
    return _run_budget(inputs.design, inputs.territories, inputs.positions, inputs.staff,
                       inputs.base_salary, inputs.talent_share, inputs.seed, draws,
                       commune_cap_share)


def cost_curve_caps(inputs: IncentiveInputs, shares=CAP_GRID, draws: int = 2000) -> pd.DataFrame:
    """Net cost by year, places and waitlist against the commune cap share (same seed each)."""
    return _cost_curve_caps(inputs.design, inputs.territories, inputs.positions, inputs.staff,
                            inputs.base_salary, inputs.talent_share, np.asarray(shares),
                            inputs.seed, draws)


def largest_recruits(inputs: IncentiveInputs, programme: str, ceiling_vnd: float,
                     draws: int = 2000, upper: int = 2000) -> CeilingAnswer:
    """Largest offers per year of a recruitment programme whose P95 net cost fits the ceiling."""
    return _largest_recruits(inputs.design, inputs.territories, inputs.positions, inputs.staff,
                             inputs.base_salary, inputs.talent_share, programme, ceiling_vnd,
                             seed=inputs.seed, draws=draws, upper=upper)


def sensitivity(inputs: IncentiveInputs) -> pd.DataFrame:
    """Expected net cost 2026–2030 with each uncertain rate at the ends of its range."""
    return _sensitivity(inputs.design, inputs.territories, inputs.positions, inputs.staff,
                        inputs.base_salary, inputs.talent_share)


def summary_table(result: BudgetResult, scale: float = 1e9) -> pd.DataFrame:
    """Headline per year: expected and P95 net cost, ceiling, P(breach) (money ÷ ``scale``)."""
    c = result.ceiling
    g = result.by_year[(result.by_year["programme"] == "all")].pivot(
        index="year", columns="measure", values="expected")
    return pd.DataFrame({
        "year": c["year"], "gross_outlay": g["gross_outlay"].to_numpy() / scale,
        "refunds_recovered": g["refunds_recovered"].to_numpy() / scale,
        "expected_net": c["expected_net"] / scale, "p95_net": c["p95_net"] / scale,
        "ceiling": c["ceiling"] / scale, "p_breach": c["p_breach"],
        "beneficiaries_end_of_year": g["beneficiaries_end_of_year"].to_numpy()})


def _month_label(first_year: int, index: int) -> str:
    return f"{first_year + int(index) // 12}-{int(index) % 12 + 1:02d}"


def _solver_view(answers: dict[str, CeilingAnswer], result: BudgetResult,
                 ceiling: float) -> pd.DataFrame:
    """Per programme and component: the largest factor and the amount it gives."""
    rows = []
    for component, answer in answers.items():
        for p in result.design.programmes:
            amount, unit = ((p.monthly, p.monthly_unit) if component == "monthly"
                            else (p.one_off, p.one_off_unit))
            rows.append({"component": component, "programme": p.id,
                         "ceiling_vnd_per_year": ceiling, "status": answer.status,
                         "scale": answer.value, "amount": amount * answer.value,
                         "unit": "× base salary" if unit == "base_salary" else "VND",
                         "binding_year": answer.binding_year, "message": answer.message})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------ command-line contract

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--draws", type=whole_number(100, 1_000_000), default=None,
                        help="Monte Carlo draws (default: the scenario's, 10,000)")
    parser.add_argument("--no-curves", action="store_true",
                        help="skip the cost curves and the sensitivity table (faster)")
    parser.add_argument("--lang", choices=("vi", "en"), default="vi",
                        help="language of the workbook's sheet names and labels (headers are "
                             "always in both)")


def write_outputs(province, scenario, out_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Write tidy CSVs, the Excel workbook and summary.json into ``out_dir``; return the summary."""
    from ..errors import Problem, ScenarioError
    from ..report import write_csv, write_json

    draws = getattr(args, "draws", None)
    if draws is not None and draws < 100:
        raise ScenarioError(Problem(file="command line", column="--draws",
                                    message=f"{draws} draws are too few for P5/P95 bands",
                                    fix="use --draws 1000 or more"))
    inputs = prepare(province, scenario)
    result = run(inputs, draws)
    design = result.design
    x = design.solver_ceiling_vnd_per_year or float(result.ceiling["ceiling"].min())
    answer = largest_monthly_scale(result, x)
    answers = {"monthly": answer, "one_off": largest_amount_scale(result, x, "one_off")}
    names = province.territories.set_index("territory_id")["name"]
    views: dict[str, pd.DataFrame] = {
        "by_year": result.by_year,
        "ceiling": result.ceiling,
        "by_commune": result.by_commune.assign(
            name=result.by_commune["territory_id"].map(names))[
                ["territory_id", "name", *result.by_commune.columns[1:]]],
        "by_field": result.by_field,
        "places": result.places.assign(
            intake=[_month_label(design.first_year, m) for m in result.places["intake"]],
            name=result.places["territory_id"].map(names))[
                ["programme", "field", "territory_id", "name", "intake", "staff_id",
                 "requested", "admitted", "waitlisted", "reason"]],
        "per_retained": result.per_retained,
        "solver": _solver_view(answers, result, x),
    }
    if not getattr(args, "no_curves", False):
        views["curve_cap"] = cost_curve_caps(inputs)
        views["curve_amount"] = cost_curve_amounts(result, np.asarray(AMOUNT_GRID))
        views["sensitivity"] = sensitivity(inputs)
    for key, df in views.items():
        # two decimals: whole VND stay exact (a general 6-significant-digit format would round
        # billions to the nearest million), expected head counts keep their fractions; the ends
        # of the rate ranges (monthly hazards of 0.0005 …) are written in full
        rates = {c: df[c].map(repr) for c in ("low", "high") if c in df.columns}
        write_csv(df.assign(**rates), out_dir / f"{key}.csv", float_format="%.2f")
    write_workbook(views, out_dir / "incentives.xlsx", lang=getattr(args, "lang", "vi"))
    tot = summary_table(result)
    every = result.by_year[result.by_year["programme"] == "all"]
    exits = {c: float(every.loc[every["measure"] == f"exits_{c}", "expected"].sum())
             for c in CAUSES}
    headline = [
        f"net cost 2026–2030: {tot['expected_net'].sum():,.1f} bn VND expected "
        f"(gross {tot['gross_outlay'].sum():,.1f}, refunds {tot['refunds_recovered'].sum():,.1f})",
        f"highest year P95 {tot['p95_net'].max():,.1f} bn VND vs ceiling "
        f"{tot['ceiling'].min():,.1f}; max P(breach) {tot['p_breach'].max():.1%}",
        f"places granted {int(result.places['admitted'].sum())}, waitlisted "
        f"{int(result.places['waitlisted'].sum())}",
        "support ended 2026–2030 (expected people): " + ", ".join(
            f"{c} {v:,.1f}" for c, v in exits.items()) + "; refunds owed only for "
        + "; ".join(f"{p.id}: {', '.join(p.refund_causes) or 'none'}"
                    for p in design.programmes),
        (f"largest monthly support factor with P95 ≤ {x / 1e9:,.1f} bn VND/year: "
         f"{answer.value:.3f}" if answer.status == "solved" else
         f"ceiling solver: {answer.status} — {answer.message}"),
    ]
    summary = {
        "headline": headline, "seed": result.seed, "draws": result.draws,
        "scenario": inputs.scenario_name,
        "programmes": [p.id for p in design.programmes],
        "by_year_bn_vnd": tot.round(6).to_dict(orient="records"),
        "places_granted": int(result.places["admitted"].sum()),
        "waitlisted": int(result.places["waitlisted"].sum()),
        "cost_per_retained": result.per_retained[["programme", "cost_per_retained"]]
        .to_dict(orient="records"),
        "exits_by_cause_2026_2030": exits,
        "refund_rules": {p.id: {"refund_causes": list(p.refund_causes),
                                "after_commitment": p.after_commitment}
                         for p in design.programmes},
        "ceiling_solver": {c: {"ceiling_vnd_per_year": x, "status": a.status,
                               "scale": a.value, "binding_year": a.binding_year,
                               "message": a.message} for c, a in answers.items()},
        "salary_fund_assumption": design.salary_fund_note,
        "files": sorted([f"{k}.csv" for k in views] + ["incentives.xlsx", "summary.json"]),
    }
    write_json(summary, out_dir / "summary.json")
    return summary

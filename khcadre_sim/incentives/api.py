"""Incentive budget (Resolution §II.8): what talent attraction and support programmes cost,
year by year 2026–2030, under beneficiary caps — exact expectation, uncertainty bands, and the
largest design that fits a budget ceiling.

Typical use::

    result = run(province, scenario)           # the capability: budget, solver, curves, views
    result.budget.view("net_cost")             # net cost by year with P5/P50/P95
    result.answers["monthly"]                  # largest monthly support within the ceiling
    result.views                               # the tables written as CSV and to the workbook

The pieces (``prepare``, ``simulate``, ``cost_curve_caps``, ``sensitivity`` …) are in
:mod:`khcadre_sim.incentives`; model layers: :mod:`.spec` (scenario → typed programmes),
:mod:`.places` (caps, waitlist), :mod:`.chain` (the cohort Markov chain), :mod:`.budget` (views
and solvers), :mod:`.report` (labels, workbook), :mod:`.plots` (figures).

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

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..capability import ResultBase, computed
from ..solve import SolveResult, Status
from .budget import (
    AMOUNT_GRID,
    BudgetResult,
    CeilingAnswer,
    IncentiveInputs,
    cost_curve_amounts,
    cost_curve_caps,
    largest_amount_scale,
    largest_monthly_scale,
    sensitivity,
    simulate,
)
from .plots import (
    plot_amount_curve,
    plot_cap_curve,
    plot_cost_by_year,
    plot_refunds,
    plot_sensitivity,
)
from .spec import CAUSES, design_from_scenario

__all__ = ["IncentivesResult", "base_salary", "base_salary_by_month", "compare_designs",
           "prepare", "run", "summary_table"]


def base_salary_by_month(params, first_year: int, n_months: int) -> np.ndarray:
    """Base salary (VND/month) in force on the 1st of each month from January of first_year."""
    return np.array([params.value("base_salary", dt.date(first_year + m // 12, m % 12 + 1, 1))
                     for m in range(n_months)], dtype=float)


def base_salary(scenario, on: dt.date) -> float:
    """The base salary (VND/month) in force on ``on`` under ``scenario``: the dated parameter
    of data/policy/parameters.toml, or the scenario's override of it."""
    return float(scenario.params.value("base_salary", on))


def compare_designs(results: dict[str, Any], scale: float = 1e9) -> pd.DataFrame:
    """One row per design (``results``: name → :class:`BudgetResult` or
    :class:`IncentivesResult`): places granted and waitlisted, expected net cost 2026–2030,
    the highest year's P95 and the largest yearly probability of breaching the ceiling (money
    ÷ ``scale``, billion VND by default)."""
    rows = []
    for name, r in results.items():
        budget = getattr(r, "budget", r)
        t = summary_table(budget, scale)
        rows.append((str(name), int(budget.places["admitted"].sum()),
                     int(budget.places["waitlisted"].sum()), float(t["expected_net"].sum()),
                     float(t["p95_net"].max()), float(t["p_breach"].max())))
    out = pd.DataFrame(rows, columns=["design", "places", "waitlisted", "net_2026_2030",
                                      "highest_year_p95", "max_p_breach"])
    return out.astype({"design": object, "places": "int64", "waitlisted": "int64",
                       "net_2026_2030": "float64", "highest_year_p95": "float64",
                       "max_p_breach": "float64"}).set_index("design")


def prepare(province, scenario) -> IncentiveInputs:
    """The scenario's incentive design checked against the province's field codes, with the
    dated money it runs on (base salary by month, talent share of the salary fund by year)."""
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


def summary_table(result: BudgetResult, scale: float = 1e9) -> pd.DataFrame:
    """Headline per year: expected and P95 net cost, ceiling, P(breach) (money ÷ ``scale``)."""
    c, g = result.ceiling, result.expected_by_year()
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
                         "ceiling_vnd_per_year": ceiling, "status": str(answer.status),
                         "scale": answer.value, "amount": amount * answer.value,
                         "unit": "× base salary" if unit == "base_salary" else "VND",
                         "binding_year": answer.binding_year, "message": answer.message})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------ the capability

@dataclass
class IncentivesResult(ResultBase):
    """The budget of a design: exact and Monte Carlo views, the ceiling solver's answers and,
    unless skipped, the cost curves and the sensitivity table (``views``: the tables)."""

    csv_float_format = "%.2f"  # whole VND stay exact; expected head counts keep two decimals

    inputs: IncentiveInputs
    budget: BudgetResult
    ceiling_x: float  # the X of "largest support whose P95 stays under X a year"
    answers: dict[str, CeilingAnswer]
    views: dict[str, pd.DataFrame]
    proof: SolveResult

    def totals(self) -> pd.DataFrame:
        return summary_table(self.budget)

    def exits_by_cause(self) -> dict[str, float]:
        every = self.budget.expected_by_year()
        return {c: float(every[f"exits_{c}"].sum()) for c in CAUSES}

    def _answer_line(self, lang: str) -> str:
        """The monthly ceiling answer in one line (a factor that fits but is not proven the
        largest says so)."""
        a, x = self.answers["monthly"], self.ceiling_x / 1e9
        if not a.status.has_solution:
            return (f"giải trần kinh phí: {a.status} — {a.message}" if lang == "vi" else
                    f"ceiling solver: {a.status} — {a.message}")
        doubt = a.status is Status.FEASIBLE
        if lang == "vi":
            return (f"hệ số hỗ trợ hằng tháng lớn nhất để P95 ≤ {x:,.1f} tỷ đồng/năm: "
                    f"{a.value:.3f}" + (" (vừa trần, chưa chứng minh là lớn nhất)" if doubt
                                        else ""))
        return (f"largest monthly support factor with P95 ≤ {x:,.1f} bn VND/year: "
                f"{a.value:.3f}" + (" (fits; not proven the largest)" if doubt else ""))

    def headline(self, lang: str = "en") -> list[str]:
        tot, r = self.totals(), self.budget
        design = r.design
        granted, waiting = int(r.places["admitted"].sum()), int(r.places["waitlisted"].sum())
        exits = self.exits_by_cause()
        if lang == "vi":
            return [
                f"chi phí ròng 2026–2030: kỳ vọng {tot['expected_net'].sum():,.1f} tỷ đồng "
                f"(tổng chi {tot['gross_outlay'].sum():,.1f}, thu hồi "
                f"{tot['refunds_recovered'].sum():,.1f})",
                f"năm cao nhất, mức P95 (95% khả năng không vượt): {tot['p95_net'].max():,.1f} "
                f"tỷ đồng so với trần {tot['ceiling'].min():,.1f} tỷ; xác suất vượt trần cao "
                f"nhất {tot['p_breach'].max():.1%}",
                f"suất được duyệt {granted}, danh sách chờ {waiting}",
                self._answer_line(lang),
            ]
        return [
            f"net cost 2026–2030: {tot['expected_net'].sum():,.1f} bn VND expected "
            f"(gross {tot['gross_outlay'].sum():,.1f}, refunds "
            f"{tot['refunds_recovered'].sum():,.1f})",
            f"highest year P95 {tot['p95_net'].max():,.1f} bn VND vs ceiling "
            f"{tot['ceiling'].min():,.1f}; max P(breach) {tot['p_breach'].max():.1%}",
            f"places granted {granted}, waitlisted {waiting}",
            "support ended 2026–2030 (expected people): " + ", ".join(
                f"{c} {v:,.1f}" for c, v in exits.items()) + "; refunds owed only for "
            + "; ".join(f"{p.id}: {', '.join(p.refund_causes) or 'none'}"
                        for p in design.programmes),
            self._answer_line(lang),
        ]

    def details(self) -> dict[str, Any]:
        r, design = self.budget, self.budget.design
        return {
            "seed": r.seed, "draws": r.draws, "scenario": self.inputs.scenario_name,
            "programmes": [p.id for p in design.programmes],
            "by_year_bn_vnd": self.totals().round(6).to_dict(orient="records"),
            "places_granted": int(r.places["admitted"].sum()),
            "waitlisted": int(r.places["waitlisted"].sum()),
            "cost_per_retained": r.per_retained[["programme", "cost_per_retained"]]
            .to_dict(orient="records"),
            "exits_by_cause_2026_2030": self.exits_by_cause(),
            "refund_rules": {p.id: {"refund_causes": list(p.refund_causes),
                                    "after_commitment": p.after_commitment}
                             for p in design.programmes},
            "ceiling_solver": {c: {"ceiling_vnd_per_year": self.ceiling_x,
                                   "status": str(a.status),
                                   "scale": a.value, "binding_year": a.binding_year,
                                   "message": a.message} for c, a in self.answers.items()},
            "salary_fund_assumption": design.mean_salary_coefficient_source,
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        # the ends of the rate ranges (monthly hazards of 0.0005 …) are written in full
        return {k: df.assign(**{c: df[c].map(repr) for c in ("low", "high") if c in df.columns})
                for k, df in self.views.items()}

    def commune_tables(self, territory_id: str, lang: str = "vi") -> dict[str, pd.DataFrame]:
        vi = lang == "vi"
        bc = self.budget.by_commune
        here = bc[bc["territory_id"] == territory_id]
        money = here.groupby("year", as_index=False)[["net_cost", "new_beneficiaries"]].sum()
        places = self.budget.places
        mine = places[places["territory_id"] == territory_id][
            ["programme", "field", "requested", "admitted", "waitlisted", "reason"]]
        return {("Chi phí ròng kỳ vọng theo năm (đồng)" if vi
                 else "Expected net cost by year (VND)"): money,
                ("Suất hỗ trợ và danh sách chờ" if vi else "Places and waitlist"): mine}

    def figures(self, lang: str = "vi") -> dict[str, Any]:
        out = {"cost_by_year": plot_cost_by_year({self.inputs.scenario_name or "base":
                                                  self.budget}, lang),
               "refunds": plot_refunds(self.budget, lang)}
        if "curve_cap" in self.views:
            out["cost_vs_commune_cap"] = plot_cap_curve(self.views["curve_cap"], lang)
            out["cost_vs_monthly_amount"] = plot_amount_curve(
                self.views["curve_amount"], self.budget.ceiling.assign(ceiling=self.ceiling_x),
                lang, answer_scale=self.answers["monthly"].value)
            out["sensitivity"] = plot_sensitivity(self.views["sensitivity"], lang)
        return out


def run(province, scenario, *, draws: int | None = None, curves: bool = True,
        ) -> IncentivesResult:
    """The capability entry: the design's budget 2026–2030 with bands, the largest support
    within the ceiling and (``curves``) the cost curves and the sensitivity table."""
    started = time.perf_counter()
    inputs = prepare(province, scenario)
    result = simulate(inputs, draws)
    x = result.design.solver_ceiling_vnd_per_year or float(result.ceiling["ceiling"].min())
    answers = {"monthly": largest_monthly_scale(result, x),
               "one_off": largest_amount_scale(result, x, "one_off")}
    views = _views(result, answers, x, province.territories.set_index("territory_id")["name"])
    if curves:
        views["curve_cap"] = cost_curve_caps(inputs)
        views["curve_amount"] = cost_curve_amounts(result, np.asarray(AMOUNT_GRID))
        views["sensitivity"] = sensitivity(inputs)
    proof = computed(time.perf_counter() - started, result.seed,
                     f"exact expectation and {result.draws:,} Monte Carlo draws")
    return IncentivesResult(inputs, result, x, answers, views, proof)


def _views(result: BudgetResult, answers: dict[str, CeilingAnswer], ceiling: float,
           names: pd.Series) -> dict[str, pd.DataFrame]:
    """The tables of a run as written (units named, intake months as 2027-10)."""
    first = result.design.first_year
    return {
        "by_year": result.by_year,
        "ceiling": result.ceiling,
        "by_commune": result.by_commune.assign(
            name=result.by_commune["territory_id"].map(names))[
                ["territory_id", "name", *result.by_commune.columns[1:]]],
        "by_field": result.by_field,
        "places": result.places.assign(
            intake=[_month_label(first, m) for m in result.places["intake"]],
            name=result.places["territory_id"].map(names))[
                ["programme", "field", "territory_id", "name", "intake", "staff_id",
                 "requested", "admitted", "waitlisted", "reason"]],
        "per_retained": result.per_retained,
        "solver": _solver_view(answers, result, ceiling),
    }

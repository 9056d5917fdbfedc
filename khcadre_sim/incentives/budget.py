"""Budget views: cost by year with bands, the ceiling, and the questions answered by solving.

Every function takes the :class:`IncentiveInputs` of a design (or a :class:`BudgetResult` of one);
nothing here reads files or prints.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from ..solve import Status
from .chain import EXIT_MEASURES, MEASURES, run_chain
from .places import plan_places, staff_counts
from .spec import Design, Programme, Rates

CAP_GRID = (0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.15, 0.20)  # commune cap shares of the curve
AMOUNT_GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)  # factors on the amounts

QUANTILES = (0.05, 0.50, 0.95)
# measures reported per year (money in nominal VND, people as counts).  ``leavers`` left for any
# cause by a monthly hazard, ``terminated`` failed an evaluation; ``exits_<cause>`` splits both by
# cause (failed evaluations count as ``exits_fail_duties``); ``refund_cases`` are the exits that
# owe a refund; ``post_commitment_paid`` is the part of ``monthly_paid`` paid after the commitment.
YEAR_MEASURES = ("gross_outlay", "one_off_paid", "monthly_paid", "post_commitment_paid",
                 "refunds_recovered", "refund_owed", "net_cost", "new_beneficiaries",
                 "beneficiaries_end_of_year", "leavers", "terminated", *EXIT_MEASURES,
                 "refund_cases", "completed")
MONEY = ("gross_outlay", "one_off_paid", "monthly_paid", "post_commitment_paid",
         "refunds_recovered", "refund_owed", "net_cost")


@dataclass(frozen=True)
class IncentiveInputs:
    """A validated design with the tables and dated money it runs on."""

    design: Design
    territories: pd.DataFrame
    positions: pd.DataFrame
    staff: pd.DataFrame
    base_salary: np.ndarray  # VND per month from January of the first year, every commitment
    talent_share: np.ndarray  # share of the salary fund allowed for talent, per year
    seed: int
    scenario_name: str = ""

    def with_design(self, design: Design) -> IncentiveInputs:
        return replace(self, design=design)


@dataclass
class BudgetResult:
    """Everything one run produces; every table is tidy and aligned on year/programme."""

    design: Design
    years: list[int]
    places: pd.DataFrame  # requests with admitted / waitlisted / reason
    by_year: pd.DataFrame  # year, programme, measure, expected, p5, p50, p95
    by_commune: pd.DataFrame  # territory_id, year, programme, measures (expected)
    by_field: pd.DataFrame  # field, year, programme, measures (expected)
    ceiling: pd.DataFrame  # year, salary_fund, ceiling, expected_net, p95_net, p_breach
    # programme, money over each cohort's commitment, completed, cost per retained, and support
    # paid after the commitment within the horizon (apart)
    per_retained: pd.DataFrame
    fixed_draws: dict[str, np.ndarray]  # programme → (years, draws) net cost not scaling
    monthly_draws: dict[str, np.ndarray]  # programme → (years, draws) net monthly support
    exact_fixed: dict[str, np.ndarray]  # programme → (years,) expected, same split
    exact_monthly: dict[str, np.ndarray]
    seed: int
    draws: int

    def view(self, measure: str, programme: str = "all") -> pd.DataFrame:
        """One measure by year — of one programme, or of all together (``"all"``) — with its
        exact expectation, Monte Carlo mean and P5/P50/P95."""
        b = self.by_year
        return b[(b["programme"] == programme) & (b["measure"] == measure)].reset_index(
            drop=True)

    def expected_by_year(self, programme: str = "all") -> pd.DataFrame:
        """The exact expectation of every measure: year × measure."""
        b = self.by_year
        return b[b["programme"] == programme].pivot(index="year", columns="measure",
                                                    values="expected")


def salary_fund_by_year(staff_total: int, mean_coefficient: float,
                        base_salary: np.ndarray, n_years: int) -> np.ndarray:
    """Salary fund excluding allowances ≈ staff × mean coefficient × base salary, by month."""
    return staff_total * mean_coefficient * base_salary[:12 * n_years].reshape(n_years, 12).sum(1)


def _yearly(a: np.ndarray, n_years: int, stock: bool = False) -> np.ndarray:
    """(months, cols) → (years, cols): flows are summed; stocks are taken in December."""
    a = a[:12 * n_years].reshape(n_years, 12, -1)
    return a[:, -1, :] if stock else a.sum(axis=1)


def _derived(raw: dict[str, np.ndarray], n_years: int) -> dict[str, np.ndarray]:
    """The reported measures, by year, from the chain's monthly measures."""
    y = {m: _yearly(raw[m], n_years) for m in MEASURES if m != "active"}
    out = {
        "one_off_paid": y["one_off_paid"], "monthly_paid": y["monthly_paid"],
        "post_commitment_paid": y["post_commitment_paid"],
        "gross_outlay": y["one_off_paid"] + y["monthly_paid"],
        "refunds_recovered": y["refund_one_off"] + y["refund_monthly"],
        "refund_owed": y["refund_owed"], "refund_cases": y["refund_cases"],
        "new_beneficiaries": y["accepted"], "leavers": y["leavers"],
        "terminated": y["terminated"], "completed": y["completed"],
        "beneficiaries_end_of_year": _yearly(raw["active"], n_years, stock=True),
        **{m: y[m] for m in EXIT_MEASURES},
    }
    out["net_cost"] = out["gross_outlay"] - out["refunds_recovered"]
    out["_fixed"] = y["one_off_paid"] - y["refund_one_off"]
    out["_monthly"] = y["monthly_paid"] - y["refund_monthly"]
    return out


def _cohorts(places: pd.DataFrame, prog_id: str) -> pd.DataFrame:
    p = places[(places["programme"] == prog_id) & (places["admitted"] > 0)]
    return p.groupby(["intake", "territory_id", "field"], as_index=False)["admitted"].sum()


def _exact_unit(prog: Programme, rates: Rates, intakes: np.ndarray, base_salary: np.ndarray,
                horizon: int) -> tuple[dict[str, np.ndarray], int]:
    """Expected flows per place granted, per intake, until the last commitment ends (and at
    least over the horizon): arrays (months, intakes).  Support continued after a commitment
    beyond the horizon is in these flows (``post_commitment_paid``) but no view uses it."""
    n_months = max(horizon, int(intakes.max()) + prog.commitment_months)
    if len(base_salary) < n_months:
        raise ValueError(f"base salary covers {len(base_salary)} months, {n_months} needed")
    return run_chain(prog, rates, intakes, np.ones(len(intakes)), base_salary, n_months,
                     per_intake=True), n_months


def _group_exact(unit: dict[str, np.ndarray], coh: pd.DataFrame, intakes: np.ndarray,
                 key: str, n_years: int) -> pd.DataFrame:
    """Expected yearly measures by commune or field: places matrix × per-place flows."""
    keys, pos = np.unique(coh[key].astype(str).to_numpy(), return_inverse=True)
    mat = np.zeros((len(keys), len(intakes)))
    np.add.at(mat, (pos, np.searchsorted(intakes, coh["intake"].to_numpy())),
              coh["admitted"].to_numpy(dtype=float))
    flows = {m: unit[m] @ mat.T for m in MEASURES}  # (months, groups)
    d = _derived(flows, n_years)
    frames = []
    for yi in range(n_years):
        frames.append(pd.DataFrame({key: keys, "year_index": yi,
                                    **{m: d[m][yi] for m in YEAR_MEASURES}}))
    return pd.concat(frames, ignore_index=True)


def _band_rows(year_vals: dict[str, np.ndarray], exact: dict[str, np.ndarray], prog: str,
               years: list[int]) -> list[dict]:
    stacked = np.stack([year_vals[m] for m in YEAR_MEASURES])  # (measures, years, draws)
    q = np.quantile(stacked, QUANTILES, axis=2)  # one call: (quantiles, measures, years)
    means = stacked.mean(axis=2)
    rows = []
    for i, m in enumerate(YEAR_MEASURES):
        for yi, year in enumerate(years):
            rows.append({"year": year, "programme": prog, "measure": m,
                         "expected": float(exact[m][yi, 0]), "mc_mean": float(means[i, yi]),
                         "p5": float(q[0, i, yi]), "p50": float(q[1, i, yi]),
                         "p95": float(q[2, i, yi])})
    return rows


@dataclass
class _ProgrammeBudget:
    """One programme's share of a run: yearly measures (exact and by draw), whole-commitment
    figures and the exact views by commune and field."""

    exact: dict[str, np.ndarray]  # measure → (years, 1)
    draws: dict[str, np.ndarray]  # measure → (years, draws)
    retained: dict
    by_commune: pd.DataFrame | None
    by_field: pd.DataFrame | None


def _programme_budget(prog: Programme, rates: Rates, places: pd.DataFrame,
                      base_salary: np.ndarray, n_years: int, rng: np.random.Generator,
                      draws: int) -> _ProgrammeBudget:
    horizon = 12 * n_years
    coh = _cohorts(places, prog.id)
    per_intake = coh.groupby("intake")["admitted"].sum()
    intakes = per_intake.index.to_numpy(dtype=np.int64)
    counts = per_intake.to_numpy()
    if not len(intakes):  # nobody admitted: a programme with no cost, kept visible in every table
        measures = (*YEAR_MEASURES, "_fixed", "_monthly")
        return _ProgrammeBudget({m: np.zeros((n_years, 1)) for m in measures},
                                {m: np.zeros((n_years, draws)) for m in measures},
                                _retained(prog, 0, dict.fromkeys(MEASURES, 0.0), 0.0),
                                None, None)
    unit, _ = _exact_unit(prog, rates, intakes, base_salary, horizon)
    ex = _derived({m: unit[m] @ counts.astype(float)[:, None] for m in MEASURES}, n_years)
    mc = _derived(run_chain(prog, rates, intakes, counts, base_salary, horizon, rng=rng,
                            draws=draws), n_years)
    life = {m: float(unit[m].sum(axis=0) @ counts) for m in MEASURES}
    post_in_horizon = float(unit["post_commitment_paid"][:horizon].sum(axis=0) @ counts)
    return _ProgrammeBudget(
        ex, mc, _retained(prog, int(counts.sum()), life, post_in_horizon),
        _group_exact(unit, coh, intakes, "territory_id", n_years).assign(programme=prog.id),
        _group_exact(unit, coh, intakes, "field", n_years).assign(programme=prog.id))


def _retained(prog: Programme, granted: int, life: dict[str, float],
              post_in_horizon: float) -> dict:
    """Lifetime = each cohort's whole commitment (also past the horizon); support paid after a
    commitment is left out (it buys service beyond the commitment and has no end date) and shown
    apart, within the horizon only.  So "cost per retained" is the net cost of the commitment per
    person who served it to the end, whatever ``after_commitment`` says."""
    gross_commit = life["one_off_paid"] + life["monthly_paid"] - life["post_commitment_paid"]
    refunds_life = life["refund_one_off"] + life["refund_monthly"]
    net_life = gross_commit - refunds_life
    return {"programme": prog.id, "places_granted": granted,
            "accepted": life["accepted"], "completed_commitment": life["completed"],
            "gross_outlay_lifetime": gross_commit,
            "refunds_recovered_lifetime": refunds_life,
            "net_cost_lifetime": net_life,
            "cost_per_retained": net_life / life["completed"] if life["completed"] > 0
            else float("nan"),
            "post_commitment_paid_in_horizon": post_in_horizon}


def _ceiling_table(inputs: IncentiveInputs, years: list[int], expected_net: np.ndarray,
                   net_draws: np.ndarray) -> pd.DataFrame:
    """The ceiling of each year (a share of the estimated salary fund, or a fixed VND figure)
    against the expected and P95 net cost, and the probability of exceeding it."""
    design, n_years = inputs.design, len(years)
    counts = staff_counts(inputs.staff, inputs.positions, inputs.territories)
    fund = salary_fund_by_year(int(counts.sum()), design.mean_salary_coefficient,
                               inputs.base_salary, n_years)
    if design.ceiling_mode == "vnd":
        ceiling = np.full(n_years, design.ceiling_vnd_per_year)
    else:
        ceiling = fund * np.asarray(inputs.talent_share, dtype=float)[:n_years]
    return pd.DataFrame({
        "year": years, "salary_fund": fund, "ceiling": ceiling, "expected_net": expected_net,
        "p95_net": np.quantile(net_draws, 0.95, axis=1),
        "p_breach": (net_draws > ceiling[:, None]).mean(axis=1)})


def _by_group(frames: list[pd.DataFrame], key: str, first_year: int) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=[key, "year", "programme", *YEAR_MEASURES])
    df = pd.concat(frames, ignore_index=True)
    df.insert(1, "year", first_year + df.pop("year_index"))
    return df[[key, "year", "programme", *YEAR_MEASURES]]


def simulate(inputs: IncentiveInputs, draws: int | None = None) -> BudgetResult:
    """Places under the caps → exact expectation and Monte Carlo bands → budget views.

    ``draws``: Monte Carlo draws (default: the scenario's); the draws are seeded by the
    scenario's seed, so the same inputs give the same bands.
    """
    design = inputs.design
    draws = design.draws if draws is None else int(draws)
    years = list(range(design.first_year, design.last_year + 1))
    n_years = len(years)
    places = plan_places(design, inputs.territories, inputs.positions, inputs.staff)
    rng = np.random.default_rng(inputs.seed)
    from ..progress import bar

    parts = {}
    with bar(len(design.programmes), (f"Kinh phí: {draws:,} lần mô phỏng mỗi chương trình",
                                      f"Incentives: {draws:,} draws per programme"),
             "programme") as progress:
        for prog in design.programmes:
            parts[prog.id] = _programme_budget(prog, design.rates[prog.kind], places,
                                               inputs.base_salary, n_years, rng, draws)
            progress.update()
    totals_mc: dict[str, np.ndarray] = {m: np.zeros((n_years, draws)) for m in YEAR_MEASURES}
    totals_x: dict[str, np.ndarray] = {m: np.zeros((n_years, 1)) for m in YEAR_MEASURES}
    band_rows: list[dict] = []
    for pid, part in parts.items():
        band_rows += _band_rows(part.draws, part.exact, pid, years)
        for m in YEAR_MEASURES:
            totals_mc[m] += part.draws[m]
            totals_x[m] += part.exact[m]
    band_rows += _band_rows(totals_mc, totals_x, "all", years)
    return BudgetResult(
        design=design, years=years, places=places, by_year=pd.DataFrame(band_rows),
        by_commune=_by_group([p.by_commune for p in parts.values() if p.by_commune is not None],
                             "territory_id", design.first_year),
        by_field=_by_group([p.by_field for p in parts.values() if p.by_field is not None],
                           "field", design.first_year),
        ceiling=_ceiling_table(inputs, years, totals_x["net_cost"][:, 0], totals_mc["net_cost"]),
        per_retained=pd.DataFrame([p.retained for p in parts.values()]),
        fixed_draws={k: p.draws["_fixed"] for k, p in parts.items()},
        monthly_draws={k: p.draws["_monthly"] for k, p in parts.items()},
        exact_fixed={k: p.exact["_fixed"][:, 0] for k, p in parts.items()},
        exact_monthly={k: p.exact["_monthly"][:, 0] for k, p in parts.items()},
        seed=inputs.seed, draws=draws)


# ---------------------------------------------------------------- questions answered by solving


@dataclass(frozen=True)
class CeilingAnswer:
    """The largest lever value whose P-quantile net cost stays within the ceiling every year.

    ``status`` (the one :class:`~khcadre_sim.solve.Status` vocabulary):

    * ``OPTIMAL`` — ``value`` fits and is the largest that does.  For a factor on the amounts the
      quantile of every year's cost rises monotonically with the factor (every draw's cost is
      F + s·M with M ≥ 0), and Brent's root-finder locates the first crossing of the ceiling to
      1e-9 and keeps the side that fits: the largest factor to that tolerance.  For offers per
      year, bisection over whole numbers, and the answer k is checked directly on both sides (k
      fits, k + 1 does not).
    * ``FEASIBLE`` — ``value`` fits but is not proven the largest: the cost need not rise with
      the lever near the answer (``message`` says why).
    * ``INFEASIBLE`` — not even 0 fits: the rest of the design alone exceeds the ceiling.
    * ``UNBOUNDED`` — every value tried fits (the support costs nothing within the horizon, or
      the caps bind before ``upper`` offers); ``value`` is the last one tried.
    """

    status: Status
    lever: str  # "monthly_scale" | "one_off_scale" | "recruits_per_year"
    value: float  # factor on the amounts, or offers per year
    quantile: float
    binding_year: int | None  # the year closest to the ceiling at the answer
    quantile_cost_by_year: tuple[float, ...]
    ceiling_by_year: tuple[float, ...]
    message: str


COMPONENTS = ("monthly", "one_off")


def _split(result: BudgetResult, targets: list[str], component: str = "monthly",
           exact: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Net cost = F + s·M, M being the ``component`` (net of its refunds) of ``targets``."""
    if component not in COMPONENTS:
        raise ValueError(f"component must be one of {COMPONENTS}")
    if exact:
        parts = {"one_off": result.exact_fixed, "monthly": result.exact_monthly}
    else:
        parts = {"one_off": result.fixed_draws, "monthly": result.monthly_draws}
    total = sum(sum(p.values()) for p in parts.values())
    scaled = sum(v for k, v in parts[component].items() if k in targets)
    return total - scaled, scaled


def largest_monthly_scale(result: BudgetResult, ceiling_vnd: float | np.ndarray,
                          programmes: list[str] | None = None,
                          quantile: float = 0.95) -> CeilingAnswer:
    """Largest factor s on the monthly support of ``programmes`` (default: all) such that the
    ``quantile`` of each year's net cost is ≤ the ceiling (see :func:`largest_amount_scale`)."""
    return largest_amount_scale(result, ceiling_vnd, "monthly", programmes, quantile)


def largest_amount_scale(result: BudgetResult, ceiling_vnd: float | np.ndarray,
                         component: str = "monthly", programmes: list[str] | None = None,
                         quantile: float = 0.95) -> CeilingAnswer:
    """Largest factor s on the ``component`` ("monthly" or "one_off") amounts of ``programmes``
    (default: all) such that the ``quantile`` of each year's net cost is ≤ the ceiling.

    The same draws are reused for every s (common random numbers): who accepts, leaves or is
    evaluated does not depend on the amount, so each draw's cost is F + s·M.  With M ≥ 0 in every
    draw the quantile rises monotonically with s and a root-finder (Brent) gives the largest
    factor (``Status.OPTIMAL``); when a year's refunds exceed its payments in some draw (M < 0)
    the first crossing of the ceiling is reported as ``Status.FEASIBLE``, with a note.
    """
    targets = programmes or [p.id for p in result.design.programmes]
    F, M = _split(result, targets, component)
    lever = f"{component}_scale"
    F, M = np.broadcast_to(F, (len(result.years), result.draws)), np.broadcast_to(
        M, (len(result.years), result.draws))
    X = np.broadcast_to(np.asarray(ceiling_vnd, dtype=float), (len(result.years),))

    def qcost(s: float) -> np.ndarray:
        return np.quantile(F + s * M, quantile, axis=1)

    def g(s: float) -> float:
        return float(np.max(qcost(s) - X))

    # Refunds of support paid in earlier years can exceed a year's payments in a draw (M < 0);
    # then the quantile need not rise with s, and the first crossing is reported, with a note.
    monotone = bool(np.all(M >= 0))
    note = "" if monotone else ("in some draws a year's refunds exceed its payments, so "
                                "cost need not rise with the amount; this is a crossing of the "
                                "ceiling, not proven to be the largest amount that fits")

    def answer(status: Status, s: float, msg: str) -> CeilingAnswer:
        q = qcost(s)
        msg = "; ".join(m for m in (msg, note) if m)
        return CeilingAnswer(status, lever, s, quantile,
                             result.years[int(np.argmax(q - X))] if status.has_solution
                             else None, tuple(float(v) for v in q), tuple(float(v) for v in X),
                             msg)

    if g(0.0) > 0:
        worst = result.years[int(np.argmax(qcost(0.0) - X))]
        other = "one-off payments" if component == "monthly" else "monthly support"
        return answer(Status.INFEASIBLE, 0.0, f"even with none of this support, the {other} "
                      f"and other programmes exceed the ceiling in {worst} at "
                      f"P{quantile * 100:.0f}; lower them or the number of offers")
    # bracket the first crossing on a doubling grid (g(0) ≤ 0 here)
    lo, hi = 0.0, 0.125
    while g(hi) <= 0:
        lo, hi = hi, hi * 2
        if hi > 1e6:
            return answer(Status.UNBOUNDED, hi, f"the {component} support of these programmes "
                          "costs nothing within the horizon; any amount fits")
    s = brentq(g, lo, hi, xtol=1e-9, rtol=1e-12)
    if g(s) > 0:  # land on the feasible side of the root: bisect between a fitting lo and s
        while s - lo > 1e-12 * max(1.0, s):
            mid = 0.5 * (lo + s)
            lo, s = (mid, s) if g(mid) <= 0 else (lo, mid)
        s = lo
    return answer(Status.OPTIMAL if monotone else Status.FEASIBLE, float(s), "")


def largest_recruits(inputs: IncentiveInputs, programme: str, ceiling_vnd: float | np.ndarray,
                     draws: int = 2000, upper: int = 2000,
                     quantile: float = 0.95) -> CeilingAnswer:
    """Largest number of offers per year (same every year of the programme) of one recruitment
    programme such that the ``quantile`` of each year's net cost stays within the ceiling.

    Bisection over whole numbers up to ``upper``, re-running the model with the same seed and
    ``draws`` for each candidate; the answer k is checked directly (k fits and k + 1 does not)."""
    design = inputs.design
    prog = next((p for p in design.programmes if p.id == programme), None)
    if prog is None or prog.kind != "recruit":
        raise ValueError(f"'{programme}' is not a recruitment programme of the design")
    column = {0.05: "p5", 0.5: "p50", 0.95: "p95"}.get(quantile)
    if column is None:
        raise ValueError("quantile must be one of the reported bands: 0.05, 0.5 or 0.95")
    years = sorted(prog.recruits_per_year) or [design.first_year]
    X = np.broadcast_to(np.asarray(ceiling_vnd, dtype=float), (design.last_year
                                                               - design.first_year + 1,))

    def qcost(k: int) -> np.ndarray:
        p2 = dataclasses.replace(prog, recruits_per_year=dict.fromkeys(years, k))
        d2 = design.with_programmes([p2 if p.id == programme else p for p in design.programmes])
        return simulate(inputs.with_design(d2), draws).view("net_cost")[column].to_numpy()

    def fits(k: int) -> bool:
        return bool(np.all(qcost(k) <= X))

    def answer(status: Status, k: int, msg: str) -> CeilingAnswer:
        q = qcost(k)
        return CeilingAnswer(status, "recruits_per_year", float(k), quantile,
                             design.first_year + int(np.argmax(q - X)) if status.has_solution
                             else None, tuple(float(v) for v in q), tuple(float(v) for v in X),
                             msg)

    if not fits(0):
        return answer(Status.INFEASIBLE, 0, "the other programmes alone exceed the ceiling")
    if fits(upper):
        return answer(Status.UNBOUNDED, upper,
                      f"even {upper} offers a year fit (caps bind first)")
    lo, hi = 0, upper
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    if fits(lo + 1):
        return answer(Status.FEASIBLE, lo, "cost is not monotone in the offers near the answer")
    return answer(Status.OPTIMAL, lo, "")


def cost_curve_amounts(result: BudgetResult, scales: np.ndarray,
                       programmes: list[str] | None = None,
                       component: str = "monthly") -> pd.DataFrame:
    """Net cost by year against a factor on the monthly (or one-off) amounts, from the same
    draws: exact expectation and bands, no re-simulation.  Column ``monthly_scale`` (or
    ``one_off_scale``) holds the factor."""
    targets = programmes or [p.id for p in result.design.programmes]
    F, M = _split(result, targets, component)
    Fx, Mx = _split(result, targets, component, exact=True)
    ceiling = result.ceiling["ceiling"].to_numpy()
    rows = []
    for s in scales:
        tot = F + s * M
        q = np.quantile(tot, QUANTILES, axis=1)
        ex = np.broadcast_to(Fx + s * Mx, (len(result.years),))
        for yi, year in enumerate(result.years):
            rows.append({f"{component}_scale": float(s), "year": year, "expected": float(ex[yi]),
                         "p5": q[0, yi], "p50": q[1, yi],
                         "p95": q[2, yi], "p_breach": float((tot[yi] > ceiling[yi]).mean())})
    return pd.DataFrame(rows)


def cost_curve_caps(inputs: IncentiveInputs, shares: tuple[float, ...] | np.ndarray = CAP_GRID,
                    draws: int = 2000) -> pd.DataFrame:
    """Net cost by year, places granted and waitlisted, against the commune cap share (the same
    seed for each share)."""
    rows = []
    for share in shares:
        r = simulate(inputs.with_design(inputs.design.with_caps(commune=float(share))), draws)
        granted, wait = int(r.places["admitted"].sum()), int(r.places["waitlisted"].sum())
        for _, row in r.view("net_cost").iterrows():
            rows.append({"commune_cap_share": float(share), "year": int(row["year"]),
                         "expected": row["expected"], "p5": row["p5"], "p50": row["p50"],
                         "p95": row["p95"], "places_granted": granted, "waitlisted": wait})
    return pd.DataFrame(rows)


def _with_rate(design: Design, key: str, value: float) -> Design:
    """A copy of the design with one uncertain rate changed (``_recruit``/``_existing`` suffix =
    that kind only)."""
    rates = dict(design.rates)
    for kind, r in rates.items():
        base_key = key
        if key.endswith(("_recruit", "_existing")):
            base_key, _, k_kind = key.rpartition("_")
            if k_kind != kind:
                continue
        if base_key in {f.name for f in dataclasses.fields(Rates)}:
            rates[kind] = dataclasses.replace(r, **{base_key: value})
    return dataclasses.replace(design, rates=rates)


def sensitivity(inputs: IncentiveInputs) -> pd.DataFrame:
    """Expected net cost 2026–2030 with each uncertain rate at the low and high end of its range
    (the key table's; the others at their scenario values) — a tornado table, exact
    expectations."""
    def total(d: Design) -> float:
        net = simulate(inputs.with_design(d), draws=100).view("net_cost")
        return float(net["expected"].sum())

    design = inputs.design
    base = total(design)
    rows = []
    for key, (lo, hi) in design.ranges.items():
        rows.append({"rate": key, "low": lo, "high": hi,
                     "net_cost_at_low": total(_with_rate(design, key, lo)),
                     "net_cost_at_high": total(_with_rate(design, key, hi)),
                     "net_cost_base": base})
    df = pd.DataFrame(rows, columns=["rate", "low", "high", "net_cost_at_low",
                                     "net_cost_at_high", "net_cost_base"])
    df["swing"] = (df["net_cost_at_high"] - df["net_cost_at_low"]).abs()
    return df.sort_values("swing", ascending=False, ignore_index=True)

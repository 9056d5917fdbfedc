"""Incentive budget: hand-checkable cases, exact vs Monte Carlo vs per-person loop, caps, solver,
validation errors and the written outputs.

Refunds follow §II.8 as written: only the causes a programme lists in ``refund_causes`` (default
"tự ý nghỉ việc" = quit and "không hoàn thành nhiệm vụ" = fail_duties) owe a refund, and only
within the commitment; after it support continues while evaluations pass unless the programme
says ``after_commitment = "stop"``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import khcadre_sim.incentives as inc
from khcadre_sim import examples
from khcadre_sim.errors import ScenarioError
from khcadre_sim.incentives.budget import IncentiveInputs, simulate
from khcadre_sim.incentives.chain import EXIT_MEASURES, MEASURES, person_loop, run_chain
from khcadre_sim.incentives.places import apply_caps, largest_remainder
from khcadre_sim.incentives.spec import (
    CAUSES,
    Programme,
    Rates,
    design_from_scenario,
    item_default,
    rate_ranges,
)
from khcadre_sim.io import Province, province_from_frames
from khcadre_sim.keys import default
from khcadre_sim.scenario import load_scenario
from khcadre_sim.solve import Status

BASE = np.full(400, 2_340_000.0)


def programme(**kw) -> Programme:
    values = dict(id="p", name_vi="p", name_en="p", kind="recruit", priority=1,
                  fields=("it_digital",), area_classes=("urban", "rural", "mountain", "island"),
                  one_off=100_000_000.0, one_off_unit="vnd", monthly=5_000_000.0,
                  monthly_unit="vnd", level_factors=(0.5, 1.0, 1.5), start_level=1,
                  evaluation_months=12, commitment_months=60, refund_one_off_share=1.0,
                  refund_monthly_share=0.5, refund_pro_rata=True,
                  recruits_per_year={2026: 10}, intake_month=1)
    values.update(kw)
    return Programme(**values)


NO_RISK = Rates(acceptance=1.0, quit_monthly=0.0, fail_duties_monthly=0.0,
                retirement_monthly=0.0, death_health_monthly=0.0, transfer_monthly=0.0,
                evaluation_raise=0.0, evaluation_lower=0.0, evaluation_terminate=0.0,
                refund_collection=1.0)
# every cause has a hazard (0.01 a month in all, as the single leaving rate of earlier versions)
RISKY = Rates(acceptance=0.8, quit_monthly=0.005, fail_duties_monthly=0.001,
              retirement_monthly=0.0015, death_health_monthly=0.0005, transfer_monthly=0.002,
              evaluation_raise=0.2, evaluation_lower=0.15, evaluation_terminate=0.1,
              refund_collection=0.6)


def only(cause: str, hazard: float, **kw) -> Rates:
    """No risk but one cause of leaving."""
    return dataclasses.replace(NO_RISK, **{f"{cause}_monthly": hazard}, **kw)


# ------------------------------------------------------------------ hand-checkable cases

def test_no_attrition_all_pass_costs_count_times_amounts():
    prog = programme(commitment_months=24, after_commitment="stop")
    out = run_chain(prog, NO_RISK, np.array([0, 12]), np.array([7, 5]), BASE, 60)
    total = out["one_off_paid"].sum() + out["monthly_paid"].sum()
    assert total == (7 + 5) * (100_000_000 + 5_000_000 * 24)
    assert out["refund_owed"].sum() == 0
    assert out["completed"].sum() == 12
    # the same with random draws: with these rates there is nothing random left
    mc = run_chain(prog, NO_RISK, np.array([0, 12]), np.array([7, 5]), BASE, 60,
                   rng=np.random.default_rng(0), draws=50)
    assert np.all(mc["one_off_paid"].sum(0) + mc["monthly_paid"].sum(0) == total)


def test_base_salary_multiples_follow_the_dated_base_salary():
    # 10 × base one-off and 1 × base monthly from April 2026 for 6 months: the base salary
    # rises from 2,340,000 to 2,530,000 on 1 July 2026 (Decree 161/2026/NĐ-CP)
    base = np.array([2_340_000.0] * 6 + [2_530_000.0] * 60)
    prog = programme(one_off=10, one_off_unit="base_salary", monthly=1, monthly_unit="base_salary",
                     commitment_months=6, evaluation_months=6, after_commitment="stop")
    out = run_chain(prog, NO_RISK, np.array([3]), np.array([1]), base, 12)
    assert out["one_off_paid"].sum() == 10 * 2_340_000
    assert out["monthly_paid"].sum() == 3 * 2_340_000 + 3 * 2_530_000


def test_quitter_in_month_6_of_60_repays_the_rule():
    # the rule: 100% of the one-off and 50% of the monthly support received, pro rata to the
    # 54 unserved months of 60 → 100m × 54/60 + 0.5 × (6 × 5m) × 54/60 = 90m + 13.5m
    rates = only("quit", 0.1)
    out = run_chain(programme(), rates, np.array([0]), np.array([1]), BASE, 60)
    assert out["refund_owed"][6, 0] / out["leavers"][6, 0] == pytest.approx(103_500_000, rel=1e-12)
    assert out["exits_quit"][6, 0] == out["leavers"][6, 0] == out["refund_cases"][6, 0]
    # without pro rata the whole shares are owed: 100m + 0.5 × 30m
    out = run_chain(programme(refund_pro_rata=False), rates, np.array([0]), np.array([1]), BASE,
                    60)
    assert out["refund_owed"][6, 0] / out["leavers"][6, 0] == pytest.approx(115_000_000, rel=1e-12)


def test_only_quits_refund_exactly_the_single_rate_formula():
    # quitting is the only cause: month by month, refunds owed = leavers × the rule above, i.e.
    # what the earlier single-rate model charged every leaver
    rates = only("quit", 0.02, refund_collection=0.7)
    out = run_chain(programme(), rates, np.array([0]), np.array([10]), BASE, 60)
    n = 10 * 0.98 ** np.arange(60)  # active after each month's exits (no evaluation risk)
    for a in (1, 6, 13, 59):
        leavers = n[a - 1] * 0.02
        owed = leavers * (1.0 * 100e6 + 0.5 * a * 5e6) * (60 - a) / 60
        assert out["leavers"][a, 0] == pytest.approx(leavers, rel=1e-12)
        assert out["refund_owed"][a, 0] == pytest.approx(owed, rel=1e-12)
        rec = out["refund_one_off"][a, 0] + out["refund_monthly"][a, 0]
        assert rec == pytest.approx(0.7 * owed, rel=1e-12)


def test_transfers_owe_no_refund():
    # a cohort of 10 that can only be transferred by the state (điều động, chuyển công tác)
    rates = only("transfer", 0.05)
    out = run_chain(programme(), rates, np.array([0]), np.array([10]), BASE, 60)
    assert out["exits_transfer"].sum() == pytest.approx(10 * (1 - 0.95 ** 59), rel=1e-12)
    assert out["refund_owed"].sum() == 0 and out["refund_cases"].sum() == 0
    assert out["refund_one_off"].sum() == 0 and out["refund_monthly"].sum() == 0
    mc = run_chain(programme(), rates, np.array([0]), np.array([10]), BASE, 60,
                   rng=np.random.default_rng(3), draws=200)
    assert mc["exits_transfer"].sum() > 0 and mc["refund_owed"].sum() == 0
    # the same transfers owe a refund only if the programme lists the cause
    listed = run_chain(programme(refund_causes=("quit", "fail_duties", "transfer")), rates,
                       np.array([0]), np.array([10]), BASE, 60)
    assert listed["refund_cases"].sum() == pytest.approx(out["exits_transfer"].sum(), rel=1e-12)


def test_retiree_in_month_6_repays_nothing():
    rates = only("retirement", 0.1)
    out = run_chain(programme(), rates, np.array([0]), np.array([1]), BASE, 60)
    assert out["exits_retirement"][6, 0] == pytest.approx(0.9 ** 5 * 0.1, rel=1e-12)
    assert out["refund_owed"][6, 0] == 0 and out["refund_owed"].sum() == 0
    loop = person_loop(programme(), rates, np.array([0]), np.array([1]), BASE, 60, draws=300)
    assert loop["exits_retirement"].sum() > 0 and loop["refund_owed"].sum() == 0


def test_mixed_causes_refund_only_the_refundable_share():
    # quit 0.06 + transfer 0.04: 60% of the leavers owe the refund a quitter owes
    mixed = run_chain(programme(), only("quit", 0.06, transfer_monthly=0.04), np.array([0]),
                      np.array([1]), BASE, 60)
    quits = run_chain(programme(), only("quit", 0.1), np.array([0]), np.array([1]), BASE, 60)
    np.testing.assert_allclose(mixed["refund_owed"], 0.6 * quits["refund_owed"], rtol=1e-12)
    np.testing.assert_allclose(mixed["exits_quit"] + mixed["exits_transfer"], mixed["leavers"],
                               rtol=1e-12)
    np.testing.assert_allclose(mixed["exits_transfer"], 0.4 * mixed["leavers"], rtol=1e-12)


def test_after_commitment_continue_pays_to_the_horizon_and_stop_pays_the_commitment():
    # 10 people, 12-month commitment, nobody leaves, every evaluation passes: 5m a month
    kw = dict(commitment_months=12, evaluation_months=12)
    cont = run_chain(programme(**kw), NO_RISK, np.array([0]), np.array([10]), BASE, 60)
    assert cont["monthly_paid"].sum() == 10 * 60 * 5_000_000
    assert cont["post_commitment_paid"].sum() == 10 * 48 * 5_000_000
    assert cont["completed"][11, 0] == 10 and cont["active"][59, 0] == 10
    stop = run_chain(programme(after_commitment="stop", **kw), NO_RISK, np.array([0]),
                     np.array([10]), BASE, 60)
    assert stop["monthly_paid"].sum() == 10 * 12 * 5_000_000
    assert stop["post_commitment_paid"].sum() == 0 and stop["active"][12, 0] == 0
    assert stop["completed"][11, 0] == 10
    # the per-person loop pays the same (nothing is random here)
    for prog, out in ((programme(**kw), cont), (programme(after_commitment="stop", **kw), stop)):
        loop = person_loop(prog, NO_RISK, np.array([0]), np.array([10]), BASE, 60, draws=2)
        assert np.all(loop["monthly_paid"].sum(axis=0) == out["monthly_paid"].sum())


def test_evaluations_keep_deciding_after_the_commitment_without_refunds():
    # every evaluation fails: the one in month 12 comes after a 12-month commitment, so the
    # support ends there (cause fail_duties) with nothing to repay
    prog = programme(commitment_months=12, evaluation_months=12)
    out = run_chain(prog, only("quit", 0.0, evaluation_terminate=1.0), np.array([0]),
                    np.array([10]), BASE, 60)
    assert out["terminated"][12, 0] == 10 and out["exits_fail_duties"][12, 0] == 10
    assert out["monthly_paid"].sum() == 10 * 12 * 5_000_000 and out["refund_owed"].sum() == 0
    # quitting after the commitment owes nothing either: refund cases are the quits of months
    # 1–11 only, 10 × (1 − 0.98^11), while quits go on to the horizon, 10 × (1 − 0.98^59)
    out = run_chain(prog, only("quit", 0.02), np.array([0]), np.array([10]), BASE, 60)
    assert out["refund_cases"].sum() == pytest.approx(10 * (1 - 0.98 ** 11), rel=1e-12)
    assert out["exits_quit"].sum() == pytest.approx(10 * (1 - 0.98 ** 59), rel=1e-12)
    assert out["refund_owed"][12:].sum() == 0


def test_failed_evaluation_refund_follows_the_termination_rule():
    rates = dataclasses.replace(NO_RISK, evaluation_terminate=1.0)
    with_rule = run_chain(programme(), rates, np.array([0]), np.array([1]), BASE, 60)
    # terminated at the first evaluation (month 12): 100m × 48/60 + 0.5 × 60m × 48/60
    assert with_rule["terminated"][12, 0] == 1
    assert with_rule["refund_owed"].sum() == pytest.approx(80_000_000 + 24_000_000)
    assert with_rule["exits_fail_duties"][12, 0] == 1 and with_rule["refund_cases"].sum() == 1
    without = run_chain(programme(refund_causes=("quit",)), rates, np.array([0]),
                        np.array([1]), BASE, 60)
    assert without["refund_owed"].sum() == 0
    assert without["monthly_paid"].sum() == 12 * 5_000_000


def test_cap_of_10_percent_on_30_staff_admits_at_most_3():
    req = pd.DataFrame({"programme": ["p", "p"], "field": ["land", "it_digital"],
                        "territory_id": ["A", "A"], "intake": [0, 12], "requested": [2, 5],
                        "staff_id": ["", ""]})
    out = apply_caps(req, pd.Series({"A": 30}), commune_cap_share=0.10, province_cap_share=1.0)
    assert out["admitted"].sum() == 3
    assert out["admitted"].tolist() == [2, 1]  # the earlier intake is served first
    assert out["waitlisted"].tolist() == [0, 4]
    assert out["reason"].tolist() == ["", "commune cap"]


def test_province_cap_and_priority_order():
    req = pd.DataFrame({"programme": ["low", "high", "high"], "field": ["land"] * 3,
                        "territory_id": ["A", "A", "B"], "intake": [0, 0, 0],
                        "requested": [4, 4, 4], "staff_id": [""] * 3})
    counts = pd.Series({"A": 50, "B": 50})
    out = apply_caps(req, counts, 1.0, 0.06, hard_area=pd.Series({"A": False, "B": True}),
                     priority={"high": 1, "low": 2})
    # 6 places province-wide: priority 'high' first, hard-area B before A, then 'low' waits
    got = out.set_index(["programme", "territory_id"])["admitted"].to_dict()
    assert got == {("high", "B"): 4, ("high", "A"): 2, ("low", "A"): 0}
    assert set(out.loc[out["waitlisted"] > 0, "reason"]) == {"province cap"}


def test_largest_remainder_splits_exactly():
    assert largest_remainder(10, np.array([1, 1, 1])).tolist() == [4, 3, 3]
    assert largest_remainder(7, np.array([0, 2, 5])).sum() == 7


# ------------------------------------------------------------- exact vs Monte Carlo vs loop

def _agree(exact: float, draws: np.ndarray, k: float = 4.5) -> bool:
    """Mean of draws within k standard errors of the exact value (k = 4.5: false alarm < 1e-5
    per comparison under a normal approximation)."""
    se = draws.std(ddof=1) / np.sqrt(len(draws))
    return abs(draws.mean() - exact) <= k * se + 1e-9 * max(1.0, abs(exact))


@pytest.mark.parametrize("n, p", [(37, 0.05), (5, 0.004), (120, 0.09), (40, 0.7)])
def test_binomial_sampler_matches_the_binomial_law(n, p):
    from scipy.stats import binom

    from khcadre_sim.incentives.chain import binomial

    k = binomial(np.random.default_rng(11), np.full(200_000, n), p)
    freq = np.bincount(k, minlength=n + 1) / len(k)
    pmf = binom.pmf(np.arange(n + 1), n, p)
    # every probability within 5 standard errors of a proportion estimated from 200,000 draws
    assert np.all(np.abs(freq - pmf) <= 5 * np.sqrt(pmf * (1 - pmf) / len(k)) + 1e-12)
    assert k.min() >= 0 and k.max() <= n


# commitments shorter than the horizon, so support after them is exercised; refund causes
# other than the resolution's two, and none at all
DESIGNS = [dict(commitment_months=24),
           dict(commitment_months=24, after_commitment="stop",
                refund_causes=("quit", "transfer", "death_health")),
           dict(commitment_months=36, refund_causes=())]


@pytest.mark.parametrize("kw", DESIGNS)
def test_monte_carlo_mean_agrees_with_exact(kw):
    prog = programme(**kw)
    intakes, places = np.array([0, 9, 21, 33]), np.array([40, 60, 60, 30])
    ex = run_chain(prog, RISKY, intakes, places, BASE, 60)
    mc = run_chain(prog, RISKY, intakes, places, BASE, 60, rng=np.random.default_rng(1),
                   draws=4000)
    for m in MEASURES:
        for year in range(5):
            ys = slice(12 * year, 12 * year + 12)
            assert _agree(ex[m][ys].sum(), mc[m][ys].sum(axis=0)), (m, year)
    assert mc["monthly_paid"].sum(0).std() > 0  # the bands are not degenerate
    # every draw's exits by cause add up to its leavers and failed evaluations
    by_cause = sum(mc[m] for m in EXIT_MEASURES)
    np.testing.assert_array_equal(by_cause, mc["leavers"] + mc["terminated"])
    assert np.all(mc["refund_cases"] <= by_cause)
    if not prog.refund_causes:
        assert mc["refund_owed"].sum() == 0 and ex["refund_owed"].sum() == 0


@pytest.mark.parametrize("kw", DESIGNS)
def test_person_loop_agrees_with_exact(kw):
    # level changes, exits by cause, termination refunds, support after the commitment: the
    # per-person histories that the cohort chain summarises by the mean support received per level
    prog = programme(**kw)
    intakes, places = np.array([0, 12]), np.array([15, 10])
    ex = run_chain(prog, RISKY, intakes, places, BASE, 60)
    loop = person_loop(prog, RISKY, intakes, places, BASE, 60, draws=600, seed=5)
    for m in MEASURES:
        assert _agree(ex[m].sum(), loop[m].sum(axis=0)), m


def test_per_intake_exact_sums_to_total():
    prog = programme()
    intakes = np.array([0, 9, 21])
    total = run_chain(prog, RISKY, intakes, np.array([3, 4, 5]), BASE, 90)
    unit = run_chain(prog, RISKY, intakes, np.ones(3), BASE, 90, per_intake=True)
    for m in MEASURES:
        np.testing.assert_allclose(unit[m] @ np.array([3, 4, 5]), total[m][:, 0], rtol=1e-12)


# ------------------------------------------------------------------ on a small province

@cache
def _province() -> Province:
    """Three communes with 30, 40 and 20 posts, every post held (a 10% cap admits at most 3, 4
    and 2 there); only C, a hard area, has culture_social posts. Built like a file is read."""
    n = 90
    territories = pd.DataFrame({
        "territory_id": ["A", "B", "C"], "name": ["Xã A", "Phường B", "Xã C"],
        "unit_type": ["xa", "phuong", "xa"], "area_class": ["rural", "urban", "mountain"],
        "area_km2": [50.0, 10.0, 300.0], "population": [20_000, 30_000, 8_000],
        "lat": [12.30, 12.25, 12.40], "lon": [109.10, 109.20, 108.90],
        "hard_area": [False, False, True]})
    positions = pd.DataFrame({
        "position_id": [f"P{i}" for i in range(n)],
        "territory_id": ["A"] * 30 + ["B"] * 40 + ["C"] * 20,
        "office": ["economy"] * 70 + ["culture_social"] * 20, "title": "Chuyên viên",
        "field": ["land", "it_digital", "social"] * 30,
        "is_manager": [i % 10 == 0 for i in range(n)], "is_key_post": False,
        "req_political": 60.0, "req_execution": 55.0, "req_development": 55.0})
    rng = np.random.default_rng(0)
    staff = pd.DataFrame({
        "staff_id": [f"S{i}" for i in range(n)], "position_id": positions["position_id"],
        "home_territory_id": positions["territory_id"], "birth_year": 1985, "gender": "F",
        "ethnic_minority": False, "fields": "land;it_digital", "education": "bachelor",
        "score_political": 70.0, "score_execution": 70.0,
        "last_rating": rng.choice(["excellent", "good", "completed"], n),
        "score_development": rng.uniform(40, 95, n), "planning_pool": False,
        "years_in_post": 3.0})
    workload = pd.DataFrame({"territory_id": ["A", "B", "C"], "field": "land",
                             "annual_cases": 100.0})
    return province_from_frames({"territories": territories, "positions": positions,
                                 "staff": staff, "workload": workload},
                                source="incentive test province")


SOURCE = "my_scenario.toml"  # what the tests' overrides are called in error messages
TEST_LEVERS = {
    "commune_cap_share": 0.10, "province_cap_share": 1.0, "ceiling_mode": "vnd",
    "ceiling_vnd_per_year": 3e9, "solver_ceiling_vnd_per_year": 0.0,
    "programmes": [
        {"id": "new", "kind": "recruit", "fields": ["land", "it_digital"],
         "recruits_per_year": {"2026": 4, "2027": 4}, "intake_month": 10,
         "one_off": 50.0, "one_off_unit": "base_salary", "monthly": 2.0,
         "monthly_unit": "base_salary", "level_factors": [0.5, 1.0, 1.5],
         "start_level": 1, "evaluation_months": 12, "commitment_months": 48,
         "refund_one_off_share": 1.0, "refund_monthly_share": 0.5},
        {"id": "old", "kind": "existing", "fields": ["land"], "priority": 2,
         "min_rating": "excellent", "min_score_development": 60.0,
         "start": dt.date(2027, 1, 1), "one_off": 0.0, "monthly": 1_000_000.0,
         "evaluation_months": 12, "commitment_months": 24}]}
# the same rate for both kinds of programme where the scenario keys are kind-specific
TEST_RATES = {
    "acceptance_recruit": 0.8, "acceptance_existing": 0.8, "quit_monthly_recruit": 0.003,
    "quit_monthly_existing": 0.003, "fail_duties_monthly": 0.0,
    "retirement_monthly_recruit": 0.0005, "retirement_monthly_existing": 0.0005,
    "death_health_monthly": 0.0005, "transfer_monthly": 0.001, "evaluation_raise": 0.1,
    "evaluation_lower": 0.1, "evaluation_terminate": 0.05, "refund_collection": 0.7}


def _scenario(unc_overrides: dict | None = None, con_overrides: dict | None = None,
              **lever_overrides):
    """The bundled base scenario with the test design, through the key table's validation."""
    overrides = {f"levers.incentives.{k}": v for k, v in {**TEST_LEVERS,
                                                          **lever_overrides}.items()}
    overrides |= {f"uncertainties.incentives.{k}": v
                  for k, v in {**TEST_RATES, **(unc_overrides or {})}.items()}
    overrides |= {f"constants.incentives.{k}": v
                  for k, v in {"draws": 2000, **(con_overrides or {})}.items()}
    return examples.scenario().with_overrides(overrides, source=SOURCE)


def _design(unc_overrides: dict | None = None, con_overrides: dict | None = None,
            **lever_overrides):
    return design_from_scenario(_scenario(unc_overrides, con_overrides, **lever_overrides),
                                known_fields={"land", "it_digital", "social"})


BASE_2026 = np.array([2_340_000.0] * 6 + [2_530_000.0] * 120)  # the July 2026 rise


def _inputs(design, seed: int = 7) -> IncentiveInputs:
    p = _province()
    return IncentiveInputs(design, p.territories, p.positions, p.staff, BASE_2026,
                           np.full(5, 0.1), seed=seed)


def _run(design, **kw):
    return simulate(_inputs(design), **kw)


def test_caps_bound_every_commune_and_views_add_up():
    r = _run(_design())
    granted = r.places.groupby("territory_id")["admitted"].sum()
    assert granted.get("A", 0) <= 3 and granted.get("B", 0) <= 4 and granted.get("C", 0) <= 2
    assert r.places["waitlisted"].sum() > 0  # the cap binds in this design
    total = r.view("net_cost")
    pd.testing.assert_frame_equal(total, r.by_year[(r.by_year["programme"] == "all") & (
        r.by_year["measure"] == "net_cost")].reset_index(drop=True))
    by_commune = r.by_commune.groupby("year")["net_cost"].sum()
    np.testing.assert_allclose(by_commune.to_numpy(), total["expected"].to_numpy(), rtol=1e-9)
    by_field = r.by_field.groupby("year")["net_cost"].sum()
    np.testing.assert_allclose(by_field.to_numpy(), total["expected"].to_numpy(), rtol=1e-9)
    assert np.all(total["p5"] <= total["p50"]) and np.all(total["p50"] <= total["p95"])
    # the same seed gives the same bands
    again = _run(_design())
    pd.testing.assert_frame_equal(r.by_year, again.by_year)


def test_roles_restrict_where_offers_go():
    prog = {"id": "new", "kind": "recruit", "fields": ["land", "it_digital"],
            "recruits_per_year": {"2027": 6}, "one_off": 1.0, "monthly": 1.0,
            "evaluation_months": 12, "commitment_months": 24, "offices": ["culture_social"]}
    r = _run(_design(programmes=[prog], commune_cap_share=1.0))
    # only commune C has culture_social posts
    assert set(r.places["territory_id"]) == {"C"} and r.places["requested"].sum() == 6
    with pytest.raises(ScenarioError, match="offices"):
        _design(programmes=[{**prog, "offices": ["kitchen"]}])


def test_ceiling_solver_answer_is_tight():
    r = _run(_design())
    x = 1.0e9
    ans = inc.largest_monthly_scale(r, x)
    assert ans.status is Status.OPTIMAL and ans.value > 0 and ans.message == ""
    assert max(ans.quantile_cost_by_year) <= x
    curve = inc.cost_curve_amounts(r, np.array([ans.value, ans.value * 1.01]))
    worst = curve.groupby("monthly_scale")["p95"].max()
    assert worst.iloc[0] <= x < worst.iloc[1]
    # a ceiling below the one-off payments alone cannot be met by any monthly amount
    assert inc.largest_monthly_scale(r, 1e6).status == "infeasible"
    # the same question for the one-off payment
    one = inc.largest_amount_scale(r, x, "one_off")
    # refunds of the one-off come in years without one-off payments (no offers after 2027), so
    # the cost need not rise with the factor: the crossing fits but is not proven the largest
    assert one.status is Status.FEASIBLE and one.lever == "one_off_scale"
    assert "not proven to be the largest" in one.message
    curve = inc.cost_curve_amounts(r, np.array([one.value, one.value * 1.01]),
                                   component="one_off")
    worst = curve.groupby("one_off_scale")["p95"].max()
    assert worst.iloc[0] <= x < worst.iloc[1]
    # at factor 1 the curve reproduces the run's own expectation
    at_one = inc.cost_curve_amounts(r, np.array([1.0]))
    np.testing.assert_allclose(at_one["expected"], r.view("net_cost")["expected"], rtol=1e-9)


def test_largest_recruits_is_checked_both_sides():
    inputs = _inputs(_design(commune_cap_share=1.0), seed=3)
    ans = inc.largest_recruits(inputs, "new", 1.0e9, draws=500, upper=60)
    assert ans.status is Status.OPTIMAL
    assert max(ans.quantile_cost_by_year) <= 1.0e9
    assert ans.message == ""  # k + 1 was checked and does not fit
    with pytest.raises(ValueError, match="not a recruitment programme"):
        inc.largest_recruits(inputs, "old", 1.0e9)


def test_sensitivity_moves_cost_the_right_way():
    t = inc.sensitivity(_inputs(_design(), seed=3)).set_index("rate")
    # more quits → fewer months paid, more refunds → lower net cost, for either kind
    for rate in ("quit_monthly_recruit", "quit_monthly_existing"):
        assert t.loc[rate, "net_cost_at_high"] < t.loc[rate, "net_cost_at_low"]
    # the ranges are the key table's
    assert {r: (lo, hi) for r, lo, hi in zip(t.index, t["low"], t["high"], strict=True)} == \
        rate_ranges()


def test_cap_curve_is_the_design_with_the_cap_changed():
    inputs = _inputs(_design())
    curve = inc.cost_curve_caps(inputs, [0.05], draws=500)
    five = simulate(inputs.with_design(inputs.design.with_caps(commune=0.05)), draws=500)
    np.testing.assert_array_equal(curve["expected"], five.view("net_cost")["expected"])
    np.testing.assert_array_equal(curve["p95"], five.view("net_cost")["p95"])
    # 5% of 30, 40 and 20 staff: at most 1 + 2 + 1 places
    granted = five.places.groupby("territory_id")["admitted"].sum()
    assert granted.get("A", 0) <= 1 and granted.get("B", 0) <= 2 and granted.get("C", 0) <= 1
    assert set(curve["places_granted"]) == {int(five.places["admitted"].sum())} and \
        five.places["admitted"].sum() <= 4
    assert inputs.design.commune_cap_share == 0.10  # the inputs themselves are unchanged


# ------------------------------------------------------------------ validation

@pytest.mark.parametrize("change, column", [
    ({"commune_cap_share": 1.5}, "levers.incentives.commune_cap_share"),
    ({"province_cap_share": -0.1}, "levers.incentives.province_cap_share"),
])
def test_caps_outside_0_1_are_rejected(change, column):
    with pytest.raises(ScenarioError) as err:
        _design(**change)
    p = err.value.problems[0]
    assert p.column == column and p.file == "my_scenario.toml" and "0" in p.fix


def _bad_programme(**kw):
    prog = {"id": "new", "kind": "recruit", "fields": ["land"], "recruits_per_year": {"2027": 4},
            "one_off": 1.0, "monthly": 1.0, "evaluation_months": 12, "commitment_months": 48}
    prog.update(kw)
    return _design(programmes=[prog])


# Each key's own type, bounds and choices are checked by the key table when the scenario is
# loaded (messages from khcadre_sim.keys); rules between keys by the incentive design.
@pytest.mark.parametrize("change, column, words", [
    ({"one_off": -5.0}, "one_off", "out of range"),
    ({"monthly": -1.0}, "monthly", "out of range"),
    ({"commitment_months": 6}, "commitment_months", "shorter than the evaluation period"),
    ({"recruits_per_year": {"2031": 3}}, "recruits_per_year.2031", "outside 2026–2030"),
    ({"refund_one_off_share": 1.2}, "refund_one_off_share", "out of range"),
    ({"fields": ["astrology"]}, "fields", "unknown field"),
    ({"kind": "gift"}, "kind", "not one of the choices"),
    ({"monthyl": 3.0}, "monthyl", "unknown programme key"),
    ({"kind": "existing", "start": dt.date(2025, 6, 1)}, "start", "2026–2030"),
    # rules of a programme's kind and between its keys
    ({"recruits_per_year": {}}, "recruits_per_year", "needs offers per year"),
    ({"kind": "existing"}, "start", "needs a start date"),
    ({"start_level": 3, "level_factors": [0.5, 1.0, 1.5]}, "start_level",
     "not a level of level_factors"),
    ({"start_level": 1}, "start_level", "not a level of level_factors (1 level)"),
    # rules of one key the key table cannot state
    ({"fields": []}, "fields", "empty list"),
    ({"area_classes": []}, "area_classes", "empty list"),
    ({"id": "  "}, "id", "missing programme id"),
])
def test_bad_programmes_are_named(change, column, words):
    with pytest.raises(ScenarioError) as err:
        _bad_programme(**change)
    msgs = [(p.column, p.message, p.file) for p in err.value.problems]
    assert any(c == f"levers.incentives.programmes[0].{column}" and words in m
               and f == "my_scenario.toml" for c, m, f in msgs), msgs


@pytest.mark.parametrize("field", ["id", "kind", "fields", "one_off", "monthly",
                                   "evaluation_months", "commitment_months"])
def test_a_missing_required_programme_field_is_named(field):
    prog = {"id": "new", "kind": "recruit", "fields": ["land"], "recruits_per_year": {"2027": 4},
            "one_off": 1.0, "monthly": 1.0, "evaluation_months": 12, "commitment_months": 48}
    del prog[field]
    with pytest.raises(ScenarioError) as err:
        _design(programmes=[prog])
    assert (SOURCE, f"levers.incentives.programmes[0].{field}", "missing") in [
        (p.file, p.column, p.message) for p in err.value.problems]


@pytest.mark.parametrize("change, column, words", [
    ({"programmes": []}, "levers.incentives.programmes", "no programmes"),
    ({"programmes": [TEST_LEVERS["programmes"][0]] * 2}, "levers.incentives.programmes",
     "programme ids repeated: ['new']"),
    ({"ceiling_vnd_per_year": 0.0}, "levers.incentives.ceiling_vnd_per_year",
     "ceiling_mode is 'vnd' but no ceiling is given"),
])
def test_rules_between_lever_keys_are_named(change, column, words):
    with pytest.raises(ScenarioError) as err:
        _design(**change)
    assert any(p.column == column and words in p.message and p.file == SOURCE
               for p in err.value.problems), err.value.problems


def test_a_horizon_that_ends_before_it_starts_is_named():
    with pytest.raises(ScenarioError) as err:
        _design(con_overrides={"first_year": 2029, "last_year": 2027})
    p = err.value.problems[0]
    assert (p.file, p.column) == (SOURCE, "constants.incentives.last_year")
    assert "ends (2027) before it starts (2029)" in p.message


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("change, column, words", [
    ({"one_off": NAN}, "one_off", "not a finite number"),
    ({"monthly": INF}, "monthly", "not a finite number"),
    ({"commitment_months": NAN}, "commitment_months", "not a whole number"),
    ({"commitment_months": -12}, "commitment_months", "out of range"),
    ({"evaluation_months": INF}, "evaluation_months", "not a whole number"),
    ({"refund_monthly_share": NAN}, "refund_monthly_share", "not a finite number"),
    ({"refund_one_off_share": -0.5}, "refund_one_off_share", "out of range"),
    ({"level_factors": [1.0, NAN]}, "level_factors", "holds nan, which is not a finite number"),
    ({"level_factors": [1.0, -2.0]}, "level_factors", "holds -2.0, which is out of range"),
    ({"recruits_per_year": {"2027": INF}}, "recruits_per_year", "not a whole number"),
    ({"recruits_per_year": {"2027": -3}}, "recruits_per_year", "out of range"),
    ({"refund_causes": ["quit", "resign"]}, "refund_causes",
     "holds 'resign', not one of the choices"),
    ({"refund_causes": "quit"}, "refund_causes", "is not a list"),
    ({"refund_causes": ["quit", "quit"]}, "refund_causes", "not a list of distinct cause names"),
    ({"after_commitment": "forever"}, "after_commitment", "not one of the choices"),
    ({"refund_on_termination": True}, "refund_on_termination", "no longer exists"),
])
def test_bad_programme_values_are_named(change, column, words):
    test_bad_programmes_are_named(change, column, words)


@pytest.mark.parametrize("section, change, column, words", [
    ("levers", {"commune_cap_share": NAN}, "levers.incentives.commune_cap_share", "finite"),
    ("levers", {"ceiling_vnd_per_year": -1.0}, "levers.incentives.ceiling_vnd_per_year",
     "out of range"),
    ("levers", {"solver_ceiling_vnd_per_year": INF},
     "levers.incentives.solver_ceiling_vnd_per_year", "finite"),
    ("unc", {"quit_monthly_recruit": NAN}, "uncertainties.incentives.quit_monthly_recruit",
     "finite"),
    ("unc", {"transfer_monthly": -0.001}, "uncertainties.incentives.transfer_monthly",
     "out of range"),
    ("unc", {"retirement_monthly_existing": 1.5},
     "uncertainties.incentives.retirement_monthly_existing", "out of range"),
    ("unc", {"refund_collection": INF}, "uncertainties.incentives.refund_collection", "finite"),
    ("unc", {"acceptance_recruit": -0.2}, "uncertainties.incentives.acceptance_recruit",
     "out of range"),
    ("unc", {"quit_monthly_recruit": 0.6, "transfer_monthly": 0.6},
     "uncertainties.incentives.quit_monthly_recruit", "add up to 1.2"),
    ("unc", {"attrition_monthly": 0.004}, "uncertainties.incentives.attrition_monthly",
     "no longer exists"),
    ("unc", {"ranges": {"quit_monthly": [NAN, 0.01]}},
     "uncertainties.incentives.ranges.quit_monthly", "no longer exists"),
    ("con", {"draws": NAN}, "constants.incentives.draws", "not a whole number"),
    ("con", {"draws": INF}, "constants.incentives.draws", "not a whole number"),
    ("con", {"draws": -5}, "constants.incentives.draws", "out of range"),
    ("con", {"mean_salary_coefficient": NAN}, "constants.incentives.mean_salary_coefficient",
     "finite"),
    ("con", {"first_year": NAN}, "constants.incentives.first_year", "not a whole number"),
])
def test_nan_inf_negative_and_out_of_range_values_are_named(section, change, column, words):
    with pytest.raises(ScenarioError) as err:
        if section == "levers":
            _design(**change)
        elif section == "unc":
            _design(change)
        else:
            _design(con_overrides=change)
    msgs = [(p.column, p.message, p.file) for p in err.value.problems]
    assert any(c == column and words in m and f == "my_scenario.toml" for c, m, f in msgs), msgs


def test_the_retired_attrition_key_says_how_to_split_it():
    with pytest.raises(ScenarioError) as err:
        _design({"attrition_monthly": 0.004})
    assert "quit_monthly" in err.value.problems[0].fix


def test_the_retired_refund_on_termination_key_points_to_refund_causes():
    with pytest.raises(ScenarioError) as err:
        _bad_programme(refund_on_termination=True)
    assert "refund_causes" in err.value.problems[0].fix  # among the programme keys listed


def test_rates_of_a_kind_and_their_ranges_come_from_the_key_table():
    d = _design({"acceptance_recruit": 0.6})
    # a kind-specific key applies to that kind only; a shared key to both
    assert d.rates["recruit"].acceptance == 0.6 and d.rates["existing"].acceptance == 0.8
    assert d.rates["recruit"].transfer_monthly == d.rates["existing"].transfer_monthly == 0.001
    ranges = d.ranges
    assert ranges == rate_ranges()
    assert ranges["quit_monthly_recruit"] == (0.0014, 0.0056)
    assert ranges["acceptance_recruit"] == (0.5, 0.9)
    with pytest.raises(ScenarioError, match="no longer exists"):
        _design({"ranges": {"quit_monthyl": [0.1, 0.2]}})
    with pytest.raises(ScenarioError, match="add up to more than 1"):
        _design({"evaluation_raise": 0.6, "evaluation_lower": 0.5})


def test_programme_defaults_are_the_key_tables():
    bare = Programme(id="p", kind="recruit", fields=("land",), one_off=0, monthly=1,
                     evaluation_months=12, commitment_months=24)
    for name in ("area_classes", "offices", "include_managers", "intake_month", "min_rating",
                 "min_score_development", "one_off_unit", "monthly_unit", "level_factors",
                 "start_level", "refund_one_off_share", "refund_monthly_share",
                 "refund_pro_rata", "refund_causes", "after_commitment"):
        table = default(f"levers.incentives.programmes[].{name}")
        assert getattr(bare, name) == (tuple(table) if isinstance(table, list) else table), name
        assert getattr(bare, name) == item_default(name)
    assert bare.name_vi == bare.name_en == "p"
    assert isinstance(bare.one_off, float) and isinstance(bare.level_factors[0], float)
    # a programme read from a scenario without the optional keys gets the same
    d = _design(programmes=[{"id": "new", "kind": "recruit", "fields": ["land"],
                             "recruits_per_year": {"2027": 4}, "one_off": 0,
                             "monthly": 1, "evaluation_months": 12, "commitment_months": 24}])
    assert d.programmes[0] == dataclasses.replace(bare, id="new", name_vi="new",
                                                  name_en="new",
                                                  recruits_per_year={2027: 4})


def test_negative_hazard_in_an_override_file_names_the_file_and_key(tmp_path: Path):
    f = tmp_path / "bad_hazard.toml"
    f.write_text("[uncertainties.incentives]\ntransfer_monthly = -0.001\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:  # the key table catches it on loading
        design_from_scenario(load_scenario(f))
    p = err.value.problems[0]
    assert (p.file, p.column) == (str(f), "uncertainties.incentives.transfer_monthly")


def test_bundled_scenarios_read_the_resolution():
    from khcadre_sim.paths import SCENARIOS

    d = design_from_scenario(load_scenario())
    recruit = next(p for p in d.programmes if p.kind == "recruit")
    # the resolution's two refund causes; support continues after the commitment (the project's
    # reading), and the total leaving hazard stays 0.004 a month for both kinds
    assert recruit.refund_causes == ("quit", "fail_duties")
    assert all(p.after_commitment == "continue_while_evaluations_pass" for p in d.programmes)
    for r in d.rates.values():
        assert r.exit_monthly == pytest.approx(0.004, rel=1e-12)
    assert d.rates["recruit"].retirement_monthly == 0.0
    # a programme that leaves the keys out gets the same defaults
    bare = Programme(**{f.name: getattr(recruit, f.name) for f in dataclasses.fields(Programme)
                        if f.name not in ("refund_causes", "after_commitment")})
    assert bare.refund_causes == ("quit", "fail_duties")
    assert bare.after_commitment == "continue_while_evaluations_pass"
    for name in ("incentives_generous", "incentives_lean", "incentives_hard_areas"):
        v = design_from_scenario(load_scenario(SCENARIOS / f"{name}.toml"))
        assert all(set(p.refund_causes) <= set(CAUSES) and "quit" in p.refund_causes
                   for p in v.programmes), name
    lean = design_from_scenario(load_scenario(SCENARIOS / "incentives_lean.toml"))
    assert {p.after_commitment for p in lean.programmes} == {"stop"}


def test_views_split_exits_by_cause_and_keep_post_commitment_apart():
    r = _run(_design())
    every = r.expected_by_year()
    np.testing.assert_allclose(every[list(EXIT_MEASURES)].sum(axis=1),
                               every["leavers"] + every["terminated"], rtol=1e-12)
    # the existing-staff programme (24 months from 2027-01) continues in 2029–2030, the
    # recruits of October 2026 (48 months) from October 2030
    assert every.loc[2029, "post_commitment_paid"] > 0
    assert every.loc[2028, "post_commitment_paid"] == 0
    assert r.per_retained["post_commitment_paid_in_horizon"].sum() == pytest.approx(
        every["post_commitment_paid"].sum(), rel=1e-12)
    # cost per retained covers the commitment only: the same whether support stops or continues
    stopped = _design()
    stopped = stopped.with_programmes([dataclasses.replace(p, after_commitment="stop")
                                       for p in stopped.programmes])
    rs = _run(stopped)
    pd.testing.assert_series_equal(r.per_retained["cost_per_retained"],
                                   rs.per_retained["cost_per_retained"], rtol=1e-12)
    assert rs.per_retained["post_commitment_paid_in_horizon"].sum() == 0
    assert r.view("net_cost")["expected"].sum() > rs.view("net_cost")["expected"].sum()


def test_override_file_is_named_in_the_error(tmp_path: Path):
    f = tmp_path / "bad.toml"
    base = (Path(inc.__file__).parents[2] / "scenarios" / "base.toml").as_posix()
    f.write_text(f'extends = "{base}"\n[levers.incentives]\ncommune_cap_share = 2.0\n',
                 encoding="utf-8")
    with pytest.raises(ScenarioError) as err:  # the key table catches it on loading
        load_scenario(f)
    assert err.value.problems[0].file == str(f)
    assert err.value.problems[0].column == "levers.incentives.commune_cap_share"


# ------------------------------------------------------------------ outputs

def test_write_outputs_on_the_bundled_province(tmp_path: Path):
    from khcadre_sim.incentives.cli import extras
    from khcadre_sim.io import load_province
    from khcadre_sim.report import write_result

    province, scenario = load_province(), load_scenario()
    result = inc.run(province, scenario, draws=500, curves=False)
    summary = write_result(result, tmp_path, "vi", extras=extras)
    assert "incentives.xlsx" in summary["files"] and "cost_by_year.png" in summary["files"]
    assert summary["headline"] and (tmp_path / "summary.json").is_file()
    by_year = pd.read_csv(tmp_path / "by_year.csv")
    assert {"year", "programme", "measure", "expected", "p5", "p50", "p95"} <= set(by_year)
    assert set(by_year["year"]) == set(range(2026, 2031))
    wb = load_workbook(tmp_path / "incentives.xlsx")
    ws = wb["Số liệu chi tiết theo năm"]  # the tidy view, one unit per row
    assert ws["A2"].value == "Năm" and ws["C2"].value == "Chỉ tiêu"
    assert ws["C3"].value == "Tổng chi" and ws["D3"].value == "đồng"  # measures in Vietnamese
    assert ws["E3"].number_format == "#,##0.0"
    assert {"Dự toán theo năm", "Theo xã", "Suất và danh sách chờ", "Trần kinh phí"} <= set(
        wb.sheetnames)  # the budget layout itself: tests/test_workbooks.py
    assert {f"exits_{c}" for c in CAUSES} | {"refund_cases", "post_commitment_paid"} <= set(
        by_year["measure"])
    assert summary["refund_rules"]["recruit_new_work"]["refund_causes"] == ["quit", "fail_duties"]
    assert set(summary["exits_by_cause_2026_2030"]) == set(CAUSES)


def test_cli_rejects_bad_input_without_writing(tmp_path: Path, capsys):
    from khcadre_sim.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text("[levers.incentives]\nprovince_cap_share = -1.0\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["incentives", "--scenario", str(bad), "--out", str(out)]) == 2
    assert not out.exists()
    assert "province_cap_share" in capsys.readouterr().err


def test_cli_names_an_unknown_refund_cause_and_its_file(tmp_path: Path, capsys):
    from khcadre_sim.cli import main

    bad = tmp_path / "causes.toml"
    bad.write_text(
        '[[levers.incentives.programmes]]\nid = "p"\nkind = "recruit"\nfields = ["land"]\n'
        'recruits_per_year = { 2027 = 4 }\none_off = 1.0\nmonthly = 1.0\n'
        'evaluation_months = 12\ncommitment_months = 24\n'
        'refund_causes = ["quit", "retire"]\nafter_commitment = "until_2035"\n',
        encoding="utf-8")
    out = tmp_path / "out"
    assert main(["incentives", "--scenario", str(bad), "--out", str(out)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert str(bad) in err
    assert "levers.incentives.programmes[0].refund_causes" in err and "'retire'" in err
    assert "levers.incentives.programmes[0].after_commitment" in err and "until_2035" in err

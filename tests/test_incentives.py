"""Incentive budget: hand-checkable cases, exact vs Monte Carlo vs per-person loop, caps, solver,
validation errors and the written outputs."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import khcadre_sim.incentives as inc
from khcadre_sim.errors import ScenarioError
from khcadre_sim.incentives.budget import run_budget
from khcadre_sim.incentives.chain import MEASURES, person_loop, run_chain
from khcadre_sim.incentives.places import apply_caps, largest_remainder
from khcadre_sim.incentives.spec import Programme, Rates, design_from_scenario
from khcadre_sim.scenario import load_scenario

BASE = np.full(400, 2_340_000.0)


def programme(**kw) -> Programme:
    values = dict(id="p", name_vi="p", name_en="p", kind="recruit", priority=1,
                  fields=("it_digital",), area_classes=("urban", "rural", "mountain", "island"),
                  one_off=100_000_000.0, one_off_unit="vnd", monthly=5_000_000.0,
                  monthly_unit="vnd", level_factors=(0.5, 1.0, 1.5), start_level=1,
                  evaluation_months=12, commitment_months=60, refund_one_off_share=1.0,
                  refund_monthly_share=0.5, refund_pro_rata=True, refund_on_termination=True,
                  recruits_per_year={2026: 10}, intake_month=1)
    values.update(kw)
    return Programme(**values)


NO_RISK = Rates(acceptance=1.0, attrition_monthly=0.0, evaluation_raise=0.0,
                evaluation_lower=0.0, evaluation_terminate=0.0, refund_collection=1.0)
RISKY = Rates(acceptance=0.8, attrition_monthly=0.01, evaluation_raise=0.2,
              evaluation_lower=0.15, evaluation_terminate=0.1, refund_collection=0.6)


# ------------------------------------------------------------------ hand-checkable cases

def test_no_attrition_all_pass_costs_count_times_amounts():
    prog = programme(commitment_months=24)
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
                     commitment_months=6, evaluation_months=6)
    out = run_chain(prog, NO_RISK, np.array([3]), np.array([1]), base, 12)
    assert out["one_off_paid"].sum() == 10 * 2_340_000
    assert out["monthly_paid"].sum() == 3 * 2_340_000 + 3 * 2_530_000


def test_leaver_in_month_6_of_60_repays_the_rule():
    # the rule: 100% of the one-off and 50% of the monthly support received, pro rata to the
    # 54 unserved months of 60 → 100m × 54/60 + 0.5 × (6 × 5m) × 54/60 = 90m + 13.5m
    rates = dataclasses.replace(NO_RISK, attrition_monthly=0.1)
    out = run_chain(programme(), rates, np.array([0]), np.array([1]), BASE, 60)
    assert out["refund_owed"][6, 0] / out["leavers"][6, 0] == pytest.approx(103_500_000, rel=1e-12)
    # without pro rata the whole shares are owed: 100m + 0.5 × 30m
    out = run_chain(programme(refund_pro_rata=False), rates, np.array([0]), np.array([1]), BASE,
                    60)
    assert out["refund_owed"][6, 0] / out["leavers"][6, 0] == pytest.approx(115_000_000, rel=1e-12)


def test_failed_evaluation_refund_follows_the_termination_rule():
    rates = dataclasses.replace(NO_RISK, evaluation_terminate=1.0)
    with_rule = run_chain(programme(), rates, np.array([0]), np.array([1]), BASE, 60)
    # terminated at the first evaluation (month 12): 100m × 48/60 + 0.5 × 60m × 48/60
    assert with_rule["terminated"][12, 0] == 1
    assert with_rule["refund_owed"].sum() == pytest.approx(80_000_000 + 24_000_000)
    without = run_chain(programme(refund_on_termination=False), rates, np.array([0]),
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


def test_monte_carlo_mean_agrees_with_exact():
    prog = programme()
    intakes, places = np.array([0, 9, 21, 33]), np.array([40, 60, 60, 30])
    ex = run_chain(prog, RISKY, intakes, places, BASE, 60)
    mc = run_chain(prog, RISKY, intakes, places, BASE, 60, rng=np.random.default_rng(1),
                   draws=4000)
    for m in MEASURES:
        for year in range(5):
            ys = slice(12 * year, 12 * year + 12)
            assert _agree(ex[m][ys].sum(), mc[m][ys].sum(axis=0)), (m, year)
    assert mc["monthly_paid"].sum(0).std() > 0  # the bands are not degenerate


def test_person_loop_agrees_with_exact():
    # level changes, attrition, termination refunds: the per-person histories that the cohort
    # chain summarises by the mean support received per level
    prog = programme(commitment_months=36)
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

def _province():
    terr = pd.DataFrame({"territory_id": ["A", "B", "C"], "name": ["Xã A", "Phường B", "Xã C"],
                         "area_class": ["rural", "urban", "mountain"],
                         "hard_area": [False, False, True]})
    pos = pd.DataFrame({"position_id": [f"P{i}" for i in range(90)],
                        "territory_id": ["A"] * 30 + ["B"] * 40 + ["C"] * 20,
                        "field": (["land", "it_digital", "social"] * 30),
                        "office": ["economy"] * 70 + ["culture_social"] * 20,
                        "is_manager": [i % 10 == 0 for i in range(90)]})
    rng = np.random.default_rng(0)
    staff = pd.DataFrame({
        "staff_id": [f"S{i}" for i in range(90)], "position_id": pos["position_id"],
        "fields": ["land;it_digital"] * 90,
        "last_rating": rng.choice(["excellent", "good", "completed"], 90),
        "score_development": rng.uniform(40, 95, 90)})
    return terr, pos, staff


def _design(unc_overrides: dict | None = None, **lever_overrides):
    levers = {"commune_cap_share": 0.10, "province_cap_share": 1.0,
              "ceiling_mode": "vnd", "ceiling_vnd_per_year": 3e9,
              "programmes": [
                  {"id": "new", "kind": "recruit", "fields": ["land", "it_digital"],
                   "recruits_per_year": {"2026": 4, "2027": 4}, "intake_month": 10,
                   "one_off": 50.0, "one_off_unit": "base_salary", "monthly": 2.0,
                   "monthly_unit": "base_salary", "level_factors": [0.5, 1.0, 1.5],
                   "start_level": 1, "evaluation_months": 12, "commitment_months": 48,
                   "refund_one_off_share": 1.0, "refund_monthly_share": 0.5},
                  {"id": "old", "kind": "existing", "fields": ["land"], "priority": 2,
                   "min_rating": "excellent", "min_score_development": 60.0,
                   "start": "2027-01-01", "one_off": 0.0, "monthly": 1_000_000.0,
                   "evaluation_months": 12, "commitment_months": 24}]}
    levers.update(lever_overrides)
    unc = {"acceptance": 0.8, "attrition_monthly": 0.005, "evaluation_raise": 0.1,
           "evaluation_lower": 0.1, "evaluation_terminate": 0.05, "refund_collection": 0.7,
           "ranges": {"attrition_monthly": [0.002, 0.01]}}
    unc.update(unc_overrides or {})
    scen = SimpleNamespace(levers={"incentives": levers}, uncertainties={"incentives": unc},
                           constants={"incentives": {"draws": 2000}},
                           origin=lambda key: "my_scenario.toml")
    return design_from_scenario(scen, known_fields={"land", "it_digital", "social"})


def _run(design, **kw):
    terr, pos, staff = _province()
    base = np.array([2_340_000.0] * 6 + [2_530_000.0] * 120)
    return run_budget(design, terr, pos, staff, base, np.full(5, 0.1), seed=7, **kw)


def test_caps_bound_every_commune_and_views_add_up():
    r = _run(_design())
    granted = r.places.groupby("territory_id")["admitted"].sum()
    assert granted.get("A", 0) <= 3 and granted.get("B", 0) <= 4 and granted.get("C", 0) <= 2
    assert r.places["waitlisted"].sum() > 0  # the cap binds in this design
    total = r.by_year[(r.by_year["programme"] == "all") & (r.by_year["measure"] == "net_cost")]
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
    assert ans.status == "solved" and ans.value > 0
    assert max(ans.quantile_cost_by_year) <= x
    curve = inc.cost_curve_amounts(r, np.array([ans.value, ans.value * 1.01]))
    worst = curve.groupby("monthly_scale")["p95"].max()
    assert worst.iloc[0] <= x < worst.iloc[1]
    # a ceiling below the one-off payments alone cannot be met by any monthly amount
    assert inc.largest_monthly_scale(r, 1e6).status == "infeasible"
    # the same question for the one-off payment
    one = inc.largest_amount_scale(r, x, "one_off")
    assert one.status == "solved" and one.lever == "one_off_scale"
    curve = inc.cost_curve_amounts(r, np.array([one.value, one.value * 1.01]),
                                   component="one_off")
    worst = curve.groupby("one_off_scale")["p95"].max()
    assert worst.iloc[0] <= x < worst.iloc[1]
    # at factor 1 the curve reproduces the run's own expectation
    at_one = inc.cost_curve_amounts(r, np.array([1.0]))
    net = r.by_year[(r.by_year["programme"] == "all") & (r.by_year["measure"] == "net_cost")]
    np.testing.assert_allclose(at_one["expected"], net["expected"], rtol=1e-9)


def test_largest_recruits_is_checked_both_sides():
    design = _design(commune_cap_share=1.0)
    terr, pos, staff = _province()
    base = np.array([2_340_000.0] * 6 + [2_530_000.0] * 120)
    inputs = inc.IncentiveInputs(design, terr, pos, staff, base, np.full(5, 0.1), seed=3)
    ans = inc.largest_recruits(inputs, "new", 1.0e9, draws=500, upper=60)
    assert ans.status == "solved"
    assert max(ans.quantile_cost_by_year) <= 1.0e9
    assert ans.message == ""  # k + 1 was checked and does not fit


def test_sensitivity_moves_cost_the_right_way():
    terr, pos, staff = _province()
    base = np.array([2_340_000.0] * 6 + [2_530_000.0] * 120)
    inputs = inc.IncentiveInputs(_design(), terr, pos, staff, base, np.full(5, 0.1), seed=3)
    t = inc.sensitivity(inputs).set_index("rate")
    # more attrition → fewer months paid, more refunds → lower net cost
    assert t.loc["attrition_monthly", "net_cost_at_high"] < t.loc["attrition_monthly",
                                                                  "net_cost_at_low"]


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


@pytest.mark.parametrize("change, column, words", [
    ({"one_off": -5.0}, "one_off", "out of range"),
    ({"monthly": -1.0}, "monthly", "out of range"),
    ({"commitment_months": 6}, "commitment_months", "shorter than the evaluation period"),
    ({"recruits_per_year": {"2031": 3}}, "recruits_per_year.2031", "outside 2026–2030"),
    ({"refund_one_off_share": 1.2}, "refund_one_off_share", "out of range"),
    ({"fields": ["astrology"]}, "fields", "unknown field"),
    ({"kind": "gift"}, "kind", "not a programme kind"),
    ({"monthyl": 3.0}, "monthyl", "unknown programme key"),
    ({"kind": "existing", "start": "2025-06-01"}, "start", "2026–2030"),
])
def test_bad_programmes_are_named(change, column, words):
    with pytest.raises(ScenarioError) as err:
        _bad_programme(**change)
    msgs = [(p.column, p.message, p.file) for p in err.value.problems]
    assert any(c == f"levers.incentives.programmes[0].{column}" and words in m
               and f == "my_scenario.toml" for c, m, f in msgs), msgs


def test_unknown_rate_range_is_named():
    assert _design().ranges == {"attrition_monthly": (0.002, 0.01)}
    with pytest.raises(ScenarioError, match="not an uncertain rate"):
        _design({"ranges": {"atrition_monthly": [0.1, 0.2]}})
    with pytest.raises(ScenarioError, match="add up to more than 1"):
        _design({"evaluation_raise": 0.6, "evaluation_lower": 0.5})


def test_override_file_is_named_in_the_error(tmp_path: Path):
    f = tmp_path / "bad.toml"
    base = (Path(inc.__file__).parents[2] / "scenarios" / "base.toml").as_posix()
    f.write_text(f'extends = "{base}"\n[levers.incentives]\ncommune_cap_share = 2.0\n',
                 encoding="utf-8")
    scenario = load_scenario(f)
    with pytest.raises(ScenarioError) as err:
        design_from_scenario(scenario)
    assert err.value.problems[0].file == str(f)


# ------------------------------------------------------------------ outputs

def test_write_outputs_on_the_bundled_province(tmp_path: Path):
    from khcadre_sim.io import load_province

    province, scenario = load_province(), load_scenario()
    args = argparse.Namespace(draws=500, no_curves=True, lang="vi")
    summary = inc.write_outputs(province, scenario, tmp_path, args)
    assert summary["headline"] and (tmp_path / "summary.json").is_file()
    by_year = pd.read_csv(tmp_path / "by_year.csv")
    assert {"year", "programme", "measure", "expected", "p5", "p50", "p95"} <= set(by_year)
    assert set(by_year["year"]) == set(range(2026, 2031))
    wb = load_workbook(tmp_path / "incentives.xlsx")
    ws = wb["Theo năm"]
    assert ws["A1"].value == "Năm" and ws["A2"].value == "Year"
    money = [c for c in ws[3] if c.number_format == "#,##0"]
    assert money  # VND cells are formatted as whole numbers with thousands separators
    assert ws["C3"].value == "Tổng chi"  # measures in Vietnamese
    assert {"Theo xã", "Suất và danh sách chờ", "Trần kinh phí"} <= set(wb.sheetnames)


def test_cli_rejects_bad_input_without_writing(tmp_path: Path, capsys):
    from khcadre_sim.cli import main

    bad = tmp_path / "bad.toml"
    bad.write_text("[levers.incentives]\nprovince_cap_share = -1.0\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["incentives", "--scenario", str(bad), "--out", str(out)]) == 2
    assert not out.exists()
    assert "province_cap_share" in capsys.readouterr().err

"""Views the notebooks used to compute by hand, now in the package: vacancy rates, field load,
status counts, residual shortage by field, the design comparison and the dated base salary."""

import datetime as dt

import pytest

import khcadre_sim.incentives as inc
from khcadre_sim import workload
from khcadre_sim.examples import scenario as example_scenario
from khcadre_sim.examples import tiny_province
from khcadre_sim.review import vacancy_rates
from khcadre_sim.scenario import load_scenario


def test_vacancy_rates_on_the_tiny_province():
    # posts T1-IT (it_digital, T1 rural) and T2-DD (land, T2 mountain) have no holder
    p = tiny_province()
    by_field = vacancy_rates(p, "field").set_index("field")
    assert by_field.loc["it_digital", ["posts", "vacant"]].tolist() == [1, 1]
    assert by_field.loc["land", "vacancy_rate"] == 0.5
    assert by_field.loc["management", "vacancy_rate"] == 0.0
    assert list(by_field.index[:2]) == ["it_digital", "land"]  # highest rate first
    by_area = vacancy_rates(p, "area_class").set_index("area_class")
    assert by_area["vacancy_rate"].to_dict() == pytest.approx({"mountain": 1 / 3,
                                                               "rural": 1 / 3})
    by_unit = vacancy_rates(p, "territory_id")
    assert list(by_unit.columns) == ["territory_id", "name", "area_class", "posts", "vacant",
                                     "vacancy_rate"]
    assert by_unit["vacant"].tolist() == [1, 1]
    with pytest.raises(ValueError):
        vacancy_rates(p, "gender")


def test_vacancy_rates_of_an_empty_table_keep_their_columns():
    p = tiny_province()
    p.positions = p.positions.iloc[0:0]
    out = vacancy_rates(p, "office")
    assert out.empty and list(out.columns) == ["office", "posts", "vacant", "vacancy_rate"]
    assert out["posts"].dtype == "int64"


@pytest.fixture(scope="module")
def small_workload():
    from khcadre_sim.examples import small_province

    province = small_province(4, seed=5, scale=0.5)
    return workload.run(province, example_scenario())


def test_field_load_sums_the_communes(small_workload):
    r = small_workload
    fl = workload.field_load(r).set_index("field")
    cf = r.before.commune_field
    for field, g in cf.groupby("field"):
        assert fl.loc[field, "required_fte"] == pytest.approx(g["required_fte"].sum())
        assert fl.loc[field, "actual_fte"] == pytest.approx(g["actual_fte"].sum())
        assert fl.loc[field, "communes_over"] == int((g["status"] == "over").sum())
        if g["actual_fte"].sum() > 0:
            assert fl.loc[field, "load_ratio"] == pytest.approx(
                g["required_fte"].sum() / g["actual_fte"].sum())
    after = workload.field_load(r, "after")
    assert after["required_fte"].sum() == pytest.approx(fl["required_fte"].sum())


def test_status_counts_and_shortage_by_field(small_workload):
    r = small_workload
    counts = workload.status_counts(r)
    people = workload.person_table(r)
    assert list(counts.columns) == ["before", "after"]
    assert counts["before"].sum() == counts["after"].sum() == len(people)
    assert counts.loc["over", "before"] == int((people["status_before"] == "over").sum())
    short = workload.shortage_by_field(r)
    assert short["total"].sum() == pytest.approx(r.rebalanced.shortage["shortage_fte"].sum())


def test_compare_designs_has_one_row_per_design():
    from khcadre_sim.io import load_province

    province, scenario = load_province(), load_scenario()
    base = inc.run(province, scenario, draws=200, curves=False)
    lean = inc.run(province, scenario.with_overrides(
        {"levers.incentives.commune_cap_share": 0.04}), draws=200, curves=False)
    table = inc.compare_designs({"base": base, "lean": lean.budget})
    assert list(table.index) == ["base", "lean"]
    t = inc.summary_table(base.budget)
    assert table.loc["base", "net_2026_2030"] == pytest.approx(t["expected_net"].sum())
    assert table.loc["base", "places"] == int(base.budget.places["admitted"].sum())
    assert table.loc["lean", "places"] < table.loc["base", "places"]  # a tighter cap
    assert inc.compare_designs({}).empty


def test_base_salary_is_the_dated_parameter():
    s = load_scenario()
    # data/policy/parameters.toml: 2,340,000 from 2024-07-01, 2,530,000 from 2026-07-01
    assert inc.base_salary(s, dt.date(2026, 6, 30)) == 2_340_000
    assert inc.base_salary(s, dt.date(2026, 7, 1)) == 2_530_000

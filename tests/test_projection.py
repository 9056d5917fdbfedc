"""The 2026–2030 projection: composition by hand on tiny provinces, reproducibility, indicators
recomputed from the written log, targets logic, and bad input."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from khcadre_sim import examples
from khcadre_sim.cli import main
from khcadre_sim.errors import ScenarioError
from khcadre_sim.io import province_from_frames, write_province
from khcadre_sim.projection import api, targets
from khcadre_sim.retirement import retirement_month

YEARS = (2026, 2027, 2028)
CAUSES = ("quit", "death_health", "transfer")
BANDS = ("under_30", "age_30_39", "age_40_49", "age_50_plus")
QUIET = {  # no random exits, no term rotations: only what the test sets up happens
    **{f"uncertainties.people.exits.{c}.{b}": 0.0 for c in CAUSES for b in BANDS},
    "levers.rotation_terms.starts_per_year": 0, "levers.rotation_terms.horizontal_per_year": 0,
}


def _tables(drop_staff: tuple[str, ...] = (), drop_posts: tuple[str, ...] = (),
            born: dict[str, int] | None = None) -> dict[str, pd.DataFrame]:
    """The tiny province's tables with a few changes; one case a year per field, so that no
    field is short of people (the tests are about vacancies, not workload)."""
    p = examples.tiny_province()
    staff = p.staff[~p.staff["staff_id"].isin(drop_staff)].copy()
    for sid, year in (born or {}).items():
        staff.loc[staff["staff_id"] == sid, "birth_year"] = year
    return {"territories": p.territories,
            "positions": p.positions[~p.positions["position_id"].isin(drop_posts)],
            "staff": staff, "workload": p.workload.assign(annual_cases=1.0)}


def _run(province, overrides: dict, years=YEARS, seeds: int = 1) -> api.ProjectionResult:
    scenario = examples.scenario("base", {**QUIET, **overrides})
    return api.run(province, {"t": scenario}, seeds=seeds, years=years, workers=1)


def test_retirement_in_2027_is_refilled_from_surplus_in_2028() -> None:
    params = examples.scenario("base").params
    # a woman born in a year whose statutory age falls in 2027 (July birth by convention)
    year = next(y for y in range(1960, 1975) if retirement_month(params, "F", y)[0] == 2027)
    # S2 (land post T1-DD) retires in 2027; S5 (administration; land) has no post and there is
    # no other land post (T2-DD removed), so S5 waits as surplus until the post is free
    province = province_from_frames(_tables(drop_posts=("T2-DD",), born={"S2": year}))
    r = _run(province, {})
    ev = r.events
    retired = ev[(ev["event"] == "retirement")]
    assert list(retired["staff_id"]) == ["S2"]
    assert retired["date"].iloc[0].year == 2027 and retired["position_id"].iloc[0] == "T1-DD"
    moved = ev[(ev["event"] == "moved") & (ev["staff_id"] == "S5")]
    assert list(zip(moved["date"], moved["position_id"], moved["detail"], strict=True)) == [
        (dt.date(2028, 1, 1), "T1-DD", "placement")]
    assert "land" in province.staff.set_index("staff_id").at["S5", "fields"].split(";")
    snap = r.snapshots
    assert snap[(snap["year"] == 2027) & (snap["position_id"] == "T1-DD")]["staff_id"].isna().all()
    assert (snap[(snap["year"] == 2028) & (snap["position_id"] == "T1-DD")]["staff_id"]
            == "S5").all()
    proof = r.placement_proofs.set_index("year")
    assert proof.at[2028, "mode"] == "restricted" and proof.at[2028, "status"] == "optimal"
    assert proof.at[2028, "changes"] == 1
    vac = r.indicators[(r.indicators["scope"] == "province")
                       & (r.indicators["indicator"] == "vacancies")].set_index("year")["value"]
    assert list(vac) == [0.0, 1.0, 0.0]


def test_programme_recruit_shows_up_in_that_years_budget() -> None:
    # without S6 nobody is qualified for the vacant IT post T1-IT: it is recruited for, through
    # the talent programme for new work (it_digital is one of its fields) — or regularly
    province = province_from_frames(_tables(drop_staff=("S6",)))
    sure = {"uncertainties.incentives.acceptance_recruit": 1.0,
            "uncertainties.people.recruitment.acceptance_regular": 1.0,
            # a commune of three may not hold a place under a 10% cap: lift the caps
            "levers.incentives.commune_cap_share": 1.0,
            "levers.incentives.province_cap_share": 1.0}

    def spending(result: api.ProjectionResult) -> pd.Series:
        i = result.indicators
        return i[(i["scope"] == "province") & (i["indicator"] == "incentive_spending_vnd")
                 ].set_index("year")["value"]

    with_programme = _run(province, sure)
    ev = with_programme.events
    rec = ev[ev["event"] == "recruited"]
    assert list(zip(rec["position_id"], rec["detail"], strict=True)) == [
        ("T1-IT", "recruit_new_work")]
    assert rec["date"].iloc[0] == dt.date(2026, 10, 1)  # the programme's intake month
    sup = ev[(ev["event"] == "supported") & (ev["staff_id"] == rec["staff_id"].iloc[0])]
    assert list(sup["detail"]) == ["recruit_new_work"]
    regular = _run(province, {**sure, "levers.people.recruitment.programme_share": 0.0})
    assert list(regular.events.loc[regular.events["event"] == "recruited", "detail"]) == [
        "regular"]
    # 2026: the existing-staff programme starts in 2027, so 2026's money is the recruit's
    assert spending(regular)[2026] == 0.0
    assert spending(with_programme)[2026] > 0.0
    budget = with_programme.budget
    assert budget[(budget["year"] == 2026) & (budget["territory_id"] == "T1")][
        "incentive_spending_vnd"].iloc[0] > 0


def _cli_run(tmp_path, name: str, seeds: int = 2) -> dict[str, bytes]:
    data = tmp_path / "data"
    if not data.exists():
        write_province(examples.tiny_province(), data)
    out = tmp_path / name
    assert main(["project", "--data", str(data), "--seeds", str(seeds), "--first-seed", "3",
                 "--out", str(out), "--quiet"]) == 0
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}


def test_same_seed_same_tables_byte_for_byte_and_indicators_recomputed(tmp_path) -> None:
    first = _cli_run(tmp_path, "one")
    second = _cli_run(tmp_path, "two")
    assert set(first) >= {"indicators.csv", "bands.csv", "targets.csv", "events.csv"}
    assert first == second
    out = tmp_path / "one"
    read = {n: pd.read_parquet(out / f"{n}.parquet") for n in ("events", "snapshots",
                                                               "budget", "indicators")}
    again = api.recompute(read["events"], read["snapshots"], read["budget"],
                          examples.tiny_province(), {"base": examples.scenario("base")})
    written = read["indicators"]
    assert len(written) > 100 and set(written["seed"]) == {3, 4}
    pd.testing.assert_frame_equal(again.reset_index(drop=True),
                                  written.astype(again.dtypes.to_dict()), check_exact=True)
    # the CSV holds the same numbers, in full
    # pandas 2's fast float parser may be 1 ulp off; pandas 3 reads exactly (and deprecates
    # the option)
    exact = {"float_precision": "round_trip"} if pd.__version__.startswith("2.") else {}
    csv = pd.read_csv(out / "indicators.csv", encoding="utf-8-sig", keep_default_na=False,
                      **exact)
    assert np.array_equal(csv["value"].to_numpy(float), written["value"].to_numpy(float),
                          equal_nan=True)


def test_indicators_match_the_mechanisms_results() -> None:
    from khcadre_sim.projection import loop

    province = examples.small_province(4)
    prep = loop.prepare(province, "base", examples.scenario("base"))
    r = loop.run_seed(province, prep, 11, (2026, 2027))
    table = api.ind.compute(r.events, r.snapshots, r.budget, api.context(prep.scenario),
                            (2026, 2027), province.territories)
    prov = table[table["scope"] == "province"].set_index(["indicator", "year"])["value"]
    for name, by_year in r.mechanism.items():
        for year, value in by_year.items():
            assert prov[(name, year)] == pytest.approx(value, rel=1e-12), (name, year)
    assert r.mechanism["recruits"][2026] > 0


def test_python_string_storage_changes_no_table(monkeypatch) -> None:
    """The loop and the indicators run with strings stored as Python objects (speed); what they
    return equals a run in pandas' default storage, in the declared dtypes, column labels too,
    and the option is as it was afterwards."""
    import contextlib

    from khcadre_sim.projection import indicators, loop

    province = examples.small_province(4)
    prep = loop.prepare(province, "base", examples.scenario("base"))
    storage = pd.get_option("mode.string_storage")

    def both() -> tuple[loop.SeedRun, pd.DataFrame]:
        r = loop.run_seed(province, prep, 5, (2026, 2027))
        return r, indicators.compute(r.events, r.snapshots, r.budget,
                                     api.context(prep.scenario), (2026, 2027),
                                     province.territories)

    fast, fast_table = both()
    assert pd.get_option("mode.string_storage") == storage
    monkeypatch.setattr(loop, "python_strings", contextlib.nullcontext)
    monkeypatch.setattr(indicators, "python_strings", contextlib.nullcontext)
    plain, plain_table = both()
    for name in ("events", "snapshots", "budget"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(plain, name))
        pd.testing.assert_index_equal(getattr(fast, name).columns, pd.Index(list(
            getattr(plain, name).columns)))
    pd.testing.assert_frame_equal(fast.proofs.drop(columns="seconds"),
                                  plain.proofs.drop(columns="seconds"))
    pd.testing.assert_frame_equal(fast_table, plain_table)


def test_targets_met_and_not_met_by_hand() -> None:
    rows = []
    for seed, (trained, female, reviewed) in enumerate([(0.9, 0.21, 0.99), (1.0, 0.19, 0.99),
                                                        (1.0, 0.25, 0.99)]):
        for ind_, v in (("trained_share", trained), ("manager_female_share", female),
                        ("reviewed_share", reviewed)):
            rows.append(("A", seed, 2027, "province", "", ind_, v))
    table = pd.DataFrame(rows, columns=list(api.ind.TABLE)).astype(api.ind.TABLE)
    out = targets.assess(table, targets.load_targets(), {"manager_female_share": 0.2})
    t = out.set_index("target")
    assert t.at["trained_100", "met"] and t.at["trained_100", "p50"] == 1.0
    assert t.at["trained_100", "share_met"] == pytest.approx(2 / 3)
    assert t.at["trained_100", "margin"] == 0.0
    assert t.at["managers_female_rise", "met"]  # P50 0.21 > today's 0.20
    assert t.at["managers_female_rise", "threshold"] == 0.2
    assert t.at["managers_female_rise", "margin"] == pytest.approx(0.01)
    assert t.at["managers_female_rise", "share_met"] == pytest.approx(2 / 3)
    assert not t.at["reviewed_100", "met"]
    assert t.at["reviewed_100", "margin"] == pytest.approx(-0.01)
    assert t.at["reviewed_100", "share_met"] == 0.0
    assert set(out["comparison"]) <= {">=", "<=", ">"}


def test_every_target_quotes_the_resolution() -> None:
    text = (examples.SCENARIOS.parent / "data").exists()  # source checkout or wheel: either
    loaded = targets.load_targets()
    assert {t.id for t in loaded} >= {"reviewed_100", "output_evaluation_100", "trained_100",
                                      "managers_young_rise", "managers_female_rise",
                                      "managers_ethnic_rise"}
    for t in loaded:
        assert t.text_vi and t.text_en
        assert t.baseline == t.no_number or not t.measured
    del text


def test_bad_input_is_one_clear_line(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[levers.training]\nbudget_vnd_per_yer = 5\n', encoding="utf-8")
    assert main(["project", "--scenario", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "budget_vnd_per_yer" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()
    with pytest.raises(SystemExit) as stop:
        main(["project", "--seeds", "0", "--out", str(tmp_path / "o")])
    assert stop.value.code == 2
    assert "--seeds" in capsys.readouterr().err
    with pytest.raises(ScenarioError):
        api.run(examples.tiny_province(), {}, seeds=1)

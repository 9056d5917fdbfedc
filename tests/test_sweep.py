"""Sweeps on Dask: the same table as a run in this process, resumed runs skip what is done, a
failing experiment is a row, a worker killed mid-sweep changes nothing; Sobol' indices and PRIM
recover known answers."""

from __future__ import annotations

import math
import os
import signal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import khcadre_sim as kh
from khcadre_sim.cli import main
from khcadre_sim.sweep import parse_spec, register_model, run_sweep
from khcadre_sim.sweep.analysis import breach_probability, prim, sobol_indices
from khcadre_sim.sweep.design import experiments

ACCEPT = "uncertainties.incentives.acceptance_recruit"
MONTHLY = "levers.incentives.programmes[recruit_new_work].monthly"


def _spec(samples: int = 3, seeds: int = 2, **extra):  # noqa: ANN202
    raw = {"capability": "incentives", "design": "lhs", "samples": samples, "seeds": seeds,
           "options": {"draws": 100, "curves": False},
           "factors": {ACCEPT: {}, MONTHLY: {"range": [1.0, 6.0]}}}
    return parse_spec({**raw, **extra})


@pytest.fixture(scope="module")
def inputs():
    return kh.load_province(), kh.load_scenario()


@pytest.fixture(scope="module")
def sequential(inputs):
    return run_sweep(_spec(), *inputs)


def test_design_is_seeded_and_keys_are_stable(inputs):
    a, b = experiments(_spec(), 2026), experiments(_spec(), 2026)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 6 and a["experiment_id"].is_unique
    assert sorted(set(a["seed"])) == [2026, 2027]  # the same seeds at every point
    assert a[ACCEPT].between(0.5, 0.9).all()  # the key table's plausible range
    assert a[MONTHLY].between(1.0, 6.0).all()


def test_programme_field_changes_only_that_programme(inputs, sequential):
    wide = sequential.wide()
    assert (wide["status"] == "ok").all()
    # a larger monthly support costs more at the same acceptance rate and seed
    lo = wide.loc[wide[MONTHLY].idxmin()]
    hi = wide.loc[wide[MONTHLY].idxmax()]
    assert hi["gross_outlay_total_bn"] > lo["gross_outlay_total_bn"]
    assert math.isclose(wide["headroom_bn"].iloc[0],
                        wide["ceiling_min_bn"].iloc[0] - wide["p95_net_max_bn"].iloc[0])


def test_two_workers_give_the_same_table(inputs, sequential):
    parallel = run_sweep(_spec(), *inputs, workers=2, processes=False)
    assert len(sequential.results) > 6 * 50  # every outcome of every experiment
    pd.testing.assert_frame_equal(parallel.results, sequential.results)
    pd.testing.assert_frame_equal(parallel.experiments.drop(columns="seconds"),
                                  sequential.experiments.drop(columns="seconds"))


def test_interrupted_sweep_resumes_where_it_stopped(inputs, sequential, tmp_path):
    out = tmp_path / "sweep"
    seen = []

    def stop_after_three(outcome) -> None:
        seen.append(outcome.experiment_id)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(_spec(), *inputs, out=out, batch=1, on_outcome=stop_after_three)
    assert len(list((out / "parts").glob("results-*.parquet"))) == 3  # kept as they finished
    again = run_sweep(_spec(), *inputs, out=out)
    assert again.ran == 3  # the three finished experiments were skipped
    pd.testing.assert_frame_equal(again.results, sequential.results.sort_values(
        ["experiment_id", "outcome"], kind="stable").reset_index(drop=True))
    assert not (out / "parts").exists()  # merged into results.parquet
    once_more = run_sweep(_spec(), *inputs, out=out)
    assert once_more.ran == 0
    on_disk = pd.read_parquet(out / "results.parquet")
    pd.testing.assert_frame_equal(on_disk, again.results)


def _flaky(province, scenario, seed: int) -> dict[str, float]:
    rate = scenario.get("uncertainties.incentives.acceptance_recruit")
    if rate > 0.7:
        raise ValueError(f"rate {rate:.3f} too high\nsecond line")
    return {"rate": rate, "seed": float(seed)}


def test_failing_experiment_is_a_row_and_the_sweep_goes_on(inputs):
    register_model("flaky", _flaky)
    spec = parse_spec({"capability": "flaky", "design": "grid", "seeds": 1,
                       "factors": {ACCEPT: {"values": [0.6, 0.8]}}})
    result = run_sweep(spec, *inputs)
    exp = result.experiments.set_index(ACCEPT)
    assert exp.loc[0.6, "status"] == "ok" and exp.loc[0.8, "status"] == "error"
    assert exp.loc[0.8, "error"] == "ValueError: rate 0.800 too high second line"
    failed = result.results[result.results["status"] == "error"]
    assert len(failed) == 1 and failed["value"].isna().all()
    assert result.results.dtypes.to_dict() == {
        "experiment_id": "string", "seed": "int64", "outcome": "string", "value": "float64",
        "status": "string", "error": "string"}


def test_killed_worker_changes_nothing(inputs, sequential):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)
        killed = []

        def kill_one(outcome) -> None:
            if not killed:  # after the first result, while others are running
                victim = sorted(pids.values())[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

        result = run_sweep(_spec(), *inputs, client=client, on_outcome=kill_one)
        assert killed and killed[0] not in client.run(os.getpid).values()
        sent: dict[str, int] = {}  # times each experiment was sent to a worker
        for event in cluster.scheduler.transition_log:
            if str(event[0]).startswith("khcadre-experiment") and event[2] == "processing":
                sent[event[0]] = sent.get(event[0], 0) + 1
        assert len(sent) == 6 and max(sent.values()) >= 2  # the victim's work was re-run
    assert (result.experiments["status"] == "ok").all()
    pd.testing.assert_frame_equal(result.results, sequential.results)


def test_bad_factor_is_one_line_before_any_work(inputs, tmp_path, capsys):
    spec = tmp_path / "s.toml"
    spec.write_text('capability = "incentives"\n[factors."levers.incentives.commune_cap_share"]\n'
                    'range = [0.1, 1.5]\n[factors."uncertainties.incentives.nope"]\n',
                    encoding="utf-8")
    code = main(["sweep", "--capability", "incentives", "--spec", str(spec),
                 "--out", str(tmp_path / "o"), "--workers", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "uncertainties.incentives.nope" in err[0]
    spec.write_text('capability = "incentives"\n[factors."levers.incentives.commune_cap_share"]\n'
                    'range = [0.1, 1.5]\n', encoding="utf-8")
    code = main(["sweep", "--capability", "incentives", "--spec", str(spec),
                 "--out", str(tmp_path / "o"), "--workers", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and "value 1.5" in err[0] and "commune_cap_share" in err[0]
    assert not (tmp_path / "o").exists()


def test_cli_sweep_writes_tables_and_refuses_another_sweep(tmp_path, capsys):
    spec = tmp_path / "s.toml"
    spec.write_text(f'capability = "incentives"\ndesign = "grid"\n[options]\ndraws = 100\n'
                    f'curves = false\n[factors."{ACCEPT}"]\nvalues = [0.6, 0.8]\n',
                    encoding="utf-8")
    out = tmp_path / "o"
    args = ["sweep", "--capability", "incentives", "--spec", str(spec), "--out", str(out),
            "--workers", "1", "--lang", "en"]
    assert main(args) == 0
    assert "2 experiments (2 run now), 2 ok, 0 failed" in capsys.readouterr().out
    exp = pd.read_parquet(out / "experiments.parquet")
    assert list(exp[ACCEPT]) == [0.6, 0.8] and list(exp["status"]) == ["ok", "ok"]
    assert main([*args, "--seeds", "2"]) == 2  # another sweep: never over this one
    assert "different sweep" in capsys.readouterr().err


# ------------------------------------------------------------------------------- analysis

def test_sobol_indices_of_the_ishigami_function():
    """Ishigami, a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008): S1 = 0.3139,
    0.4424, 0; ST = 0.5576, 0.4424, 0.2437."""
    keys = {"uncertainties.incentives.acceptance_recruit": (0.5, 0.9),
            "uncertainties.incentives.evaluation_raise": (0.05, 0.25),
            "uncertainties.incentives.refund_collection": (0.4, 0.9)}
    spec = parse_spec({"capability": "incentives", "design": "sobol", "samples": 1024,
                       "seed": 7, "factors": {k: {} for k in keys}})
    table = experiments(spec, 0)
    x = [(-np.pi + 2 * np.pi * (table[k] - lo) / (hi - lo)).to_numpy()
         for k, (lo, hi) in keys.items()]
    table["y"] = np.sin(x[0]) + 7 * np.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * np.sin(x[0])
    si = sobol_indices(table, list(keys), "y", seed=1)
    np.testing.assert_allclose(si["S1"], [0.3139, 0.4424, 0.0], atol=0.05)
    np.testing.assert_allclose(si["ST"], [0.5576, 0.4424, 0.2437], atol=0.05)
    assert (si["S1_conf"] > 0).all() and (si["S1_conf"] < 0.1).all()


def test_prim_finds_a_hand_made_box():
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.random((3000, 3)), columns=["a", "b", "c"])
    x["flag"] = rng.random(3000) < 0.5
    y = ((x["a"] > 0.2) & (x["a"] < 0.6) & (x["b"] > 0.5) & x["flag"]).to_numpy()
    found = prim(x, y, threshold=0.95)
    lim = found.limits().set_index("factor")
    assert set(lim.index) == {"a", "b", "flag"}  # c is left free
    assert abs(lim.loc["a", "low"] - 0.2) < 0.03 and abs(lim.loc["a", "high"] - 0.6) < 0.03
    assert abs(lim.loc["b", "low"] - 0.5) < 0.03 and lim.loc["b", "high"] > 0.99
    assert lim.loc["flag", "values"] == "True"
    assert found.box.density >= 0.95 and found.box.coverage >= 0.95
    traj = found.trajectory()
    assert traj["coverage"].iloc[0] == 1.0 and traj["mass"].iloc[0] == 1.0


def test_breach_probability_by_lever():
    table = pd.DataFrame({"lever": [1, 1, 1, 2, 2], "p95": [5.0, 9.0, 11.0, 12.0, 13.0]})
    out = breach_probability(table, ["lever"], table["p95"] > 10.0)
    assert out["probability"].tolist() == [1 / 3, 1.0]
    assert out["experiments"].tolist() == [3, 2]


def test_sweep_folder_has_spec_and_experiment_values(inputs, tmp_path):
    out = tmp_path / "o"
    run_sweep(_spec(samples=2, seeds=1), *inputs, out=out)
    exp = pd.read_parquet(out / "experiments.parquet")
    assert {ACCEPT, MONTHLY, "experiment_id", "seed", "status", "error"} <= set(exp.columns)
    assert Path(out / ".khcadre-run.json").is_file()


@pytest.mark.parametrize(("name", "key", "values"), [
    ("review", "levers.review.major_gap_points", [5.0, 10.0]),
    ("placement", "levers.placement.max_distance_km", [20.0, 80.0])])
def test_other_capabilities_sweep_through_their_summary(name, key, values):
    province = kh.examples.small_province(8, 1)
    spec = parse_spec({"capability": name, "design": "grid", "factors": {key: {"values": values}}})
    result = run_sweep(spec, province, kh.load_scenario())
    assert (result.experiments["status"] == "ok").all()
    outcomes = set(result.results["outcome"])
    assert ("warnings" if name == "review" else "objective") in outcomes
    assert not any("seconds" in o for o in outcomes)  # timings are not outcomes


def test_projection_sweeps_like_a_capability():
    """``capability = "projection"``: each experiment is the 2026–2030 projection of one
    scenario under one seed, its outcomes the headline figures — the same numbers as
    projection.api.outcomes called directly on the experiment's scenario. With no training
    budget, no seat is paid for (every course of the catalogue has a cost)."""
    from khcadre_sim.people.catalogue import load_catalogue
    from khcadre_sim.projection.api import outcomes

    assert (load_catalogue()["cost_per_trainee_vnd"] > 0).all()
    province = kh.examples.tiny_province()
    key = "levers.training.budget_vnd_per_year"
    spec = parse_spec({"capability": "projection", "design": "grid", "seeds": 1,
                       "factors": {key: {"values": [0.0, 2e9]}}})
    scenario = kh.load_scenario()
    result = run_sweep(spec, province, scenario)
    assert (result.experiments["status"] == "ok").all(), result.experiments
    table = result.results.pivot_table(index="experiment_id", columns="outcome",
                                       values="value")
    assert {"total_cost_bn", "targets_met_2030", "peak_load_2030"} <= set(table.columns)
    budget = result.experiments.set_index("experiment_id")[key]
    assert table.loc[budget[budget == 0.0].index, "training_cost_bn"].eq(0.0).all()
    row = result.experiments.iloc[-1]
    direct = outcomes(province, scenario.with_overrides({key: float(row[key])}),
                      int(row["seed"]))
    mine = table.loc[row["experiment_id"]].dropna().to_dict()
    assert mine == {k: v for k, v in direct.items() if not math.isnan(v)}


def test_whole_number_key_listed_values_stay_whole():
    """A whole-number key given as a list of values (rotation terms started a year: 10, 30) is
    swept as whole numbers — the key refuses 10.0, so a float column failed every experiment."""
    key = "levers.rotation_terms.starts_per_year"
    spec = parse_spec({"capability": "review", "design": "grid",
                       "factors": {key: {"values": [10, 30]}}})
    table = experiments(spec, 0)
    assert str(table[key].dtype) == "int64" and table[key].tolist() == [10, 30]
    result = run_sweep(spec, kh.examples.small_province(8, 1), kh.load_scenario())
    assert (result.experiments["status"] == "ok").all(), result.experiments["error"].tolist()

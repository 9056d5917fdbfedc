"""The 2026–2030 projection: scenarios × seeds through the yearly loop, indicators with bands
over seeds, and the resolution's targets year by year.

Typical use::

    from khcadre_sim import examples
    from khcadre_sim.projection import run
    result = run(province, {"base": examples.scenario("base")}, seeds=5)
    result.bands        # scenario, year, scope, unit, indicator, p5, p50, p95, n_seeds
    result.targets      # met / not met by year, with the margin

Nothing here reads a file other than the bundled reference tables, or prints.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..capability import ResultBase, computed
from ..errors import Problem, ScenarioError
from ..io import Province
from ..people import events as events_mod
from ..people.evaluation import EvaluationSettings
from ..progress import bar
from ..ratings import bands as rating_bands
from ..scenario import Scenario
from ..solve import SolveResult
from . import indicators as ind
from . import loop, state, targets

YEARS = tuple(range(loop.FIRST_YEAR, loop.LAST_YEAR + 1))
EVENTS: dict[str, Any] = {"scenario": "string", "seed": "int64", **events_mod.COLUMNS}
MAX_SEEDS = 10_000
BASE_YEAR = loop.FIRST_YEAR - 1  # the baseline: the state before the first year


@dataclass
class ProjectionResult(ResultBase):
    """Every table of a projection run (dtypes fixed; see each module's columns)."""

    scenarios: dict[str, Scenario]
    seeds: list[int]
    years: tuple[int, ...]
    indicators: pd.DataFrame
    bands: pd.DataFrame
    targets: pd.DataFrame
    events: pd.DataFrame
    snapshots: pd.DataFrame
    budget: pd.DataFrame
    placement_proofs: pd.DataFrame
    baseline: dict[str, float]
    target_list: list[targets.Target]
    proof: SolveResult
    seconds: dict[str, float] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables written (seconds stay out of them, in summary.json, so that the same
        seeds give the same files byte for byte)."""
        return {"indicators": self.indicators, "bands": self.bands, "targets": self.targets,
                "events": self.events,
                "placement_proofs": self.placement_proofs.drop(columns=["seconds"]),
                "budget": self.budget}

    def band(self, indicator: str, scope: str = "province", unit: str = "") -> pd.DataFrame:
        b = self.bands
        return b[(b["indicator"] == indicator) & (b["scope"] == scope)
                 & (b["unit"] == unit)].reset_index(drop=True)

    def headline(self, lang: str = "en") -> list[str]:
        vi = lang == "vi"
        lines = []
        last = self.years[-1]
        for name in self.scenarios:
            t = self.targets[(self.targets["scenario"] == name) & (self.targets["year"] == last)]
            met = int(t["met"].sum())
            cost = self.band("total_cost_vnd")
            cost = cost[cost["scenario"] == name]["p50"].sum() / 1e9
            first_all = _first_year_all_met(self.targets[self.targets["scenario"] == name])
            when = (str(first_all) if first_all else ("chưa" if vi else "not by " + str(last)))
            lines.append(
                f"{name}: {met}/{len(t)} mục tiêu đạt năm {last} (P50); tất cả đạt: {when}; "
                f"tổng chi phí {self.years[0]}–{last} (P50 từng năm) {cost:,.1f} tỷ đồng" if vi
                else f"{name}: {met}/{len(t)} targets met in {last} (P50); all met: {when}; "
                f"total cost {self.years[0]}–{last} (sum of yearly P50) {cost:,.1f} bn VND")
        return lines

    def details(self) -> dict[str, Any]:
        return {"capability": "projection", "scenarios": {n: s.files for n, s in
                                                          self.scenarios.items()},
                "seeds": self.seeds, "years": list(self.years), "baseline": self.baseline,
                "targets": targets.to_records(self.target_list),
                "indicators": {k: {"label_vi": v[0], "label_en": v[1], "unit": v[2],
                                   "description": v[3]} for k, v in ind.INDICATORS.items()},
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
                "placement_seconds": _placement_seconds(self.placement_proofs)}


def _placement_seconds(proofs: pd.DataFrame) -> dict[str, float]:
    """Seconds of the re-placements by mode (province-wide first year, restricted after)."""
    return {str(m): round(float(g["seconds"].sum()), 3)
            for m, g in proofs.groupby("mode", sort=True)}


def _first_year_all_met(t: pd.DataFrame) -> int | None:
    for year, g in t.groupby("year", sort=True):
        if len(g) and bool(g["met"].all()):
            return int(year)
    return None


def context(scenario: Scenario) -> dict[str, Any]:
    """What the indicators read from a scenario: the digital courses of the catalogue, the
    Decree 335 quota, the levelling detector's settings and the overload threshold."""
    from ..people.catalogue import load_catalogue
    from ..workload.api import WorkloadSettings

    catalogue = load_catalogue()
    cut = rating_bands(scenario.params, events_mod.month(loop.FIRST_YEAR, 12))
    return {"digital_courses": set(catalogue.loc[catalogue["digital"], "course_id"]
                                   .astype(str)),
            "excellent_share": float(cut["excellent_share"]),
            "levelling": EvaluationSettings.from_scenario(scenario).levelling,
            "overload": float(WorkloadSettings.from_scenario(scenario).overload_threshold)}


def recompute(events: pd.DataFrame, snapshots: pd.DataFrame, budget: pd.DataFrame,
              province: Province, scenarios: dict[str, Scenario]) -> pd.DataFrame:
    """The indicators table recomputed from a run's event log, snapshots and budget (as
    written in a results folder) — equal to the run's own ``indicators``."""
    parts = []
    for (name, seed), log in events.groupby(["scenario", "seed"], sort=False):
        snap = snapshots[(snapshots["scenario"] == name) & (snapshots["seed"] == seed)]
        bud = budget[(budget["scenario"] == name) & (budget["seed"] == seed)]
        years = sorted(int(y) for y in snap["year"].unique())
        table = ind.compute(log.drop(columns=["scenario", "seed"]).reset_index(drop=True),
                            snap.drop(columns=["scenario", "seed"]), bud.drop(
                                columns=["scenario", "seed"]), context(scenarios[name]),
                            years, province.territories)
        parts.append(table.assign(scenario=name, seed=seed))
    full = {"scenario": "string", "seed": "int64", **{k: v for k, v in ind.TABLE.items()
                                                     if k not in ("scenario", "seed")}}
    return pd.concat(parts, ignore_index=True)[list(full)].astype(full)


def _one(task: tuple[Province, loop.Prepared, int, tuple[int, ...], bool]) -> dict[str, Any]:
    """One scenario and seed: the loop and its indicators (runs in a worker process)."""
    province, prep, seed, years, rebalance = task
    r = loop.run_seed(province, prep, seed, years, rebalance_workload=rebalance)
    table = ind.compute(r.events, r.snapshots, r.budget, context(prep.scenario), years,
                        province.territories)
    tag = {"scenario": prep.name, "seed": seed}
    return {"indicators": table.assign(**tag), "events": r.events.assign(**tag),
            "snapshots": r.snapshots.assign(**tag), "budget": r.budget.assign(**tag),
            "proofs": r.proofs.assign(**tag), "seconds": r.seconds}


def check_options(seeds: int, first_seed: int, scenarios: dict[str, Scenario]) -> None:
    problems = []
    if not scenarios:
        problems.append(Problem(file="scenarios", message="no scenario given",
                                fix="give at least one scenario"))
    if not isinstance(seeds, int | np.integer) or not 1 <= seeds <= MAX_SEEDS:
        problems.append(Problem(file="options", column="--seeds", message=f"{seeds!r} seeds",
                                fix=f"a whole number from 1 to {MAX_SEEDS:,}"))
    if not isinstance(first_seed, int | np.integer) or not 0 <= first_seed <= 2**32 - 1 - seeds:
        problems.append(Problem(file="options", column="--first-seed",
                                message=f"first seed {first_seed!r}",
                                fix="a whole number ≥ 0 (first seed + seeds < 2³²)"))
    if problems:
        raise ScenarioError(problems)


def run(province: Province, scenarios: dict[str, Scenario], seeds: int = 20,
        first_seed: int = 0, *, years: tuple[int, ...] = YEARS, workers: int | None = None,
        rebalance_workload: bool = False) -> ProjectionResult:
    """Project every scenario under ``seeds`` seeds (``first_seed`` … ``first_seed + seeds −
    1``; the same seeds in every scenario). ``workers``: processes (default: 2 when there is
    more than one run and more than one core, else 1 — the result does not depend on it)."""
    check_options(seeds, first_seed, scenarios)
    started = time.perf_counter()
    seed_list = list(range(int(first_seed), int(first_seed) + int(seeds)))
    n_tasks = len(scenarios) * len(seed_list)
    if workers is None:
        workers = 2 if n_tasks > 1 and (os.cpu_count() or 1) > 1 else 1
    out: list[dict[str, Any]] = []
    with bar(n_tasks * len(years), ("Dự báo (năm × kịch bản × lần chạy)",
                                     "Projection (years × scenarios × seeds)"),
             unit="năm") as b:
        if workers <= 1:
            preps = _prepared(province, scenarios, map)
            for task in _tasks(province, preps, seed_list, years, rebalance_workload):
                out.append(_one(task))
                b.update(len(years))
        else:
            # the modules the workers import, imported before they start (each worker gets
            # them from the parent instead of importing them itself)
            from ..incentives import api as _incentives  # noqa: F401
            with ProcessPoolExecutor(max_workers=workers) as pool:
                # the scenarios' first placements (cold solves) side by side, once for
                # scenarios with the same placement settings
                preps = _prepared(province, scenarios, pool.map)
                for res in pool.map(_one, _tasks(province, preps, seed_list, years,
                                                 rebalance_workload)):
                    out.append(res)
                    b.update(len(years))
    return _assemble(province, scenarios, preps, seed_list, tuple(years), out, started)


def _prepared(province: Province, scenarios: dict[str, Scenario],
              mapper: Any) -> dict[str, loop.Prepared]:
    """Every scenario prepared; the first placements made with ``mapper`` (``map`` or a
    pool's), once per distinct set of placement settings."""
    settings = {n: loop.placement_settings(s) for n, s in scenarios.items()}
    distinct = {repr(ps): ps for ps in settings.values()}
    made = dict(zip(distinct, mapper(_first_placement, [(province, ps) for ps in
                                                         distinct.values()]), strict=True))
    return {n: loop.prepare(province, n, s, made[repr(settings[n])])
            for n, s in scenarios.items()}


def _first_placement(task: tuple[Province, Any]) -> loop.FirstPlacement:
    return loop.first_placement(*task)


def _tasks(province: Province, preps: dict[str, loop.Prepared], seed_list: list[int],
           years: tuple[int, ...], rebalance: bool
           ) -> list[tuple[Province, loop.Prepared, int, tuple[int, ...], bool]]:
    return [(province, prep, seed, tuple(years), rebalance) for prep in preps.values()
            for seed in seed_list]


def _assemble(province: Province, scenarios: dict[str, Scenario],
              preps: dict[str, loop.Prepared], seed_list: list[int], years: tuple[int, ...],
              out: list[dict[str, Any]], started: float) -> ProjectionResult:
    def cat(key: str, schema: dict[str, Any]) -> pd.DataFrame:
        parts = [o[key] for o in out if len(o[key])]
        full = {"scenario": "string", "seed": "int64", **schema}
        if not parts:
            return pd.DataFrame({c: pd.Series(dtype=t) for c, t in full.items()})
        return pd.concat(parts, ignore_index=True)[list(full)].astype(full)

    table = cat("indicators", {k: v for k, v in ind.TABLE.items()
                               if k not in ("scenario", "seed")})
    first = next(iter(preps.values()))
    base = baseline(province, first)
    tlist = targets.load_targets()
    seconds: dict[str, float] = {}
    for o in out:
        for k, v in o["seconds"].items():
            seconds[k] = seconds.get(k, 0.0) + v
    proofs = cat("proofs", loop.PROOF)
    return ProjectionResult(
        scenarios=scenarios, seeds=seed_list, years=years, indicators=table,
        bands=ind.bands(table), targets=targets.assess(table, tlist, base),
        events=cat("events", events_mod.COLUMNS), snapshots=cat("snapshots", state.SNAPSHOT),
        budget=cat("budget", state.BUDGET), placement_proofs=proofs, baseline=base,
        target_list=tlist, seconds=seconds,
        proof=computed(time.perf_counter() - started, seed_list[0],
                       f"{len(scenarios)} scenario(s) × {len(seed_list)} seed(s) × "
                       f"{len(years)} years; re-placements: "
                       f"{int((proofs['status'] == 'optimal').sum())} of {len(proofs)} "
                       "proven optimal"))


def baseline(province: Province, prep: loop.Prepared) -> dict[str, float]:
    """The province-wide indicators before the projection (today's staff and posts; nobody
    trained yet), for the targets without a number."""
    return baseline_of(baseline_snapshot(province, prep), prep.scenario, province.territories)


def baseline_snapshot(province: Province, prep: loop.Prepared) -> pd.DataFrame:
    """The state before the projection: today's posts and people, loads on today's staffing."""
    from ..workload.api import analyse_workload

    w = analyse_workload(province, prep.scenario.params, prep.workload,
                         standards=prep.standards, do_rebalance=False)
    load = pd.Series(w.before.people["load_ratio"].to_numpy(dtype=float),
                     index=w.before.people["staff_id"].astype(str).to_numpy())
    return state.snapshot(province, BASE_YEAR, load, set(), prep.young_age,
                          set(prep.new_work))


def baseline_of(snapshot: pd.DataFrame, scenario: Scenario,
                territories: pd.DataFrame) -> dict[str, float]:
    """Indicator → value at the province scope of a :func:`baseline_snapshot` (or several
    provinces' together, ids kept apart)."""
    budget = pd.DataFrame({c: pd.Series(dtype=t) for c, t in state.BUDGET.items()})
    table = ind.compute(events_mod.empty(), snapshot, budget, context(scenario), [BASE_YEAR],
                        territories)
    prov = table[table["scope"] == "province"]
    return {str(k): float(v) for k, v in zip(prov["indicator"], prov["value"], strict=True)}


# ------------------------------------------------------------------------- one run, as a model

_FIRST: dict[tuple[str, int], loop.FirstPlacement] = {}  # per process: a sweep's experiments
# share the first placement whenever they share the province and the placement settings


def _province_key(province: Province) -> int:
    staff, pos = province.staff, province.positions
    return int(pd.util.hash_pandas_object(
        pd.concat([staff["staff_id"].astype(str), staff["position_id"].astype(str),
                   pos["position_id"].astype(str)], ignore_index=True), index=False).sum())


def outcomes(province: Province, scenario: Scenario, seed: int) -> dict[str, float]:
    """One scenario under one seed through 2026–2030, as a sweep's outcomes: cost, targets
    met, load, incentive ceiling, manager shares (the headline figures of a projection)."""
    ps = loop.placement_settings(scenario)
    key = (repr(ps), _province_key(province))
    if key not in _FIRST:
        _FIRST.clear()  # one province and settings at a time: bounded memory
        _FIRST[key] = loop.first_placement(province, ps)
    prep = loop.prepare(province, scenario.name or "scenario", scenario, _FIRST[key])
    r = loop.run_seed(province, prep, int(seed))
    table = ind.compute(r.events, r.snapshots, r.budget, context(scenario), YEARS,
                        province.territories)
    prov = table[table["scope"] == "province"]

    def series(indicator: str) -> pd.Series:
        t = prov[prov["indicator"] == indicator]
        return pd.Series(t["value"].to_numpy(dtype=float), index=t["year"].to_numpy())

    last = YEARS[-1]
    assessed = targets.assess(table.assign(scenario="run", seed=int(seed)),
                              targets.load_targets(), baseline(province, prep))
    final = assessed[assessed["year"] == last]
    spend, ceiling = series("incentive_spending_vnd"), series("incentive_ceiling_vnd")
    out = {"total_cost_bn": float(series("total_cost_vnd").sum()) / 1e9,
           "training_cost_bn": float(series("training_cost_vnd").sum()) / 1e9,
           "incentive_spending_bn": float(spend.sum()) / 1e9,
           "ceiling_breach_years": float((spend > ceiling + 1e-6).sum()),
           "targets_met_2030": float(final["met"].sum()),
           "all_targets_met_2030": float(bool(len(final)) and bool(final["met"].all())),
           "recruits_total": float(series("recruits").sum())}
    for name in ("peak_load", "overloaded_share", "trained_share", "trained_digital_share",
                 "manager_young_share", "manager_female_share", "manager_ethnic_share",
                 "vacancies"):
        s = series(name)
        out[f"{name}_2030"] = float(s.get(last, np.nan))
    return out

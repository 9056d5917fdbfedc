"""The national projection: every province of the national synthetic instance through 2026–2030
under one scenario and one seed, each province its own Dask task, gathered into national
indicators and the resolution's targets at national level.

SYNTHETIC DATA (see :mod:`khcadre_sim.national`): the number of units of each province is real,
the rest is generated — the figures show what the workbench does at national scale, not the
state of any province.

Each task generates its province from the national seed (the same as ``khcadre synth
--national``), prepares the scenario (the first province-wide placement), runs the yearly loop
(:func:`khcadre_sim.projection.loop.run_seed`) and returns its event log, year-end snapshots and
budget with every id prefixed by the province code (``56:KH-…``: staff and territory ids repeat
across synthetic provinces). The national indicators are then computed from the gathered logs
by the same :func:`khcadre_sim.projection.indicators.compute` as a province's — the "province"
scope of that computation is the nation, its area classes are the nation's —, the incentive
budget being the sum of the provinces' yearly totals and ceilings. Each province's own
province-scope indicators are kept beside them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..capability import ResultBase, computed
from ..errors import KhcadreError
from ..people import events as events_mod
from ..progress import bar
from ..scenario import Scenario
from ..solve import SolveResult
from . import api, loop, state, targets
from . import indicators as ind

YEARS = api.YEARS
IDS = ("staff_id", "position_id", "territory_id")
INDICATORS: dict[str, Any] = {"level": "string", "province_code": "string",
                              "province": "string", "year": "int64", "unit": "string",
                              "indicator": "string", "value": "float64"}
PROVINCES: dict[str, Any] = {"province_code": "string", "province": "string",
                             "units": "int64", "posts": "int64", "staff": "int64",
                             "replacements_optimal": "int64", "replacements": "int64",
                             "total_cost_vnd": "float64", "seconds": "float64"}


def _prefixed(table: pd.DataFrame, tag: str) -> pd.DataFrame:
    out = table.copy()
    for c in IDS:
        if c in out.columns:
            col = out[c].astype("string")
            keep = col.isna() | (col == "")
            out[c] = col.where(keep, tag + col)
    return out


def province_run(code: str, national_seed: int, scale: float, scenario: Scenario,
                 seed: int) -> dict[str, Any]:
    """One province's projection (a Dask task): its tables with prefixed ids, its own
    province-scope indicators, its 2025 snapshot for the national baseline."""
    from ..national import generate_national

    started = time.perf_counter()
    made = generate_national(national_seed, scale, codes=[code])
    if not made:
        raise KhcadreError(f"province code {code} is not in the national instance")
    one = made[0]
    p = one.province
    prep = loop.prepare(p, scenario.name or "scenario", scenario)
    r = loop.run_seed(p, prep, seed)
    table = ind.compute(r.events, r.snapshots, r.budget, api.context(scenario), YEARS,
                        p.territories)
    own = table[table["scope"] == "province"]
    base = api.baseline_snapshot(p, prep)
    tag = f"{code}:"
    terr = p.territories[["territory_id", "area_class"]].copy()
    cost = own.loc[own["indicator"] == "total_cost_vnd", "value"].sum()
    return {
        "code": code, "name": one.name, "indicators": own,
        "events": _prefixed(r.events, tag), "snapshots": _prefixed(r.snapshots, tag),
        "budget": _prefixed(r.budget, tag), "base": _prefixed(base, tag),
        "territories": _prefixed(terr, tag),
        "proofs": r.proofs.assign(province_code=code),
        "row": {"province_code": code, "province": one.name, "units": len(p.territories),
                "posts": len(p.positions), "staff": len(p.staff),
                "replacements_optimal": int((r.proofs["status"] == "optimal").sum()),
                "replacements": len(r.proofs), "total_cost_vnd": float(cost),
                "seconds": round(time.perf_counter() - started, 2)}}


@dataclass
class NationalProjection(ResultBase):
    """The national run: indicators (nation, its area classes, each province), targets,
    one row per province."""

    scenario: Scenario
    seed: int
    national_seed: int
    scale: float
    indicators: pd.DataFrame
    targets: pd.DataFrame
    provinces: pd.DataFrame
    placement_proofs: pd.DataFrame
    baseline: dict[str, float]
    proof: SolveResult
    seconds: float = 0.0
    target_list: list[targets.Target] = field(default_factory=list)

    def nation(self, indicator: str) -> pd.Series:
        """An indicator of the nation by year."""
        t = self.indicators
        t = t[(t["level"] == "nation") & (t["indicator"] == indicator)]
        return pd.Series(t["value"].to_numpy(dtype=float), index=t["year"].to_numpy())

    def headline(self, lang: str = "vi") -> list[str]:
        staff = self.provinces["staff"].sum()
        cost = self.nation("total_cost_vnd").sum() / 1e9
        last = self.targets[self.targets["year"] == YEARS[-1]]
        met, n = int(last["met"].sum()), len(last)
        if lang == "vi":
            return [f"Dự báo toàn quốc (dữ liệu TỔNG HỢP): {len(self.provinces)} tỉnh, thành "
                    f"phố, {int(self.provinces['units'].sum()):,} đơn vị cấp xã, "
                    f"{int(staff):,} người, hạt giống {self.seed}.",
                    f"Chi phí 2026–2030 (đào tạo + thu hút): {cost:,.1f} tỷ đồng; năm 2030 đạt "
                    f"{met}/{n} chỉ tiêu đo được."]
        return [f"National projection (SYNTHETIC data): {len(self.provinces)} provinces, "
                f"{int(self.provinces['units'].sum()):,} commune-level units, {int(staff):,} "
                f"people, seed {self.seed}.",
                f"Cost 2026–2030 (training + incentives): {cost:,.1f} bn VND; {met} of {n} "
                "measured targets met in 2030."]

    def summary(self) -> dict[str, Any]:
        return {"scenario": self.scenario.name, "seed": self.seed,
                "national_seed": self.national_seed, "scale": self.scale,
                "provinces": len(self.provinces),
                "units": int(self.provinces["units"].sum()),
                "posts": int(self.provinces["posts"].sum()),
                "staff": int(self.provinces["staff"].sum()),
                "total_cost_vnd": float(self.nation("total_cost_vnd").sum()),
                "targets_met_2030": int(self.targets.loc[self.targets["year"] == YEARS[-1],
                                                         "met"].sum()),
                "seconds": round(self.seconds, 2), "synthetic": True}

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"national_indicators": self.indicators, "national_targets": self.targets,
                "national_provinces": self.provinces,
                "national_placement_proofs": self.placement_proofs}


def run_national(scenario: Scenario, *, seed: int = 0, national_seed: int = 2026,
                 scale: float = 1.0, codes: list[str] | None = None, workers: int = 2,
                 scheduler: str | None = None) -> NationalProjection:
    """Project every province (or those of ``codes``) of the national instance, each a Dask
    task on a LocalCluster of ``workers`` processes or on the cluster at ``scheduler``."""
    from ..national import load_units
    from ..sweep.engine import dask_client, one_line

    started = time.perf_counter()
    units = load_units()
    if codes is not None:
        units = units[units["province_code"].isin(codes)]
    # the largest provinces first, so that no big one is left alone at the end
    order = units.sort_values(["units", "province_code"], ascending=[False, True])
    todo = [str(c) for c in order["province_code"]]
    if not todo:
        raise KhcadreError("no province to project — fix: give province codes of "
                           "data/reference/national_units_2025.csv")
    results: dict[str, dict[str, Any]] = {}
    from ..incentives import api as _incentives  # noqa: F401  (imported once, not per task)
    with dask_client(workers, scheduler) as client, \
            bar(len(todo), ("Tỉnh, thành phố", "Provinces")) as b:
        from distributed import as_completed

        futures = {client.submit(province_run, code, national_seed, scale, scenario, seed,
                                 key=f"khcadre-national-{code}-{seed}", pure=False): code
                   for code in todo}
        for future in as_completed(futures):
            code = futures[future]
            if future.status != "finished":
                raise KhcadreError(f"province {code}: {one_line(future.exception())} — the "
                                   "national indicators need every province; fix the cause "
                                   "and run again")
            results[code] = future.result()
            future.release()
            b.update()
    return gather(scenario, seed, national_seed, scale,
                  [results[c] for c in sorted(results)], time.perf_counter() - started)


def gather(scenario: Scenario, seed: int, national_seed: int, scale: float,
           parts: list[dict[str, Any]], seconds: float) -> NationalProjection:
    """National indicators and targets from the provinces' tables (see the module
    docstring)."""
    events = events_mod.concat([p["events"] for p in parts]) if parts else events_mod.empty()
    snaps = pd.concat([p["snapshots"] for p in parts], ignore_index=True).astype(state.SNAPSHOT)
    base = pd.concat([p["base"] for p in parts], ignore_index=True).astype(state.SNAPSHOT)
    terr = pd.concat([p["territories"] for p in parts], ignore_index=True)
    budget = pd.concat([p["budget"] for p in parts], ignore_index=True).astype(state.BUDGET)
    total = budget[budget["territory_id"] == ""].groupby("year", as_index=False)[
        ["incentive_spending_vnd", "incentive_ceiling_vnd"]].sum().assign(territory_id="")
    budget = pd.concat([total[list(state.BUDGET)], budget[budget["territory_id"] != ""]],
                       ignore_index=True).astype(state.BUDGET)
    ctx = api.context(scenario)
    table = ind.compute(events, snaps, budget, ctx, YEARS, terr)
    nation = table[table["scope"] != "commune"]
    baseline = api.baseline_of(base, scenario, terr)
    tlist = targets.load_targets()
    assessed = targets.assess(nation.assign(scenario=scenario.name or "scenario", seed=seed),
                              tlist, baseline)
    rows = [nation.assign(level=nation["scope"].map({"province": "nation",
                                                     "area_class": "area_class"}),
                          province_code="", province="")]
    for p in parts:
        own = p["indicators"]
        rows.append(own.assign(level="province", province_code=p["code"], province=p["name"],
                               unit=p["code"]))
    indicators = pd.concat(rows, ignore_index=True)[list(INDICATORS)].astype(INDICATORS)
    provinces = pd.DataFrame([p["row"] for p in parts], columns=list(PROVINCES)).astype(
        PROVINCES)
    proofs = pd.concat([p["proofs"] for p in parts], ignore_index=True) if parts else \
        pd.DataFrame()
    n_opt = int(provinces["replacements_optimal"].sum())
    return NationalProjection(
        scenario=scenario, seed=seed, national_seed=national_seed, scale=scale,
        indicators=indicators, targets=assessed, provinces=provinces,
        placement_proofs=proofs, baseline=baseline, seconds=seconds, target_list=tlist,
        proof=computed(seconds, seed, f"{len(parts)} province(s) × {len(YEARS)} years; "
                       f"re-placements: {n_opt} of {int(provinces['replacements'].sum())} "
                       "proven optimal"))

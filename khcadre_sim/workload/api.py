"""Settings from the scenario and the whole workload analysis on a province."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..capability import ResultBase, computed
from ..errors import Problem, ScenarioError
from ..solve import SolveResult
from .load import LoadState, check_thresholds, measure_load, required_fte
from .rebalance import RebalanceResult, RebalanceSettings, rebalance
from .standards import WORKLOAD_STANDARDS, available_minutes, read_standards, standards_on


@dataclass(frozen=True)
class WorkloadSettings:
    """Every knob of the workload capability (defaults = scenarios/base.toml)."""

    share_on_post_field: float = 0.6
    overload_threshold: float = 1.2
    underload_threshold: float = 0.8
    reference_date: dt.date = dt.date(2026, 1, 1)
    cases_multiplier: float = 1.0
    minutes_multiplier: float = 1.0
    rebalance: RebalanceSettings = field(default_factory=RebalanceSettings)

    @classmethod
    def from_scenario(cls, scenario: Any) -> WorkloadSettings:
        lev = scenario.levers.get("workload", {})
        unc = scenario.uncertainties.get("workload", {})
        con = scenario.constants.get("workload", {})
        problems: list[Problem] = []

        def get(table: dict, section: str, key: str, ok, fix: str, default: Any) -> Any:
            value = table.get(key, default)
            dotted = f"{section}.workload.{key}"
            try:
                good = bool(ok(value))
            except TypeError:
                good = False
            if not good:
                problems.append(Problem(file=scenario.origin(dotted), column=dotted,
                                        message=f"value {value!r} is out of range", fix=fix))
            return value

        def number(v: Any) -> bool:
            return isinstance(v, int | float) and not isinstance(v, bool)

        d = cls()
        r = RebalanceSettings()
        s_main = get(lev, "levers", "share_on_post_field", lambda v: number(v) and 0 < v <= 1,
                     "a share in (0, 1], e.g. 0.6", d.share_on_post_field)
        target = get(lev, "levers", "target_load", lambda v: number(v) and 0 < v <= 3,
                     "a load ratio in (0, 3], e.g. 1.0", r.target_load)
        cap = get(lev, "levers", "max_changed_per_commune",
                  lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= -1,
                  "a whole number ≥ 0, or -1 for no cap",
                  -1 if r.max_changed_per_commune is None else r.max_changed_per_commune)
        ceiling = get(lev, "levers", "load_ceiling", lambda v: number(v) and 0 < v <= 10,
                      "a load ratio in (0, 10], e.g. 1.2 (the overload threshold)",
                      r.load_ceiling)
        field_share = get(lev, "levers", "max_field_share", lambda v: number(v) and 0 < v <= 1,
                          "a share in (0, 1], e.g. 1.0 (no limit) or 0.5", r.max_field_share)
        moves = get(lev, "levers", "max_arrivals_per_commune",
                    lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
                    "a whole number ≥ 0 (0 = no moves between communes)",
                    r.max_arrivals_per_commune)
        km = get(lev, "levers", "max_move_km", lambda v: number(v) and v >= 0,
                 "kilometres ≥ 0, e.g. 30", r.max_move_km)
        cm = get(unc, "uncertainties", "cases_multiplier", lambda v: number(v) and v >= 0,
                 "a factor ≥ 0, e.g. 1.0", d.cases_multiplier)
        mm = get(unc, "uncertainties", "minutes_multiplier", lambda v: number(v) and v > 0,
                 "a factor > 0, e.g. 1.0", d.minutes_multiplier)
        over = get(con, "constants", "overload_threshold", lambda v: number(v) and v > 0,
                   "e.g. 1.2", d.overload_threshold)
        under = get(con, "constants", "underload_threshold", lambda v: number(v) and v > 0,
                    "e.g. 0.8", d.underload_threshold)
        date = get(con, "constants", "reference_date",
                   lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime),
                   "a bare TOML date, e.g. 2026-01-01", d.reference_date)
        solver = get(con, "constants", "solver", lambda v: v in ("highs", "cbc"),
                     'write "highs" or "cbc"', r.solver)
        limit = get(con, "constants", "time_limit", lambda v: number(v) and v > 0,
                    "seconds > 0, e.g. 60", r.time_limit)
        gap = get(con, "constants", "gap_rel", lambda v: number(v) and 0 <= v < 0.1,
                  "a relative gap in [0, 0.1), e.g. 1e-6", r.gap_rel)
        tie = get(con, "constants", "tiebreak_weight", lambda v: number(v) and 0 <= v <= 0.1,
                  "a small weight in [0, 0.1], e.g. 0.001", r.tiebreak_weight)
        mcost = get(con, "constants", "move_cost", lambda v: number(v) and 0 <= v <= 1,
                    "a weight in [0, 1], e.g. 0.01", r.move_cost)
        workers = get(con, "constants", "parallel_blocks",
                      lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
                      "a whole number ≥ 0 (0 = one per CPU core)", r.parallel_blocks)
        if not problems and not under < over:
            problems.append(Problem(file=scenario.origin("constants.workload.overload_threshold"),
                                    column="constants.workload.underload_threshold",
                                    message=f"underload threshold {under} is not below the "
                                    f"overload threshold {over}",
                                    fix="e.g. underload_threshold = 0.8, overload_threshold = 1.2"))
        if problems:
            raise ScenarioError(problems)
        reb = RebalanceSettings(
            target_load=float(target), max_changed_per_commune=None if cap < 0 else int(cap),
            load_ceiling=float(ceiling), max_field_share=float(field_share),
            max_arrivals_per_commune=int(moves), max_move_km=float(km), tiebreak_weight=float(tie),
            move_cost=float(mcost), solver=str(solver), time_limit=float(limit),
            gap_rel=float(gap), parallel_blocks=int(workers), seed=int(scenario.seed))
        return cls(share_on_post_field=float(s_main), overload_threshold=float(over),
                   underload_threshold=float(under), reference_date=date,
                   cases_multiplier=float(cm), minutes_multiplier=float(mm), rebalance=reb)


@dataclass(frozen=True)
class WorkloadResult(ResultBase):
    """Load before, the rebalancing (with its proof) and the standards used."""

    settings: WorkloadSettings
    required: pd.DataFrame
    available_minutes: float
    standards: pd.DataFrame  # the standard in force per field, with source and assumption flag
    before: LoadState
    rebalanced: RebalanceResult | None
    territories: pd.DataFrame | None = None  # unit names for the tables
    seconds: float = 0.0

    @property
    def after(self) -> LoadState:
        return self.rebalanced.after if self.rebalanced is not None else self.before

    @property
    def proof(self) -> SolveResult:  # type: ignore[override]
        """The second (excess) stage's proof; without rebalancing, a direct computation."""
        if self.rebalanced is None:
            return computed(self.seconds, self.settings.rebalance.seed, "load measured only")
        return self.rebalanced.excess

    def headline(self, lang: str = "en") -> list[str]:
        from .tables import headline

        return headline(self, lang)

    def summary(self) -> dict[str, Any]:
        from .tables import summary

        return {"proof": self.proof.to_dict(), **summary(self)} | {
            "status": str(self.status)}

    def tables(self) -> dict[str, pd.DataFrame]:
        from .tables import commune_field_table, moves_table, office_table, person_table

        names = (self.territories.set_index("territory_id")["name"]
                 if self.territories is not None else None)
        out = {"load_by_person": person_table(self),
               "load_by_commune_field": commune_field_table(self, names),
               "load_by_commune_office": office_table(self),
               "rebalance_moves": moves_table(self),
               "workload_standards_used": self.standards.assign(
                   **{"from": self.standards["from"].map(lambda d: d.isoformat())})}
        if self.rebalanced is not None:
            out["residual_shortage"] = self.rebalanced.shortage
            out["load_by_commune"] = self.rebalanced.per_commune
        return out

    def figures(self, lang: str = "vi") -> dict[str, Any]:
        from . import plots

        out = {"load_heatgrid": plots.load_heatgrid(self, lang),
               "load_vs_competency": plots.load_vs_competency(self, lang)}
        if self.rebalanced is not None:
            out["load_distribution"] = plots.load_distribution(self, lang)
            out["residual_shortage"] = plots.residual_shortage(self, lang)
        return out


def analyse_workload(province: Any, params: Any, settings: WorkloadSettings, *,
                     standards: pd.DataFrame, time_shares: pd.DataFrame | None = None,
                     do_rebalance: bool = True,
                     standards_file: str = str(WORKLOAD_STANDARDS)) -> WorkloadResult:
    """Measure load on ``province`` and (by default) rebalance it; tables in, tables out."""
    started = time.perf_counter()
    s = settings
    check_thresholds(s.overload_threshold, s.underload_threshold)
    in_force = standards_on(standards, s.reference_date)
    minutes = in_force["minutes_per_case"]
    avail = available_minutes(params, s.reference_date)
    req = required_fte(province.workload, minutes, avail, cases_multiplier=s.cases_multiplier,
                       minutes_multiplier=s.minutes_multiplier, standards_file=standards_file)
    before = measure_load(province.staff, province.positions, req, s_main=s.share_on_post_field,
                          over=s.overload_threshold, under=s.underload_threshold,
                          time_shares=time_shares)
    result = None
    if do_rebalance:
        result = rebalance(before, req, s.rebalance, over=s.overload_threshold,
                           under=s.underload_threshold, territories=province.territories)
    used = in_force.loc[in_force.index.isin(set(req["field"]))].reset_index()
    return WorkloadResult(settings=s, required=req, available_minutes=avail, standards=used,
                          before=before, rebalanced=result, territories=province.territories,
                          seconds=time.perf_counter() - started)


def run(province: Any, scenario: Any, *, standards: pd.DataFrame | None = None,
        standards_file: str = str(WORKLOAD_STANDARDS), time_shares: pd.DataFrame | None = None,
        rebalance: bool = True) -> WorkloadResult:
    """The capability entry: load and rebalancing under the scenario, with the bundled
    standards (data/policy/workload_standards.csv) unless others are given."""
    return analyse_workload(province, scenario.params, WorkloadSettings.from_scenario(scenario),
                            standards=read_standards() if standards is None else standards,
                            time_shares=time_shares, do_rebalance=rebalance,
                            standards_file=standards_file)


def run_workload(province: Any, scenario: Any, *, standards_path: str | Path | None = None,
                 time_shares: pd.DataFrame | None = None,
                 do_rebalance: bool = True) -> WorkloadResult:
    """:func:`run` reading the standards from ``standards_path`` (kept for scripts)."""
    path = Path(standards_path) if standards_path is not None else WORKLOAD_STANDARDS
    return run(province, scenario, standards=read_standards(path), standards_file=str(path),
               time_shares=time_shares, rebalance=do_rebalance)

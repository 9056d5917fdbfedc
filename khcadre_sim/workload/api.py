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
from ..keys import build, setting
from ..scenario import Scenario
from ..solve import SolveResult
from .load import LoadState, check_thresholds, measure_load, required_fte
from .rebalance import RebalanceResult, RebalanceSettings, as_floats, rebalance
from .standards import WORKLOAD_STANDARDS, available_minutes, read_standards, standards_on


@dataclass(frozen=True)
class WorkloadSettings:
    """The workload keys of a scenario, under their TOML names with the defaults of the scenario
    key table: measuring the load here (``[levers.workload]``, ``[uncertainties.workload]``,
    ``[constants.workload]``), rebalancing it in :attr:`rebalance`
    (:class:`~khcadre_sim.workload.rebalance.RebalanceSettings`)."""

    share_on_post_field: float = setting("levers.workload.share_on_post_field")
    overload_threshold: float = setting("constants.workload.overload_threshold")
    underload_threshold: float = setting("constants.workload.underload_threshold")
    reference_date: dt.date = setting("constants.workload.reference_date")
    cases_multiplier: float = setting("uncertainties.workload.cases_multiplier")
    minutes_multiplier: float = setting("uncertainties.workload.minutes_multiplier")
    rebalance: RebalanceSettings = field(default_factory=RebalanceSettings)

    def __post_init__(self) -> None:
        as_floats(self)

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> WorkloadSettings:
        """Each key's type and range was checked when the scenario was read; here only the
        rule between keys: underload threshold < overload threshold."""
        s = build(cls, scenario, "workload", rebalance=RebalanceSettings.from_scenario(scenario))
        if not s.underload_threshold < s.overload_threshold:
            raise ScenarioError(Problem(
                file=scenario.origin("constants.workload.overload_threshold"),
                column="constants.workload.underload_threshold",
                message=f"underload threshold {s.underload_threshold} is not below the "
                f"overload threshold {s.overload_threshold}",
                fix="e.g. underload_threshold = 0.8, overload_threshold = 1.2"))
        return s


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

    def commune_tables(self, territory_id: str, lang: str = "vi") -> dict[str, pd.DataFrame]:
        from .tables import commune_field_table

        vi = lang == "vi"
        cf = commune_field_table(self)
        cf = cf[cf["territory_id"] == territory_id]
        cols = [c for c in ("field", "required_fte", "actual_fte_before", "load_ratio_before",
                            "load_ratio_after", "shortage_fte") if c in cf.columns]
        people = self.before.people
        top = people[people["territory_id"] == territory_id].nlargest(10, "load_ratio")[
            ["staff_id", "post_field", "load_ratio", "status"]]
        return {("Tải theo lĩnh vực (FTE)" if vi else "Load by field (FTE)"): cf[cols],
                ("Những người gánh nhiều việc nhất" if vi else "People carrying the most"): top}

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

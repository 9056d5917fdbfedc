"""Workload: WISN load per person, commune and field; overload map; optimal rebalancing.

Public API::

    result = run(province, scenario)                   # measure + rebalance
    result.before.peak, result.after.peak               # peak load ratio before / after
    result.rebalanced.peak / .excess                    # SolveResult of the two stages
    field_load(result), status_counts(result), shortage_by_field(result)   # province views

Command line: :mod:`khcadre_sim.workload.cli` (``khcadre workload``).
"""

from ..territories import haversine_km
from .api import WorkloadResult, WorkloadSettings, analyse_workload, run, run_workload
from .load import LoadState, measure_load, required_fte
from .rebalance import RebalanceResult, RebalanceSettings, rebalance
from .standards import available_minutes, read_standards, standards_on
from .tables import (
    capability_pattern,
    commune_field_table,
    field_load,
    moves_table,
    office_table,
    person_table,
    shortage_by_field,
    status_counts,
    summary,
)

__all__ = [
    "LoadState", "RebalanceResult", "RebalanceSettings", "WorkloadResult", "WorkloadSettings",
    "analyse_workload", "available_minutes", "capability_pattern",
    "commune_field_table", "field_load", "haversine_km", "measure_load", "moves_table",
    "office_table",
    "person_table", "read_standards", "rebalance", "required_fte", "run", "run_workload",
    "shortage_by_field", "standards_on", "status_counts", "summary",
]

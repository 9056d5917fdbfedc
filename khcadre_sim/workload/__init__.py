"""Workload: WISN load per person, commune and field; overload map; optimal rebalancing.

Public API::

    result = run_workload(province, scenario)          # measure + rebalance
    result.before.peak, result.after.peak               # peak load ratio before / after
    result.rebalanced.peak / .excess                    # SolveResult of the two stages

CLI contract: :func:`add_arguments` and :func:`write_outputs` (``khcadre workload``).
"""

from .api import WorkloadResult, WorkloadSettings, analyse_workload, run_workload
from .cli import add_arguments, write_outputs
from .load import LoadState, measure_load, required_fte
from .rebalance import RebalanceResult, RebalanceSettings, haversine_km, rebalance
from .standards import available_minutes, read_standards, standards_on
from .tables import (
    capability_pattern,
    commune_field_table,
    moves_table,
    office_table,
    person_table,
    summary,
)

__all__ = [
    "LoadState", "RebalanceResult", "RebalanceSettings", "WorkloadResult", "WorkloadSettings",
    "add_arguments", "analyse_workload", "available_minutes", "capability_pattern",
    "commune_field_table", "haversine_km", "measure_load", "moves_table", "office_table",
    "person_table", "read_standards", "rebalance", "required_fte", "run_workload",
    "standards_on", "summary", "write_outputs",
]

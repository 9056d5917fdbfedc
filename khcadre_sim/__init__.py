"""khcadre — a workbench for Khánh Hòa's 2026–2030 resolution on commune-level cadres.

Public API (notebooks and scripts use these; everything else is internal)::

    import khcadre_sim as kh
    province = kh.load_province()                    # validated tables (or --data DIR)
    scenario = kh.load_scenario()                    # scenarios/base.toml (+ overrides)
    scenario = scenario.with_overrides({"levers.workload.max_changed_per_commune": 3})
    result = kh.run("placement", province, scenario) # any capability of kh.REGISTRY
    result.headline("vi"), result.summary(), result.tables(), result.figures("vi")

Capabilities (``kh.REGISTRY``): review, placement, workload, incentives — each a package with
``api.run(province, scenario, **options)``; ``kh.examples`` holds small provinces and named
scenarios; ``kh.keys`` the declared scenario keys.
"""

__version__ = "0.1.0"

from . import examples, keys
from .capability import REGISTRY, Capability, ResultBase, capability
from .errors import DataValidationError, KhcadreError, ModelError, Problem, ScenarioError
from .io import (
    Province,
    load_area_class_priorities,
    load_fields,
    load_province,
    province_from_frames,
)
from .review import ReviewResult, ReviewSettings, review
from .scenario import Scenario, load_scenario
from .solve import SolveResult, Status, solve
from .synth import generate_province


def run(name: str, province: Province, scenario: Scenario | None = None, **options):  # noqa: ANN201
    """Run the capability ``name`` (review, placement, workload, incentives) on a province;
    the scenario defaults to the bundled base."""
    return capability(name).api().run(province, scenario or load_scenario(), **options)


__all__ = [
    "REGISTRY", "Capability", "DataValidationError", "KhcadreError", "ModelError", "Problem",
    "Province", "ResultBase", "ReviewResult", "ReviewSettings", "Scenario", "ScenarioError",
    "SolveResult", "Status", "capability", "examples", "generate_province", "keys",
    "load_area_class_priorities", "load_fields", "load_province", "load_scenario",
    "province_from_frames", "review", "run", "solve",
]

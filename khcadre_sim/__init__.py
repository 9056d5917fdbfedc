"""khcadre — a workbench for Khánh Hòa's 2026–2030 resolution on commune-level cadres.

Public API (notebooks and scripts use these; everything else is internal):
"""

__version__ = "0.1.0"

from .errors import DataValidationError, KhcadreError, ModelError, Problem, ScenarioError
from .io import Province, load_area_class_priorities, load_fields, load_province
from .review import ReviewResult, ReviewSettings, review
from .scenario import Scenario, load_scenario
from .solve import SolveResult, Status, solve
from .synth import generate_province

__all__ = [
    "DataValidationError", "KhcadreError", "ModelError", "Problem", "Province", "ReviewResult",
    "ReviewSettings", "Scenario", "ScenarioError", "SolveResult", "Status", "generate_province",
    "load_area_class_priorities", "load_fields", "load_province", "load_scenario", "review",
    "solve",
]

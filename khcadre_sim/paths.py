"""Where the bundled data and scenarios live.

In a source checkout they are the repository's top-level ``data/`` and ``scenarios/``; an
installed wheel carries them inside the package (``khcadre_sim/data``, ``khcadre_sim/scenarios``,
see pyproject.toml), found with :mod:`importlib.resources`.
"""

from importlib.resources import files
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    inside = Path(str(files("khcadre_sim").joinpath(name)))
    return inside if inside.is_dir() else PACKAGE.parent / name


ROOT = PACKAGE.parent  # the source checkout (README, notebooks, tests)
DATA = _bundled("data")
BUNDLED_PROVINCE = DATA / "khanh_hoa"
POLICY_PARAMETERS = DATA / "policy" / "parameters.toml"
FIELDS = DATA / "fields.csv"
AREA_CLASS_PRIORITIES = DATA / "area_class_priorities.csv"
SCENARIOS = _bundled("scenarios")
DEFAULT_SCENARIO = SCENARIOS / "base.toml"
CONTRACT = PACKAGE / "contract.toml"
TEMPLATES = PACKAGE / "templates"

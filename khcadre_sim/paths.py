"""Where the bundled data and scenarios live (the repository's data/ and scenarios/)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BUNDLED_PROVINCE = DATA / "khanh_hoa"
POLICY_PARAMETERS = DATA / "policy" / "parameters.toml"
FIELDS = DATA / "fields.csv"
AREA_CLASS_PRIORITIES = DATA / "area_class_priorities.csv"
SCENARIOS = ROOT / "scenarios"
DEFAULT_SCENARIO = SCENARIOS / "base.toml"
PACKAGE = Path(__file__).resolve().parent
CONTRACT = PACKAGE / "contract.toml"

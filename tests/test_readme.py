"""The README's contract tables and test command stay in sync with the code and CI."""

import re

from khcadre_sim.keys import markdown as keys_markdown
from khcadre_sim.paths import ROOT
from khcadre_sim.schema import contract_markdown

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_contract_tables_match_the_contract():
    block = re.search(r"<!-- contract:start -->\n(.*?)\n<!-- contract:end -->", README, re.S)
    assert block is not None
    assert block.group(1).strip() == contract_markdown().strip(), (
        "README contract is stale: regenerate it from `khcadre contract`")


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    assert len(commands) >= 2
    run_command, test_command = commands[0], commands[1]
    assert "khcadre run" in run_command
    assert "pytest --nbval" in test_command and "--nbval-lax" not in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_scenario_key_table_matches_the_key_table():
    block = re.search(r"<!-- keys:start -->\n(.*?)\n<!-- keys:end -->", README, re.S)
    assert block is not None
    assert block.group(1).strip() == keys_markdown().strip(), (
        "README scenario keys are stale: regenerate it from `khcadre keys`")

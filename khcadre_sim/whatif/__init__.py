"""Interactive what-if page for people who do not write code (Panel; ``pip install
'khcadre[app]'``), started with ``python -m khcadre_sim.whatif``.

:mod:`.model` is the pure part (widget values → scenario overrides → incentive runs → tables and
the figure; no web framework); :mod:`.app` the page (``WhatIfPage``, ``page``, ``serve``);
:mod:`.cli` its command-line options. Names are re-exported here and imported on first use, so
that importing the command line stays light and the pure part works without Panel.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "DRAWS": "model", "RATE_KEYS": "model", "BudgetInputs": "model", "Outcome": "model",
    "ProgrammeInputs": "model", "Workbench": "model", "budget_figures": "model",
    "budget_summary": "model", "commune_choices": "model", "commune_facts": "model",
    "commune_sections": "model", "compute": "model", "cost_figure": "model",
    "year_table": "model",
    "WhatIfPage": "app", "page": "app", "serve": "app",
    "add_arguments": "cli", "run": "cli",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_EXPORTS)

"""Interactive what-if page for people who do not write code (Panel; ``pip install
'khcadre[app]'``): ``python -m khcadre_sim.whatif``. The pure part (:mod:`.model`) needs no web
framework; the page itself (:mod:`.app`: ``page``, ``serve``, ``WhatIfPage``) is imported on
first use."""

from typing import Any

from .model import (
    DRAWS,
    RATE_KEYS,
    BudgetInputs,
    Outcome,
    ProgrammeInputs,
    Workbench,
    budget_figures,
    budget_summary,
    commune_choices,
    commune_facts,
    commune_sections,
    compute,
    cost_figure,
    year_table,
)

_APP = ("WhatIfPage", "page", "serve")


def __getattr__(name: str) -> Any:
    if name in _APP:
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DRAWS", "RATE_KEYS", "BudgetInputs", "Outcome", "ProgrammeInputs", "WhatIfPage",
    "Workbench", "budget_figures", "budget_summary", "commune_choices", "commune_facts",
    "commune_sections", "compute", "cost_figure", "page", "serve", "year_table",
]

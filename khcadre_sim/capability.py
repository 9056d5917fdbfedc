"""One shape for every capability, and the registry the command line and the report iterate.

A capability is a package ``khcadre_sim.<name>`` with:

* ``api.py`` — ``Settings`` (a frozen dataclass; field names are the scenario's TOML names,
  defaults from :mod:`khcadre_sim.keys`; ``Settings.from_scenario(scenario)``) and
  ``run(province, scenario, **options) -> Result``: pure, reads no file, prints nothing;
* ``cli.py`` — ``add_arguments(parser)`` for its own options and ``options(args) -> dict`` (the
  keyword arguments of ``run``; reading an option's file happens here). It imports nothing
  heavy, so ``khcadre --help`` stays quick;
* ``plots.py`` — figures, returned and never shown, labelled in Vietnamese or English;
* ``__init__.py`` — re-exports only.

Every ``Result`` carries a :class:`~khcadre_sim.solve.SolveResult` as its ``proof`` (one
:class:`~khcadre_sim.solve.Status` vocabulary for all: a direct computation is ``computed``) and
the same small surface, :class:`ResultSurface`: ``headline(lang)``, ``summary()``, ``tables()``
and ``figures(lang)``. The report writes any result the same way
(:func:`khcadre_sim.report.write_result`); a capability may add files through an optional
``extras(result, out_dir, lang) -> list[str]`` in its ``cli.py`` (e.g. the budget workbook).

Adding a capability = its package + one line in :data:`REGISTRY`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol, runtime_checkable

from .solve import SolveResult, Status


@runtime_checkable
class ResultSurface(Protocol):
    """What every capability's result offers (EMA Workbench's experiments → outcomes; linopy's
    small result objects)."""

    proof: SolveResult

    def headline(self, lang: str = "en") -> list[str]: ...

    def summary(self) -> dict[str, Any]: ...

    def tables(self) -> dict[str, Any]: ...

    def figures(self, lang: str = "vi") -> dict[str, Any]: ...


class ResultBase:
    """Shared behaviour of results: the status from the proof, and a JSON summary made of the
    proof, the headline and the capability's own ``details()``."""

    proof: SolveResult

    @property
    def status(self) -> Status:
        return self.proof.status

    def headline(self, lang: str = "en") -> list[str]:
        raise NotImplementedError

    def details(self) -> dict[str, Any]:
        """Capability-specific JSON-able figures for ``summary.json``."""
        return {}

    def summary(self) -> dict[str, Any]:
        return {"status": str(self.status), "proof": _rounded(self.proof.to_dict()),
                **self.details(), "headline": self.headline("en")}

    def tables(self) -> dict[str, Any]:
        return {}

    def figures(self, lang: str = "vi") -> dict[str, Any]:
        return {}

    def commune_tables(self, territory_id: str, lang: str = "vi") -> dict[str, Any]:
        """Small tables about one commune for its page of the report (caption → table)."""
        return {}


def _rounded(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in d.items()}


def computed(seconds: float, seed: int | None = None, message: str = "") -> SolveResult:
    """The proof of a direct computation (no optimisation): complete and exact as defined."""
    return SolveResult(Status.COMPUTED, None, None, None, round(seconds, 6), "none", seed,
                       message)


@dataclass(frozen=True)
class Capability:
    """One entry of the registry."""

    name: str  # results sub-folder and summary key
    command: str  # khcadre <command>
    title_vi: str
    title_en: str

    @property
    def package(self) -> str:
        return f"khcadre_sim.{self.name}"

    def api(self) -> ModuleType:
        return importlib.import_module(f"{self.package}.api")

    def cli(self) -> ModuleType:
        return importlib.import_module(f"{self.package}.cli")

    def title(self, lang: str = "vi") -> str:
        return self.title_vi if lang == "vi" else self.title_en


REGISTRY: tuple[Capability, ...] = (
    Capability("review", "review", "Rà soát theo khung năng lực", "Competency review"),
    Capability("placement", "place", "Bố trí cán bộ", "Placement"),
    Capability("workload", "workload", "Khối lượng công việc", "Workload"),
    Capability("incentives", "incentives", "Kinh phí thu hút, hỗ trợ nhân lực",
               "Incentive budget"),
)


def capability(name: str) -> Capability:
    """The registry entry named ``name`` (or whose command is ``name``)."""
    for cap in REGISTRY:
        if name in (cap.name, cap.command):
            return cap
    raise KeyError(f"no capability '{name}'; known: {', '.join(c.name for c in REGISTRY)}")

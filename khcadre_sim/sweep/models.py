"""What a sweep runs: a *model* is any picklable callable ``(province, scenario, seed) → {outcome:
number}``.

Every capability of :data:`khcadre_sim.REGISTRY` is a model through :class:`CapabilityModel`
(``kh.run(name, province, scenario, **options)``, then its outcomes): a capability registered
later — the projection — is swept without any change here. Outcomes are, in this order of
preference, the result's own ``outcomes()`` if it has one, a capability's headline figures
below (incentives), else every number of its ``summary()`` flattened to dotted names (timings
and seeds left out: they are not outcomes and would make equal runs differ). Other callables
are registered by name with :func:`register_model`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Model = Callable[[Any, Any, int], dict[str, float]]
_MODELS: dict[str, Model] = {}
_SKIP = ("seconds", "seed", "time", "elapsed")


def register_model(name: str, model: Model) -> None:
    """Make ``model`` sweepable as ``capability = "<name>"`` (before the registry is asked)."""
    _MODELS[name] = model


def flatten(summary: Any, prefix: str = "") -> dict[str, float]:
    """Every number (and true/false as 1/0) of a JSON-like summary under a dotted name; a list
    of records is keyed by each record's first text or whole-number field (year, programme)."""
    out: dict[str, float] = {}
    if isinstance(summary, dict):
        for k, v in summary.items():
            if any(s in str(k).lower() for s in _SKIP):
                continue
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(summary, list):
        for i, item in enumerate(summary):
            if isinstance(item, dict):
                label = next((str(v) for v in item.values()
                              if isinstance(v, str | int) and not isinstance(v, bool)), str(i))
                out.update(flatten(item, f"{prefix}.{label}"))
    elif isinstance(summary, bool):
        out[prefix] = float(summary)
    elif isinstance(summary, int | float) and summary is not None:
        value = float(summary)
        if math.isfinite(value) or math.isinf(value):
            out[prefix] = value
    return out


def incentive_outcomes(result: Any) -> dict[str, float]:
    """The budget officer's figures of one incentive run (billion VND)."""
    tot = result.totals()
    monthly = result.answers["monthly"]
    p95, ceiling = float(tot["p95_net"].max()), float(tot["ceiling"].min())
    return {
        "expected_net_total_bn": float(tot["expected_net"].sum()),
        "gross_outlay_total_bn": float(tot["gross_outlay"].sum()),
        "refunds_total_bn": float(tot["refunds_recovered"].sum()),
        "p95_net_max_bn": p95,
        "ceiling_min_bn": ceiling,
        "headroom_bn": ceiling - p95,
        "p95_over_ceiling": float(p95 > ceiling),
        "p_breach_max": float(tot["p_breach"].max()),
        "places_granted": float(result.budget.places["admitted"].sum()),
        "waitlisted": float(result.budget.places["waitlisted"].sum()),
        "monthly_scale_within_ceiling": float(monthly.value)
        if monthly.status.has_solution and monthly.value is not None else math.nan,
    }


HEADLINES: dict[str, Callable[[Any], dict[str, float]]] = {"incentives": incentive_outcomes}


def outcomes_of(name: str, result: Any) -> dict[str, float]:
    if hasattr(result, "outcomes"):
        return {k: float(v) for k, v in result.outcomes().items()}
    out = flatten(result.summary())
    if name in HEADLINES:
        out.update(HEADLINES[name](result))
    return out


@dataclass(frozen=True)
class CapabilityModel:
    """A capability of the registry as a model: ``kh.run(name, …, **options)`` → outcomes."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)

    def __call__(self, province: Any, scenario: Any, seed: int) -> dict[str, float]:
        from ..capability import capability

        result = capability(self.name).api().run(province, scenario, **self.options)
        return outcomes_of(self.name, result)


@dataclass(frozen=True)
class ProjectionModel:
    """The 2026–2030 projection as a model: the scenario under one seed → its headline
    outcomes (:func:`khcadre_sim.projection.api.outcomes`)."""

    def __call__(self, province: Any, scenario: Any, seed: int) -> dict[str, float]:
        from ..projection.api import outcomes

        return outcomes(province, scenario, seed)


BUILT_IN: dict[str, Model] = {"projection": ProjectionModel()}


def model_for(name: str, options: dict[str, Any] | None = None) -> Model:
    """The model called ``name``: a registered callable, the projection, else a capability
    of the registry. Raises KeyError naming the known ones."""
    if name in _MODELS:
        return _MODELS[name]
    if name in BUILT_IN:
        if options:
            raise KeyError(f"the {name} model takes no options (got {', '.join(options)})")
        return BUILT_IN[name]
    from ..capability import REGISTRY, capability

    try:
        cap = capability(name)
    except KeyError:
        known = [c.name for c in REGISTRY] + sorted(BUILT_IN) + sorted(_MODELS)
        raise KeyError(f"no capability or model '{name}'; known: {', '.join(known)}") from None
    return CapabilityModel(cap.name, dict(options or {}))

"""Exploring many futures: sweeps over scenario keys × seeds on Dask distributed, global
sensitivity and scenario discovery.

:mod:`.spec` reads a sweep file (factors, ranges, design); :mod:`.design` makes the experiments
(grid, Latin hypercube, Sobol; SALib); :mod:`.models` turns a capability (or any callable
``(province, scenario, seed) → outcomes``) into a model; :mod:`.engine` runs experiments on Dask;
:mod:`.store` keeps the results folder; :mod:`.api` ties them (``run_sweep``);
:mod:`.analysis` computes Sobol indices and PRIM boxes. Names are re-exported here and imported
on first use, so that importing the command line stays light.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "SweepResult": "api", "run_sweep": "api",
    "CapabilityModel": "models", "flatten": "models", "model_for": "models",
    "register_model": "models",
    "Factor": "spec", "SweepSpec": "spec", "load_spec": "spec", "parse_spec": "spec",
    "Box": "analysis", "prim": "analysis", "sobol_indices": "analysis",
    "breach_probability": "analysis",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = sorted(_EXPORTS)

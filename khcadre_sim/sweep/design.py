"""Experiments of a sweep: design points (grid, Latin hypercube, Sobol) × seeds.

Samples in the unit cube come from SALib (``SALib.sample.latin``, ``SALib.sample.sobol``) with the
sweep's seed, so the same sweep file gives the same experiments; each factor maps the unit
interval to its range (whole numbers and listed values by equal-width bins). Every experiment is
keyed by a stable hash of the capability, its options, the factor values and the seed: a re-run
recognises the experiments it already has.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any

import numpy as np
import pandas as pd

from .spec import SweepSpec

ID_COLUMNS = {"experiment_id": "string", "point": "int64", "seed": "int64"}


def unit_sample(spec: SweepSpec, seed: int) -> np.ndarray:
    """Design points in [0, 1]^D (rows in the sampler's order, which Sobol analysis needs)."""
    d = len(spec.factors)
    problem = {"num_vars": d, "names": [f.name for f in spec.factors],
               "bounds": [[0.0, 1.0]] * d}
    if spec.design == "lhs":
        from SALib.sample import latin

        return np.asarray(latin.sample(problem, spec.samples, seed=seed), dtype=float)
    if spec.design == "sobol":
        from SALib.sample import sobol

        # N must be a power of 2 for Sobol' balance; SALib warns otherwise (kept as given)
        return np.asarray(sobol.sample(problem, spec.samples, calc_second_order=False,
                                       seed=seed), dtype=float)
    raise ValueError(f"unit_sample: design {spec.design} has no unit sample")


def points(spec: SweepSpec, seed: int) -> list[dict[str, Any]]:
    """Factor values of every design point, in order."""
    if spec.design == "grid":
        grids = [f.grid() for f in spec.factors]
        return [dict(zip([f.name for f in spec.factors], combo, strict=True))
                for combo in itertools.product(*grids)]
    cube = unit_sample(spec, seed)
    return [{f.name: f.scale(float(u)) for f, u in zip(spec.factors, row, strict=True)}
            for row in cube]


def _canonical(v: Any) -> Any:
    if isinstance(v, bool | str) or v is None:
        return v
    if isinstance(v, int | np.integer):
        return int(v)
    return repr(float(v))


def experiment_id(spec: SweepSpec, values: dict[str, Any], seed: int) -> str:
    """Stable key of one experiment (16 hex digits of SHA-256)."""
    body = {"capability": spec.capability, "options": spec.options,
            "values": {k: _canonical(v) for k, v in sorted(values.items())}, "seed": int(seed)}
    text = json.dumps(body, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def experiments(spec: SweepSpec, base_seed: int) -> pd.DataFrame:
    """One row per design point × seed: ``experiment_id``, ``point``, ``seed`` and one column
    per factor (named by its key). Seeds are ``base_seed, base_seed + 1, …`` — the same for
    every point (common random numbers), so points differ only by their values."""
    sampler_seed = spec.seed if spec.seed is not None else base_seed
    first = spec.seed if spec.seed is not None else base_seed
    pts = points(spec, sampler_seed)
    rows = []
    for i, values in enumerate(pts):
        for k in range(spec.seeds):
            s = first + k
            rows.append({"experiment_id": experiment_id(spec, values, s), "point": i,
                         "seed": s, **values})
    return typed(pd.DataFrame(rows), spec)


def typed(frame: pd.DataFrame, spec: SweepSpec) -> pd.DataFrame:
    """Declared dtypes (an empty table keeps its columns)."""
    dtypes: dict[str, str] = dict(ID_COLUMNS)
    for f in spec.factors:
        kinds = {type(v) for v in f.values}
        if f.type == "bool" or kinds == {bool}:
            dtypes[f.name] = "boolean"
        elif f.type == "int" and all(isinstance(v, int | np.integer) and not isinstance(v, bool)
                                     for v in f.values):
            dtypes[f.name] = "int64"  # whole numbers stay whole (a float is refused by the key)
        elif f.type in ("float", "int"):
            dtypes[f.name] = "float64"
        else:
            dtypes[f.name] = "string"
    out = pd.DataFrame({c: pd.Series(frame.get(c, []), dtype=t)
                        for c, t in dtypes.items()})
    return out.reset_index(drop=True)

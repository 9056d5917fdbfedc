"""What a sweep says: global sensitivity (Sobol' indices) and scenario discovery (PRIM boxes).

* :func:`sobol_indices` — first-order and total Sobol' indices of one outcome with bootstrap
  confidence intervals (``SALib.analyze.sobol``) on a sweep with ``design = "sobol"`` (an
  outcome is first averaged over the seeds of each design point, so the indices are those of the
  expected outcome and Monte Carlo noise is not mistaken for an effect).
* :func:`prim` — the Patient Rule Induction Method (Friedman & Fisher 1999, "Bump hunting in
  high-dimensional data", Statistics and Computing 9: 123–143): peel the box of factor values
  a small share ``alpha`` of its points at a time, always the peel that leaves the highest
  share of cases of interest (density), down to ``min_mass``; then paste back along any face
  while density rises. The peeling trajectory holds every box with its **coverage** (share of
  all cases of interest inside the box), **density** (share of the box's points that are
  cases of interest) and **mass** (share of all points inside). Listed values (true/false,
  choices) are peeled one value at a time. This is the method of EMA Workbench's ``prim``
  (Kwakkel 2017) in about a hundred lines, without its dependencies.
* :func:`breach_probability` — for each combination of lever values, the share of
  experiments (over the uncertainties and seeds) where a condition holds, e.g. P95 cost above
  the ceiling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

# --------------------------------------------------------------------------- Sobol' indices

def sobol_indices(table: pd.DataFrame, factors: list[str], outcome: str, *,
                  num_resamples: int = 200, conf_level: float = 0.95,
                  seed: int = 0) -> pd.DataFrame:
    """S1 and ST (with half-widths of their ``conf_level`` intervals) of ``outcome`` for each
    factor. ``table`` has one row per experiment with ``point`` (the Sobol' design's row, in the
    sampler's order), the factors and the outcome (``SweepResult.wide()``); every point of the
    design must be present (a failed experiment leaves a hole that SALib cannot use)."""
    from SALib.analyze import sobol

    if outcome not in table.columns:
        raise KeyError(f"no outcome '{outcome}' in the table")
    means = table.groupby("point", sort=True)[outcome].mean()
    n_points = int(table["point"].max()) + 1 if len(table) else 0
    d = len(factors)
    if len(means) != n_points or n_points % (d + 2) or means.isna().any():
        raise ValueError(f"a Sobol' design of {d} factors needs N × {d + 2} points, all with "
                         f"an outcome; got {len(means)} of {n_points}")
    problem = {"num_vars": d, "names": list(factors), "bounds": [[0.0, 1.0]] * d}
    res = sobol.analyze(problem, means.to_numpy(dtype=float), calc_second_order=False,
                        num_resamples=num_resamples, conf_level=conf_level, seed=seed)
    return pd.DataFrame({
        "factor": pd.Series(factors, dtype="string"),
        "S1": np.asarray(res["S1"], dtype=float), "S1_conf": np.asarray(res["S1_conf"],
                                                                         dtype=float),
        "ST": np.asarray(res["ST"], dtype=float), "ST_conf": np.asarray(res["ST_conf"],
                                                                         dtype=float)})


# ------------------------------------------------------------------------ breach probability

def breach_probability(table: pd.DataFrame, levers: list[str], condition: pd.Series
                       ) -> pd.DataFrame:
    """Share of experiments where ``condition`` (a boolean per row of ``table``) holds, for each
    combination of the ``levers`` columns, with the number of experiments behind it."""
    frame = table[levers].assign(_hit=condition.astype(float).to_numpy())
    out = frame.groupby(levers, dropna=False, sort=True)["_hit"].agg(["mean", "size"])
    return out.rename(columns={"mean": "probability", "size": "experiments"}).reset_index()


# ------------------------------------------------------------------------------------- PRIM

@dataclass
class Box:
    """Limits of a box: (low, high) for a number, the allowed values for a listed factor."""

    limits: dict[str, Any]
    coverage: float = float("nan")
    density: float = float("nan")
    mass: float = float("nan")
    n: int = 0

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        inside = np.ones(len(x), dtype=bool)
        for name, lim in self.limits.items():
            col = x[name]
            if isinstance(lim, tuple):
                v = col.to_numpy(dtype=float)
                inside &= (v >= lim[0]) & (v <= lim[1])
            else:
                inside &= col.isin(list(lim)).to_numpy()
        return inside

    def restricted(self, full: Box) -> dict[str, Any]:
        """Only the limits narrower than the whole data's (what the box says)."""
        return {k: v for k, v in self.limits.items() if v != full.limits[k]}


@dataclass
class PrimResult:
    boxes: list[Box]  # the peeling trajectory (first: all data), the pasted box last
    full: Box
    chosen: int
    threshold: float
    notes: list[str] = field(default_factory=list)

    @property
    def box(self) -> Box:
        return self.boxes[self.chosen]

    def trajectory(self) -> pd.DataFrame:
        return pd.DataFrame({
            "step": pd.Series(range(len(self.boxes)), dtype="int64"),
            "coverage": pd.Series([b.coverage for b in self.boxes], dtype="float64"),
            "density": pd.Series([b.density for b in self.boxes], dtype="float64"),
            "mass": pd.Series([b.mass for b in self.boxes], dtype="float64"),
            "n": pd.Series([b.n for b in self.boxes], dtype="int64"),
            "restricted": pd.Series([len(b.restricted(self.full)) for b in self.boxes],
                                    dtype="int64")})

    def limits(self, index: int | None = None) -> pd.DataFrame:
        """The chosen (or ``index``-th) box's limits on the factors it restricts."""
        b = self.boxes[self.chosen if index is None else index]
        rows = []
        for name, lim in b.restricted(self.full).items():
            if isinstance(lim, tuple):
                rows.append({"factor": name, "low": lim[0], "high": lim[1], "values": ""})
            else:
                rows.append({"factor": name, "low": np.nan, "high": np.nan,
                             "values": ", ".join(map(str, sorted(lim, key=str)))})
        return pd.DataFrame(rows, columns=["factor", "low", "high", "values"]).astype(
            {"factor": "string", "low": "float64", "high": "float64", "values": "string"})


def _stats(box: Box, x: pd.DataFrame, y: np.ndarray) -> Box:
    inside = box.contains(x)
    n = int(inside.sum())
    box.n = n
    box.mass = n / len(y)
    box.coverage = float(y[inside].sum() / y.sum()) if y.sum() else float("nan")
    box.density = float(y[inside].mean()) if n else float("nan")
    return box


def _numeric(col: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)


def _candidates(box: Box, x: pd.DataFrame, alpha: float) -> list[Box]:
    """Every box one peel smaller than ``box``."""
    inside = box.contains(x)
    out = []
    for name, lim in box.limits.items():
        col = x.loc[inside, name]
        if isinstance(lim, tuple):
            v = col.to_numpy(dtype=float)
            lo_q, hi_q = np.quantile(v, [alpha, 1 - alpha])
            if lo_q > lim[0]:
                out.append(Box({**box.limits, name: (float(lo_q), lim[1])}))
            elif np.any(v > lim[0]):  # a cut at the lowest value (ties at the quantile)
                out.append(Box({**box.limits, name: (float(v[v > lim[0]].min()), lim[1])}))
            if hi_q < lim[1]:
                out.append(Box({**box.limits, name: (lim[0], float(hi_q))}))
            elif np.any(v < lim[1]):
                out.append(Box({**box.limits, name: (lim[0], float(v[v < lim[1]].max()))}))
        elif len(lim) > 1:
            out += [Box({**box.limits, name: frozenset(lim - {value})}) for value in lim]
    return out


def _paste(box: Box, x: pd.DataFrame, y: np.ndarray, full: Box, alpha: float) -> Box:
    """Widen faces of ``box`` while the density rises (pasting)."""
    while True:
        best = box
        for name, lim in box.limits.items():
            whole = full.limits[name]
            if isinstance(lim, tuple):
                v = x[name].to_numpy(dtype=float)
                step = max(int(alpha * box.n), 1)
                below = np.sort(v[v < lim[0]])[-step:] if lim[0] > whole[0] else []
                above = np.sort(v[v > lim[1]])[:step] if lim[1] < whole[1] else []
                trials = ([Box({**box.limits, name: (float(below[0]), lim[1])})]
                          if len(below) else [])
                trials += ([Box({**box.limits, name: (lim[0], float(above[-1]))})]
                           if len(above) else [])
            else:
                trials = [Box({**box.limits, name: frozenset(lim | {v})})
                          for v in whole - lim]
            for t in trials:
                _stats(t, x, y)
                if t.density > best.density:
                    best = t
        if best is box:
            return box
        box = best


def prim(x: pd.DataFrame, y: np.ndarray | pd.Series, *, alpha: float = 0.05,
         min_mass: float = 0.05, threshold: float = 0.8, paste: bool = True) -> PrimResult:
    """PRIM boxes of the factor values ``x`` (one column per factor) where ``y`` (true for the
    cases of interest) is dense. The chosen box is the densest one on the trajectory whose
    density reaches ``threshold`` with the largest coverage (else the densest box), pasted."""
    y = np.asarray(y, dtype=float)
    if len(y) != len(x) or not len(y):
        raise ValueError("prim: x and y must have the same, non-zero number of rows")
    limits: dict[str, Any] = {}
    for name in x.columns:
        col = x[name]
        limits[name] = ((float(col.min()), float(col.max())) if _numeric(col)
                        else frozenset(col.dropna().unique().tolist()))
    full = _stats(Box(dict(limits)), x, y)
    boxes = [full]
    box = full
    while True:
        trials = [_stats(b, x, y) for b in _candidates(box, x, alpha)]
        trials = [b for b in trials if b.n and b.mass >= min_mass and b.n < box.n]
        if not trials:
            break
        box = max(trials, key=lambda b: (b.density, b.mass))
        boxes.append(box)
    reaching = [i for i, b in enumerate(boxes) if b.density >= threshold]
    pick = (max(reaching, key=lambda i: (boxes[i].coverage, -i)) if reaching
            else int(np.nanargmax([b.density for b in boxes])))
    notes = [] if reaching else [f"no box reaches density {threshold:g}; the densest is shown"]
    if paste:
        pasted = _paste(boxes[pick], x, y, full, alpha)
        if pasted is not boxes[pick]:
            boxes.append(pasted)
            pick = len(boxes) - 1
    return PrimResult(boxes, full, pick, threshold, notes)

"""Column types of every table the workload capability builds, and builders that keep them.

A table built from a Python list or concatenated from parts takes its dtypes from its values, so
an empty part (no moves, no overloaded person, no uncovered field) would silently turn numbers
into ``object`` columns. Every workload table is therefore built through :func:`frame` or cast
with :func:`typed`, with its columns declared here once. Text columns are ``str`` (the dtype
``pandas.read_csv(dtype=str)`` gives the province tables: ``object`` on pandas 2, ``str`` on
pandas 3), so keys join with the input tables on either version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

Schema = Mapping[str, Any]

PORTFOLIO: Schema = {"staff_id": str, "territory_id": str, "field": str, "time_share": "float64",
                     "work_fte": "float64"}
ELIGIBLE: Schema = {"staff_id": str, "territory_id": str, "field": str}
CHANGES: Schema = {"staff_id": str, "territory_id": str, "moved": "bool", "field": str,
                   "work_fte_before": "float64", "work_fte_after": "float64",
                   "time_share_before": "float64", "time_share_after": "float64"}
MOVES: Schema = {"staff_id": str, "from_territory_id": str, "to_territory_id": str,
                 "distance_km": "float64"}
SHORTAGE: Schema = {"territory_id": str, "field": str, "shortage_fte": "float64", "reason": str}
PER_COMMUNE: Schema = {"territory_id": str, "n_people": "int64", "peak_before": "float64",
                       "mean_before": "float64", "peak_after": "float64",
                       "mean_after": "float64", "n_changed": "int64", "max_changed": "Int64",
                       "shortage_fte": "float64"}
MOVES_TABLE: Schema = {"staff_id": str, "kind": str, "territory_id": str,
                       "to_territory_id": str, "distance_km": "float64", "field": str,
                       "work_fte_before": "float64", "work_fte_after": "float64",
                       "time_share_before": "float64", "time_share_after": "float64"}
OFFICE_TABLE: Schema = {"territory_id": str, "office": str, "n_people": "int64",
                        "mean_load_before": "float64", "peak_load_before": "float64",
                        "n_over_before": "int64", "n_under_before": "int64",
                        "mean_load_after": "float64", "peak_load_after": "float64",
                        "n_over_after": "int64", "n_under_after": "int64"}
CAPABILITY: Schema = {"competency_band": str, "competency_mean": "float64", "n_people": "int64",
                      "fields_qualified_mean": "float64", "fields_worked_mean": "float64",
                      "load_mean": "float64", "share_over": "float64"}


def _column(values: Any, dtype: Any) -> pd.Series:
    # from plain Python objects: pandas keeps missing values missing in a str column (casting
    # an existing column with astype(str) would write the text "nan" on pandas 2); an object
    # array is read as a list is, without a Python loop
    if isinstance(values, pd.Series | pd.Index | np.ndarray):
        return pd.Series(np.asarray(values, dtype=object), dtype=dtype)
    return pd.Series(list(values), dtype=dtype)


def frame(rows: Iterable[tuple], schema: Schema) -> pd.DataFrame:
    """A table from row tuples (in the order of ``schema``), with the declared dtypes even
    when there are no rows."""
    rows = list(rows)
    cols = list(schema)
    data = list(zip(*rows, strict=True)) if rows else [() for _ in cols]
    if len(data) != len(cols):
        raise ValueError(f"rows have {len(data)} values, the table has {len(cols)} columns")
    return pd.DataFrame({c: _column(list(v), schema[c]) for c, v in zip(cols, data,
                                                                         strict=True)})


def from_columns(columns: dict[str, Any], schema: Schema) -> pd.DataFrame:
    """A table from one sequence per column (the names of ``schema``, in its order), with the
    declared dtypes — what :func:`frame` makes from the same values as rows."""
    return pd.DataFrame({c: _column(columns[c], schema[c]) for c in schema})


def typed(table: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """``table`` with exactly the columns of ``schema`` (in order), cast to their dtypes."""
    return pd.DataFrame({c: _column(table[c], schema[c]) for c in schema})


def concat(parts: Iterable[pd.DataFrame], schema: Schema) -> pd.DataFrame:
    """Concatenate tables, each cast to ``schema`` first (an empty part changes no dtype)."""
    typed_parts = [typed(p, schema) for p in parts]
    nonempty = [p for p in typed_parts if len(p)]
    if not nonempty:
        return frame([], schema)
    return typed(pd.concat(nonempty, ignore_index=True), schema)

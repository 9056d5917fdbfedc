"""Column specs of the data contract, read once from ``contract.toml``.

The same specs drive validation (:mod:`khcadre_sim.io`), Vietnamese header mapping and the
contract tables in the README (:func:`contract_markdown`).
"""

from __future__ import annotations

import csv
import datetime as dt
import tomllib
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from .paths import CONTRACT, FIELDS

TYPES = ("str", "int", "float", "bool", "enum", "list", "date")
TABLES = ("territories", "positions", "staff", "workload")  # required: every province has them
# optional: read when the folder holds them, else empty (Province attributes of the same name)
OPTIONAL_TABLES = ("ratings_history", "training_records", "rotation_records")
DATE_DTYPE = "datetime64[ns]"
TRUE_WORDS = {"true", "1", "yes", "y", "x", "có", "co", "đúng"}
FALSE_WORDS = {"false", "0", "no", "n", "không", "khong", "sai", ""}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    unit: str = ""
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] = ()
    min: float | dt.date | None = None  # a date column's bounds are dates
    max: float | dt.date | None = None
    ref: str | None = None
    vi: tuple[str, ...] = ()

    @property
    def dtype(self) -> str:
        """The pandas dtype of the typed column ("str" is object on pandas 2, str on pandas 3;
        a date is ``datetime64[ns]``, blank = NaT)."""
        if self.type == "int":
            return "Int64" if self.nullable else "int64"
        return {"float": "float64", "bool": "bool", "date": DATE_DTYPE}.get(self.type, "str")

    @property
    def valid_form(self) -> str:
        """A short phrase describing what a valid cell looks like."""
        if self.type in ("enum", "list"):
            sep = " (several joined by ';')" if self.type == "list" else ""
            shown = ", ".join(self.allowed[:8]) + (", …" if len(self.allowed) > 8 else "")
            return f"one of {shown}{sep}"
        if self.type == "bool":
            return "true or false (also 1/0, có/không)"
        if self.type == "date":
            bounds = ([] if self.min is None else [f"from {self.min}"]) + (
                [] if self.max is None else [f"to {self.max}"])
            return "a date as 1969-03-15 or 15/03/1969 (day first)" + (
                " " + " ".join(bounds) if bounds else "")
        if self.type in ("int", "float"):
            kind = "a whole number" if self.type == "int" else "a number"
            bounds = ([] if self.min is None else [f"≥ {format_number(self.min)}"]) + (
                [] if self.max is None else [f"≤ {format_number(self.max)}"])
            return kind + (" " + " and ".join(bounds) if bounds else "")
        return "non-empty text"


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    optional: bool = False  # an optional table may be absent from a province folder

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def dtypes(self) -> dict[str, str]:
        return {c.name: c.dtype for c in self.columns}


def format_number(value: float) -> str:
    """A bound as people write it: 2010, 0.5, 2 000 000 (spaces group thousands from 10 000)."""
    if float(value).is_integer():
        whole = int(value)
        return f"{whole:,}".replace(",", " ") if abs(whole) >= 10_000 else str(whole)
    return f"{value:g}"


def _bound(value: float | dt.date | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else format_number(value)


def normalise_header(text: str) -> str:
    """Headers are matched ignoring case, Unicode normal form, surrounding spaces, and how spaces,
    underscores and line breaks inside them are written ("Diện tích\n(km²)" = "diện tích (km²)",
    "Staff ID" = "staff_id")."""
    return " ".join(unicodedata.normalize("NFC", str(text)).replace("_", " ").split()).casefold()


@cache
def field_codes() -> tuple[str, ...]:
    with FIELDS.open(encoding="utf-8") as f:
        return tuple(row["field"] for row in csv.DictReader(f))


@cache
def contract() -> dict[str, TableSpec]:
    raw = tomllib.loads(CONTRACT.read_text(encoding="utf-8"))
    specs = {}
    for table, body in raw.items():
        columns = []
        for c in body["columns"]:
            allowed = tuple(c.get("allowed", ()))
            if c.get("allowed_from") == "fields":
                allowed = field_codes()
            assert c["type"] in TYPES, f"contract.toml: bad type for {table}.{c['name']}"
            assert c["type"] not in ("int", "float") or ("min" in c and "max" in c), (
                f"contract.toml: {table}.{c['name']} needs a min and a max")
            assert c["type"] != "date" or all(
                isinstance(c.get(b, dt.date.min), dt.date) for b in ("min", "max")), (
                f"contract.toml: {table}.{c['name']}: a date column's bounds are dates")
            columns.append(Column(
                name=c["name"], type=c["type"], description=c.get("description", ""),
                unit=c.get("unit", ""), required=c.get("required", True),
                nullable=c.get("nullable", False), allowed=allowed, min=c.get("min"),
                max=c.get("max"), ref=c.get("ref"), vi=tuple(c.get("vi", ())),
            ))
        key = body["key"]
        specs[table] = TableSpec(table, body["description"],
                                 tuple(key) if isinstance(key, list) else (key,), tuple(columns),
                                 optional=bool(body.get("optional", False)))
    assert tuple(t for t, s in specs.items() if not s.optional) == TABLES, "contract.toml: tables"
    assert tuple(t for t, s in specs.items() if s.optional) == OPTIONAL_TABLES, (
        "contract.toml: optional tables")
    return specs


def empty_table(name: str) -> pd.DataFrame:
    """A table of the contract with no rows: its columns, in order, with their dtypes."""
    spec = contract()[name]
    return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in spec.columns})


def header_map(spec: TableSpec) -> dict[str, str]:
    """Normalised accepted header → canonical column name."""
    mapping: dict[str, str] = {}
    for col in spec.columns:
        mapping[normalise_header(col.name)] = col.name
        for alias in col.vi:
            mapping.setdefault(normalise_header(alias), col.name)
    return mapping


def contract_markdown() -> str:
    """The data contract as Markdown tables (used in the README; a test keeps them in sync)."""
    lines: list[str] = []
    for spec in contract().values():
        key = ", ".join(spec.key)
        kind = " (optional table: read when the folder holds it)" if spec.optional else ""
        lines += [f"**{spec.name}**{kind} — {spec.description} Key: `{key}`.", "",
                  "| column | type | unit | required | allowed / range | Vietnamese header | "
                  "description |", "|---|---|---|---|---|---|---|"]
        for c in spec.columns:
            if c.type in ("enum", "list") and len(c.allowed) > 8:
                allowed = "see data/fields.csv"
            elif c.allowed:
                allowed = ", ".join(c.allowed)
            elif c.min is not None or c.max is not None:
                allowed = f"{_bound(c.min)}–{_bound(c.max)}"
            elif c.ref:
                allowed = f"→ {c.ref}"
            else:
                allowed = ""
            required = "yes" if c.required and not c.nullable else (
                "blank allowed" if c.required else "optional")
            lines.append(f"| `{c.name}` | {c.type} | {c.unit} | {required} | {allowed} | "
                         f"{' / '.join(c.vi)} | {c.description} |")
        lines.append("")
    return "\n".join(lines)


def isin(values: Any, members: Any) -> np.ndarray:
    """``values ∈ members`` as a boolean array, for a column of ids against a set (or array) of
    ids. Both sides are compared as plain Python objects by hashing: pandas 3's Arrow-backed
    string columns build one Arrow scalar per member in ``Series.isin``, which costs more than
    the rest of a projection year on thousands of ids."""
    left = pd.Series(np.asarray(values, dtype=object), dtype=object)
    right = (list(members) if isinstance(members, set | frozenset | dict)
             else np.asarray(members, dtype=object))
    return left.isin(right).to_numpy(dtype=bool)


@contextmanager
def python_strings() -> Iterator[None]:
    """Inside: the ``"string"`` dtype stored as Python objects (pandas' own option, restored on
    leaving). pandas 3 stores it in Arrow arrays by default: fast on big vectorised work, but
    the yearly loop makes tens of thousands of small tables and reads their ids element by
    element, where each Arrow element costs a conversion — a quarter of a projection's time.
    Values, order and missing values are the same in either storage; what leaves the block is
    cast back to the declared dtypes by the caller. (pandas 2 stores Python objects already.)"""
    with pd.option_context("mode.string_storage", "python"):
        yield


def python_backed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its Arrow-stored string columns stored as Python objects: the same values
    and the same missing marker (see :func:`python_strings`)."""
    arrow = {c: d for c, d in frame.dtypes.items()
             if isinstance(d, pd.StringDtype) and d.storage == "pyarrow"}
    if not arrow:
        return frame
    return frame.astype({c: (pd.StringDtype("python") if d.na_value is pd.NA
                             else pd.StringDtype("python", na_value=d.na_value))
                         for c, d in arrow.items()})


def declared(frame: pd.DataFrame, dtypes: dict[str, Any]) -> pd.DataFrame:
    """The columns ``dtypes`` names, in its dtypes, as a frame built afresh: what leaves a
    :func:`python_strings` block (the column labels made inside are stored its way too)."""
    return pd.DataFrame({c: frame[c].astype(t) for c, t in dtypes.items()}, index=frame.index)


def id_set(column: pd.Series) -> set[Any]:
    """``set(column.astype(str))``, read as one NumPy array (iterating a pandas string column
    costs a Python call per element)."""
    return set(column.astype(str).to_numpy(dtype=object))

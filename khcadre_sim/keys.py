"""Every scenario key, declared once.

``scenario_keys.toml`` (beside this module) declares each key a scenario may set — its type,
bounds or choices, unit, meaning and, for uncertainties, a plausible range — the way PyPSA
declares component attributes and EMA Workbench declares parameters. The *defaults* are the values
of ``scenarios/base.toml`` (every declared key is set there; a test keeps the two in step). From
this one table come: the validation of every scenario file (type, finiteness, bounds, choices,
lengths, unknown keys with a "did you mean"), the defaults of every settings class
(:func:`default`), the README's key table (:func:`markdown`) and the ranges of sensitivity
analyses and sweeps (:attr:`Key.range`).

Kinds: ``lever`` (what the province decides), ``uncertainty`` (what nobody controls),
``constant`` (facts and solver settings), ``meta`` (name, description, seed) — from the first
part of the key. Items of a list of tables (the incentive programmes) are declared as
``levers.incentives.programmes[].<field>``.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import difflib
import math
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from .errors import Problem
from .paths import DEFAULT_SCENARIO, PACKAGE

KEYS_FILE = PACKAGE / "scenario_keys.toml"
TYPES = ("float", "int", "bool", "str", "text", "date", "floats", "ints", "strs", "year_counts",
         "programmes", "parameters")
KINDS = {"levers": "lever", "uncertainties": "uncertainty", "constants": "constant",
         "meta": "meta"}
ITEM = "[]."  # marks the fields of an item of a list of tables


@dataclass(frozen=True)
class Key:
    name: str
    type: str
    doc: str
    unit: str = ""
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    choices: tuple[str, ...] = ()
    length: int | None = None
    range: tuple[float, float] | None = None
    optional: bool = False  # may be left out (an item field then takes its item default)
    item_default: Any = None
    source: str = ""  # where the default comes from when it is not the project's choice

    @property
    def kind(self) -> str:
        return KINDS[self.name.split(".", 1)[0]]

    @property
    def is_item(self) -> bool:
        return ITEM in self.name

    def bounds_text(self) -> str:
        """The valid form as a phrase, e.g. 'a number > 0 and ≤ 3'."""
        parts = [f"{sym} {_num(v)}" for sym, v in (("≥", self.ge), (">", self.gt),
                                                     ("≤", self.le), ("<", self.lt))
                 if v is not None]
        noun = {"float": "a number", "int": "a whole number", "bool": "true or false",
                "str": "one of " + ", ".join(f'"{c}"' for c in self.choices),
                "text": "text in quotes", "date": "a date such as 2026-01-01",
                "floats": "a list of numbers", "ints": "a list of whole numbers",
                "strs": "a list of texts" + (" from " + ", ".join(self.choices)
                                              if self.choices else ""),
                "year_counts": "a table of year = whole number",
                "programmes": "[[levers.incentives.programmes]] tables",
                "parameters": "dated parameters"}[self.type]
        if self.length is not None:
            noun += f" (exactly {self.length})"
        if parts:
            noun += (" each" if self.type in ("floats", "ints", "year_counts") else "") + \
                " " + " and ".join(parts)
        return noun


def _num(v: float) -> str:
    return f"{v:,.0f}".replace(",", "_") if float(v).is_integer() and abs(v) >= 10_000 \
        else f"{v:g}"


@cache
def _raw() -> dict[str, Any]:
    return tomllib.loads(KEYS_FILE.read_text(encoding="utf-8"))


@cache
def retired() -> dict[str, str]:
    """Keys that no longer exist → what to write instead."""
    return dict(_raw().get("retired", {}))


@cache
def keys() -> dict[str, Key]:
    """Every declared key by name (items as ``table[].field``)."""
    out = {}
    for name, body in _raw().items():
        if name == "retired":
            continue
        assert body["type"] in TYPES, f"{KEYS_FILE}: bad type for {name}"
        assert name.split(".", 1)[0] in KINDS, f"{KEYS_FILE}: bad kind for {name}"
        rng = body.get("range")
        out[name] = Key(
            name=name, type=body["type"], doc=body.get("doc", ""), unit=body.get("unit", ""),
            ge=body.get("ge"), gt=body.get("gt"), le=body.get("le"), lt=body.get("lt"),
            choices=tuple(body.get("choices", ())), length=body.get("length"),
            range=(float(rng[0]), float(rng[1])) if rng else None,
            optional=bool(body.get("optional", False)), item_default=body.get("default"),
            source=body.get("source", ""))
    return out


@cache
def _base() -> dict[str, Any]:
    return tomllib.loads(DEFAULT_SCENARIO.read_text(encoding="utf-8"))


def lookup(tree: dict[str, Any], name: str, missing: Any = None) -> Any:
    node: Any = tree
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            return missing
        node = node[part]
    return node


_MISSING = object()


def default(name: str) -> Any:
    """The default of a key: its value in the bundled base scenario (or, for an optional field
    of a programme, the item default of the key table)."""
    key = keys()[name]
    if key.is_item:
        return key.item_default
    value = lookup(_base(), name, _MISSING)
    if value is _MISSING:
        raise KeyError(f"{name} is declared in {KEYS_FILE.name} but not set in base.toml")
    return value


def uncertainties() -> dict[str, Key]:
    """Uncertain keys with their plausible range (for sensitivity analyses and sweeps)."""
    return {n: k for n, k in keys().items() if k.kind == "uncertainty" and k.range}


# ------------------------------------------------------------------------------ validation

def _leaves(tree: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted name, value) of every declared leaf; tables that are values themselves
    (year_counts, parameters) stay whole."""
    out = []
    declared = keys()
    for k, v in tree.items():
        name = f"{prefix}.{k}" if prefix else str(k)
        key = declared.get(name)
        if isinstance(v, dict) and (key is None or key.type not in ("year_counts",
                                                                    "parameters")):
            out += _leaves(v, name)
        else:
            out.append((name, v))
    return out


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _value_problem(key: Key, v: Any) -> str | None:
    """Why ``v`` is not a valid value of ``key`` (None when it is)."""
    t = key.type

    def bounded(x: float) -> bool:
        return ((key.ge is None or x >= key.ge) and (key.gt is None or x > key.gt)
                and (key.le is None or x <= key.le) and (key.lt is None or x < key.lt))

    def number(x: Any, whole: bool) -> str | None:
        if whole and not (isinstance(x, int) and not isinstance(x, bool)):
            return "is not a whole number"
        if not _is_number(x):
            return "is not a number"
        if not math.isfinite(x):
            return "is not a finite number"
        return None if bounded(x) else "is out of range"

    if t in ("float", "int"):
        return number(v, t == "int")
    if t == "bool":
        return None if isinstance(v, bool) else "is not true or false"
    if t == "text":
        return None if isinstance(v, str) else "is not text"
    if t == "str":
        if not isinstance(v, str):
            return "is not text"
        return None if not key.choices or v in key.choices else "is not one of the choices"
    if t == "date":
        return None if isinstance(v, dt.date) and not isinstance(v, dt.datetime) else \
            "is not a date"
    if t in ("floats", "ints", "strs"):
        if not isinstance(v, list):
            return "is not a list"
        if key.length is not None and len(v) != key.length:
            return f"has {len(v)} elements, not {key.length}"
        for x in v:
            if t == "strs":
                if not isinstance(x, str) or (key.choices and x not in key.choices):
                    return f"holds {x!r}, not one of the choices"
            else:
                why = number(x, t == "ints")
                if why:
                    return f"holds {x!r}, which {why}"
        return None
    if t == "year_counts":
        if not isinstance(v, dict):
            return "is not a table of year = count"
        for year, x in v.items():
            if not str(year).isdigit():
                return f"has '{year}', which is not a year"
            why = number(x, True)
            if why:
                return f"holds {year} = {x!r}, which {why}"
        return None
    if t == "programmes":
        return None if isinstance(v, list) and all(isinstance(x, dict) for x in v) else \
            "is not a list of [[levers.incentives.programmes]] tables"
    return None  # parameters: checked by khcadre_sim.params


def _unknown(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    if close:
        return f"did you mean {close[0]}?"
    siblings = sorted(k.rpartition(".")[2] for k in known
                      if k.rpartition(".")[0] == name.rpartition(".")[0])
    return "use one of: " + ", ".join(siblings) if siblings else \
        "see the scenario keys in the README"


def check(tree: dict[str, Any], origin) -> list[Problem]:  # noqa: ANN001 - origin(key) -> file
    """Every problem of a merged scenario tree against the key table, one per key."""
    declared = keys()
    names = [n for n in declared if not declared[n].is_item]
    problems: list[Problem] = []

    def add(name: str, message: str, fix: str) -> None:
        problems.append(Problem(file=origin(name), column=name, message=message, fix=fix))

    for name, value in _leaves(tree):
        key = declared.get(name)
        if key is None:
            if any(k.startswith(name + ".") for k in names):
                add(name, f"expected a table, got {value!r}", "write it as a [section]")
            elif name in retired() or name.rpartition(".")[0] in retired():
                add(name, "this key no longer exists",
                    retired().get(name) or retired()[name.rpartition(".")[0]])
            else:
                add(name, "unknown key", _unknown(name, names))
            continue
        why = _value_problem(key, value)
        if why:
            example = _toml(default(name)) if key.type not in ("programmes",
                                                              "parameters") else None
            add(name, f"{value!r} {why}", f"write {key.bounds_text()}"
                + (f" ({key.unit})" if key.unit else "")
                + (f", e.g. {name.rpartition('.')[2]} = {example}" if example else ""))
        elif key.type == "programmes":
            for i, item in enumerate(value):
                problems += _check_item(name, i, item, origin)
    for name in names:
        if not declared[name].optional and lookup(tree, name, _MISSING) is _MISSING:
            add(name, "missing", f"add {name.rpartition('.')[2]} = … ({declared[name].doc})")
    return problems


def _check_item(table: str, i: int, item: dict[str, Any], origin) -> list[Problem]:  # noqa: ANN001
    declared = keys()
    fields = {n.split(ITEM, 1)[1]: k for n, k in declared.items() if n.startswith(table + ITEM)}
    problems = []
    where = f"{table}[{i}]"
    if not isinstance(item, dict):
        return [Problem(file=origin(table), column=where, message="is not a table",
                        fix=f"write it as [[{table}]] with its keys")]
    for field, key in fields.items():
        if not key.optional and field not in item:
            problems.append(Problem(file=origin(table), column=f"{where}.{field}",
                                    message="missing", fix=f"add {field} = … ({key.doc})"))
    for field, value in item.items():
        key = fields.get(field)
        if key is None:
            hint = retired().get(f"{table}{ITEM}{field}")
            problems.append(Problem(file=origin(table), column=f"{where}.{field}",
                                    message="this key no longer exists" if hint
                                    else "unknown programme key",
                                    fix=hint or _unknown(field, sorted(fields))))
            continue
        why = _value_problem(key, value)
        if why:
            problems.append(Problem(file=origin(table), column=f"{where}.{field}",
                                    message=f"{value!r} {why}",
                                    fix=f"write {key.bounds_text()}"))
    return problems


# ---------------------------------------------------------------------------------- settings

def setting(name: str) -> Any:
    """A dataclass field whose default is the key's default (lists copied, never shared)::

        @dataclass(frozen=True)
        class WorkloadSettings:
            target_load: float = setting("levers.workload.target_load")
    """
    value = default(name)
    if isinstance(value, list | dict):
        return dataclasses.field(default_factory=lambda: copy.deepcopy(value))
    return dataclasses.field(default=value)


def build(cls: type, scenario: Any, capability: str, **extra: Any) -> Any:
    """``cls`` (a settings dataclass) filled from a scenario's sections of ``capability``.

    Field names are the TOML names: a field ``target_load`` is read from whichever of
    ``levers.<capability>.target_load``, ``uncertainties.…`` or ``constants.…`` declares it; a
    field whose type is itself a dataclass reads the sub-table of the same name
    (``move_caps.total``). ``extra`` sets fields that are not scenario keys (e.g. the seed).
    """
    return _build(cls, scenario, capability, "", extra)


def _build(cls: type, scenario: Any, capability: str, path: str, extra: dict) -> Any:
    import typing

    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.name in extra and not path:
            values[f.name] = extra[f.name]
            continue
        sub = f"{path}.{f.name}" if path else f.name
        kind = hints.get(f.name)
        if dataclasses.is_dataclass(kind):
            values[f.name] = _build(kind, scenario, capability, sub, {})
            continue
        names = [f"{section}.{capability}.{sub}"
                 for section in ("levers", "uncertainties", "constants")]
        found = [n for n in names if n in keys()]
        if len(found) != 1:
            raise KeyError(f"{cls.__name__}.{f.name}: {len(found)} scenario keys named {sub} "
                           f"for {capability} (declare exactly one in {KEYS_FILE.name})")
        values[f.name] = copy.deepcopy(scenario.get(found[0]))
    return cls(**values)


# ------------------------------------------------------------------------------------ docs

def markdown() -> str:
    """The key table as Markdown (README; a test keeps it in sync)."""
    lines = ["| key | kind | type | default | valid values | unit | meaning |",
             "|---|---|---|---|---|---|---|"]
    for name, key in keys().items():
        if key.type in ("programmes", "parameters") or name.startswith("meta."):
            shown = "see base.toml" if key.type == "programmes" else ""
        else:
            shown = _show(key.item_default if key.is_item else default(name))
        valid = key.bounds_text()
        if key.range:
            valid += f"; plausible {key.range[0]:g}–{key.range[1]:g}"
        lines.append(f"| `{name}` | {key.kind} | {key.type} | {shown} | {valid} | {key.unit} "
                     f"| {key.doc.replace('|', '/')} |")
    return "\n".join(lines)


def _toml(v: Any) -> str | None:
    """A value as it is written in TOML (None for values not shown inline)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"' if len(v) <= 40 else None
    if isinstance(v, list):
        parts = [_toml(x) for x in v]
        return None if None in parts else "[" + ", ".join(parts) + "]"  # type: ignore[arg-type]
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, int | dt.date):
        return str(v)
    return None


def _show(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"' if len(v) <= 40 else "(text)"
    if isinstance(v, list):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_show(x)}" for k, x in v.items()) + " }"
    if isinstance(v, float):
        return f"{v:g}"
    return _num(v) if isinstance(v, int) else str(v)


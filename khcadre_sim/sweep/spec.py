"""A sweep specification: which scenario keys vary, over which ranges, by which design.

A sweep file is TOML::

    capability = "incentives"      # any capability of khcadre_sim.REGISTRY (or a registered model)
    design = "lhs"                 # grid | lhs | sobol
    samples = 64                   # lhs: points; sobol: base N (N × (D + 2) points); grid: unused
    seeds = 2                      # replications: seeds base, base + 1, … (the CLI's --seeds wins)
    seed = 2026                    # sampler's seed and first experiment seed (default: scenario's)
    outcomes = []                  # outcomes to keep (empty: all the model reports)

    [options]                      # keyword options of the capability's run, e.g.
    draws = 200
    curves = false

    [factors."uncertainties.incentives.acceptance_recruit"]   # range from the key table
    [factors."levers.incentives.commune_cap_share"]
    range = [0.05, 0.20]
    levels = 3                     # grid only (default 3)
    [factors."levers.incentives.programmes[recruit_new_work].monthly"]
    range = [1.0, 4.0]
    [factors."levers.placement.require_field_match"]
    values = [true, false]

A factor is any declared scenario key (levers and uncertainties; constants too). Its range comes
from the sweep file, else from the key table's plausible ``range`` (uncertainties); a key of a
programme is named by the programme's id or position: ``programmes[recruit_new_work].monthly``.
Every problem is a :class:`~khcadre_sim.errors.Problem` naming the file and the key.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem, ScenarioError
from ..keys import ITEM, keys

DESIGNS = ("grid", "lhs", "sobol")
_ITEM_KEY = re.compile(r"^(?P<table>[\w.]+)\[(?P<item>[^\]]+)\]\.(?P<field>\w+)$")
_TOP = {"capability", "design", "samples", "seeds", "seed", "outcomes", "options", "factors"}


@dataclass(frozen=True)
class Factor:
    """One varied key: a continuous range (float, int) or a list of values (any type)."""

    name: str
    type: str  # float | int | bool | str
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] = ()
    levels: int = 3

    @property
    def categorical(self) -> bool:
        return bool(self.values)

    def scale(self, u: float) -> Any:
        """The value at ``u`` in [0, 1] of the unit cube."""
        if self.values:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        assert self.low is not None and self.high is not None
        if self.type == "int":
            width = int(self.high) - int(self.low) + 1
            return int(self.low) + min(int(u * width), width - 1)
        return float(self.low + u * (self.high - self.low))

    def grid(self) -> list[Any]:
        if self.values:
            return list(self.values)
        assert self.low is not None and self.high is not None
        if self.type == "int":
            n = min(self.levels, int(self.high) - int(self.low) + 1)
            return sorted({int(round(self.low + i * (self.high - self.low) / max(n - 1, 1)))
                           for i in range(n)})
        if self.levels == 1:
            return [float(self.low)]
        step = (self.high - self.low) / (self.levels - 1)
        return [float(self.low + i * step) for i in range(self.levels)]


@dataclass(frozen=True)
class SweepSpec:
    capability: str
    factors: tuple[Factor, ...]
    design: str = "lhs"
    samples: int = 16
    seeds: int = 1
    seed: int | None = None
    outcomes: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    source: str = "sweep"

    def with_seeds(self, seeds: int | None) -> SweepSpec:
        if seeds is None:
            return self
        return SweepSpec(self.capability, self.factors, self.design, self.samples, seeds,
                         self.seed, self.outcomes, dict(self.options), self.source)

    def to_dict(self) -> dict[str, Any]:
        return {"capability": self.capability, "design": self.design, "samples": self.samples,
                "seeds": self.seeds, "seed": self.seed, "outcomes": list(self.outcomes),
                "options": self.options,
                "factors": {f.name: {"type": f.type, "low": f.low, "high": f.high,
                                     "values": list(f.values), "levels": f.levels}
                            for f in self.factors}}

    def fingerprint(self) -> str:
        """Stable hash of what determines the experiments (not the file's path)."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------------------ key helpers

def declared(name: str) -> str | None:
    """The key-table name of a factor (programme fields as ``table[].field``), or None."""
    m = _ITEM_KEY.match(name)
    table_name = f"{m['table']}{ITEM}{m['field']}" if m else name
    return table_name if table_name in keys() else None


def overrides(scenario: Any, values: dict[str, Any], seed: int | None = None) -> dict[str, Any]:
    """Dotted-key overrides for :meth:`Scenario.with_overrides` (a programme's field replaces
    the whole list of programmes, with that one field changed)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        m = _ITEM_KEY.match(name)
        if not m:
            out[name] = value
            continue
        table = m["table"]
        items = out.get(table)
        if items is None:
            items = copy.deepcopy(scenario.get(table) or [])
        items[_item_index(items, m["item"], name)][m["field"]] = value
        out[table] = items
    if seed is not None:
        out["meta.seed"] = int(seed)
    return out


def _item_index(items: list[dict], item: str, name: str) -> int:
    if item.isdigit() and int(item) < len(items):
        return int(item)
    for i, it in enumerate(items):
        if it.get("id") == item:
            return i
    known = ", ".join(str(it.get("id")) for it in items)
    raise KeyError(f"{name}: no item '{item}' (known: {known}, or a position from 0)")


# ------------------------------------------------------------------------------ parsing

def _problem(source: str, column: str, message: str, fix: str) -> Problem:
    return Problem(file=source, column=column, message=message, fix=fix)


def _factor(name: str, body: Any, source: str) -> tuple[Factor | None, list[Problem]]:
    col = f"factors.{name}"
    if not isinstance(body, dict):
        return None, [_problem(source, col, "is not a table",
                               f'write [factors."{name}"] with range = [low, high] or values')]
    key_name = declared(name)
    if key_name is None:
        return None, [_problem(source, col, "is not a declared scenario key",
                               "use a key of `khcadre keys` (programme fields as "
                               "levers.incentives.programmes[<id>].<field>)")]
    key = keys()[key_name]
    unknown = set(body) - {"range", "values", "levels"}
    if unknown:
        return None, [_problem(source, col, f"unknown setting(s) {sorted(unknown)}",
                               "use range, values or levels")]
    levels = body.get("levels", 3)
    if not isinstance(levels, int) or isinstance(levels, bool) or levels < 1:
        return None, [_problem(source, f"{col}.levels", f"{levels!r} is not a whole number ≥ 1",
                               "write levels = 3")]
    if "values" in body:
        values = body["values"]
        if not isinstance(values, list) or not values:
            return None, [_problem(source, f"{col}.values", "is not a non-empty list",
                                   "write values = [a, b, …]")]
        return Factor(name, key.type, values=tuple(values), levels=levels), []
    if key.type in ("bool",):
        return Factor(name, key.type, values=(False, True), levels=levels), []
    if key.type == "str" and key.choices:
        return Factor(name, key.type, values=key.choices, levels=levels), []
    if key.type not in ("float", "int"):
        return None, [_problem(source, col, f"a key of type {key.type} cannot be swept by range",
                               "give values = [...] to try, or sweep a number key")]
    rng = body.get("range", key.range)
    if rng is None:
        return None, [_problem(source, col, "has no range (the key table declares none)",
                               "write range = [low, high]")]
    ok = (isinstance(rng, list | tuple) and len(rng) == 2
          and all(isinstance(x, int | float) and not isinstance(x, bool) for x in rng)
          and rng[0] <= rng[1])
    if not ok:
        return None, [_problem(source, f"{col}.range", f"{rng!r} is not [low, high] with "
                               "low ≤ high", "write range = [0.5, 0.9]")]
    return Factor(name, key.type, low=float(rng[0]), high=float(rng[1]), levels=levels), []


def parse_spec(raw: dict[str, Any], source: str = "sweep") -> SweepSpec:
    """A :class:`SweepSpec` from a parsed TOML table; every problem at once."""
    problems: list[Problem] = []
    for k in sorted(set(raw) - _TOP):
        problems.append(_problem(source, k, "unknown key",
                                 f"use one of: {', '.join(sorted(_TOP))}"))
    capability = raw.get("capability")
    if not isinstance(capability, str) or not capability:
        problems.append(_problem(source, "capability", "missing or not text",
                                 'write capability = "incentives"'))
    design = raw.get("design", "lhs")
    if design not in DESIGNS:
        problems.append(_problem(source, "design", f"{design!r} is not a design",
                                 f"use one of: {', '.join(DESIGNS)}"))
    ints = {}
    for name, default, low in (("samples", 16, 1), ("seeds", 1, 1), ("seed", None, 0)):
        v = raw.get(name, default)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < low):
            problems.append(_problem(source, name, f"{v!r} is not a whole number ≥ {low}",
                                     f"write {name} = {default if default is not None else 0}"))
        ints[name] = v
    factors_raw = raw.get("factors", {})
    factors = []
    if not isinstance(factors_raw, dict) or not factors_raw:
        problems.append(_problem(source, "factors", "no factors",
                                 'add [factors."uncertainties.incentives.acceptance_recruit"]'))
    else:
        for name, body in factors_raw.items():
            f, errs = _factor(name, body, source)
            problems += errs
            if f is not None:
                factors.append(f)
    outcomes = raw.get("outcomes", [])
    options = raw.get("options", {})
    if not isinstance(outcomes, list) or not all(isinstance(o, str) for o in outcomes):
        problems.append(_problem(source, "outcomes", "is not a list of names",
                                 'write outcomes = ["p95_net_max_bn"]'))
    if not isinstance(options, dict):
        problems.append(_problem(source, "options", "is not a table", "write [options]"))
    if problems:
        raise ScenarioError(problems)
    return SweepSpec(capability=str(capability), factors=tuple(factors), design=str(design),
                     samples=int(ints["samples"]), seeds=int(ints["seeds"]), seed=ints["seed"],
                     outcomes=tuple(outcomes), options=dict(options), source=source)


def load_spec(path: str | Path) -> SweepSpec:
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(_problem(str(path), "", "sweep file not found",
                                     "give the path of a .toml sweep file"))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(_problem(str(path), "", f"not valid UTF-8 TOML: {exc}",
                                     "check quotes, brackets and commas")) from None
    return parse_spec(raw, str(path))


def check_against(spec: SweepSpec, scenario: Any) -> None:
    """Every factor's ends (and each listed value) must make a valid scenario: a range outside
    a key's bounds is reported before any work, naming the sweep file."""
    problems: list[Problem] = []
    for f in spec.factors:
        trial = list(f.values) if f.values else [f.scale(0.0), f.scale(1.0)]
        for value in trial:
            try:
                scenario.with_overrides(overrides(scenario, {f.name: value}), source=spec.source)
            except ScenarioError as exc:
                for p in exc.problems:
                    problems.append(_problem(spec.source, f"factors.{f.name}",
                                             f"value {value!r}: {p.message}", p.fix))
                break
            except KeyError as exc:
                problems.append(_problem(spec.source, f"factors.{f.name}", str(exc.args[0]),
                                         "name an item by its id or position"))
                break
    if problems:
        raise ScenarioError(problems)

"""Scenario files: a base TOML plus overrides, merged and validated into one :class:`Scenario`.

Levers (what the province decides), uncertainties (what nobody controls) and constants (facts)
are kept apart, as in exploratory modelling. An override names its parent with
``extends = "base.toml"`` (without it, the bundled base is the parent) and may only set keys
that the base declares, with values of the same
type — so a typo is an error naming the file, the key and the valid form, not a silent no-op.
"""

from __future__ import annotations

import copy
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem, ScenarioError
from .params import Parameters, load_parameters, parse_parameters
from .paths import DEFAULT_SCENARIO, POLICY_PARAMETERS

SECTIONS = ("meta", "levers", "uncertainties", "constants")
# Free-form tables whose keys are not fixed by the base (they hold user-named items).
OPEN_TABLES = ("constants.parameters",)


@dataclass
class Scenario:
    name: str
    description: str
    seed: int
    levers: dict[str, Any]
    uncertainties: dict[str, Any]
    constants: dict[str, Any]
    params: Parameters
    files: list[str] = field(default_factory=list)
    _origin: dict[str, str] = field(default_factory=dict, repr=False)

    def origin(self, dotted_key: str) -> str:
        """The file that set ``dotted_key`` (or its nearest parent table)."""
        key = dotted_key
        while key:
            if key in self._origin:
                return self._origin[key]
            key = key.rpartition(".")[0]
        return self.files[0] if self.files else "scenario"

    def get(self, dotted_key: str, default: Any = None) -> Any:
        node: Any = {"levers": self.levers, "uncertainties": self.uncertainties,
                     "constants": self.constants}
        for part in dotted_key.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def to_dict(self) -> dict[str, Any]:
        return {"meta": {"name": self.name, "description": self.description, "seed": self.seed},
                "levers": self.levers, "uncertainties": self.uncertainties,
                "constants": self.constants, "files": self.files}


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ScenarioError(Problem(file=str(path), message="scenario file not found",
                                    fix="give the path of a .toml file, e.g. scenarios/base.toml"))
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(Problem(file=str(path), message=f"not valid TOML: {exc}",
                                    fix="check quotes, brackets, commas and dates")) from None
    except UnicodeDecodeError:
        raise ScenarioError(Problem(file=str(path), message="not UTF-8 text",
                                    fix="save the file as UTF-8")) from None


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a quoted string"
    if isinstance(value, list):
        return "a list [...]"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _same_kind(base: Any, new: Any) -> bool:
    if isinstance(base, bool) or isinstance(new, bool):
        return isinstance(base, bool) and isinstance(new, bool)
    if isinstance(base, int):  # a count, a year, a seed: a whole number
        return isinstance(new, int)
    if isinstance(base, float):
        return isinstance(new, int | float)
    return type(base) is type(new) or (base is None)


def _merge(base: dict, override: dict, file: str, prefix: str, origin: dict[str, str]) -> None:
    """Merge ``override`` into ``base`` in place, rejecting unknown keys and wrong types."""
    for key, value in override.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if prefix in OPEN_TABLES or (dotted in OPEN_TABLES and key not in base):
            base[key] = copy.deepcopy(value)
            origin[dotted] = file
            continue
        if key not in base:
            valid = ", ".join(sorted(base)) or "(none)"
            raise ScenarioError(Problem(file=file, column=dotted, message="unknown key",
                                        fix=f"use one of: {valid}"))
        if isinstance(base[key], dict) and isinstance(value, dict):
            _merge(base[key], value, file, dotted, origin)
            continue
        if not _same_kind(base[key], value):
            raise ScenarioError(Problem(
                file=file, column=dotted,
                message=f"expected {_type_name(base[key])}, got {_type_name(value)} ({value!r})",
                fix=f"write {_type_name(base[key])}, e.g. {dotted.rpartition('.')[2]} = "
                    f"{_toml_repr(base[key])}"))
        base[key] = copy.deepcopy(value)
        origin[dotted] = file


def _toml_repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "{ … }"
    return repr(value)


def _mark_origin(tree: dict, file: str, prefix: str, origin: dict[str, str]) -> None:
    for key, value in tree.items():
        dotted = f"{prefix}.{key}" if prefix else key
        origin[dotted] = file
        if isinstance(value, dict):
            _mark_origin(value, file, dotted, origin)


def _resolve_chain(path: Path, seen: tuple[Path, ...] = ()) -> list[tuple[Path, dict]]:
    path = path.resolve()
    if path in seen:
        raise ScenarioError(Problem(file=str(path), column="extends",
                                    message="scenarios extend each other in a loop",
                                    fix="make the chain end at base.toml"))
    raw = _read_toml(path)
    parent = raw.pop("extends", None)
    if parent is None:
        if path == DEFAULT_SCENARIO.resolve():
            return [(path, raw)]
        # a file without 'extends' overrides the bundled base: planners write only what changes
        return [*_resolve_chain(DEFAULT_SCENARIO, (*seen, path)), (path, raw)]
    if not isinstance(parent, str):
        raise ScenarioError(Problem(file=str(path), column="extends", message="not a string",
                                    fix='write extends = "base.toml"'))
    return [*_resolve_chain(path.parent / parent, (*seen, path)), (path, raw)]


def load_scenario(path: str | Path | None = None) -> Scenario:
    """Load a scenario file (default: the bundled base), applying its ``extends`` chain."""
    chain = _resolve_chain(Path(path) if path is not None else DEFAULT_SCENARIO)
    base_path, merged = chain[0]
    origin: dict[str, str] = {}
    for key in merged:
        if key not in SECTIONS:
            raise ScenarioError(Problem(file=str(base_path), column=key, message="unknown section",
                                        fix=f"use one of: {', '.join(SECTIONS)}"))
    merged = copy.deepcopy(merged)
    _mark_origin(merged, str(base_path), "", origin)
    for file_path, raw in chain[1:]:
        _merge(merged, raw, str(file_path), "", origin)

    _check_finite(merged, "", origin, str(base_path))
    meta = merged.get("meta", {})
    seed = meta.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ScenarioError(Problem(file=origin.get("meta.seed", str(base_path)),
                                    column="meta.seed", message=f"'{seed}' is not a seed",
                                    fix="write a non-negative integer, e.g. seed = 2026"))
    constants = merged.get("constants", {})
    params = load_parameters(POLICY_PARAMETERS)
    overrides = constants.get("parameters", {})
    if overrides:
        for name in overrides:
            params.get(name)  # only known parameters may be overridden
        params = params.with_overrides(
            parse_parameters(overrides, origin.get("constants.parameters", str(base_path)),
                             bounds_from=params))
    scenario = Scenario(
        name=str(meta.get("name", Path(chain[-1][0]).stem)),
        description=str(meta.get("description", "")),
        seed=seed,
        levers=merged.get("levers", {}),
        uncertainties=merged.get("uncertainties", {}),
        constants=constants,
        params=params,
        files=[str(p) for p, _ in chain],
        _origin=origin,
    )
    _check_ranges(scenario)
    return scenario


def _check_finite(tree: Any, prefix: str, origin: dict[str, str], default_file: str) -> None:
    """NaN and ±inf are valid TOML but never a valid scenario value: reject them anywhere."""
    problems: list[Problem] = []

    def walk(node: Any, key: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{key}.{k}" if key else str(k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{key}[{i}]")
        elif isinstance(node, float) and not math.isfinite(node):
            owner = key.partition("[")[0]
            while owner and owner not in origin:
                owner = owner.rpartition(".")[0]
            problems.append(Problem(file=origin.get(owner, default_file), column=key,
                                    message=f"'{node}' is not a finite number",
                                    fix="write an ordinary number (nan and inf are not allowed)"))

    walk(tree, prefix)
    if problems:
        raise ScenarioError(problems)


def _check_ranges(scenario: Scenario) -> None:
    """Range checks for the foundation's own keys; each capability validates its own section."""
    problems: list[Problem] = []

    def need(key: str, ok: bool, fix: str) -> None:
        if not ok:
            problems.append(Problem(file=scenario.origin(key), column=key,
                                    message=f"value {scenario.get(key)!r} is out of range",
                                    fix=fix))

    review = scenario.levers.get("review", {})
    need("levers.review.priority_uplift_development",
         0 <= review.get("priority_uplift_development", 0) <= 50, "use 0–50 points")
    need("levers.review.major_gap_points", 0 < review.get("major_gap_points", 1) <= 100,
         "use a number of points in (0, 100]")
    req = review.get("unplaced_requirement")
    need("levers.review.unplaced_requirement",
         isinstance(req, list) and len(req) == 3
         and all(isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 100
                 for v in req),
         "write three minimum scores (political, execution, development) in 0–100, "
         "e.g. [60.0, 55.0, 50.0]")
    for cls, weights in review.get("group_weights", {}).items():
        key = f"levers.review.group_weights.{cls}"
        ok = (isinstance(weights, list) and len(weights) == 3
              and all(isinstance(w, int | float) and w >= 0 for w in weights)
              and abs(sum(weights) - 1) < 1e-6)
        need(key, ok, "write three non-negative weights summing to 1, e.g. [0.35, 0.35, 0.30]")
    year = scenario.constants.get("reference_year", 2026)
    need("constants.reference_year", 2026 <= year <= 2030, "use a year in 2026–2030")
    if problems:
        raise ScenarioError(problems)

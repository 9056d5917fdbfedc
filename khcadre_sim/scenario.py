"""Scenario files: a base TOML plus overrides, merged and validated into one :class:`Scenario`.

Levers (what the province decides), uncertainties (what nobody controls) and constants (facts)
are kept apart, as in exploratory modelling. An override names its parent with
``extends = "base.toml"`` (without it, the bundled base is the parent) and may only set keys
that the base declares, with values of the same
type — so a typo is an error naming the file, the key and the valid form, not a silent no-op.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem, ScenarioError
from .keys import check as check_keys
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
    _tree: dict[str, Any] = field(default_factory=dict, repr=False)

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

    def with_overrides(self, overrides: dict[str, Any], source: str = "overrides") -> Scenario:
        """A new scenario with some keys changed, validated exactly like a file.

        ``overrides`` maps dotted keys to values, e.g.
        ``{"levers.workload.max_changed_per_commune": 3, "meta.seed": 7}``; a value may be a
        table, which is merged as a file's table would be. Problems name ``source``.
        """
        tree = copy.deepcopy(self._tree)
        origin = dict(self._origin)
        for dotted, value in overrides.items():
            nested: Any = value
            for part in reversed(str(dotted).split(".")):
                nested = {part: nested}
            _merge(tree, nested, source, "", origin)
        return _build(tree, origin, [*self.files, source], default_name=self.name)

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


def _merge(base: dict, override: dict, file: str, prefix: str, origin: dict[str, str]) -> None:
    """Merge ``override`` into ``base`` in place, recording which file set each key. Tables merge
    key by key; any other value replaces the parent's. Whether a key exists and holds a valid value
    is checked afterwards against the key table (:mod:`khcadre_sim.keys`)."""
    for key, value in override.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if isinstance(base.get(key), dict) and isinstance(value, dict) and (
                dotted not in OPEN_TABLES):
            _merge(base[key], value, file, dotted, origin)
            continue
        if dotted in OPEN_TABLES and isinstance(base.get(key), dict) and isinstance(value, dict):
            base[key].update(copy.deepcopy(value))
        else:
            base[key] = copy.deepcopy(value)
        _mark_origin({key: value}, file, prefix, origin)


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
    base_path, tree = chain[0]
    origin: dict[str, str] = {}
    tree = copy.deepcopy(tree)
    _mark_origin(tree, str(base_path), "", origin)
    for file_path, raw in chain[1:]:
        _merge(tree, raw, str(file_path), "", origin)
    return _build(tree, origin, [str(p) for p, _ in chain],
                  default_name=Path(chain[-1][0]).stem)


def _build(tree: dict[str, Any], origin: dict[str, str], files: list[str],
           default_name: str) -> Scenario:
    """Validate a merged tree against the key table and make it a :class:`Scenario`."""
    first = files[0] if files else "scenario"

    def where(key: str) -> str:
        while key:
            if key in origin:
                return origin[key]
            key = key.rpartition(".")[0]
        return first

    problems = check_keys(tree, where)
    if problems:
        raise ScenarioError(problems)
    meta = tree.get("meta", {})
    constants = tree.get("constants", {})
    params = load_parameters(POLICY_PARAMETERS)
    overrides = constants.get("parameters", {})
    if overrides:
        for name in overrides:
            params.get(name)  # only known parameters may be overridden
        params = params.with_overrides(
            parse_parameters(overrides, where("constants.parameters"), bounds_from=params))
    scenario = Scenario(
        name=str(meta.get("name", default_name)),
        description=str(meta.get("description", "")),
        seed=int(meta.get("seed", 0)),
        levers=tree.get("levers", {}),
        uncertainties=tree.get("uncertainties", {}),
        constants=constants,
        params=params,
        files=files,
        _origin=origin,
        _tree=tree,
    )
    _check_relations(scenario)
    return scenario


def _check_relations(scenario: Scenario) -> None:
    """Rules between keys (each key's own type and range is checked by the key table)."""
    problems: list[Problem] = []
    for cls, weights in scenario.levers["review"]["group_weights"].items():
        if abs(sum(weights) - 1) > 1e-6:
            key = f"levers.review.group_weights.{cls}"
            problems.append(Problem(file=scenario.origin(key), column=key,
                                    message=f"weights {weights} add up to {sum(weights):g}, not 1",
                                    fix="write three weights summing to 1, e.g. "
                                        "[0.35, 0.35, 0.30]"))
    if problems:
        raise ScenarioError(problems)

"""Dated policy parameters (OpenFisca-style): each value applies from a date and cites a source."""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, ScenarioError


@dataclass(frozen=True)
class DatedValue:
    start: dt.date
    value: float
    source: str
    assumption: bool = False


@dataclass(frozen=True)
class Parameter:
    name: str
    unit: str
    description: str
    values: tuple[DatedValue, ...]  # sorted by start
    min: float = 0.0  # every value must lie in [min, max]; policy figures are not negative
    max: float = math.inf

    def at(self, on: dt.date) -> DatedValue:
        applicable = [v for v in self.values if v.start <= on]
        if not applicable:
            raise ScenarioError(
                Problem(
                    file="policy parameters",
                    column=self.name,
                    message=f"no value applies on {on.isoformat()} (first from "
                    f"{self.values[0].start.isoformat()})",
                    fix="add a value with an earlier 'from' date",
                )
            )
        return applicable[-1]


class Parameters:
    """A set of dated parameters, looked up by name and date."""

    def __init__(self, parameters: dict[str, Parameter]):
        self._parameters = dict(parameters)

    def __contains__(self, name: str) -> bool:
        return name in self._parameters

    def __iter__(self):
        return iter(self._parameters.values())

    def get(self, name: str) -> Parameter:
        try:
            return self._parameters[name]
        except KeyError:
            known = ", ".join(sorted(self._parameters))
            raise ScenarioError(
                Problem(file="policy parameters", column=name, message="unknown parameter",
                        fix=f"use one of: {known}")
            ) from None

    def value(self, name: str, on: dt.date) -> float:
        return self.get(name).at(on).value

    def with_overrides(self, overrides: dict[str, Parameter]) -> Parameters:
        return Parameters({**self._parameters, **overrides})

    def table(self) -> list[dict]:
        """Every dated value as a row (for reports)."""
        return [
            {"parameter": p.name, "from": v.start.isoformat(), "value": v.value, "unit": p.unit,
             "source": v.source, "assumption": v.assumption, "description": p.description}
            for p in self for v in p.values
        ]


def parse_parameters(raw: dict, file: str,
                     bounds_from: Parameters | None = None) -> dict[str, Parameter]:
    """Parse `{name: {unit, description, min, max, values=[{from, value, source}]}}`, naming the
    bad key. Values must be finite numbers within [min, max] (default [0, ∞)); an override keeps
    the unit, description and bounds of the parameter it overrides (``bounds_from``)."""
    parsed: dict[str, Parameter] = {}
    valid_form = ("values = [ { from = 2026-07-01, value = 2530000, source = \"Decree …\" } ]")
    for name, body in raw.items():
        if not isinstance(body, dict) or not isinstance(body.get("values"), list) or not body[
            "values"
        ]:
            raise ScenarioError(Problem(file=file, column=name, message="a parameter needs a "
                                        "non-empty 'values' list", fix=f"write {valid_form}"))
        known = bounds_from.get(name) if bounds_from is not None else None
        lo = known.min if known else body.get("min", 0.0)
        hi = known.max if known else body.get("max", math.inf)
        for key, bound in (("min", lo), ("max", hi)):
            if isinstance(bound, bool) or not isinstance(bound, int | float) or math.isnan(bound):
                raise ScenarioError(Problem(file=file, column=f"{name}.{key}",
                                            message=f"'{bound}' is not a number",
                                            fix=f"write {key} = 0"))
        values = []
        for i, item in enumerate(body["values"]):
            key = f"{name}.values[{i}]"
            if not isinstance(item, dict):
                raise ScenarioError(Problem(file=file, column=key, message="not a table",
                                            fix=f"write {valid_form}"))
            start, value, source = item.get("from"), item.get("value"), item.get("source")
            if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
                raise ScenarioError(Problem(file=file, column=key + ".from",
                                            message=f"'{start}' is not a date",
                                            fix="write a bare TOML date such as 2026-07-01"))
            if isinstance(value, bool) or not isinstance(value, int | float) or not (
                    math.isfinite(value)):
                raise ScenarioError(Problem(file=file, column=key + ".value",
                                            message=f"'{value}' is not a number",
                                            fix="write a number such as 2530000"))
            if not lo <= value <= hi:
                allowed = f"≥ {lo:g}" if math.isinf(hi) else f"between {lo:g} and {hi:g}"
                raise ScenarioError(Problem(file=file, column=key + ".value",
                                            message=f"{value:g} is out of range for {name}",
                                            fix=f"write a value {allowed}"))
            if not isinstance(source, str) or not source.strip():
                raise ScenarioError(Problem(file=file, column=key + ".source",
                                            message="every policy figure needs its source",
                                            fix='add source = "Decree …/NĐ-CP"'))
            values.append(DatedValue(start, float(value), source, bool(item.get("assumption"))))
        values.sort(key=lambda v: v.start)
        parsed[name] = Parameter(
            name, known.unit if known else str(body.get("unit", "")),
            known.description if known else str(body.get("description", "")), tuple(values),
            float(lo), float(hi))
    return parsed


def load_parameters(path: Path) -> Parameters:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(Problem(file=str(path), message=f"not valid TOML ({exc})",
                                    fix="check quotes, brackets and dates")) from None
    return Parameters(parse_parameters(raw, str(path)))

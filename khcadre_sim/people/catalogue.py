"""The training catalogue (``data/training/catalogue.csv``): reading and validation.

The only module of :mod:`khcadre_sim.people` that reads a file. Every problem — a missing
column, a bad value, a duplicate course, an unknown field — is collected with its file, row (as a
spreadsheet shows it: the header is row 1) and column, and raised together as one
:class:`~khcadre_sim.errors.DataValidationError`. Columns and their sources:
``data/training/SOURCES.md``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataValidationError, Problem
from ..io import load_fields
from ..paths import DATA
from ..ratings import TITLE_GROUPS
from ..review.api import GROUPS

CATALOGUE = DATA / "training" / "catalogue.csv"
KINDS = ("title", "problem", "job_position")  # theo chức danh / theo vấn đề / theo vị trí việc làm
AREA_CLASSES = ("urban", "rural", "mountain", "island")
COLUMNS = {
    "course_id": "string", "name_vi": "string", "name_en": "string", "kind": "string",
    "audience": "string", "area_class": "string", "field": "string", "group": "string",
    "digital": "bool", "days": "int64", "cost_per_trainee_vnd": "float64",
    "capacity_per_year": "int64", "expected_gain_points": "float64", "assumption": "string",
    "source": "string"}
_CHOICES = {"kind": KINDS, "audience": ("all", *TITLE_GROUPS),
            "area_class": ("all", *AREA_CLASSES), "group": GROUPS}
# column: (whole number, lowest, highest)
_NUMBERS = {"days": (True, 1, 365), "cost_per_trainee_vnd": (False, 0, 1e11),
            "capacity_per_year": (True, 0, 1_000_000), "expected_gain_points": (False, 0, 100)}
_TRUE, _FALSE = ("true", "1", "yes", "có"), ("false", "0", "no", "không")


def load_catalogue(path: str | Path | None = None) -> pd.DataFrame:
    """The training catalogue with declared dtypes (the bundled one unless ``path``)."""
    path = Path(path) if path is not None else CATALOGUE
    name = path.name
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataValidationError(Problem(file=str(path), message="file not found",
                                          fix="give the path of a catalogue CSV")) from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataValidationError(Problem(file=name, message=f"cannot read the CSV ({exc})",
                                          fix="save it as CSV in UTF-8")) from None
    return validate_catalogue(raw, name)


def validate_catalogue(raw: pd.DataFrame, file: str = "catalogue.csv") -> pd.DataFrame:
    """Check a catalogue read as text and return it typed (see :func:`load_catalogue`)."""
    raw = raw.rename(columns=lambda c: str(c).strip())
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise DataValidationError([Problem(file=file, column=c, message="column missing",
                                           fix=f"add the column '{c}' (data/training/"
                                               "SOURCES.md lists them)") for c in missing])
    text = raw[list(COLUMNS)].apply(lambda col: col.astype(str).str.strip())
    problems: list[Problem] = []

    def bad(k: int, column: str, message: str, fix: str) -> None:
        problems.append(Problem(file=file, row=k + 2, column=column, message=message, fix=fix))

    for column in ("course_id", "name_vi", "name_en"):
        for k in np.flatnonzero((text[column] == "").to_numpy()):
            bad(int(k), column, "blank", "give a value")
    for k in np.flatnonzero(text["course_id"].duplicated(keep="first").to_numpy()):
        bad(int(k), "course_id", f"course '{text['course_id'].iloc[k]}' listed twice",
            "give every course its own id")
    choices = dict(_CHOICES, field=("all", *load_fields()["field"]))
    for column, allowed in choices.items():
        for k in np.flatnonzero(~text[column].isin(allowed).to_numpy()):
            bad(int(k), column, f"'{text[column].iloc[k]}' is not allowed",
                "use one of: " + ", ".join(allowed))
    lowered = text["digital"].str.lower()
    for k in np.flatnonzero(~lowered.isin(_TRUE + _FALSE).to_numpy()):
        bad(int(k), "digital", f"'{text['digital'].iloc[k]}' is not true or false",
            "write true or false")
    numbers: dict[str, np.ndarray] = {}
    for column, (whole, low, high) in _NUMBERS.items():
        values = pd.to_numeric(text[column].str.replace(" ", ""), errors="coerce").to_numpy(
            dtype=float)
        wrong = ~np.isfinite(values) | (values < low) | (values > high)
        if whole:
            wrong |= np.isfinite(values) & (values != np.round(values))
        for k in np.flatnonzero(wrong):
            bad(int(k), column, f"'{text[column].iloc[k]}' is not "
                + ("a whole number" if whole else "a number") + f" from {low:g} to {high:g}",
                "write a plain number, e.g. 1800000 (spaces may group thousands)")
        numbers[column] = values
    if problems:
        raise DataValidationError(problems)
    out = text.assign(digital=lowered.isin(_TRUE), **numbers)
    return out.astype(COLUMNS).reset_index(drop=True)

"""Workload standards (minutes per case by field) and available working time.

The standards are dated, sourced rows of ``data/policy/workload_standards.csv``; the working time
comes from the dated parameters ``working_days_per_year``, ``working_hours_per_day`` and
``case_work_share`` (WHO WISN: available working time × share left for case work).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..errors import DataValidationError, Problem
from ..paths import DATA

WORKLOAD_STANDARDS = DATA / "policy" / "workload_standards.csv"
STANDARD_COLUMNS = ("field", "minutes_per_case", "from", "source", "assumption")


def read_standards(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the standards table (all dated rows; see :func:`standards_on`)."""
    path = Path(path) if path is not None else WORKLOAD_STANDARDS
    name = str(path)
    if not path.is_file():
        raise DataValidationError(Problem(file=name, message="workload standards file not found",
                                          fix="give a CSV with columns " + ", ".join(
                                              STANDARD_COLUMNS)))
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in STANDARD_COLUMNS if c not in table.columns]
    if missing:
        raise DataValidationError(Problem(file=name, column=", ".join(missing),
                                          message="required column missing",
                                          fix="add the column(s) to the header row"))
    problems: list[Problem] = []
    minutes, starts, flags = [], [], []
    for i, row in table.iterrows():
        line = int(i) + 2  # header is row 1
        try:
            value = float(row["minutes_per_case"])
            if not value > 0:
                raise ValueError
        except ValueError:
            problems.append(Problem(file=name, row=line, column="minutes_per_case",
                                    message=f"'{row['minutes_per_case']}' is not a positive "
                                    "number of minutes", fix="write e.g. 90"))
            value = float("nan")
        try:
            start = dt.date.fromisoformat(row["from"].strip())
        except ValueError:
            problems.append(Problem(file=name, row=line, column="from",
                                    message=f"'{row['from']}' is not a date",
                                    fix="write an ISO date such as 2025-07-01"))
            start = None
        if not row["source"].strip():
            problems.append(Problem(file=name, row=line, column="source",
                                    message="every standard needs its source",
                                    fix='write the regulation, or "Modelling assumption"'))
        flag = row["assumption"].strip().lower()
        if flag not in ("true", "false"):
            problems.append(Problem(file=name, row=line, column="assumption",
                                    message=f"'{row['assumption']}' is not true/false",
                                    fix="write true when the figure is a modelling assumption"))
        minutes.append(value)
        starts.append(start)
        flags.append(flag == "true")
    if problems:
        raise DataValidationError(problems)
    out = table.copy()
    out["field"] = out["field"].str.strip()
    out["minutes_per_case"] = minutes
    out["from"] = starts
    out["assumption"] = flags
    dup = out.duplicated(["field", "from"], keep=False)
    if dup.any():
        rows = [int(i) + 2 for i in out.index[dup]]
        raise DataValidationError(Problem(file=name, row=rows[0], column="field",
                                          message=f"field and date repeated (rows {rows})",
                                          fix="keep one standard per field and 'from' date"))
    return out


def standards_on(standards: pd.DataFrame, on: dt.date) -> pd.DataFrame:
    """The standard in force on ``on`` for each field (latest row with ``from`` ≤ ``on``)."""
    valid = standards[standards["from"] <= on]
    latest = valid.sort_values("from").groupby("field", as_index=False).tail(1)
    return latest.set_index("field").sort_index()


def available_minutes(params, on: dt.date) -> float:
    """Case-work minutes one full-time person has in a year (WISN available working time)."""
    days = params.value("working_days_per_year", on)
    hours = params.value("working_hours_per_day", on)
    share = params.value("case_work_share", on)
    return float(days) * float(hours) * 60.0 * float(share)

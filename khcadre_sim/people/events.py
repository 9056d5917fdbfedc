"""The event log: one row per thing that happens to a person, shared by every mechanism.

Each people-over-time mechanism (exits, retirement, evaluation, training, rotation,
recruitment) returns its new tables *and* the events it caused; the 2026–2030 projection
concatenates them into one log from which any indicator can be recomputed. Columns (declared
once here, dtypes fixed so that empty logs concatenate cleanly):

* ``date`` — first day of the month the event takes effect (``datetime.date``);
* ``staff_id`` — the person (pseudonymous), or a new recruit's generated ID;
* ``event`` — one of :data:`EVENTS`;
* ``territory_id`` / ``position_id`` — where (blank when not applicable);
* ``detail`` — a short code qualifying the event (exit cause, rating band, course id, …);
* ``value`` — a number qualifying the event (score, gain in points, cost in VND, …; NaN if none).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

EVENTS = (
    "exit",           # left public service; detail = cause (quit, fail_duties, retirement,
                      # death_health, transfer)
    "retirement",     # reached the statutory age (also logged as an exit with that cause)
    "rated",          # an annual rating; detail = band, value = points
    "scored",         # a quarterly score; detail = "Q1".."Q4", value = points
    "trained",        # completed a course; detail = course id, value = cost (VND)
    "evaluated",      # post-training evaluation; detail = "improved" | "no_change", value = gain
    "reassignment_candidate",  # capacity did not change after training (§II.3)
    "rotated_out",    # began a term rotation; territory = destination, value = term (years)
    "rotation_ended", # end of term; detail = "return" | "stay" | "promote"
    "recruited",      # joined; detail = "regular" | programme id, position = post filled
    "moved",          # changed post; position = new post
    "supported",      # beneficiary of an incentive programme; detail = programme id
)

COLUMNS = {"date": "object", "staff_id": "string", "event": "string",
           "territory_id": "string", "position_id": "string", "detail": "string",
           "value": "float64"}


def empty() -> pd.DataFrame:
    """An event log with no rows and the declared dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})


def make(rows: Iterable[dict]) -> pd.DataFrame:
    """An event log from row dicts (missing fields blank); unknown events are a bug."""
    frame = pd.DataFrame(list(rows), columns=list(COLUMNS))
    bad = set(frame["event"].dropna()) - set(EVENTS)
    if bad:
        raise ValueError(f"unknown event(s) {sorted(bad)}; declare them in EVENTS")
    return frame.astype(COLUMNS)


def concat(logs: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """One log from several, sorted by date, person and event (stable)."""
    parts = [log for log in logs if len(log)]
    if not parts:
        return empty()
    out = pd.concat(parts, ignore_index=True).astype(COLUMNS)
    return out.sort_values(["date", "staff_id", "event"], kind="stable").reset_index(drop=True)


def month(year: int, month_number: int = 1) -> dt.date:
    return dt.date(year, month_number, 1)

"""Errors a user can act on.

Every error the command line shows is a :class:`KhcadreError`: it carries one or more
:class:`Problem` lines (file, row, column, what is wrong, how to fix it).  Anything else
reaching the command line is a bug in the package, not in the user's input.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input, located as precisely as we can."""

    file: str
    message: str
    fix: str = ""
    row: int | None = None  # 1-based line in the file as a spreadsheet shows it (header = 1)
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        text = f"{where}: {self.message}"
        if self.fix:
            text += f" — fix: {self.fix}"
        return text


class KhcadreError(Exception):
    """Base class of errors caused by input the user can correct."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(file="", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p).lstrip(": ") for p in self.problems))


class DataValidationError(KhcadreError):
    """Input tables break the data contract."""


class ScenarioError(KhcadreError):
    """A scenario file has an unknown key, a wrong type or an out-of-range value."""


class ModelError(KhcadreError):
    """A model cannot be built or solved from the given data and scenario (e.g. infeasible)."""

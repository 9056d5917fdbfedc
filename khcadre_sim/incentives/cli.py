"""``khcadre incentives``: options, and the budget workbook beside the tables."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..argtypes import whole_number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--draws", type=whole_number(100, 1_000_000), default=None,
                        help="Monte Carlo draws (default: the scenario's, 10,000)")
    parser.add_argument("--no-curves", action="store_true",
                        help="skip the cost curves and the sensitivity table (faster)")


def options(args: argparse.Namespace) -> dict[str, Any]:
    return {"draws": args.draws, "curves": not args.no_curves}


def extras(result: Any, out_dir: Path, lang: str) -> list[str]:
    """The workbook a budget officer opens: one sheet per view, in ``lang``."""
    from .report import write_workbook

    write_workbook(result.views, out_dir / "incentives.xlsx", lang=lang)
    return ["incentives.xlsx"]

"""``khcadre incentives``: options, and the budget workbook beside the tables."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..argtypes import help_text, whole_number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--draws", type=whole_number(100, 1_000_000), default=None,
                        help=help_text("số lần lấy mẫu Monte Carlo (mặc định: theo kịch bản, "
                                       "10.000)",
                                       "Monte Carlo draws (default: the scenario's, 10,000)"))
    parser.add_argument("--no-curves", action="store_true",
                        help=help_text("bỏ qua các đường chi phí và bảng độ nhạy (nhanh hơn)",
                                       "skip the cost curves and the sensitivity table "
                                       "(faster)"))


def options(args: argparse.Namespace) -> dict[str, Any]:
    return {"draws": args.draws, "curves": not args.no_curves}


def extras(result: Any, out_dir: Path, lang: str, *, meta: dict | None = None,
           scenario: Any = None) -> list[str]:
    """The workbook a budget officer opens, laid out as a budget (cover with the scenario and
    its sourced assumptions, year × programme with the 2026–2030 total, ceiling), in ``lang``."""
    from ..workbooks import BUDGET_FILE, write_budget_workbook

    write_budget_workbook(result, out_dir / BUDGET_FILE, lang, meta, scenario)
    return [BUDGET_FILE]

"""``khcadre place``: the placement optimizer's own options."""

from __future__ import annotations

import argparse
from typing import Any

from ..argtypes import help_text, positive_number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--solver", choices=("cbc", "highs"), default="cbc",
                        help=help_text("bộ giải MIP (mặc định: cbc, đi kèm PuLP)",
                                       "MIP solver (default: cbc, bundled with PuLP)"))
    parser.add_argument("--time-limit", type=positive_number, default=None,
                        help=help_text("số giây tối đa cho mỗi lần giải (mặc định: "
                                       "constants.placement.time_limit)",
                                       "seconds per solve (default: "
                                       "constants.placement.time_limit)"))
    parser.add_argument("--log", action="store_true",
                        help=help_text("hiện nhật ký của bộ giải", "show the solver's log"))
    parser.add_argument("--price-rules", action="store_true",
                        help=help_text("báo cáo thêm phần giá trị mục tiêu mất đi do từng "
                                       "quy định (mỗi quy định giải một lần)",
                                       "also report the objective lost by each rule (one solve "
                                       "per rule)"))


def options(args: argparse.Namespace) -> dict[str, Any]:
    return {"solver": args.solver, "time_limit": args.time_limit, "log": args.log,
            "price_rules": args.price_rules}

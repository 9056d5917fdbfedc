"""``khcadre workload``: options, and reading the files they name."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..argtypes import help_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--standards", type=Path, default=None,
                        help=help_text("tệp CSV định mức khối lượng công việc (field, "
                                       "minutes_per_case, from, source, assumption); mặc định: "
                                       "data/policy/workload_standards.csv",
                                       "workload standards CSV (field, minutes_per_case, from, "
                                       "source, assumption); default: "
                                       "data/policy/workload_standards.csv"))
    parser.add_argument("--time-shares", type=Path, default=None,
                        help=help_text("tệp CSV tùy chọn (staff_id, field, share) thay quy tắc "
                                       "phân bổ thời gian mặc định cho những cán bộ có tên "
                                       "trong tệp",
                                       "optional CSV (staff_id, field, share) overriding the "
                                       "default time-share rule for the people it lists"))
    parser.add_argument("--no-rebalance", action="store_true",
                        help=help_text("chỉ đo khối lượng công việc, không chạy tối ưu hóa "
                                       "cân đối lại",
                                       "measure the load only, without the rebalancing "
                                       "optimizer"))


def options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of :func:`khcadre_sim.workload.api.run`; reads the files named."""
    from .standards import WORKLOAD_STANDARDS, read_standards

    path = args.standards if args.standards is not None else WORKLOAD_STANDARDS
    shares = _read_time_shares(args.time_shares) if args.time_shares else None
    return {"standards": read_standards(path), "standards_file": str(path),
            "time_shares": shares, "rebalance": not args.no_rebalance}


def _read_time_shares(path: Path) -> Any:
    import pandas as pd

    from ..errors import DataValidationError, Problem

    if not Path(path).is_file():
        raise DataValidationError(Problem(file=str(path), message="file not found",
                                          fix="give a CSV with columns staff_id, field, share"))
    return pd.read_csv(path, dtype={"staff_id": str, "field": str}, encoding="utf-8-sig")

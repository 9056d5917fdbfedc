"""``khcadre sweep``: options and the command (imports nothing heavy until it runs)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..argtypes import data_help, help_text, whole_number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--capability", required=True,
                        help=help_text("nội dung chạy trong mỗi thí nghiệm: một chức năng "
                                       "(incentives, placement, workload, review) hoặc một mô "
                                       "hình đã đăng ký",
                                       "what to run in each experiment: a capability "
                                       "(incentives, placement, workload, review) or a "
                                       "registered model"))
    parser.add_argument("--spec", type=Path, required=True,
                        help=help_text("tệp khám phá (TOML): các yếu tố và khoảng giá trị, "
                                       "thiết kế, số mẫu",
                                       "sweep file (TOML): factors and their ranges, design, "
                                       "samples"))
    parser.add_argument("--data", type=Path, default=None, help=data_help())
    parser.add_argument("--scenario", type=Path, default=None,
                        help=help_text("tệp kịch bản gốc TOML; mặc định: scenarios/base.toml",
                                       "base scenario TOML file; default: scenarios/base.toml"))
    parser.add_argument("--out", type=Path, required=True,
                        help=help_text("thư mục kết quả: thư mục mới hoặc trống, hoặc chính "
                                       "thư mục của lượt khám phá này (các thí nghiệm đã xong "
                                       "được giữ lại và bỏ qua)",
                                       "results folder: new or empty, or this same sweep's "
                                       "folder (finished experiments are kept and skipped)"))
    parser.add_argument("--force", action="store_true",
                        help=help_text("thay thư mục kết quả khcadre của một lượt khám phá khác",
                                       "replace a khcadre results folder of another sweep"))
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=whole_number(1, 256), default=None,
                       help=help_text("số worker của cụm Dask cục bộ (mặc định 2)",
                                      "workers of a local Dask cluster (default 2)"))
    where.add_argument("--scheduler", default=None,
                       help=help_text("địa chỉ của một Dask scheduler đang chạy, ví dụ "
                                      "tcp://10.0.0.5:8786",
                                      "address of a running Dask scheduler, e.g. "
                                      "tcp://10.0.0.5:8786"))
    parser.add_argument("--seeds", type=whole_number(1, 100_000), default=None,
                        help=help_text("số hạt giống ngẫu nhiên cho mỗi điểm thiết kế (mặc "
                                       "định: theo tệp khám phá, nếu không thì 1)",
                                       "seeds per design point (default: the sweep file's, "
                                       "else 1)"))
    parser.add_argument("--lang", choices=("vi", "en"), default="vi",
                        help=help_text("ngôn ngữ của thông báo và trợ giúp này (vi = Tiếng "
                                       "Việt, mặc định; en = English)",
                                       "language of the messages and this help (vi = Tiếng "
                                       "Việt, default; en = English)"))


def run(args: argparse.Namespace) -> int:
    from .. import cli as main
    from ..errors import Problem, ScenarioError
    from .api import run_sweep
    from .spec import load_spec

    protect = [*main._protected(args), ("the sweep file's folder", args.spec.parent)]
    from ..outputs import check_target

    check_target(args.out, protect, args.force)
    spec = load_spec(args.spec).with_seeds(args.seeds)
    if spec.capability != args.capability:
        raise ScenarioError(Problem(
            file=str(args.spec), column="capability",
            message=f"the sweep file says '{spec.capability}', the command line "
                    f"'{args.capability}'", fix="make them the same"))
    province, scenario = main._load(args)
    result = run_sweep(spec, province, scenario, out=args.out,
                       workers=None if args.scheduler else (args.workers or 2),
                       scheduler=args.scheduler, command=args.command_line, protect=protect,
                       force=args.force)
    s = result.summary()
    vi = args.lang == "vi"
    print((f"{s['experiments']:,} thí nghiệm ({s['ran_now']:,} chạy lần này), {s['ok']:,} xong, "
           f"{s['failed']:,} lỗi; {s['outcomes']} chỉ tiêu" if vi else
           f"{s['experiments']:,} experiments ({s['ran_now']:,} run now), {s['ok']:,} ok, "
           f"{s['failed']:,} failed; {s['outcomes']} outcomes") + f" — {result.seconds:,.1f} s")
    for row in result.failed().head(5).itertuples():
        print(f"failed: {row.experiment_id}: {row.error}")
    from ..cli import _say  # the command line's message table (imported when it runs)

    print(_say(args, "wrote", out=args.out))
    return 0

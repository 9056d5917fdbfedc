"""``khcadre project``: scenarios × seeds through 2026–2030 into one results folder.

Writes (CSV as UTF-8 with a byte-order mark, every float in full; Parquet beside each table when
pyarrow is installed): ``indicators``, ``bands``, ``targets``, ``events``, ``budget``,
``placement_proofs``, ``snapshots`` (Parquet only when pyarrow is there: it is large) and
``summary.json``. Imports nothing heavy until the command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..argtypes import data_help, force_help, help_text, out_help, scale_factor, whole_number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=None, help=data_help())
    parser.add_argument("--scenario", type=Path, action="append", default=None,
                        help=help_text("tệp kịch bản TOML; lặp lại để so sánh các kịch bản cạnh "
                                       "nhau (mặc định: scenarios/base.toml)",
                                       "scenario TOML file; repeat to compare scenarios side by "
                                       "side (default: scenarios/base.toml)"))
    parser.add_argument("--seeds", type=whole_number(1, 10_000), default=None,
                        help=help_text("số hạt giống ngẫu nhiên cho mỗi kịch bản (các dải "
                                       "P5/P50/P95 tính trên chúng; mặc định 20; toàn quốc: 1)",
                                       "seeds per scenario (bands P5/P50/P95 over them; "
                                       "default 20; national: 1)"))
    parser.add_argument("--first-seed", type=whole_number(0, 2**32 - 10_001), default=0,
                        help=help_text("hạt giống ngẫu nhiên đầu tiên (dùng các hạt giống từ "
                                       "first đến first + seeds − 1; mặc định 0)",
                                       "first seed (seeds first … first + seeds − 1; "
                                       "default 0)"))
    parser.add_argument("--workers", type=whole_number(1, 64), default=None,
                        help=help_text("số tiến trình chạy song song (mặc định: 2 khi có hơn "
                                       "một lượt chạy)",
                                       "processes (default: 2 when there is more than one "
                                       "run)"))
    parser.add_argument("--national", action="store_true",
                        help=help_text("dự báo toàn quốc trên bộ dữ liệu tổng hợp 34 tỉnh, "
                                       "thành phố (như `khcadre synth --national`), mỗi tỉnh "
                                       "một tác vụ Dask; một kịch bản, một hạt giống",
                                       "national projection on the 34-province synthetic "
                                       "instance (as `khcadre synth --national`), each province "
                                       "a Dask task; one scenario, one seed"))
    parser.add_argument("--national-seed", type=whole_number(0, 2**32 - 1), default=2026,
                        help=help_text("hạt giống của bộ dữ liệu toàn quốc (mặc định 2026)",
                                       "seed of the national instance (default 2026)"))
    parser.add_argument("--scale", type=scale_factor, default=1.0,
                        help=help_text("hệ số quy mô của bộ dữ liệu toàn quốc (mặc định 1)",
                                       "scale of the national instance (default 1)"))
    parser.add_argument("--province", action="append", default=None, metavar="CODE",
                        help=help_text("chỉ các tỉnh có mã này (lặp lại được; mặc định: cả 34)",
                                       "only the province with this code (repeatable; "
                                       "default: all 34)"))
    parser.add_argument("--scheduler", default=None,
                        help=help_text("toàn quốc: địa chỉ của một Dask scheduler đang chạy, "
                                       "ví dụ tcp://10.0.0.5:8786",
                                       "national: address of a running Dask scheduler, e.g. "
                                       "tcp://10.0.0.5:8786"))
    parser.add_argument("--out", type=Path, required=True, help=out_help())
    parser.add_argument("--force", action="store_true", help=force_help())
    parser.add_argument("--lang", choices=("vi", "en"), default="vi",
                        help=help_text("ngôn ngữ của kết quả chính, báo cáo và trợ giúp này "
                                       "(vi = Tiếng Việt, mặc định; en = English)",
                                       "language of the headline, the reports and this help "
                                       "(vi = Tiếng Việt, default; en = English)"))


def _protected(args: argparse.Namespace) -> list[tuple[str, Path]]:
    from ..paths import BUNDLED_PROVINCE, DEFAULT_SCENARIO

    out = [("the data folder", Path(args.data) if args.data is not None else BUNDLED_PROVINCE)]
    for s in args.scenario or [DEFAULT_SCENARIO]:
        out.append(("the scenario's folder", Path(s).parent))
    return out


def _scenarios(paths: list[Path] | None) -> dict[str, Any]:
    """Scenarios by name (meta.name, else the file's stem; a repeated name is an error)."""
    from ..errors import Problem, ScenarioError
    from ..scenario import load_scenario

    out: dict[str, Any] = {}
    for path in paths or [None]:
        s = load_scenario(path)
        name = s.name or (Path(path).stem if path is not None else "base")
        if name in out:
            name = Path(path).stem if path is not None else name
        if name in out:
            raise ScenarioError(Problem(file=str(path), column="meta.name",
                                        message=f"two scenarios are named '{name}'",
                                        fix="give each scenario its own [meta] name"))
        out[name] = s
    return out


def parquet_available() -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def write_tables(result: Any, out_dir: Path) -> list[str]:
    """Every table as CSV (floats in full) and Parquet (when pyarrow is installed)."""
    from ..report import write_csv

    files = []
    parquet = parquet_available()
    tables = dict(result.tables())
    for name, table in tables.items():
        write_csv(table, out_dir / f"{name}.csv", float_format=None)
        files.append(f"{name}.csv")
        if parquet:
            table.to_parquet(out_dir / f"{name}.parquet", index=False)
            files.append(f"{name}.parquet")
    if parquet:
        result.snapshots.to_parquet(out_dir / "snapshots.parquet", index=False)
        files.append("snapshots.parquet")
    else:
        write_csv(result.snapshots, out_dir / "snapshots.csv", float_format=None)
        files.append("snapshots.csv")
    return files


def _national_options(args: argparse.Namespace) -> None:
    """The options a national run takes, or a clear error."""
    from ..errors import Problem, ScenarioError

    if not args.national:
        if args.scheduler or args.province:
            raise ScenarioError(Problem(file="options", column="--scheduler/--province",
                                        message="national options without --national",
                                        fix="add --national"))
        return
    problems = []
    if args.data is not None:
        problems.append(Problem(file="options", column="--data", message="--data with "
                                "--national", fix="drop --data: the national instance is made "
                                "from --national-seed and --scale"))
    if args.seeds not in (None, 1):
        problems.append(Problem(file="options", column="--seeds", message=f"{args.seeds} "
                                "seeds with --national", fix="a national run takes one seed "
                                "(--first-seed)"))
    if len(args.scenario or []) > 1:
        problems.append(Problem(file="options", column="--scenario", message="several "
                                "scenarios with --national", fix="one scenario per national run"))
    if args.scheduler and args.workers:
        problems.append(Problem(file="options", column="--workers", message="--workers with "
                                "--scheduler", fix="the cluster at --scheduler has its workers"))
    if problems:
        raise ScenarioError(problems)


def national_command(args: argparse.Namespace) -> int:
    """``khcadre project --national``: the national tables, summary and headline."""
    from ..outputs import check_target, output_dir
    from ..report import write_json
    from .national import run_national

    protect = _protected(args)
    check_target(args.out, protect, args.force)
    scenario = next(iter(_scenarios(args.scenario).values()))
    result = run_national(scenario, seed=args.first_seed, national_seed=args.national_seed,
                          scale=args.scale, codes=args.province,
                          workers=args.workers or 2, scheduler=args.scheduler)
    meta = {"capability": "projection", "national": True, "synthetic_staff_data": True,
            "scenario_files": scenario.files, "parquet": parquet_available()}
    with output_dir(args.out, command=args.command_line, protect=protect,
                    force=args.force) as tmp:
        files = []
        from ..report import write_csv

        for name, table in result.tables().items():
            write_csv(table, tmp / f"{name}.csv", float_format=None)
            files.append(f"{name}.csv")
            if meta["parquet"]:
                table.to_parquet(tmp / f"{name}.parquet", index=False)
                files.append(f"{name}.parquet")
        write_json({**meta, **result.summary(), "files": sorted([*files, "summary.json"])},
                   tmp / "summary.json")
    for line in result.headline(args.lang):
        print(line)
    from ..cli import _say

    print(_say(args, "wrote", out=args.out))
    return 0


def command(args: argparse.Namespace) -> int:
    _national_options(args)
    if args.national:
        return national_command(args)
    args.seeds = 20 if args.seeds is None else args.seeds
    return province_command(args)


def province_command(args: argparse.Namespace) -> int:
    from ..checks import check_province
    from ..io import load_province
    from ..outputs import check_target, output_dir
    from ..report import write_json
    from .api import run

    protect = _protected(args)
    check_target(args.out, protect, args.force)
    province = load_province(args.data)
    scenarios = _scenarios(args.scenario)
    for kind, problems in (("note", province.notes), ("warning", check_province(
            province, next(iter(scenarios.values()))))):
        for problem in problems:
            print(f"{kind}: {str(problem).lstrip(': ')}", file=sys.stderr)
    result = run(province, scenarios, seeds=args.seeds, first_seed=args.first_seed,
                 workers=args.workers)
    meta = {"capability": "projection", "data": province.source,
            "synthetic_staff_data": province.synthetic,
            "scenario_files": {n: s.files for n, s in scenarios.items()},
            "parquet": parquet_available()}
    from .report import write_reports
    from .targets import load_targets

    report_meta = {**meta, "synthetic": province.synthetic, "seeds": args.seeds,
                   "scenarios": {n: ", ".join(s.files) for n, s in scenarios.items()},
                   "targets": {t.id: {"text_vi": t.text_vi, "text_en": t.text_en}
                               for t in load_targets()}}
    with output_dir(args.out, command=args.command_line, protect=protect,
                    force=args.force) as tmp:
        files = write_tables(result, tmp)
        pages = write_reports(tmp, result.bands, result.targets, report_meta, lang=args.lang)
        reports = sorted(str(p.relative_to(tmp)) for p in pages)
        write_json({**meta, **result.summary(), "reports": reports,
                    "files": sorted([*files, *reports, "summary.json"])}, tmp / "summary.json")
    for line in result.headline(args.lang):
        print(line)
    from ..cli import _say  # the command line's message table (imported when it runs)

    print(_say(args, "wrote", out=args.out))
    return 0

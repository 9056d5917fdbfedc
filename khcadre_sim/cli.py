"""Command line: ``khcadre run | synth | validate | review | contract`` and the capabilities.

Exit codes: 0 success; 2 bad input (one line per problem: file, row, column, what, fix — also
for bad options); 3 rules that cannot all be met (explained; what could be written is written);
130 / 143 interrupted by Ctrl-C / SIGTERM (nothing written); 1 an internal error (a bug: one line,
no traceback unless ``KHCADRE_DEBUG=1``). Results go through :mod:`khcadre_sim.outputs`: written
whole or not at all, and never over a folder khcadre did not write.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import __version__
from .argtypes import (
    HelpParser,
    force_help,
    help_language,
    help_text,
    out_help,
    scale_factor,
    set_help_language,
    whole_number,
)
from .capability import REGISTRY, Capability
from .errors import KhcadreError
from .outputs import check_target, output_dir
from .paths import BUNDLED_PROVINCE, DEFAULT_SCENARIO

EXIT_BAD_INPUT = 2
EXIT_INFEASIBLE = 3  # the rules cannot all be met; summary.json explains why
INFEASIBLE = ("infeasible",)

# Console messages in the chosen --lang. The prefix of a line (``valid:``, ``note:``,
# ``warning:``, ``error:``, ``infeasible:``) stays as it is, so scripts can read it.
_MESSAGES: dict[str, tuple[str, str]] = {
    "valid": ("valid: {source} hợp lệ ({counts})", "valid: {source} ({counts})"),
    "synthetic": ("note: cán bộ, vị trí việc làm và khối lượng công việc trong thư mục này là "
                  "dữ liệu MÔ PHỎNG (SYNTHETIC), không phải người thật",
                  "note: staff, positions and workload in this folder are SYNTHETIC"),
    "valid_scenario": ("valid scenario: kịch bản {name} hợp lệ ({files})",
                       "valid scenario: {name} ({files})"),
    "synth": ("đã ghi tỉnh mô phỏng vào {out}: {posts:,} vị trí, {staff:,} cán bộ, {rows:,} dòng "
              "khối lượng công việc (seed {seed}, scale {scale})",
              "wrote synthetic province to {out}: {posts:,} posts, {staff:,} staff, {rows:,} "
              "workload rows (seed {seed}, scale {scale})"),
    "wrote": ("đã ghi {out}", "wrote {out}"),
    "wrote_run": ("đã ghi {out} (mở {out}/index.html)", "wrote {out} (open {out}/index.html)"),
}
_TABLES: dict[str, tuple[str, str]] = {
    "territories": ("đơn vị hành chính", "territories"), "positions": ("vị trí", "positions"),
    "staff": ("cán bộ", "staff"), "workload": ("dòng khối lượng công việc", "workload"),
    "ratings_history": ("điểm đánh giá quý", "ratings_history"),
    "training_records": ("lượt đào tạo", "training_records"),
    "rotation_records": ("lượt luân chuyển", "rotation_records"),
}


def _say(args: argparse.Namespace, key: str, **values: Any) -> str:
    """A console message in the command's language (Vietnamese unless ``--lang en``)."""
    vi, en = _MESSAGES[key]
    return (en if getattr(args, "lang", "vi") == "en" else vi).format(**values)


class _Parser(HelpParser):
    """argparse (its help in the help language) that reports a bad command line as one line
    and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"error: {self.prog}: {message} — fix: see {self.prog} --help\n")
        raise SystemExit(EXIT_BAD_INPUT)


# ------------------------------------------------------------------------------- helpers

def _add_general(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true",
                        help=help_text("không hiện thanh tiến độ (vốn chỉ hiện khi chạy ở "
                                       "terminal)",
                                       "no progress bars (they are shown only at a terminal "
                                       "anyway)"))
    parser.add_argument("--log-level", choices=("warning", "info", "debug"), default="warning",
                        help=help_text("mức chi tiết của nhật ký ghi ra stderr (mặc định: "
                                       "warning)",
                                       "how much detail to log on stderr (default: warning)"))


def _add_common(parser: argparse.ArgumentParser, out: bool = True) -> None:
    parser.add_argument("--data", type=Path, default=None,
                        help=help_text("thư mục dữ liệu của tỉnh (đơn vị hành chính, vị trí "
                                       "việc làm, cán bộ, khối lượng công việc dạng CSV hoặc "
                                       "XLSX); mặc định: dữ liệu tỉnh Khánh Hòa kèm theo",
                                       "province folder (territories, positions, staff, "
                                       "workload as CSV or XLSX); default: the bundled Khánh "
                                       "Hòa province"))
    parser.add_argument("--scenario", type=Path, default=None,
                        help=help_text("tệp kịch bản TOML (kiểm tra các khóa của kịch bản, và "
                                       "kiểm tra dữ liệu tỉnh theo các quy định của kịch bản); "
                                       "mặc định: scenarios/base.toml",
                                       "scenario TOML file (its keys are checked, and the "
                                       "province against its rules); default: "
                                       "scenarios/base.toml"))
    if out:
        _add_out(parser)
    _add_lang(parser)


def _add_lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=("vi", "en"), default="vi",
                        help=help_text("ngôn ngữ của biểu đồ, nhãn bảng, kết quả chính, thông "
                                       "báo và trợ giúp này (vi = Tiếng Việt, mặc định; en = "
                                       "English)",
                                       "language of figures, tables' labels, headlines, "
                                       "messages and this help (vi = Tiếng Việt, default; en = "
                                       "English)"))


def _add_out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help=out_help())
    parser.add_argument("--force", action="store_true", help=force_help())



def _protected(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """Folders ``--out`` may neither be nor contain: the data and the scenario's folder."""
    data = getattr(args, "data", None)
    scenario = getattr(args, "scenario", None)
    out = [("the data folder", Path(data) if data is not None else BUNDLED_PROVINCE)]
    if hasattr(args, "scenario"):
        out.append(("the scenario's folder",
                    (Path(scenario) if scenario is not None else DEFAULT_SCENARIO).parent))
    return out


def _meta(province, scenario) -> dict:
    return {"data": province.source, "synthetic_staff_data": province.synthetic,
            "scenario": scenario.name, "scenario_files": scenario.files, "seed": scenario.seed,
            "khcadre_version": __version__}


def _target(args: argparse.Namespace) -> None:
    """Refuse a forbidden --out before any work (it is checked again before writing)."""
    check_target(args.out, _protected(args), args.force)


def _writing(args: argparse.Namespace):  # noqa: ANN202 - a context manager
    return output_dir(args.out, command=args.command_line, protect=_protected(args),
                      force=args.force)


def _load(args: argparse.Namespace) -> tuple:
    """The province and the scenario of a command, with what reading accepted (``note:``) and
    what the rules forbid but the contract cannot (``warning:``) printed on stderr."""
    from .checks import check_province
    from .io import load_province
    from .scenario import load_scenario

    province, scenario = load_province(args.data), load_scenario(args.scenario)
    for kind, problems in (("note", province.notes),
                           ("warning", check_province(province, scenario))):
        for problem in problems:
            print(f"{kind}: {str(problem).lstrip(': ')}", file=sys.stderr)
    return province, scenario


# ------------------------------------------------------------------------------ commands

def cmd_validate(args: argparse.Namespace) -> int:
    province, scenario = _load(args)
    en = args.lang == "en"
    counts = ", ".join(f"{len(frame):,} {_TABLES.get(name, (name, name))[en]}"
                       for name, frame in province.tables().items())
    print(_say(args, "valid", source=province.source, counts=counts))
    if province.synthetic:
        print(_say(args, "synthetic"))
    if args.scenario is not None:
        print(_say(args, "valid_scenario", name=scenario.name, files=", ".join(scenario.files)))
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from .io import write_province
    from .synth import generate_province

    if args.national:
        from .national import national_command

        return national_command(args, _target, _writing)
    _target(args)
    province = generate_province(seed=args.seed, scale=args.scale)
    with _writing(args) as tmp:
        write_province(province, tmp)
        (tmp / "README.txt").write_text(
            "SYNTHETIC DATA — generated by `khcadre synth "
            f"--seed {args.seed} --scale {args.scale}`.\n"
            "Territories are the real 65 commune-level units of Khánh Hòa; positions, staff and "
            "workload are synthetic, calibrated to public staffing norms. Not real people.\n",
            encoding="utf-8")
    print(_say(args, "synth", out=args.out, posts=len(province.positions),
               staff=len(province.staff), rows=len(province.workload), seed=args.seed,
               scale=args.scale))
    return 0


def _infeasible(summary: dict) -> bool:
    return summary.get("status") == "infeasible"


def _analyse(cap: Capability, province: Any, scenario: Any, options: dict) -> Any:
    return cap.api().run(province, scenario, **options)


def _write(cap: Capability, result: Any, folder: Path, lang: str, meta: dict,
           province: Any, scenario: Any, planner: bool = False) -> dict:
    """A capability's results; with ``planner`` (its own command), also the planner's workbook
    of what it found (``khcadre run`` writes one workbook of every capability instead)."""
    from .report import write_result
    from .workbooks import write_planner_workbook

    names = province.territories.set_index("territory_id")["name"]
    own = getattr(cap.cli(), "extras", None)

    def extras(result: Any, out_dir: Path, lang: str) -> list[str]:
        files = list(own(result, out_dir, lang, meta=meta, scenario=scenario)) if own else []
        if planner:
            files += write_planner_workbook({cap.name: result}, out_dir, lang, meta, scenario,
                                            names)
        return files

    return write_result(result, folder, lang, meta, extras, names)


def _capability_command(cap: Capability) -> Callable[[argparse.Namespace], int]:
    def command(args: argparse.Namespace) -> int:
        _target(args)
        province, scenario = _load(args)
        result = _analyse(cap, province, scenario, cap.cli().options(args))
        with _writing(args) as tmp:
            summary = _write(cap, result, tmp, args.lang, _meta(province, scenario), province,
                             scenario, planner=True)
        for line in result.headline(args.lang):
            print(line)
        print(_say(args, "wrote", out=args.out))
        if _infeasible(summary):
            # a complete, explained answer — but not a plan: scripts must not mistake it for one
            for line in summary.get("explanation", []):
                print(f"infeasible: {line}", file=sys.stderr)
            return EXIT_INFEASIBLE
        return 0
    return command


def cmd_run(args: argparse.Namespace) -> int:
    """The main job: every capability on one scenario, one results folder with an index.

    A step whose rules cannot all be met does not stop the others: its explained answer is
    written with the rest, and the command exits 3 naming the step."""
    from .htmlreport import write_report
    from .report import write_index_md, write_json

    _target(args)
    province, scenario = _load(args)
    meta = _meta(province, scenario)
    from .progress import bar

    results = []
    with bar(len(REGISTRY), ("Các bước", "Steps")) as steps:
        for cap in REGISTRY:
            steps.set_postfix_str(cap.title(args.lang))
            defaults = _Parser(add_help=False)
            _add_lang(defaults)
            cap.cli().add_arguments(defaults)
            results.append((cap, _analyse(cap, province, scenario,
                                          cap.cli().options(defaults.parse_args([])))))
            steps.update()
    sections = []
    with _writing(args) as tmp:
        for cap, result in results:
            (tmp / cap.name).mkdir()
            summary = _write(cap, result, tmp / cap.name, args.lang, meta, province, scenario)
            sections.append((cap.name, f"{cap.title('en')} / {cap.title('vi')}", summary,
                             result.headline(args.lang)))
        from .workbooks import write_planner_workbook

        workbooks = write_planner_workbook({cap.name: result for cap, result in results}, tmp,
                                           args.lang, meta, scenario)
        write_json({**meta, "workbooks": workbooks,
                    "sections": {f: s for f, _, s, _ in sections}}, tmp / "summary.json")
        write_index_md(tmp, "khcadre — Khánh Hòa 2026–2030", meta,
                       [(f, h, {**s, "headline": lines}) for f, h, s, lines in sections])
        write_report(tmp, args.lang, meta, province, scenario,
                     [(cap, result, s) for (cap, result), (_, _, s, _) in zip(
                         results, sections, strict=True)], workbooks)
    for folder, _heading, _summary, lines in sections:
        print(f"[{folder}] " + "; ".join(lines))
    print(_say(args, "wrote_run", out=args.out))
    failed = [(folder, s) for folder, _, s, _ in sections if _infeasible(s)]
    for folder, summary in failed:
        for line in summary.get("explanation", []) or [f"{folder}: {summary.get('status')}"]:
            print(f"infeasible: {folder}: {line}", file=sys.stderr)
    return EXIT_INFEASIBLE if failed else 0


def cmd_keys(args: argparse.Namespace) -> int:
    from .keys import markdown

    print(markdown())
    return 0


def cmd_contract(args: argparse.Namespace) -> int:
    from .schema import contract_markdown

    print(contract_markdown())
    return 0


def _sub(sub: Any, name: str, vi: str, en: str) -> argparse.ArgumentParser:
    """A subcommand whose list entry and description are ``vi`` or ``en``."""
    text = help_text(vi, en)
    return sub.add_parser(name, help=text, description=text)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The command line; its help is in the language ``argv`` asks for (``--lang en``), else
    ``KHCADRE_LANG``, else Vietnamese (see :func:`khcadre_sim.argtypes.help_language`)."""
    set_help_language(help_language(sys.argv[1:] if argv is None else argv))
    parser = _Parser(
        prog="khcadre",
        description=help_text("Bộ công cụ về cán bộ, công chức cấp xã tỉnh Khánh Hòa "
                              "(2026–2030).",
                              "Khánh Hòa commune-level cadre workbench (2026–2030)."))
    parser.add_argument("--version", action="version", version=f"khcadre {__version__}",
                        help=help_text("in số phiên bản rồi thoát",
                                       "show the version number and exit"))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                title=help_text("lệnh", "commands"))

    p = _sub(sub, "run", "chạy mọi chức năng trên một kịch bản, ghi vào một thư mục kết quả",
             "run every capability on a scenario into one results folder")
    _add_common(p)
    p.set_defaults(func=cmd_run)

    p = _sub(sub, "synth", "ghi một tỉnh MÔ PHỎNG theo hạt giống ngẫu nhiên (xã, phường, đặc "
             "khu là thật)", "write a seeded SYNTHETIC province (real territories)")
    _add_out(p)
    p.add_argument("--seed", type=whole_number(0, 2**32 - 1), default=2026,
                   help=help_text("hạt giống ngẫu nhiên (số nguyên ≥ 0); cùng hạt giống thì ra "
                                  "cùng các tệp",
                                  "random seed (a whole number ≥ 0); the same seed gives the "
                                  "same files"))
    p.add_argument("--scale", type=scale_factor, default=1.0,
                   help=help_text("hệ số nhân số vị trí cấp phó và công chức (cùng số cán bộ) "
                                  "của mỗi xã, phường, đặc khu, trong khoảng (0, 50]",
                                  "multiply deputy and officer posts (and staff) per commune, "
                                  "in (0, 50]"))
    _add_lang(p)
    p.add_argument("--national", action="store_true",
                   help=help_text("34 tỉnh, thành phố với đúng số đơn vị hành chính cấp xã "
                                  "của mỗi nơi (các nghị quyết năm 2025), mỗi tỉnh một thư mục "
                                  "dữ liệu mô phỏng",
                                  "34 provinces with their real number of commune-level units "
                                  "(2025 resolutions), one synthetic province folder each"))
    p.set_defaults(func=cmd_synth)

    p = _sub(sub, "validate", "kiểm tra thư mục dữ liệu của tỉnh (và kịch bản) theo quy cách "
             "dữ liệu và các khóa của kịch bản", "check a province folder (and a scenario) "
             "against the data contract and the scenario keys")
    _add_common(p, out=False)
    p.set_defaults(func=cmd_validate)

    p = _sub(sub, "contract", "in quy cách dữ liệu dạng Markdown",
             "print the data contract as Markdown")
    p.set_defaults(func=cmd_contract)

    p = _sub(sub, "keys", "in mọi khóa của kịch bản (kiểu, mặc định, giá trị hợp lệ, đơn vị, "
             "ý nghĩa) dạng Markdown", "print every scenario key (type, default, valid values, "
             "unit, meaning) as Markdown")
    p.set_defaults(func=cmd_keys)

    from .whatif import cli as whatif_cli  # light: Panel is imported when the page starts

    p = _sub(sub, "whatif", "trang thử giả định tương tác trên trình duyệt (kinh phí thu hút, "
             "tra cứu từng xã, phường, đặc khu)", "interactive what-if page in the browser "
             "(incentive budget, commune explorer)")
    whatif_cli.add_arguments(p)
    p.set_defaults(func=whatif_cli.run)

    from . import compare

    p = _sub(sub, "compare", "so sánh các số liệu chính giữa các thư mục kết quả cùng loại, "
             "thư mục đầu tiên làm gốc", "differences of headline figures between results "
             "folders of the same kind, the first as baseline")
    compare.add_arguments(p)
    _add_lang(p)
    p.set_defaults(func=compare.command)

    from .sweep import cli as sweep_cli  # light: Dask and SALib are imported when it runs

    p = _sub(sub, "sweep", "khám phá nhiều kịch bản: nhiều thí nghiệm theo các khóa của kịch "
             "bản × hạt giống ngẫu nhiên trên Dask (chạy tiếp được)", "many experiments over "
             "scenario keys × seeds on Dask (resumable)")
    sweep_cli.add_arguments(p)
    p.set_defaults(func=sweep_cli.run)

    from .projection import cli as projection_cli  # light: the model is imported when it runs

    p = _sub(sub, "project", "dự báo 2026–2030: kịch bản × hạt giống ngẫu nhiên, các chỉ số, "
             "chỉ tiêu từng năm", "2026–2030 projection: scenarios × seeds, indicators, "
             "targets year by year")
    projection_cli.add_arguments(p)
    p.set_defaults(func=projection_cli.command)

    for cap in REGISTRY:
        p = _sub(sub, cap.command, cap.title("vi"), cap.title("en"))
        _add_common(p)
        cap.cli().add_arguments(p)
        p.set_defaults(func=_capability_command(cap))
    for p in sub.choices.values():
        _add_general(p)
    return parser


def _configure(args: argparse.Namespace) -> None:
    """Logging on stderr at the chosen level; progress bars at a terminal unless --quiet."""
    import logging

    from . import progress

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("khcadre: %(message)s"))
    log = logging.getLogger("khcadre")
    log.handlers[:] = [handler]
    log.setLevel(getattr(logging, args.log_level.upper()))
    log.propagate = False
    progress.enable(sys.stderr.isatty() and not args.quiet, getattr(args, "lang", "vi"))


def _left_as_it_was(argv: list[str]) -> str:
    return ": stopped before finishing; --out was left as it was" if "--out" in argv else ""


def _on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        args = build_parser(argv).parse_args(argv)
        args.command_line = "khcadre " + shlex.join(argv)
        _configure(args)
        return args.func(args)
    except KhcadreError as exc:
        for problem in exc.problems:
            print(f"error: {str(problem).lstrip(': ')}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"interrupted{_left_as_it_was(argv)}", file=sys.stderr)
        return 130
    except SystemExit as exc:
        if exc.code == 128 + signal.SIGTERM:
            print(f"terminated{_left_as_it_was(argv)}", file=sys.stderr)
        raise
    except BrokenPipeError:  # the reader of our output stopped early (e.g. `| head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # the machine, not the model: disk full, permission denied …
        where = exc.filename or "output"
        print(f"error: {where}: {exc.strerror or exc} — fix: check the folder exists, is "
              "writable and has free space", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - anything else is a bug: one line, no traceback
        if os.environ.get("KHCADRE_DEBUG"):
            raise
        print(f"error: internal error in khcadre ({type(exc).__name__}: {exc}); this is a bug, "
              "not a problem with your input — rerun with KHCADRE_DEBUG=1 to see details",
              file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())

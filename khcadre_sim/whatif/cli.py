"""Command line of the what-if page: ``python -m khcadre_sim.whatif [--data DIR] [--scenario FILE]
[--port 5006] [--lang vi|en]`` computes the starting scenario once, then serves the page on
http://127.0.0.1:PORT until Ctrl-C. Bad input is one ``error:`` line per problem and exit code 2,
as on the khcadre command line. ``add_arguments`` and ``run(args)`` let the khcadre command line
offer the same as a subcommand; this module imports nothing heavy until ``run``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..argtypes import (
    HelpParser,
    data_help,
    help_language,
    help_text,
    set_help_language,
    whole_number,
)
from ..errors import KhcadreError

EXIT_BAD_INPUT = 2


class _Parser(HelpParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"error: {self.prog}: {message} — fix: see {self.prog} --help\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The page's command line; its help in the language ``argv`` asks for (``--lang en``),
    else ``KHCADRE_LANG``, else Vietnamese."""
    set_help_language(help_language(sys.argv[1:] if argv is None else argv))
    parser = _Parser(prog="python -m khcadre_sim.whatif",
                     description=help_text("Trang thử giả định tương tác (kinh phí thu hút, "
                                           "tra cứu từng xã, phường, đặc khu).",
                                           "Interactive what-if page (incentive budget, "
                                           "commune explorer)."))
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The page's options (also for a ``khcadre whatif`` command)."""
    parser.add_argument("--data", type=Path, default=None, help=data_help())
    parser.add_argument("--scenario", type=Path, default=None,
                        help=help_text("tệp kịch bản TOML ban đầu; mặc định: "
                                       "scenarios/base.toml",
                                       "starting scenario TOML file; default: "
                                       "scenarios/base.toml"))
    parser.add_argument("--port", type=whole_number(1, 65535), default=5006,
                        help=help_text("cổng trên 127.0.0.1 để mở trang (mặc định 5006)",
                                       "port on 127.0.0.1 to serve the page on (default 5006)"))
    parser.add_argument("--lang", choices=("vi", "en"), default="vi",
                        help=help_text("ngôn ngữ khi mở trang và của trợ giúp này (vi = Tiếng "
                                       "Việt, mặc định; en = English)",
                                       "language the page opens in and of this help (vi = "
                                       "Tiếng Việt, default; en = English)"))


def run(args: argparse.Namespace) -> int:
    """Load, compute the starting scenario, serve. Returns the exit code."""
    try:
        import panel  # noqa: F401
    except ImportError:
        print("error: the what-if page needs Panel, which is not installed — fix: "
              "pip install 'khcadre[app]'", file=sys.stderr)
        return EXIT_BAD_INPUT
    from ..checks import check_province
    from ..io import load_province
    from ..scenario import load_scenario
    from .app import serve
    from .model import Workbench

    province, scenario = load_province(args.data), load_scenario(args.scenario)
    for kind, problems in (("note", province.notes),
                           ("warning", check_province(province, scenario))):
        for problem in problems:
            print(f"{kind}: {str(problem).lstrip(': ')}", file=sys.stderr)
    print("khcadre what-if: computing the starting scenario …", file=sys.stderr, flush=True)
    bench = Workbench.build(province, scenario)
    times = ", ".join(f"{name} {s:.1f} s" for name, s in bench.seconds.items())
    print(f"khcadre what-if: ready ({times}); open http://127.0.0.1:{args.port}/ "
          "(Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        serve(bench, port=args.port, lang=args.lang)
    except OSError as exc:
        print(f"error: port {args.port}: {exc.strerror or exc} — fix: choose another port "
              "with --port", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser(argv).parse_args(argv)
    try:
        return run(args)
    except KhcadreError as exc:
        for problem in exc.problems:
            print(f"error: {str(problem).lstrip(': ')}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - anything else is a bug: one line, no traceback
        if os.environ.get("KHCADRE_DEBUG"):
            raise
        print(f"error: internal error in khcadre ({type(exc).__name__}: {exc}); this is a bug, "
              "not a problem with your input — rerun with KHCADRE_DEBUG=1 to see details",
              file=sys.stderr)
        return 1

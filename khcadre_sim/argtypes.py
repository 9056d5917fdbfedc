"""Types of command-line options: each rejects a bad value with one line saying why (argparse
turns the message into ``error: khcadre <command>: argument --x: <message>``); and the language
of ``--help``: Vietnamese unless ``--lang en`` is on the command line or ``KHCADRE_LANG=en`` is
set, chosen once before a parser is built (:func:`set_help_language`) and read by every help text
through :func:`help_text`."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

LANGUAGES = ("vi", "en")
_help_lang = "vi"


def help_language(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language of ``--help``: the last ``--lang X`` / ``--lang=X`` of ``argv`` (before a
    ``--``), else ``KHCADRE_LANG``, else Vietnamese. An unknown value counts as Vietnamese (argparse
    then rejects a bad ``--lang`` itself)."""
    chosen = None
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            chosen = args[i + 1]
        elif arg.startswith("--lang="):
            chosen = arg.split("=", 1)[1]
    if chosen is None:
        chosen = (os.environ if environ is None else environ).get("KHCADRE_LANG", "")
    chosen = chosen.strip().lower()
    return chosen if chosen in LANGUAGES else "vi"


def set_help_language(lang: str) -> None:
    """Choose the language of the help texts of parsers built from now on."""
    global _help_lang
    _help_lang = lang if lang in LANGUAGES else "vi"


def help_text(vi: str, en: str) -> str:
    """The Vietnamese or English text of a help, in the chosen help language."""
    return en if _help_lang == "en" else vi


def out_help() -> str:
    """The help of ``--out`` of the commands that write a results folder."""
    return help_text("thư mục kết quả cần ghi: thư mục mới hoặc trống, hoặc thư mục khcadre đã "
                     "ghi trước đó (được thay toàn bộ)",
                     "results folder to write: a new or empty folder, or one khcadre wrote "
                     "before (replaced whole)")


def force_help() -> str:
    """The help of ``--force``."""
    return help_text("thay thư mục kết quả của khcadre kể cả khi trong đó nay có tệp khác",
                     "replace a khcadre results folder even if it now holds other files")


def data_help() -> str:
    """The short help of ``--data``."""
    return help_text("thư mục dữ liệu của tỉnh; mặc định: dữ liệu tỉnh Khánh Hòa kèm theo",
                     "province folder; default: the bundled Khánh Hòa province")


class HelpFormatter(argparse.HelpFormatter):
    """argparse's layout with the ``usage:`` prefix in the help language."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        if prefix is None:
            prefix = help_text("cách dùng: ", "usage: ")
        super().add_usage(usage, actions, groups, prefix)


class HelpParser(argparse.ArgumentParser):
    """An argument parser whose own words (``usage:``, section titles, ``-h``) follow the help
    language, like the option helps."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help = kwargs.pop("add_help", True)
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = help_text("đối số vị trí", "positional arguments")
        self._optionals.title = help_text("tùy chọn", "options")
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help=help_text("in trợ giúp này rồi thoát",
                                             "show this help message and exit"))


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"'{text}' is not a finite number")
    return value


def positive_number(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be greater than 0")
    return value


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """A whole number in [low, high] (an argparse type)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < low or (high is not None and value > high):
            span = f"at least {low:,}" if high is None else f"between {low:,} and {high:,}"
            raise argparse.ArgumentTypeError(f"'{text}' must be {span}")
        return value
    parse.__name__ = "whole number"
    return parse


def scale_factor(text: str) -> float:
    value = positive_number(text)
    if value > 50:
        raise argparse.ArgumentTypeError(f"'{text}' must be at most 50")
    return value

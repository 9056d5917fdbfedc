"""``--help`` is Vietnamese by default and English with ``--lang en`` or ``KHCADRE_LANG=en``."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

import pytest

from khcadre_sim.argtypes import help_language
from khcadre_sim.cli import build_parser, main

# letters only Vietnamese uses (plain ASCII and the proper names below aside)
VIETNAMESE = re.compile("[ạảãàáâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]",
                        re.IGNORECASE)
NAMES = ("Khánh Hòa", "Tiếng Việt")


def _english(text: str) -> bool:
    text = " ".join(text.split())  # a name may be wrapped over two lines
    for name in NAMES:
        text = text.replace(name, "")
    return VIETNAMESE.search(text) is None


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def _helps(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Every option's (and positional's) help, by its first name."""
    return {(a.option_strings or [a.dest])[0]: a.help for a in parser._actions
            if a.help is not None and a.help != argparse.SUPPRESS}


def test_help_language_is_chosen_from_argv_then_environment():
    assert help_language([], {}) == "vi"
    assert help_language(["place", "--help"], {"KHCADRE_LANG": "en"}) == "en"
    assert help_language(["place", "--lang", "en", "--help"], {}) == "en"
    assert help_language(["place", "--help", "--lang=en"], {}) == "en"
    assert help_language(["place", "--lang", "vi"], {"KHCADRE_LANG": "en"}) == "vi"
    assert help_language(["--lang", "en", "--lang", "vi"], {}) == "vi"  # the last one wins
    assert help_language(["--", "--lang", "en"], {}) == "vi"
    assert help_language(["--lang", "fr"], {"KHCADRE_LANG": "en"}) == "vi"


def test_every_help_of_every_command_exists_in_both_languages():
    vi_parser, en_parser = build_parser(["--lang", "vi"]), build_parser(["--lang", "en"])
    assert not _english(vi_parser.description) and _english(en_parser.description)
    vi_subs, en_subs = _subcommands(vi_parser), _subcommands(en_parser)
    assert vi_subs.keys() == en_subs.keys() and len(vi_subs) >= 13
    for name, vi_sub in vi_subs.items():
        en_sub = en_subs[name]
        assert not _english(vi_sub.description), f"khcadre {name}: description not Vietnamese"
        assert _english(en_sub.description), f"khcadre {name}: description not English"
        vi_helps, en_helps = _helps(vi_sub), _helps(en_sub)
        assert vi_helps.keys() == en_helps.keys()  # option names do not change
        for option, vi in vi_helps.items():
            en = en_helps[option]
            assert vi != en, f"khcadre {name} {option}: help is the same in both languages"
            assert not _english(vi), f"khcadre {name} {option}: English-only help: {vi!r}"
            assert _english(en), f"khcadre {name} {option}: Vietnamese in English help: {en!r}"


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_place_help_is_vietnamese_by_default(capsys, monkeypatch):
    monkeypatch.delenv("KHCADRE_LANG", raising=False)
    out = _help(["place", "--help"], capsys)
    assert out.startswith("cách dùng: khcadre place")
    assert "Bố trí cán bộ" in out and "tùy chọn:" in out
    assert "bộ giải MIP" in out and "--time-limit" in out and "--price-rules" in out
    assert "show this help" not in out and "options:" not in out


@pytest.mark.parametrize("argv", [["place", "--help", "--lang", "en"],
                                  ["place", "--lang=en", "--help"],
                                  ["--help", "--lang", "en"]])
def test_lang_en_anywhere_gives_english_help(argv, capsys, monkeypatch):
    monkeypatch.delenv("KHCADRE_LANG", raising=False)
    out = _help(argv, capsys)
    assert out.startswith("usage: khcadre") and "options:" in out
    assert _english(out)


def test_environment_gives_english_help_and_lang_vi_overrides_it(capsys, monkeypatch):
    monkeypatch.setenv("KHCADRE_LANG", "en")
    out = _help(["workload", "--help"], capsys)
    assert "measure the load only" in out and _english(out)
    out = _help(["workload", "--help", "--lang", "vi"], capsys)
    assert "chỉ đo khối lượng công việc" in out


def test_help_language_does_not_leak_into_the_next_parser(capsys, monkeypatch):
    monkeypatch.delenv("KHCADRE_LANG", raising=False)
    _help(["incentives", "--help", "--lang", "en"], capsys)
    assert "số lần lấy mẫu Monte Carlo" in _help(["incentives", "--help"], capsys)


@pytest.mark.parametrize(("env", "expected"), [("", "hạt giống ngẫu nhiên"),
                                               ("en", "random seed")])
def test_help_on_a_real_console_is_exact_utf8(env, expected):
    environ = {**os.environ, "KHCADRE_LANG": env, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "khcadre_sim.cli", "synth", "--help"],
                          capture_output=True, env=environ, timeout=120, check=True)
    out = done.stdout.decode("utf-8")
    assert expected in out
    assert ("--seed" in out and "--scale" in out and "--national" in out)


def test_whatif_page_help_follows_lang(capsys, monkeypatch):
    from khcadre_sim.whatif.cli import build_parser as whatif_parser

    monkeypatch.delenv("KHCADRE_LANG", raising=False)
    assert "cổng trên 127.0.0.1" in whatif_parser([]).format_help()
    assert "port on 127.0.0.1" in whatif_parser(["--lang", "en"]).format_help()

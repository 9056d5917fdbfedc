"""Progress bars: on stderr when the command line enables them, silent otherwise."""

import io
import sys

from khcadre_sim import progress


def test_silent_unless_enabled(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    progress.enable(False)
    with progress.bar(3, ("Các bước", "Steps")) as b:
        b.update(3)
    assert err.getvalue() == ""


def test_bar_in_the_chosen_language(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    try:
        for lang, word in (("vi", "Các bước"), ("en", "Steps")):
            progress.enable(True, lang)
            with progress.bar(2, ("Các bước", "Steps")) as b:
                b.update(2)
            assert word in err.getvalue()
    finally:
        progress.enable(False)


def test_command_line_without_a_terminal_shows_no_bar(tmp_path, capsys):
    from khcadre_sim.cli import main

    assert main(["review", "--out", str(tmp_path / "r")]) == 0
    assert "|" not in capsys.readouterr().err  # stderr is not a terminal under pytest
    assert not progress.enabled()

"""The results report as a reader sees it: opened in headless Chromium, every image loads, the
text is in the chosen language, and a commune page opens from it."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from khcadre_sim.cli import main

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("playwright") is None or not CHROMIUM.exists(),
    reason="needs playwright (pip install -e '.[dev]') and Debian's chromium")


@pytest.mark.parametrize(("lang", "words", "foreign"), [
    ("vi", ["Tóm tắt", "Thuật ngữ", "Dữ liệu cán bộ là dữ liệu mô phỏng"], "In short"),
    ("en", ["In short", "Glossary", "Staff data are synthetic"], "Tóm tắt"),
])
def test_report_opens_with_every_image_in_the_chosen_language(tmp_path: Path, lang, words,
                                                               foreign):
    from playwright.sync_api import sync_playwright

    out = tmp_path / "results"
    assert main(["run", "--out", str(out), "--lang", lang, "--quiet"]) == 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2000})
            page.goto((out / "index.html").as_uri())
            page.wait_for_load_state("load")
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.getAttribute('src'), e.complete, e.naturalWidth])")
            assert len(images) >= 12
            broken = [src for src, complete, width in images if not complete or width == 0]
            assert not broken, broken
            assert page.get_attribute("html", "lang") == lang
            text = page.inner_text("body")
            for word in words:
                assert word in text
            assert foreign not in text
            shots = os.environ.get("KHCADRE_SCREENSHOTS")
            page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
            page.click("text=" + ("Phường Nha Trang" if lang == "vi" else "Phường Nha Trang"))
            page.wait_for_load_state("load")
            assert "Phường Nha Trang" in page.inner_text("h2")
            page.screenshot(path=str(tmp_path / "commune.png"), full_page=False)
            if shots and lang == "vi":
                Path(shots).mkdir(parents=True, exist_ok=True)
                shutil.copy(tmp_path / "report.png", Path(shots) / "report.png")
                shutil.copy(tmp_path / "commune.png", Path(shots) / "report_commune.png")
        finally:
            browser.close()

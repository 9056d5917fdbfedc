"""The projection's mid-term (end of 2027) and final (2030) reports, written from small contract
tables built by hand (tests/projection_tables.py: 2 scenarios × 2026–2030, 3 targets)."""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path

import projection_tables as pt  # tests/projection_tables.py
import pytest

from khcadre_sim.projection import words
from khcadre_sim.projection.indicators import INDICATORS
from khcadre_sim.projection.report import write_reports

PNG = b"\x89PNG\r\n\x1a\n"


def _text(path: Path) -> str:
    """The visible text of a page: no style block, no tags, entities decoded."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for lang in ("vi", "en"):
        folder = tmp_path_factory.mktemp(f"projection_{lang}")
        written = write_reports(folder, pt.bands(), pt.targets(), pt.meta(), lang)
        assert {p.name for p in written} >= {"midterm_2027.html", "final_2030.html"}
        assert all(p.is_file() for p in written)
        out[lang] = folder
    return out


def test_both_reports_and_their_figures_exist(reports):
    for folder in reports.values():
        for stem in ("midterm_2027", "final_2030"):
            page = (folder / f"{stem}.html").read_text(encoding="utf-8")
            images = re.findall(r'<img src="([^"]+)"', page)
            assert len(images) == 3
            for src in images:
                assert (folder / src).read_bytes()[:8] == PNG
            assert "<script" not in page and "http" not in page  # offline, self-contained


def test_targets_in_the_resolutions_words_met_or_not_by_year(reports):
    final = _text(reports["vi"] / "final_2030.html")
    assert ("100% cán bộ, công chức cơ sở được rà soát theo khung năng lực vị trí việc làm"
            in final)
    # training-first: reviewed 1.0 from 2028, trained 1.0 from 2029, female 0.20 > 0.19 from 2028
    assert "Kịch bản training-first: Đạt tất cả 3 mục tiêu từ năm 2029" in final
    # incentive-heavy in 2030: reviewed 1.0 (met), trained 0.6 (not), female 0.23 (met)
    trained = INDICATORS["trained_share"][0]  # the projection's own label
    assert f"incentive-heavy: Đến hết năm 2030 đạt 2/3 mục tiêu; chưa đạt: {trained}" in final
    assert "−40,0 điểm %" in final  # 0.6 − 1.0 in percentage points
    assert "±0,0 điểm %" in final  # training-first meets 100% exactly in 2029
    assert "25% số lần mô phỏng đạt" in final and "100% số lần mô phỏng đạt" in final
    assert final.count("✓ Đạt") > 0 and final.count("✗ Chưa đạt") > 0
    # the "tăng tỷ lệ" target has no number in the resolution: higher than the 2026 value
    assert "> 19,0% (cao hơn mức năm 2026)" in final


def test_midterm_stops_at_the_end_of_2027(reports):
    page = (reports["vi"] / "midterm_2027.html").read_text(encoding="utf-8")
    assert "<th>2027</th>" in page and "<th>2028</th>" not in page
    text = _text(reports["vi"] / "midterm_2027.html")
    assert "Sơ kết 2 năm" in text and "sau 2 năm triển khai" in text
    assert "training-first: Đến hết năm 2027 đạt 0/3 mục tiêu" in text
    assert "incentive-heavy: Đến hết năm 2027 đạt 1/3 mục tiêu" in text  # the female share
    assert "Tổng kết cuối nhiệm kỳ" in text  # the link to the other report
    assert 'href="final_2030.html"' in page


def test_cost_year_by_year_in_ty_dong_against_the_ceiling(reports):
    final = _text(reports["vi"] / "final_2030.html")
    # training-first: training 4+5+5+4+3 = 21, incentives 2+5+5+5+4 = 21, total 42 tỷ đồng
    assert "tổng chi phí 2026–2030 khoảng 42,0 tỷ đồng" in final
    # incentive-heavy: 5 + 90 = 95; 25 > 22.2 in 2028 only
    assert "tổng chi phí 2026–2030 khoảng 95,0 tỷ đồng" in final
    assert "chi hỗ trợ vượt trần hỗ trợ vào năm 2028." in final
    assert "chi hỗ trợ trong trần mọi năm" in final
    assert "Tổng (tỷ đồng)" in final and "Trần hỗ trợ (tỷ đồng)" in final
    assert "25,0 (22,5–27,5)" in final  # P50 (P5–P95) of 2028's incentive spending
    en = _text(reports["en"] / "final_2030.html")
    assert "total cost 2026–2030 about 95.0 bn VND" in en
    assert "Total (bn VND)" in en


def test_shares_are_shown_in_percent(reports):
    final = _text(reports["vi"] / "final_2030.html")
    assert "60,0% (54,0–66,0)" in final  # incentive-heavy trained share in 2030
    assert "0.6" not in final


def _fixed_words(lang: str) -> list[str]:
    """Every fixed text of the reports in ``lang`` that differs in the other language."""
    i, j = (0, 1) if lang == "vi" else (1, 0)
    pairs = [*words.WORDS.values(), *(t for t, _ in words.GLOSSARY),
             *(d for _, d in words.GLOSSARY), *words.UNIT_WORDS.values(),
             *((a, b) for a, b, _ in words.FALLBACK_INDICATORS.values())]
    out = []
    for pair in pairs:
        if pair[i] == pair[j]:
            continue
        # placeholders split a text; keep pieces long enough to be telling
        out += [p.strip() for p in re.split(r"\{[a-z0-9_]+\}", pair[i]) if len(p.strip()) > 6]
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_page_speaks_only_its_language(reports, lang):
    other = "en" if lang == "vi" else "vi"
    for stem in ("midterm_2027", "final_2030"):
        page = (reports[lang] / f"{stem}.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in page
        text = _text(reports[lang] / f"{stem}.html")
        foreign = [w for w in _fixed_words(other) if w in text]
        assert not foreign, foreign


def test_target_words_given_in_meta_are_used(tmp_path):
    meta = {**pt.meta(), "targets": {"trained_100": {
        "text_vi": "Phấn đấu 100% cán bộ, công chức cơ sở được cập nhật kiến thức, kỹ năng mới",
        "text_en": "Strive for 100% updated"}}}
    write_reports(tmp_path, pt.bands(), pt.targets(), meta, "en")
    assert "Strive for 100% updated" in _text(tmp_path / "final_2030.html")


def test_empty_targets_and_bad_inputs(tmp_path):
    empty = pt.targets().iloc[0:0]
    written = write_reports(tmp_path, pt.bands(), empty, pt.meta(), "vi")
    assert "Không có mục tiêu nào" in _text(tmp_path / "final_2030.html")
    assert not any("targets.png" in p.name for p in written)
    with pytest.raises(ValueError, match="lang"):
        write_reports(tmp_path, pt.bands(), pt.targets(), pt.meta(), "fr")
    with pytest.raises(ValueError, match="p50"):
        write_reports(tmp_path, pt.bands().drop(columns="p50"), pt.targets(), pt.meta())


def test_labels_come_from_the_projections_indicators_and_fall_back_to_the_id():
    assert words.indicator_label("vacancies", "vi") == INDICATORS["vacancies"][0]
    assert words.indicator_label("vacancies", "en") == INDICATORS["vacancies"][1]
    assert words.indicator_label("an_indicator_nobody_knows", "vi") == "an_indicator_nobody_knows"
    assert words.shown("total_cost_vnd", 12_345_000_000.0, "vi") == "12,3 tỷ đồng"
    assert words.shown("trained_share", 0.853, "en") == "85.3%"
    assert words.number(1234.5, "vi") == "1.234,5"


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(importlib.util.find_spec("playwright") is None or not CHROMIUM.exists(),
                    reason="needs playwright (pip install -e '.[dev]') and Debian's chromium")
def test_reports_open_in_a_browser_with_every_image(reports):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM),
                                     args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            for lang, folder in reports.items():
                for stem in ("midterm_2027", "final_2030"):
                    page.goto((folder / f"{stem}.html").as_uri())
                    page.wait_for_load_state("load")
                    images = page.eval_on_selector_all(
                        "img", "els => els.map(e => [e.getAttribute('src'), e.complete, "
                        "e.naturalWidth])")
                    assert len(images) == 3
                    assert not [s for s, ok, w in images if not ok or w == 0]
                    assert page.get_attribute("html", "lang") == lang
        finally:
            browser.close()


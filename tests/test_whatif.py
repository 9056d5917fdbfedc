"""The what-if page: its pure part (widget values → scenario overrides → incentive runs →
tables) without a browser, and the served page end to end in headless Chromium."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

import khcadre_sim as kh
from khcadre_sim.labels import label
from khcadre_sim.whatif import (
    DRAWS,
    RATE_KEYS,
    BudgetInputs,
    Workbench,
    budget_figures,
    budget_summary,
    commune_choices,
    commune_facts,
    commune_sections,
    compute,
    year_table,
)
from khcadre_sim.whatif.model import slider_range

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def base() -> kh.Scenario:
    return kh.load_scenario()


@pytest.fixture(scope="module")
def small() -> kh.Province:
    return kh.examples.small_province(8, 1)


@pytest.fixture(scope="module")
def bench(small: kh.Province, base: kh.Scenario) -> Workbench:
    return Workbench.build(small, base)


# ------------------------------------------------------------- widget values → overrides

def test_starting_values_are_the_scenarios(base: kh.Scenario) -> None:
    inputs = BudgetInputs.from_scenario(base)
    lever = base.levers["incentives"]
    assert inputs.commune_cap_share == lever["commune_cap_share"] == 0.10
    assert inputs.province_cap_share == lever["province_cap_share"]
    assert [p.id for p in inputs.programmes] == [p["id"] for p in lever["programmes"]]
    assert [p.commitment_months for p in inputs.programmes] == [60, 36]
    assert all(p.monthly_factor == 1 and p.one_off_factor == 1 for p in inputs.programmes)
    assert [k for k, _ in inputs.rates] == list(RATE_KEYS)
    assert inputs.rate("acceptance_recruit") == 0.7
    # unchanged values give back the same scenario
    same = base.with_overrides(inputs.overrides(base))
    assert same.levers == base.levers and same.uncertainties == base.uncertainties


def test_overrides_map_each_widget_to_its_key(base: kh.Scenario) -> None:
    inputs = (BudgetInputs.from_scenario(base)
              .with_value("commune_cap_share", 0.2)
              .with_value("monthly_factor", 1.5, programme="recruit_new_work")
              .with_value("one_off_factor", 0.5, programme="recruit_new_work")
              .with_value("commitment_months", 84, programme="support_existing")
              .with_value("quit_monthly_recruit", 0.004))
    over = inputs.overrides(base)
    assert over["levers.incentives.commune_cap_share"] == 0.2
    assert over["levers.incentives.province_cap_share"] == 0.08
    assert over["uncertainties.incentives.quit_monthly_recruit"] == 0.004
    assert over["uncertainties.incentives.acceptance_recruit"] == 0.7
    recruit, existing = over["levers.incentives.programmes"]
    # 2 × base salary a month × 1.5 = 3; 60 × base salary one-off × 0.5 = 30
    assert (recruit["monthly"], recruit["one_off"], recruit["commitment_months"]) == (3.0, 30.0,
                                                                                      60)
    assert (existing["monthly"], existing["one_off"], existing["commitment_months"]) == (1.0, 0.0,
                                                                                         84)
    # the rest of each programme's table is the scenario's, and the scenario is not changed
    assert recruit["fields"] == base.levers["incentives"]["programmes"][0]["fields"]
    assert base.levers["incentives"]["programmes"][0]["monthly"] == 2.0
    changed = base.with_overrides(over)
    assert changed.levers["incentives"]["programmes"][0]["monthly"] == 3.0
    assert changed.levers["incentives"]["programmes"][1]["commitment_months"] == 84
    assert changed.uncertainties["incentives"]["quit_monthly_recruit"] == 0.004


def test_slider_ranges_come_from_the_key_table() -> None:
    assert slider_range("acceptance_recruit", 0.7) == (0.5, 0.9, 0.01)
    start, end, step = slider_range("acceptance_recruit", 0.95)  # widened to show the value
    assert (start, end) == (0.5, 0.95)
    assert slider_range("evaluation_terminate", 0.05)[:2] == (0.02, 0.1)


# ------------------------------------------------------------------------------ runs

def test_no_support_costs_nothing_and_double_support_costs_double(
        bench: Workbench, small: kh.Province, base: kh.Scenario) -> None:
    start = budget_figures(bench.start.result)
    assert start["expected_net_total"] > 0 and start["granted"] > 0
    zero, double = BudgetInputs.from_scenario(base), BudgetInputs.from_scenario(base)
    for p in zero.programmes:
        zero = zero.with_value("monthly_factor", 0.0, p.id).with_value("one_off_factor", 0.0,
                                                                         p.id)
        double = double.with_value("monthly_factor", 2.0, p.id).with_value("one_off_factor", 2.0,
                                                                             p.id)
    none = budget_figures(compute(small, base, zero).result)
    assert none["expected_net_total"] == 0 and none["worst_p95_net"] == 0
    assert none["granted"] == start["granted"]  # amounts change costs, not places
    twice = budget_figures(compute(small, base, double).result)
    # every payment and refund is linear in the amounts and the expectation is exact
    assert twice["expected_net_total"] == pytest.approx(2 * start["expected_net_total"],
                                                        rel=1e-12)
    assert twice["granted"] == start["granted"]


def test_commune_cap_zero_grants_no_place(bench: Workbench, base: kh.Scenario) -> None:
    inputs = BudgetInputs.from_scenario(base).with_value("commune_cap_share", 0.0)
    figures = budget_figures(bench.compute(inputs).result)
    assert figures["granted"] == 0 and figures["expected_net_total"] == 0
    assert figures["waitlisted"] > 0


def test_a_rejected_value_gives_the_key_tables_error_line(bench: Workbench,
                                                          base: kh.Scenario) -> None:
    bad = BudgetInputs.from_scenario(base).with_value("acceptance_recruit", 1.5)
    outcome = bench.compute(bad, "vi")
    assert not outcome.ok and outcome.result is None
    (line,) = outcome.errors
    assert line.startswith("trang thử giả định, column 'uncertainties.incentives."
                           "acceptance_recruit': 1.5 is out of range — fix: ")
    assert "trang thử giả định" not in " ".join(bench.compute(bad, "en").errors)
    months = BudgetInputs.from_scenario(base).with_value("commitment_months", 0,
                                                         programme="recruit_new_work")
    assert "commitment_months" in bench.compute(months).errors[0]
    assert bad not in bench._cache  # errors are not kept (they are in the visitor's language)


def test_the_same_inputs_are_computed_once(bench: Workbench, base: kh.Scenario) -> None:
    inputs = BudgetInputs.from_scenario(base).with_value("province_cap_share", 0.05)
    first = bench.compute(inputs)
    assert bench.compute(replace(inputs)) is first
    assert bench.compute(BudgetInputs.from_scenario(base)) is bench.start


def test_budget_tables_in_both_languages(bench: Workbench) -> None:
    ceiling = bench.start.result.tables()["ceiling"]
    vi = budget_summary(bench.start, bench.start, "vi")
    assert list(vi.columns) == ["Chỉ tiêu", "Giá trị", "Kịch bản ban đầu"]
    assert vi.iloc[0, 0] == "Chi phí ròng kỳ vọng 2026–2030 (tỷ đồng)"
    assert vi.iloc[0, 1] == f"{ceiling['expected_net'].sum() / 1e9:,.1f}"
    assert vi.iloc[3, 1] == f"{ceiling['p_breach'].max():.1%}"
    en = budget_summary(bench.start, None, "en")
    assert list(en.columns) == ["Measure", "Value"]
    years = year_table(bench.start.result, "en")
    assert list(years["Year"]) == [str(y) for y in range(2026, 2031)]
    assert years["Budget ceiling"].tolist() == [f"{c / 1e9:,.2f}" for c in ceiling["ceiling"]]
    assert bench.start.result.budget.draws == DRAWS


# ------------------------------------------------------------------------ communes

def test_commune_choices_and_facts_keep_vietnamese_names() -> None:
    province = kh.load_province()
    choices = commune_choices(province)
    assert len(choices) == 65 and choices["Xã Cam Hiệp"] == "22435"
    row = province.territories.set_index("territory_id").loc["22435"]
    facts = dict(commune_facts(province, "22435", "vi").itertuples(index=False))
    assert facts["Đơn vị"] == "Xã Cam Hiệp" and facts["Loại đơn vị"] == "Xã"
    assert facts["Loại địa bàn"] == label(row["area_class"], "vi")
    assert facts["Số vị trí việc làm"] == str(
        int((province.positions["territory_id"] == "22435").sum()))


def test_commune_sections_take_each_capabilitys_tables(bench: Workbench,
                                                       small: kh.Province) -> None:
    tid = small.territories["territory_id"].iloc[0]
    sections = commune_sections(bench, tid, "vi")
    assert [s["name"] for s in sections] == [c.name for c in kh.REGISTRY]
    review = sections[0]
    expected = bench.results["review"].commune_tables(tid, "vi")
    assert [b["caption"] for b in review["tables"]] == list(expected)
    staff = review["tables"][0]["table"]
    assert label("office", "vi") in staff.columns  # headers translated
    assert int(staff[label("staff", "vi")].astype(int).sum()) == len(
        bench.results["review"].people.query("territory_id == @tid"))


def test_bad_start_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("panel", reason="the what-if page needs panel (pip install khcadre[app])")
    from khcadre_sim.whatif.cli import main

    assert main(["--scenario", str(tmp_path / "missing.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "scenario file not found" in err[0]
    with pytest.raises(SystemExit) as stop:
        main(["--port", "0"])
    assert stop.value.code == 2


# ------------------------------------------------------------------- end to end, in Chromium

def _browser_missing() -> str:
    for module in ("panel", "playwright"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_served(server: subprocess.Popen, url: str, log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the page server stopped (exit {server.returncode}): "
                                 f"{log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:
            if answer.status == 200:
                return
        time.sleep(0.3)
    raise AssertionError(f"the page server did not answer {url} within {seconds:.0f} s: "
                         f"{log.read_text(errors='replace')}")


def _keep(shot: Path, name: str) -> None:
    """Copy a screenshot to $KHCADRE_SCREENSHOTS (e.g. docs/screenshots) when it is set."""
    folder = os.environ.get("KHCADRE_SCREENSHOTS")
    if folder:
        target = Path(folder) if Path(folder).is_absolute() else ROOT / folder
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target / name)


@pytest.mark.skipif(bool(_browser_missing()), reason=_browser_missing() or "ready")
def test_page_in_a_browser(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path / "server.log"
    with log.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "khcadre_sim.whatif", "--port", str(port)], cwd=tmp_path,
            stdout=sink, stderr=subprocess.STDOUT)
    try:
        _wait_until_served(server, url, log, 180)  # a busy machine is slow to start
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync"])
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                hosts: set[str] = set()
                page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
                page.goto(url)
                summary = page.locator(".whatif-summary table")
                expect(summary).to_contain_text("Chi phí ròng kỳ vọng 2026–2030", timeout=30_000)
                expect(page.get_by_text("Kinh phí thu hút, hỗ trợ").first).to_be_visible()
                first_total = _expected_total(summary)
                page.screenshot(path=tmp_path / "whatif_budget_start.png", full_page=True)

                # move the commune cap slider to the right: more places, a higher total
                handle = page.locator(".whatif-commune-cap-share .noUi-handle")
                box = handle.bounding_box()
                assert box is not None
                x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
                page.mouse.move(x, y)
                page.mouse.down()
                page.mouse.move(x + 60, y, steps=6)
                page.mouse.up()
                moved = _changed(lambda: _expected_total(summary), first_total, 30)
                page.mouse.move(0, 0)  # no slider tooltip on the screenshot
                assert float(moved.replace(",", "")) > float(first_total.replace(",", ""))
                shot = tmp_path / "whatif_budget.png"
                page.screenshot(path=shot, full_page=True)
                _keep(shot, "whatif_budget.png")

                # a value the key table rejects: its error line on the page, nothing breaks
                box_input = page.locator(".whatif-commune-cap-share input").first
                box_input.fill("1.5")
                box_input.press("Enter")
                error = page.locator(".whatif-error")
                expect(error).to_contain_text("levers.incentives.commune_cap_share",
                                              timeout=15_000)
                expect(error).to_contain_text("1.5 is out of range")
                assert _expected_total(summary) == moved  # the last valid run stays shown
                shot = tmp_path / "whatif_budget_error.png"
                page.screenshot(path=shot, full_page=True)

                # back to the starting scenario: its total again, no error
                page.locator(".whatif-reset button").click()
                summary = page.locator(".whatif-summary table")
                _changed(lambda: _expected_total(summary), moved, 30)
                assert _expected_total(summary) == first_total
                expect(page.locator(".whatif-error")).to_be_hidden()

                # the commune explorer: pick a unit by its Vietnamese name
                page.get_by_text("Tra cứu xã, phường, đặc khu").first.click()
                page.locator(".whatif-commune-select select").select_option(label="Xã Cam Hiệp")
                facts = page.locator(".whatif-commune-facts table")
                expect(facts).to_contain_text("Xã Cam Hiệp", timeout=15_000)
                expect(facts).to_contain_text("22435")
                expect(page.get_by_text("Cán bộ theo cơ quan").first).to_be_visible()
                shot = tmp_path / "whatif_commune.png"
                page.screenshot(path=shot, full_page=True)
                _keep(shot, "whatif_commune.png")

                # English on request, the chosen unit kept
                page.get_by_text("English", exact=True).click()
                expect(page.locator(".whatif-commune-facts table")).to_contain_text(
                    "Kind of unit", timeout=15_000)
                expect(page.locator(".whatif-commune-facts table")).to_contain_text(
                    "Xã Cam Hiệp")
                page.screenshot(path=tmp_path / "whatif_commune_en.png", full_page=True)
                # the page loads nothing from outside the machine: it works offline
                assert hosts == {f"127.0.0.1:{port}"}
            finally:
                browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _expected_total(summary) -> str:  # noqa: ANN001 - a Playwright locator
    """The value cell of the summary's first row (expected net cost 2026–2030)."""
    return summary.locator("tbody tr").first.locator("td").nth(1).inner_text().strip()


def _changed(read, old: str, seconds: float) -> str:  # noqa: ANN001 - read() -> str
    """What ``read()`` gives once it differs from ``old`` (fails after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        now = read()
        if now != old:
            return now
        time.sleep(0.2)
    raise AssertionError(f"still {old!r} after {seconds:.0f} s")

"""The planner's and the budget officer's workbooks, reopened with openpyxl: sheets, headers
with units, the 2026–2030 total, print setup, language (khcadre_sim.workbooks)."""

from pathlib import Path

import pytest
from openpyxl import load_workbook

import khcadre_sim.incentives as inc
from khcadre_sim.cli import main
from khcadre_sim.io import load_province
from khcadre_sim.placement import api as placement_api
from khcadre_sim.review import api as review_api
from khcadre_sim.scenario import load_scenario
from khcadre_sim.solve import Status
from khcadre_sim.workbooks import (
    PLANNER_FILE,
    budget_table,
    status_label,
    vacancy_surplus_by_field,
    write_budget_workbook,
    write_planner_workbook,
)
from khcadre_sim.workload import api as workload_api

YEARS = [2026, 2027, 2028, 2029, 2030]


@pytest.fixture(scope="module")
def bundled():
    province, scenario = load_province(), load_scenario()
    meta = {"data": province.source, "synthetic_staff_data": province.synthetic,
            "scenario": scenario.name, "khcadre_version": "test"}
    return province, scenario, meta


@pytest.fixture(scope="module")
def budget(bundled):
    province, scenario, _ = bundled
    return inc.run(province, scenario, draws=400, curves=False)


@pytest.fixture(scope="module")
def planner_results(bundled):
    province, scenario, _ = bundled
    return {"review": review_api.run(province, scenario),
            "placement": placement_api.run(province, scenario),
            "workload": workload_api.run(province, scenario)}


def _header(ws, first: str):
    """The row number and cells of the header row starting with ``first``."""
    for row in ws.iter_rows():
        if row[0].value == first:
            return row[0].row, [c.value for c in row if c.value is not None]
    raise AssertionError(f"no header starting with {first!r} in {ws.title}")


def _assert_prints_on_a4_landscape(wb):
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.print_area and ws.freeze_panes, ws.title
        assert ws.print_title_rows, ws.title


def test_budget_table_totals_are_sums_and_bands_are_the_simulated_ones(budget):
    t = budget_table(budget)
    by = budget.budget.by_year.set_index(["measure", "programme", "year"])
    expected = t[t["band"] == "expected"]
    for row in expected.itertuples(index=False):
        years = [getattr(row, f"_{i}") for i in range(3, 8)]
        assert row.total == pytest.approx(sum(years), rel=1e-12)
    # the all-programmes row is the sum of the programmes, year by year
    net = expected[expected["measure"] == "net_cost"].set_index("programme")
    programmes = [p.id for p in budget.budget.design.programmes]
    for y in YEARS:
        assert net.loc["all", y] == pytest.approx(net.loc[programmes, y].sum(), rel=1e-9)
        assert net.loc["all", y] == pytest.approx(by.loc[("net_cost", "all", y), "expected"])
    # the P95 row shows the simulation's yearly P95
    p95 = t[(t["band"] == "p95")].set_index("programme")
    for y in YEARS:
        assert p95.loc["all", y] == pytest.approx(by.loc[("net_cost", "all", y), "p95"])


def test_budget_workbook_in_vietnamese(tmp_path: Path, budget, bundled):
    _, scenario, meta = bundled
    path = write_budget_workbook(budget, tmp_path / "incentives.xlsx", "vi", meta, scenario)
    wb = load_workbook(path)
    assert wb.sheetnames[:4] == ["Thông tin chung", "Dự toán theo năm", "Trần kinh phí",
                                 "Mức tối đa trong trần"]
    assert {"Theo xã", "Theo lĩnh vực", "Suất và danh sách chờ"} <= set(wb.sheetnames)
    _assert_prints_on_a4_landscape(wb)

    ws = wb["Dự toán theo năm"]
    r, header = _header(ws, "Chỉ tiêu")
    assert header == ["Chỉ tiêu", "Chương trình", *[f"{y} (triệu đồng)" for y in YEARS],
                      "Tổng 2026–2030 (triệu đồng)"]
    assert ws.freeze_panes == f"C{r + 1}"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=r + 1)]
    net_all = [x for x in rows if x[0] == "Chi phí ròng (kỳ vọng)" and x[1] ==
               "Tất cả chương trình"]
    assert len(net_all) == 1
    assert net_all[0][7] == pytest.approx(sum(net_all[0][2:7]), rel=1e-12)
    expected_net = budget.budget.view("net_cost")["expected"].sum() / 1e6
    assert net_all[0][7] == pytest.approx(expected_net, rel=1e-12)
    for row in rows:
        if "kỳ vọng" in row[0]:
            assert row[7] == pytest.approx(sum(row[2:7]), rel=1e-12)
    assert {x[0] for x in rows} >= {"Chi phí ròng P50 (trung vị)", "Chi phí ròng P95"}
    assert ws.cell(r + 1, 3).number_format == "#,##0.0"

    # every money header of the ceiling sheet names its unit
    ws = wb["Trần kinh phí"]
    _, header = _header(ws, "Năm")
    assert all("(tỷ đồng)" in h for h in header[1:5]) and header[5].endswith("(%)")

    # the solver's status is the Status vocabulary: never "solved" for an unproven answer
    ws = wb["Mức tối đa trong trần"]
    r, header = _header(ws, "Khoản hỗ trợ")
    status_col = header.index("Kết quả giải")
    shown = [row[status_col].value for row in ws.iter_rows(min_row=r + 1)]
    answers = [budget.answers["monthly"]] * 2 + [budget.answers["one_off"]] * 2
    assert shown == [status_label(a.status, "vi") for a in answers]
    assert not any("Đã giải" in str(c.value) for row in ws.iter_rows() for c in row)
    for a, text in zip(answers, shown, strict=True):
        if a.status is Status.FEASIBLE:
            assert "chưa chứng minh" in text

    # the cover: scenario file, data folder, synthetic flag, sourced parameters
    ws = wb["Thông tin chung"]
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert any(scenario.files[0] in c for c in cells)
    assert str(meta["data"]) in cells
    assert any("MÔ PHỎNG" in c for c in cells)
    assert "Decree 73/2024/NĐ-CP" in cells and "Lương cơ sở (base salary)" in cells
    assert "levers.incentives.commune_cap_share" in cells
    assert "Giả định của mô hình" in cells  # the assumption column of the parameters


def test_budget_workbook_in_english(tmp_path: Path, budget, bundled):
    _, scenario, meta = bundled
    wb = load_workbook(write_budget_workbook(budget, tmp_path / "b.xlsx", "en", meta, scenario))
    assert wb.sheetnames[:4] == ["Cover", "Budget by year", "Ceiling", "Largest within ceiling"]
    _, header = _header(wb["Budget by year"], "Measure")
    assert header[2:] == [*[f"{y} (million VND)" for y in YEARS],
                          "Total 2026–2030 (million VND)"]
    values = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
              if isinstance(c.value, str)}
    assert "Net cost (expected)" in values and "All programmes" in values
    assert not any("đồng" in v for v in values)


def test_planner_workbook(tmp_path: Path, planner_results, bundled):
    _, scenario, meta = bundled
    assert write_planner_workbook(planner_results, tmp_path, "vi", meta, scenario) == [
        "ke_hoach_can_bo.xlsx"]
    wb = load_workbook(tmp_path / "ke_hoach_can_bo.xlsx")
    assert wb.sheetnames == ["Thông tin chung", "Danh sách cảnh báo", "Phương án bố trí",
                             "Trống và dôi dư theo lĩnh vực", "Vị trí còn trống",
                             "Bảng WISN xã × lĩnh vực", "Thiếu hụt còn lại"]
    _assert_prints_on_a4_landscape(wb)
    review, placement = planner_results["review"], planner_results["placement"]

    ws = wb["Danh sách cảnh báo"]
    r, header = _header(ws, "Mã cán bộ")
    assert "Thiếu hụt có trọng số (điểm)" in header
    assert ws.max_row - r == len(review.warnings)
    assert ws.cell(r + 1, header.index("Mức độ") + 1).value in {"Nghiêm trọng", "Nhẹ"}

    ws = wb["Phương án bố trí"]
    r, header = _header(ws, "Mã cán bộ")
    ids = [row[0].value for row in ws.iter_rows(min_row=r + 1)]
    assert len(ids) == len(placement.assignments) and all(i.startswith("SYN-") for i in ids)
    assert ws.cell(r + 1, header.index("Thay đổi") + 1).value == "Chuyển vị trí"  # moves first

    table = vacancy_surplus_by_field(placement)
    assert table["vacancies"].sum() == len(placement.vacancies)
    ws = wb["Trống và dôi dư theo lĩnh vực"]
    r, header = _header(ws, "Lĩnh vực")
    assert header[1] == "Vị trí còn trống (vị trí)"
    assert sum(row[1].value for row in ws.iter_rows(min_row=r + 1)) == len(placement.vacancies)

    ws = wb["Bảng WISN xã × lĩnh vực"]
    r, header = _header(ws, "Mã đơn vị")
    assert {"Cần (FTE)", "Số hồ sơ, công việc (hồ sơ/năm)", "Thiếu hụt (FTE)"} <= set(header)
    workload = planner_results["workload"]
    assert ws.max_row - r == len(workload.before.commune_field)

    wb_en = write_planner_workbook(planner_results, tmp_path, "en", meta, scenario)
    assert wb_en == [PLANNER_FILE["en"]]
    wb = load_workbook(tmp_path / "staffing_plan.xlsx")
    assert wb.sheetnames[:2] == ["Cover", "Warning list"]
    _, header = _header(wb["Warning list"], "Staff ID")
    assert "Weighted gap (points)" in header


def test_planner_workbook_without_planner_results_is_not_written(tmp_path: Path, budget):
    assert write_planner_workbook({"incentives": budget}, tmp_path, "vi") == []
    assert not list(tmp_path.iterdir())


def test_commands_write_their_workbooks(tmp_path: Path, capsys):
    out = tmp_path / "inc"
    assert main(["incentives", "--draws", "200", "--no-curves", "--lang", "en",
                 "--out", str(out)]) == 0
    wb = load_workbook(out / "incentives.xlsx")
    assert wb.sheetnames[0] == "Cover"
    assert not (out / "ke_hoach_can_bo.xlsx").exists()  # nothing for the planner here
    out = tmp_path / "rev"
    assert main(["review", "--out", str(out)]) == 0
    wb = load_workbook(out / "ke_hoach_can_bo.xlsx")
    assert wb.sheetnames == ["Thông tin chung", "Danh sách cảnh báo"]


def _subparsers(parser):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def test_every_option_of_every_command_has_help():
    from khcadre_sim.cli import build_parser

    for name, sub in _subparsers(build_parser()):
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"khcadre {name} {action.option_strings[0]} has no help"


def test_console_messages_follow_lang(tmp_path: Path, capsys):
    out = tmp_path / "syn"
    assert main(["synth", "--seed", "3", "--scale", "0.3", "--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"đã ghi tỉnh mô phỏng vào {out}")
    assert main(["synth", "--seed", "3", "--scale", "0.3", "--lang", "en", "--out",
                 str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote synthetic province to {out}")

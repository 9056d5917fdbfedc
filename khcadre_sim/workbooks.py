"""The two workbooks people open as they are: the planner's and the budget officer's.

* **The planner's workbook** (``ke_hoach_can_bo.xlsx``; ``staffing_plan.xlsx`` in English):
  the warning list of the competency review, the placement list (pseudonymous IDs only), posts
  left vacant and people left without a post by field, the WISN table per commune and field,
  and the residual shortage that recruitment must close — each from the public tables of the
  capability results that are present.
* **The budget officer's workbook** (``incentives.xlsx``): laid out as a budget — a cover sheet
  (scenario file, date, data folder, synthetic flag, assumptions with their sources), the year ×
  programme table with the 2026–2030 total, the ceiling and the ceiling solver's answers in the
  one :class:`~khcadre_sim.solve.Status` vocabulary, and the detail views.

Every sheet: a title row, one header row in the chosen language with the unit in every header
of a quantity (đồng / triệu đồng / tỷ đồng, people, points, FTE …), frozen panes under the
header, column widths, number formats, A4 landscape printing fitted to the page width with the
header repeated on every page. Text goes through :func:`khcadre_sim.report.set_cell`, so a name
starting with ``=`` stays text. Nothing here models anything: it lays out results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from .labels import LANGS, label, translator
from .report import set_cell

PLANNER_FILE = {"vi": "ke_hoach_can_bo.xlsx", "en": "staffing_plan.xlsx"}
BUDGET_FILE = "incentives.xlsx"

# unit key → (Vietnamese, English) as shown in headers
UNITS: dict[str, tuple[str, str]] = {
    "dong": ("đồng", "VND"),
    "trieu": ("triệu đồng", "million VND"),
    "ty": ("tỷ đồng", "billion VND"),
    "people": ("người", "people"),
    "places": ("suất", "places"),
    "posts": ("vị trí", "posts"),
    "points": ("điểm", "points"),
    "km": ("km", "km"),
    "fte": ("FTE", "FTE"),
    "pct": ("%", "%"),
    "factor": ("lần", "×"),
    "ratio": ("1,0 = vừa đủ", "1.0 = just right"),
    "cases": ("hồ sơ/năm", "cases/year"),
    "minutes": ("phút/hồ sơ", "minutes/case"),
    "months": ("tháng", "months"),
}
SCALE = {"dong": 1.0, "trieu": 1e6, "ty": 1e9}
MONEY_FORMAT = {"dong": "#,##0", "trieu": "#,##0.0", "ty": "#,##0.00"}

WORDS: dict[str, tuple[str, str]] = {
    # sheet names (≤ 31 characters)
    "cover": ("Thông tin chung", "Cover"),
    "budget": ("Dự toán theo năm", "Budget by year"),
    "ceiling": ("Trần kinh phí", "Ceiling"),
    "solver": ("Mức tối đa trong trần", "Largest within ceiling"),
    "by_commune": ("Theo xã", "By commune"),
    "by_field": ("Theo lĩnh vực", "By field"),
    "places": ("Suất và danh sách chờ", "Places and waitlist"),
    "per_retained": ("Chi phí mỗi người ở lại", "Cost per retained"),
    "curve_cap": ("Chi phí theo trần xã", "Cost vs commune cap"),
    "curve_amount": ("Chi phí theo mức hỗ trợ", "Cost vs amount"),
    "sensitivity": ("Độ nhạy", "Sensitivity"),
    "detail": ("Số liệu chi tiết theo năm", "Detail by year"),
    "warnings": ("Danh sách cảnh báo", "Warning list"),
    "placement": ("Phương án bố trí", "Placement list"),
    "vacancy_surplus": ("Trống và dôi dư theo lĩnh vực", "Vacant and surplus by field"),
    "vacancies": ("Vị trí còn trống", "Vacant posts"),
    "wisn": ("Bảng WISN xã × lĩnh vực", "WISN by commune and field"),
    "shortage": ("Thiếu hụt còn lại", "Residual shortage"),
    # titles
    "budget_title": ("Dự toán kinh phí thu hút, hỗ trợ nhân lực cấp xã 2026–2030",
                     "Commune-level talent attraction and support budget 2026–2030"),
    "planner_title": ("Kế hoạch cán bộ, công chức cấp xã 2026–2030",
                      "Commune-level staffing plan 2026–2030"),
    "budget_table": ("Chi phí theo năm và chương trình (triệu đồng)",
                     "Cost by year and programme (million VND)"),
    "ceiling_title": ("Chi phí ròng so với trần kinh phí hằng năm (tỷ đồng)",
                      "Net cost against the yearly ceiling (billion VND)"),
    "solver_title": ("Mức hỗ trợ lớn nhất để chi phí ròng P95 không vượt trần",
                     "Largest support whose P95 net cost stays within the ceiling"),
    "by_commune_title": ("Chi phí ròng kỳ vọng theo xã, mọi chương trình (triệu đồng)",
                         "Expected net cost by commune, all programmes (million VND)"),
    "by_field_title": ("Chi phí ròng kỳ vọng theo lĩnh vực, mọi chương trình (triệu đồng)",
                       "Expected net cost by field, all programmes (million VND)"),
    "places_title": ("Suất hỗ trợ được duyệt và danh sách chờ", "Places granted and waitlist"),
    "per_retained_title": ("Chi phí cả thời gian cam kết cho mỗi người ở lại hết cam kết",
                           "Cost over the whole commitment per person retained to its end"),
    "curve_cap_title": ("Chi phí ròng theo tỷ lệ tối đa người hưởng mỗi xã",
                        "Net cost against the per-commune cap share"),
    "curve_amount_title": ("Chi phí ròng theo hệ số mức hỗ trợ hằng tháng",
                           "Net cost against the monthly amount factor"),
    "sensitivity_title": ("Độ nhạy của chi phí ròng 2026–2030 theo từng tham số bất định",
                          "Sensitivity of the 2026–2030 net cost to each uncertain rate"),
    "detail_title": ("Mọi chỉ tiêu theo năm và chương trình (kỳ vọng chính xác, P5, P50, P95)",
                     "Every measure by year and programme (exact expectation, P5, P50, P95)"),
    "warnings_title": ("Danh sách cảnh báo: người chưa đạt chuẩn vị trí, nặng nhất trước",
                       "Warning list: people below their post's standard, worst first"),
    "placement_title": ("Phương án bố trí (mã cán bộ bút danh; thay đổi trước)",
                        "Placement list (pseudonymous staff IDs; changes first)"),
    "vacancy_surplus_title": ("Vị trí còn trống và người dôi dư theo lĩnh vực sau bố trí",
                              "Posts left vacant and people without a post, by field"),
    "vacancies_title": ("Vị trí còn trống sau bố trí", "Posts vacant after placement"),
    "wisn_title": ("Khối lượng công việc theo phương pháp WISN, theo xã và lĩnh vực",
                   "WISN workload by commune and field"),
    "shortage_title": ("Thiếu hụt còn lại sau điều chỉnh, cần tuyển dụng (FTE)",
                       "Shortage left after rebalancing, for recruitment (FTE)"),
    # cover sheet
    "scenario": ("Kịch bản", "Scenario"),
    "scenario_files": ("Tệp kịch bản", "Scenario files"),
    "made_on": ("Ngày lập", "Made on"),
    "data_folder": ("Thư mục dữ liệu", "Data folder"),
    "staff_data": ("Dữ liệu cán bộ", "Staff data"),
    "synthetic": ("MÔ PHỎNG (tổng hợp, có gieo số ngẫu nhiên) — không phải người thật",
                  "SYNTHETIC (seeded) — not real people"),
    "real": ("Dữ liệu do đơn vị cung cấp", "Provided by the user"),
    "seed": ("Hạt giống ngẫu nhiên", "Random seed"),
    "draws": ("Số lần mô phỏng Monte Carlo", "Monte Carlo draws"),
    "version": ("Phiên bản khcadre", "khcadre version"),
    "sheets": ("Các trang tính", "Sheets"),
    "parameters": ("Tham số chính sách theo ngày áp dụng (data/policy/parameters.toml)",
                   "Dated policy parameters (data/policy/parameters.toml)"),
    "scenario_keys": ("Giả định của kịch bản (đòn bẩy, tham số bất định, hằng số)",
                      "The scenario's assumptions (levers, uncertain rates, constants)"),
    "programmes": ("Các chương trình hỗ trợ", "Support programmes"),
    "item": ("Mục", "Item"),
    "value": ("Giá trị", "Value"),
    "parameter": ("Tham số", "Parameter"),
    "from": ("Áp dụng từ", "From"),
    "unit": ("Đơn vị", "Unit"),
    "source": ("Nguồn", "Source"),
    "assumption": ("Giả định của mô hình", "Modelling assumption"),
    "key": ("Khóa", "Key"),
    "kind": ("Loại", "Kind"),
    "meaning": ("Ý nghĩa", "Meaning"),
    "file": ("Tệp", "File"),
    "yes": ("Có", "Yes"),
    "measure": ("Chỉ tiêu", "Measure"),
    "programme": ("Chương trình", "Programme"),
    "total": ("Tổng 2026–2030", "Total 2026–2030"),
    "all": ("Tất cả chương trình", "All programmes"),
    "expected": ("kỳ vọng", "expected"),
    "net_p50": ("Chi phí ròng P50 (trung vị)", "Net cost P50 (median)"),
    "net_p95": ("Chi phí ròng P95", "Net cost P95"),
    "levers": ("Đòn bẩy", "Lever"),
    "uncertainties": ("Bất định", "Uncertain"),
    "constants": ("Hằng số", "Constant"),
    "no_scenario": ("(không có kịch bản kèm theo kết quả này)",
                    "(no scenario was given with this result)"),
    "commune": ("Xã, phường, đặc khu", "Commune-level unit"),
    # notes
    "budget_note": ("Tiền danh nghĩa. Dòng “kỳ vọng” là giá trị kỳ vọng chính xác (chuỗi Markov "
                    "theo tháng); cột tổng = tổng các năm. Dòng P50/P95: phân vị của mô phỏng "
                    "Monte Carlo; cột tổng của dòng P50/P95 là phân vị của tổng 5 năm, không "
                    "phải tổng các phân vị năm.",
                    "Nominal money. “Expected” rows are the exact expectation (monthly Markov "
                    "chain); their total column is the sum of the years. P50/P95 rows are "
                    "Monte Carlo percentiles; their total is the percentile of the five-year "
                    "sum, not the sum of the yearly percentiles."),
    "ceiling_note": ("Trần = tỷ lệ quỹ lương dành cho thu hút nhân tài × quỹ lương ước tính "
                     "(Kết luận 205-KL/TW; dùng làm trần của tỉnh là giả định của mô hình).",
                     "Ceiling = the talent share of the salary fund × the estimated salary fund "
                     "(Conclusion 205-KL/TW; using it as this province's ceiling is a modelling "
                     "assumption)."),
    "solver_note": ("“Tối ưu” chỉ khi đã chứng minh là lớn nhất; “vừa trần, chưa chứng minh” "
                    "nghĩa là mức này không vượt trần nhưng có thể còn mức lớn hơn.",
                    "“Optimal” only when proven the largest; “fits, not proven the largest” "
                    "means this level stays within the ceiling but a larger one may too."),
    "surplus_note": ("Người dôi dư được tính ở mỗi lĩnh vực chuyên môn của họ (một người có thể "
                     "có nhiều lĩnh vực).", "People without a post are counted in each of their "
                     "qualified fields (a person may have several)."),
    "synthetic_banner": ("Dữ liệu cán bộ là dữ liệu mô phỏng, không phải người thật.",
                         "Staff data are synthetic, not real people."),
    # placement changes, workload status, shortage reasons, status vocabulary
    "moves": ("Chuyển vị trí", "Moves"),
    "placed": ("Mới bố trí", "Newly placed"),
    "stays": ("Giữ nguyên", "Stays"),
    "removed": ("Không còn vị trí", "Left without a post"),
    "unplaced": ("Chưa bố trí", "Unplaced"),
    "over": ("Quá tải", "Overloaded"),
    "under": ("Dưới tải", "Underloaded"),
    "ok": ("Bình thường", "Within range"),
    "overload_after_rebalance": ("Quá tải sau điều chỉnh", "Overload after rebalancing"),
    "uncovered": ("Không ai đủ chuyên môn", "No qualified person"),
    "major": ("Nghiêm trọng", "Major"),
    "minor": ("Nhẹ", "Minor"),
}
word = translator(WORDS)


def status_label(status: str, lang: str = "vi") -> str:
    """A :class:`~khcadre_sim.solve.Status` in words, the same words as the HTML report."""
    from .htmlreport import STATUS_TEXT

    entry = STATUS_TEXT.get(str(status))
    return str(status) if entry is None else entry[1 if lang == "vi" else 2]


@dataclass(frozen=True)
class Col:
    """One column of a sheet: the table's column, its header, its unit and its format."""

    key: str
    header: tuple[str, str] | None = None  # None: the shared label of ``key``
    unit: str | None = None  # a key of UNITS
    fmt: str | None = None  # number format; money columns get theirs from the unit
    width: float | None = None
    translate: bool = False  # text cells shown through the labels (codes → words)

    def title(self, lang: str) -> str:
        name = (self.header[LANGS.index(lang)] if self.header is not None
                else label(self.key, lang))
        return f"{name} ({UNITS[self.unit][LANGS.index(lang)]})" if self.unit else name

    def number_format(self) -> str | None:
        return self.fmt or MONEY_FORMAT.get(self.unit or "")


def _value(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


BOLD, TITLE = Font(bold=True), Font(bold=True, size=13)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")


def _print_setup(ws: Any, header_row: int, ncols: int) -> None:
    """A4 landscape, fitted to the page width, header row repeated, the table as print area."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_area = f"A1:{get_column_letter(max(1, ncols))}{max(ws.max_row, header_row)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.center.text = "&P / &N"


def _sheet(wb: Workbook, name: str, lang: str, title: str, frame: pd.DataFrame,
           columns: list[Col], notes: list[str] = (), translate: Any = None,
           total_rows: set[int] = frozenset(), freeze_col: str = "A") -> Any:
    """A sheet: title, notes, one header row (with units), the table; frozen under the header."""
    ws = wb.create_sheet(name[:31])
    set_cell(ws, 1, 1, title).font = TITLE
    row = 2
    for note in notes:
        cell = set_cell(ws, row, 1, note)
        cell.font = Font(italic=True, color="555555")
        row += 1
    header = row + 1 if notes else row
    tr = translate or (lambda v, lang: word(v, lang))
    for j, col in enumerate(columns, start=1):
        text = col.title(lang)
        cell = set_cell(ws, header, j, text)
        cell.font, cell.fill = BOLD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        width = col.width or max(10, min(40, max(len(w) for w in text.split()) + 4,
                                         len(text) * 0.6 + 4))
        ws.column_dimensions[get_column_letter(j)].width = width
    keys = [c.key for c in columns]
    for i, values in enumerate(frame[keys].itertuples(index=False), start=header + 1):
        for j, (col, v) in enumerate(zip(columns, values, strict=True), start=1):
            v = _value(v)
            if isinstance(v, bool):
                v = word("yes", lang) if v else ""
            elif col.translate and isinstance(v, str) and v:
                v = tr(v, lang)
            cell = set_cell(ws, i, j, v)
            fmt = col.number_format()
            if fmt and isinstance(v, int | float):
                cell.number_format = fmt
            if i - header - 1 in total_rows:
                cell.font, cell.fill = BOLD, TOTAL_FILL
    ws.freeze_panes = f"{freeze_col}{header + 1}"
    _print_setup(ws, header, len(columns))
    return ws


def _cover(wb: Workbook, lang: str, title: str, meta: Mapping[str, Any], scenario: Any,
           extra: list[tuple[str, Any]], sheets: list[str]) -> Any:
    """The cover: what the workbook is, from which data and scenario, made when."""
    ws = wb.create_sheet(word("cover", lang))
    set_cell(ws, 1, 1, title).font = TITLE
    row = 2
    synthetic = bool(meta.get("synthetic_staff_data"))
    if synthetic:
        set_cell(ws, row, 1, word("synthetic_banner", lang)).font = Font(bold=True,
                                                                          color="C00000")
        row += 1
    files = list(getattr(scenario, "files", []) or meta.get("scenario_files", []) or [])
    facts = [
        (word("scenario", lang), getattr(scenario, "name", None) or meta.get("scenario", "")),
        (word("scenario_files", lang), "; ".join(str(f) for f in files)
         or word("no_scenario", lang)),
        (word("made_on", lang), dt.date.today().isoformat()),
        (word("data_folder", lang), str(meta.get("data", ""))),
        (word("staff_data", lang), word("synthetic" if synthetic else "real", lang)),
        (word("seed", lang), getattr(scenario, "seed", None) or meta.get("seed")),
        *extra,
        (word("version", lang), meta.get("khcadre_version", "")),
        (word("sheets", lang), " · ".join(sheets)),
    ]
    header = row + 1
    for j, text in enumerate((word("item", lang), word("value", lang)), start=1):
        cell = set_cell(ws, header, j, text)
        cell.font, cell.fill = BOLD, HEAD_FILL
    for i, (k, v) in enumerate(facts, start=header + 1):
        set_cell(ws, i, 1, k).font = BOLD
        set_cell(ws, i, 2, _value(v)).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 90
    ws.freeze_panes = f"A{header + 1}"
    return ws


def _append_block(ws: Any, lang: str, title: str, headers: list[str],
                  rows: list[list[Any]], widths: list[float] | None = None) -> None:
    """A titled block of rows under what the sheet already holds (the cover's assumptions)."""
    row = ws.max_row + 2
    set_cell(ws, row, 1, title).font = Font(bold=True, size=12)
    for j, text in enumerate(headers, start=1):
        cell = set_cell(ws, row + 1, j, text)
        cell.font, cell.fill = BOLD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, values in enumerate(rows, start=row + 2):
        for j, v in enumerate(values, start=1):
            cell = set_cell(ws, i, j, _value(v))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(v, float | int) and not isinstance(v, bool) and abs(v) >= 1000:
                cell.number_format = "#,##0"
    for j, w in enumerate(widths or [], start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, w)


def _names(results: Mapping[str, Any], names: pd.Series | None) -> pd.Series:
    if names is not None:
        return names
    for r in results.values():
        terr = getattr(r, "territories", None)
        if terr is not None:
            return terr.set_index("territory_id")["name"]
        inputs = getattr(r, "inputs", None)
        if inputs is not None:
            return inputs.territories.set_index("territory_id")["name"]
    return pd.Series(dtype=object)


# ------------------------------------------------------------------------- the budget workbook

def budget_table(result: Any) -> pd.DataFrame:
    """The year × programme budget in VND: one row per (measure, programme), one column per
    year and ``total`` (2026–2030). Rows: expected gross outlay, refunds recovered and net cost
    (total = the sum of the years), then net cost P50 and P95 (total = the percentile of the
    five-year sum of each Monte Carlo draw, which is not the sum of the yearly percentiles)."""
    b = result.budget
    years = list(b.years)
    progs = [p.id for p in b.design.programmes] + ["all"]
    rows: list[dict[str, Any]] = []
    by = b.by_year.set_index(["measure", "programme", "year"])
    for measure in ("gross_outlay", "refunds_recovered", "net_cost"):
        for pid in progs:
            values = [float(by.loc[(measure, pid, y), "expected"]) for y in years]
            rows.append({"measure": measure, "band": "expected", "programme": pid,
                         **dict(zip(years, values, strict=True)), "total": float(sum(values))})
    net = {pid: b.fixed_draws[pid] + b.monthly_draws[pid] for pid in progs[:-1]}
    net["all"] = sum(net.values())
    for band, q in (("p50", 0.50), ("p95", 0.95)):
        for pid in progs:
            values = [float(by.loc[("net_cost", pid, y), band]) for y in years]
            total = float(np.quantile(net[pid].sum(axis=0), q))
            rows.append({"measure": "net_cost", "band": band, "programme": pid,
                         **dict(zip(years, values, strict=True)), "total": total})
    return pd.DataFrame(rows).astype({"measure": object, "band": object, "programme": object,
                                      **dict.fromkeys([*years, "total"], "float64")})


def _programme_name(result: Any, pid: str, lang: str) -> str:
    if pid == "all":
        return word("all", lang)
    for p in result.budget.design.programmes:
        if p.id == pid:
            return (p.name_vi if lang == "vi" else p.name_en) or pid
    return pid


def _inc(key: str, lang: str) -> str:
    from .incentives.report import text

    return text(key, lang)


def _measure_text(measure: str, band: str, lang: str) -> str:
    if band == "p50":
        return word("net_p50", lang)
    if band == "p95":
        return word("net_p95", lang)
    return f"{_inc(measure, lang)} ({word('expected', lang)})"


SOLVER_NOTES: dict[str, tuple[str, str]] = {
    "in some draws a year's refunds exceed its payments": (
        "Ở một số lần mô phỏng, khoản thu hồi của một năm lớn hơn khoản chi, nên chi phí không "
        "nhất thiết tăng theo mức hỗ trợ; đây là điểm chạm trần, chưa chứng minh là mức lớn "
        "nhất vừa trần.",
        "In some draws a year's refunds exceed its payments, so cost need not rise with the "
        "amount; this is a crossing of the ceiling, not proven the largest amount that fits."),
    "even with none of this support": (
        "Ngay cả khi không có khoản hỗ trợ này, các khoản khác đã vượt trần; cần giảm chúng "
        "hoặc giảm số suất.", "Even with none of this support the other costs exceed the "
        "ceiling; lower them or the number of offers."),
    "costs nothing within the horizon": (
        "Khoản hỗ trợ này không phát sinh chi trong giai đoạn; mức nào cũng vừa trần.",
        "This support costs nothing within the horizon; any amount fits."),
}


def _solver_note(message: str, lang: str) -> str:
    if not message:
        return ""
    for start, (vi, en) in SOLVER_NOTES.items():
        if start in message:
            return vi if lang == "vi" else en
    return message


def _budget_sheet(wb: Workbook, result: Any, lang: str) -> None:
    table = budget_table(result)
    years = list(result.budget.years)
    unit = "trieu"
    shown = table.assign(
        measure_text=[_measure_text(m, b, lang) for m, b in zip(table["measure"],
                                                                table["band"], strict=True)],
        programme_text=[_programme_name(result, p, lang) for p in table["programme"]],
        **{str(y): table[y] / SCALE[unit] for y in years}, total=table["total"] / SCALE[unit])
    cols = [Col("measure_text", WORDS["measure"], width=34),
            Col("programme_text", WORDS["programme"], width=40),
            *[Col(str(y), (str(y), str(y)), unit, width=14) for y in years],
            Col("total", WORDS["total"], unit, width=18)]
    totals = {i for i, p in enumerate(table["programme"]) if p == "all"}
    _sheet(wb, word("budget", lang), lang, word("budget_table", lang), shown, cols,
           notes=[word("budget_note", lang)], total_rows=totals, freeze_col="C")


def _ceiling_sheets(wb: Workbook, result: Any, lang: str) -> None:
    c = result.budget.ceiling
    unit = "ty"
    shown = c.assign(**{k: c[k] / SCALE[unit] for k in ("salary_fund", "ceiling",
                                                         "expected_net", "p95_net")})
    cols = [Col("year", (_inc("year", "vi"), _inc("year", "en")), fmt="0"),
            *[Col(k, (_inc(k, "vi"), _inc(k, "en")), unit, width=20)
              for k in ("salary_fund", "ceiling", "expected_net", "p95_net")],
            Col("p_breach", (_inc("p_breach", "vi"), _inc("p_breach", "en")), "pct",
                fmt="0.0%", width=20)]
    _sheet(wb, word("ceiling", lang), lang, word("ceiling_title", lang), shown, cols,
           notes=[word("ceiling_note", lang)])
    s = result.views.get("solver")
    if s is None or not len(s):
        return
    shown = s.assign(
        component_text=[_inc(v, lang) for v in s["component"]],
        programme_text=[_programme_name(result, p, lang) for p in s["programme"]],
        ceiling_ty=s["ceiling_vnd_per_year"] / SCALE[unit],
        status_text=[status_label(v, lang) for v in s["status"]],
        unit_text=[("× lương cơ sở" if lang == "vi" else "× base salary")
                   if u.startswith("×") else ("đồng" if lang == "vi" else "VND")
                   for u in s["unit"]],
        note=[_solver_note(m, lang) for m in s["message"]])
    cols = [Col("component_text", (_inc("component", "vi"), _inc("component", "en")), width=22),
            Col("programme_text", WORDS["programme"], width=36),
            Col("ceiling_ty", (_inc("ceiling", "vi") + "/năm", _inc("ceiling", "en") + "/year"),
                "ty", width=18),
            Col("status_text", (_inc("status", "vi"), _inc("status", "en")), width=30),
            Col("scale", (_inc("scale", "vi"), _inc("scale", "en")), "factor", fmt="0.000"),
            Col("amount", (_inc("amount", "vi"), _inc("amount", "en")), fmt="#,##0.000"),
            Col("unit_text", WORDS["unit"], width=16),
            Col("binding_year", (_inc("binding_year", "vi"), _inc("binding_year", "en")),
                fmt="0"),
            Col("note", (_inc("message", "vi"), _inc("message", "en")), width=60)]
    _sheet(wb, word("solver", lang), lang, word("solver_title", lang), shown, cols,
           notes=[word("solver_note", lang)])


def _pivot_sheet(wb: Workbook, result: Any, lang: str, key: str, frame: pd.DataFrame,
                 by: str, names: pd.Series | None) -> None:
    """Net cost of all programmes, ``by`` (commune or field) × year, with the total."""
    years = list(result.budget.years)
    unit = "trieu"
    p = (frame.groupby([by, "year"], sort=True)["net_cost"].sum().unstack("year")
         .reindex(columns=years).fillna(0.0) / SCALE[unit])
    p.columns = [str(y) for y in p.columns]
    p["total"] = p.sum(axis=1)
    p = p.reset_index()
    cols = [Col(by, None, translate=by == "field", width=16 if by != "field" else 30)]
    if by == "territory_id" and names is not None:
        p.insert(1, "name", p["territory_id"].map(names))
        cols.append(Col("name", WORDS["commune"], width=28))
    cols += [Col(str(y), (str(y), str(y)), unit, width=14) for y in years]
    cols.append(Col("total", WORDS["total"], unit, width=18))
    _sheet(wb, word(key, lang), lang, word(f"{key}_title", lang), p, cols,
           translate=lambda v, lg: label(v, lg), freeze_col="C" if by == "territory_id" else "B")


def _places_sheet(wb: Workbook, result: Any, lang: str) -> None:
    v = result.views["places"]
    shown = v.assign(programme_text=[_programme_name(result, p, lang) for p in v["programme"]],
                     field_text=[label(f, lang) for f in v["field"]],
                     reason_text=[_inc(r, lang) if r else "" for r in v["reason"]])
    cols = [Col("programme_text", WORDS["programme"], width=36),
            Col("field_text", (label("field", "vi"), label("field", "en")), width=26),
            Col("territory_id", None, width=12), Col("name", WORDS["commune"], width=26),
            Col("intake", (_inc("intake", "vi"), _inc("intake", "en")), width=14),
            Col("staff_id", None, width=14),
            *[Col(k, (_inc(k, "vi"), _inc(k, "en")), "places", fmt="#,##0")
              for k in ("requested", "admitted", "waitlisted")],
            Col("reason_text", (_inc("reason", "vi"), _inc("reason", "en")), width=18)]
    _sheet(wb, word("places", lang), lang, word("places_title", lang), shown, cols)


def _per_retained_sheet(wb: Workbook, result: Any, lang: str) -> None:
    v = result.views["per_retained"]
    unit = "trieu"
    money = ("gross_outlay_lifetime", "refunds_recovered_lifetime", "net_cost_lifetime",
             "cost_per_retained", "post_commitment_paid_in_horizon")
    shown = v.assign(programme_text=[_programme_name(result, p, lang) for p in v["programme"]],
                     **{k: v[k] / SCALE[unit] for k in money})
    cols = [Col("programme_text", WORDS["programme"], width=36),
            Col("places_granted", (_inc("places_granted", "vi"), _inc("places_granted", "en")),
                "places", fmt="#,##0"),
            *[Col(k, (_inc(k, "vi"), _inc(k, "en")), "people", fmt="#,##0.0")
              for k in ("accepted", "completed_commitment")],
            *[Col(k, (_inc(k, "vi"), _inc(k, "en")), unit, width=20) for k in money]]
    _sheet(wb, word("per_retained", lang), lang, word("per_retained_title", lang), shown, cols)


def _curve_sheets(wb: Workbook, result: Any, lang: str) -> None:
    unit = "ty"
    for key, lever, fmt, lever_unit in (("curve_cap", "commune_cap_share", "0%", "pct"),
                                        ("curve_amount", "monthly_scale", "0.00", "factor")):
        v = result.views.get(key)
        if v is None:
            continue
        money = [c for c in ("expected", "p5", "p50", "p95") if c in v.columns]
        shown = v.assign(**{c: v[c] / SCALE[unit] for c in money})
        cols = [Col(lever, (_inc(lever, "vi"), _inc(lever, "en")), lever_unit, fmt=fmt),
                Col("year", (_inc("year", "vi"), _inc("year", "en")), fmt="0"),
                *[Col(c, (f"{_inc('net_cost', 'vi')}: {_inc(c, 'vi').lower()}",
                          f"{_inc('net_cost', 'en')}: {_inc(c, 'en').lower()}"), unit, width=18)
                  for c in money]]
        cols += [Col(c, (_inc(c, "vi"), _inc(c, "en")), "places", fmt="#,##0")
                 for c in ("places_granted", "waitlisted") if c in v.columns]
        if "p_breach" in v.columns:
            cols.append(Col("p_breach", (_inc("p_breach", "vi"), _inc("p_breach", "en")), "pct",
                            fmt="0.0%"))
        _sheet(wb, word(key, lang), lang, word(f"{key}_title", lang), shown, cols)
    v = result.views.get("sensitivity")
    if v is None:
        return
    money = [c for c in ("net_cost_base", "net_cost_at_low", "net_cost_at_high", "swing")
             if c in v.columns]
    shown = v.assign(rate_text=[_inc(r, lang) for r in v["rate"]],
                     **{c: v[c] / SCALE[unit] for c in money})
    cols = [Col("rate_text", (_inc("rate", "vi"), _inc("rate", "en")), width=44),
            *[Col(c, (_inc(c, "vi"), _inc(c, "en")), "pct", fmt="0.00%")
              for c in ("low", "high") if c in v.columns],
            *[Col(c, (_inc(c, "vi"), _inc(c, "en")), unit, width=18) for c in money]]
    _sheet(wb, word("sensitivity", lang), lang, word("sensitivity_title", lang), shown, cols)


def _detail_sheet(wb: Workbook, result: Any, lang: str) -> None:
    """The tidy table, each row with its own unit (money in đồng, people as expected counts)."""
    from .incentives.budget import MONEY

    v = result.views["by_year"]
    money = v["measure"].isin(MONEY)
    shown = v.assign(measure_text=[_inc(m, lang) for m in v["measure"]],
                     unit_text=np.where(money, UNITS["dong"][LANGS.index(lang)],
                                        UNITS["people"][LANGS.index(lang)]),
                     programme_text=[_programme_name(result, p, lang) for p in v["programme"]])
    cols = [Col("year", (_inc("year", "vi"), _inc("year", "en")), fmt="0"),
            Col("programme_text", WORDS["programme"], width=34),
            Col("measure_text", WORDS["measure"], width=40),
            Col("unit_text", WORDS["unit"], width=10),
            *[Col(k, (_inc(k, "vi"), _inc(k, "en")), fmt="#,##0.0", width=18)
              for k in ("expected", "mc_mean", "p5", "p50", "p95")]]
    _sheet(wb, word("detail", lang), lang, word("detail_title", lang), shown, cols,
           freeze_col="D")


def _budget_assumptions(ws: Any, result: Any, scenario: Any, lang: str) -> None:
    design = result.budget.design
    heads = [word(k, lang) for k in ("programme", "kind", "value", "unit", "source")]
    rows = []
    for p in design.programmes:
        unit = {"base_salary": "× lương cơ sở" if lang == "vi" else "× base salary"}
        rows.append([_programme_name(result, p.id, lang), p.kind,
                     f"{p.one_off:,} / {p.monthly:,}",
                     f"{unit.get(p.one_off_unit, p.one_off_unit)} / "
                     f"{unit.get(p.monthly_unit, p.monthly_unit)}",
                     f"levers.incentives.programmes ({p.commitment_months} "
                     + ("tháng cam kết)" if lang == "vi" else "months' commitment)")])
    _append_block(ws, lang, word("programmes", lang), heads, rows)
    if scenario is None:
        return
    rows = []
    for p in scenario.params.table():
        rows.append([p["description"], p["from"], p["value"], p["unit"], p["source"],
                     word("yes", lang) if p["assumption"] else ""])
    _append_block(ws, lang, word("parameters", lang),
                  [word(k, lang) for k in ("parameter", "from", "value", "unit", "source",
                                           "assumption")], rows)
    from .keys import keys

    rows = []
    for name, key in keys().items():
        if (key.is_item or key.type in ("programmes", "parameters")
                or ".incentives." not in f".{name}."):
            continue
        value = scenario.get(name)
        rows.append([name, word(name.split(".")[0], lang),
                     value if isinstance(value, int | float) else str(value), key.unit,
                     key.doc + (f" — {key.source}" if key.source else ""),
                     scenario.origin(name)])
    _append_block(ws, lang, word("scenario_keys", lang),
                  [word(k, lang) for k in ("key", "kind", "value", "unit", "meaning", "file")],
                  rows)


def write_budget_workbook(result: Any, path: Path, lang: str = "vi",
                          meta: Mapping[str, Any] | None = None, scenario: Any = None) -> Path:
    """The budget officer's workbook of an incentives result (``khcadre_sim.incentives.run``):
    cover with the assumptions and their sources (from ``scenario`` when given), the year ×
    programme budget with the 2026–2030 total, the ceiling and the solver's answers, the
    detail views. Returns the path written."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    meta = dict(meta or {})
    meta.setdefault("scenario", result.inputs.scenario_name)
    wb = Workbook()
    wb.remove(wb.active)
    writers = [("budget", lambda: _budget_sheet(wb, result, lang)),
               ("ceiling", lambda: _ceiling_sheets(wb, result, lang)),
               ("by_commune", lambda: _pivot_sheet(
                   wb, result, lang, "by_commune", result.budget.by_commune, "territory_id",
                   result.inputs.territories.set_index("territory_id")["name"])),
               ("by_field", lambda: _pivot_sheet(wb, result, lang, "by_field",
                                                 result.budget.by_field, "field", None)),
               ("places", lambda: _places_sheet(wb, result, lang)),
               ("per_retained", lambda: _per_retained_sheet(wb, result, lang)),
               ("curves", lambda: _curve_sheets(wb, result, lang)),
               ("detail", lambda: _detail_sheet(wb, result, lang))]
    cover = _cover(wb, lang, word("budget_title", lang), meta, scenario,
                   [(word("draws", lang), result.budget.draws)], [])
    for _, write in writers:
        write()
    sheets = [ws.title for ws in wb.worksheets[1:]]
    for row in cover.iter_rows(min_col=1, max_col=1):
        if row[0].value == word("sheets", lang):
            set_cell(cover, row[0].row, 2, " · ".join(sheets))
    _budget_assumptions(cover, result, scenario, lang)
    for j in range(3, 7):
        cover.column_dimensions[get_column_letter(j)].width = 24
    cover.column_dimensions["E"].width = 60
    _print_setup(cover, 1, 6)
    path = Path(path)
    wb.save(path)
    return path


# ------------------------------------------------------------------------ the planner workbook

def vacancy_surplus_by_field(placement: Any) -> pd.DataFrame:
    """Posts left vacant and people left without a post by field after a placement (people are
    counted in each of their qualified fields)."""
    v, s = placement.vacancies, placement.surplus
    vac = (v.groupby("field").agg(vacancies=("position_id", "size"),
                                  vacant_filled_today=("filled_today", "sum"))
           if len(v) else pd.DataFrame(columns=["vacancies", "vacant_filled_today"]))
    fields = (s["fields"].fillna("").astype(str).str.split(";").explode().str.strip()
              if len(s) else pd.Series(dtype=object))
    sur = fields[fields != ""].value_counts().rename("surplus_qualified")
    out = vac.join(sur, how="outer").fillna(0).reset_index(names="field")
    return out.astype({"field": object, "vacancies": "int64", "vacant_filled_today": "int64",
                       "surplus_qualified": "int64"}).sort_values("field").reset_index(drop=True)


SHORTAGE = ("Thiếu hụt", "Shortage")
CHANGE_ORDER = {"moves": 0, "placed": 1, "removed": 2, "unplaced": 3, "stays": 4}


def _planner_sheets(wb: Workbook, results: Mapping[str, Any], lang: str,
                    names: pd.Series) -> list[str]:
    written = []
    review = results.get("review")
    if review is not None:
        w = review.warnings.assign(name=review.warnings["territory_id"].map(names))
        cols = [Col("staff_id", None, width=14), Col("territory_id", None, width=12),
                Col("name", WORDS["commune"], width=26),
                Col("office", None, translate=True, width=30),
                Col("field", None, translate=True, width=26),
                Col("severity", None, translate=True, width=14),
                Col("weakest_group", None, translate=True, width=26),
                *[Col(f"gap_{g}", (f"Thiếu hụt: {label(g, 'vi').lower()}",
                                   f"Gap: {label(g, 'en').lower()}"), "points", fmt="0.0")
                  for g in ("political", "execution", "development")],
                Col("weighted_gap", None, "points", fmt="0.00")]
        _sheet(wb, word("warnings", lang), lang, word("warnings_title", lang), w, cols,
               freeze_col="B")
        written.append("warnings")
    placement = results.get("placement")
    if placement is not None and placement.status.has_solution:
        a = placement.assignments
        a = a.assign(name=a["territory_id"].map(names),
                     order=a["change"].map(CHANGE_ORDER).fillna(9)).sort_values(
            ["order", "staff_id"], kind="stable")
        cols = [Col("staff_id", None, width=14),
                Col("current_position_id", None, width=16), Col("position_id",
                                                                ("Vị trí mới", "New post"),
                                                                width=16),
                Col("territory_id", None, width=12), Col("name", WORDS["commune"], width=26),
                Col("change", None, translate=True, width=18),
                Col("rotation", ("Luân chuyển đến địa bàn khó khăn",
                                 "Rotation to a hard area"), width=18),
                Col("distance_km", None, fmt="#,##0.0"),
                Col("score", ("Điểm phù hợp", "Fit score"), "points", fmt="0.0")]
        _sheet(wb, word("placement", lang), lang, word("placement_title", lang), a, cols,
               freeze_col="B")
        by_field = vacancy_surplus_by_field(placement)
        cols = [Col("field", None, translate=True, width=32),
                Col("vacancies", ("Vị trí còn trống", "Vacant posts"), "posts", fmt="#,##0"),
                Col("vacant_filled_today", ("Trong đó hiện có người",
                                            "Of which filled today"), "posts", fmt="#,##0"),
                Col("surplus_qualified", ("Người dôi dư có chuyên môn lĩnh vực này",
                                          "People without a post qualified in it"), "people",
                    fmt="#,##0")]
        _sheet(wb, word("vacancy_surplus", lang), lang, word("vacancy_surplus_title", lang),
               by_field, cols, notes=[word("surplus_note", lang)])
        v = placement.vacancies
        v = v.assign(name=v["territory_id"].map(names))
        cols = [Col("position_id", None, width=16), Col("territory_id", None, width=12),
                Col("name", WORDS["commune"], width=26),
                *[Col(c, None, translate=c != "title", width=30)
                  for c in ("office", "title", "field") if c in v.columns],
                Col("filled_today", None, width=14)]
        _sheet(wb, word("vacancies", lang), lang, word("vacancies_title", lang), v, cols,
               freeze_col="B")
        written += ["placement", "vacancy_surplus", "vacancies"]
    workload = results.get("workload")
    if workload is not None:
        from .workload.tables import commune_field_table

        cf = commune_field_table(workload, names)
        ratio = [c for c in ("load_ratio_before", "load_ratio_after") if c in cf.columns]
        cols = [Col("territory_id", None, width=12), Col("name", WORDS["commune"], width=26),
                Col("field", None, translate=True, width=26),
                Col("annual_cases", ("Số hồ sơ, công việc", "Cases"), "cases", fmt="#,##0"),
                Col("minutes_per_case", ("Định mức thời gian", "Time standard"), "minutes",
                    fmt="#,##0"),
                Col("required_fte", ("Cần", "Required"), "fte", fmt="0.00"),
                Col("actual_fte_before", ("Có", "Available"), "fte", fmt="0.00"),
                Col("load_ratio_before", None, "ratio", fmt="0.00"),
                Col("status_before", ("Tình trạng trước", "Status before"), translate=True)]
        if len(ratio) == 2:
            cols += [Col("actual_fte_after", ("Có sau điều chỉnh", "Available after"), "fte",
                         fmt="0.00"),
                     Col("load_ratio_after", None, "ratio", fmt="0.00"),
                     Col("status_after", ("Tình trạng sau", "Status after"), translate=True),
                     Col("shortage_fte", SHORTAGE, "fte", fmt="0.00")]
        _sheet(wb, word("wisn", lang), lang, word("wisn_title", lang), cf, cols, freeze_col="D")
        written.append("wisn")
        if workload.rebalanced is not None:
            sh = workload.rebalanced.shortage
            sh = sh[sh["shortage_fte"] > 0].sort_values(
                ["shortage_fte", "territory_id"], ascending=[False, True], kind="stable")
            sh = sh.assign(name=sh["territory_id"].map(names))
            cols = [Col("territory_id", None, width=12),
                    Col("name", WORDS["commune"], width=26),
                    Col("field", None, translate=True, width=28),
                    Col("shortage_fte", SHORTAGE, "fte", fmt="0.00"),
                    Col("reason", None, translate=True, width=30)]
            _sheet(wb, word("shortage", lang), lang, word("shortage_title", lang), sh, cols,
               freeze_col="C")
            written.append("shortage")
    return written


def write_planner_workbook(results: Mapping[str, Any], out_dir: Path, lang: str = "vi",
                           meta: Mapping[str, Any] | None = None, scenario: Any = None,
                           names: pd.Series | None = None) -> list[str]:
    """The planner's workbook from the results present in ``results`` (keys ``review``,
    ``placement``, ``workload``: capability results), written as ``ke_hoach_can_bo.xlsx``
    (``staffing_plan.xlsx`` with ``lang="en"``) in ``out_dir``. Returns the file names written
    (none when no planner result is present)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    names = _names(results, names)
    wb = Workbook()
    wb.remove(wb.active)
    cover = _cover(wb, lang, word("planner_title", lang), dict(meta or {}), scenario, [], [])
    if not _planner_sheets(wb, results, lang, names):
        return []
    sheets = [ws.title for ws in wb.worksheets[1:]]
    for row in cover.iter_rows(min_col=1, max_col=1):
        if row[0].value == word("sheets", lang):
            set_cell(cover, row[0].row, 2, " · ".join(sheets))
    _print_setup(cover, 1, 2)
    name = PLANNER_FILE[lang]
    wb.save(Path(out_dir) / name)
    return [name]

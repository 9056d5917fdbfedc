"""Incentive budget views for people: bilingual labels and the Excel workbook (figures:
:mod:`.plots`).

The workbook has one sheet per view, a Vietnamese header row above an English one, and VND as
``#,##0``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..labels import LANGS, translator
from ..report import set_cell
from .budget import MONEY, BudgetResult
from .chain import EXIT_MEASURES

# column or word → (Vietnamese, English)
LABELS: dict[str, tuple[str, str]] = {
    "year": ("Năm", "Year"),
    "programme": ("Chương trình", "Programme"),
    "measure": ("Chỉ tiêu", "Measure"),
    "expected": ("Kỳ vọng (chính xác)", "Expected (exact)"),
    "mc_mean": ("Trung bình mô phỏng", "Simulation mean"),
    "p5": ("P5", "P5"),
    "p50": ("P50 (trung vị)", "P50 (median)"),
    "p95": ("P95", "P95"),
    "territory_id": ("Mã đơn vị", "Unit code"),
    "name": ("Tên đơn vị", "Unit"),
    "field": ("Lĩnh vực", "Field"),
    "intake": ("Tháng tiếp nhận", "Intake month"),
    "intake_month": ("Tháng tiếp nhận", "Intake month"),
    "requested": ("Số đề nghị", "Requested"),
    "admitted": ("Số được hưởng", "Granted"),
    "waitlisted": ("Danh sách chờ", "Waitlisted"),
    "reason": ("Lý do", "Reason"),
    "staff_id": ("Mã cán bộ", "Staff ID"),
    "staff": ("Số cán bộ", "Staff"),
    "gross_outlay": ("Tổng chi", "Gross outlay"),
    "one_off_paid": ("Chi hỗ trợ một lần", "One-off support paid"),
    "monthly_paid": ("Chi hỗ trợ hằng tháng", "Monthly support paid"),
    "refunds_recovered": ("Kinh phí thu hồi", "Refunds recovered"),
    "refund_owed": ("Kinh phí phải hoàn trả", "Refunds owed"),
    "net_cost": ("Chi phí ròng", "Net cost"),
    "new_beneficiaries": ("Người mới hưởng", "New beneficiaries"),
    "beneficiaries_end_of_year": ("Người hưởng cuối năm", "Beneficiaries at year end"),
    "leavers": ("Thôi hưởng giữa các kỳ đánh giá (mọi lý do)",
                "Left between evaluations (any cause)"),
    "terminated": ("Chấm dứt hỗ trợ do đánh giá không đạt", "Support ended by a failed evaluation"),
    "exits_quit": ("Thôi hưởng: tự ý nghỉ việc", "Ended: quit by choice"),
    "exits_fail_duties": ("Thôi hưởng: không hoàn thành nhiệm vụ",
                          "Ended: failed duties (incl. failed evaluations)"),
    "exits_retirement": ("Thôi hưởng: nghỉ hưu", "Ended: retirement"),
    "exits_death_health": ("Thôi hưởng: từ trần, sức khỏe", "Ended: death or ill health"),
    "exits_transfer": ("Thôi hưởng: điều động, chuyển công tác",
                       "Ended: transfer by the state"),
    "refund_cases": ("Số trường hợp phải hoàn trả", "Exits owing a refund"),
    "post_commitment_paid": ("Chi hỗ trợ sau thời gian cam kết",
                             "Support paid after the commitment"),
    "post_commitment_paid_in_horizon": ("Chi sau cam kết, trong 2026–2030",
                                        "Paid after the commitment, within 2026–2030"),
    "completed": ("Hoàn thành cam kết", "Completed commitment"),
    "salary_fund": ("Quỹ lương (ước tính)", "Salary fund (estimate)"),
    "ceiling": ("Trần kinh phí", "Budget ceiling"),
    "expected_net": ("Chi phí ròng kỳ vọng", "Expected net cost"),
    "p95_net": ("Chi phí ròng P95", "Net cost P95"),
    "p_breach": ("Xác suất vượt trần", "Probability of exceeding the ceiling"),
    "places_granted": ("Số suất được duyệt", "Places granted"),
    "accepted": ("Số người nhận", "Accepted"),
    "completed_commitment": ("Hoàn thành cam kết", "Completed the commitment"),
    "gross_outlay_lifetime": ("Tổng chi cả thời gian cam kết",
                              "Gross outlay, whole commitment (not after it)"),
    "refunds_recovered_lifetime": ("Thu hồi cả thời gian cam kết",
                                   "Refunds, whole commitment"),
    "net_cost_lifetime": ("Chi phí ròng cả thời gian cam kết", "Net cost, whole commitment"),
    "cost_per_retained": ("Chi phí cho mỗi người ở lại hết cam kết",
                          "Cost per person retained to the end of the commitment"),
    "commune_cap_share": ("Tỷ lệ tối đa người hưởng mỗi xã", "Commune cap share"),
    "monthly_scale": ("Hệ số mức hỗ trợ hằng tháng", "Monthly amount factor"),
    "rate": ("Tham số bất định", "Uncertain rate"),
    "low": ("Mức thấp", "Low"),
    "high": ("Mức cao", "High"),
    "net_cost_at_low": ("Chi phí ròng ở mức thấp", "Net cost at low"),
    "net_cost_at_high": ("Chi phí ròng ở mức cao", "Net cost at high"),
    "net_cost_base": ("Chi phí ròng cơ sở", "Net cost, base"),
    "swing": ("Biên độ", "Swing"),
    "scenario": ("Kịch bản", "Scenario"),
    "all": ("Tất cả chương trình", "All programmes"),
    "commune cap": ("Trần của xã", "Commune cap"),
    "province cap": ("Trần của tỉnh", "Province cap"),
    "vnd_bn": ("tỷ đồng", "billion VND"),
    "status": ("Kết quả giải", "Status"),
    "binding_year": ("Năm ràng buộc", "Binding year"),
    "message": ("Ghi chú", "Note"),
    "ceiling_vnd_per_year": ("Trần (đồng/năm)", "Ceiling (VND/year)"),
    "programme_name": ("Tên chương trình", "Programme name"),
    "component": ("Khoản hỗ trợ", "Support component"),
    "monthly": ("Hỗ trợ hằng tháng", "Monthly support"),
    "one_off": ("Hỗ trợ một lần", "One-off support"),
    "scale": ("Hệ số tối đa", "Largest factor"),
    "amount": ("Mức tối đa", "Largest amount"),
    "unit": ("Đơn vị", "Unit"),
    "one_off_scale": ("Hệ số mức hỗ trợ một lần", "One-off amount factor"),
    # ceiling solver status (khcadre_sim.solve.Status)
    "optimal": ("Tối ưu (lớn nhất trong trần)", "Optimal (largest within the ceiling)"),
    "feasible": ("Vừa trần, chưa chứng minh là lớn nhất", "Fits, not proven the largest"),
    "infeasible": ("Không khả thi", "Infeasible"),
    "unbounded": ("Không bị chặn", "Unbounded"),
    "acceptance_recruit": ("Tỷ lệ nhận lời (thu hút mới)", "Acceptance (new talent)"),
    "acceptance_existing": ("Tỷ lệ tham gia (cán bộ hiện có)", "Take-up (existing staff)"),
    "quit_monthly": ("Tỷ lệ tự ý nghỉ việc hằng tháng", "Monthly quit hazard"),
    "quit_monthly_recruit": ("Tỷ lệ tự ý nghỉ việc hằng tháng (thu hút mới)",
                             "Monthly quit hazard (new talent)"),
    "quit_monthly_existing": ("Tỷ lệ tự ý nghỉ việc hằng tháng (cán bộ hiện có)",
                              "Monthly quit hazard (existing staff)"),
    "fail_duties_monthly": ("Tỷ lệ không hoàn thành nhiệm vụ hằng tháng",
                            "Monthly failing-duties hazard"),
    "retirement_monthly": ("Tỷ lệ nghỉ hưu hằng tháng", "Monthly retirement hazard"),
    "retirement_monthly_recruit": ("Tỷ lệ nghỉ hưu hằng tháng (thu hút mới)",
                                   "Monthly retirement hazard (new talent)"),
    "retirement_monthly_existing": ("Tỷ lệ nghỉ hưu hằng tháng (cán bộ hiện có)",
                                    "Monthly retirement hazard (existing staff)"),
    "death_health_monthly": ("Tỷ lệ từ trần, nghỉ vì sức khỏe hằng tháng",
                             "Monthly death or ill-health hazard"),
    "transfer_monthly": ("Tỷ lệ điều động, chuyển công tác hằng tháng",
                         "Monthly transfer hazard"),
    "evaluation_raise": ("Đánh giá: tăng mức", "Evaluation: raise"),
    "evaluation_lower": ("Đánh giá: giảm mức", "Evaluation: lower"),
    "evaluation_terminate": ("Đánh giá: chấm dứt", "Evaluation: terminate"),
    "refund_collection": ("Tỷ lệ thu hồi được", "Refund collection rate"),
}
MONEY_COLUMNS = set(MONEY) | {"expected", "mc_mean", "p5", "p50", "p95", "salary_fund", "ceiling",
                              "expected_net", "p95_net", "gross_outlay_lifetime",
                              "refunds_recovered_lifetime", "net_cost_lifetime",
                              "cost_per_retained", "net_cost_at_low", "net_cost_at_high",
                              "net_cost_base", "swing", "post_commitment_paid_in_horizon"}
MONEY_COLUMNS |= {"ceiling_vnd_per_year"}
SHARE_COLUMNS = {"p_breach", "commune_cap_share"}
RATE_COLUMNS = {"low", "high"}  # ends of the rate ranges, down to monthly hazards of 0.05%
HEADS_COLUMNS = {"accepted", "completed_commitment", "new_beneficiaries",
                 "beneficiaries_end_of_year", "leavers", "terminated", "completed",
                 "refund_cases", *EXIT_MEASURES}
FACTOR_COLUMNS = {"monthly_scale", "one_off_scale", "scale", "amount"}
# categorical cells shown in `lang`
TRANSLATED_VALUES = {"measure", "reason", "rate", "status", "component"}

SHEETS: dict[str, tuple[str, str]] = {
    "by_year": ("Theo năm", "By year"),
    "ceiling": ("Trần kinh phí", "Ceiling"),
    "by_commune": ("Theo xã", "By commune"),
    "by_field": ("Theo lĩnh vực", "By field"),
    "places": ("Suất và danh sách chờ", "Places and waitlist"),
    "per_retained": ("Chi phí mỗi người ở lại", "Cost per retained"),
    "curve_cap": ("Đường chi phí theo trần xã", "Cost vs commune cap"),
    "curve_amount": ("Đường chi phí theo mức hỗ trợ", "Cost vs amount"),
    "sensitivity": ("Độ nhạy", "Sensitivity"),
    "solver": ("Mức tối đa trong trần", "Largest within ceiling"),
}


text = translator(LABELS)


def programme_name(result: BudgetResult, pid: str, lang: str = "vi") -> str:
    for p in result.design.programmes:
        if p.id == pid:
            return p.name_vi if lang == "vi" else p.name_en
    return text(pid, lang)


def money_row_measure(df: pd.DataFrame) -> pd.Series:
    """True for rows of a tidy by-year table whose measure is money."""
    return df["measure"].isin(MONEY)


def write_workbook(views: dict[str, pd.DataFrame], path: Path, lang: str = "vi") -> None:
    """One sheet per view, named in ``lang``; row 1 Vietnamese headers, row 2 English, data below.

    VND cells use ``#,##0``, expected head counts ``#,##0.0``, shares ``0.0%`` (ends of rate
    ranges ``0.00%``); categorical cells
    (measure, waitlist reason, rate, solver status) are written in ``lang``.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for key, df in views.items():
        ws = wb.create_sheet(SHEETS.get(key, (key, key))[LANGS.index(lang)][:31])
        cols = list(df.columns)
        money_rows = (df["measure"].isin(MONEY).to_numpy() if "measure" in df.columns
                      else np.ones(len(df), dtype=bool))
        for j, c in enumerate(cols, start=1):
            for r, head_lang in ((1, "vi"), (2, "en")):
                cell = set_cell(ws, r, j, text(c, head_lang))
                cell.font, cell.fill = bold, fill
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[get_column_letter(j)].width = max(12, min(40, len(text(c)) + 4))
        for i, row in enumerate(df.itertuples(index=False), start=3):
            for j, (c, v) in enumerate(zip(cols, row, strict=True), start=1):
                if isinstance(v, float) and np.isnan(v):
                    v = None
                elif isinstance(v, np.generic):
                    v = v.item()
                if c in TRANSLATED_VALUES and isinstance(v, str) and v:
                    v = text(v, lang)
                cell = set_cell(ws, i, j, v)
                if c in MONEY_COLUMNS and money_rows[i - 3]:
                    cell.number_format = "#,##0"
                elif c in MONEY_COLUMNS or c in HEADS_COLUMNS:  # expected head counts
                    cell.number_format = "#,##0.0"
                elif c in SHARE_COLUMNS:
                    cell.number_format = "0.0%"
                elif c in RATE_COLUMNS:
                    cell.number_format = "0.00%"
                elif c in FACTOR_COLUMNS:
                    cell.number_format = "0.000"
        ws.freeze_panes = "A3"
    wb.save(path)

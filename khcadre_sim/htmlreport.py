"""The HTML report of a run: one styled, self-contained page (inline CSS, figures beside it in
the results folder, no network) in Vietnamese or English, and a page per commune.

Opening with a plain-words summary per capability, a banner when staff data are synthetic, every
figure with a caption, the scenario and its sourced parameters, a glossary of the terms that must
stay (objective, bound, gap, P95, FTE, load ratio) and links to the commune pages. Built with
Jinja2 templates (``khcadre_sim/templates``; autoescaping on, so names from users' tables are
shown as text, never as markup).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from .labels import LANGS, label

WORDS: dict[str, tuple[str, str]] = {
    "title": ("Kết quả khcadre — Khánh Hòa 2026–2030", "khcadre results — Khánh Hòa 2026–2030"),
    "subtitle": ("Công cụ hỗ trợ thực hiện Nghị quyết nâng cao chất lượng cán bộ, công chức cơ sở",
                 "Workbench for the resolution on the quality of commune-level cadres"),
    "synthetic_title": ("Dữ liệu cán bộ là dữ liệu mô phỏng.", "Staff data are synthetic."),
    "synthetic_text": ("65 đơn vị hành chính là thật; vị trí việc làm, cán bộ và khối lượng công "
                       "việc là dữ liệu tổng hợp có gieo số ngẫu nhiên, không phải người thật.",
                       "The 65 units are real; posts, staff and workload are seeded synthetic "
                       "data, not real people."),
    "generated_by": ("Tạo bởi", "Made by"),
    "in_short": ("Tóm tắt", "In short"),
    "data": ("Dữ liệu", "Data"),
    "scenario": ("Kịch bản", "Scenario"),
    "seed": ("hạt giống ngẫu nhiên", "seed"),
    "why": ("Vì sao:", "Why:"),
    "files": ("Tệp kết quả", "Files"),
    "planner_workbook": ("Sổ tính của người lập kế hoạch (Excel)",
                         "The planner's workbook (Excel)"),
    "scenario_and_parameters": ("Kịch bản và các tham số chính sách",
                                "The scenario and the policy parameters"),
    "scenario_files": ("Tệp kịch bản", "Scenario files"),
    "changed_keys": ("Những giá trị khác với kịch bản cơ sở:",
                     "Values that differ from the base scenario:"),
    "all_defaults": ("Mọi giá trị là giá trị mặc định của kịch bản cơ sở.",
                     "Every value is the base scenario's default."),
    "key": ("Khóa", "Key"), "value": ("Giá trị", "Value"), "default": ("Mặc định", "Default"),
    "meaning": ("Ý nghĩa", "Meaning"), "parameter": ("Tham số", "Parameter"),
    "from": ("Áp dụng từ", "From"), "unit": ("Đơn vị", "Unit"), "source": ("Nguồn", "Source"),
    "assumption": ("giả định của mô hình", "modelling assumption"),
    "parameters_intro": ("Tham số chính sách theo ngày áp dụng, kèm nguồn (data/policy/"
                         "parameters.toml):", "Dated policy parameters with their sources "
                         "(data/policy/parameters.toml):"),
    "glossary": ("Thuật ngữ", "Glossary"),
    "communes": ("Từng xã, phường, đặc khu", "Each commune"),
    "communes_intro": ("Mỗi trang: cơ cấu cán bộ, cảnh báo, khối lượng công việc, vị trí trống "
                       "và kinh phí hỗ trợ của đơn vị.", "Each page: the unit's staff picture, "
                       "warnings, load, vacancies and incentives."),
    "back": ("Về trang kết quả", "Back to the results"),
    "none": ("Không có.", "None."),
    "more": ("và {n} dòng khác trong tệp CSV", "and {n} more rows in the CSV file"),
}

STATUS_TEXT: dict[str, tuple[str, str, str]] = {  # status → (class, vi, en)
    "optimal": ("", "tối ưu, đã chứng minh", "optimal, proven"),
    "feasible": ("warn", "khả thi, chưa chứng minh là tốt nhất", "feasible, not proven best"),
    "infeasible": ("bad", "không thể đáp ứng mọi quy tắc", "the rules cannot all be met"),
    "unbounded": ("bad", "không bị chặn", "unbounded"),
    "not_solved": ("bad", "chưa giải được", "not solved"),
    "computed": ("", "tính trực tiếp, chính xác", "computed exactly"),
}

GLOSSARY: list[tuple[tuple[str, str], tuple[str, str]]] = [
    (("Điểm mục tiêu (objective)", "Objective"),
     ("Tổng điểm của phương án theo công thức của kịch bản (ví dụ bố trí: tổng điểm các cặp "
      "người – vị trí được chọn). Càng cao càng tốt; chỉ so sánh được trong cùng một kịch bản.",
      "The plan's total score under the scenario's formula (placement: the sum of the scores of "
      "the chosen person–post pairs). Higher is better; comparable only within one scenario.")),
    (("Cận (bound)", "Bound"),
     ("Giá trị mà không phương án nào có thể vượt qua, do bộ giải chứng minh.",
      "A value no plan can beat, proven by the solver.")),
    (("Khoảng cách tối ưu (gap)", "Gap"),
     ("Chênh lệch tương đối giữa phương án tìm được và cận: 0,1% nghĩa là không phương án nào "
      "tốt hơn quá 0,1%.", "The relative difference between the plan found and the bound: 0.1% "
      "means no plan is more than 0.1% better.")),
    (("P95", "P95"),
     ("Mức mà 95% các kịch bản mô phỏng không vượt quá (5% khả năng cao hơn).",
      "The level 95% of the simulated futures stay at or below (a 5% chance of more).")),
    (("FTE (biên chế tương đương)", "FTE (full-time equivalent)"),
     ("Khối lượng công việc của một người làm toàn thời gian trong một năm.",
      "The work of one person full time for a year.")),
    (("Tỷ lệ tải", "Load ratio"),
     ("Công việc một người (hoặc một lĩnh vực) phải gánh chia cho thời gian có: 1,0 là vừa đủ, "
      "trên 1,2 là quá tải, dưới 0,8 là dưới tải.",
      "Work carried divided by the time available: 1.0 is just right, above 1.2 overloaded, "
      "below 0.8 underloaded.")),
]

CAPTIONS: dict[str, tuple[str, str]] = {
    "review_by_area_class": ("Tỷ lệ đạt chuẩn và thiếu hụt theo loại địa bàn",
                             "Share meeting the standard and gaps by area class"),
    "review_gaps": ("Phân bố thiếu hụt theo nhóm năng lực", "Gaps by competency group"),
    "review_map": ("Tỷ lệ đạt chuẩn theo đơn vị", "Share meeting the standard by unit"),
    "moves_map": ("Điều động trong phương án tối ưu", "Moves in the optimized placement"),
    "surplus_and_vacancies": ("Dôi dư và vị trí trống theo lĩnh vực",
                              "Surplus and vacancies by field"),
    "managers_before_after": ("Cơ cấu lãnh đạo, quản lý trước và sau",
                              "Managers before and after"),
    "rule_prices": ("Chi phí của từng quy tắc", "Price of each rule"),
    "load_heatgrid": ("Tỷ lệ tải theo xã và lĩnh vực", "Load ratio by commune and field"),
    "load_vs_competency": ("Năng lực và khối lượng công việc", "Competency and load"),
    "load_distribution": ("Phân bố tỷ lệ tải cá nhân", "Distribution of personal load"),
    "residual_shortage": ("Thiếu hụt còn lại cần tuyển dụng", "Residual shortage to recruit"),
    "cost_by_year": ("Chi phí ròng theo năm, dải P5–P95", "Net cost by year, P5–P95 band"),
    "refunds": ("Tổng chi, thu hồi và chi phí ròng", "Gross outlay, refunds and net cost"),
    "cost_vs_commune_cap": ("Chi phí theo trần người hưởng mỗi xã",
                            "Cost against the per-commune cap"),
    "cost_vs_monthly_amount": ("Chi phí theo mức hỗ trợ hằng tháng",
                               "Cost against the monthly amount"),
    "sensitivity": ("Độ nhạy của chi phí", "Sensitivity of the cost"),
}


def _w(key: str, lang: str) -> str:
    return WORDS[key][LANGS.index(lang)]


def _words(lang: str) -> dict[str, str]:
    return {k: v[LANGS.index(lang)] for k, v in WORDS.items()}


def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from .paths import TEMPLATES

    return Environment(loader=FileSystemLoader(str(TEMPLATES)),
                       autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)


def _proof_text(proof: dict[str, Any], lang: str) -> str:
    parts = []
    if proof.get("objective") is not None:
        parts.append(("điểm mục tiêu " if lang == "vi" else "objective ")
                     + f"{proof['objective']:,.1f}")
    if proof.get("bound") is not None:
        parts.append(("cận " if lang == "vi" else "bound ") + f"{proof['bound']:,.1f}")
    if proof.get("gap") is not None:
        parts.append(("khoảng cách " if lang == "vi" else "gap ") + f"{proof['gap']:.4%}")
    if proof.get("solver") and proof["solver"] != "none":
        parts.append(("bộ giải " if lang == "vi" else "solver ") + str(proof["solver"]))
    return " · ".join(parts)


def _changed_keys(scenario: Any) -> list[dict[str, str]]:
    from .keys import default, keys

    out = []
    for name, key in keys().items():
        if key.is_item or key.type == "parameters" or name.startswith("meta."):
            continue
        value, base = scenario.get(name), default(name)
        if value != base:
            shown = "…" if key.type == "programmes" else str(value)
            out.append({"name": name, "value": shown,
                        "default": "…" if key.type == "programmes" else str(base),
                        "doc": key.doc})
    return out


def _cell(value: Any, lang: str) -> dict[str, Any]:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return {"text": "", "num": False}
    if isinstance(value, bool):
        return {"text": "✓" if value else "–", "num": False}
    if isinstance(value, int):
        return {"text": f"{value:,}", "num": True}
    if isinstance(value, float):
        text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"
        return {"text": text, "num": True}
    text = str(value)
    return {"text": label(text, lang), "num": False}


def _table(frame: pd.DataFrame, caption: str, lang: str, limit: int = 25) -> dict[str, Any]:
    shown = frame.head(limit)
    more = len(frame) - len(shown)
    return {"caption": caption, "header": [label(c, lang) for c in shown.columns],
            "rows": [[_cell(v.item() if hasattr(v, "item") else v, lang) for v in row]
                     for row in shown.itertuples(index=False)],
            "more": _w("more", lang).format(n=more) if more > 0 else ""}


def write_report(out_dir: Path, lang: str, meta: dict[str, Any], province: Any, scenario: Any,
                 sections: list[tuple[Any, Any, dict[str, Any]]],
                 workbooks: list[str] | None = None) -> list[str]:
    """Write ``index.html`` (and ``index.md``), one page per commune under ``communes/``.

    ``sections`` holds (capability, result, summary) for each capability written into
    ``out_dir/<capability.name>/``; ``workbooks``: files of ``out_dir`` linked from the summary
    (the planner's workbook). Returns the files written, relative to ``out_dir``."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    env = _environment()
    t = _words(lang)
    common = {"lang": lang, "t": t, "synthetic": bool(meta.get("synthetic_staff_data")),
              "version": meta.get("khcadre_version", "")}
    blocks = []
    for cap, result, summary in sections:
        status = str(summary.get("status", "computed"))
        cls, vi, en = STATUS_TEXT.get(status, ("", status, status))
        files = summary.get("files", [])
        blocks.append({
            "name": cap.name, "title": cap.title(lang), "status_class": cls,
            "status_text": vi if lang == "vi" else en,
            "proof_text": _proof_text(summary.get("proof", {}), lang),
            "headline": result.headline(lang),
            "explanation": summary.get("explanation", []) if status == "infeasible" else [],
            "figures": [{"src": f"{cap.name}/{f}",
                         "caption": CAPTIONS.get(f[:-4], (f[:-4], f[:-4]))[LANGS.index(lang)]}
                        for f in files if f.endswith(".png")],
            "files": [{"src": f"{cap.name}/{f}", "name": f} for f in files
                      if not f.endswith(".png")],
        })
    terr = province.territories
    communes = [{"id": r.territory_id, "name": r.name,
                 "href": f"communes/{r.territory_id}.html"} for r in terr.itertuples()]
    glossary = [(term[LANGS.index(lang)], text[LANGS.index(lang)]) for term, text in GLOSSARY]
    page = env.get_template("report.html.j2").render(
        **common, title=_w("title", lang), subtitle=_w("subtitle", lang), sections=blocks,
        data=meta.get("data", ""),
        scenario={"name": scenario.name, "description": scenario.description,
                  "seed": scenario.seed, "files": scenario.files},
        changed=_changed_keys(scenario), parameters=scenario.params.table(),
        glossary=glossary, communes=communes, workbooks=workbooks or [])
    (out_dir / "index.html").write_text(page, encoding="utf-8")
    written = ["index.html"]
    (out_dir / "communes").mkdir(exist_ok=True)
    template = env.get_template("commune.html.j2")
    for row in terr.itertuples():
        facts = [(label("area_class", lang), label(row.area_class, lang)),
                 (label("population", lang),
                  "" if pd.isna(row.population) else f"{int(row.population):,}"),
                 ("km²", f"{row.area_km2:,.1f}")]
        commune_blocks = []
        for cap, result, _ in sections:
            tables = [_table(frame, caption, lang)
                      for caption, frame in result.commune_tables(row.territory_id, lang).items()]
            if tables:
                commune_blocks.append({"title": cap.title(lang), "tables": tables})
        html = template.render(**common, title=f"{row.name} — khcadre",
                               subtitle=_w("title", lang),
                               commune={"name": row.name, "facts": facts},
                               blocks=commune_blocks)
        (out_dir / "communes" / f"{row.territory_id}.html").write_text(html, encoding="utf-8")
        written.append(f"communes/{row.territory_id}.html")
    return written

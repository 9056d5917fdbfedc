"""The words of the projection's reports, in Vietnamese and English.

Indicator labels come from ``khcadre_sim.projection.indicators.INDICATORS``;
:data:`FALLBACK_INDICATORS` below gives the unit kind each value is shown in, and a label only for
ids that table does not hold. Target wording comes, in this order, from the report's
``meta["targets"]``, from ``data/policy/targets.toml`` (read by
:func:`khcadre_sim.projection.targets.load_targets`) and last from :data:`FALLBACK_TARGETS`
(keyed by the indicator the target is measured by; the resolution's own words, Part Two §I.2).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..labels import LANGS

# --------------------------------------------------------------------------- fallback tables
# Used only where the projection's own tables (indicators.INDICATORS, targets.toml) say nothing.
# id → (label vi, label en, unit); unit is "share" (0–1, shown in %), "vnd" (shown in tỷ đồng),
# "people", "units", "ratio" or "count".
FALLBACK_INDICATORS: dict[str, tuple[str, str, str]] = {
    "reviewed_share": ("Tỷ lệ được rà soát theo khung năng lực",
                       "Share reviewed against the framework", "share"),
    "trained_share": ("Tỷ lệ được cập nhật kiến thức, kỹ năng mới",
                      "Share updated in knowledge and skills", "share"),
    "trained_digital_share": ("Tỷ lệ được bồi dưỡng công nghệ thông tin, chuyển đổi số",
                              "Share trained in IT and digital transformation", "share"),
    "units_output_evaluation_share": ("Tỷ lệ địa phương đánh giá theo kết quả đầu ra",
                                      "Share of units evaluating by outputs", "share"),
    "rating_excellent_share": ("Tỷ lệ hoàn thành xuất sắc nhiệm vụ",
                               "Share rated excellent", "share"),
    "rating_good_share": ("Tỷ lệ hoàn thành tốt nhiệm vụ", "Share rated good", "share"),
    "rating_completed_share": ("Tỷ lệ hoàn thành nhiệm vụ", "Share rated completed", "share"),
    "rating_not_completed_share": ("Tỷ lệ không hoàn thành nhiệm vụ",
                                   "Share rated not completed", "share"),
    "quota_breaches": ("Số đơn vị vượt tỷ lệ xếp loại xuất sắc",
                       "Units above the excellent-rating quota", "units"),
    "levelled_units": ("Số đơn vị phải hạ mức xếp loại", "Units whose ratings were levelled",
                       "units"),
    "manager_young_share": ("Tỷ lệ cán bộ trẻ trong lãnh đạo, quản lý",
                            "Young share among managers", "share"),
    "manager_female_share": ("Tỷ lệ cán bộ nữ trong lãnh đạo, quản lý",
                             "Female share among managers", "share"),
    "manager_ethnic_share": ("Tỷ lệ cán bộ người dân tộc thiểu số trong lãnh đạo, quản lý",
                             "Ethnic-minority share among managers", "share"),
    "staff": ("Số cán bộ, công chức", "Staff", "people"),
    "vacancies": ("Số vị trí còn trống", "Vacant posts", "count"),
    "surplus": ("Số người dôi dư", "Surplus people", "people"),
    "vacancies_new_work": ("Vị trí trống ở lĩnh vực mới", "Vacancies in new-work fields",
                           "count"),
    "vacancies_old_work": ("Vị trí trống ở lĩnh vực truyền thống",
                           "Vacancies in established fields", "count"),
    "peak_load": ("Tỷ lệ tải cao nhất", "Peak load ratio", "ratio"),
    "overloaded_share": ("Tỷ lệ người quá tải", "Share of people overloaded", "share"),
    "retirements": ("Số người nghỉ hưu", "Retirements", "people"),
    "successions_covered_share": ("Tỷ lệ vị trí nghỉ hưu có người kế nhiệm",
                                  "Share of retirements with a successor", "share"),
    "recruits": ("Số người được tuyển dụng", "Recruits", "people"),
    "rotations_active": ("Số cán bộ đang luân chuyển", "Cadres on rotation", "people"),
    "moves": ("Số người chuyển vị trí", "Changes of post", "people"),
    "training_cost_vnd": ("Chi phí bồi dưỡng", "Training cost", "vnd"),
    "incentive_spending_vnd": ("Chi hỗ trợ, thu hút nhân lực", "Incentive spending", "vnd"),
    "incentive_ceiling_vnd": ("Trần kinh phí hỗ trợ", "Incentive ceiling", "vnd"),
    "total_cost_vnd": ("Tổng chi phí", "Total cost", "vnd"),
}

# indicator id → the target's words in the resolution (vi, en): used only when neither the
# report's meta nor data/policy/targets.toml gives them.
FALLBACK_TARGETS: dict[str, tuple[str, str]] = {
    "reviewed_share": ("100% cán bộ, công chức cơ sở được rà soát theo khung năng lực vị trí "
                       "việc làm",
                       "100% of commune-level cadres and civil servants reviewed against the "
                       "competency framework of their job position"),
    "units_output_evaluation_share": ("100% địa phương xây dựng hoàn chỉnh cơ chế đánh giá theo "
                                      "kết quả đầu ra công việc",
                                      "100% of localities complete a mechanism evaluating by "
                                      "work outputs"),
    "trained_share": ("Phấn đấu 100% cán bộ, công chức cơ sở được cập nhật kiến thức, kỹ năng "
                      "mới", "Strive for 100% of commune-level cadres and civil servants "
                      "updated in new knowledge and skills"),
    "trained_digital_share": ("… đặc biệt là bồi dưỡng về ứng dụng công nghệ thông tin, chuyển "
                              "đổi số", "… in particular training in IT applications and "
                              "digital transformation"),
    "manager_young_share": ("Tăng tỷ lệ cán bộ trẻ … trong tổng số cán bộ quản lý",
                            "Raise the share of young cadres … among managers"),
    "manager_female_share": ("Tăng tỷ lệ … cán bộ nữ … trong tổng số cán bộ quản lý",
                             "Raise the share of female cadres … among managers"),
    "manager_ethnic_share": ("Tăng tỷ lệ … cán bộ người dân tộc thiểu số có trình độ trong tổng "
                             "số cán bộ quản lý", "Raise the share of qualified ethnic-minority "
                             "cadres among managers"),
}
# ----------------------------------------------------------------------- end of fallback tables

UNIT_WORDS: dict[str, tuple[str, str]] = {
    "share": ("%", "%"), "vnd": ("tỷ đồng", "bn VND"), "people": ("người", "people"),
    "units": ("đơn vị", "units"), "count": ("vị trí", "posts"), "ratio": ("lần", "×"),
}

WORDS: dict[str, tuple[str, str]] = {
    "title_midterm": ("Sơ kết 2 năm thực hiện Nghị quyết (hết năm {year})",
                      "Two-year mid-term review of the resolution (end of {year})"),
    "title_final": ("Tổng kết cuối nhiệm kỳ (hết năm {year})",
                    "End-of-term final review (end of {year})"),
    "subtitle": ("Dự báo 2026–2030 theo từng kịch bản — khcadre, tỉnh Khánh Hòa",
                 "The 2026–2030 projection by scenario — khcadre, Khánh Hòa"),
    "midterm_intro": ("Nghị quyết giao “sơ kết việc thực hiện Nghị quyết sau 2 năm triển khai "
                      "thực hiện”: trang này cho biết tình hình dự báo đến hết năm {year}.",
                      "The resolution asks for a review “after 2 years of implementation”: this "
                      "page shows the projected state at the end of {year}."),
    "final_intro": ("Nghị quyết giao “tổng kết vào cuối nhiệm kỳ”: trang này cho biết tình hình "
                    "dự báo đến hết năm {year}.", "The resolution asks for a final review “at "
                    "the end of the term”: this page shows the projected state at the end of "
                    "{year}."),
    "synthetic_title": ("Dữ liệu cán bộ là dữ liệu mô phỏng.", "Staff data are synthetic."),
    "synthetic_text": ("65 đơn vị hành chính là thật; vị trí việc làm, cán bộ và khối lượng công "
                       "việc là dữ liệu tổng hợp có gieo số ngẫu nhiên, không phải người thật.",
                       "The 65 units are real; posts, staff and workload are seeded synthetic "
                       "data, not real people."),
    "generated_by": ("Tạo bởi", "Made by"),
    "in_short": ("Tóm tắt", "In short"),
    "dashboard": ("Các mục tiêu của Nghị quyết", "The resolution's targets"),
    "dashboard_intro": ("Mỗi ô: đạt hay chưa đạt theo giá trị trung vị (P50), mức chênh so với "
                        "mục tiêu và tỷ lệ lần mô phỏng đạt.", "Each cell: met or not met by the "
                        "median (P50), the margin to the target and the share of seeds meeting "
                        "it."),
    "target": ("Mục tiêu (nguyên văn Nghị quyết)", "Target (the resolution's words)"),
    "measured_by": ("Đo bằng", "Measured by"),
    "met": ("Đạt", "Met"), "not_met": ("Chưa đạt", "Not met"),
    "of_seeds": ("số lần mô phỏng đạt", "of seeds meet it"),
    "higher_than_2026": ("cao hơn mức năm {year}", "higher than the {year} value"),
    "indicators": ("Các chỉ số chính", "Key indicators"),
    "indicators_intro": ("Giá trị trung vị (P50) và dải P5–P95 theo năm, toàn tỉnh.",
                         "Median (P50) and the P5–P95 band by year, whole province."),
    "indicator": ("Chỉ số", "Indicator"),
    "cost": ("Chi phí theo năm", "Cost year by year"),
    "cost_intro": ("Chi phí bồi dưỡng, chi hỗ trợ thu hút nhân lực và tổng chi phí (P50, dải "
                   "P5–P95), so với trần kinh phí hỗ trợ.", "Training, incentives and total "
                   "cost (P50, P5–P95 band) against the incentive ceiling."),
    "year": ("Năm", "Year"),
    "training": ("Bồi dưỡng (tỷ đồng)", "Training (bn VND)"),
    "incentives": ("Hỗ trợ, thu hút (tỷ đồng)", "Incentives (bn VND)"),
    "total": ("Tổng (tỷ đồng)", "Total (bn VND)"),
    "ceiling": ("Trần hỗ trợ (tỷ đồng)", "Incentive ceiling (bn VND)"),
    "within_ceiling": ("Trong trần", "Within the ceiling"),
    "yes": ("có", "yes"), "no": ("không", "no"),
    "sum_years": ("Cộng {first}–{last} (cộng các P50)", "Total {first}–{last} (sum of P50s)"),
    "scenario": ("Kịch bản", "Scenario"),
    "scenarios": ("Các kịch bản", "The scenarios"),
    "scenario_file": ("Tệp kịch bản", "Scenario file"),
    "seeds": ("Số lần mô phỏng (hạt giống)", "Seeds"),
    "years": ("Các năm", "Years"),
    "data": ("Dữ liệu", "Data"),
    "glossary": ("Thuật ngữ", "Glossary"),
    "other_report": ("Báo cáo còn lại", "The other report"),
    "figure_indicators": ("Các chỉ số chính theo năm, P50 và dải P5–P95",
                          "Key indicators by year, P50 and the P5–P95 band"),
    "figure_cost": ("Chi phí theo năm, P50 và dải P5–P95, so với trần hỗ trợ",
                    "Cost by year, P50 and the P5–P95 band, against the incentive ceiling"),
    "figure_targets": ("Tỷ lệ lần mô phỏng đạt từng mục tiêu", "Share of seeds meeting each "
                       "target"),
    "share_of_seeds": ("Tỷ lệ lần mô phỏng đạt (%)", "Share of seeds meeting it (%)"),
    "no_targets": ("Không có mục tiêu nào trong bảng mục tiêu.", "The targets table is empty."),
    # plain-words summary
    "all_met_by": ("đạt tất cả {n} mục tiêu từ năm {year}", "reaches all {n} targets by {year}"),
    "not_all_met": ("đến hết năm {year} đạt {k}/{n} mục tiêu; chưa đạt: {missing}",
                    "by the end of {year} meets {k} of {n} targets; not met: {missing}"),
    "cost_phrase": ("tổng chi phí {first}–{last} khoảng {p50} tỷ đồng (cộng các P50 từng năm)",
                    "total cost {first}–{last} about {p50} bn VND (sum of the yearly P50s)"),
    "ceiling_phrase": ("chi hỗ trợ vượt trần hỗ trợ vào năm {years}",
                       "incentive spending above the ceiling in {years}"),
    "ceiling_ok": ("chi hỗ trợ trong trần mọi năm", "incentive spending within the ceiling "
                   "every year"),
}

GLOSSARY: list[tuple[tuple[str, str], tuple[str, str]]] = [
    (("Hạt giống ngẫu nhiên (seed)", "Seed"),
     ("Một số nguyên khởi tạo các lần rút ngẫu nhiên (ai nghỉ hưu, nghỉ việc, được xếp loại gì…). "
      "Cùng hạt giống cho cùng kết quả; mỗi hạt giống là một diễn biến có thể xảy ra.",
      "A whole number that starts the random draws (who retires, leaves, how people are "
      "rated…). The same seed gives the same results; each seed is one possible future.")),
    (("P50 (trung vị)", "P50 (median)"),
     ("Mức ở giữa: một nửa số lần mô phỏng thấp hơn, một nửa cao hơn.",
      "The middle value: half of the seeds give less, half more.")),
    (("P5, P95", "P5, P95"),
     ("5% số lần mô phỏng thấp hơn P5; 95% số lần mô phỏng không vượt quá P95.",
      "5% of the seeds give less than P5; 95% of the seeds stay at or below P95.")),
    (("Dải P5–P95", "P5–P95 band"),
     ("Khoảng giữa P5 và P95: 90% các diễn biến mô phỏng nằm trong dải này.",
      "The range between P5 and P95: 90% of the simulated futures fall inside it.")),
    (("Đạt / chưa đạt, mức chênh", "Met / not met, margin"),
     ("Một mục tiêu được coi là đạt khi giá trị trung vị (P50) đạt ngưỡng. Mức chênh là khoảng "
      "cách giữa P50 và ngưỡng, dương là đạt.",
      "A target counts as met when the median (P50) meets its threshold. The margin is the "
      "distance between P50 and the threshold; positive means met.")),
    (("Tỷ lệ lần mô phỏng đạt", "Share of seeds meeting it"),
     ("Trong các lần mô phỏng, bao nhiêu phần trăm đạt mục tiêu: thước đo rủi ro.",
      "Among the seeds, the percentage that meet the target: a measure of the risk.")),
]


def word(key: str, lang: str, **values: Any) -> str:
    """A fixed word of the reports in ``lang``, with ``{placeholders}`` filled."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    text = WORDS[key][LANGS.index(lang)]
    return text.format(**values) if values else text


def _engine_indicators() -> dict[str, Any]:
    from .indicators import INDICATORS  # the projection's own table (imported when needed)

    return INDICATORS


def _entry_field(entry: Any, names: tuple[str, ...]) -> str | None:
    for name in names:
        value = entry.get(name) if isinstance(entry, dict) else getattr(entry, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def indicator_label(indicator: str, lang: str = "vi") -> str:
    """The indicator's label in ``lang`` (the projection's table first, then the fallback)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    entry = _engine_indicators().get(indicator)
    if entry is not None:
        if isinstance(entry, tuple | list) and len(entry) >= 2:
            return str(entry[LANGS.index(lang)])
        found = _entry_field(entry, (f"label_{lang}", lang, f"name_{lang}"))
        if found:
            return found
    if indicator in FALLBACK_INDICATORS:
        return FALLBACK_INDICATORS[indicator][LANGS.index(lang)]
    return indicator


def indicator_kind(indicator: str) -> str:
    """How values are shown: "share" (0–1 → %), "vnd" (→ tỷ đồng) or a count/ratio unit."""
    if indicator.endswith("_share"):
        return "share"
    if indicator.endswith("_vnd"):
        return "vnd"
    if indicator in FALLBACK_INDICATORS:
        return FALLBACK_INDICATORS[indicator][2]
    return "count"


def unit_word(indicator: str, lang: str) -> str:
    kind = indicator_kind(indicator)
    return UNIT_WORDS.get(kind, ("", ""))[LANGS.index(lang)]


def scaled(indicator: str, value: float) -> float:
    """A table value in the unit it is shown in (% for shares, tỷ đồng for money)."""
    kind = indicator_kind(indicator)
    if kind == "share":
        return value * 100
    if kind == "vnd":
        return value / 1e9
    return value


def number(value: float, lang: str, digits: int = 1) -> str:
    """A number as a reader of ``lang`` writes it (vi: 1.234,5; en: 1,234.5)."""
    if value != value:  # NaN
        return "–"
    text = f"{value:,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def shown(indicator: str, value: float, lang: str, with_unit: bool = True) -> str:
    """A table value as the report shows it, e.g. 85,3% or 12,4 tỷ đồng."""
    kind = indicator_kind(indicator)
    digits = 1 if kind in ("share", "vnd") else (2 if kind == "ratio" else 0)
    text = number(scaled(indicator, value), lang, digits)
    if not with_unit:
        return text
    unit = unit_word(indicator, lang)
    return f"{text}%" if kind == "share" else f"{text} {unit}"


def _text_pair(entry: dict[str, Any]) -> tuple[str, str] | None:
    vi = _entry_field(entry, ("text_vi", "words_vi", "wording_vi", "quote_vi", "vi",
                              "label_vi", "text"))
    en = _entry_field(entry, ("text_en", "words_en", "wording_en", "quote_en", "en",
                              "label_en"))
    if vi is None:
        return None
    return (vi, en or vi)


@cache
def _targets_file() -> dict[str, tuple[str, str]]:
    """target id → (words vi, words en), from the projection's own reader of targets.toml."""
    from .targets import load_targets

    return {t.id: (t.text_vi, t.text_en) for t in load_targets()}


def target_text(target: str, indicator: str, lang: str,
                given: dict[str, Any] | None = None) -> str:
    """The target's words in ``lang``: ``given`` (the report's meta) first, then targets.toml,
    then the fallback by indicator, then the target's id."""
    i = LANGS.index(lang)
    if given and target in given:
        entry = given[target]
        if isinstance(entry, dict):
            pair = _text_pair(entry)
            if pair is not None:
                return pair[i]
        elif isinstance(entry, tuple | list) and len(entry) >= 2:
            return str(entry[i])
        elif isinstance(entry, str):
            return entry
    if target in _targets_file():
        return _targets_file()[target][i]
    if indicator in FALLBACK_TARGETS:
        return FALLBACK_TARGETS[indicator][i]
    return target

"""User-facing labels in Vietnamese and English (plots, reports, workbook)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import cache

LANGS = ("vi", "en")

_LABELS: dict[str, tuple[str, str]] = {
    # area classes (§II.7)
    "urban": ("Đô thị", "Urban"),
    "rural": ("Nông thôn", "Rural"),
    "mountain": ("Miền núi, dân tộc thiểu số", "Mountain & ethnic-minority"),
    "island": ("Hải đảo", "Island"),
    # offices (Decree 150/2025/NĐ-CP)
    "leadership": ("Lãnh đạo HĐND, UBND", "Council & committee leadership"),
    "office_hdnd_ubnd": ("Văn phòng HĐND và UBND", "Office of the Council & Committee"),
    "economy": ("Phòng Kinh tế", "Economic Office"),
    "economy_infrastructure_urban": ("Phòng Kinh tế – Hạ tầng – Đô thị",
                                     "Economy–Infrastructure–Urban Office"),
    "culture_social": ("Phòng Văn hóa – Xã hội", "Culture–Social Affairs Office"),
    "public_service_center": ("Trung tâm Phục vụ hành chính công",
                              "Public Administration Service Centre"),
    "party_mass": ("Đảng ủy, Mặt trận và đoàn thể", "Party & mass organisations"),
    "unplaced": ("Chưa bố trí", "Unplaced"),
    # framework groups (§II.1)
    "political": ("Chính trị, đạo đức, phục vụ", "Political, ethics, service"),
    "execution": ("Thực thi công vụ", "Public-service execution"),
    "development": ("Năng lực phát triển", "Development capacity"),
    # generic words
    "staff": ("Cán bộ, công chức", "Staff"),
    "posts": ("Vị trí việc làm", "Posts"),
    "commune": ("Xã, phường, đặc khu", "Commune-level unit"),
    "area_class": ("Loại địa bàn", "Area class"),
    "share_meeting": ("Tỷ lệ đạt chuẩn", "Share meeting the standard"),
    "mean_gap": ("Thiếu hụt bình quân (điểm)", "Mean gap (points)"),
    "warning_list": ("Danh sách cảnh báo", "Warning list"),
    "major": ("Nghiêm trọng", "Major"),
    "minor": ("Nhẹ", "Minor"),
    "latitude": ("Vĩ độ", "Latitude"),
    "longitude": ("Kinh độ", "Longitude"),
    "filled": ("Có người", "Filled"),
    "vacant": ("Trống", "Vacant"),
    "synthetic_note": ("Dữ liệu cán bộ là dữ liệu mô phỏng (tổng hợp)",
                       "Staff data are synthetic"),
    "province_map": ("Các đơn vị hành chính cấp xã tỉnh Khánh Hòa",
                     "Commune-level units of Khánh Hòa"),
    "staffing_by_commune": ("Biên chế theo đơn vị", "Staffing by commune"),
    "review_by_area": ("Đánh giá khung năng lực theo loại địa bàn",
                       "Competency review by area class"),
    "gap_distribution": ("Phân bố thiếu hụt theo nhóm năng lực",
                         "Gap by competency group"),
    "population": ("Dân số", "Population"),
    "index_title": ("Kết quả khcadre", "khcadre results"),
    # column names shown in reports
    "office": ("Cơ quan", "Office"),
    "field": ("Lĩnh vực", "Field"),
    "staff_id": ("Mã cán bộ", "Staff ID"),
    "position_id": ("Mã vị trí", "Post"),
    "territory_id": ("Mã đơn vị", "Unit code"),
    "name": ("Tên đơn vị", "Unit"),
    "title": ("Chức danh", "Title"),
    "meets_standard": ("Đạt chuẩn", "Meeting the standard"),
    "major_gaps": ("Thiếu hụt nghiêm trọng", "Major gaps"),
    "weighted_gap": ("Thiếu hụt có trọng số", "Weighted gap"),
    "severity": ("Mức độ", "Severity"),
    "weakest_group": ("Nhóm yếu nhất", "Weakest group"),
    "ok": ("Đạt", "OK"),
    "current_position_id": ("Vị trí hiện nay", "Post today"),
    "change": ("Thay đổi", "Change"),
    "distance_km": ("Khoảng cách (km)", "Distance (km)"),
    "filled_today": ("Hiện có người", "Filled today"),
    "fields": ("Lĩnh vực chuyên môn", "Qualified fields"),
    "required_fte": ("Cần (FTE)", "Required (FTE)"),
    "actual_fte_before": ("Có (FTE)", "Available (FTE)"),
    "load_ratio_before": ("Tỷ lệ tải trước", "Load before"),
    "load_ratio_after": ("Tỷ lệ tải sau", "Load after"),
    "shortage_fte": ("Thiếu hụt (FTE)", "Shortage (FTE)"),
    "post_field": ("Lĩnh vực của vị trí", "Post's field"),
    "load_ratio": ("Tỷ lệ tải", "Load ratio"),
    "status": ("Tình trạng", "Status"),
    "over": ("Quá tải", "Overloaded"),
    "under": ("Dưới tải", "Underloaded"),
    "year": ("Năm", "Year"),
    "net_cost": ("Chi phí ròng (đồng)", "Net cost (VND)"),
    "new_beneficiaries": ("Người mới hưởng", "New beneficiaries"),
    "programme": ("Chương trình", "Programme"),
    "requested": ("Số đề nghị", "Requested"),
    "admitted": ("Được duyệt", "Granted"),
    "waitlisted": ("Danh sách chờ", "Waitlisted"),
    "reason": ("Lý do", "Reason"),
    "moves": ("Chuyển vị trí", "Moves"),
    "placed": ("Mới bố trí", "Newly placed"),
}


def label(key: str, lang: str = "vi") -> str:
    """The label of ``key`` in ``lang`` (falls back to field names, then to the key itself)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    if key in _LABELS:
        return _LABELS[key][LANGS.index(lang)]
    names = _field_names()
    if key in names:
        return names[key][LANGS.index(lang)]
    return key


@cache
def _field_names() -> dict[str, tuple[str, str]]:
    from .io import load_fields

    fields = load_fields()
    return {r.field: (r.name_vi, r.name_en) for r in fields.itertuples()}


def translator(vocabulary: dict[str, tuple[str, str]]) -> Callable[..., str]:
    """A label function for a module's own (vi, en) vocabulary, falling back to :func:`label`.

    Capabilities keep the words only they use beside their figures; the lookup, the language
    check and the shared words (area classes, offices, fields) live here.
    """

    def translate(key: str, lang: str = "vi") -> str:
        if lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}")
        if key in vocabulary:
            return vocabulary[key][LANGS.index(lang)]
        return label(key, lang)

    return translate


def literal_text(function: Callable) -> Callable:
    """Decorate a figure function so that every text it draws is shown literally.

    Names come from users' tables: a unit called "Xã $A$" must print a dollar sign, not start
    matplotlib's mathematical notation (which renders it in italics, or raises on "$\\frac{$").
    Texts keep the setting they were created with, so every text made inside the function —
    titles, labels, legends, annotations, tick labels set from names — is plain text.
    """
    @functools.wraps(function)
    def wrapper(*args, **kwargs):  # noqa: ANN202
        import matplotlib

        # Only this one setting is changed and restored: matplotlib.rc_context would restore
        # every setting on exit, including "interactive", which Jupyter's inline backend turns
        # on when the first figure is made — restoring it would hide every later figure.
        before = matplotlib.rcParams["text.parse_math"]
        matplotlib.rcParams["text.parse_math"] = False
        try:
            return function(*args, **kwargs)
        finally:
            matplotlib.rcParams["text.parse_math"] = before
    return wrapper

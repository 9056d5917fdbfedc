"""The what-if page's computations, without any web framework (unit-tested on their own).

* :class:`BudgetInputs` — what the budget officer can move on the page (cap shares, a factor on
  each programme's monthly and one-off amounts, its commitment months, the main uncertain rates)
  and :meth:`BudgetInputs.overrides`, which turns them into the dotted keys of
  ``scenarios/base.toml`` for :meth:`khcadre_sim.Scenario.with_overrides`;
* :class:`Workbench` — the province, the starting scenario and every capability's result on it,
  computed once when the page starts and shared by every visitor;
* :func:`compute` — one incentive run (2,000 draws, no curves) for a set of inputs, or the
  error lines the key table gives for a value it rejects;
* tables and the figure the page shows, in Vietnamese or English.

Only the stable parts of a capability's result are used: ``tables()["by_year"]``,
``tables()["ceiling"]``, ``tables()["places"]``, ``headline(lang)`` and
``commune_tables(territory_id, lang)``.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from .. import keys
from ..capability import REGISTRY
from ..errors import KhcadreError
from ..io import Province
from ..labels import LANGS, label, literal_text, translator
from ..scenario import Scenario

# Monte Carlo draws of one what-if run: the expectation is exact whatever the number; 2,000 draws
# give the P5/P95 band in about a tenth of a second on the bundled province (the CLI uses the
# scenario's constants.incentives.draws).
DRAWS = 2000
# The uncertain rates the page offers (keys of [uncertainties.incentives]); their sliders span
# the plausible range declared in khcadre_sim/scenario_keys.toml.
RATE_KEYS = ("acceptance_recruit", "acceptance_existing", "quit_monthly_recruit",
             "quit_monthly_existing", "evaluation_terminate")
# Display ranges of the sliders (a page layout choice, not a policy figure): any value the key
# table accepts can be typed in the box beside each slider.
CAP_SLIDER = (0.0, 0.3, 0.01)
FACTOR_SLIDER = (0.0, 3.0, 0.05)
COMMITMENT_SLIDER = (6, 120, 6)
CACHE_SIZE = 64  # what-if runs kept per page server (same inputs → same answer, no recompute)

WORDS: dict[str, tuple[str, str]] = {
    "title": ("khcadre — Trang thử giả định", "khcadre — what-if page"),
    "subtitle": ("Nghị quyết về nâng cao chất lượng cán bộ, công chức cơ sở tỉnh Khánh Hòa "
                 "giai đoạn 2026–2030", "Khánh Hòa's 2026–2030 resolution on commune-level "
                 "cadres"),
    "tab_budget": ("Kinh phí thu hút, hỗ trợ", "Incentive budget"),
    "tab_commune": ("Tra cứu xã, phường, đặc khu", "Commune explorer"),
    "source": ("trang thử giả định", "what-if page"),
    "synthetic": ("Dữ liệu cán bộ là dữ liệu mô phỏng (tổng hợp), không phải người thật.",
                  "Staff data are synthetic, not real people."),
    "scenario": ("Kịch bản", "Scenario"),
    "caps": ("Trần số người hưởng (§II.8)", "Beneficiary caps (§II.8)"),
    "commune_cap_share": ("Tỷ lệ tối đa người hưởng trong mỗi xã, phường",
                          "Commune cap (share of a commune's staff)"),
    "province_cap_share": ("Tỷ lệ tối đa người hưởng toàn tỉnh",
                           "Province cap (share of the province's staff)"),
    "monthly_factor": ("Hệ số mức hỗ trợ hằng tháng (× kịch bản)",
                       "Monthly support (× the scenario's amount)"),
    "one_off_factor": ("Hệ số hỗ trợ một lần (× kịch bản)",
                       "One-off support (× the scenario's amount)"),
    "commitment_months": ("Thời gian cam kết công tác (tháng)", "Committed service (months)"),
    "rates": ("Các tỷ lệ không chắc chắn (giả định)", "Uncertain rates (assumptions)"),
    "acceptance_recruit": ("Tỷ lệ nhận lời mời (thu hút mới)",
                           "Share of offers accepted (new talent)"),
    "acceptance_existing": ("Tỷ lệ tham gia (cán bộ đang công tác)",
                            "Take-up (staff already at the grassroots)"),
    "quit_monthly_recruit": ("Xác suất tự ý nghỉ việc mỗi tháng (thu hút mới)",
                             "Monthly chance of quitting (new talent)"),
    "quit_monthly_existing": ("Xác suất tự ý nghỉ việc mỗi tháng (cán bộ đang công tác)",
                              "Monthly chance of quitting (existing staff)"),
    "evaluation_terminate": ("Tỷ lệ chấm dứt hỗ trợ sau mỗi kỳ đánh giá",
                             "Share whose support ends at an evaluation"),
    "reset": ("Trở về kịch bản ban đầu", "Back to the starting scenario"),
    "no_one_off": ("không có khoản hỗ trợ một lần trong kịch bản",
                   "the scenario has no one-off support"),
    "monthly_now": ("hằng tháng", "monthly"),
    "one_off_now": ("một lần", "one-off"),
    "months": ("tháng", "months"),
    "base_salary": ("× lương cơ sở", "× base salary"),
    "vnd": ("đồng", "VND"),
    "summary": ("Tóm tắt", "Summary"),
    "by_year": ("Theo năm (tỷ đồng)", "By year (bn VND)"),
    "headline": ("Kết quả chính", "Key results"),
    "expected_total": ("Chi phí ròng kỳ vọng {years} (tỷ đồng)",
                       "Expected net cost {years} (bn VND)"),
    "worst_p95": ("Năm cao nhất, mức P95 (tỷ đồng)", "Worst year at P95 (bn VND)"),
    "lowest_ceiling": ("Trần kinh phí thấp nhất một năm (tỷ đồng)",
                       "Lowest yearly ceiling (bn VND)"),
    "p_breach": ("Xác suất vượt trần, năm cao nhất", "Probability of breaching the ceiling, "
                 "worst year"),
    "granted": ("Suất được duyệt", "Places granted"),
    "waitlisted": ("Danh sách chờ", "Waitlisted"),
    "seconds": ("Thời gian tính (giây)", "Computed in (seconds)"),
    "what": ("Chỉ tiêu", "Measure"),
    "value": ("Giá trị", "Value"),
    "start_value": ("Kịch bản ban đầu", "Starting scenario"),
    "error_intro": ("Không tính được với các giá trị này (kết quả bên dưới là của lần tính hợp "
                    "lệ gần nhất):", "These values cannot be computed (the results below are "
                    "from the last valid run):"),
    "internal": ("lỗi nội bộ của khcadre ({kind}: {text}); đây là lỗi của chương trình, không "
                 "phải của dữ liệu bạn nhập", "internal error in khcadre ({kind}: {text}); this "
                 "is a bug, not a problem with your input"),
    "draws_note": ("Kỳ vọng tính chính xác; dải P5–P95 từ {draws:,} lần mô phỏng.",
                   "Expected values are exact; the P5–P95 band comes from {draws:,} draws."),
    "figure_title": ("Chi phí ròng theo năm, dải P5–P95, so với trần",
                     "Net cost by year, P5–P95 band, against the ceiling"),
    "year": ("Năm", "Year"),
    "bn": ("tỷ đồng", "bn VND"),
    "expected_line": ("Kỳ vọng (đang thử)", "Expected (this what-if)"),
    "band": ("P5–P95", "P5–P95"),
    "start_line": ("Kỳ vọng (kịch bản ban đầu)", "Expected (starting scenario)"),
    "ceiling": ("Trần kinh phí", "Budget ceiling"),
    "expected": ("Kỳ vọng", "Expected"),
    "p5": ("P5", "P5"),
    "p95": ("P95", "P95"),
    "commune": ("Đơn vị", "Unit"),
    "facts": ("Thông tin đơn vị", "About the unit"),
    "code": ("Mã đơn vị", "Unit code"),
    "unit_type": ("Loại đơn vị", "Kind of unit"),
    "xa": ("Xã", "Commune (xã)"),
    "phuong": ("Phường", "Ward (phường)"),
    "dac_khu": ("Đặc khu", "Special zone (đặc khu)"),
    "area": ("Diện tích (km²)", "Area (km²)"),
    "estimate": ("ước tính", "estimate"),
    "hard_area": ("Địa bàn khó khăn", "Hard area"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "former_district": ("Thuộc huyện, thị, thành phố cũ", "Former district"),
    "posts_count": ("Số vị trí việc làm", "Posts"),
    "staff_count": ("Số cán bộ, công chức đang giữ vị trí", "Staff holding a post"),
    "no_tables": ("Phần này chưa có bảng riêng cho từng đơn vị.",
                  "This part has no tables for a single unit yet."),
    "no_rows": ("(không có dòng nào)", "(no rows)"),
    "more_rows": ("… và {n:,} dòng nữa", "… and {n:,} more rows"),
    "explorer_note": ("Kết quả theo kịch bản ban đầu ({name}), tính một lần khi mở trang.",
                      "Results of the starting scenario ({name}), computed once at start."),
}
word = translator(WORDS)


# ------------------------------------------------------------------------- page inputs

@dataclass(frozen=True)
class ProgrammeInputs:
    """What the page changes on one incentive programme: factors on the scenario's amounts
    (1.0 = as in the scenario) and the committed service period."""

    id: str
    monthly_factor: float = 1.0
    one_off_factor: float = 1.0
    commitment_months: int = 60


@dataclass(frozen=True)
class BudgetInputs:
    """The values of the budget tab's widgets (hashable: the same inputs reuse one run)."""

    commune_cap_share: float
    province_cap_share: float
    programmes: tuple[ProgrammeInputs, ...]
    rates: tuple[tuple[str, float], ...] = ()

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> BudgetInputs:
        """The starting values: the scenario's own (every factor 1)."""
        lever = scenario.levers["incentives"]
        unc = scenario.uncertainties.get("incentives", {})
        return cls(
            commune_cap_share=float(lever["commune_cap_share"]),
            province_cap_share=float(lever["province_cap_share"]),
            programmes=tuple(ProgrammeInputs(str(p["id"]),
                                             commitment_months=int(p["commitment_months"]))
                             for p in lever["programmes"]),
            rates=tuple((k, float(unc[k])) for k in RATE_KEYS if k in unc))

    def rate(self, key: str) -> float:
        return dict(self.rates)[key]

    def with_value(self, name: str, value: Any, programme: str | None = None) -> BudgetInputs:
        """A copy with one widget's value changed (``name`` a field of this class, of
        :class:`ProgrammeInputs` when ``programme`` is given, or a key of :data:`RATE_KEYS`)."""
        if programme is not None:
            return replace(self, programmes=tuple(
                replace(p, **{name: value}) if p.id == programme else p
                for p in self.programmes))
        if name in RATE_KEYS:
            return replace(self, rates=tuple((k, value if k == name else v)
                                             for k, v in self.rates))
        return replace(self, **{name: value})

    def overrides(self, scenario: Scenario) -> dict[str, Any]:
        """The dotted scenario keys for :meth:`Scenario.with_overrides`. The programmes are a
        list of tables and are replaced whole: each is the scenario's own table with its monthly
        and one-off amounts multiplied by the factors and its commitment months set. Values are
        passed as given (nothing is clamped): the key table judges them."""
        by_id = {p.id: p for p in self.programmes}
        programmes = []
        for table in scenario.levers["incentives"]["programmes"]:
            table = copy.deepcopy(table)
            chosen = by_id.get(str(table["id"]))
            if chosen is not None:
                table["monthly"] = table["monthly"] * chosen.monthly_factor
                table["one_off"] = table["one_off"] * chosen.one_off_factor
                table["commitment_months"] = chosen.commitment_months
            programmes.append(table)
        out: dict[str, Any] = {
            "levers.incentives.commune_cap_share": self.commune_cap_share,
            "levers.incentives.province_cap_share": self.province_cap_share,
            "levers.incentives.programmes": programmes,
        }
        out.update({f"uncertainties.incentives.{k}": v for k, v in self.rates})
        return out


def slider_range(key: str, value: float) -> tuple[float, float, float]:
    """(start, end, step) of a rate's slider: the key's plausible range from the key table,
    widened to include ``value``, with a round step of about a fortieth of the span."""
    declared = keys.keys()[f"uncertainties.incentives.{key}"].range
    low, high = declared if declared is not None else (0.0, 1.0)
    low, high = min(low, value), max(high, value)
    span = high - low if high > low else 1.0
    step = 10.0 ** math.floor(math.log10(span / 40))
    return low, high, step


def amount_text(table: dict[str, Any], which: str, factor: float, lang: str) -> str:
    """'4.0 × lương cơ sở' or '1,000,000 đồng': a programme's amount after the factor."""
    amount = float(table[which]) * factor
    unit = table.get(f"{which}_unit", "vnd")
    if unit == "base_salary":
        return f"{amount:,.2f} {word('base_salary', lang)}"
    return f"{amount:,.0f} {word('vnd', lang)}"


# ------------------------------------------------------------------------------ runs

@dataclass
class Outcome:
    """One what-if run: the incentive result, or the error lines that stopped it."""

    inputs: BudgetInputs
    result: Any | None
    errors: list[str]
    seconds: float

    @property
    def ok(self) -> bool:
        return self.result is not None


@dataclass
class Workbench:
    """The province, the starting scenario and every capability's result on it (computed once;
    a capability that fails keeps its error lines instead of a result)."""

    province: Province
    scenario: Scenario
    results: dict[str, Any]
    failures: dict[str, list[str]]
    start: Outcome
    seconds: dict[str, float] = field(default_factory=dict)
    _cache: dict[BudgetInputs, Outcome] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, province: Province, scenario: Scenario) -> Workbench:
        from .. import run

        results: dict[str, Any] = {}
        failures: dict[str, list[str]] = {}
        seconds: dict[str, float] = {}
        for cap in REGISTRY:
            if cap.name == "incentives":
                continue
            started = time.perf_counter()
            try:
                results[cap.name] = run(cap.name, province, scenario)
            except KhcadreError as exc:
                failures[cap.name] = error_lines(exc)
            seconds[cap.name] = round(time.perf_counter() - started, 3)
        bench = cls(province, scenario, results, failures, Outcome(
            BudgetInputs.from_scenario(scenario), None, [], 0.0), seconds)
        bench.start = bench.compute(BudgetInputs.from_scenario(scenario))
        seconds["incentives"] = round(bench.start.seconds, 3)
        if bench.start.ok:
            results["incentives"] = bench.start.result
        else:
            failures["incentives"] = bench.start.errors
        return bench

    def compute(self, inputs: BudgetInputs, lang: str = "vi") -> Outcome:
        """The incentive run for ``inputs`` (kept: the same inputs are not computed twice)."""
        if inputs in self._cache:
            return self._cache[inputs]
        outcome = compute(self.province, self.scenario, inputs, lang)
        if outcome.ok:  # error lines are cheap and in the visitor's language: not kept
            if len(self._cache) >= CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[inputs] = outcome
        return outcome


def error_lines(exc: KhcadreError) -> list[str]:
    return [str(p).lstrip(": ") for p in exc.problems]


def compute(province: Province, scenario: Scenario, inputs: BudgetInputs,
            lang: str = "vi") -> Outcome:
    """Run the incentive capability on the scenario changed by ``inputs``; a value the key
    table (or the model) rejects gives its error lines, never an exception."""
    from .. import run

    started = time.perf_counter()
    try:
        changed = scenario.with_overrides(inputs.overrides(scenario), source=word("source", lang))
        result = run("incentives", province, changed, draws=DRAWS, curves=False)
    except KhcadreError as exc:
        return Outcome(inputs, None, error_lines(exc), time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - a bug: one line on the page, not a traceback
        return Outcome(inputs, None, [word("internal", lang).format(
            kind=type(exc).__name__, text=exc)], time.perf_counter() - started)
    return Outcome(inputs, result, [], time.perf_counter() - started)


# ------------------------------------------------------------------------ budget views

def _years_text(ceiling: pd.DataFrame) -> str:
    return f"{int(ceiling['year'].min())}–{int(ceiling['year'].max())}"


def _net_total(result: Any) -> pd.DataFrame:
    by_year = result.tables()["by_year"]
    return by_year[(by_year["programme"] == "all") & (by_year["measure"] == "net_cost")]


def budget_figures(result: Any) -> dict[str, float]:
    """The summary's numbers (VND, shares, counts) from the result's stable tables."""
    ceiling, places = result.tables()["ceiling"], result.tables()["places"]
    worst = ceiling.loc[ceiling["p95_net"].idxmax()]
    return {"expected_net_total": float(ceiling["expected_net"].sum()),
            "worst_year": int(worst["year"]), "worst_p95_net": float(worst["p95_net"]),
            "lowest_ceiling": float(ceiling["ceiling"].min()),
            "max_p_breach": float(ceiling["p_breach"].max()),
            "granted": int(places["admitted"].sum()),
            "waitlisted": int(places["waitlisted"].sum())}


def budget_summary(outcome: Outcome, start: Outcome | None, lang: str = "vi") -> pd.DataFrame:
    """Measure | value | value of the starting scenario (text cells, ready to show)."""
    assert outcome.result is not None
    now = budget_figures(outcome.result)
    then = budget_figures(start.result) if start is not None and start.ok else None
    years = _years_text(outcome.result.tables()["ceiling"])

    def rows(f: dict[str, float]) -> list[str]:
        return [f"{f['expected_net_total'] / 1e9:,.1f}",
                f"{f['worst_p95_net'] / 1e9:,.1f} ({f['worst_year']})",
                f"{f['lowest_ceiling'] / 1e9:,.1f}", f"{f['max_p_breach']:.1%}",
                f"{f['granted']:,}", f"{f['waitlisted']:,}"]

    frame = pd.DataFrame({
        word("what", lang): [word("expected_total", lang).format(years=years),
                             word("worst_p95", lang), word("lowest_ceiling", lang),
                             word("p_breach", lang), word("granted", lang),
                             word("waitlisted", lang)],
        word("value", lang): rows(now)}, dtype="object")
    if then is not None:
        frame[word("start_value", lang)] = pd.Series(rows(then), dtype="object")
    return frame


def year_table(result: Any, lang: str = "vi") -> pd.DataFrame:
    """Year | expected | P5 | P95 | ceiling | probability of breach (text cells, bn VND)."""
    net = _net_total(result).set_index("year")
    ceiling = result.tables()["ceiling"].set_index("year")
    years = list(ceiling.index)
    return pd.DataFrame({
        word("year", lang): [str(int(y)) for y in years],
        word("expected", lang): [f"{net.at[y, 'expected'] / 1e9:,.2f}" for y in years],
        word("p5", lang): [f"{net.at[y, 'p5'] / 1e9:,.2f}" for y in years],
        word("p95", lang): [f"{net.at[y, 'p95'] / 1e9:,.2f}" for y in years],
        word("ceiling", lang): [f"{ceiling.at[y, 'ceiling'] / 1e9:,.2f}" for y in years],
        word("p_breach", lang): [f"{ceiling.at[y, 'p_breach']:.1%}" for y in years]},
        dtype="object")


@literal_text
def cost_figure(result: Any, start: Any | None = None, lang: str = "vi") -> Figure:
    """Net cost by year: expected line and P5–P95 band of this what-if, the starting scenario's
    expected line (when given) and the yearly ceiling."""
    fig = Figure(figsize=(7.5, 4.3), dpi=100)
    ax = fig.add_subplot()
    net, ceiling = _net_total(result), result.tables()["ceiling"]
    ax.fill_between(net["year"], net["p5"] / 1e9, net["p95"] / 1e9, color="C0", alpha=0.25,
                    label=word("band", lang))
    ax.plot(net["year"], net["expected"] / 1e9, marker="o", color="C0",
            label=word("expected_line", lang))
    if start is not None:
        base = _net_total(start)
        ax.plot(base["year"], base["expected"] / 1e9, ls=":", marker=".", color="0.4",
                label=word("start_line", lang))
    ax.plot(ceiling["year"], ceiling["ceiling"] / 1e9, "k--", label=word("ceiling", lang))
    ax.set_xticks([int(y) for y in ceiling["year"]])
    ax.set_xlabel(word("year", lang))
    ax.set_ylabel(word("bn", lang))
    ax.set_ylim(bottom=0)
    ax.set_title(word("figure_title", lang), fontsize=11)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4,
              frameon=False)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------------ commune views

def commune_choices(province: Province) -> dict[str, str]:
    """Shown name → territory_id, in the order of the territories table (names are shown
    exactly; a name used twice gets its code beside it)."""
    terr = province.territories
    counts = terr["name"].value_counts()
    return {(row.name if counts[row.name] == 1 else f"{row.name} ({row.territory_id})"):
            row.territory_id for row in terr.itertuples()}


def commune_facts(province: Province, territory_id: str, lang: str = "vi") -> pd.DataFrame:
    """What the territories table says about one unit, and its posts and staff."""
    row = province.territories.set_index("territory_id").loc[territory_id]
    posts = province.positions[province.positions["territory_id"] == territory_id]
    staffed = province.staff["position_id"].isin(posts["position_id"]).sum()
    population = "" if pd.isna(row["population"]) else f"{int(row['population']):,}"
    if population and bool(row.get("population_is_estimate", False)):
        population += f" ({word('estimate', lang)})"
    facts = [(word("commune", lang), str(row["name"])), (word("code", lang), territory_id),
             (word("unit_type", lang), word(str(row["unit_type"]), lang)),
             (label("area_class", lang), label(str(row["area_class"]), lang)),
             (label("population", lang), population),
             (word("area", lang), f"{float(row['area_km2']):,.1f}"),
             (word("hard_area", lang), word("yes" if bool(row["hard_area"]) else "no", lang)),
             (word("former_district", lang), str(row.get("former_district", "") or "")),
             (word("posts_count", lang), f"{len(posts):,}"),
             (word("staff_count", lang), f"{int(staffed):,}")]
    return pd.DataFrame({word("what", lang): [k for k, _ in facts],
                         word("value", lang): [v for _, v in facts]}, dtype="object")


def _cell(value: Any, lang: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "✓" if value else "–"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"
    return label(str(value), lang)


def shown_table(frame: pd.DataFrame, lang: str = "vi", limit: int = 25) -> tuple[pd.DataFrame,
                                                                                 str]:
    """A capability's table as text cells with translated headers and labels (area classes,
    offices, fields …), cut to ``limit`` rows; and the '… and N more rows' note."""
    head = frame.head(limit)
    cells = {label(str(c), lang): [_cell(v.item() if hasattr(v, "item") else v, lang)
                                   for v in head[c]] for c in head.columns}
    shown = pd.DataFrame(cells, columns=list(cells), dtype="object")
    more = len(frame) - len(head)
    return shown, (word("more_rows", lang).format(n=more) if more > 0 else "")


def commune_sections(bench: Workbench, territory_id: str, lang: str = "vi",
                     ) -> list[dict[str, Any]]:
    """Per capability: its title, the error lines if it failed at start, and the small tables
    its result offers for this unit (``commune_tables``)."""
    out = []
    for cap in REGISTRY:
        section: dict[str, Any] = {"name": cap.name, "title": cap.title(lang),
                                   "errors": bench.failures.get(cap.name, []), "tables": []}
        result = bench.results.get(cap.name)
        if result is not None:
            for caption, frame in result.commune_tables(territory_id, lang).items():
                shown, more = shown_table(frame, lang)
                section["tables"].append({"caption": str(caption), "table": shown,
                                          "more": more})
        out.append(section)
    return out


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    return lang

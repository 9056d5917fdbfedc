"""Incentive programmes as read from a scenario: typed, validated, with errors that name the key.

A scenario's ``[levers.incentives]`` holds the designs the province can choose (programmes,
beneficiary caps, budget ceiling); ``[uncertainties.incentives]`` the rates nobody controls
(acceptance of offers, evaluation outcomes, monthly hazards of leaving by cause, refund
collection); ``[constants.incentives]`` the modelling constants (salary-fund assumption, draws,
horizon).

Exits by cause (Resolution §II.8: "trường hợp không hoàn thành nhiệm vụ hoặc tự ý nghỉ việc phải
hoàn trả kinh phí hỗ trợ theo quy định"): support ends when a person quits by choice (``quit``,
"tự ý nghỉ việc"), fails their duties (``fail_duties``, "không hoàn thành nhiệm vụ": a failed
periodic evaluation, or a monthly hazard between evaluations), retires (``retirement``), dies or
leaves for ill health (``death_health``) or is transferred by the state (``transfer``: điều động,
luân chuyển, chuyển công tác).  Only the causes a programme lists in ``refund_causes`` owe a
refund; the default is exactly the resolution's two, ``["quit", "fail_duties"]``.

After the commitment (``after_commitment``): the resolution asks for a committed service period
and for periodic evaluation as the basis "to continue, adjust or end the policy" ("định kỳ đánh
giá hiệu quả công việc làm căn cứ tiếp tục, điều chỉnh hoặc chấm dứt chính sách"); it never says
that support stops when the commitment ends.  The project reads that silence as: support
continues while evaluations pass (``"continue_while_evaluations_pass"``, the default) — the
evaluations keep raising, lowering or ending it, and leaving after the commitment owes no refund.
``"stop"`` ends the support with the commitment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import Problem, ScenarioError
from ..keys import build, default, keys, setting
from ..keys import uncertainties as uncertain_keys

PROGRAMMES = "levers.incentives.programmes"
UNCERTAIN = "uncertainties.incentives"
# why support ends early (order = reporting order); see the module docstring
CAUSES = ("quit", "fail_duties", "retirement", "death_health", "transfer")
RESOLUTION_REFUND_CAUSES = ("quit", "fail_duties")  # "tự ý nghỉ việc", "không hoàn thành nhiệm vụ"


def item_default(name: str) -> Any:
    """The key table's default of an optional programme field (lists as tuples)."""
    value = default(f"{PROGRAMMES}[].{name}")
    return tuple(value) if isinstance(value, list) else value


def _choices(name: str) -> tuple[str, ...]:
    return keys()[f"{PROGRAMMES}[].{name}"].choices


KINDS = _choices("kind")  # recruit | existing
AFTER_COMMITMENT = _choices("after_commitment")  # continue_while_evaluations_pass | stop


@dataclass(frozen=True)
class Programme:
    """One support programme (Resolution §II.8): ``levers.incentives.programmes[]`` under its TOML
    names; optional fields take the key table's item defaults.

    Amounts are in VND or multiples of the dated base salary (``*_unit``).  Monthly support is paid
    at ``monthly × level_factors[level]``; evaluations every ``evaluation_months`` move a person up
    or down a level or end the support (cause ``fail_duties``).  The person commits to
    ``commitment_months`` of service; support ending before then for a cause listed in
    ``refund_causes`` (default: the resolution's ``quit`` and ``fail_duties``) triggers a refund of
    ``refund_one_off_share`` of the one-off and ``refund_monthly_share`` of the monthly support
    received, scaled by the unserved share of the commitment when ``refund_pro_rata``; other
    causes (retirement, death or ill health, transfer) owe nothing.  After the commitment,
    ``after_commitment`` says whether support stops or continues while evaluations pass (then
    leaving owes no refund).
    """

    id: str
    kind: str  # recruit (new talent) | existing (capable staff already at the grassroots)
    fields: tuple[str, ...]
    one_off: float
    monthly: float
    evaluation_months: int
    commitment_months: int
    name_vi: str = ""  # empty: the id
    name_en: str = ""
    priority: int = 1  # a scenario's default: the programme's place in the list
    area_classes: tuple[str, ...] = item_default("area_classes")
    one_off_unit: str = item_default("one_off_unit")
    monthly_unit: str = item_default("monthly_unit")
    level_factors: tuple[float, ...] = item_default("level_factors")
    start_level: int = item_default("start_level")
    refund_one_off_share: float = item_default("refund_one_off_share")
    refund_monthly_share: float = item_default("refund_monthly_share")
    refund_pro_rata: bool = item_default("refund_pro_rata")
    # causes of an early end of support that owe a refund (subset of CAUSES)
    refund_causes: tuple[str, ...] = item_default("refund_causes")
    after_commitment: str = item_default("after_commitment")
    # eligible roles: offices of the post (empty = every office), managers or not
    offices: tuple[str, ...] = item_default("offices")
    include_managers: bool = item_default("include_managers")
    # recruit: offers per year (province total), made in `intake_month` of each year
    recruits_per_year: dict[int, int] = field(default_factory=dict)
    intake_month: int = item_default("intake_month")
    # existing: who is eligible, and when support starts
    min_rating: str = item_default("min_rating")
    min_score_development: float = item_default("min_score_development")
    start: dt.date | None = None

    def __post_init__(self) -> None:
        _normalise(self)
        object.__setattr__(self, "recruits_per_year",
                           {int(y): int(n) for y, n in self.recruits_per_year.items()})
        for name in ("name_vi", "name_en"):
            if not getattr(self, name):
                object.__setattr__(self, name, self.id)


def _normalise(obj: Any) -> None:
    """Numbers declared float are floats (TOML's ``0`` is an int) and lists are tuples."""
    for f in dataclasses.fields(obj):
        value, kind = getattr(obj, f.name), str(f.type)
        if kind == "float":
            value = float(value)
        elif kind.startswith("tuple[float"):
            value = tuple(float(v) for v in value)
        elif kind.startswith("tuple[") and isinstance(value, list):
            value = tuple(value)
        else:
            continue
        object.__setattr__(obj, f.name, value)


@dataclass(frozen=True)
class Rates:
    """Uncertain rates for one kind of programme: monthly hazards of leaving by cause (competing:
    each month a person leaves with probability ``exit_monthly``, the sum, and the cause is ``c``
    with probability ``hazard(c) / exit_monthly``); per-evaluation outcome probabilities."""

    acceptance: float
    quit_monthly: float
    fail_duties_monthly: float
    retirement_monthly: float
    death_health_monthly: float
    transfer_monthly: float
    evaluation_raise: float
    evaluation_lower: float
    evaluation_terminate: float
    refund_collection: float

    @property
    def evaluation_continue(self) -> float:
        return 1.0 - self.evaluation_raise - self.evaluation_lower - self.evaluation_terminate

    def hazard(self, cause: str) -> float:
        """Monthly hazard of leaving for ``cause`` (one of CAUSES)."""
        return float(getattr(self, f"{cause}_monthly"))

    @property
    def exit_monthly(self) -> float:
        """Monthly probability of leaving for any cause."""
        return sum(self.hazard(c) for c in CAUSES)


HAZARD_KEYS = tuple(f"{c}_monthly" for c in CAUSES)
RATE_KEYS = tuple(f.name for f in dataclasses.fields(Rates))


def rate_ranges() -> dict[str, tuple[float, float]]:
    """Plausible low/high of every uncertain rate of ``[uncertainties.incentives]``, from the key
    table (names as in the scenario: ``acceptance_recruit``, ``transfer_monthly`` …)."""
    prefix = UNCERTAIN + "."
    return {name[len(prefix):]: key.range for name, key in uncertain_keys().items()
            if name.startswith(prefix) and key.range is not None}


@dataclass(frozen=True)
class Design:
    """Everything the incentive model needs from a scenario: the programmes, the uncertain rates
    by programme kind with their plausible ranges, and ``[levers.incentives]`` /
    ``[constants.incentives]`` under their TOML names (defaults from the key table)."""

    programmes: tuple[Programme, ...]
    rates: dict[str, Rates]  # by programme kind
    # plausible low/high of each uncertain rate (a `_recruit`/`_existing` suffix: that kind only)
    ranges: dict[str, tuple[float, float]] = field(default_factory=rate_ranges)
    commune_cap_share: float = setting("levers.incentives.commune_cap_share")
    province_cap_share: float = setting("levers.incentives.province_cap_share")
    ceiling_mode: str = setting("levers.incentives.ceiling_mode")
    ceiling_vnd_per_year: float = setting("levers.incentives.ceiling_vnd_per_year")
    solver_ceiling_vnd_per_year: float = setting("levers.incentives.solver_ceiling_vnd_per_year")
    mean_salary_coefficient: float = setting("constants.incentives.mean_salary_coefficient")
    mean_salary_coefficient_source: str = setting(
        "constants.incentives.mean_salary_coefficient_source")
    draws: int = setting("constants.incentives.draws")
    first_year: int = setting("constants.incentives.first_year")
    last_year: int = setting("constants.incentives.last_year")

    def __post_init__(self) -> None:
        _normalise(self)

    def with_programmes(self, programmes: list[Programme] | tuple[Programme, ...]) -> Design:
        return replace(self, programmes=tuple(programmes))

    def with_caps(self, commune: float | None = None, province: float | None = None) -> Design:
        """The same design with the commune and/or province cap share changed."""
        return replace(self, commune_cap_share=self.commune_cap_share if commune is None
                       else float(commune),
                       province_cap_share=self.province_cap_share if province is None
                       else float(province))


# ------------------------------------------------------------------------- from a scenario
#
# Every key's type, bounds, choices and finiteness are checked by the key table
# (khcadre_sim/scenario_keys.toml) when the scenario is loaded.  What is left here: rules
# between keys, the rules of a programme's kind, field codes against data/fields.csv, and the
# few rules of one key the table cannot state (a required field of a programme, a list that may
# not be empty, a cause named twice).


class _Problems(list):
    """Problems found so far, each naming the file that set the key (for a programme: the file
    that set the list of programmes)."""

    def __init__(self, scenario: Any) -> None:
        super().__init__()
        self.origin = scenario.origin

    def add(self, key: str, message: str, fix: str) -> None:
        where = PROGRAMMES if key.startswith(PROGRAMMES + "[") else key
        problem = Problem(file=str(self.origin(where)), column=key, message=message, fix=fix)
        if problem not in self:  # a shared rate is checked once per programme kind
            self.append(problem)


_REQUIRED = tuple(name.split("[].", 1)[1] for name, key in keys().items()
                  if name.startswith(PROGRAMMES + "[].") and not key.optional)


def _programme(raw: dict[str, Any], i: int, problems: _Problems, known_fields: set[str] | None,
               first_year: int, last_year: int) -> Programme | None:
    """One programme of the list (its values already valid one by one), or None when a
    required field is missing."""
    at = f"{PROGRAMMES}[{i}]"
    _check_one_key_rules(raw, at, problems, known_fields)
    _check_between_keys(raw, at, problems)
    _check_kind(raw, at, problems, first_year, last_year)
    if any(name not in raw for name in _REQUIRED):
        return None
    # reporting order, whatever order the file lists them in
    causes = raw.get("refund_causes", item_default("refund_causes"))
    return Programme(**{**raw, "id": str(raw["id"]).strip(),
                        "priority": raw.get("priority", i + 1),
                        "refund_causes": tuple(c for c in CAUSES if c in causes)})


def _check_one_key_rules(raw: dict[str, Any], at: str, problems: _Problems,
                         known_fields: set[str] | None) -> None:
    """Required fields, lists that may not be empty, a cause named twice, field codes."""
    for name in _REQUIRED:
        if name not in raw:
            problems.add(f"{at}.{name}", "missing",
                         f"add {name} = … ({keys()[f'{PROGRAMMES}[].{name}'].doc})")
    if "id" in raw and not str(raw["id"]).strip():
        problems.add(f"{at}.id", "missing programme id", 'write id = "short_name"')
    for name, fix in (("fields", 'write fields = ["it_digital", "land"] (codes of '
                                 'data/fields.csv)'),
                      ("area_classes", 'write area_classes = ["mountain", "island"] or leave '
                                       'it out (every class)')):
        if name in raw and not raw[name]:
            problems.add(f"{at}.{name}", "is an empty list", fix)
    unknown = sorted(set(raw.get("fields", [])) - known_fields) if known_fields else []
    if unknown:
        problems.add(f"{at}.fields", f"unknown field code(s) {unknown}",
                     f"use codes of data/fields.csv: {sorted(known_fields or ())}")
    causes = raw.get("refund_causes", [])
    if len(set(causes)) != len(causes):
        problems.add(f"{at}.refund_causes", f"'{causes}' is not a list of distinct cause names",
                     f'write refund_causes = ["quit", "fail_duties"] (causes: {", ".join(CAUSES)})')


def _check_between_keys(raw: dict[str, Any], at: str, problems: _Problems) -> None:
    """The commitment covers an evaluation period; the start level is one of the levels."""
    evaluation, commitment = raw.get("evaluation_months"), raw.get("commitment_months")
    if evaluation is not None and commitment is not None and commitment < evaluation:
        problems.add(f"{at}.commitment_months",
                     f"the commitment ({commitment} months) is shorter than the evaluation "
                     f"period ({evaluation})", "make commitment_months at least evaluation_months")
    factors = raw.get("level_factors", item_default("level_factors"))
    level = raw.get("start_level", item_default("start_level"))
    if level >= len(factors):
        problems.add(f"{at}.start_level", f"{level} is not a level of level_factors "
                     f"({len(factors)} level{'s' if len(factors) != 1 else ''})",
                     f"use a start_level from 0 to {max(len(factors) - 1, 0)}, or add levels "
                     "to level_factors = [0.5, 1.0, 1.5] (lowest to highest)")


def _check_kind(raw: dict[str, Any], at: str, problems: _Problems, first_year: int,
                last_year: int) -> None:
    """A recruit programme makes offers within the horizon; one for existing staff starts in
    it."""
    if raw.get("kind") == "recruit":
        offers = raw.get("recruits_per_year", {})
        if not offers:
            problems.add(f"{at}.recruits_per_year", "a recruit programme needs offers per year",
                         "write recruits_per_year = { 2027 = 30, 2028 = 30 }")
        for year in offers:
            if not first_year <= int(year) <= last_year:
                problems.add(f"{at}.recruits_per_year.{year}",
                             f"year {year} is outside {first_year}–{last_year}",
                             f"use years {first_year}–{last_year}")
    elif raw.get("kind") == "existing":
        start = raw.get("start")
        if start is None:
            problems.add(f"{at}.start", "a programme for existing staff needs a start date",
                         f"write start = {first_year + 1}-01-01")
        elif not dt.date(first_year, 1, 1) <= start <= dt.date(last_year, 12, 31):
            problems.add(f"{at}.start", f"start '{start}' is not a date in "
                         f"{first_year}–{last_year}", f"write start = {first_year + 1}-01-01")


def _rates(scenario: Any, kind: str, problems: _Problems) -> Rates:
    """The rates of one programme kind: a kind-specific key (``acceptance_recruit``) wins over
    the shared one (``acceptance``); the hazards and the evaluation outcomes are probabilities
    of one month or one evaluation, so each group adds up to at most 1."""
    used = {}
    for rate in RATE_KEYS:
        specific = f"{rate}_{kind}"
        used[rate] = specific if scenario.get(f"{UNCERTAIN}.{specific}") is not None else rate
    r = Rates(**{rate: float(scenario.get(f"{UNCERTAIN}.{name}")) for rate, name in used.items()})
    if r.evaluation_continue < -1e-12:
        problems.add(f"{UNCERTAIN}.evaluation_terminate", "evaluation outcome probabilities add "
                     "up to more than 1",
                     "make evaluation_raise + evaluation_lower + evaluation_terminate ≤ 1")
    if r.exit_monthly > 1 + 1e-12:
        names = [used[k] for k in HAZARD_KEYS]
        problems.add(f"{UNCERTAIN}.{names[0]}", f"the monthly exit hazards of {kind} programmes "
                     f"add up to {r.exit_monthly:g}, more than 1",
                     f"make {' + '.join(names)} ≤ 1 (each is a probability per month)")
    return r


def design_from_scenario(scenario: Any, known_fields: set[str] | None = None) -> Design:
    """The incentive design of a loaded scenario (every key already checked by the key table);
    raise ScenarioError listing every problem between keys, each naming its file and key.

    ``known_fields``: the field codes programmes may name (data/fields.csv), unchecked if None.
    """
    problems = _Problems(scenario)
    first = scenario.get("constants.incentives.first_year")
    last = scenario.get("constants.incentives.last_year")
    if first > last:
        problems.add("constants.incentives.last_year", f"the horizon ends ({last}) before it "
                     f"starts ({first})", "make last_year at least first_year")
    raw = scenario.get(PROGRAMMES)
    if not raw:
        problems.add(PROGRAMMES, "no programmes",
                     "add at least one [[levers.incentives.programmes]] table")
    programmes = [q for i, r in enumerate(raw)
                  if (q := _programme(r, i, problems, known_fields, first, last)) is not None]
    ids = [q.id for q in programmes]
    repeated = sorted({x for x in ids if ids.count(x) > 1})
    if repeated:
        problems.add(PROGRAMMES, f"programme ids repeated: {repeated}",
                     "give each programme its own id")
    if (scenario.get("levers.incentives.ceiling_mode") == "vnd"
            and scenario.get("levers.incentives.ceiling_vnd_per_year") <= 0):
        problems.add("levers.incentives.ceiling_vnd_per_year",
                     "ceiling_mode is 'vnd' but no ceiling is given",
                     "write ceiling_vnd_per_year = 25_000_000_000")
    rates = {k: _rates(scenario, k, problems) for k in sorted({q.kind for q in programmes})}
    if problems:
        raise ScenarioError(list(problems))
    return build(Design, scenario, "incentives", programmes=tuple(programmes), rates=rates,
                 ranges=rate_ranges())

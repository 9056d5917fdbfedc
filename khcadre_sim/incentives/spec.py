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

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import Problem, ScenarioError
from ..keys import uncertainties as uncertain_keys

KINDS = ("recruit", "existing")
UNITS = ("vnd", "base_salary")
RATINGS = ("not_completed", "completed", "good", "excellent")  # worst → best
CEILING_MODES = ("salary_fund_share", "vnd")
AREA_CLASSES = ("urban", "rural", "mountain", "island")
# why support ends early (order = reporting order); see the module docstring
CAUSES = ("quit", "fail_duties", "retirement", "death_health", "transfer")
RESOLUTION_REFUND_CAUSES = ("quit", "fail_duties")  # "tự ý nghỉ việc", "không hoàn thành nhiệm vụ"
AFTER_COMMITMENT = ("continue_while_evaluations_pass", "stop")
OFFICES = ("leadership", "office_hdnd_ubnd", "economy", "economy_infrastructure_urban",
           "culture_social", "public_service_center", "party_mass")


@dataclass(frozen=True)
class Programme:
    """One support programme (Resolution §II.8).

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
    name_vi: str
    name_en: str
    kind: str  # recruit (new talent) | existing (capable staff already at the grassroots)
    priority: int
    fields: tuple[str, ...]
    area_classes: tuple[str, ...]
    one_off: float
    one_off_unit: str
    monthly: float
    monthly_unit: str
    level_factors: tuple[float, ...]
    start_level: int
    evaluation_months: int
    commitment_months: int
    refund_one_off_share: float
    refund_monthly_share: float
    refund_pro_rata: bool
    # causes of an early end of support that owe a refund (subset of CAUSES)
    refund_causes: tuple[str, ...] = RESOLUTION_REFUND_CAUSES
    after_commitment: str = "continue_while_evaluations_pass"  # | "stop"
    # eligible roles: offices of the post (empty = every office), managers or not
    offices: tuple[str, ...] = ()
    include_managers: bool = True
    # recruit: offers per year (province total), made in `intake_month` of each year
    recruits_per_year: dict[int, int] = field(default_factory=dict)
    intake_month: int = 10
    # existing: who is eligible, and when support starts
    min_rating: str = "excellent"
    min_score_development: float = 0.0
    start: dt.date = dt.date(2027, 1, 1)


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


@dataclass(frozen=True)
class Design:
    """Everything the incentive model needs from a scenario, validated."""

    programmes: tuple[Programme, ...]
    commune_cap_share: float
    province_cap_share: float
    ceiling_mode: str
    ceiling_vnd_per_year: float
    rates: dict[str, Rates]  # by programme kind
    ranges: dict[str, tuple[float, float]]  # plausible low/high of each uncertain rate
    mean_salary_coefficient: float
    salary_fund_note: str
    draws: int
    solver_ceiling_vnd_per_year: float = 0.0
    first_year: int = 2026
    last_year: int = 2030

    def with_programmes(self, programmes: list[Programme] | tuple[Programme, ...]) -> Design:
        return replace(self, programmes=tuple(programmes))


HAZARD_KEYS = tuple(f"{c}_monthly" for c in CAUSES)
RATE_KEYS = ("acceptance", *HAZARD_KEYS, "evaluation_raise", "evaluation_lower",
             "evaluation_terminate", "refund_collection")


class _Checker:
    """Collects problems so the user sees all of them at once."""

    def __init__(self, origin):
        self.origin = origin
        self.problems: list[Problem] = []

    def add(self, key: str, message: str, fix: str, origin_key: str | None = None) -> None:
        self.problems.append(Problem(file=self.origin(origin_key or key), column=key,
                                     message=message, fix=fix))

    def number(self, table: dict, key: str, prefix: str, *, lo: float | None = None,
               hi: float | None = None, integer: bool = False, origin_key: str | None = None,
               default: Any = None) -> float:
        full = f"{prefix}.{key}"
        value = table.get(key, default)
        if value is None:
            self.add(full, "missing", f"add {key} = <number>", origin_key)
            return 0.0
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(full, f"'{value}' is not a number", f"write {key} = <number>", origin_key)
            return 0.0
        if not math.isfinite(value):
            self.add(full, f"'{value}' is not a finite number",
                     f"write {key} = <number> (nan and inf are not allowed)", origin_key)
            return 0.0
        if integer and int(value) != value:
            self.add(full, f"{value} is not a whole number", "write a whole number", origin_key)
        if lo is not None and value < lo or hi is not None and value > hi:
            rng = f"between {lo:g} and {hi:g}" if hi is not None else f"at least {lo:g}"
            self.add(full, f"{value:g} is out of range", f"use a value {rng}", origin_key)
        return int(value) if integer else float(value)

    def raise_if_any(self) -> None:
        if self.problems:
            raise ScenarioError(self.problems)


def _origin_fn(scenario):
    origin = getattr(scenario, "origin", None)

    def f(key: str) -> str:
        if origin is None:
            return "scenario"
        try:
            return str(origin(key))
        except Exception:  # noqa: BLE001 — an unknown key still deserves a file name
            return str(origin("levers.incentives")) if key != "levers.incentives" else "scenario"
    return f


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _programme(raw: dict, i: int, chk: _Checker, known_fields: set[str] | None,
               first_year: int, last_year: int) -> Programme | None:
    p = f"levers.incentives.programmes[{i}]"
    okey = "levers.incentives.programmes"
    if not isinstance(raw, dict):
        chk.add(p, "not a table", "write [[levers.incentives.programmes]] with its keys", okey)
        return None
    known = {"id", "name_vi", "name_en", "kind", "priority", "fields", "area_classes", "one_off",
             "one_off_unit", "monthly", "monthly_unit", "level_factors", "start_level",
             "evaluation_months", "commitment_months", "refund_one_off_share",
             "refund_monthly_share", "refund_pro_rata", "refund_causes", "after_commitment",
             "recruits_per_year", "intake_month", "min_rating", "min_score_development", "start",
             "offices", "include_managers"}
    for key in sorted(set(raw) - known):
        if key == "refund_on_termination":  # replaced by the list of refund-owing causes
            chk.add(f"{p}.{key}", "refund_on_termination was replaced by refund_causes",
                    'write refund_causes = ["quit", "fail_duties"] (refund on failing duties) or '
                    '["quit"] (no refund on a failed evaluation)', okey)
            continue
        chk.add(f"{p}.{key}", "unknown programme key", f"use one of: {', '.join(sorted(known))}",
                okey)
    pid = str(raw.get("id", "")).strip()
    if not pid:
        chk.add(p + ".id", "missing programme id", 'add id = "short_name"', okey)
    kind = raw.get("kind")
    if kind not in KINDS:
        chk.add(p + ".kind", f"'{kind}' is not a programme kind", f"use one of {KINDS}", okey)
    fields = raw.get("fields", [])
    if not isinstance(fields, list) or not fields:
        chk.add(p + ".fields", "needs a non-empty list of field codes",
                'write fields = ["it_digital", "land"] (codes of data/fields.csv)', okey)
        fields = []
    elif known_fields is not None:
        unknown = [f for f in fields if f not in known_fields]
        if unknown:
            chk.add(p + ".fields", f"unknown field code(s) {unknown}",
                    f"use codes of data/fields.csv: {sorted(known_fields)}", okey)
    areas = raw.get("area_classes", list(AREA_CLASSES))
    if not isinstance(areas, list) or any(a not in AREA_CLASSES for a in areas) or not areas:
        chk.add(p + ".area_classes", f"'{areas}' is not a list of area classes",
                f"use a subset of {list(AREA_CLASSES)}", okey)
        areas = list(AREA_CLASSES)
    offices = raw.get("offices", [])
    if not isinstance(offices, list) or any(o not in OFFICES for o in offices):
        chk.add(p + ".offices", f"'{offices}' is not a list of offices",
                f"use a subset of {list(OFFICES)} (empty = every office)", okey)
        offices = []
    managers = raw.get("include_managers", True)
    if not isinstance(managers, bool):
        chk.add(p + ".include_managers", f"'{managers}' is not true/false", "write true or false",
                okey)
        managers = True
    units = {}
    for key in ("one_off_unit", "monthly_unit"):
        units[key] = raw.get(key, "vnd")
        if units[key] not in UNITS:
            chk.add(f"{p}.{key}", f"'{units[key]}' is not a unit", f"use one of {UNITS}", okey)
    one_off = chk.number(raw, "one_off", p, lo=0, origin_key=okey)
    monthly = chk.number(raw, "monthly", p, lo=0, origin_key=okey)
    factors = raw.get("level_factors", [1.0])
    if (not isinstance(factors, list) or not factors
            or any(isinstance(f, bool) or not isinstance(f, int | float) or not math.isfinite(f)
                   or f < 0 for f in factors)):
        chk.add(p + ".level_factors", f"'{factors}' is not a list of non-negative numbers",
                "write level_factors = [0.5, 1.0, 1.5] (lowest to highest level)", okey)
        factors = [1.0]
    start_level = chk.number(raw, "start_level", p, lo=0, hi=len(factors) - 1, integer=True,
                             origin_key=okey, default=0)
    ev = chk.number(raw, "evaluation_months", p, lo=1, hi=120, integer=True, origin_key=okey)
    commit = chk.number(raw, "commitment_months", p, lo=1, hi=240, integer=True, origin_key=okey)
    if ev and commit and commit < ev:
        chk.add(p + ".commitment_months",
                f"the commitment ({commit} months) is shorter than the evaluation period ({ev})",
                "make commitment_months at least evaluation_months", okey)
    shares = {k: chk.number(raw, k, p, lo=0, hi=1, origin_key=okey, default=0.0)
              for k in ("refund_one_off_share", "refund_monthly_share")}
    pro_rata = raw.get("refund_pro_rata", True)
    if not isinstance(pro_rata, bool):
        chk.add(f"{p}.refund_pro_rata", f"'{pro_rata}' is not true/false", "write true or false",
                okey)
        pro_rata = True
    causes = raw.get("refund_causes", list(RESOLUTION_REFUND_CAUSES))
    if (not isinstance(causes, list) or any(not isinstance(c, str) for c in causes)
            or len(set(causes)) != len(causes)):
        chk.add(p + ".refund_causes", f"'{causes}' is not a list of distinct cause names",
                f'write refund_causes = ["quit", "fail_duties"] (causes: {", ".join(CAUSES)})',
                okey)
        causes = list(RESOLUTION_REFUND_CAUSES)
    unknown_causes = [c for c in causes if c not in CAUSES]
    if unknown_causes:
        chk.add(p + ".refund_causes", f"unknown cause(s) {unknown_causes}",
                f"use names among: {', '.join(CAUSES)}", okey)
        causes = [c for c in causes if c in CAUSES]
    after = raw.get("after_commitment", AFTER_COMMITMENT[0])
    if after not in AFTER_COMMITMENT:
        chk.add(p + ".after_commitment", f"'{after}' is not a choice after the commitment",
                f"use one of: {', '.join(AFTER_COMMITMENT)}", okey)
        after = AFTER_COMMITMENT[0]
    priority = chk.number(raw, "priority", p, lo=0, integer=True, origin_key=okey, default=i + 1)
    extra: dict[str, Any] = {}
    if kind == "recruit":
        rpy = raw.get("recruits_per_year", {})
        recruits: dict[int, int] = {}
        if not isinstance(rpy, dict) or not rpy:
            chk.add(p + ".recruits_per_year", "needs offers per year",
                    "write recruits_per_year = { 2027 = 30, 2028 = 30 }", okey)
        else:
            for y, _n in rpy.items():
                try:
                    year = int(y)
                except ValueError:
                    year = -1
                if not first_year <= year <= last_year:
                    chk.add(f"{p}.recruits_per_year.{y}",
                            f"year {y} is outside {first_year}–{last_year}",
                            f"use years {first_year}–{last_year}", okey)
                    continue
                recruits[year] = chk.number(rpy, str(y), f"{p}.recruits_per_year", lo=0,
                                            integer=True, origin_key=okey)
        extra["recruits_per_year"] = recruits
        extra["intake_month"] = chk.number(raw, "intake_month", p, lo=1, hi=12, integer=True,
                                           origin_key=okey, default=10)
    elif kind == "existing":
        rating = raw.get("min_rating", "excellent")
        if rating not in RATINGS:
            chk.add(p + ".min_rating", f"'{rating}' is not a rating", f"use one of {RATINGS}", okey)
            rating = "excellent"
        extra["min_rating"] = rating
        extra["min_score_development"] = chk.number(raw, "min_score_development", p, lo=0,
                                                    hi=100, origin_key=okey, default=0.0)
        start = _as_date(raw.get("start"))
        if start is None or not dt.date(first_year, 1, 1) <= start <= dt.date(last_year, 12, 31):
            chk.add(p + ".start", f"start '{raw.get('start')}' is not a date in "
                    f"{first_year}–{last_year}", f"write start = {first_year + 1}-01-01", okey)
            start = dt.date(first_year, 1, 1)
        extra["start"] = start
    return Programme(
        id=pid, name_vi=str(raw.get("name_vi", pid)), name_en=str(raw.get("name_en", pid)),
        kind=str(kind), priority=int(priority), fields=tuple(fields),
        area_classes=tuple(areas), offices=tuple(offices), include_managers=bool(managers),
        one_off=one_off, one_off_unit=units["one_off_unit"],
        monthly=monthly, monthly_unit=units["monthly_unit"],
        level_factors=tuple(float(f) for f in factors), start_level=int(start_level),
        evaluation_months=int(ev), commitment_months=int(commit),
        refund_one_off_share=shares["refund_one_off_share"],
        refund_monthly_share=shares["refund_monthly_share"],
        refund_pro_rata=bool(pro_rata),
        # reporting order, whatever order the file lists them in
        refund_causes=tuple(c for c in CAUSES if c in causes), after_commitment=str(after),
        **extra)


def _rates(unc: dict, kind: str, chk: _Checker) -> Rates:
    p = "uncertainties.incentives"
    vals, used = {}, {}
    for key in RATE_KEYS:
        # a kind-specific value (e.g. acceptance_recruit) wins over the shared one
        used[key] = f"{key}_{kind}" if f"{key}_{kind}" in unc else key
        vals[key] = chk.number(unc, used[key], p, lo=0, hi=1)
    r = Rates(**vals)
    if r.evaluation_continue < -1e-12:
        chk.add(p + ".evaluation_terminate", "evaluation outcome probabilities add up to more "
                "than 1", "make evaluation_raise + evaluation_lower + evaluation_terminate ≤ 1")
    if r.exit_monthly > 1 + 1e-12:
        names = [used[k] for k in HAZARD_KEYS]
        chk.add(f"{p}.{names[0]}", f"the monthly exit hazards of {kind} programmes add up to "
                f"{r.exit_monthly:g}, more than 1",
                f"make {' + '.join(names)} ≤ 1 (each is a probability per month)")
    return r


def design_from_scenario(scenario, known_fields: set[str] | None = None) -> Design:
    """Read and check the incentive sections of a scenario; raise ScenarioError listing all."""
    chk = _Checker(_origin_fn(scenario))
    lev = (scenario.levers or {}).get("incentives")
    unc = (scenario.uncertainties or {}).get("incentives")
    con = (scenario.constants or {}).get("incentives", {})
    if not isinstance(lev, dict) or not isinstance(unc, dict):
        chk.add("levers.incentives", "the scenario has no incentive sections",
                "add [levers.incentives] and [uncertainties.incentives] (see scenarios/base.toml)",
                "levers")
        chk.raise_if_any()
    first = chk.number(con, "first_year", "constants.incentives", lo=2000, hi=2100, integer=True,
                       default=2026) or 2026
    last = chk.number(con, "last_year", "constants.incentives", lo=first, hi=first + 50,
                      integer=True, default=2030) or first
    rate_names = set(RATE_KEYS) | {f"{k}_{kind}" for k in RATE_KEYS for kind in KINDS}
    for key in sorted(set(unc) - rate_names - {"ranges"}):
        fix = (f"split it by cause: {', '.join(HAZARD_KEYS)} (see scenarios/base.toml)"
               if key.startswith("attrition_monthly") else
               f"use one of: {', '.join(sorted(rate_names))}")
        chk.add(f"uncertainties.incentives.{key}", "not an uncertain rate of the incentive model",
                fix)
    raw_progs = lev.get("programmes", [])
    if not isinstance(raw_progs, list) or not raw_progs:
        chk.add("levers.incentives.programmes", "no programmes",
                "add at least one [[levers.incentives.programmes]] table")
        raw_progs = []
    progs = [_programme(r, i, chk, known_fields, first, last) for i, r in enumerate(raw_progs)]
    ids = [q.id for q in progs if q is not None]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        chk.add("levers.incentives.programmes", f"programme ids repeated: {dup}",
                "give each programme its own id")
    p = "levers.incentives"
    commune_cap = chk.number(lev, "commune_cap_share", p, lo=0, hi=1)
    province_cap = chk.number(lev, "province_cap_share", p, lo=0, hi=1)
    mode = lev.get("ceiling_mode", "salary_fund_share")
    if mode not in CEILING_MODES:
        chk.add(p + ".ceiling_mode", f"'{mode}' is not a ceiling mode",
                f"use one of {CEILING_MODES}")
    ceiling_vnd = chk.number(lev, "ceiling_vnd_per_year", p, lo=0, default=0.0)
    solver_x = chk.number(lev, "solver_ceiling_vnd_per_year", p, lo=0, default=0.0)
    if mode == "vnd" and ceiling_vnd <= 0:
        chk.add(p + ".ceiling_vnd_per_year", "ceiling_mode is 'vnd' but no ceiling is given",
                "write ceiling_vnd_per_year = 25_000_000_000")
    kinds = sorted({q.kind for q in progs if q is not None and q.kind in KINDS}) or list(KINDS)
    rates = {k: _rates(unc, k, chk) for k in kinds}
    # plausible ranges of the uncertain rates: the key table's, unless a caller passes its own
    prefix = "uncertainties.incentives."
    ranges: dict[str, tuple[float, float]] = {
        name[len(prefix):]: key.range for name, key in uncertain_keys().items()
        if name.startswith(prefix) and name[len(prefix):] in rate_names}
    for key, val in (unc.get("ranges") or {}).items():
        if key not in rate_names:
            chk.add(f"uncertainties.incentives.ranges.{key}", "not an uncertain rate",
                    f"use one of: {', '.join(sorted(rate_names))}")
            continue
        ok = (isinstance(val, list) and len(val) == 2
              and all(isinstance(v, int | float) and not isinstance(v, bool)
                      and math.isfinite(v) for v in val)
              and 0 <= val[0] <= val[1] <= 1)
        if not ok:
            chk.add(f"uncertainties.incentives.ranges.{key}", f"'{val}' is not a [low, high] "
                    "pair within 0–1", f"write {key} = [0.5, 0.9]")
            continue
        ranges[key] = (float(val[0]), float(val[1]))
    coef = chk.number(con, "mean_salary_coefficient", "constants.incentives", lo=0.0,
                      default=3.0)
    draws = chk.number(con, "draws", "constants.incentives", lo=100, hi=1_000_000, integer=True,
                       default=10_000)
    chk.raise_if_any()
    return Design(programmes=tuple(q for q in progs if q is not None),
                  commune_cap_share=commune_cap, province_cap_share=province_cap,
                  ceiling_mode=str(mode), ceiling_vnd_per_year=ceiling_vnd, rates=rates,
                  ranges=ranges, mean_salary_coefficient=coef,
                  salary_fund_note=str(con.get("mean_salary_coefficient_source", "")),
                  draws=int(draws), solver_ceiling_vnd_per_year=solver_x, first_year=first,
                  last_year=last)

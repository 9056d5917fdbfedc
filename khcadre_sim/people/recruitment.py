"""Recruitment driven by need (Resolution §II.2, §II.8): how many people each commune must
recruit in each field in a year, through which channel, with how many offers — and the
(synthetic) people who join.

The rule, per commune ``c`` and field ``f`` (every step is a column of :attr:`needs`):

1. **Vacancies** ``V``: posts without a holder — the province's unfilled posts, or a placement
   result's ``vacancies`` table (what remains after placement). A vacant manager post is filled
   by appointment (bổ nhiệm) from the staff, not by recruitment, unless
   ``recruit_for_manager_posts``; a key post (elected or appointed) never is. Those vacancies are
   counted in ``appointment_vacancies``.
2. **Residual shortage** ``S`` (FTE): the workload model's shortage after rebalancing
   (``khcadre_sim.workload`` result ``.rebalanced.shortage``), turned into people by
   ``P = ⌈S − t⌉`` when ``S > t``, else 0, with ``t = shortage_threshold_fte`` (default 0.25:
   2.4 FTE → ⌈2.15⌉ = 3 people; 0.2 FTE → none): the fewest people that leave at most ``t`` FTE
   unmet. A field with no specialist post anywhere in the province (general management) is not
   recruited for: its shortage is an appointment need (``appointment_people``).
3. **Posts to fill** = ``max(V, P)``: the shortage was measured with the vacancies empty, and each
   vacancy filled brings one person-year to its field, so vacancies count once; when the shortage
   asks for more people than there are vacancies, new posts are opened for the difference (the
   job-position review of §II.2, "điều chỉnh vị trí việc làm"), shaped like the commune's (else
   the province's) most common specialist post of the field (:attr:`new_posts`).
4. **Surplus first**: unplaced staff of the commune qualified in the field fill posts before
   anyone is recruited — each person once, the most posts possible, vacant posts before new
   ones (a maximum-weight bipartite matching per commune). Old-work surplus does not fill
   new-work need unless qualified ("thừa người quen việc cũ, thiếu người làm việc mới").
5. **Channel**: a post left is offered through the first talent programme of ``kind =
   "recruit"`` (by priority) whose fields, area classes, offices and manager rule cover it —
   ``programme_share`` of them, rounded half up per commune, field and programme — else through
   regular recruitment.
6. **Offers** = ``⌈needed ÷ a⌉`` per commune, field and channel — the fewest offers whose expected
   acceptances cover the need — with ``a = acceptance_regular`` or, for a programme, the
   incentive model's ``uncertainties.incentives.acceptance_recruit`` (one uncertainty, not two).
   Acceptances are drawn (seeded): ``min(needed, Binomial(offers, a))``; posts not taken stay
   vacant (``unfilled``). A programme's offers for the incentive model are counted over the
   province, ``⌈Σ needed ÷ a⌉`` (:attr:`RecruitmentResult.programme_offers`). Regular recruits
   start ``time_to_fill_months`` after January; programme recruits in the programme's
   ``intake_month``.

Recruits are **synthetic**: pseudonymous IDs ``REC-<year>-<n>`` (numbered in a seeded random
order) and attributes drawn with the formulas of :func:`khcadre_sim.synth.synth_staff` (scores
from one latent ability, qualifications, home commune, ethnic-minority share by area class) for
people aged 22–35; talent-programme recruits are assumed abler (+0.5 s.d.) and more often hold a
master's degree. These shapes are assumptions of the synthetic data, not facts.

:func:`programme_overrides` turns :attr:`RecruitmentResult.programme_offers` into the
``recruits_per_year`` of each recruit programme, for ``scenario.with_overrides`` — so the
incentive budget's offers follow from need.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from ..errors import Problem, ScenarioError
from ..keys import build, setting
from ..ratings import bands, rate
from ..schema import empty_table, isin
from . import events

REGULAR = "regular"
NEW_WORK = ("it_digital", "land", "construction")  # as khcadre_sim.synth (data/fields.csv)
NEEDS: dict[str, Any] = {
    "territory_id": "string", "field": "string", "area_class": "string", "vacancies": "int64",
    "appointment_vacancies": "int64", "shortage_fte": "float64", "shortage_people": "int64",
    "appointment_people": "int64", "posts_to_fill": "int64", "new_posts": "int64",
    "from_surplus": "int64", "to_recruit": "int64"}
OFFERS: dict[str, Any] = {
    "territory_id": "string", "field": "string", "area_class": "string", "channel": "string",
    "needed": "int64", "acceptance": "float64", "offers": "int64", "accepted": "int64",
    "unfilled": "int64", "start_year": "int64", "start_month": "int64"}
REDEPLOYED: dict[str, Any] = {"staff_id": "string", "territory_id": "string", "field": "string",
                              "position_id": "string", "new_post": "bool"}
PROGRAMME_OFFERS: dict[str, Any] = {"programme": "string", "year": "int64", "needed": "int64",
                                    "offers": "int64", "commune_offers": "int64"}
SLOTS: dict[str, Any] = {"territory_id": "string", "field": "string", "area_class": "string",
                         "position_id": "string", "new_post": "bool", "office": "string",
                         "is_manager": "bool"}


@dataclass(frozen=True)
class Route:
    """Who a talent programme of kind ``recruit`` covers (from ``[levers.incentives]``)."""

    id: str
    fields: tuple[str, ...]
    area_classes: tuple[str, ...]
    offices: tuple[str, ...] = ()
    include_managers: bool = True
    intake_month: int = 10

    def covers(self, slots: pd.DataFrame) -> np.ndarray:
        ok = slots["field"].isin(self.fields) & slots["area_class"].isin(self.area_classes)
        if self.offices:
            ok &= slots["office"].isin(self.offices)
        if not self.include_managers:
            ok &= ~slots["is_manager"].astype(bool)
        return ok.to_numpy(dtype=bool)


@dataclass(frozen=True)
class RecruitmentSettings:
    """``[levers.people.recruitment]`` and ``[uncertainties.people.recruitment]``, plus the
    recruit programmes of the incentive model and their acceptance."""

    shortage_threshold_fte: float = setting("levers.people.recruitment.shortage_threshold_fte")
    recruit_for_manager_posts: bool = setting(
        "levers.people.recruitment.recruit_for_manager_posts")
    programme_share: float = setting("levers.people.recruitment.programme_share")
    acceptance_regular: float = setting("uncertainties.people.recruitment.acceptance_regular")
    time_to_fill_months: int = setting("uncertainties.people.recruitment.time_to_fill_months")
    programmes: tuple[Route, ...] = ()  # by priority
    acceptance_programme: float = setting("uncertainties.incentives.acceptance_recruit")

    @classmethod
    def from_scenario(cls, scenario: Any) -> RecruitmentSettings:
        from ..incentives.spec import design_from_scenario

        design = design_from_scenario(scenario)
        recruit = sorted((p for p in design.programmes if p.kind == "recruit"),
                         key=lambda p: p.priority)
        routes = tuple(Route(p.id, tuple(p.fields), tuple(p.area_classes), tuple(p.offices),
                             p.include_managers, p.intake_month) for p in recruit)
        rates = design.rates.get("recruit")
        acceptance = rates.acceptance if rates is not None else cls.acceptance_programme
        return build(cls, scenario, "people.recruitment", programmes=routes,
                     acceptance_programme=acceptance)

    def acceptance(self, channel: str) -> float:
        return self.acceptance_regular if channel == REGULAR else self.acceptance_programme


@dataclass
class RecruitmentResult:
    """Need, offers and recruits of one year (see the module docstring for every rule)."""

    year: int
    needs: pd.DataFrame  # per commune and field: columns NEEDS
    offers: pd.DataFrame  # per commune, field and channel: columns OFFERS
    recruits: pd.DataFrame  # SYNTHETIC people: staff contract columns + territory, channel, start
    new_posts: pd.DataFrame  # posts opened for the shortage: positions contract columns
    redeployed: pd.DataFrame  # unplaced staff given a post: columns REDEPLOYED
    programme_offers: pd.DataFrame  # per recruit programme: columns PROGRAMME_OFFERS
    events: pd.DataFrame = field(default_factory=events.empty)

    def by_field(self) -> pd.DataFrame:
        """Per field: posts to fill, filled from the surplus, needed, offers and recruits by
        channel (``regular`` or a programme id)."""
        need = self.needs.groupby("field")[["posts_to_fill", "from_surplus", "to_recruit"]].sum()
        chan = self.offers.pivot_table(index="field", columns="channel", values="accepted",
                                       aggfunc="sum", fill_value=0)
        offers = self.offers.groupby("field")["offers"].sum()
        out = need.join(offers, how="outer").join(chan, how="outer").fillna(0)
        out["recruits"] = chan.sum(axis=1).reindex(out.index).fillna(0)
        out = out.astype("int64")
        return out[out.sum(axis=1) > 0].reset_index()


# ---------------------------------------------------------------------------- the rule

def shortage_people(shortage_fte: np.ndarray | float, threshold: float) -> np.ndarray:
    """People for a residual shortage: ``⌈S − t⌉`` when ``S > t``, else 0 (1e-9 absorbs float
    noise: 1.25 − 0.25 is one person)."""
    s = np.asarray(shortage_fte, dtype="float64")
    return np.where(s > threshold + 1e-9, np.ceil(s - threshold - 1e-9), 0).astype(np.int64)


def offers_needed(needed: np.ndarray | int, acceptance: float) -> np.ndarray:
    """Offers for ``needed`` acceptances at rate ``a``: ``⌈needed ÷ a⌉`` (1e-9 absorbs float
    noise: 7 ÷ 0.7 is 10 offers)."""
    return np.ceil(np.asarray(needed, dtype="float64") / acceptance - 1e-9).astype(np.int64)


def _typed(rows: list[tuple] | dict[str, Any], schema: dict[str, Any]) -> pd.DataFrame:
    if isinstance(rows, dict):
        data = {c: pd.Series(list(rows[c]), dtype="object") for c in schema}
    else:
        cols = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
        data = {c: pd.Series(list(v), dtype="object") for c, v in zip(schema, cols, strict=True)}
    return pd.DataFrame(data, columns=list(schema)).astype(schema)


def _vacant_posts(province: Any, vacancies: pd.DataFrame | None) -> pd.DataFrame:
    posts = province.positions
    if vacancies is not None:
        return posts[isin(posts["position_id"], vacancies["position_id"].to_numpy(
            dtype=object))]
    held = province.staff["position_id"].dropna().to_numpy(dtype=object)
    return posts[~isin(posts["position_id"], held)]


def _surplus(province: Any, surplus: pd.DataFrame | None) -> pd.DataFrame:
    """Unplaced people: staff_id, territory_id (where they are), fields."""
    if surplus is None:
        s = province.staff[province.staff["position_id"].isna()]
        where = s["home_territory_id"]
    else:
        s = surplus
        where = s["origin_territory_id"] if "origin_territory_id" in s else s["home_territory_id"]
    return pd.DataFrame({"staff_id": s["staff_id"].astype(str).to_numpy(),
                         "territory_id": where.astype(str).to_numpy(),
                         "fields": s["fields"].astype(str).to_numpy()}).sort_values(
        "staff_id", kind="stable").reset_index(drop=True)


TEMPLATE = ["office", "title", "req_political", "req_execution", "req_development"]


_TEMPLATES: dict[bytes, tuple[dict, dict]] = {}


def _templates(positions: pd.DataFrame) -> tuple[dict, dict]:
    """The most common specialist post shape (office, title, minimum scores) per commune and
    field, and per field province-wide (ties: the first in sorted order). Remembered by the
    content of the columns it reads: a projection asks again every year for nearly the same
    posts."""
    cols = ["territory_id", "field", "is_manager", *TEMPLATE]
    key = hashlib.blake2b(pd.util.hash_pandas_object(positions[cols], index=False)
                          .to_numpy().tobytes(), digest_size=20).digest()
    if key not in _TEMPLATES:
        if len(_TEMPLATES) >= 8:
            _TEMPLATES.pop(next(iter(_TEMPLATES)))
        _TEMPLATES[key] = _made_templates(positions)
    local, wide = _TEMPLATES[key]
    return dict(local), dict(wide)


def _made_templates(positions: pd.DataFrame) -> tuple[dict, dict]:
    spec = positions[~positions["is_manager"].astype(bool)]

    def most_common(by: list[str]) -> dict:
        # counted on plain tuples (a grouped count over seven columns costs ten times more);
        # as a grouped count would: rows with a blank key left out, ties to the first shape
        # in sorted order
        arrays = [spec[c].to_numpy(dtype=object) for c in [*by, *TEMPLATE]]
        usable = ~np.logical_or.reduce([pd.isna(a) for a in arrays])
        counts = Counter(zip(*(a[usable] for a in arrays), strict=True))
        best: dict[tuple, tuple[tuple, int]] = {}
        for shape in sorted(counts):
            head = shape[:len(by)]
            if head not in best or counts[shape] > best[head][1]:
                best[head] = (shape, counts[shape])
        return {head if len(by) > 1 else head[0]: dict(zip(TEMPLATE, shape[len(by):],
                                                           strict=True))
                for head, (shape, _) in best.items()}
    return most_common(["territory_id", "field"]), most_common(["field"])


def _needs_and_slots(province: Any, shortage: pd.DataFrame, s: RecruitmentSettings,
                     year: int, vacancies: pd.DataFrame | None
                     ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(needs before surplus, posts to fill one row each, new posts)."""
    area = province.territories.set_index("territory_id")["area_class"].to_dict()
    pos = province.positions
    local, province_wide = _templates(pos)
    vac = _vacant_posts(province, vacancies).sort_values("position_id", kind="stable")
    manager = vac["is_manager"].astype(bool)
    recruitable = vac[~vac["is_key_post"].astype(bool) & (~manager | s.recruit_for_manager_posts)]
    by_key: dict[tuple[str, str], list[tuple]] = {}
    for r in zip(recruitable["territory_id"], recruitable["field"], recruitable["position_id"],
                 recruitable["office"], recruitable["is_manager"].astype(bool), strict=True):
        by_key.setdefault((r[0], r[1]), []).append(r[2:])
    n_vacant = vac.groupby(["territory_id", "field"]).size().to_dict()
    short = shortage.groupby(["territory_id", "field"])["shortage_fte"].sum().to_dict()
    keys = sorted(set(n_vacant) | set(short))
    fte = np.array([float(short.get(k, 0.0)) for k in keys])
    people = shortage_people(fte, s.shortage_threshold_fte)
    rows, slots, new = [], [], []
    for (c, f), x, n_people in zip(keys, fte, people, strict=True):
        here = by_key.get((c, f), [])
        n_vac = len(here)
        appoint = 0 if f in province_wide else int(n_people)  # no specialist post of f at all
        fill = max(n_vac, int(n_people) - appoint)
        slots += [(c, f, area[c], pid, False, office, mgr) for pid, office, mgr in here]
        if fill > n_vac:
            tpl = local.get((c, f)) or province_wide[f]
            for k in range(1, fill - n_vac + 1):
                pid = f"{c}-NEW-{year}-{f}-{k:02d}"
                slots.append((c, f, area[c], pid, True, tpl["office"], False))
                new.append((pid, c, tpl["office"], tpl["title"], f, False, False,
                            tpl["req_political"], tpl["req_execution"], tpl["req_development"]))
        rows.append((c, f, area[c], n_vac, int(n_vacant.get((c, f), 0)) - n_vac, x,
                     int(n_people), appoint, fill, fill - n_vac))
    needs = pd.DataFrame(rows, columns=list(NEEDS)[:10])
    new_posts = empty_table("positions")
    if new:
        new_posts = pd.DataFrame(new, columns=list(new_posts.columns)).astype(
            new_posts.dtypes.to_dict())
    return needs, _typed(slots, SLOTS), new_posts


def _match_surplus(slots: pd.DataFrame, surplus: pd.DataFrame) -> np.ndarray:
    """Index of the surplus person filling each slot (-1: none): per commune, the most slots
    filled, vacant posts before new posts (maximum-weight matching)."""
    taker = np.full(len(slots), -1, dtype=np.int64)
    for c, people in surplus.groupby("territory_id", sort=True):
        where = np.flatnonzero((slots["territory_id"] == c).to_numpy())
        if not len(where):
            continue
        qualified = [set(f.split(";")) for f in people["fields"]]
        fields = slots["field"].to_numpy()[where]
        big = len(where) + 1  # one more slot filled outweighs every vacant-before-new preference
        weight = np.array([[(big + (0 if slots["new_post"].iat[j] else 1)) * (fields[k] in q)
                            for k, j in enumerate(where)] for q in qualified], dtype="float64")
        rows, cols = linear_sum_assignment(weight, maximize=True)
        for r, k in zip(rows, cols, strict=True):
            if weight[r, k] > 0:
                taker[where[k]] = people.index[r]
    return taker


def _channels(slots: pd.DataFrame, s: RecruitmentSettings) -> np.ndarray:
    """Channel of each slot: the first covering programme for programme_share of them (rounded
    half up per commune, field and programme, first slots first), else regular."""
    channel = np.full(len(slots), REGULAR, dtype=object)
    free = np.ones(len(slots), dtype=bool)
    for route in s.programmes:
        covered = route.covers(slots) & free
        for _, idx in slots[covered].groupby(["territory_id", "field"], sort=True).groups.items():
            take = math.floor(s.programme_share * len(idx) + 0.5)
            chosen = list(idx[:take])
            channel[chosen] = route.id
        free &= channel == REGULAR
    return channel


# ---------------------------------------------------------------------------- synthetic people

def synthetic_recruits(territory_ids: np.ndarray, fields: np.ndarray, talent: np.ndarray,
                       territories: pd.DataFrame, field_pool: list[str], params: Any, year: int,
                       rng: np.random.Generator) -> pd.DataFrame:
    """SYNTHETIC attributes of new recruits (staff contract columns except the IDs), with the
    formulas of :func:`khcadre_sim.synth.synth_staff`: one latent ability drives the three
    framework scores; qualifications are the post's field plus 1–5 others from ``field_pool``
    (IT and land rarer); home is the commune for 70%, a neighbour for 25%, anywhere for 5%; an
    ethnic minority for half the people in mountain units, 5% elsewhere, none on islands; women
    45% (as specialists); the last rating from the same points with the Decree 335/2025 bands.
    Assumed for recruits: age 22–35 (normal, mean 28, s.d. 4); talent-programme recruits +0.5
    s.d. of ability, 35% master's and 5% doctorates."""
    from ..synth import _neighbours

    n = len(territory_ids)
    territory_ids = np.asarray(territory_ids, dtype=object)
    fields = np.asarray(fields, dtype=object)
    area = pd.Series(territory_ids).map(
        territories.set_index("territory_id")["area_class"]).to_numpy()
    neighbours = _neighbours(territories)
    age = np.clip(rng.normal(28, 4, n).round(), 22, 35)
    female = rng.random(n) < 0.45
    minority = rng.random(n) < np.select([area == "mountain", area == "island"], [0.5, 0.0], 0.05)
    u = rng.random(n)
    near = np.array([rng.choice(neighbours[t]) for t in territory_ids], dtype=object)
    anywhere = rng.choice(territories["territory_id"].to_numpy(), size=n)
    home = np.where(u < 0.7, territory_ids, np.where(u < 0.95, near, anywhere))
    ability = rng.normal(0, 1, n) + np.where(talent, 0.5, 0.0)
    education = np.where(talent, rng.choice(["bachelor", "master", "phd"], size=n,
                                             p=[0.6, 0.35, 0.05]),
                         rng.choice(["college", "bachelor", "master", "phd"], size=n,
                                    p=[0.12, 0.75, 0.12, 0.01]))
    political = 72 + 8 * ability + rng.normal(0, 5, n)
    execution = 68 + 9 * ability + rng.normal(0, 6, n)
    development = (60 + 9 * ability + rng.normal(0, 7, n) - 0.3 * (age - 40)
                   + 6 * np.isin(fields, NEW_WORK) + 4 * np.isin(education, ["master", "phd"]))
    extra = np.clip(np.round(2 + ability + rng.normal(0, 0.8, n)), 1, 5).astype(int)
    qualified = []
    for i in range(n):
        pool = [f for f in field_pool if f != fields[i]]
        w = np.array([0.25 if f in ("it_digital", "land") else 1.0 for f in pool])
        picks = rng.choice(pool, size=min(extra[i], len(pool)), replace=False,
                           p=w / w.sum()) if pool else []
        qualified.append(";".join([str(fields[i]), *(str(x) for x in picks)]))
    points = (0.35 * political + 0.4 * execution + 0.25 * development
              + rng.normal(4, 5, n)).clip(0, 100)
    rating = rate(points, bands(params, dt.date(year, 1, 1)))

    def clip(x: np.ndarray) -> np.ndarray:
        return np.clip(x, 15, 99).round(1)

    return pd.DataFrame({
        "home_territory_id": home.astype(str), "birth_year": (year - age).astype("int64"),
        "gender": np.where(female, "F", "M"), "ethnic_minority": minority.astype(bool),
        "fields": qualified, "education": education.astype(str),
        "score_political": clip(political), "score_execution": clip(execution),
        "score_development": clip(development), "planning_pool": np.zeros(n, dtype=bool),
        "years_in_post": np.zeros(n), "last_rating": rating.astype(str)})


# ---------------------------------------------------------------------------- the mechanism

def _settings(scenario_or_settings: Any) -> tuple[RecruitmentSettings, Any, str]:
    """(settings, dated parameters, file of the programme acceptance) from a scenario, or from
    (settings, params)."""
    if isinstance(scenario_or_settings, tuple):
        return (*scenario_or_settings, "settings")
    return (RecruitmentSettings.from_scenario(scenario_or_settings), scenario_or_settings.params,
            scenario_or_settings.origin("uncertainties.incentives.acceptance_recruit"))


def _check_acceptance(offers: pd.DataFrame, s: RecruitmentSettings, file: str) -> None:
    zero = offers[(offers["needed"] > 0) & (offers["channel"] != REGULAR)]
    if len(zero) and s.acceptance_programme <= 0:
        key = "uncertainties.incentives.acceptance_recruit"
        raise ScenarioError(Problem(
            file=file, column=key,
            message=f"{int(zero['needed'].sum())} recruits are needed through talent "
                    "programmes but no offer is ever accepted (acceptance 0)",
            fix="write an acceptance above 0, e.g. acceptance_recruit = 0.7"))


def recruitment(province: Any, shortage: pd.DataFrame | None, scenario_or_settings: Any,
                year: int, rng: np.random.Generator, *, vacancies: pd.DataFrame | None = None,
                surplus: pd.DataFrame | None = None) -> RecruitmentResult:
    """Need, offers and (synthetic) recruits of ``year`` for a validated province.

    ``shortage``: the workload model's residual shortage (territory_id, field, shortage_fte,
    reason; None = no shortage). ``vacancies``: a placement result's ``vacancies`` table (None =
    the province's unfilled posts); ``surplus``: its ``surplus`` table (None = the province's
    unplaced staff). ``scenario_or_settings``: a scenario, or ``(RecruitmentSettings, params)``.
    The same seed gives the same result.
    """
    s, params, origin = _settings(scenario_or_settings)
    shortage = shortage if shortage is not None else pd.DataFrame(
        {"territory_id": pd.Series(dtype=str), "field": pd.Series(dtype=str),
         "shortage_fte": pd.Series(dtype="float64")})
    needs, slots, new_posts = _needs_and_slots(province, shortage, s, year, vacancies)
    people = _surplus(province, surplus)
    taker = _match_surplus(slots, people)
    used = taker >= 0
    redeployed = _typed({
        "staff_id": people["staff_id"].to_numpy()[taker[used]],
        "territory_id": slots["territory_id"][used], "field": slots["field"][used],
        "position_id": slots["position_id"][used], "new_post": slots["new_post"][used]},
        REDEPLOYED).sort_values("staff_id", kind="stable").reset_index(drop=True)
    from_surplus = redeployed.groupby(["territory_id", "field"]).size().to_dict()
    key = list(zip(needs["territory_id"], needs["field"], strict=True))
    needs["from_surplus"] = [int(from_surplus.get(k, 0)) for k in key]
    needs["to_recruit"] = needs["posts_to_fill"] - needs["from_surplus"]
    needs = needs.astype(NEEDS)

    open_slots = slots[~used].reset_index(drop=True)
    open_slots["channel"] = _channels(open_slots, s)
    groups = open_slots.groupby(["territory_id", "field", "area_class", "channel"], sort=True)
    offers = _offers(groups, s, year, rng, origin)
    recruits = _recruits(province, open_slots, groups, offers, params, year, rng)
    log = _events(year, redeployed, recruits)
    programme_offers = _programme_offers(offers, s, year)
    return RecruitmentResult(year=year, needs=needs, offers=offers, recruits=recruits,
                             new_posts=new_posts, redeployed=redeployed,
                             programme_offers=programme_offers, events=log)


def _offers(groups: Any, s: RecruitmentSettings, year: int, rng: np.random.Generator,
            origin: str) -> pd.DataFrame:
    """Per commune, field and channel: needed, offers ⌈needed ÷ a⌉, acceptances drawn
    ``min(needed, Binomial(offers, a))``, unfilled, and the recruits' first month."""
    rows = [(c, f, a, ch, len(idx), s.acceptance(ch))
            for (c, f, a, ch), idx in groups.groups.items()]
    offers = pd.DataFrame(rows, columns=list(OFFERS)[:6])
    _check_acceptance(offers, s, origin)
    offers["offers"] = [int(offers_needed(n, a)) if n else 0
                        for n, a in zip(offers["needed"], offers["acceptance"], strict=True)]
    drawn = rng.binomial(offers["offers"].to_numpy(dtype=np.int64),
                         offers["acceptance"].to_numpy(dtype="float64")) if len(offers) else []
    offers["accepted"] = np.minimum(offers["needed"].to_numpy(dtype=np.int64), drawn)
    offers["unfilled"] = offers["needed"] - offers["accepted"]
    intake = {r.id: r.intake_month for r in s.programmes}
    start = [(year * 12 + s.time_to_fill_months) if ch == REGULAR else (year * 12 + intake[ch] - 1)
             for ch in offers["channel"]]
    offers["start_year"] = [m // 12 for m in start]
    offers["start_month"] = [m % 12 + 1 for m in start]
    return _typed({c: offers[c] for c in OFFERS}, OFFERS)


RECRUIT_EXTRA: dict[str, Any] = {"territory_id": "string", "channel": "string",
                                 "year": "int64", "start_year": "int64", "start_month": "int64"}


def _recruits(province: Any, open_slots: pd.DataFrame, groups: Any, offers: pd.DataFrame,
              params: Any, year: int, rng: np.random.Generator) -> pd.DataFrame:
    """One SYNTHETIC person per accepted offer, in the group's first open slots."""
    take: list[int] = []
    starts: list[tuple[int, int]] = []
    accepted = dict(zip(zip(offers["territory_id"], offers["field"], offers["channel"],
                            strict=True),
                        zip(offers["accepted"], offers["start_year"], offers["start_month"],
                            strict=True), strict=True))
    for (c, f, _, ch), idx in groups.groups.items():
        k, sy, sm = accepted[(c, f, ch)]
        take += list(idx[:k])
        starts += [(sy, sm)] * int(k)
    chosen = open_slots.loc[take].reset_index(drop=True)
    n = len(chosen)
    staff_cols = empty_table("staff").drop(columns=["birth_date"], errors="ignore")
    if n == 0:
        out = staff_cols.copy()
        for c, t in RECRUIT_EXTRA.items():
            out[c] = pd.Series(dtype=t)
        return out
    field_pool = sorted(set(province.positions["field"]) - {"management"})
    people = synthetic_recruits(chosen["territory_id"].to_numpy(dtype=object),
                                chosen["field"].to_numpy(dtype=object),
                                (chosen["channel"] != REGULAR).to_numpy(),
                                province.territories, field_pool, params, year, rng)
    order = rng.permutation(n)  # pseudonymous IDs carry no order of commune or field
    ids = np.empty(n, dtype=object)
    ids[order] = [f"REC-{year}-{i + 1:06d}" for i in range(n)]
    out = pd.DataFrame({"staff_id": ids, "position_id": chosen["position_id"].astype(str),
                        **people})
    out = out[list(staff_cols.columns)].astype(staff_cols.dtypes.to_dict())
    out["territory_id"] = chosen["territory_id"].astype("string")
    out["channel"] = chosen["channel"].astype("string")
    out["year"] = np.full(n, year, dtype=np.int64)
    out["start_year"] = np.array([a for a, _ in starts], dtype=np.int64)
    out["start_month"] = np.array([b for _, b in starts], dtype=np.int64)
    return out.sort_values("staff_id", kind="stable").reset_index(drop=True)


def _events(year: int, redeployed: pd.DataFrame, recruits: pd.DataFrame) -> pd.DataFrame:
    rows = [{"date": events.month(year, 1), "staff_id": r.staff_id, "event": "moved",
             "territory_id": r.territory_id, "position_id": r.position_id,
             "detail": "from_surplus"} for r in redeployed.itertuples(index=False)]
    rows += [{"date": events.month(int(r.start_year), int(r.start_month)),
              "staff_id": r.staff_id, "event": "recruited", "territory_id": r.territory_id,
              "position_id": r.position_id, "detail": r.channel}
             for r in recruits.itertuples(index=False)]
    return events.concat([events.make(rows)])


def _programme_offers(offers: pd.DataFrame, s: RecruitmentSettings, year: int) -> pd.DataFrame:
    """Per recruit programme: recruits needed, the province's offers ``⌈Σ needed ÷ a⌉`` (what
    the incentive model takes: its expected acceptances, offers × a, cover the need) and the
    communes' offers (each rounded up in its commune, so they add up to more)."""
    rows = []
    for route in s.programmes:
        mine = offers[offers["channel"] == route.id]
        needed = int(mine["needed"].sum())
        total = int(offers_needed(needed, s.acceptance_programme)) if needed else 0
        rows.append((route.id, year, needed, total, int(mine["offers"].sum())))
    return _typed(rows, PROGRAMME_OFFERS)


def programme_overrides(scenario: Any, programme_offers: pd.DataFrame) -> dict[str, Any]:
    """Overrides giving each recruit programme the offers of ``programme_offers`` (one or more
    years; a programme or year without need gets 0) as its ``recruits_per_year`` — for
    ``scenario.with_overrides``. Years not in the table are dropped: need-driven offers replace
    the fixed ones."""
    programmes = copy.deepcopy(scenario.get("levers.incentives.programmes", []))
    years = sorted({int(y) for y in programme_offers["year"]})
    got = programme_offers.groupby(["programme", "year"])["offers"].sum()
    for prog in programmes:
        if prog.get("kind") != "recruit":
            continue
        prog["recruits_per_year"] = {str(y): int(got.get((prog["id"], y), 0)) for y in years}
    return {"levers.incentives.programmes": programmes}


def with_recruits(province: Any, result: RecruitmentResult) -> Any:
    """The province once the year's posts are filled: redeployed surplus in their posts, new
    posts opened, recruits in post (whatever their start month) — validated like a file."""
    from ..io import province_from_frames

    staff = province.staff.copy()
    moved = dict(zip(result.redeployed["staff_id"], result.redeployed["position_id"],
                     strict=True))
    staff["position_id"] = [moved.get(i, p) for i, p in zip(staff["staff_id"],
                                                             staff["position_id"], strict=True)]
    recruits = result.recruits[[c for c in staff.columns if c in result.recruits.columns]]
    tables = {**province.tables(),
              "positions": pd.concat([province.positions, result.new_posts], ignore_index=True),
              "staff": pd.concat([staff, recruits], ignore_index=True)}
    return province_from_frames(tables, source=f"{province.source} + recruitment {result.year}",
                                metadata=province.metadata)

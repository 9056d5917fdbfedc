"""Indicators of the projection, recomputed from the event log and the year-end snapshots.

:data:`INDICATORS` is the list, as data: id → (label vi, label en, unit, description). Shares are
0–1. Every indicator is computed per year and per commune from two tables only — the event log
(:mod:`khcadre_sim.people.events`, with ``scenario`` and ``seed``) and the snapshots
(:data:`khcadre_sim.projection.state.SNAPSHOT`) — plus the incentive budget table
(:data:`khcadre_sim.projection.state.BUDGET`); an area class and the province add up the
communes' numerators and denominators (a peak is the largest). A share whose denominator is 0
in a unit is not written for that unit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..people.evaluation import LevellingSettings, levelling
from ..ratings import RATINGS, allowed_excellent
from ..schema import declared, id_set, isin, python_strings

INDICATORS: dict[str, tuple[str, str, str, str]] = {
    "reviewed_share": ("Tỷ lệ được rà soát theo khung năng lực", "Share reviewed against the "
                       "competency framework", "share", "staff in service at year end "
                       "reviewed this year or before ÷ staff in service"),
    "trained_share": ("Tỷ lệ được bồi dưỡng, cập nhật kiến thức", "Share trained", "share",
                      "staff at year end with a course since 2026 ÷ staff"),
    "trained_digital_share": ("Tỷ lệ được bồi dưỡng kỹ năng số", "Share trained in digital "
                              "skills", "share", "staff at year end with a digital-skills "
                              "course since 2026 ÷ staff"),
    "units_output_evaluation_share": ("Tỷ lệ đơn vị đánh giá theo kết quả đầu ra", "Share of "
                                      "units evaluating by outputs", "share",
                                      "communes with an output-based annual rating this year ÷ "
                                      "communes with staff"),
    "rating_excellent_share": ("Tỷ lệ xếp loại xuất sắc", "Share rated excellent", "share",
                               "annual ratings of the year"),
    "rating_good_share": ("Tỷ lệ xếp loại tốt", "Share rated good", "share",
                          "annual ratings of the year"),
    "rating_completed_share": ("Tỷ lệ xếp loại hoàn thành", "Share rated completed", "share",
                               "annual ratings of the year"),
    "rating_not_completed_share": ("Tỷ lệ không hoàn thành nhiệm vụ", "Share rated not "
                                   "completed", "share", "annual ratings of the year"),
    "quota_breaches": ("Số nhóm vượt tỷ lệ xuất sắc", "Groups over the excellent quota",
                       "groups", "units × groups of similar duties with more 'excellent' than "
                       "⌊share × good⌋ (Decree 335/2025; 0 when the quota is applied)"),
    "levelled_units": ("Số đơn vị có dấu hiệu cào bằng", "Units flagged for levelling",
                       "units", "levelling detector on the year's ratings and points"),
    "manager_young_share": ("Tỷ lệ cán bộ quản lý trẻ", "Young share of managers", "share",
                            "holders of manager posts under the young age"),
    "manager_female_share": ("Tỷ lệ cán bộ quản lý nữ", "Female share of managers", "share",
                             "holders of manager posts"),
    "manager_ethnic_share": ("Tỷ lệ cán bộ quản lý người dân tộc thiểu số", "Ethnic-minority "
                             "share of managers", "share", "holders of manager posts"),
    "staff": ("Số cán bộ, công chức", "Staff", "people", "in service at year end"),
    "vacancies": ("Vị trí còn trống", "Vacant posts", "posts", "at year end"),
    "surplus": ("Người dôi dư (chưa có vị trí)", "Surplus (no post)", "people", "at year end"),
    "vacancies_new_work": ("Vị trí trống — lĩnh vực mới", "Vacant posts, new work", "posts",
                           "fields marked new work in data/fields.csv"),
    "vacancies_old_work": ("Vị trí trống — lĩnh vực cũ", "Vacant posts, old work", "posts",
                           "other fields"),
    "peak_load": ("Tải cao nhất", "Peak load ratio", "ratio",
                  "largest load ratio, measured on the year's placement"),
    "overloaded_share": ("Tỷ lệ người quá tải", "Share overloaded", "share",
                         "load ratio above the overload threshold"),
    "retirements": ("Số người nghỉ hưu", "Retirements", "people", "statutory age reached"),
    "successions_covered_share": ("Tỷ lệ vị trí nghỉ hưu đã có người kế nhiệm", "Successions "
                                  "covered", "share", "posts left by retirement in earlier "
                                  "years held at year end ÷ those posts"),
    "recruits": ("Số người được tuyển dụng", "Recruits", "people", "started this year"),
    "rotations_active": ("Số cán bộ đang luân chuyển", "Active rotations", "people",
                         "on a rotation term this year"),
    "moves": ("Số lượt thay đổi vị trí", "Changes of post", "people",
              "moved (placement, surplus redeployed, return from rotation) or rotated out"),
    "training_cost_vnd": ("Chi phí bồi dưỡng", "Training cost", "VND", "courses of the year"),
    "incentive_spending_vnd": ("Chi thu hút, hỗ trợ", "Incentive spending", "VND",
                               "expected net cost of the programmes (exact), need-driven "
                               "offers"),
    "incentive_ceiling_vnd": ("Trần kinh phí thu hút", "Incentive ceiling", "VND",
                              "province only"),
    "total_cost_vnd": ("Tổng chi phí", "Total cost", "VND", "training + incentive spending"),
}

TABLE: dict[str, Any] = {"scenario": "string", "seed": "int64", "year": "int64",
                         "scope": "string", "unit": "string", "indicator": "string",
                         "value": "float64"}
BANDS: dict[str, Any] = {"scenario": "string", "year": "int64", "scope": "string",
                         "unit": "string", "indicator": "string", "p5": "float64",
                         "p50": "float64", "p95": "float64", "n_seeds": "int64"}
SCOPES = ("province", "area_class", "commune")


def label(indicator: str, lang: str = "vi") -> str:
    vi, en, _, _ = INDICATORS[indicator]
    return vi if lang == "vi" else en


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in TABLE.items()})


# --------------------------------------------------------------- per commune: num, den

def _count(keys: pd.Series) -> pd.Series:
    return keys.astype(str).value_counts().astype(float)


def _ratio(num: pd.Series, den: pd.Series) -> tuple[pd.Series, pd.Series]:
    idx = den.index.union(num.index)
    return num.reindex(idx, fill_value=0.0), den.reindex(idx, fill_value=0.0)


def _year_parts(year: int, log: pd.DataFrame, yr: np.ndarray, snap: pd.DataFrame,
                budget: pd.DataFrame, ctx: dict[str, Any]
                ) -> dict[str, tuple[pd.Series, pd.Series | None, str]]:
    """indicator → (numerator by commune, denominator by commune or None, how to add up);
    ``yr``: the year of each event of ``log``."""
    this = log[yr == year]
    upto = log[yr <= year]
    before = log[yr < year]
    people = snap[snap["staff_id"].notna()]
    where = people.set_index(people["staff_id"].astype(str))["territory_id"].astype(str)
    staff = _count(people["territory_id"])
    out: dict[str, tuple[pd.Series, pd.Series | None, str]] = {}

    def share_of_staff(ids: set[str]) -> tuple[pd.Series, pd.Series, str]:
        hit = isin(people["staff_id"].astype(str), ids)
        return (*_ratio(_count(people.loc[hit, "territory_id"]), staff), "ratio")

    out["staff"] = (staff, None, "sum")
    out["reviewed_share"] = (*_ratio(_count(people.loc[people["reviewed"].to_numpy(bool),
                                                       "territory_id"]), staff), "ratio")
    trained = upto[upto["event"] == "trained"]
    out["trained_share"] = share_of_staff(id_set(trained["staff_id"]))
    digital = trained["detail"].astype(str).isin(ctx["digital_courses"]).to_numpy()
    out["trained_digital_share"] = share_of_staff(id_set(trained.loc[digital, "staff_id"]))
    rated = this[this["event"] == "rated"]
    units_rated = pd.Series(1.0, index=pd.Index(sorted(id_set(rated["territory_id"]))))
    out["units_output_evaluation_share"] = (*_ratio(units_rated, (staff > 0).astype(float)),
                                            "ratio")
    n_rated = _count(rated["territory_id"])
    for r in RATINGS:
        mine = rated[rated["detail"].astype(str) == r]
        out[f"rating_{r}_share"] = (*_ratio(_count(mine["territory_id"]), n_rated), "ratio")
    out["quota_breaches"] = (_quota(rated, people, ctx["excellent_share"]), None, "sum")
    out["levelled_units"] = (_levelled(rated, ctx["levelling"]), None, "sum")
    mgr = people[people["is_manager"].to_numpy(bool)]
    n_mgr = _count(mgr["territory_id"])
    for name, col in (("young", "young"), ("female", "female"), ("ethnic", "minority")):
        out[f"manager_{name}_share"] = (*_ratio(_count(mgr.loc[mgr[col].to_numpy(bool),
                                                               "territory_id"]), n_mgr),
                                        "ratio")
    vac = snap[snap["staff_id"].isna() & snap["position_id"].notna()]
    out["vacancies"] = (_count(vac["territory_id"]), None, "sum")
    out["vacancies_new_work"] = (_count(vac.loc[vac["new_work"].to_numpy(bool),
                                                "territory_id"]), None, "sum")
    out["vacancies_old_work"] = (_count(vac.loc[~vac["new_work"].to_numpy(bool),
                                                "territory_id"]), None, "sum")
    out["surplus"] = (_count(people.loc[people["position_id"].isna(), "territory_id"]), None,
                      "sum")
    measured = people[people["load_ratio"].notna()]
    load_t = measured["territory_id"].astype(str)
    out["peak_load"] = (measured.groupby(load_t)["load_ratio"].max().astype(float), None,
                        "max")
    over = measured["load_ratio"].to_numpy(float) > ctx["overload"]
    out["overloaded_share"] = (*_ratio(_count(load_t[over]), _count(load_t)), "ratio")
    out["retirements"] = (_count(this.loc[this["event"] == "retirement", "territory_id"]),
                          None, "sum")
    left = before[(before["event"] == "retirement") & before["position_id"].notna()]
    posts = snap[snap["position_id"].notna()].set_index(snap.loc[
        snap["position_id"].notna(), "position_id"].astype(str))
    held = left["position_id"].astype(str).map(posts["staff_id"]).notna().to_numpy()
    out["successions_covered_share"] = (*_ratio(_count(left.loc[held, "territory_id"]),
                                                _count(left["territory_id"])), "ratio")
    out["recruits"] = (_count(this.loc[this["event"] == "recruited", "territory_id"]), None,
                       "sum")
    out["rotations_active"] = (_active_rotations(log, yr, year, where), None, "sum")
    moved = this[this["event"].isin(["moved", "rotated_out"])]
    out["moves"] = (moved["staff_id"].astype(str).map(where).fillna(
        moved["territory_id"].astype(str)).value_counts().astype(float), None, "sum")
    tr = this[this["event"] == "trained"]
    out["training_cost_vnd"] = (tr.groupby(tr["territory_id"].astype(str))["value"].sum()
                                .astype(float), None, "sum")
    b = budget[budget["year"] == year]
    spend = b[b["territory_id"] != ""].set_index("territory_id")["incentive_spending_vnd"]
    out["incentive_spending_vnd"] = (spend.astype(float), None, "sum")
    return out


def _quota(rated: pd.DataFrame, people: pd.DataFrame, share: float) -> pd.Series:
    if rated.empty:
        return pd.Series(dtype=float)
    group = people.set_index(people["staff_id"].astype(str))["title_group"].astype(str)
    r = rated["detail"].astype(str).to_numpy(dtype=object)
    g = pd.DataFrame({"unit": rated["territory_id"].astype(str).to_numpy(dtype=object),
                      "group": rated["staff_id"].astype(str).map(group).fillna("specialist")
                      .to_numpy(dtype=object),
                      "good": (r == "good").astype(np.int64),
                      "excellent": (r == "excellent").astype(np.int64)})
    counts = g.groupby(["unit", "group"], sort=True)[["good", "excellent"]].sum()
    allowed = np.array([allowed_excellent(int(n), share) for n in counts["good"]])
    over = (counts["excellent"].to_numpy() > allowed).astype(float)
    return pd.Series(over, index=counts.index.get_level_values(0)).groupby(level=0).sum()


def _levelled(rated: pd.DataFrame, settings: LevellingSettings) -> pd.Series:
    if rated.empty:
        return pd.Series(dtype=float)
    table = pd.DataFrame({"year": pd.to_datetime(rated["date"]).dt.year.to_numpy(dtype=np.int64),
                          "unit": rated["territory_id"].astype(str).to_numpy(),
                          "rating": rated["detail"].astype(str).to_numpy(),
                          "points": rated["value"].to_numpy(dtype=float)})
    flags = levelling(table, settings)
    return flags.groupby(flags["unit"].astype(str))["flagged"].sum().astype(float)


def _active_rotations(log: pd.DataFrame, yr: np.ndarray, year: int,
                      where: pd.Series) -> pd.Series:
    """People on a term in ``year``: rotated out in year s with term T, s ≤ year ≤ s + T − 1,
    and neither ended nor gone before ``year``."""
    out = log[(log["event"] == "rotated_out").to_numpy() & (yr <= year)]
    if out.empty:
        return pd.Series(dtype=float)
    start = pd.to_datetime(out["date"]).dt.year.to_numpy()
    running = (start + out["value"].to_numpy(dtype=float) - 1 >= year)
    stop = log[log["event"].isin(["rotation_ended", "exit"]).to_numpy() & (yr < year)]
    gone = id_set(stop["staff_id"])
    ids = out["staff_id"].astype(str)
    keep = running & ~isin(ids, gone)
    return _count(out.loc[keep, "territory_id"])


def _scopes(years: list[tuple[int, dict[str, tuple[pd.Series, pd.Series | None, str]]]],
            area_of: pd.Series) -> list[tuple[int, str, str, str, float]]:
    """(year, scope, unit, indicator, value) for every commune, area class and the province (a
    count is written as 0 where nothing happened). All years and indicators are grouped at
    once: one long table of numerators and one of denominators, each grouped by (year,
    indicator, scope key)."""
    cols: dict[str, list[Any]] = {"year": [], "name": [], "how": [], "unit": [], "v": []}
    dcols: dict[str, list[Any]] = {"year": [], "name": [], "unit": [], "v": []}
    for year, parts in years:
        for name, (num, den, how) in parts.items():
            num = num.astype(float)
            if how == "sum":
                num = num.reindex(area_of.index.union(num.index), fill_value=0.0)
            cols["year"] += [year] * len(num)
            cols["name"] += [name] * len(num)
            cols["how"] += [how] * len(num)
            cols["unit"] += [str(u) for u in num.index]
            cols["v"].append(num.to_numpy(dtype=float))
            if how == "ratio" and den is not None:
                dcols["year"] += [year] * len(den)
                dcols["name"] += [name] * len(den)
                dcols["unit"] += [str(u) for u in den.index]
                dcols["v"].append(den.to_numpy(dtype=float))

    def table(c: dict[str, list[Any]]) -> pd.DataFrame:
        values = np.concatenate(c["v"]) if c["v"] else np.zeros(0)
        return pd.DataFrame({**{k: pd.Series(v, dtype="int64" if k == "year" else object)
                                for k, v in c.items() if k != "v"}, "v": values})

    long, below = table(cols), table(dcols)
    ratio_names = set(long.loc[long["how"] == "ratio", "name"])
    is_max = (long["how"] == "max").to_numpy(dtype=bool)
    top, added = long[is_max], long[~is_max]
    rows: list[tuple[int, str, str, str, float]] = []
    for scope in SCOPES:
        def by(t: pd.DataFrame, scope: str = scope) -> list[Any]:
            units = t["unit"]
            key = (units.to_numpy(dtype=object) if scope == "commune"
                   else units.map(area_of).to_numpy(dtype=object) if scope == "area_class"
                   else np.full(len(units), "", dtype=object))
            return [t["year"].to_numpy(dtype=np.int64), t["name"].to_numpy(dtype=object), key]

        most = top.groupby(by(top))["v"].max()
        total = added.groupby(by(added))["v"].sum()
        d = below.groupby(by(below))["v"].sum()
        is_ratio = np.array([n in ratio_names for n in total.index.get_level_values(1)],
                            dtype=bool)
        n = total[is_ratio].reindex(d.index, fill_value=0.0)
        shares = (n / d)[d > 0]
        for vals in (most, total[~is_ratio], shares):
            rows += [(int(y), scope, str(u), str(name), float(v))
                     for (y, name, u), v in vals.items()]
    return rows


def compute(events: pd.DataFrame, snapshots: pd.DataFrame, budget: pd.DataFrame,
            context: dict[str, Any], years: list[int] | tuple[int, ...],
            territories: pd.DataFrame) -> pd.DataFrame:
    """The indicators of one scenario and seed (columns :data:`TABLE` without scenario/seed).

    ``context``: ``digital_courses`` (course ids), ``excellent_share`` (Decree 335 quota),
    ``levelling`` (:class:`LevellingSettings`), ``overload`` (load ratio threshold)."""
    with python_strings():
        out = _compute(events, snapshots, budget, context, years, territories)
    return declared(out, {k: TABLE[k] for k in out.columns})


def _compute(events: pd.DataFrame, snapshots: pd.DataFrame, budget: pd.DataFrame,
             context: dict[str, Any], years: list[int] | tuple[int, ...],
             territories: pd.DataFrame) -> pd.DataFrame:
    area_of = territories.set_index(territories["territory_id"].astype(str))["area_class"]
    yr = (pd.to_datetime(events["date"]).dt.year.to_numpy() if len(events)
          else np.zeros(0, int))
    rows = _scopes([(year, _year_parts(year, events, yr, snapshots[snapshots["year"] == year],
                                       budget, context)) for year in years], area_of)
    for year in years:
        b = budget[(budget["year"] == year) & (budget["territory_id"] == "")]
        if len(b):
            rows.append((year, "province", "", "incentive_spending_vnd",
                         float(b["incentive_spending_vnd"].iloc[0])))
            rows.append((year, "province", "", "incentive_ceiling_vnd",
                         float(b["incentive_ceiling_vnd"].iloc[0])))
    out = pd.DataFrame(rows, columns=["year", "scope", "unit", "indicator", "value"])
    # the province's incentive spending is the budget's own total (it holds programme costs
    # not attributed to a commune); drop the sum of communes written before it
    prov = (out["scope"] == "province") & (out["indicator"] == "incentive_spending_vnd")
    out = out[~(prov & out.duplicated(["year", "scope", "unit", "indicator"], keep="last"))]
    cost = out[out["indicator"].isin(["training_cost_vnd", "incentive_spending_vnd"])]
    total = cost.groupby(["year", "scope", "unit"], as_index=False)["value"].sum()
    total["indicator"] = "total_cost_vnd"
    out = pd.concat([out, total[out.columns]], ignore_index=True)
    order = {k: i for i, k in enumerate(INDICATORS)}
    out = out.assign(_o=out["indicator"].map(order), _s=out["scope"].map(
        {s: i for i, s in enumerate(SCOPES)})).sort_values(
        ["year", "_s", "unit", "_o"], kind="stable").drop(columns=["_o", "_s"])
    return out.astype({k: TABLE[k] for k in out.columns}).reset_index(drop=True)


def bands(indicators: pd.DataFrame) -> pd.DataFrame:
    """P5/P50/P95 over seeds of every (scenario, year, scope, unit, indicator)."""
    if indicators.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in BANDS.items()})
    keys = ["scenario", "year", "scope", "unit", "indicator"]
    g = indicators.groupby(keys, sort=False)["value"]
    out = g.quantile([0.05, 0.5, 0.95]).unstack()
    out.columns = ["p5", "p50", "p95"]
    out["n_seeds"] = g.size()
    return out.reset_index().astype(BANDS)

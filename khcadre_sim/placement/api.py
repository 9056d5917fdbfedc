"""Placement optimizer — "right person, right job, right territory" (Resolution §II.2).

Public API::

    result = run(province, scenario)            # best placement under the scenario's rules
    result.assignments, result.vacancies, result.surplus, result.candidates_frame()
    result.summary()                            # status, objective, bound, gap, … (JSON-able)
    prices = price_rules(province, scenario)    # objective lost by switching each rule on

The objective is the sum of the scores of the assigned pairs; the score is documented in
:mod:`khcadre_sim.placement.scoring` and docs/placement.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..capability import ResultBase
from ..errors import ModelError
from ..labels import label
from ..solve import SOLVERS, SolveResult, Status
from .explain import describe_slack, precheck, rule_label
from .formulation import floor_groups, rotation_pairs
from .optimize import PlacementSolution, solve_placement
from .scoring import COMPONENTS, Candidates, build_candidates
from .settings import PlacementSettings


@dataclass
class PlacementResult(ResultBase):
    """A placement run: settings, candidates, the solve's proof and the tables planners read."""

    csv_float_format = None  # scores and distances in full: anyone can re-solve from the CSVs

    settings: PlacementSettings
    candidates: Candidates
    solution: PlacementSolution
    explanation: list[str]
    assignments: pd.DataFrame
    vacancies: pd.DataFrame
    surplus: pd.DataFrame
    rule_prices: dict[str, dict] = field(default_factory=dict)
    territories: pd.DataFrame | None = None  # for the map

    @property
    def proof(self) -> SolveResult:  # type: ignore[override]
        sol = self.solution
        return SolveResult(sol.status, sol.objective, sol.bound, sol.gap, sol.seconds,
                           sol.solver, sol.seed, sol.message)

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"candidates": self.candidates_frame()}
        if self.status.has_solution:
            out.update(assignments=self.assignments, vacancies=self.vacancies,
                       surplus=self.surplus)
        return out

    def commune_tables(self, territory_id: str, lang: str = "vi") -> dict[str, pd.DataFrame]:
        if not self.status.has_solution:
            return {}
        vi = lang == "vi"
        a = self.assignments
        here = a[a["territory_id"] == territory_id]
        arrivals = here[here["change"].isin(["moves", "placed"])][
            ["staff_id", "position_id", "current_position_id", "change", "distance_km"]]
        vac = self.vacancies[self.vacancies["territory_id"] == territory_id][
            ["position_id", "office", "title", "field", "filled_today"]]
        sur = self.surplus[self.surplus["origin_territory_id"] == territory_id][
            ["staff_id", "current_position_id", "fields"]]
        # a person's qualified fields are one ';'-joined code list: name each field
        sur = sur.assign(fields=[
            "; ".join(label(f.strip(), lang) for f in str(v).split(";") if f.strip())
            if isinstance(v, str) else v for v in sur["fields"]])
        return {("Vị trí còn trống sau bố trí" if vi else "Posts vacant after placement"): vac,
                ("Người đến hoặc mới được bố trí" if vi else "People arriving or newly placed"):
                    arrivals,
                ("Người dôi dư (chưa có vị trí)" if vi else "Surplus (no post)"): sur}

    def figures(self, lang: str = "vi") -> dict[str, Any]:
        from . import plots

        if not self.status.has_solution:
            return {}
        out = {"surplus_and_vacancies": plots.surplus_and_vacancies(self, "field", lang),
               "managers_before_after": plots.manager_diversity_chart(self, lang)}
        if self.territories is not None:
            out["moves_map"] = plots.moves_map(self, self.territories, lang)
        if self.rule_prices:
            out["rule_prices"] = plots.rule_prices_chart(self.rule_prices, lang)
        return out

    def candidates_frame(self) -> pd.DataFrame:
        return self.candidates.to_frame()

    def counts(self) -> dict[str, int]:
        """Head-counts of the placement. ``moved``: people holding a post today who take
        another post; ``removed``: people holding a post today left without one (surplus);
        ``changed_post`` = moved + removed, the count the move cap limits; ``newly_placed``:
        people without a post today who get one."""
        a = self.assignments
        placed = a["position_id"].notna()
        moved = int(a["moved"].sum())
        removed = int((a["change"] == "removed").sum())
        return {
            "staff": int(len(a)), "posts": int(self.candidates.n_posts),
            "candidates": int(self.candidates.n_pairs), "assigned": int(placed.sum()),
            "moved": moved, "removed": removed, "changed_post": moved + removed,
            "newly_placed": int((a["change"] == "placed").sum()),
            "surplus": int(len(self.surplus)), "vacancies": int(len(self.vacancies)),
            "rotations_to_hard_areas": int(a["rotation"].sum()),
        }

    def summary(self) -> dict[str, Any]:
        sol = self.solution
        out: dict[str, Any] = {
            "status": str(sol.status), "proof": self.proof.to_dict(),
            "objective": _round(sol.objective),
            "bound": _round(sol.bound), "gap": None if sol.gap is None else float(sol.gap),
            "seconds": round(sol.seconds, 3), "solver": sol.solver, "seed": sol.seed,
            "message": sol.message, "infeasibility_proven": sol.infeasibility_proven,
            "counts": self.counts() if sol.status.has_solution else {
                "staff": int(self.candidates.n_staff), "posts": int(self.candidates.n_posts),
                "candidates": int(self.candidates.n_pairs)},
            "rules_on": self.settings.enabled_rules(),
            "rules": self.settings.rule_sources(),
            "explanation": self.explanation,
            "method": {k: (float(v) if isinstance(v, float | np.floating) else v)
                       for k, v in sol.stats.items()},
        }
        if self.settings.manager_floors.enabled:
            out["manager_floors"] = _records(manager_floors(self))
        if self.rule_prices:
            out["rule_prices"] = self.rule_prices
        out["headline"] = self.headline("en")
        return out

    def headline(self, lang: str = "en") -> list[str]:
        sol = self.solution
        vi = lang == "vi"
        if not sol.status.has_solution:
            first = self.explanation[0] if self.explanation else sol.message
            return [(f"bố trí: không có phương án ({sol.status}): " if vi
                     else f"placement {sol.status}: ") + first]
        k, caps = self.counts(), self.settings.move_caps
        if vi:
            proven = ("tối ưu đã chứng minh" if sol.status is Status.OPTIMAL
                      else "khả thi, chưa chứng minh tối ưu")
            cap = f", trần {caps.total:,}" if caps.enabled else ""
            return [f"bố trí {proven} (khoảng cách tới cận {sol.gap:.4%}): điểm mục tiêu "
                    f"{sol.objective:,.1f}",
                    f"{k['assigned']:,} người được bố trí; {k['changed_post']:,} người thay đổi "
                    f"vị trí{cap} ({k['moved']:,} chuyển vị trí khác, {k['removed']:,} không còn "
                    f"vị trí); {k['newly_placed']:,} người mới được bố trí; {k['surplus']:,} "
                    f"người dôi dư; {k['vacancies']:,} vị trí còn trống"]
        cap = f", cap {caps.total:,}" if caps.enabled else ""
        return [f"placement {sol.status} (gap {sol.gap:.4%}): objective {sol.objective:,.1f}",
                f"{k['assigned']:,} placed; {k['changed_post']:,} changed post{cap} "
                f"({k['moved']:,} moved to another post, {k['removed']:,} left without a post); "
                f"{k['newly_placed']:,} newly placed; {k['surplus']:,} surplus; "
                f"{k['vacancies']:,} posts vacant"]


def _round(v: float | None) -> float | None:
    return None if v is None else round(float(v), 6)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a table for JSON (missing values as None)."""
    return [{k: (None if v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v)
             for k, v in row.items()} for row in frame.to_dict(orient="records")]


def candidates_for(province: Any, settings: PlacementSettings) -> Candidates:
    """Candidate pairs and scores for a province (reads the bundled fields and priorities)."""
    from ..io import load_area_class_priorities, load_fields

    return build_candidates(province.territories, province.positions, province.staff,
                            load_area_class_priorities(), load_fields(), settings)


def _settings(scenario: Any, settings: PlacementSettings | None) -> PlacementSettings:
    if settings is not None:
        return settings
    if scenario is None:
        from ..scenario import load_scenario

        scenario = load_scenario()
    return PlacementSettings.from_scenario(scenario)


def place(province: Any, scenario: Any = None, *, settings: PlacementSettings | None = None,
          solver: str = "cbc", time_limit: float | None = None, log: bool = False,
          prices: bool = False) -> PlacementResult:
    """Best placement of ``province``'s staff under the scenario's rules.

    Never raises for an infeasible rule set: the result's status says so and
    ``explanation`` says which rules conflict and by how much.
    """
    if solver not in SOLVERS:
        raise ModelError(f"unknown solver '{solver}' — use one of: {', '.join(SOLVERS)}")
    s = _settings(scenario, settings)
    c = candidates_for(province, s)
    sol = solve_placement(c, s, solver=solver, time_limit=time_limit, log=log)
    explanation: list[str] = []
    if not sol.status.has_solution:
        explanation = precheck(c, s) + describe_slack(sol.rows, sol.slack, s)
        if not explanation:
            explanation = [f"no placement found: {sol.message}"]
    result = _result(province, c, s, sol, explanation)
    if prices and sol.status.has_solution:
        result.rule_prices = price_rules(province, settings=s, solver=solver,
                                         time_limit=time_limit, base=result)
    return result


def run(province: Any, scenario: Any, *, solver: str = "cbc", time_limit: float | None = None,
        log: bool = False, price_rules: bool = False) -> PlacementResult:
    """The capability entry: :func:`place` under the scenario (rule prices on request)."""
    return place(province, scenario, solver=solver, time_limit=time_limit, log=log,
                 prices=price_rules)


def price_rules(province: Any, scenario: Any = None, *, settings: PlacementSettings | None = None,
                solver: str = "cbc", time_limit: float | None = None,
                base: PlacementResult | None = None,
                rules: list[str] | None = None) -> dict[str, dict]:
    """Objective lost by each rule: solve once with the rule switched off and compare.

    A price of 0 means the rule costs nothing here; prices are exact up to the proven gaps
    (``gap_bound`` = largest score difference the gaps could hide).
    """
    s = _settings(scenario, settings)
    if base is None:
        base = place(province, settings=s, solver=solver, time_limit=time_limit)
    if not base.status.has_solution:
        raise ModelError("rule prices need a feasible base placement — see its explanation")
    out: dict[str, dict] = {}
    chosen = s.enabled_rules() if rules is None else [r for r in rules
                                                       if r in s.enabled_rules()]
    for rule in chosen:
        other = place(province, settings=s.with_rule(rule, False), solver=solver,
                      time_limit=time_limit)
        if not other.status.has_solution:
            out[rule] = {"label": rule_label(rule), "price": None, "status": str(other.status)}
            continue
        gap_hide = (base.solution.bound - base.solution.objective) + (
            other.solution.bound - other.solution.objective)
        out[rule] = {"label": rule_label(rule),
                     "price": round(float(other.solution.objective - base.solution.objective), 6),
                     "gap_bound": round(float(gap_hide), 6), "status": str(other.status)}
    return out


def _result(province: Any, c: Candidates, s: PlacementSettings, sol: PlacementSolution,
            explanation: list[str]) -> PlacementResult:
    """The result of a solve, with the tables planners read (empty without a placement)."""
    if not sol.status.has_solution:
        empty = pd.DataFrame()
        return PlacementResult(s, c, sol, explanation, empty, empty, empty,
                               territories=province.territories)
    post_of = np.full(c.n_staff, -1, dtype=np.int64)  # post row after the placement, or -1
    pair_of = np.full(c.n_staff, -1, dtype=np.int64)  # chosen pair of each person, or -1
    post_of[c.si[sol.chosen]] = c.pj[sol.chosen]
    pair_of[c.si[sol.chosen]] = sol.chosen
    filled = np.zeros(c.n_posts, dtype=bool)
    filled[c.pj[sol.chosen]] = True
    return PlacementResult(s, c, sol, explanation, _assignments(c, post_of, pair_of),
                           _vacancies(province, c, filled), _surplus(province, c, pair_of >= 0),
                           territories=province.territories)


def _assignments(c: Candidates, post_of: np.ndarray, pair_of: np.ndarray) -> pd.DataFrame:
    """assignments.csv: every person, their post today and after, the kind of change, and the
    score of their pair (0 without a post)."""
    has = pair_of >= 0
    pair, post, cur = np.maximum(pair_of, 0), np.maximum(post_of, 0), c.cur_post
    change = np.where(~has, np.where(cur >= 0, "removed", "unplaced"),
                      np.where(cur < 0, "placed", np.where(post_of == cur, "stays", "moves")))
    def at(values: np.ndarray, index: np.ndarray, where: np.ndarray, fill: Any) -> np.ndarray:
        # no candidate pair (or post) at all: nothing to look up, every row gets ``fill``
        if not len(values):
            return np.full(len(index), fill, dtype=object if fill is None else None)
        return np.where(where, values[index], fill)

    terr = (c.territory_ids[c.post_terr] if len(c.post_terr)
            else np.zeros(0, dtype=object))
    a = pd.DataFrame({
        "staff_id": c.staff_ids,
        "position_id": pd.array(at(c.post_ids, post, has, None), dtype="string"),
        "territory_id": pd.array(at(terr, post, has, None), dtype="string"),
        "current_position_id": pd.array(at(c.post_ids, np.maximum(cur, 0), cur >= 0, None),
                                        dtype="string"),
        "moved": has & (cur >= 0) & (post_of != cur),
        "change": change,
        "rotation": at(rotation_pairs(c), pair, has, False).astype(bool),
        "distance_km": at(np.round(c.km, 3), pair, has, 0.0).astype(float),
    })
    for name in COMPONENTS:
        a[f"score_{name}"] = at(np.round(c.components[name], 6), pair, has, 0.0).astype(float)
    a["score"] = at(np.round(c.score, 6), pair, has, 0.0).astype(float)
    return a


def _vacancies(province: Any, c: Candidates, filled: np.ndarray) -> pd.DataFrame:
    """vacancies.csv: posts left empty, with their area class, whether they are filled today
    and whether their field is new work."""
    from ..io import load_fields

    pos = province.positions
    cols = ["position_id", "territory_id", "office", "title", "field", "is_manager",
            "is_key_post"]  # office and title: shown when the table has them
    v = pos.loc[~filled, [k for k in cols if k in pos.columns]].copy()
    terr = province.territories.set_index(province.territories["territory_id"].astype(str))
    v["area_class"] = v["territory_id"].astype(str).map(terr["area_class"]).to_numpy()
    v["filled_today"] = c.filled_today[~filled]
    nw = load_fields().set_index("field")["new_work"]
    v["new_work"] = v["field"].astype(str).map(nw).fillna(False).astype(bool).to_numpy()
    return v.reset_index(drop=True)


def _surplus(province: Any, c: Candidates, has: np.ndarray) -> pd.DataFrame:
    """surplus.csv: people left without a post, with the commune and area class they come
    from (the commune of the post held today, the home commune otherwise)."""
    sur = province.staff.loc[~has, ["staff_id", "position_id", "home_territory_id", "fields",
                                    "score_political", "score_execution",
                                    "score_development"]].rename(
        columns={"position_id": "current_position_id"}).copy()
    sur["origin_territory_id"] = c.territory_ids[c.origin_terr[~has]]
    sur["area_class"] = c.area_classes[c.origin_terr[~has]]
    return sur.reset_index(drop=True)


def baseline_comparison(result: PlacementResult) -> pd.DataFrame:
    """Today's placement against the optimized one, on the figures a planner reads first
    (total_score of today = the sum of the scores of the current person–post pairs)."""
    from ..io import load_fields

    c = result.candidates
    fields = load_fields()
    new_work = list(fields.loc[fields["new_work"], "field"])
    after = np.zeros(c.n_pairs, dtype=bool)
    after[result.solution.chosen] = True
    rows = []
    for name, sel in (("today", c.is_current), ("after", after)):
        posts, staff = c.pj[sel], c.si[sel]
        field_ok = c.components["field"][sel] > 0
        rows.append({
            "placement": name,
            "posts_filled": int(len(np.unique(posts))),
            "posts_vacant": int(c.n_posts - len(np.unique(posts))),
            "people_without_post": int(c.n_staff - len(np.unique(staff))),
            "new_work_posts_filled": int(len(np.unique(posts[np.isin(c.post_field[posts],
                                                                      new_work)]))),
            "field_match_share": round(float(field_ok.mean()) if len(field_ok) else 0.0, 4),
            "total_score": round(float(c.score[sel].sum()), 1),
        })
    return pd.DataFrame(rows).set_index("placement")


def manager_diversity(result: PlacementResult) -> pd.DataFrame:
    """Shares of young, female and ethnic-minority people among filled manager posts, today
    and after the placement, province-wide and per area class."""
    c = result.candidates
    rows = []
    after_post = np.full(c.n_staff, -1, dtype=np.int64)
    after_post[c.si[result.solution.chosen]] = c.pj[result.solution.chosen]
    for when, post in (("before", c.cur_post), ("after", after_post)):
        mgr = (post >= 0) & c.is_manager[np.maximum(post, 0)]
        area = c.post_area[np.maximum(post, 0)]
        for scope in ["province", *sorted(set(c.post_area[c.is_manager]))]:
            m = mgr if scope == "province" else mgr & (area == scope)
            n = int(m.sum())
            rows.append({"when": when, "scope": scope, "managers": n,
                         "young_share": round(float(c.young[m].mean()) if n else math.nan, 4),
                         "female_share": round(float(c.female[m].mean()) if n else math.nan, 4),
                         "minority_share": round(float(c.minority[m].mean()) if n else math.nan,
                                                 4)})
    return pd.DataFrame(rows)


def manager_floors(result: PlacementResult) -> pd.DataFrame:
    """Each manager floor of the scenario (scope × group): today's share among filled manager
    posts of the scope, the floor the placement had to reach, and the share after it.

    In mode ``no_fall`` (default) the floor is today's share + the group's rise
    (``young_delta``, ``female_delta``, ``minority_delta``; Resolution §I.2: raise the shares);
    in mode ``fixed`` it is the scenario's fixed share (project assumption).
    """
    c, s = result.candidates, result.settings
    after_post = np.full(c.n_staff, -1, dtype=np.int64)
    if result.status.has_solution:
        after_post[c.si[result.solution.chosen]] = c.pj[result.solution.chosen]
    cols = {"scope": "string", "group": "string", "mode": "string", "managers_today": "int64",
            "share_today": "float64", "floor": "float64", "managers_after": "int64",
            "share_after": "float64", "met": "boolean"}
    rows = []
    for g in floor_groups(c, s):
        in_after = (after_post >= 0) & g.posts[np.maximum(after_post, 0)]
        n_after = int(in_after.sum())
        share_after = float(g.member[in_after].mean()) if n_after else math.nan
        met = (pd.NA if not result.status.has_solution else
               bool(n_after == 0 or share_after >= g.floor - 1e-9))
        rows.append({"scope": g.scope, "group": g.group, "mode": g.mode,
                     "managers_today": g.filled_today,
                     "share_today": math.nan if g.today is None else round(g.today, 4),
                     "floor": round(g.floor, 4), "managers_after": n_after,
                     "share_after": round(share_after, 4), "met": met})
    return pd.DataFrame(rows, columns=list(cols)).astype(cols)

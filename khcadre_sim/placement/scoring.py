"""Pair scores and candidate pairs of the placement model.

Score of placing person *i* in post *j* (all weights from the scenario, ``[levers.placement]``):

    score = fill + fill_new_work·[post field is "new work"]
          + Σ_g w_g · min(score_g(i) − req_g(j), fit_cap)   (g = political, execution, development)
          + field_match·[post field ∈ person's fields]  (or − field_mismatch_penalty without it)
          + priority_field·[field matched and a priority of the post's area class]·development/100
          − disruption,  disruption = move_fixed·[i leaves a post they hold] + move_per_km·km

where km is the distance between the centroid of the person's current commune (home commune for
people without a post) and the post's commune. Staying unplaced or leaving a post vacant scores 0,
so the objective is exactly the sum of the scores of the assigned pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataValidationError, ModelError, Problem
from ..territories import haversine_km
from .settings import PlacementSettings

GROUPS = ("political", "execution", "development")
COMPONENTS = ("fill", "fit", "field", "priority", "disruption")

_STAFF_COLS = ("staff_id", "position_id", "home_territory_id", "birth_year", "gender",
               "ethnic_minority", "fields", "score_political", "score_execution",
               "score_development", "planning_pool", "years_in_post")
_POST_COLS = ("position_id", "territory_id", "field", "is_manager", "is_key_post",
              "req_political", "req_execution", "req_development")
_TERR_COLS = ("territory_id", "area_class", "lat", "lon", "hard_area")


@dataclass
class Candidates:
    """Every (person, post) pair the model may use, with its score and the data rules need.

    Arrays indexed by pair: ``si`` (staff row), ``pj`` (post row), ``score`` and its
    components. Arrays indexed by staff row or post row describe people and posts.
    """

    staff_ids: np.ndarray
    post_ids: np.ndarray
    territory_ids: np.ndarray
    area_classes: np.ndarray  # area class of each territory row
    si: np.ndarray
    pj: np.ndarray
    score: np.ndarray
    components: dict[str, np.ndarray]
    is_current: np.ndarray
    moved: np.ndarray  # pair means a person holding a post changes post
    km: np.ndarray
    # people
    cur_post: np.ndarray  # post row or -1
    origin_terr: np.ndarray  # territory row of the current post (home when unplaced)
    home_terr: np.ndarray
    female: np.ndarray
    minority: np.ndarray
    young: np.ndarray
    pool: np.ndarray
    stayer: np.ndarray  # must stay in the current post (recently moved)
    # posts
    post_terr: np.ndarray
    post_field: np.ndarray  # field code of each post
    is_manager: np.ndarray
    is_key: np.ndarray
    hard: np.ndarray
    filled_today: np.ndarray
    post_area: np.ndarray  # area class of each post

    @property
    def n_staff(self) -> int:
        return len(self.staff_ids)

    @property
    def n_posts(self) -> int:
        return len(self.post_ids)

    @property
    def n_pairs(self) -> int:
        return len(self.si)

    def to_frame(self) -> pd.DataFrame:
        """candidates.csv: every pair considered, with the score the model used."""
        frame = pd.DataFrame({
            "staff_id": self.staff_ids[self.si],
            "position_id": self.post_ids[self.pj],
            "territory_id": self.territory_ids[self.post_terr[self.pj]],
            "is_current": self.is_current,
            "moved": self.moved,
            "distance_km": np.round(self.km, 3),
        })
        for name in COMPONENTS:
            frame[f"score_{name}"] = np.round(self.components[name], 6)
        frame["score"] = np.round(self.score, 6)
        return frame


def _need(frame: pd.DataFrame, cols: tuple[str, ...], table: str) -> list[Problem]:
    missing = [c for c in cols if c not in frame.columns]
    return [Problem(file=table, column=c, message="required column is missing",
                    fix=f"add a '{c}' column (see khcadre_sim/contract.toml)") for c in missing]


def _as_bool(series: pd.Series) -> np.ndarray:
    if series.dtype == bool:
        return series.to_numpy()
    text = series.astype(str).str.strip().str.lower()
    return text.isin(["true", "1", "yes", "x"]).to_numpy()


def _index(values: pd.Series, keys: pd.Index, table: str, column: str, target: str,
           allow_missing: bool = False) -> tuple[np.ndarray, list[Problem]]:
    idx = keys.get_indexer(values.astype("string").fillna(pd.NA))
    problems: list[Problem] = []
    blank = values.isna().to_numpy()
    bad = (idx < 0) & ~(blank & allow_missing)
    for row in np.flatnonzero(bad)[:5]:
        problems.append(Problem(file=table, row=int(row) + 2, column=column,
                                message=f"'{values.iloc[row]}' is not a known {target}",
                                fix=f"use an existing {target} or leave it blank" if allow_missing
                                else f"use an existing {target}"))
    return idx, problems


def _check_tables(territories: pd.DataFrame, positions: pd.DataFrame,
                  staff: pd.DataFrame) -> None:
    """Required columns, unique ids and non-empty tables, or a :class:`DataValidationError`."""
    problems = (_need(territories, _TERR_COLS, "territories") + _need(positions, _POST_COLS,
                "positions") + _need(staff, _STAFF_COLS, "staff"))
    if problems:
        raise DataValidationError(problems)
    for frame, key, table in ((territories, "territory_id", "territories"),
                              (positions, "position_id", "positions"),
                              (staff, "staff_id", "staff")):
        dup = frame[key].astype(str).duplicated(keep="first").to_numpy()
        problems += [Problem(file=table, row=int(r) + 2, column=key,
                             message=f"duplicate id '{frame[key].iloc[r]}'",
                             fix="give every row its own id") for r in np.flatnonzero(dup)[:5]]
    if problems:
        raise DataValidationError(problems)
    if len(positions) == 0 or len(staff) == 0:
        raise DataValidationError(Problem(file="positions" if len(positions) == 0 else "staff",
                                          message="the table has no rows",
                                          fix="load a province with posts and staff"))


@dataclass
class _Rows:
    """Row numbers linking the tables (post → territory, person → post and home, post →
    field), checked."""

    terr_keys: pd.Index
    post_terr: np.ndarray
    cur_post: np.ndarray  # -1 without a post
    home_terr: np.ndarray
    field_codes: list[str]
    post_field: np.ndarray  # position of each post's field in field_codes


def _link(territories: pd.DataFrame, positions: pd.DataFrame, staff: pd.DataFrame,
          fields: pd.DataFrame) -> _Rows:
    """Resolve the references between the tables and check the numbers the score uses;
    every problem found is raised at once."""
    terr_keys = pd.Index(territories["territory_id"].astype(str))
    post_keys = pd.Index(positions["position_id"].astype(str))
    post_terr, p1 = _index(positions["territory_id"], terr_keys, "positions", "territory_id",
                           "territory_id")
    cur_post, p2 = _index(staff["position_id"], post_keys, "staff", "position_id", "position_id",
                          allow_missing=True)
    home_terr, p3 = _index(staff["home_territory_id"], terr_keys, "staff", "home_territory_id",
                           "territory_id")
    field_codes = list(fields["field"].astype(str))
    field_pos = {f: k for k, f in enumerate(field_codes)}
    pfield = positions["field"].astype(str).map(field_pos)
    p4 = [Problem(file="positions", row=int(r) + 2, column="field",
                  message=f"unknown field '{positions['field'].iloc[r]}'",
                  fix="use a field code of data/fields.csv")
          for r in np.flatnonzero(pfield.isna().to_numpy())[:5]]
    problems = p1 + p2 + p3 + p4
    num_checks = [(staff, f"score_{g}", "staff") for g in GROUPS] + [
        (positions, f"req_{g}", "positions") for g in GROUPS] + [
        (staff, "birth_year", "staff"), (staff, "years_in_post", "staff"),
        (territories, "lat", "territories"), (territories, "lon", "territories")]
    for frame, col, table in num_checks:
        vals = pd.to_numeric(frame[col], errors="coerce")
        for r in np.flatnonzero(vals.isna().to_numpy())[:3]:
            problems.append(Problem(file=table, row=int(r) + 2, column=col,
                                    message=f"'{frame[col].iloc[r]}' is not a number",
                                    fix="give a number"))
    if problems:
        raise DataValidationError(problems)
    if len(field_codes) > 62:
        raise ModelError("more than 62 fields of work are not supported")
    return _Rows(terr_keys, post_terr, cur_post, home_terr, field_codes,
                 pfield.to_numpy(dtype=np.int64))


def _field_masks(staff: pd.DataFrame, field_codes: list[str]) -> np.ndarray:
    """Each person's fields as a bit mask: bit k set when qualified in field k."""
    field_pos = {f: k for k, f in enumerate(field_codes)}
    fmask = np.zeros(len(staff), dtype=np.int64)
    for r, text in enumerate(staff["fields"].fillna("").astype(str)):
        for code in text.split(";"):
            code = code.strip()
            if code:
                if code not in field_pos:
                    raise DataValidationError(Problem(
                        file="staff", row=r + 2, column="fields",
                        message=f"unknown field '{code}'",
                        fix="use ';'-separated field codes of data/fields.csv"))
                fmask[r] |= np.int64(1) << field_pos[code]
    return fmask


def _num(frame: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(frame[col]).to_numpy(dtype=float)


def build_candidates(territories: pd.DataFrame, positions: pd.DataFrame, staff: pd.DataFrame,
                     priorities: pd.DataFrame, fields: pd.DataFrame,
                     settings: PlacementSettings) -> Candidates:
    """Score every allowed (person, post) pair; raise a clear error on unusable input."""
    _check_tables(territories, positions, staff)
    link = _link(territories, positions, staff, fields)
    terr_keys, post_terr, cur_post, home_terr = (link.terr_keys, link.post_terr, link.cur_post,
                                                 link.home_terr)
    field_codes, pfield = link.field_codes, link.post_field
    fmask = _field_masks(staff, field_codes)

    area = territories["area_class"].astype(str).to_numpy()
    post_area = area[post_terr]
    prio_set = set(zip(priorities["area_class"].astype(str), priorities["field"].astype(str),
                       strict=True))
    prio = np.array([(a, field_codes[f]) in prio_set for a, f in zip(post_area, pfield,
                                                                       strict=True)])
    new_work_map = dict(zip(fields["field"].astype(str), _as_bool(fields["new_work"]),
                            strict=True)) if "new_work" in fields else {}
    new_work = np.array([bool(new_work_map.get(field_codes[f], False)) for f in pfield])
    is_key = _as_bool(positions["is_key_post"])
    is_manager = _as_bool(positions["is_manager"])
    hard = _as_bool(territories["hard_area"])[post_terr]
    req = np.stack([_num(positions, f"req_{g}") for g in GROUPS], axis=1)
    sc = np.stack([_num(staff, f"score_{g}") for g in GROUPS], axis=1)
    lat, lon = _num(territories, "lat"), _num(territories, "lon")
    km_tt = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])

    has_cur = cur_post >= 0
    origin = np.where(has_cur, post_terr[np.maximum(cur_post, 0)], home_terr)
    stayer = (has_cur & (_num(staff, "years_in_post") < settings.stay.min_years_in_post)
              & settings.stay.enabled)
    stayer_post = np.zeros(len(positions), dtype=bool)
    stayer_post[cur_post[stayer]] = True
    filled_today = np.zeros(len(positions), dtype=bool)
    filled_today[cur_post[has_cur]] = True
    age = settings.reference_year - _num(staff, "birth_year")

    w = settings.weights
    gw = np.array([w.fit_political, w.fit_execution, w.fit_development])
    rng = np.random.default_rng(settings.seed)
    post_rows = np.arange(len(positions))
    chunk = max(1, 400_000 // max(1, len(positions)))
    parts: dict[str, list[np.ndarray]] = {k: [] for k in (
        "si", "pj", "fit", "field", "priority", "disruption", "fill", "cur", "moved", "km")}
    total = 0
    for start in range(0, len(staff), chunk):
        rows = np.arange(start, min(len(staff), start + chunk))
        match = ((fmask[rows, None] >> pfield[None, :]) & 1).astype(bool)
        surplus = sc[rows, None, :] - req[None, :, :]
        fit = (np.minimum(surplus, w.fit_cap) * gw).sum(axis=2)
        is_cur = post_rows[None, :] == cur_post[rows, None]
        km = km_tt[origin[rows]][:, post_terr]
        allowed = km <= settings.max_distance_km
        if settings.require_field_match:
            allowed &= match
        if settings.thresholds.enabled:
            allowed &= (surplus >= -settings.thresholds.tolerance).all(axis=2)
        if settings.non_local.enabled:
            allowed &= ~(is_key[None, :] & (home_terr[rows, None] == post_terr[None, :]))
        allowed &= ~stayer[rows, None]
        # a post whose holder must stay is not free for anyone else
        allowed &= ~stayer_post[None, :]
        # a person's current post is always a candidate: the rules govern new placements
        keep = allowed | is_cur
        r_idx, p_idx = np.nonzero(keep)
        total += len(r_idx)
        if total > settings.max_candidates:
            raise ModelError(Problem(
                file="scenario", message=f"more than {settings.max_candidates:,} candidate pairs",
                fix="prune more (levers.placement.max_distance_km, require_field_match) or "
                    "raise constants.placement.max_candidates"))
        si = rows[r_idx]
        m = match[r_idx, p_idx]
        cur = is_cur[r_idx, p_idx]
        mv = has_cur[si] & ~cur
        dist = km[r_idx, p_idx]
        parts["si"].append(si.astype(np.int32))
        parts["pj"].append(p_idx.astype(np.int32))
        parts["fit"].append(fit[r_idx, p_idx])
        parts["field"].append(np.where(m, w.field_match, -settings.field_mismatch_penalty))
        parts["priority"].append(w.priority_field * (m & prio[p_idx]) * sc[si, 2] / 100.0)
        parts["disruption"].append(w.move_fixed * mv + w.move_per_km * dist * ~cur)
        parts["fill"].append(w.fill + w.fill_new_work * new_work[p_idx])
        parts["cur"].append(cur)
        parts["moved"].append(mv)
        parts["km"].append(dist)
    cat = {}
    for k in list(parts):  # concatenate one array at a time to keep the peak low
        cat[k] = np.concatenate(parts.pop(k))
    comps = {k: cat[k].astype(float, copy=False) for k in COMPONENTS}
    score = comps["fill"] + comps["fit"] + comps["field"] + comps["priority"] - comps["disruption"]
    if settings.score_noise_sd > 0:
        score = score + rng.normal(0.0, settings.score_noise_sd, size=len(score))
    return Candidates(
        staff_ids=staff["staff_id"].astype(str).to_numpy(),
        post_ids=positions["position_id"].astype(str).to_numpy(),
        territory_ids=terr_keys.to_numpy(), area_classes=area,
        si=cat["si"], pj=cat["pj"], score=score,
        components=comps, is_current=cat["cur"].astype(bool), moved=cat["moved"].astype(bool),
        km=cat["km"],
        cur_post=cur_post.astype(np.int64), origin_terr=origin, home_terr=home_terr,
        female=(staff["gender"].astype(str).str.upper() == "F").to_numpy(),
        minority=_as_bool(staff["ethnic_minority"]), young=age < settings.manager_floors.young_age,
        pool=_as_bool(staff["planning_pool"]), stayer=stayer,
        post_terr=post_terr, post_field=np.array(field_codes, dtype=object)[pfield],
        is_manager=is_manager, is_key=is_key, hard=hard,
        filled_today=filled_today, post_area=post_area,
    )

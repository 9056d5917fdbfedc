"""Output-based evaluation (Resolution §II.4, §II.7; Decree 335/2025/NĐ-CP).

§II.4: "Xây dựng bộ tiêu chí, chỉ số đánh giá cán bộ theo từng chức danh, vị trí việc làm; thực
hiện đánh giá theo quý, năm; hạn chế đánh giá hình thức, nể nang, cào bằng." §II.7: "Xây dựng bộ
tiêu chí đánh giá cán bộ theo đặc thù từng địa bàn làm căn cứ đánh giá, bố trí, sử dụng cán bộ".

**Quarterly scores** (simulated, or a real score table fed in). For person *i* in year *y* and
quarter *q*::

    latent_i   = Σ_g w[a(i), g] · score_g(i) + performance_offset
    score_iyq  = clip(latent_i + u_iy + e_iyq, 0, 100),  u_iy ~ N(0, person_sd²),
                                                           e_iyq ~ N(0, quarter_sd²)

where ``score_g`` are the three framework scores (political, execution, development: §II.1) and
``w[a, ·]`` the weights of the person's area class ``a`` — the review's
``levers.review.group_weights``, which are the per-area-class evaluation criteria of §II.7 (the
same weights make the review's competency index). ``u`` is the person's output that year beyond
what the framework scores predict, ``e`` the quarter's noise; the three uncertainties live under
``[uncertainties.evaluation]``. Scores are rounded to 0.1 point, as a score sheet is.

**Annual rating.** Annual points = mean of the year's quarterly scores, rounded to 0.01 (the
project's reading: Decree 335 scores each month or quarter on 100 points; the annual figure as
their mean is an assumption). Bands are Decree 335's dated parameters (``ratings.rate``:
excellent ≥ 90, good 70–89, completed 50–69, not completed < 50); then the quota "excellent ≤
20% of good" is applied within each unit and group of similar duties (``ratings.cap_excellent``
on the groups of ``ratings.rating_groups``: key posts, other managers, specialists), lowering the
lowest-scoring excess "excellent" ratings to "good".

**Levelling detector** ("cào bằng"). For a unit *u* with *n* rated people, let *m* be the count in
its modal band and *p* the band distribution of every *other* unit of the same year (leave one
unit out). Statistic 1, concentration: the exact probability ``P(max_k N_k ≥ m)`` for
``N ~ Multinomial(n, p)`` — how often a unit of that size drawn from the rest of the province would
be at least this concentrated in one band (computed exactly, band by band, with binomial
conditionals; a discrete test, so conservative: its size is at most the level). Statistic 2,
spread (only when points are known): ``(n − 1) s² / σ²`` against the lower tail of χ²(n − 1),
where *s²* is the unit's variance of points and *σ²* the variance of the other units' points
(exact under normal points). The unit's p-value is statistic 1's, or ``min(1, 2 · min(p₁, p₂))``
with both (Bonferroni over the two statistics, so the unit's false-positive rate stays ≤ the
level). A unit is flagged when its p-value is ≤ ``levers.evaluation.levelling.alpha`` — after
Holm's step-down over the units of the year when ``correction = "holm"``. A flag says the ratings
are implausibly uniform *for this province*; it is a reason for the cross-checks §II.2 asks for
("thực hiện kiểm tra chéo"), not a verdict — a unit whose staff really are alike is flagged too.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from .. import ratings
from ..errors import DataValidationError, Problem
from ..io import Province
from ..keys import build, setting
from ..review.api import GROUPS, GroupWeights, ReviewSettings
from ..scenario import Scenario
from ..schema import isin
from . import events

QUARTERS = (1, 2, 3, 4)
SCORES_COLUMNS = {"staff_id": "string", "year": "int64", "quarter": "int64",
                  "score": "float64"}
RATED_COLUMNS = {"staff_id": "string", "year": "int64", "unit": "string",
                 "title_group": "string", "quarters": "int64", "points": "float64",
                 "band": "string", "rating": "string", "lowered_by_quota": "bool"}
LEVELLING_COLUMNS = {
    "year": "int64", "unit": "string", "n": "int64", "modal_band": "string",
    "modal_count": "int64", "modal_share": "float64", "expected_share": "float64",
    "p_concentration": "float64", "points_sd": "float64", "reference_sd": "float64",
    "p_spread": "float64", "p_value": "float64", "testable": "bool", "flagged": "bool",
    "reason": "string"}


@dataclass(frozen=True)
class LevellingSettings:
    """``[levers.evaluation.levelling]``."""

    alpha: float = setting("levers.evaluation.levelling.alpha")
    correction: str = setting("levers.evaluation.levelling.correction")


@dataclass(frozen=True)
class EvaluationSettings:
    """``[uncertainties.evaluation]`` and ``[levers.evaluation]`` (criteria by area class: the
    review's group weights)."""

    performance_offset: float = setting("uncertainties.evaluation.performance_offset")
    person_sd: float = setting("uncertainties.evaluation.person_sd")
    quarter_sd: float = setting("uncertainties.evaluation.quarter_sd")
    levelling: LevellingSettings = field(default_factory=LevellingSettings)
    criteria: GroupWeights = field(default_factory=GroupWeights)

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> EvaluationSettings:
        criteria = ReviewSettings.from_scenario(scenario).group_weights
        return build(cls, scenario, "evaluation", criteria=criteria)


# ------------------------------------------------------------------------- who is rated where

def rating_units(province: Province) -> pd.DataFrame:
    """Rating unit (commune), group of similar duties and area class of every person.

    A person without a post is rated in their home unit among its specialists
    (:func:`khcadre_sim.ratings.rating_groups`)."""
    staff = province.staff
    groups = ratings.rating_groups(staff, province.positions)
    area = province.territories.set_index("territory_id")["area_class"]
    return pd.DataFrame({
        "staff_id": staff["staff_id"].astype("string").to_numpy(),
        "unit": groups["unit"].astype("string").to_numpy(),
        "title_group": groups["title_group"].astype("string").to_numpy(),
        "area_class": groups["unit"].map(area).astype("string").to_numpy()})


def latent_performance(province: Province, settings: EvaluationSettings,
                       units: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each person's latent performance: the competency index with their unit's area-class
    weights (§II.7 criteria) plus ``performance_offset`` (``units``: :func:`rating_units` of
    the province, when already made)."""
    units = rating_units(province) if units is None else units
    scores = province.staff[[f"score_{g}" for g in GROUPS]].to_numpy(dtype=float)
    codes, classes = pd.factorize(units["area_class"].astype(object))
    table = np.array([settings.criteria[a] for a in classes] + [[np.nan] * len(GROUPS)],
                     dtype=float)  # the last row: no area class (code −1)
    weights = table[codes]
    index = (weights * scores).sum(axis=1)
    return units.assign(competency_index=index.round(1),
                        latent=index + settings.performance_offset)


# --------------------------------------------------------------------------- quarterly scores

def simulate_scores(latent: pd.DataFrame, year: int, settings: EvaluationSettings,
                    rng: np.random.Generator) -> pd.DataFrame:
    """Four quarterly scores per person of ``latent`` (columns staff_id, latent) for ``year``."""
    n = len(latent)
    person = rng.normal(0.0, settings.person_sd, n) if settings.person_sd > 0 else np.zeros(n)
    noise = (rng.normal(0.0, settings.quarter_sd, (n, len(QUARTERS)))
             if settings.quarter_sd > 0 else np.zeros((n, len(QUARTERS))))
    base = latent["latent"].to_numpy(dtype=float)
    score = np.clip(base[:, None] + person[:, None] + noise, 0.0, 100.0).round(1)
    out = pd.DataFrame({
        "staff_id": np.repeat(latent["staff_id"].astype(str).to_numpy(), len(QUARTERS)),
        "year": year, "quarter": np.tile(QUARTERS, n), "score": score.ravel()})
    return out.astype(SCORES_COLUMNS)


_QUARTER_TEXT = (re.compile(r"^\s*(\d{4})\s*[-/ ]?\s*[Qq]([1-4])\s*$"),
                 re.compile(r"^\s*[Qq]([1-4])\s*[-/ ]\s*(\d{4})\s*$"))


def _parse_quarter(value: Any) -> tuple[int, int] | None:
    """(year, quarter) from '2026Q1', '2026-Q1', 'Q1/2026', 'Q1 2026' or a pandas quarter."""
    if isinstance(value, pd.Period) and value.freqstr.startswith("Q"):
        return int(value.year), int(value.quarter)
    text = str(value)
    m = _QUARTER_TEXT[0].match(text)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = _QUARTER_TEXT[1].match(text)
    if m:
        return int(m.group(2)), int(m.group(1))
    return None


def normalise_scores(frame: pd.DataFrame, file: str = "scores") -> pd.DataFrame:
    """A real score table as (staff_id, year, quarter 1–4, score 0–100).

    Accepts columns ``staff_id, year, quarter, score`` (quarter 1–4) or ``staff_id, quarter,
    score`` with quarters written ``2026Q1``, ``2026-Q1``, ``Q1/2026`` or as pandas quarters.
    Every bad cell is a :class:`Problem` (rows numbered as a spreadsheet shows them)."""
    problems: list[Problem] = []
    missing = [c for c in ("staff_id", "quarter", "score") if c not in frame.columns]
    if missing:
        raise DataValidationError([Problem(file=file, column=c, message="column missing",
                                           fix="give staff_id, quarter (or year and quarter) "
                                               "and score") for c in missing])
    rows = np.arange(len(frame)) + 2
    year, quarter = _year_quarter(frame, file, problems)
    score = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype=float)
    for k in np.flatnonzero(~np.isfinite(score) | (score < 0) | (score > 100)):
        problems.append(Problem(file=file, row=int(rows[k]), column="score",
                                message=f"score {frame['score'].iloc[k]!r} is not a number "
                                        "from 0 to 100", fix="give points on the 100-point "
                                                             "scale of Decree 335/2025/NĐ-CP"))
    ids = frame["staff_id"].astype("string")
    for k in np.flatnonzero(ids.isna().to_numpy() | (ids.fillna("").str.strip() == "")
                            .to_numpy()):
        problems.append(Problem(file=file, row=int(rows[k]), column="staff_id",
                                message="blank staff_id", fix="give the person's ID"))
    if problems:
        raise DataValidationError(problems)
    out = pd.DataFrame({"staff_id": ids.str.strip().to_numpy(), "year": year,
                        "quarter": quarter, "score": score}).astype(SCORES_COLUMNS)
    dup = out.duplicated(["staff_id", "year", "quarter"], keep="first").to_numpy()
    if dup.any():
        raise DataValidationError([
            Problem(file=file, row=int(rows[k]), column="quarter",
                    message=f"a second score for {out['staff_id'].iloc[k]} in "
                            f"{out['year'].iloc[k]}Q{out['quarter'].iloc[k]}",
                    fix="keep one score per person and quarter") for k in np.flatnonzero(dup)])
    return out


def _year_quarter(frame: pd.DataFrame, file: str,
                  problems: list[Problem]) -> tuple[np.ndarray, np.ndarray]:
    """Year and quarter of every row (problems appended for the unreadable ones)."""
    year = np.zeros(len(frame), dtype=np.int64)
    quarter = np.zeros(len(frame), dtype=np.int64)
    has_year = "year" in frame.columns
    for k, (q, y) in enumerate(zip(frame["quarter"], frame["year"] if has_year
                                   else [None] * len(frame), strict=True)):
        if has_year:
            ok = _whole(y) and _whole(q) and 1 <= int(q) <= 4
            parsed = (int(y), int(q)) if ok else None
        else:
            parsed = _parse_quarter(q)
        if parsed is None:
            problems.append(Problem(file=file, row=k + 2, column="quarter",
                                    message=f"cannot read the quarter {q!r}"
                                    + (f" of year {y!r}" if has_year else ""),
                                    fix="write a year and a quarter 1–4, or 2026Q1"))
        else:
            year[k], quarter[k] = parsed
    return year, quarter


def _whole(v: Any) -> bool:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return False
    return bool(np.isfinite(f) and f == int(f))


# ----------------------------------------------------------------------------- annual rating

def annual_ratings(scores: pd.DataFrame, units: pd.DataFrame, cut: dict[str, float],
                   file: str = "scores") -> pd.DataFrame:
    """Annual points, band and rating (after the Decree 335 quota) per person and year.

    ``scores``: (staff_id, year, quarter, score) — simulated or :func:`normalise_scores`;
    ``units``: (staff_id, unit, title_group) — :func:`rating_units`; ``cut``:
    :func:`khcadre_sim.ratings.bands`. People scored but unknown to ``units`` are an error."""
    if scores.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in RATED_COLUMNS.items()})
    where = units.set_index(units["staff_id"].astype(str))
    ids = scores["staff_id"].astype(str).to_numpy(dtype=object)
    unknown = sorted(set(ids[~isin(ids, where.index)]))
    if unknown:
        raise DataValidationError(Problem(
            file=file, column="staff_id",
            message=f"{len(unknown)} people scored but not in the province (e.g. {unknown[0]})",
            fix="score only people of the staff table"))
    g = scores.groupby([scores["staff_id"].astype(str), "year"], sort=True)["score"]
    out = pd.DataFrame({"quarters": g.size(), "points": g.mean().round(2)}).reset_index()
    out["unit"] = out["staff_id"].map(where["unit"]).astype(str)
    out["title_group"] = out["staff_id"].map(where["title_group"]).astype(str)
    band = ratings.rate(out["points"].to_numpy(), cut)
    key = (out["year"].astype(str) + "|" + out["unit"] + "|" + out["title_group"]).to_numpy()
    rating = ratings.cap_excellent(band, out["points"].to_numpy(), key, cut["excellent_share"])
    out["band"] = band
    out["rating"] = rating
    out["lowered_by_quota"] = band != rating
    return out[list(RATED_COLUMNS)].astype(RATED_COLUMNS)


def quota_check(rated: pd.DataFrame, share: float) -> pd.DataFrame:
    """Per year, unit and group of similar duties: counts by rating, the allowance of
    "excellent" (⌊share × good⌋) and the excess (0 after :func:`annual_ratings`)."""
    keys = ["year", "unit", "title_group"]
    if rated.empty:
        cols = {**{k: RATED_COLUMNS[k] for k in keys},
                **{r: "int64" for r in (*ratings.RATINGS, "allowed_excellent",
                                        "excess_excellent")}}
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})
    counts = (pd.crosstab([rated[k] for k in keys], rated["rating"])
              .reindex(columns=list(ratings.RATINGS), fill_value=0))
    out = counts.reset_index()
    out.columns.name = None
    out["allowed_excellent"] = [ratings.allowed_excellent(int(n), share) for n in out["good"]]
    out["excess_excellent"] = (out["excellent"] - out["allowed_excellent"]).clip(lower=0)
    ints = {c: "int64" for c in (*ratings.RATINGS, "allowed_excellent", "excess_excellent")}
    return out.astype({**{k: RATED_COLUMNS[k] for k in keys}, **ints})


# ------------------------------------------------------------------------ levelling detector

def p_max_count_at_least(m: int, n: int, p: np.ndarray) -> float:
    """``P(max_k N_k ≥ m)`` for ``N ~ Multinomial(n, p)``, exactly.

    ``P(every N_k < m)`` is built band by band: given ``r`` people left for bands k…K, ``N_k ~
    Binomial(r, p_k / (p_k + … + p_K))``. Remembered for the last few thousand arguments: the
    projection tests the same units again when it recomputes its indicators from the log."""
    return _p_max_count_at_least(int(m), int(n), tuple(float(v) for v in np.ravel(p)))


@lru_cache(maxsize=8192)
def _p_max_count_at_least(m: int, n: int, p_in: tuple[float, ...]) -> float:
    p = np.asarray(p_in, dtype=float)
    p = p[p > 0] / p[p > 0].sum()
    if m <= 0:
        return 1.0
    if m > n:
        return 0.0
    r = np.arange(n + 1)
    below = (r < m).astype(float)  # last band: all r left fall in it
    tail = np.cumsum(p[::-1])[::-1]  # p_k + … + p_K
    c = np.arange(m)  # a band holds fewer than m
    left = r[:, None] - c[None, :]  # people left for the later bands
    ok = left >= 0
    kk, nn = np.broadcast_to(c[None, :], ok.shape)[ok], np.broadcast_to(r[:, None], ok.shape)[ok]
    pmf = np.zeros(ok.shape)
    for k in range(len(p) - 2, -1, -1):
        # stats.binom.pmf on its support (k ≤ n; 0 elsewhere), without its argument checks
        pmf[ok] = stats.binom._pmf(kk, nn, min(1.0, p[k] / tail[k]))
        below = (pmf * below[np.where(ok, left, 0)]).sum(axis=1)
    return float(min(1.0, max(0.0, 1.0 - below[n])))


def _holm(p: np.ndarray, alpha: float) -> np.ndarray:
    """Holm's step-down: which hypotheses are rejected at family-wise level ``alpha``."""
    order = np.argsort(p, kind="stable")
    reject = np.zeros(len(p), dtype=bool)
    for rank, i in enumerate(order):
        if p[i] <= alpha / (len(p) - rank):
            reject[i] = True
        else:
            break
    return reject


def levelling(rated: pd.DataFrame, settings: LevellingSettings) -> pd.DataFrame:
    """Flag units whose ratings are implausibly uniform (see the module docstring).

    ``rated``: one row per person with ``unit`` and ``rating`` (bands of
    :data:`khcadre_sim.ratings.RATINGS`), optionally ``year`` (units are compared within a year;
    without it the output's year is 0) and ``points`` (adds the spread test). Works on real
    rating tables, e.g. the staff table's ``last_rating`` with :func:`rating_units` (see
    :func:`levelling_of_last_rating`).

    Output, one row per unit: ``n``; ``modal_band``, ``modal_count``, ``modal_share``;
    ``expected_share`` (that band's share in the rest of the province); ``p_concentration``;
    ``points_sd``, ``reference_sd``, ``p_spread`` (NaN without points); ``p_value``;
    ``testable`` (a unit of this size with everyone in one band would have a p-value ≤ alpha —
    below that size only the spread test can flag); ``flagged`` and its ``reason``.

    The last few answers are remembered by the content of (year, unit, rating, points) and the
    settings: the projection tests each year's ratings in the loop and again when it recomputes
    its indicators from the event log."""
    frame = rated.copy()
    if "year" not in frame.columns:
        frame["year"] = 0
    key = _levelling_key(frame, settings)
    if key in _LEVELLING:
        return _LEVELLING[key].copy()
    out = _levelling(frame, settings)
    if len(_LEVELLING) >= 16:
        _LEVELLING.pop(next(iter(_LEVELLING)))
    _LEVELLING[key] = out
    return out.copy()


_LEVELLING: dict[bytes, pd.DataFrame] = {}


def _levelling_key(frame: pd.DataFrame, settings: LevellingSettings) -> bytes:
    # the storage of strings in effect too: the answer's tables are made in it
    h = hashlib.blake2b((repr(settings) + str(pd.get_option("mode.string_storage"))).encode(),
                        digest_size=20)
    h.update(frame["year"].to_numpy(dtype=np.int64).tobytes())
    for c in ("unit", "rating"):
        h.update("\x1f".join(frame[c].astype(str).to_list()).encode())
    if "points" in frame.columns:
        h.update(frame["points"].to_numpy(dtype=float).tobytes())
    return h.digest()


def _levelling(frame: pd.DataFrame, settings: LevellingSettings) -> pd.DataFrame:
    with_points = "points" in frame.columns and frame["points"].notna().all()
    rows: list[dict[str, Any]] = []
    for year, this in frame.groupby("year", sort=True):
        counts = (pd.crosstab(this["unit"].astype(str), this["rating"].astype(str))
                  .reindex(columns=list(ratings.RATINGS), fill_value=0))
        total = counts.sum(axis=0).to_numpy(dtype=float)
        unit_of = this["unit"].astype(str).to_numpy()
        all_points = this["points"].to_numpy(dtype=float) if with_points else None
        at = pd.Series(np.arange(len(unit_of))).groupby(unit_of, sort=False).indices
        spread = _others_variance(all_points, at) if with_points else {}
        block = [_test_unit(int(year), str(unit), c, total,
                            all_points[at[unit]] if with_points else None,
                            *spread.get(unit, (0, np.nan)), settings.alpha)
                 for unit, c in zip(counts.index, counts.to_numpy(), strict=True)]
        p = np.array([b["p_value"] for b in block], dtype=float)
        tested = np.isfinite(p)
        flags = np.zeros(len(block), dtype=bool)
        if settings.correction == "holm":
            flags[tested] = _holm(p[tested], settings.alpha)
        else:
            flags[tested] = p[tested] <= settings.alpha
        for b, f in zip(block, flags, strict=True):
            b["flagged"] = bool(f)
            b["reason"] = _reason(b) if f else ("" if np.isfinite(b["p_value"])
                                                else "no other unit to compare with")
        rows += block
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in LEVELLING_COLUMNS.items()})
    out = pd.DataFrame(rows, columns=list(LEVELLING_COLUMNS)).astype(LEVELLING_COLUMNS)
    return out.sort_values(["year", "p_value", "unit"], kind="stable").reset_index(drop=True)


def _others_variance(points: np.ndarray, at: dict[Any, np.ndarray]
                     ) -> dict[Any, tuple[int, float]]:
    """For each unit: how many points the rest of the province has and their sample variance,
    from sums of the points centred on the province's mean (no per-unit pass over everyone)."""
    x = points - points.mean() if len(points) else points
    n_all, s_all, q_all = len(x), float(x.sum()), float((x * x).sum())
    out = {}
    for unit, idx in at.items():
        n = n_all - len(idx)
        if n < 2:
            out[unit] = (n, np.nan)
            continue
        s = s_all - float(x[idx].sum())
        q = q_all - float((x[idx] * x[idx]).sum())
        var = (q - s * s / n) / (n - 1)
        # rounding noise of identical points is no spread
        out[unit] = (n, var if var > 1e-12 * (1.0 + q_all / n_all) else 0.0)
    return out


def _test_unit(year: int, unit: str, counts: np.ndarray, total: np.ndarray,
               points: np.ndarray | None, n_others: int, var_others: float,
               alpha: float) -> dict[str, Any]:
    n = int(counts.sum())
    modal = int(np.argmax(counts))
    rest = total - counts
    out: dict[str, Any] = {
        "year": year, "unit": unit, "n": n, "modal_band": ratings.RATINGS[modal],
        "modal_count": int(counts[modal]), "modal_share": counts[modal] / n if n else np.nan,
        "expected_share": np.nan, "p_concentration": np.nan, "points_sd": np.nan,
        "reference_sd": np.nan, "p_spread": np.nan, "p_value": np.nan, "testable": False}
    if n == 0 or rest.sum() == 0:
        return out
    p = rest / rest.sum()
    out["expected_share"] = float(p[modal])
    out["p_concentration"] = p_max_count_at_least(int(counts[modal]), n, p)
    # would a unit of this size with everyone in one band be flagged (before any correction)?
    # P(all n in one band) = Σ p_k^n
    out["testable"] = float(np.sum(p ** n)) <= alpha
    out["p_value"] = out["p_concentration"]
    if points is not None and n >= 2 and n_others >= 2 and var_others > 0:
        s2, sigma2 = float(np.var(points, ddof=1)), float(var_others)
        out["points_sd"], out["reference_sd"] = np.sqrt(s2), np.sqrt(sigma2)
        # the χ² CDF itself (what stats.chi2.cdf computes), without its per-call checks
        out["p_spread"] = float(special.chdtr(n - 1, (n - 1) * s2 / sigma2))
        out["p_value"] = min(1.0, 2.0 * min(out["p_concentration"], out["p_spread"]))
    return out


def _reason(b: dict[str, Any]) -> str:
    text = (f"{b['modal_count']} of {b['n']} rated '{b['modal_band']}' "
            f"({b['modal_share']:.0%}; the rest of the province {b['expected_share']:.0%}), "
            f"P(this concentrated) = {b['p_concentration']:.2g}")
    if np.isfinite(b["p_spread"]):
        text += (f"; points s.d. {b['points_sd']:.1f} against {b['reference_sd']:.1f}, "
                 f"P(this narrow) = {b['p_spread']:.2g}")
    return text


def levelling_of_last_rating(province: Province, settings: LevellingSettings) -> pd.DataFrame:
    """The levelling detector on the staff table's ``last_rating`` (bands only, no points)."""
    units = rating_units(province)
    return levelling(units.assign(rating=province.staff["last_rating"].astype(str).to_numpy()),
                     settings)


# -------------------------------------------------------------------------------- one year

@dataclass
class EvaluationResult:
    """One year of evaluation: quarterly scores, annual ratings, the quota check, the
    levelling detector and the event log."""

    year: int
    scores: pd.DataFrame
    ratings: pd.DataFrame
    quota: pd.DataFrame
    levelling: pd.DataFrame
    events: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"evaluation_scores": self.scores, "evaluation_ratings": self.ratings,
                "evaluation_quota": self.quota, "evaluation_levelling": self.levelling}

    def distribution(self) -> pd.Series:
        """Share of each rating (worst → best)."""
        return (self.ratings["rating"].value_counts(normalize=True)
                .reindex(list(ratings.RATINGS), fill_value=0.0))

    def headline(self, lang: str = "en") -> list[str]:
        d = self.distribution()
        flagged = int(self.levelling["flagged"].sum())
        lowered = int(self.ratings["lowered_by_quota"].sum())
        if lang == "vi":
            return [f"Năm {self.year}: {len(self.ratings):,} người được xếp loại — xuất sắc "
                    f"{d['excellent']:.1%}, tốt {d['good']:.1%}, hoàn thành {d['completed']:.1%},"
                    f" không hoàn thành {d['not_completed']:.1%}",
                    f"{lowered:,} người hạ từ xuất sắc xuống tốt theo tỷ lệ của Nghị định 335; "
                    f"{flagged} đơn vị có dấu hiệu đánh giá cào bằng"]
        return [f"{self.year}: {len(self.ratings):,} people rated — excellent "
                f"{d['excellent']:.1%}, good {d['good']:.1%}, completed {d['completed']:.1%}, "
                f"not completed {d['not_completed']:.1%}",
                f"{lowered:,} lowered from excellent to good by the Decree 335 quota; "
                f"{flagged} units flagged for levelling"]


def evaluate(province: Province, scenario: Scenario, year: int, rng: np.random.Generator,
             scores: pd.DataFrame | None = None, *,
             score_events: bool = True) -> EvaluationResult:
    """A year of output-based evaluation on ``province``: simulated quarterly scores (or the
    real ``scores`` given, any accepted layout), annual ratings with the quota, the levelling
    detector, and the events (``scored`` per quarter — unless ``score_events`` is False, as
    in the projection, which keeps the scores in :attr:`EvaluationResult.scores` only —,
    ``rated`` per year)."""
    settings = EvaluationSettings.from_scenario(scenario)
    units = rating_units(province)
    if scores is None:
        scores = simulate_scores(latent_performance(province, settings, units), year,
                                 settings, rng)
    else:
        scores = normalise_scores(scores)
        scores = scores[scores["year"] == year].reset_index(drop=True)
    cut = ratings.bands(scenario.params, events.month(year, 12))
    rated = annual_ratings(scores, units, cut)
    post = province.staff.set_index(province.staff["staff_id"].astype(str))["position_id"]
    unit_of = units.set_index(units["staff_id"].astype(str))["unit"]
    log = events.concat([_score_events(scores, unit_of, post) if score_events
                         else events.empty(), _rating_events(rated, post)])
    return EvaluationResult(year=year, scores=scores, ratings=rated,
                            quota=quota_check(rated, cut["excellent_share"]),
                            levelling=levelling(rated, settings.levelling), events=log)


def _score_events(scores: pd.DataFrame, unit_of: pd.Series, post: pd.Series) -> pd.DataFrame:
    if scores.empty:
        return events.empty()
    ids = scores["staff_id"].astype(str)
    return pd.DataFrame({
        "date": [events.month(int(y), 3 * int(q)) for y, q in
                 zip(scores["year"], scores["quarter"], strict=True)],
        "staff_id": ids.to_numpy(), "event": "scored",
        "territory_id": ids.map(unit_of).to_numpy(), "position_id": ids.map(post).to_numpy(),
        "detail": ("Q" + scores["quarter"].astype(str)).to_numpy(),
        "value": scores["score"].to_numpy(dtype=float)}).astype(events.COLUMNS)


def _rating_events(rated: pd.DataFrame, post: pd.Series) -> pd.DataFrame:
    if rated.empty:
        return events.empty()
    ids = rated["staff_id"].astype(str)
    return pd.DataFrame({
        "date": [events.month(int(y), 12) for y in rated["year"]],
        "staff_id": ids.to_numpy(), "event": "rated", "territory_id": rated["unit"].to_numpy(),
        "position_id": ids.map(post).to_numpy(), "detail": rated["rating"].to_numpy(),
        "value": rated["points"].to_numpy(dtype=float)}).astype(events.COLUMNS)

"""Output-based evaluation (§II.4): quarterly scores, Decree 335 bands and quota, levelling."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from khcadre_sim import examples, ratings
from khcadre_sim.errors import DataValidationError
from khcadre_sim.people import evaluation as ev
from khcadre_sim.review import api as review_api

CUT = {"excellent": 90.0, "good": 70.0, "completed": 50.0, "excellent_share": 0.2}
BANDS = np.array(ratings.RATINGS)
P_PROVINCE = np.array([0.02, 0.37, 0.57, 0.04])  # not completed, completed, good, excellent


def scores_of(people: dict[str, list[float]], year: int = 2026) -> pd.DataFrame:
    rows = [(s, year, q + 1, v) for s, vs in people.items() for q, v in enumerate(vs)]
    return pd.DataFrame(rows, columns=["staff_id", "year", "quarter", "score"])


def units_of(groups: dict[str, tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame([(s, u, g) for s, (u, g) in groups.items()],
                        columns=["staff_id", "unit", "title_group"])


# ------------------------------------------------------------------------------------ bands

@pytest.mark.parametrize(("quarters", "band"), [
    ([90, 90, 90, 90], "excellent"),
    ([89.9, 89.9, 89.9, 89.9], "good"),
    ([89.8, 90.2, 90.0, 90.0], "excellent"),  # mean exactly 90 (rounded to 0.01)
    ([70, 70, 70, 70], "good"),
    ([69.9, 69.9, 69.9, 69.9], "completed"),
    ([50, 50, 50, 50], "completed"),
    ([49.9, 49.9, 49.9, 49.9], "not_completed"),
])
def test_bands_at_the_boundaries(quarters, band):
    rated = ev.annual_ratings(scores_of({"A": quarters}), units_of({"A": ("U", "specialist")}),
                              CUT)
    assert rated["band"].iloc[0] == band
    assert rated["points"].iloc[0] == pytest.approx(np.mean(quarters))


def test_annual_points_are_the_mean_of_the_quarters_scored():
    rated = ev.annual_ratings(scores_of({"A": [60, 80, 70, 90], "B": [75, 85]}),
                              units_of({"A": ("U", "specialist"), "B": ("U", "specialist")}), CUT)
    assert rated.set_index("staff_id")["points"].to_dict() == {"A": 75.0, "B": 80.0}
    assert rated.set_index("staff_id")["quarters"].to_dict() == {"A": 4, "B": 2}


# ------------------------------------------------------------------------------------ quota

def _unit(n_good: int, n_excellent: int, group: str = "specialist"
          ) -> tuple[dict[str, list[float]], dict[str, tuple[str, str]]]:
    people = {f"G{k}": [80.0] * 4 for k in range(n_good)}
    people |= {f"E{k}": [91.0 + k] * 4 for k in range(n_excellent)}
    return people, {s: ("U", group) for s in people}


def test_ten_good_allow_two_excellent():
    people, groups = _unit(10, 2)
    rated = ev.annual_ratings(scores_of(people), units_of(groups), CUT)
    assert (rated["rating"] == "excellent").sum() == 2
    assert not rated["lowered_by_quota"].any()


def test_a_third_excellent_beside_ten_good_is_lowered_the_lowest_first():
    people, groups = _unit(10, 3)  # E0 scores 91, E1 92, E2 93
    rated = ev.annual_ratings(scores_of(people), units_of(groups), CUT).set_index("staff_id")
    assert rated.loc["E0", "rating"] == "good" and rated.loc["E0", "lowered_by_quota"]
    assert rated.loc["E0", "band"] == "excellent"
    assert list(rated.loc[["E1", "E2"], "rating"]) == ["excellent", "excellent"]
    quota = ev.quota_check(ev.annual_ratings(scores_of(people), units_of(groups), CUT), 0.2)
    assert quota[["good", "excellent", "allowed_excellent", "excess_excellent"]].iloc[0
                                                                                    ].tolist() \
        == [11, 2, 2, 0]


def test_the_quota_applies_within_each_group_of_similar_duties():
    people, groups = _unit(10, 0)  # ten good specialists …
    people |= {"K1": [95.0] * 4, "K2": [96.0] * 4}  # … and two excellent key posts
    groups |= {"K1": ("U", "key"), "K2": ("U", "key")}
    rated = ev.annual_ratings(scores_of(people), units_of(groups), CUT).set_index("staff_id")
    # the key posts' group has no "good" (after lowering K1: one good, 20% of 1 → 0 allowed)
    assert list(rated.loc[["K1", "K2"], "rating"]) == ["good", "good"]


def test_scores_for_people_outside_the_province_are_an_error():
    with pytest.raises(DataValidationError, match="not in the province"):
        ev.annual_ratings(scores_of({"X": [80] * 4}), units_of({"A": ("U", "key")}), CUT)


# ---------------------------------------------------------------------------- real scores

def test_real_score_tables_in_either_layout():
    a = pd.DataFrame({"staff_id": ["S1", "S1", "S2"], "quarter": ["2026Q1", "Q2/2026", "2026-Q3"],
                      "score": [80, 90, 70]})
    out = ev.normalise_scores(a)
    assert out[["year", "quarter"]].to_numpy().tolist() == [[2026, 1], [2026, 2], [2026, 3]]
    assert str(out["score"].dtype) == "float64" and str(out["quarter"].dtype) == "int64"
    b = pd.DataFrame({"staff_id": ["S1"], "year": [2027], "quarter": [4], "score": [55.5]})
    assert ev.normalise_scores(b).iloc[0].tolist() == ["S1", 2027, 4, 55.5]
    periods = pd.DataFrame({"staff_id": ["S1"], "quarter": [pd.Period("2026Q2", freq="Q")],
                            "score": [80]})
    assert ev.normalise_scores(periods)["quarter"].iloc[0] == 2


def test_bad_real_scores_name_row_and_column():
    bad = pd.DataFrame({"staff_id": ["S1", "S1", "", "S2", "S1"],
                        "quarter": ["2026Q5", "2026Q1", "2026Q1", "2026Q2", "2026Q1"],
                        "score": [80, 101, 70, "x", 60]})
    with pytest.raises(DataValidationError) as info:
        ev.normalise_scores(bad, file="ratings_history.csv")
    where = {(p.row, p.column) for p in info.value.problems}
    assert where == {(2, "quarter"), (3, "score"), (4, "staff_id"), (5, "score")}
    dup = pd.DataFrame({"staff_id": ["S1", "S1"], "quarter": ["2026Q1", "Q1/2026"],
                        "score": [80, 81]})
    with pytest.raises(DataValidationError) as info:
        ev.normalise_scores(dup)
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "quarter")]


def test_evaluate_uses_real_scores_when_given():
    province = examples.tiny_province()
    scenario = examples.scenario()
    real = scores_of({s: [91.0] * 4 for s in ("S1", "S2", "S3", "S4", "S5", "S6")})
    result = ev.evaluate(province, scenario, 2026, np.random.default_rng(0), scores=real)
    # every group has no "good": the quota lowers every 91 to "good"
    assert (result.ratings["band"] == "excellent").all()
    assert (result.ratings["rating"] == "good").all()
    assert (result.quota["excess_excellent"] == 0).all()


# --------------------------------------------------------------------------- simulated year

def test_latent_performance_is_the_reviews_competency_index_plus_the_offset():
    province = examples.small_province(6, seed=3)
    scenario = examples.scenario(overrides={"uncertainties.evaluation.performance_offset": 2.5})
    settings = ev.EvaluationSettings.from_scenario(scenario)
    latent = ev.latent_performance(province, settings).set_index("staff_id")
    review = review_api.run(province, scenario).people.set_index("staff_id")
    assert np.allclose(latent["competency_index"], review.loc[latent.index, "competency_index"])
    assert np.allclose(latent["latent"] - 2.5,
                       (latent["competency_index"]).to_numpy(), atol=0.051)


def test_a_simulated_year_is_seeded_complete_and_within_the_quota():
    province = examples.small_province(6, seed=3)
    scenario = examples.scenario()
    a = ev.evaluate(province, scenario, 2027, np.random.default_rng(11))
    b = ev.evaluate(province, scenario, 2027, np.random.default_rng(11))
    c = ev.evaluate(province, scenario, 2027, np.random.default_rng(12))
    pd.testing.assert_frame_equal(a.ratings, b.ratings)
    assert not a.scores.equals(c.scores)
    n = len(province.staff)
    assert len(a.scores) == 4 * n and len(a.ratings) == n
    assert a.scores["score"].between(0, 100).all()
    assert (a.quota["excess_excellent"] == 0).all()
    counts = a.events["event"].value_counts()
    assert counts["scored"] == 4 * n and counts["rated"] == n
    assert set(a.events.loc[a.events["event"] == "rated", "date"].astype(str)) == {"2027-12-01"}


def test_without_noise_the_score_is_the_latent_performance():
    province = examples.tiny_province()
    scenario = examples.scenario(overrides={"uncertainties.evaluation.person_sd": 0.0,
                                            "uncertainties.evaluation.quarter_sd": 0.0,
                                            "uncertainties.evaluation.performance_offset": 0.25})
    settings = ev.EvaluationSettings.from_scenario(scenario)
    latent = ev.latent_performance(province, settings)
    s = ev.simulate_scores(latent, 2026, settings, np.random.default_rng(0))
    # S1 in T1 (rural: 0.35, 0.35, 0.30) with scores 80, 75, 65: 73.75 + 0.25 = 74
    assert s.loc[s["staff_id"] == "S1", "score"].tolist() == [74.0] * 4


# -------------------------------------------------------------------------------- levelling

def _brute_p_max(m: int, n: int, p: np.ndarray) -> float:
    total = 0.0
    for c in itertools.product(range(n + 1), repeat=len(p)):
        if sum(c) == n and max(c) >= m:
            total += math.factorial(n) * math.prod(pk ** ck / math.factorial(ck)
                                                   for ck, pk in zip(c, p, strict=True))
    return total


@pytest.mark.parametrize("n", [1, 4, 7])
def test_concentration_probability_is_exact(n):
    for m in range(n + 2):
        assert ev.p_max_count_at_least(m, n, P_PROVINCE) == pytest.approx(
            _brute_p_max(m, n, P_PROVINCE), abs=1e-12)
    # ten people all "good" or all in another band: 0.57^10 + 0.37^10 + …
    assert ev.p_max_count_at_least(10, 10, P_PROVINCE) == pytest.approx(
        float((P_PROVINCE ** 10).sum()), rel=1e-9)


def _province_like(rng: np.random.Generator, units: int = 20, size: int = 30) -> pd.DataFrame:
    unit = np.repeat([f"U{k:02d}" for k in range(units)], size)
    return pd.DataFrame({"unit": unit, "rating": BANDS[rng.choice(4, len(unit), p=P_PROVINCE)],
                         "points": rng.normal(72.0, 10.0, len(unit)).round(2)})


@pytest.mark.parametrize("with_points", [True, False])
def test_a_perfectly_levelled_unit_is_flagged(with_points):
    rated = pd.concat([_province_like(np.random.default_rng(5)),
                       pd.DataFrame({"unit": "L", "rating": "good", "points": [80.0] * 30})],
                      ignore_index=True)
    if not with_points:
        rated = rated.drop(columns="points")
    out = ev.levelling(rated, ev.LevellingSettings(alpha=0.05, correction="holm"))
    row = out.set_index("unit").loc["L"]
    assert row["flagged"] and row["modal_band"] == "good" and row["modal_share"] == 1.0
    assert row["p_concentration"] < 1e-6
    assert "30 of 30 rated 'good'" in row["reason"]
    if with_points:
        assert row["p_spread"] == 0.0 and row["points_sd"] == 0.0
    assert out["flagged"].sum() == 1  # the realistic units are not


def test_realistic_units_are_flagged_at_about_the_level_and_never_more():
    alpha = 0.05
    flagged = {True: [], False: []}
    for seed in range(40):
        rated = _province_like(np.random.default_rng(seed), units=25)
        for with_points in (True, False):
            frame = rated if with_points else rated.drop(columns="points")
            out = ev.levelling(frame, ev.LevellingSettings(alpha=alpha, correction="none"))
            flagged[with_points] += out["flagged"].tolist()
    n = len(flagged[True])
    se = math.sqrt(alpha * (1 - alpha) / n)
    rate_points, rate_bands = np.mean(flagged[True]), np.mean(flagged[False])
    assert rate_points <= alpha + 3 * se and rate_points >= alpha - 3 * se
    # bands alone: a discrete test, so at most the level (about 0.03 for 30 people here)
    assert alpha / 3 <= rate_bands <= alpha + 3 * se


def test_the_exact_size_of_the_band_test_matches_simulation():
    """With the true province distribution, P(flag) is computable: the smallest m whose
    p-value is ≤ 5% is flagged, so the size is P(max ≥ m*)."""
    n, alpha = 30, 0.05
    p_of = [ev.p_max_count_at_least(m, n, P_PROVINCE) for m in range(n + 1)]
    m_star = min(m for m in range(n + 1) if p_of[m] <= alpha)
    size = p_of[m_star]
    assert m_star == 22 and size <= alpha
    rng = np.random.default_rng(0)
    counts = rng.multinomial(n, P_PROVINCE, size=20_000).max(axis=1)
    assert np.mean(counts >= m_star) == pytest.approx(size, abs=3 * math.sqrt(size / 20_000))


def test_holm_flags_fewer_than_no_correction():
    rated = _province_like(np.random.default_rng(1), units=30)
    rated.loc[rated["unit"] == "U00", "rating"] = "good"  # 30 of 30 good, points still spread
    plain = ev.levelling(rated, ev.LevellingSettings(0.05, "none"))
    holm = ev.levelling(rated, ev.LevellingSettings(0.05, "holm"))
    assert set(holm.loc[holm["flagged"], "unit"]) == {"U00"}
    assert set(holm.loc[holm["flagged"], "unit"]) <= set(plain.loc[plain["flagged"], "unit"])


def test_levelling_on_the_staff_tables_last_rating():
    province = examples.small_province(6, seed=3)
    out = ev.levelling_of_last_rating(province, ev.LevellingSettings(0.05, "holm"))
    assert set(out["unit"]) == set(ev.rating_units(province)["unit"])
    assert out["n"].sum() == len(province.staff)
    assert out["points_sd"].isna().all()
    assert list(out.columns) == list(ev.LEVELLING_COLUMNS)
    empty = ev.levelling(pd.DataFrame({"unit": [], "rating": []}),
                         ev.LevellingSettings(0.05, "none"))
    assert list(empty.dtypes.astype(str)) == list(ev.LEVELLING_COLUMNS.values())

"""Decree 335/2025/NĐ-CP: bands and the 'excellent ≤ 20% of good' quota within groups of
similar duties."""

import datetime as dt

import numpy as np
import pandas as pd

from khcadre_sim.params import load_parameters
from khcadre_sim.paths import POLICY_PARAMETERS
from khcadre_sim.ratings import allowed_excellent, bands, cap_excellent, quota_table, rate
from khcadre_sim.synth import generate_province

CUT = bands(load_parameters(POLICY_PARAMETERS), dt.date(2026, 1, 1))


def test_bands():
    assert list(rate([95, 90, 89.9, 70, 69, 50, 49.9, 0], CUT)) == [
        "excellent", "excellent", "good", "good", "completed", "completed", "not_completed",
        "not_completed"]


def test_ten_good_allow_two_excellent():
    assert allowed_excellent(10, CUT["excellent_share"]) == 2
    assert allowed_excellent(4, 0.2) == 0 and allowed_excellent(5, 0.2) == 1


def test_cap_lowers_the_weakest_excellent_within_each_group():
    rating = np.array(["excellent"] * 4 + ["good"] * 10 + ["excellent"] * 2 + ["good"] * 5,
                      dtype=object)
    points = np.array([91, 95, 92, 99] + [80] * 10 + [93, 90] + [75] * 5, dtype=float)
    group = np.array(["a"] * 14 + ["b"] * 7)
    out = cap_excellent(rating, points, group, 0.2)
    # group a: 4 excellent, 10 good → lowering 91 and 92 leaves 2 excellent vs 12 good (≤ 2.4)
    assert list(out[:4]) == ["good", "excellent", "good", "excellent"]
    # group b: 2 excellent, 5 good → the 90 is lowered (1 ≤ 0.2 × 6 = 1.2)
    assert list(out[14:16]) == ["excellent", "good"]


def test_quota_table_groups_by_unit_and_duties():
    positions = pd.DataFrame({"position_id": ["k", "m", "s1", "s2"], "territory_id": "T",
                              "is_key_post": [True, False, False, False],
                              "is_manager": [True, True, False, False]})
    staff = pd.DataFrame({"staff_id": list("ABCDE"), "position_id": ["k", "m", "s1", "s2", None],
                          "home_territory_id": "T",
                          "last_rating": ["excellent", "good", "excellent", "good", "good"]})
    q = quota_table(staff, positions, 0.2).set_index("title_group")
    assert q.loc["key", "excess_excellent"] == 1  # 1 excellent, 0 good
    assert q.loc["specialist", ["excellent", "good", "allowed_excellent"]].tolist() == [1, 2, 0]
    assert q["excess_excellent"].sum() == 2


def test_synthetic_ratings_respect_the_quota_in_every_group():
    p = generate_province(seed=5)
    assert quota_table(p.staff, p.positions, CUT["excellent_share"])[
        "excess_excellent"].sum() == 0

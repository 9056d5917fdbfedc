"""Competency review: a hand-worked case and the 100%-reviewed guarantee."""

import pandas as pd
import pytest

from khcadre_sim.io import Province, load_area_class_priorities
from khcadre_sim.review import ReviewSettings, review
from khcadre_sim.synth import generate_province

SETTINGS = ReviewSettings(priority_uplift_development=5.0, major_gap_points=10.0,
                          unplaced_requirement=(60.0, 55.0, 50.0),
                          group_weights={"urban": (0.3, 0.3, 0.4), "rural": (0.35, 0.35, 0.3),
                                         "mountain": (0.4, 0.35, 0.25),
                                         "island": (0.4, 0.35, 0.25)})


def tiny_province() -> Province:
    territories = pd.DataFrame({
        "territory_id": ["U", "M"], "name": ["Phường A", "Xã B"], "unit_type": ["phuong", "xa"],
        "area_class": ["urban", "mountain"], "area_km2": [10.0, 300.0],
        "population": [50000, 8000], "lat": [12.2, 12.3], "lon": [109.1, 108.8],
        "hard_area": [False, True]})
    positions = pd.DataFrame({
        "position_id": ["U-IT", "M-AG"], "territory_id": ["U", "M"],
        "office": ["office_hdnd_ubnd", "economy"], "title": ["Chuyên viên", "Chuyên viên"],
        "field": ["it_digital", "finance"], "is_manager": [False, False],
        "is_key_post": [False, False], "req_political": [60.0, 60.0],
        "req_execution": [55.0, 55.0], "req_development": [55.0, 50.0]})
    staff = pd.DataFrame({
        "staff_id": ["p1", "p2", "p3"], "position_id": ["U-IT", "M-AG", None],
        "home_territory_id": ["U", "M", "M"], "birth_year": [1990, 1980, 1975],
        "gender": ["F", "M", "M"], "ethnic_minority": [False, True, True],
        "fields": ["it_digital", "finance", "culture"], "education": ["bachelor"] * 3,
        "score_political": [70.0, 58.0, 61.0], "score_execution": [60.0, 70.0, 40.0],
        "score_development": [57.0, 50.0, 50.0], "planning_pool": [False] * 3,
        "years_in_post": [1.0, 2.0, 0.0], "last_rating": ["good"] * 3})
    return Province(territories, positions, staff, pd.DataFrame(
        {"territory_id": ["U"], "field": ["it_digital"], "annual_cases": [100.0]}))


def test_hand_worked_case():
    result = review(tiny_province(), SETTINGS, load_area_class_priorities())
    p = result.people.set_index("staff_id")
    # p1: urban IT post, IT is an urban priority → development requirement 55 + 5 = 60
    assert p.loc["p1", "required_development"] == 60
    assert p.loc["p1", "gap_development"] == 3.0
    assert p.loc["p1", "weighted_gap"] == pytest.approx(0.4 * 3.0)
    assert p.loc["p1", "severity"] == "minor"
    # p2: mountain finance post (not a mountain priority): political gap 2 only
    assert p.loc["p2", "required_development"] == 50
    assert (p.loc["p2", ["gap_political", "gap_execution", "gap_development"]].tolist()
            == [2.0, 0.0, 0.0])
    assert p.loc["p2", "weighted_gap"] == pytest.approx(0.4 * 2.0)
    # p3: unplaced, reviewed against (60, 55, 50) in their home's class: execution gap 15
    assert p.loc["p3", "gap_execution"] == 15.0 and p.loc["p3", "severity"] == "major"
    assert p.loc["p3", "office"] == "unplaced"
    assert list(result.warnings["staff_id"]) == ["p3", "p1", "p2"]
    assert result.reviewed_share == 1.0 and result.meeting_share == 0.0


def test_meeting_standard_exactly_at_minimum():
    province = tiny_province()
    province.staff.loc[1, "score_political"] = 60.0
    result = review(province, SETTINGS, load_area_class_priorities())
    assert bool(result.people.set_index("staff_id").loc["p2", "meets_standard"])


def test_every_staff_member_reviewed_on_the_bundled_scale():
    province = generate_province(seed=11)
    result = review(province, SETTINGS, load_area_class_priorities())
    assert result.reviewed_share == 1.0
    assert len(result.people) == len(province.staff)
    assert result.by_commune["staff"].sum() == len(province.staff)
    assert 0.4 < result.meeting_share < 0.9

"""Recruitment driven by need (khcadre_sim.people.recruitment): vacancies and the workload's
residual shortage become posts to fill, surplus qualified staff first, then recruits by channel
with offers from acceptance — hand-checkable on the tiny province.

Tiny province: T1 (rural) has a vacant IT post T1-IT and S6 (unplaced, home T1, qualified in
it_digital and administration); T2 (mountain) has a vacant land post T2-DD and S5 (unplaced,
home T2, qualified in administration and land)."""

import re

import numpy as np
import pandas as pd
import pytest

from khcadre_sim.errors import ScenarioError
from khcadre_sim.examples import scenario, small_province, tiny_province
from khcadre_sim.incentives.spec import design_from_scenario
from khcadre_sim.people.recruitment import (
    NEEDS,
    OFFERS,
    RecruitmentSettings,
    offers_needed,
    programme_overrides,
    recruitment,
    shortage_people,
    with_recruits,
)

REGULAR_SURE = {"levers.people.recruitment.programme_share": 0.0,
                "uncertainties.people.recruitment.acceptance_regular": 1.0}
NO_VACANCY = pd.DataFrame({"position_id": pd.Series(dtype=str)})
NO_SURPLUS = pd.DataFrame({"staff_id": pd.Series(dtype=str),
                           "home_territory_id": pd.Series(dtype=str),
                           "fields": pd.Series(dtype=str)})


def short(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["territory_id", "field", "shortage_fte"]).assign(
        reason="overload_after_rebalance")


def run(shortage=None, overrides=None, seed=1, **kw):
    s = scenario("base", {**REGULAR_SURE, **(overrides or {})})
    return recruitment(tiny_province(), shortage, s, 2027, np.random.default_rng(seed), **kw)


def need(result, territory, field) -> dict:
    row = result.needs[(result.needs["territory_id"] == territory)
                       & (result.needs["field"] == field)]
    return row.iloc[0].to_dict()


# ---------------------------------------------------------------------------- the FTE rule

@pytest.mark.parametrize(("fte", "threshold", "people"), [
    (2.4, 0.5, 2), (2.6, 0.5, 3), (2.5, 0.5, 2), (0.4, 0.5, 0), (0.51, 0.5, 1),
    (2.4, 0.0, 3), (2.0, 0.0, 2), (1.25, 0.25, 1), (0.0, 0.0, 0),
])
def test_shortage_to_people_is_ceil_of_shortage_minus_threshold(fte, threshold, people):
    assert shortage_people(fte, threshold) == people


def test_residual_shortage_of_2_4_fte_with_no_surplus_is_2_recruits_by_default():
    """Default threshold 0.5: ⌈2.4 − 0.5⌉ = 2 people; S6 in T1 is not qualified in land."""
    r = run(short(("T1", "land", 2.4)), vacancies=NO_VACANCY)
    row = need(r, "T1", "land")
    assert (row["shortage_people"], row["posts_to_fill"], row["new_posts"], row["from_surplus"],
            row["to_recruit"]) == (2, 2, 2, 0, 2)
    assert r.new_posts["position_id"].tolist() == ["T1-NEW-2027-land-01", "T1-NEW-2027-land-02"]
    # shaped like T1's land specialist post T1-DD
    assert r.new_posts[["office", "title", "req_development"]].drop_duplicates().values.tolist() \
        == [["economy", "Chuyên viên", 55.0]]
    assert sorted(r.recruits["position_id"]) == r.new_posts["position_id"].tolist()
    always_up = run(short(("T1", "land", 2.4)),
                    {"levers.people.recruitment.shortage_threshold_fte": 0.0},
                    vacancies=NO_VACANCY)
    assert need(always_up, "T1", "land")["to_recruit"] == 3 and len(always_up.recruits) == 3


def test_surplus_qualified_in_the_field_reduces_the_need():
    r = run(short(("T1", "it_digital", 2.4), ("T1", "land", 2.4)), vacancies=NO_VACANCY)
    it, land = need(r, "T1", "it_digital"), need(r, "T1", "land")
    assert (it["posts_to_fill"], it["from_surplus"], it["to_recruit"]) == (2, 1, 1)
    assert (land["posts_to_fill"], land["from_surplus"], land["to_recruit"]) == (2, 0, 2)
    assert r.redeployed[["staff_id", "field", "new_post"]].values.tolist() == [
        ["S6", "it_digital", True]]
    # S5 is qualified in land but lives in T2: old work elsewhere does not fill T1's need
    assert "S5" not in set(r.redeployed["staff_id"])


def test_a_vacancy_is_one_recruit_unless_filled():
    filled = run()  # the two vacancies, each taken by the qualified unplaced person of the commune
    assert filled.redeployed[["staff_id", "position_id"]].values.tolist() == [
        ["S5", "T2-DD"], ["S6", "T1-IT"]]
    assert filled.needs["to_recruit"].sum() == 0 and len(filled.recruits) == 0
    nobody = run(surplus=NO_SURPLUS)
    assert nobody.needs[["territory_id", "field", "vacancies", "to_recruit"]].values.tolist() == [
        ["T1", "it_digital", 1, 1], ["T2", "land", 1, 1]]
    assert sorted(nobody.recruits["position_id"]) == ["T1-IT", "T2-DD"]
    assert len(nobody.new_posts) == 0


def test_vacancy_and_shortage_count_once_and_surplus_takes_the_vacant_post_first():
    """T2 land: vacancy T2-DD and 2.4 FTE short → max(1, 2) = 2 posts: T2-DD and one new post;
    S5 (T2, land) takes T2-DD, one recruit takes the new post."""
    r = run(short(("T2", "land", 2.4)))
    row = need(r, "T2", "land")
    assert (row["vacancies"], row["shortage_people"], row["posts_to_fill"], row["new_posts"],
            row["from_surplus"], row["to_recruit"]) == (1, 2, 2, 1, 1, 1)
    assert r.redeployed[["staff_id", "position_id"]].values.tolist()[0] == ["S5", "T2-DD"]
    assert r.recruits["position_id"].tolist() == ["T2-NEW-2027-land-01"]


def test_manager_and_key_posts_are_appointments_and_management_shortage_too():
    vac = pd.DataFrame({"position_id": ["T1-CT", "T2-DD"]})
    r = run(short(("T1", "management", 1.4)), vacancies=vac, surplus=NO_SURPLUS)
    mgmt = need(r, "T1", "management")
    assert (mgmt["appointment_vacancies"], mgmt["appointment_people"], mgmt["posts_to_fill"]) \
        == (1, 1, 0)
    r2 = run(vacancies=vac, surplus=NO_SURPLUS,
             overrides={"levers.people.recruitment.recruit_for_manager_posts": True})
    assert r2.recruits["position_id"].tolist() == ["T2-DD"]  # a key post is never recruited


# ---------------------------------------------------------------------------- offers, channels

@pytest.mark.parametrize(("needed", "acceptance", "offers"), [
    (3, 0.7, 5), (7, 0.7, 10), (3, 1.0, 3), (1, 0.9, 2), (10, 0.9, 12), (0, 0.5, 0)])
def test_offers_are_the_fewest_whose_expected_acceptances_cover_the_need(needed, acceptance,
                                                                         offers):
    assert offers_needed(needed, acceptance) == offers
    assert offers * acceptance >= needed - 1e-9 and (offers - 1) * acceptance < needed


def test_acceptance_below_one_makes_more_offers_than_recruits_needed():
    overrides = {"uncertainties.people.recruitment.acceptance_regular": 0.7,
                 "levers.people.recruitment.shortage_threshold_fte": 0.0}
    got = []
    for seed in range(30):
        r = run(short(("T1", "land", 2.4)), overrides, seed=seed, vacancies=NO_VACANCY)
        (row,) = r.offers.to_dict("records")
        assert (row["needed"], row["offers"], row["acceptance"]) == (3, 5, 0.7)
        assert row["accepted"] + row["unfilled"] == 3 and len(r.recruits) == row["accepted"]
        got.append(row["accepted"])
    assert min(got) < 3 == max(got)  # sometimes too few accept; never more than needed


def test_programme_offers_for_the_incentive_model_are_counted_over_the_province():
    """One IT recruit in T1 and one land recruit in T2, acceptance 0.7: each commune offers
    ⌈1 ÷ 0.7⌉ = 2 (4 in all), the incentive model gets ⌈2 ÷ 0.7⌉ = 3 offers (2.1 expected
    acceptances cover the 2 needed)."""
    s = scenario("base")
    r = recruitment(tiny_province(), None, s, 2027, np.random.default_rng(0), surplus=NO_SURPLUS)
    assert r.offers[["territory_id", "channel", "needed", "offers"]].values.tolist() == [
        ["T1", "recruit_new_work", 1, 2], ["T2", "recruit_new_work", 1, 2]]
    assert r.programme_offers.values.tolist() == [["recruit_new_work", 2027, 2, 3, 4]]
    overrides = programme_overrides(s, r.programme_offers)
    progs = overrides["levers.incentives.programmes"]
    assert [p.get("recruits_per_year") for p in progs] == [{"2027": 3}, None]  # existing: as is


def test_talent_programme_takes_its_fields_and_offers_follow_need():
    """Base scenario: recruit_new_work covers land, IT, construction and finance specialists in
    every area class; acceptance 0.7 (uncertainties.incentives.acceptance_recruit)."""
    s = scenario("base", {"uncertainties.people.recruitment.acceptance_regular": 1.0})
    r = recruitment(tiny_province(), short(("T1", "land", 3.4), ("T1", "administration", 1.6)),
                    s, 2027, np.random.default_rng(5), vacancies=NO_VACANCY, surplus=NO_SURPLUS)
    chan = r.offers.set_index("field")[["channel", "needed", "offers", "start_month"]]
    assert chan.loc["land"].tolist() == ["recruit_new_work", 3, 5, 10]  # ⌈3 ÷ 0.7⌉, October
    assert chan.loc["administration"].tolist() == ["regular", 2, 2, 7]  # January + 6 months
    assert r.programme_offers.values.tolist() == [["recruit_new_work", 2027, 3, 5, 5]]
    s2 = s.with_overrides(programme_overrides(s, r.programme_offers))
    design = design_from_scenario(s2)
    prog = next(p for p in design.programmes if p.id == "recruit_new_work")
    assert prog.recruits_per_year == {2027: 5}
    half = recruitment(tiny_province(), short(("T1", "land", 3.4)),
                       s.with_overrides({"levers.people.recruitment.programme_share": 0.5}),
                       2027, np.random.default_rng(5), vacancies=NO_VACANCY, surplus=NO_SURPLUS)
    assert half.offers.set_index("channel")["needed"].to_dict() == {"recruit_new_work": 2,
                                                                    "regular": 1}


# ---------------------------------------------------------------------------- recruits

def test_recruits_are_valid_synthetic_staff_with_pseudonymous_ids():
    r = run(short(("T1", "land", 3.4), ("T2", "administration", 2.6)), surplus=NO_SURPLUS,
            vacancies=NO_VACANCY)
    assert len(r.recruits) == r.needs["to_recruit"].sum() == 6
    assert all(re.fullmatch(r"REC-2027-\d{6}", i) for i in r.recruits["staff_id"])
    assert r.recruits["staff_id"].is_unique
    assert (r.recruits["birth_year"].between(2027 - 35, 2027 - 22)).all()
    assert all(f.split(";")[0] == field for f, field in zip(
        r.recruits["fields"], r.recruits["position_id"].map(
            pd.concat([tiny_province().positions, r.new_posts]).set_index("position_id")[
                "field"]), strict=True))
    after = with_recruits(tiny_province(), r)  # validated like a file
    assert len(after.staff) == 6 + 6 and len(after.positions) == 6 + len(r.new_posts)
    assert set(r.events["event"]) == {"recruited"}
    assert len(r.events) == 6


def test_same_seed_same_recruits():
    a = run(short(("T1", "land", 3.4)), surplus=NO_SURPLUS, seed=11)
    b = run(short(("T1", "land", 3.4)), surplus=NO_SURPLUS, seed=11)
    pd.testing.assert_frame_equal(a.recruits, b.recruits)
    c = run(short(("T1", "land", 3.4)), surplus=NO_SURPLUS, seed=12)
    assert not a.recruits["score_political"].equals(c.recruits["score_political"])


def test_nothing_needed_gives_empty_typed_tables():
    r = run(vacancies=NO_VACANCY)
    assert len(r.needs) == len(r.offers) == len(r.recruits) == len(r.new_posts) == 0
    assert dict(r.needs.dtypes.astype(str)) == {c: str(pd.Series(dtype=t).dtype)
                                                for c, t in NEEDS.items()}
    assert list(r.offers.columns) == list(OFFERS)
    assert r.programme_offers["offers"].tolist() == [0]
    assert list(r.events.columns)[:3] == ["date", "staff_id", "event"]
    assert len(r.by_field()) == 0


def test_no_acceptance_in_a_needed_programme_is_a_scenario_error():
    s = scenario("base", {"uncertainties.incentives.acceptance_recruit": 0.0})
    with pytest.raises(ScenarioError) as info:
        recruitment(tiny_province(), short(("T1", "land", 2.4)), s, 2027,
                    np.random.default_rng(0), vacancies=NO_VACANCY)
    (problem,) = info.value.problems
    assert problem.column == "uncertainties.incentives.acceptance_recruit"
    assert problem.message == ("2 recruits are needed through talent programmes but no offer "
                               "is ever accepted (acceptance 0)")
    assert problem.file == "base overrides"


def test_settings_read_the_programmes_and_their_acceptance():
    s = RecruitmentSettings.from_scenario(scenario())
    assert [p.id for p in s.programmes] == ["recruit_new_work"]
    assert s.acceptance_programme == 0.7 and s.acceptance_regular == 0.9
    assert s.shortage_threshold_fte == 0.5 and s.time_to_fill_months == 6


def test_a_small_province_with_its_workload_shortage():
    from khcadre_sim import workload

    p = small_province(n=4, seed=3, scale=0.5)
    s = scenario()
    shortage = workload.run(p, s).rebalanced.shortage
    r = recruitment(p, shortage, s, 2027, np.random.default_rng(s.seed))
    n = r.needs
    assert (n["posts_to_fill"] == np.maximum(n["vacancies"], n["shortage_people"]
                                             - n["appointment_people"])).all()
    assert (n["to_recruit"] == n["posts_to_fill"] - n["from_surplus"]).all()
    assert r.offers["needed"].sum() == n["to_recruit"].sum()
    assert (r.offers["accepted"] + r.offers["unfilled"] == r.offers["needed"]).all()
    assert len(r.recruits) == r.offers["accepted"].sum()
    assert not set(r.new_posts["position_id"]) & set(p.positions["position_id"])
    with_recruits(p, r)

"""The synthetic province: reproducible byte for byte and calibrated to the public facts."""

import filecmp
from pathlib import Path

import numpy as np

from khcadre_sim.cli import main
from khcadre_sim.paths import BUNDLED_PROVINCE
from khcadre_sim.synth import generate_province

TABLE_FILES = ["territories.csv", "positions.csv", "staff.csv", "workload.csv", "dataset.json"]


def test_same_seed_identical_bytes_and_bundled_data_is_reproducible(tmp_path: Path):
    for name in ("a", "b"):
        assert main(["synth", "--out", str(tmp_path / name), "--seed", "2026"]) == 0
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", TABLE_FILES,
                                               shallow=False)
    assert mismatch == [] and errors == []
    # the bundled province is exactly what `khcadre synth --seed 2026` writes
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", BUNDLED_PROVINCE, TABLE_FILES,
                                               shallow=False)
    assert mismatch == [] and errors == []


def test_other_seed_differs():
    a, b = generate_province(seed=1), generate_province(seed=2)
    assert not a.staff.equals(b.staff)


def test_labelled_synthetic():
    p = generate_province(seed=3)
    assert p.synthetic and p.metadata["seed"] == 3
    assert p.staff["staff_id"].str.startswith("SYN-").all()


def test_real_territories():
    t = generate_province(seed=1).territories
    assert len(t) == 65
    assert t["unit_type"].value_counts().to_dict() == {"xa": 48, "phuong": 16, "dac_khu": 1}
    assert abs(t["area_km2"].sum() - 8555.86) < 1.0  # official area, GIS sum within 1 km²
    assert t["name"].str.contains("Trường Sa").any()


def test_calibrated_to_staffing_norms():
    p = generate_province(seed=2026)
    gov = p.positions[p.positions["office"] != "party_mass"]
    per_commune = gov.groupby("territory_id").size()
    mainland = per_commune.drop("22736")  # Trường Sa has a reduced frame
    assert 31 <= mainland.median() <= 34  # ≈32 posts (Official Dispatch 09/CV-BCĐ)
    deputies = p.positions[(p.positions["title"].str.startswith("Phó"))
                           & (p.positions["office"].isin(["office_hdnd_ubnd", "economy",
                                                          "economy_infrastructure_urban",
                                                          "culture_social",
                                                          "public_service_center"]))]
    per_office = deputies.groupby(["territory_id", "office"]).size()
    assert per_office.median() == 2  # two deputies per office (Resolution 332/NQ-CP)


def test_diagnosis_surplus_old_work_shortage_new_work():
    p = generate_province(seed=2026)
    staff = p.staff_posts()
    held = set(p.staff["position_id"].dropna())
    vacancy = p.positions.assign(v=~p.positions["position_id"].isin(held)).groupby("field")["v"]
    rate = vacancy.mean()
    assert rate["it_digital"] > 2 * rate.drop(["it_digital", "land"]).max()
    assert rate["land"] > rate.drop(["it_digital", "land", "construction"]).max()
    unplaced = staff[staff["position_id"].isna()]
    assert len(unplaced) > 0.05 * len(p.positions)
    main_field = unplaced["fields"].str.split(";").str[0]
    assert main_field.isin(["administration", "culture", "agriculture", "party_affairs",
                            "mass_mobilisation", "hr"]).all()
    em = staff.groupby(staff["home_territory_id"].map(
        p.territories.set_index("territory_id")["area_class"]))["ethnic_minority"].mean()
    assert em["mountain"] > 3 * em["rural"]


def test_frame_of_a_tiny_unit_and_the_centre_director():
    p = generate_province(seed=2026)
    truong_sa = p.positions[p.positions["territory_id"] == "22736"]
    assert len(truong_sa) <= 10  # 153 residents: leadership, one office, the Party secretary
    centre = p.positions[p.positions["office"] == "public_service_center"]
    directors = centre[centre["title"].str.startswith("Giám đốc")]
    assert directors["territory_id"].nunique() == 64  # every unit with a centre has a director
    assert directors["is_key_post"].all() and directors["is_manager"].all()


def test_scale_grows_posts_and_staff():
    small, big = generate_province(seed=4), generate_province(seed=4, scale=2.3)
    assert len(big.staff) >= 5000
    assert 1.8 < len(big.positions) / len(small.positions) < 2.6
    assert np.array_equal(np.sort(big.territories["territory_id"]),
                          np.sort(small.territories["territory_id"]))

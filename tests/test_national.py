"""The national synthetic instance: 34 provinces with their sourced number of units."""

from __future__ import annotations

import pandas as pd

from khcadre_sim.io import load_province, write_province
from khcadre_sim.national import (
    EXPECTED_PROVINCES,
    generate_national,
    load_units,
    missing_provinces,
    national_table,
)


def test_counts_sum_to_the_documented_total():
    table = load_units()
    assert missing_provinces(table) == 0 and len(table) == EXPECTED_PROVINCES
    assert table["province_code"].is_unique
    # POLICY_FACTS: 3,321 units, 13 đặc khu; HCMC 168, Lai Châu 38, Hà Nội 126; Khánh Hòa 65
    assert int(table["units"].sum()) == 3321 and int(table["dac_khu"].sum()) == 13
    by_name = table.set_index("province")["units"]
    assert by_name["Thành phố Hồ Chí Minh"] == 168 and by_name["Tỉnh Lai Châu"] == 38
    assert by_name["Thành phố Hà Nội"] == 126 and by_name["Tỉnh Khánh Hòa"] == 65
    assert by_name.idxmax() == "Thành phố Hồ Chí Minh" and by_name.idxmin() == "Tỉnh Lai Châu"
    for row in table.itertuples():  # every row cites its own resolution
        assert row.resolution in row.source and row.resolution.endswith("/NQ-UBTVQH15")
    assert table["resolution"].is_unique


def test_a_province_is_deterministic_valid_and_has_its_real_count(tmp_path):
    a = generate_national(seed=7, codes=["12"])[0].province
    b = generate_national(seed=7, codes=["12"])[0].province
    c = generate_national(seed=8, codes=["12"])[0].province
    pd.testing.assert_frame_equal(a.staff, b.staff)
    assert not a.staff["birth_year"].equals(c.staff["birth_year"])
    assert len(a.territories) == 38 and a.synthetic
    assert (a.territories["unit_type"] == "phuong").sum() == 2
    write_province(a, tmp_path / "lai_chau")
    again = load_province(tmp_path / "lai_chau")  # passes the data contract
    assert len(again.positions) == len(a.positions)


def test_khanh_hoa_keeps_its_real_units():
    kh = generate_national(seed=1, codes=["56"])
    table = national_table(kh)
    assert table["units"].tolist() == [65]
    assert "Phường Nha Trang" in set(kh[0].province.territories["name"])
    assert table["government_posts"].iloc[0] < table["posts"].iloc[0]

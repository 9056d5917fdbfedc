"""The national synthetic instance: 34 provinces with their sourced number of units."""

from __future__ import annotations

import pandas as pd
import pytest

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


def test_national_projection_adds_up_the_provinces(tmp_path, capsys):
    """``khcadre project --national`` on two provinces (Lai Châu, Huế), each a Dask task: the
    nation's counts are the sums of the provinces' own (staff, vacancies, recruits, retirements,
    total cost, every year), its shares lie between the provinces', and the targets are
    assessed on the nation. Ids are prefixed by the province code, so synthetic ids that repeat
    across provinces are not merged."""
    from khcadre_sim.cli import main

    out = tmp_path / "nat"
    code = main(["project", "--national", "--province", "12", "--province", "46",
                 "--out", str(out), "--lang", "en"])
    assert code == 0, capsys.readouterr().err
    assert "SYNTHETIC" in capsys.readouterr().out
    ind = pd.read_parquet(out / "national_indicators.parquet")
    prov = pd.read_csv(out / "national_provinces.csv", dtype={"province_code": str})
    assert sorted(prov["province_code"]) == ["12", "46"]
    nation = ind[ind["level"] == "nation"].set_index(["year", "indicator"])["value"]
    each = ind[ind["level"] == "province"].pivot_table(index=["year", "indicator"],
                                                       columns="province_code", values="value")
    for name in ("staff", "vacancies", "recruits", "retirements", "total_cost_vnd"):
        for year in range(2026, 2031):
            assert nation[(year, name)] == pytest.approx(each.loc[(year, name)].sum(),
                                                         rel=1e-12), (name, year)
    assert (prov["staff"] > 0).all() and nation[(2026, "staff")] > prov["staff"].max()
    for year in range(2026, 2031):
        lo, hi = each.loc[(year, "reviewed_share")].min(), each.loc[(year, "reviewed_share")].max()
        assert lo - 1e-12 <= nation[(year, "reviewed_share")] <= hi + 1e-12
    targets = pd.read_csv(out / "national_targets.csv")
    assert set(targets["year"]) == set(range(2026, 2031)) and len(targets) > 0


def test_national_projection_options_are_checked(tmp_path, capsys):
    from khcadre_sim.cli import main

    for extra in (["--data", "data/khanh_hoa"], ["--seeds", "3"]):
        code = main(["project", "--national", *extra, "--out", str(tmp_path / "x")])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and "--national" in err[0]
        assert not (tmp_path / "x").exists()

"""The scenario key table: one declaration per key, defaults from base.toml, validation."""

import pytest

from khcadre_sim.errors import ScenarioError
from khcadre_sim.keys import default, keys, lookup
from khcadre_sim.scenario import load_scenario


def test_every_declared_key_has_its_default_in_base_and_vice_versa():
    s = load_scenario()  # validated against the table: nothing unknown, nothing missing
    tree = s._tree
    for name, key in keys().items():
        if key.is_item or key.optional:
            continue
        assert lookup(tree, name) is not None, name
        assert default(name) == lookup(tree, name)


def test_uncertainties_have_plausible_ranges_around_their_default():
    for name, key in keys().items():
        if key.kind == "uncertainty" and not key.is_item:
            assert key.range is not None, name
            lo, hi = key.range
            assert lo <= default(name) <= hi, name


def test_typo_gets_a_suggestion():
    with pytest.raises(ScenarioError) as info:
        load_scenario().with_overrides({"levers.workload.max_changed_per_comune": 3})
    p = info.value.problems[0]
    assert p.message == "unknown key" and "max_changed_per_commune" in p.fix


@pytest.mark.parametrize(("key", "value", "why"), [
    ("levers.workload.max_changed_per_commune", 2.5, "not a whole number"),
    ("levers.workload.target_load", 0.0, "out of range"),
    ("levers.review.unplaced_requirement", [50.0, 50.0], "has 2 elements, not 3"),
    ("levers.placement.manager_floors.scope", "district", "not one of the choices"),
    ("constants.workload.reference_date", "2026-01-01", "not a date"),
    ("uncertainties.incentives.transfer_monthly", float("nan"), "not a finite number"),
])
def test_with_overrides_is_validated_like_a_file(key, value, why):
    with pytest.raises(ScenarioError) as info:
        load_scenario().with_overrides({key: value})
    p = info.value.problems[0]
    assert p.column == key and why in p.message and p.file == "overrides"


def test_with_overrides_changes_only_what_it_names():
    base = load_scenario()
    s = base.with_overrides({"levers.workload.max_changed_per_commune": 3, "meta.seed": 7})
    assert s.get("levers.workload.max_changed_per_commune") == 3 and s.seed == 7
    assert base.get("levers.workload.max_changed_per_commune") == 5 and base.seed == 2026
    assert s.get("levers.workload.target_load") == base.get("levers.workload.target_load")
    assert s.origin("levers.workload.max_changed_per_commune") == "overrides"


def test_programme_fields_are_checked_and_required_ones_must_be_there():
    base = load_scenario()
    progs = [dict(p) for p in base.get("levers.incentives.programmes")]
    del progs[0]["commitment_months"]
    progs[1]["monthly"] = -1.0
    with pytest.raises(ScenarioError) as info:
        base.with_overrides({"levers.incentives.programmes": progs})
    found = {(p.column, p.message) for p in info.value.problems}
    assert ("levers.incentives.programmes[0].commitment_months", "missing") in found
    assert ("levers.incentives.programmes[1].monthly", "-1.0 is out of range") in found


def test_a_retired_key_says_what_to_write_instead():
    with pytest.raises(ScenarioError) as info:
        load_scenario().with_overrides({"uncertainties.incentives.attrition_monthly": 0.004})
    p = info.value.problems[0]
    assert p.message == "this key no longer exists" and "quit_monthly_recruit" in p.fix

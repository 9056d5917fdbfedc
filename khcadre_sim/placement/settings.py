"""Placement settings: the scenario's ``[levers|uncertainties|constants.placement]`` sections as
one typed object.

Everything the placement model uses comes from here, so a run is fully described by the
scenario file (weights, rules and their switches, solver tolerances). Field names are the TOML
names (``s.move_caps.total`` is ``levers.placement.move_caps.total``), defaults come from the key
table (``khcadre_sim/scenario_keys.toml``, read by :mod:`khcadre_sim.keys`), which also checks
every key's type and range when a scenario is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..keys import build, setting

# rule name -> (scenario key that switches it, plain-words label); a rule with a sub-table is
# switched by its ``enabled`` flag, the two others are plain switches of [levers.placement]
RULES: dict[str, tuple[str, str]] = {
    "thresholds": ("levers.placement.thresholds.enabled", "minimum competency thresholds"),
    "non_local": ("levers.placement.non_local.enabled",
                  "non-local rule for key posts (project assumption)"),
    "manager_floors": ("levers.placement.manager_floors.enabled",
                       "floors on young/female/ethnic-minority managers"),
    "rotation": ("levers.placement.rotation.enabled", "planning-pool rotation to hard areas"),
    "move_caps": ("levers.placement.move_caps.enabled", "caps on changes of post"),
    "stay": ("levers.placement.stay.enabled", "recently moved people stay"),
    "keep_filled_posts": ("levers.placement.keep_filled_posts", "posts filled today stay filled"),
    "keep_placed": ("levers.placement.keep_placed", "people holding a post keep a post"),
}

_RESOLUTION = "Resolution 2026–2030"
# rule name -> (Vietnamese label, where the rule comes from, is the rule itself an assumption)
# (manager floors depend on the mode: see rule_sources)
RULE_SOURCES: dict[str, tuple[str, str, bool]] = {
    "thresholds": (
        "Ngưỡng năng lực tối thiểu",
        f"{_RESOLUTION} §II.2 \"bố trí cán bộ đúng người, đúng việc, đúng năng lực, đúng địa "
        "bàn\" and the competency framework of §II.1; the post minimums (req_*) are data and "
        "the tolerance a setting", False),
    "non_local": (
        "Không bố trí người địa phương vào chức danh chủ chốt",
        "project assumption: the resolution has no non-local rule. Nationally, Central "
        "Committee Resolution 26-NQ/TW (2018) asks that provincial and district Party "
        "secretaries not be local people; extending that to every key post of a commune is "
        "the project's choice", True),
    "rotation": (
        "Luân chuyển cán bộ quy hoạch đến địa bàn khó khăn",
        f"{_RESOLUTION} §II.2 \"luân chuyển có thời hạn đối với cán bộ trong diện quy hoạch "
        "nhằm rèn luyện thực tiễn, nhất là tại địa bàn khó khăn, phức tạp\"; the number of "
        "rotations is a project assumption", False),
    "move_caps": (
        "Giới hạn số người thay đổi vị trí",
        "project assumption: the resolution sets no cap; the caps limit disruption and their "
        "sizes are planning choices", True),
    "stay": (
        "Người mới điều động giữ nguyên vị trí",
        "project assumption: the minimum years in post is a planning choice", True),
    "keep_filled_posts": (
        "Vị trí đang có người không để trống",
        "project assumption (modelling choice): no post filled today is left vacant", True),
    "keep_placed": (
        "Người đang có vị trí vẫn được bố trí",
        "project assumption (modelling choice): nobody holding a post today becomes surplus",
        True),
}
_FLOORS_NO_FALL = (
    f"{_RESOLUTION} §I.2 \"Tăng tỷ lệ cán bộ trẻ, cán bộ nữ, cán bộ người dân tộc thiểu số có "
    "trình độ trong tổng số cán bộ quản lý\": each share may not fall below today's share "
    "(+ the group's rise *_delta, a planning choice); 'young' = under young_age is a project "
    "assumption")
_FLOORS_FIXED = (
    "project assumption: fixed floors (young_share, female_share, minority_share) are the "
    "project's own numbers, not figures of the resolution, which asks to raise the shares "
    "(§I.2); 'young' = under young_age is a project assumption")


def _lever(name: str) -> Any:
    return setting(f"levers.placement.{name}")


@dataclass(frozen=True)
class Weights:
    """``[levers.placement.weights]``: the terms of a pair's score (scoring.py)."""

    fill: float = _lever("weights.fill")
    fill_new_work: float = _lever("weights.fill_new_work")
    fit_political: float = _lever("weights.fit_political")
    fit_execution: float = _lever("weights.fit_execution")
    fit_development: float = _lever("weights.fit_development")
    fit_cap: float = _lever("weights.fit_cap")
    field_match: float = _lever("weights.field_match")
    priority_field: float = _lever("weights.priority_field")
    move_fixed: float = _lever("weights.move_fixed")
    move_per_km: float = _lever("weights.move_per_km")


@dataclass(frozen=True)
class Thresholds:
    """``[levers.placement.thresholds]``: new placements meet the post's ``req_*`` minimums."""

    enabled: bool = _lever("thresholds.enabled")
    tolerance: float = _lever("thresholds.tolerance")


@dataclass(frozen=True)
class NonLocal:
    """``[levers.placement.non_local]``: key posts are not given to local people."""

    enabled: bool = _lever("non_local.enabled")


@dataclass(frozen=True)
class ManagerFloors:
    """``[levers.placement.manager_floors]``: shares of young, female and ethnic-minority
    managers (mode ``no_fall``: today's share + the ``*_delta`` rise; ``fixed``: the
    ``*_share`` floors)."""

    enabled: bool = _lever("manager_floors.enabled")
    mode: str = _lever("manager_floors.mode")
    scope: str = _lever("manager_floors.scope")
    young_age: int = _lever("manager_floors.young_age")
    young_delta: float = _lever("manager_floors.young_delta")
    female_delta: float = _lever("manager_floors.female_delta")
    minority_delta: float = _lever("manager_floors.minority_delta")
    young_share: float = _lever("manager_floors.young_share")
    female_share: float = _lever("manager_floors.female_share")
    minority_share: float = _lever("manager_floors.minority_share")


@dataclass(frozen=True)
class Rotation:
    """``[levers.placement.rotation]``: planning-pool cadres rotated to hard areas."""

    enabled: bool = _lever("rotation.enabled")
    planning_pool_to_hard_areas: int = _lever("rotation.planning_pool_to_hard_areas")


@dataclass(frozen=True)
class MoveCaps:
    """``[levers.placement.move_caps]``: caps on changes of post, in the province and per
    commune (departures and arrivals)."""

    enabled: bool = _lever("move_caps.enabled")
    total: int = _lever("move_caps.total")
    per_commune: int = _lever("move_caps.per_commune")
    arrivals_count_newly_placed: bool = _lever("move_caps.arrivals_count_newly_placed")


@dataclass(frozen=True)
class Stay:
    """``[levers.placement.stay]``: people recently placed stay in their post."""

    enabled: bool = _lever("stay.enabled")
    min_years_in_post: float = _lever("stay.min_years_in_post")


@dataclass(frozen=True)
class PlacementSettings:
    """``[levers|uncertainties|constants.placement]`` (names and defaults from the scenario key
    table), the scenario's seed and ``constants.reference_year``."""

    # levers
    require_field_match: bool = _lever("require_field_match")
    field_mismatch_penalty: float = _lever("field_mismatch_penalty")
    max_distance_km: float = _lever("max_distance_km")
    keep_filled_posts: bool = _lever("keep_filled_posts")
    keep_placed: bool = _lever("keep_placed")
    weights: Weights = field(default_factory=Weights)
    thresholds: Thresholds = field(default_factory=Thresholds)
    non_local: NonLocal = field(default_factory=NonLocal)
    manager_floors: ManagerFloors = field(default_factory=ManagerFloors)
    rotation: Rotation = field(default_factory=Rotation)
    move_caps: MoveCaps = field(default_factory=MoveCaps)
    stay: Stay = field(default_factory=Stay)
    # uncertainties
    score_noise_sd: float = setting("uncertainties.placement.score_noise_sd")
    # constants
    gap_rel: float = setting("constants.placement.gap_rel")
    time_limit: float = setting("constants.placement.time_limit")
    initial_per_person: int = setting("constants.placement.initial_per_person")
    initial_per_post: int = setting("constants.placement.initial_per_post")
    max_candidates: int = setting("constants.placement.max_candidates")
    # not under [*.placement]: the scenario's seed and reference year
    reference_year: int = setting("constants.reference_year")
    seed: int = 0

    @classmethod
    def from_scenario(cls, scenario: Any) -> PlacementSettings:
        """The settings of a :class:`~khcadre_sim.scenario.Scenario` (already validated against
        the key table when it was loaded)."""
        return build(cls, scenario, "placement", seed=scenario.seed,
                     reference_year=scenario.get("constants.reference_year"))

    def rule_on(self, rule: str) -> bool:
        """Whether a rule of :data:`RULES` is switched on."""
        value = getattr(self, rule)
        return bool(value if isinstance(value, bool) else value.enabled)

    def with_rule(self, rule: str, enabled: bool) -> PlacementSettings:
        """A copy with one rule switched on or off (used to price rules)."""
        if rule not in RULES:
            raise KeyError(rule)
        value = getattr(self, rule)
        return replace(self, **{rule: enabled if isinstance(value, bool)
                                else replace(value, enabled=enabled)})

    def enabled_rules(self) -> list[str]:
        return [r for r in RULES if self.rule_on(r)]

    def rule_sources(self) -> list[dict[str, Any]]:
        """Every rule with its switch, labels, where it comes from and whether the rule itself
        is the project's assumption (for the run summary)."""
        out: list[dict[str, Any]] = []
        for rule, (key, label_en) in RULES.items():
            if rule == "manager_floors":
                fixed = self.manager_floors.mode == "fixed"
                label_vi = "Tỷ lệ tối thiểu cán bộ trẻ, nữ, DTTS trong lãnh đạo, quản lý"
                source = _FLOORS_FIXED if fixed else _FLOORS_NO_FALL
                assumption = fixed
            else:
                label_vi, source, assumption = RULE_SOURCES[rule]
            out.append({"rule": rule, "enabled": self.rule_on(rule), "key": key,
                        "label": label_en, "label_vi": label_vi, "source": source,
                        "assumption": assumption})
        return out

"""Placement settings: the scenario's ``[*.placement]`` sections as one typed object.

Everything the placement model uses comes from here, so a run is fully described by the
scenario file (weights, rules and their switches, solver tolerances).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import Problem, ScenarioError

# rule name -> (scenario key that switches it, plain-words label)
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

FLOOR_MODES = ("no_fall", "fixed")
SCOPES = ("province", "area_class", "both")


@dataclass(frozen=True)
class Weights:
    fill: float = 50.0
    fill_new_work: float = 10.0
    fit_political: float = 0.5
    fit_execution: float = 1.0
    fit_development: float = 1.0
    fit_cap: float = 20.0
    field_match: float = 20.0
    priority_field: float = 15.0
    move_fixed: float = 15.0
    move_per_km: float = 0.2


@dataclass(frozen=True)
class PlacementSettings:
    """All levers, uncertainties and constants of the placement model."""

    weights: Weights = field(default_factory=Weights)
    require_field_match: bool = True
    field_mismatch_penalty: float = 30.0
    max_distance_km: float = 80.0
    keep_filled_posts: bool = True
    keep_placed: bool = False
    thresholds: bool = True
    threshold_tolerance: float = 0.0
    non_local: bool = True
    manager_floors: bool = True
    floor_scope: str = "province"
    floor_mode: str = "no_fall"
    young_delta: float = 0.0
    female_delta: float = 0.0
    minority_delta: float = 0.0
    young_age: int = 35
    young_share: float = 0.10
    female_share: float = 0.25
    minority_share: float = 0.05
    rotation: bool = True
    rotation_count: int = 10
    move_caps: bool = True
    move_cap_total: int = 800
    move_cap_per_commune: int = 25
    arrivals_count_newly_placed: bool = False
    stay: bool = True
    stay_min_years: float = 2.0
    score_noise_sd: float = 0.0
    reference_year: int = 2026
    gap_rel: float = 1e-3
    time_limit: float = 300.0
    initial_per_person: int = 3
    initial_per_post: int = 2
    max_candidates: int = 4_000_000
    seed: int = 0

    def with_rule(self, rule: str, enabled: bool) -> PlacementSettings:
        """A copy with one rule switched on or off (used to price rules)."""
        if rule not in RULES:
            raise KeyError(rule)
        return replace(self, **{rule: enabled})

    def enabled_rules(self) -> list[str]:
        return [r for r in RULES if getattr(self, r)]

    def rule_sources(self) -> list[dict[str, Any]]:
        """Every rule with its switch, labels, where it comes from and whether the rule itself
        is the project's assumption (for the run summary)."""
        out: list[dict[str, Any]] = []
        for rule, (key, label_en) in RULES.items():
            if rule == "manager_floors":
                fixed = self.floor_mode == "fixed"
                label_vi = "Tỷ lệ tối thiểu cán bộ trẻ, nữ, DTTS trong lãnh đạo, quản lý"
                source = _FLOORS_FIXED if fixed else _FLOORS_NO_FALL
                assumption = fixed
            else:
                label_vi, source, assumption = RULE_SOURCES[rule]
            out.append({"rule": rule, "enabled": bool(getattr(self, rule)), "key": key,
                        "label": label_en, "label_vi": label_vi, "source": source,
                        "assumption": assumption})
        return out


def _get(tree: dict, dotted: str, default: Any) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def settings_from_scenario(scenario: Any) -> PlacementSettings:
    """Read a :class:`~khcadre_sim.scenario.Scenario` into :class:`PlacementSettings`.

    Missing keys take the defaults above; wrong values raise :class:`ScenarioError` naming the
    file and key.
    """
    levers = dict(getattr(scenario, "levers", {}) or {}).get("placement", {}) or {}
    unc = dict(getattr(scenario, "uncertainties", {}) or {}).get("placement", {}) or {}
    consts_all = dict(getattr(scenario, "constants", {}) or {})
    consts = consts_all.get("placement", {}) or {}
    d = PlacementSettings()
    w = levers.get("weights", {}) or {}
    weights = Weights(**{k: float(w.get(k, getattr(Weights(), k)))
                         for k in Weights.__annotations__})
    s = PlacementSettings(
        weights=weights,
        require_field_match=bool(levers.get("require_field_match", d.require_field_match)),
        field_mismatch_penalty=float(levers.get("field_mismatch_penalty",
                                                d.field_mismatch_penalty)),
        max_distance_km=float(levers.get("max_distance_km", d.max_distance_km)),
        keep_filled_posts=bool(levers.get("keep_filled_posts", d.keep_filled_posts)),
        keep_placed=bool(levers.get("keep_placed", d.keep_placed)),
        thresholds=bool(_get(levers, "thresholds.enabled", d.thresholds)),
        threshold_tolerance=float(_get(levers, "thresholds.tolerance", d.threshold_tolerance)),
        non_local=bool(_get(levers, "non_local.enabled", d.non_local)),
        manager_floors=bool(_get(levers, "manager_floors.enabled", d.manager_floors)),
        floor_scope=str(_get(levers, "manager_floors.scope", d.floor_scope)),
        floor_mode=str(_get(levers, "manager_floors.mode", d.floor_mode)),
        young_delta=float(_get(levers, "manager_floors.young_delta", d.young_delta)),
        female_delta=float(_get(levers, "manager_floors.female_delta", d.female_delta)),
        minority_delta=float(_get(levers, "manager_floors.minority_delta", d.minority_delta)),
        young_age=int(_get(levers, "manager_floors.young_age", d.young_age)),
        young_share=float(_get(levers, "manager_floors.young_share", d.young_share)),
        female_share=float(_get(levers, "manager_floors.female_share", d.female_share)),
        minority_share=float(_get(levers, "manager_floors.minority_share", d.minority_share)),
        rotation=bool(_get(levers, "rotation.enabled", d.rotation)),
        rotation_count=int(_get(levers, "rotation.planning_pool_to_hard_areas",
                                d.rotation_count)),
        move_caps=bool(_get(levers, "move_caps.enabled", d.move_caps)),
        move_cap_total=int(_get(levers, "move_caps.total", d.move_cap_total)),
        move_cap_per_commune=int(_get(levers, "move_caps.per_commune", d.move_cap_per_commune)),
        arrivals_count_newly_placed=bool(_get(levers, "move_caps.arrivals_count_newly_placed",
                                              d.arrivals_count_newly_placed)),
        stay=bool(_get(levers, "stay.enabled", d.stay)),
        stay_min_years=float(_get(levers, "stay.min_years_in_post", d.stay_min_years)),
        score_noise_sd=float(unc.get("score_noise_sd", d.score_noise_sd)),
        reference_year=int(consts_all.get("reference_year", d.reference_year)),
        gap_rel=float(consts.get("gap_rel", d.gap_rel)),
        time_limit=float(consts.get("time_limit", d.time_limit)),
        initial_per_person=int(consts.get("initial_per_person", d.initial_per_person)),
        initial_per_post=int(consts.get("initial_per_post", d.initial_per_post)),
        max_candidates=int(consts.get("max_candidates", d.max_candidates)),
        seed=int(getattr(scenario, "seed", 0) or 0),
    )
    validate_settings(s, scenario)
    return s


def validate_settings(s: PlacementSettings, scenario: Any = None) -> None:
    """Raise :class:`ScenarioError` listing every out-of-range placement setting."""

    def origin(key: str) -> str:
        fn = getattr(scenario, "origin", None)
        return fn(key) if callable(fn) else "scenario"

    problems: list[Problem] = []

    def check(ok: bool, key: str, msg: str, fix: str) -> None:
        if not ok:
            problems.append(Problem(file=origin(key), message=f"{key}: {msg}", fix=fix))

    for name in ("young_share", "female_share", "minority_share"):
        v = getattr(s, name)
        check(0.0 <= v <= 1.0, f"levers.placement.manager_floors.{name}",
              f"share {v} is outside 0–1", "give a share between 0 and 1, e.g. 0.25")
    check(s.floor_mode in FLOOR_MODES, "levers.placement.manager_floors.mode",
          f"unknown mode '{s.floor_mode}'", "use one of: " + ", ".join(FLOOR_MODES))
    for name in ("young_delta", "female_delta", "minority_delta"):
        v = getattr(s, name)
        check(0.0 <= v <= 1.0, f"levers.placement.manager_floors.{name}",
              f"rise {v} is outside 0–1",
              "give the rise over today's share as a share between 0 and 1, e.g. 0.02 for two "
              "percentage points (a negative rise would let the share fall, against §I.2)")
    check(s.floor_scope in SCOPES, "levers.placement.manager_floors.scope",
          f"unknown scope '{s.floor_scope}'", "use one of: " + ", ".join(SCOPES))
    check(s.rotation_count >= 0, "levers.placement.rotation.planning_pool_to_hard_areas",
          "must not be negative", "give a count ≥ 0")
    check(s.move_cap_total >= 0, "levers.placement.move_caps.total", "must not be negative",
          "give a count ≥ 0")
    check(s.move_cap_per_commune >= 0, "levers.placement.move_caps.per_commune",
          "must not be negative", "give a count ≥ 0")
    check(s.max_distance_km > 0, "levers.placement.max_distance_km", "must be positive",
          "give a distance in km, e.g. 80")
    check(s.stay_min_years >= 0, "levers.placement.stay.min_years_in_post",
          "must not be negative", "give years ≥ 0")
    check(0 < s.gap_rel < 1, "constants.placement.gap_rel", f"gap {s.gap_rel} outside (0, 1)",
          "use e.g. 0.001 for 0.1%")
    check(s.time_limit > 0, "constants.placement.time_limit", "must be positive",
          "give seconds, e.g. 300")
    check(s.score_noise_sd >= 0, "uncertainties.placement.score_noise_sd",
          "must not be negative", "give a standard deviation ≥ 0")
    check(s.weights.fit_cap >= 0, "levers.placement.weights.fit_cap", "must not be negative",
          "give points ≥ 0")
    for k in ("initial_per_person", "initial_per_post"):
        check(getattr(s, k) >= 1, f"constants.placement.{k}", "must be at least 1", "use e.g. 3")
    if problems:
        raise ScenarioError(problems)

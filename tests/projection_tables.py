"""Small contract tables of a projection, built by hand (2 scenarios × 2026–2030)."""

from __future__ import annotations

import pandas as pd

YEARS = (2026, 2027, 2028, 2029, 2030)
SCENARIOS = ("training-first", "incentive-heavy")

# indicator → per scenario the P50 by year (P5 = P50 × 0.9, P95 = P50 × 1.1)
P50 = {
    "reviewed_share": {"training-first": [0.6, 0.9, 1.0, 1.0, 1.0],
                       "incentive-heavy": [0.5, 0.7, 0.8, 0.9, 1.0]},
    "trained_share": {"training-first": [0.3, 0.6, 0.8, 1.0, 1.0],
                      "incentive-heavy": [0.2, 0.3, 0.4, 0.5, 0.6]},
    "manager_female_share": {"training-first": [0.19, 0.19, 0.2, 0.21, 0.22],
                             "incentive-heavy": [0.19, 0.2, 0.21, 0.22, 0.23]},
    "vacancies": {"training-first": [175, 160, 150, 140, 130],
                  "incentive-heavy": [175, 140, 120, 100, 90]},
    "training_cost_vnd": {"training-first": [4e9, 5e9, 5e9, 4e9, 3e9],
                          "incentive-heavy": [1e9, 1e9, 1e9, 1e9, 1e9]},
    "incentive_spending_vnd": {"training-first": [2e9, 5e9, 5e9, 5e9, 4e9],
                               "incentive-heavy": [10e9, 20e9, 25e9, 20e9, 15e9]},
    "incentive_ceiling_vnd": {"training-first": [21.4e9] + [22.2e9] * 4,
                              "incentive-heavy": [21.4e9] + [22.2e9] * 4},
}

# target id → (indicator, comparison, threshold)
TARGETS = {
    "reviewed_100": ("reviewed_share", ">=", 1.0),
    "trained_100": ("trained_share", ">=", 1.0),
    "female_managers_up": ("manager_female_share", ">", 0.19),
}


def bands() -> pd.DataFrame:
    rows = []
    for indicator, by_scenario in P50.items():
        for scenario, values in by_scenario.items():
            for year, mid in zip(YEARS, values, strict=True):
                spread = 0.0 if indicator == "incentive_ceiling_vnd" else 0.1
                rows.append((scenario, year, "province", "", indicator, mid * (1 - spread), mid,
                             min(mid * (1 + spread), 1.0) if indicator.endswith("_share")
                             else mid * (1 + spread), 20))
    for scenario in SCENARIOS:  # total = training + incentives, one area class row
        for k, year in enumerate(YEARS):
            total = (P50["training_cost_vnd"][scenario][k]
                     + P50["incentive_spending_vnd"][scenario][k])
            rows.append((scenario, year, "province", "", "total_cost_vnd", total * 0.9, total,
                         total * 1.1, 20))
            rows.append((scenario, year, "area_class", "mountain", "vacancies", 10, 12, 14, 20))
    frame = pd.DataFrame(rows, columns=["scenario", "year", "scope", "unit", "indicator", "p5",
                                        "p50", "p95", "n_seeds"])
    return frame.astype({"scenario": "str", "year": "int64", "scope": "str", "unit": "str",
                         "indicator": "str", "p5": "float64", "p50": "float64",
                         "p95": "float64", "n_seeds": "int64"})


def targets() -> pd.DataFrame:
    b = bands().set_index(["scenario", "year", "indicator"])
    rows = []
    for target, (indicator, comparison, threshold) in TARGETS.items():
        for scenario in SCENARIOS:
            for year in YEARS:
                p50 = float(b.loc[(scenario, year, indicator), "p50"].iloc[0]
                            if isinstance(b.loc[(scenario, year, indicator), "p50"], pd.Series)
                            else b.loc[(scenario, year, indicator), "p50"])
                met = p50 > threshold if comparison == ">" else p50 >= threshold
                rows.append((scenario, year, target, indicator, comparison, threshold, p50,
                             1.0 if met else 0.25, met, p50 - threshold))
    frame = pd.DataFrame(rows, columns=["scenario", "year", "target", "indicator", "comparison",
                                        "threshold", "p50", "share_met", "met", "margin"])
    return frame.astype({"scenario": "str", "year": "int64", "target": "str",
                         "indicator": "str", "comparison": "str", "threshold": "float64",
                         "p50": "float64", "share_met": "float64", "met": "bool",
                         "margin": "float64"})


def meta() -> dict:
    return {"capability": "projection",
            "scenarios": {"training-first": "scenarios/training_first.toml",
                          "incentive-heavy": "scenarios/incentive_heavy.toml"},
            "seeds": 20, "years": list(YEARS), "data": "data/khanh_hoa", "synthetic": True,
            "khcadre_version": "0.1.0"}

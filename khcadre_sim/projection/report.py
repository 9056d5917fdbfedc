"""The projection's two reports: the mid-term review two years in ("sơ kết … sau 2 năm triển
khai", state at the end of 2027) and the final review ("tổng kết vào cuối nhiệm kỳ", end of
2030), each comparing the scenarios side by side.

Built from the contract tables only (``bands``, ``targets``) and the run's ``meta``, with the
same Jinja2 machinery and stylesheet as the run report (``templates/base.html.j2``): a
self-contained page that works offline, figures in ``figures/`` beside it, a banner when staff
data are synthetic, a targets dashboard in the resolution's own words, key indicators with
their P5–P95 bands, cost year by year against the incentive ceiling, a plain-words summary per
scenario and a glossary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..labels import LANGS
from .words import (
    GLOSSARY,
    WORDS,
    indicator_kind,
    indicator_label,
    number,
    scaled,
    shown,
    target_text,
    unit_word,
    word,
)

BANDS_COLUMNS = ("scenario", "year", "scope", "unit", "indicator", "p5", "p50", "p95",
                 "n_seeds")
TARGETS_COLUMNS = ("scenario", "year", "target", "indicator", "comparison", "threshold", "p50",
                   "share_met", "met", "margin")
COST_INDICATORS = ("training_cost_vnd", "incentive_spending_vnd", "total_cost_vnd",
                   "incentive_ceiling_vnd")
# indicators drawn in the figure (those present; the targets' indicators come first)
KEY_INDICATORS = ("reviewed_share", "trained_share", "trained_digital_share",
                  "units_output_evaluation_share", "manager_young_share", "manager_female_share",
                  "manager_ethnic_share", "vacancies", "surplus", "overloaded_share",
                  "peak_load", "recruits")
MAX_PANELS = 12
FIGURES = "figures"


def _check(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the {name} table lacks the columns {missing}")


def _years(bands: pd.DataFrame, targets: pd.DataFrame, meta: dict[str, Any]) -> list[int]:
    years = meta.get("years") or sorted({*bands["year"].tolist(), *targets["year"].tolist()})
    return sorted(int(y) for y in years)


def _stems(years: list[int]) -> dict[str, tuple[int, str]]:
    """kind → (last year, file stem): the mid-term review two years in, the final at the end."""
    first, last = years[0], years[-1]
    mid = min(first + 1, last)
    return {"midterm": (mid, f"midterm_{mid}"), "final": (last, f"final_{last}")}


def _margin_text(indicator: str, margin: float, lang: str) -> str:
    kind = indicator_kind(indicator)
    value = scaled(indicator, margin)
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    digits = 1 if kind in ("share", "vnd") else (2 if kind == "ratio" else 0)
    text = number(abs(value), lang, digits)
    points = "điểm %" if lang == "vi" else "pts"
    unit = points if kind == "share" else unit_word(indicator, lang)
    return f"{sign}{text} {unit}".strip()


def _threshold_text(row: Any, lang: str, first_year: int) -> str:
    comparison = {">=": "≥", "<=": "≤", ">": ">"}.get(row.comparison, row.comparison)
    value = shown(row.indicator, float(row.threshold), lang)
    if row.comparison == ">":  # "tăng tỷ lệ": no number in the resolution, above the start
        return f"{comparison} {value} ({word('higher_than_2026', lang, year=first_year)})"
    return f"{comparison} {value}"


def _target_rows(targets: pd.DataFrame, scenarios: list[str], years: list[int], lang: str,
                 meta: dict[str, Any], first_year: int) -> list[dict[str, Any]]:
    rows = []
    given = meta.get("targets") if isinstance(meta.get("targets"), dict) else None
    for target in dict.fromkeys(targets["target"]):
        t = targets[targets["target"] == target]
        indicator = str(t["indicator"].iloc[0])
        first = t.sort_values("year").iloc[0]
        lines = []
        for scenario in scenarios:
            cells = []
            for year in years:
                hit = t[(t["scenario"] == scenario) & (t["year"] == year)]
                if hit.empty:
                    cells.append({"cls": "", "text": "–", "detail": ""})
                    continue
                r = hit.iloc[0]
                met = bool(r["met"])
                cells.append({
                    "cls": "met" if met else "notmet",
                    "text": ("✓ " + word("met", lang)) if met else ("✗ " + word("not_met", lang)),
                    "detail": f"{_margin_text(indicator, float(r['margin']), lang)} · "
                              f"{number(float(r['share_met']) * 100, lang, 0)}% "
                              f"{word('of_seeds', lang)}"})
            lines.append({"scenario": scenario, "cells": cells})
        rows.append({"id": target, "text": target_text(target, indicator, lang, given),
                     "indicator": indicator_label(indicator, lang),
                     "threshold": _threshold_text(first, lang, first_year), "lines": lines})
    return rows


def _band_text(indicator: str, row: pd.Series, lang: str) -> str:
    mid = shown(indicator, float(row["p50"]), lang)
    if pd.isna(row["p5"]) or pd.isna(row["p95"]) or row["p5"] == row["p95"]:
        return mid
    low = shown(indicator, float(row["p5"]), lang, with_unit=False)
    high = shown(indicator, float(row["p95"]), lang, with_unit=False)
    return f"{mid} ({low}–{high})"


def _indicator_rows(province: pd.DataFrame, scenarios: list[str], year: int,
                    lang: str) -> list[dict[str, Any]]:
    at = province[province["year"] == year]
    order = list(dict.fromkeys([*KEY_INDICATORS, *sorted(at["indicator"].unique())]))
    rows = []
    for indicator in order:
        if indicator in COST_INDICATORS or not (at["indicator"] == indicator).any():
            continue
        cells = []
        for scenario in scenarios:
            hit = at[(at["scenario"] == scenario) & (at["indicator"] == indicator)]
            cells.append(_band_text(indicator, hit.iloc[0], lang) if len(hit) else "–")
        rows.append({"label": indicator_label(indicator, lang), "cells": cells})
    return rows


def _cost_rows(province: pd.DataFrame, scenario: str, years: list[int],
               lang: str) -> dict[str, Any]:
    d = province[province["scenario"] == scenario].set_index(["indicator", "year"])

    def cell(indicator: str, year: int) -> tuple[str, float]:
        if (indicator, year) not in d.index:
            return "–", float("nan")
        row = d.loc[(indicator, year)]
        text = _band_text(indicator, row, lang).replace(" tỷ đồng", "").replace(" bn VND", "")
        return text, float(row["p50"])

    rows, sums = [], dict.fromkeys(COST_INDICATORS, 0.0)
    for year in years:
        texts = {}
        for indicator in COST_INDICATORS:
            texts[indicator], value = cell(indicator, year)
            sums[indicator] += 0.0 if value != value else value
        spend = cell("incentive_spending_vnd", year)[1]
        ceiling = cell("incentive_ceiling_vnd", year)[1]
        within = "–" if ceiling != ceiling or spend != spend else word(
            "yes" if spend <= ceiling else "no", lang)
        rows.append({"year": year, "cells": [texts[i] for i in COST_INDICATORS],
                     "within": within, "bad": within == word("no", lang)})
    total = [number(sums[i] / 1e9, lang, 1) for i in COST_INDICATORS]
    return {"scenario": scenario, "rows": rows,
            "sum_label": word("sum_years", lang, first=years[0], last=years[-1]),
            "sum": total}


def _summary(scenario: str, targets: pd.DataFrame, province: pd.DataFrame, years: list[int],
             lang: str, short: dict[str, str]) -> str:
    t = targets[targets["scenario"] == scenario]
    ids = list(dict.fromkeys(targets["target"]))
    parts = []
    if ids:
        all_met = [y for y in years
                   if len(t[(t["year"] == y) & t["met"].astype(bool)]) == len(ids)
                   and set(t[t["year"] == y]["target"]) >= set(ids)]
        if all_met:
            parts.append(word("all_met_by", lang, n=len(ids), year=all_met[0]))
        else:
            last = t[t["year"] == years[-1]]
            met = set(last[last["met"].astype(bool)]["target"])
            missing = "; ".join(short[i] for i in ids if i not in met)
            parts.append(word("not_all_met", lang, year=years[-1], k=len(met), n=len(ids),
                              missing=missing))
    d = province[province["scenario"] == scenario]
    total = d[(d["indicator"] == "total_cost_vnd") & d["year"].isin(years)]
    if len(total):
        parts.append(word("cost_phrase", lang, first=years[0], last=years[-1],
                          p50=number(total["p50"].sum() / 1e9, lang, 1)))
    spend = d[d["indicator"] == "incentive_spending_vnd"].set_index("year")["p50"]
    ceiling = d[d["indicator"] == "incentive_ceiling_vnd"].set_index("year")["p50"]
    common = [y for y in years if y in spend.index and y in ceiling.index]
    if common:
        above = [str(y) for y in common if spend[y] > ceiling[y]]
        parts.append(word("ceiling_phrase", lang, years=", ".join(above)) if above
                     else word("ceiling_ok", lang))
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "." if text else ""


def _environment() -> Any:
    from ..htmlreport import _environment as environment

    return environment()


def _figures(folder: Path, stem: str, bands: pd.DataFrame, targets: pd.DataFrame,
             short: dict[str, str], lang: str, last_year: int) -> list[dict[str, str]]:
    from ..report import save_figure
    from . import plots

    (folder / FIGURES).mkdir(exist_ok=True)
    province = bands[bands["scope"] == "province"]
    present = set(province["indicator"])
    chosen = list(dict.fromkeys([*targets["indicator"], *KEY_INDICATORS]))
    chosen = [i for i in chosen if i in present and i not in COST_INDICATORS][:MAX_PANELS]
    out = []
    if chosen:
        path = f"{FIGURES}/{stem}_indicators.png"
        save_figure(plots.indicator_bands(bands, chosen, lang, last_year), folder / path)
        out.append({"src": path, "caption": word("figure_indicators", lang), "id": "indicators"})
    if present & set(COST_INDICATORS):
        path = f"{FIGURES}/{stem}_cost.png"
        save_figure(plots.cost_by_year(bands, lang, last_year), folder / path)
        out.append({"src": path, "caption": word("figure_cost", lang), "id": "cost"})
    if len(targets):
        path = f"{FIGURES}/{stem}_targets.png"
        save_figure(plots.targets_share_met(targets, short, lang, last_year), folder / path)
        out.append({"src": path, "caption": word("figure_targets", lang), "id": "targets"})
    return out


def write_reports(folder: Path, bands: pd.DataFrame, targets: pd.DataFrame,
                  meta: dict[str, Any], lang: str = "vi") -> list[Path]:
    """Write ``midterm_<year>.html`` (two years in: 2027 for a run starting in 2026) and
    ``final_<year>.html`` (the last year) into ``folder``, with their figures in
    ``folder/figures/``. Returns every file written.

    ``bands`` and ``targets`` are the contract tables; ``meta`` the run's summary: it may hold
    ``scenarios`` (name → file), ``seeds``, ``years``, ``data``, ``synthetic`` (or
    ``synthetic_staff_data``), ``khcadre_version`` and ``targets`` (target id → {"text_vi",
    "text_en"}: the resolution's words; otherwise they come from data/policy/targets.toml)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    _check(bands, BANDS_COLUMNS, "bands")
    _check(targets, TARGETS_COLUMNS, "targets")
    folder = Path(folder)
    years = _years(bands, targets, meta)
    if not years:
        raise ValueError("the bands and targets tables are empty")
    scenario_files = meta.get("scenarios") or {}
    scenarios = list(dict.fromkeys([*scenario_files, *bands["scenario"], *targets["scenario"]]))
    given = meta.get("targets") if isinstance(meta.get("targets"), dict) else None
    first_of = targets.drop_duplicates("target")
    short = {r.target: indicator_label(r.indicator, lang) for r in first_of.itertuples()}
    texts = {r.target: target_text(r.target, r.indicator, lang, given)
             for r in first_of.itertuples()}
    stems = _stems(years)
    env = _environment()
    t = {k: v[LANGS.index(lang)] for k, v in WORDS.items()}
    province = bands[bands["scope"] == "province"]
    written: list[Path] = []
    for kind, (last, stem) in stems.items():
        shown_years = [y for y in years if y <= last]
        tgt = targets[targets["year"] <= last]
        other_kind = "final" if kind == "midterm" else "midterm"
        other_last, other_stem = stems[other_kind]
        figures = _figures(folder, stem, bands, tgt, texts, lang, last)
        written += [folder / f["src"] for f in figures]
        page = env.get_template("projection.html.j2").render(
            lang=lang, t=t, version=meta.get("khcadre_version", ""),
            synthetic=bool(meta.get("synthetic", meta.get("synthetic_staff_data", False))),
            title=word(f"title_{kind}", lang, year=last), subtitle=word("subtitle", lang),
            intro=word(f"{kind}_intro", lang, year=last),
            other={"href": f"{other_stem}.html",
                   "title": word(f"title_{other_kind}", lang, year=other_last)},
            summaries=[{"scenario": s,
                        "text": _summary(s, tgt, province, shown_years, lang, short)}
                       for s in scenarios],
            scenarios=scenarios, years=shown_years,
            targets=_target_rows(tgt, scenarios, shown_years, lang, meta, years[0]),
            indicator_year=last,
            indicators=_indicator_rows(province, scenarios, last, lang),
            costs=[_cost_rows(province, s, shown_years, lang) for s in scenarios],
            cost_headers=[t["training"], t["incentives"], t["total"], t["ceiling"]],
            figures={f["id"]: f for f in figures},
            run={"scenarios": [{"name": s, "file": str(scenario_files.get(s, ""))}
                               for s in scenarios],
                 "seeds": meta.get("seeds", ""), "data": meta.get("data", ""),
                 "years": f"{years[0]}–{years[-1]}"},
            glossary=[(term[LANGS.index(lang)], text[LANGS.index(lang)])
                      for term, text in GLOSSARY])
        path = folder / f"{stem}.html"
        path.write_text(page, encoding="utf-8")
        written.append(path)
    return written

"""``khcadre compare A B …``: the headline figures of results folders of the same kind, the first
as the baseline, each other folder's difference from it — year by year, with the P5–P95 bands
where both folders have them, in the manner of a reform's budget impact.

A results folder is one khcadre wrote (it holds the marker ``.khcadre-run.json``, see
:mod:`khcadre_sim.outputs`) with its ``summary.json``. Its kind is a capability (``place``,
``workload``, ``incentives``, ``review``), a whole run (``khcadre run``: one subfolder per
capability) or a projection (``khcadre project``: the ``bands`` table). Folders of different
kinds, folders khcadre did not write and missing folders are refused with one line each.

Values are compared in the unit they are shown in: shares in % (differences in percentage
points), money in tỷ đồng. A band's difference is not the difference of the bands: the table
gives each folder's own P5 and P95 beside the difference of the central values.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .argtypes import force_help, help_text
from .errors import KhcadreError, Problem
from .labels import LANGS

HEADLINE_COLUMNS = {"section": "str", "scenario": "str", "year": "Int64", "where": "str",
                    "measure": "str", "unit": "str", "value": "float64", "p5": "float64",
                    "p95": "float64"}
KEYS = ["section", "scenario", "year", "where", "measure"]
COMPARISON_COLUMNS = {**{k: HEADLINE_COLUMNS[k] for k in KEYS}, "measure_label": "str",
                      "unit": "str", "run": "str", "baseline": "float64",
                      "baseline_p5": "float64", "baseline_p95": "float64", "value": "float64",
                      "p5": "float64", "p95": "float64", "difference": "float64",
                      "relative_difference": "float64"}

# measure → (label vi, label en) for the capabilities' headline figures
MEASURES: dict[str, tuple[str, str]] = {
    "staff": ("Số cán bộ, công chức", "Staff"),
    "reviewed_share": ("Tỷ lệ được rà soát", "Share reviewed"),
    "meeting_share": ("Tỷ lệ đạt chuẩn vị trí", "Share meeting their post's standard"),
    "warnings": ("Số người trong danh sách cảnh báo", "People on the warning list"),
    "major_warnings": ("Số người thiếu hụt nghiêm trọng", "People with a major gap"),
    "objective": ("Điểm mục tiêu bố trí", "Placement objective"),
    "assigned": ("Số người được bố trí", "People placed"),
    "changed_post": ("Số người thay đổi vị trí", "People changing post"),
    "moved": ("Số người chuyển vị trí khác", "People moved to another post"),
    "newly_placed": ("Số người mới được bố trí", "People newly placed"),
    "surplus": ("Số người dôi dư", "Surplus people"),
    "vacancies": ("Số vị trí còn trống", "Vacant posts"),
    "manager_young_share": ("Tỷ lệ cán bộ trẻ trong lãnh đạo, quản lý",
                            "Young share among managers"),
    "manager_female_share": ("Tỷ lệ cán bộ nữ trong lãnh đạo, quản lý",
                             "Female share among managers"),
    "manager_minority_share": ("Tỷ lệ cán bộ người dân tộc thiểu số trong lãnh đạo, quản lý",
                               "Ethnic-minority share among managers"),
    "peak_load_before": ("Tỷ lệ tải cao nhất, trước điều chỉnh", "Peak load, before"),
    "peak_load_after": ("Tỷ lệ tải cao nhất, sau điều chỉnh", "Peak load, after"),
    "overloaded_share_before": ("Tỷ lệ người quá tải, trước điều chỉnh",
                                "Share overloaded, before"),
    "overloaded_share_after": ("Tỷ lệ người quá tải, sau điều chỉnh",
                               "Share overloaded, after"),
    "residual_shortage_fte": ("Thiếu hụt còn lại cần tuyển dụng (FTE)",
                              "Residual shortage to recruit (FTE)"),
    "net_cost": ("Chi phí ròng", "Net cost"),
    "gross_outlay": ("Tổng chi", "Gross outlay"),
    "refunds_recovered": ("Thu hồi", "Refunds recovered"),
    "new_beneficiaries": ("Người mới hưởng", "New beneficiaries"),
    "ceiling": ("Trần kinh phí hỗ trợ", "Incentive ceiling"),
    "p_breach": ("Xác suất vượt trần", "Chance of breaching the ceiling"),
    "net_cost_total": ("Chi phí ròng cả giai đoạn", "Net cost, whole period"),
    "places_granted": ("Suất được duyệt", "Places granted"),
    "waitlisted": ("Danh sách chờ", "Waitlisted"),
}
UNITS: dict[str, tuple[str, str]] = {
    "%": ("%", "%"), "bn": ("tỷ đồng", "bn VND"), "people": ("người", "people"),
    "posts": ("vị trí", "posts"), "points": ("điểm", "points"), "ratio": ("lần", "×"),
    "fte": ("FTE", "FTE"), "": ("", ""),
}
WORDS: dict[str, tuple[str, str]] = {
    "title": ("So sánh kết quả", "Comparison of results"),
    "baseline": ("Phương án gốc", "Baseline"), "alternative": ("Phương án so sánh", "Alternative"),
    "kind": ("Loại kết quả", "Kind of results"), "measure": ("Chỉ tiêu", "Measure"),
    "year": ("Năm", "Year"), "where": ("Phạm vi", "Scope"), "scenario": ("Kịch bản", "Scenario"),
    "section": ("Phần", "Section"), "unit": ("Đơn vị", "Unit"),
    "difference": ("Chênh lệch", "Difference"), "relative": ("Chênh lệch (%)", "Difference (%)"),
    "band": ("dải P5–P95", "P5–P95 band"),
    "note": ("Chênh lệch = phương án so sánh − phương án gốc, tính theo giá trị trung tâm (kỳ "
             "vọng hoặc P50); tỷ lệ tính bằng %, chênh lệch tỷ lệ là điểm phần trăm; tiền tính "
             "bằng tỷ đồng. Dải P5–P95 là của từng phương án, không phải của chênh lệch.",
             "Difference = alternative − baseline, of the central values (expected or P50); "
             "shares in %, their differences in percentage points; money in bn VND. The "
             "P5–P95 bands are each folder's own, not a band of the difference."),
    "synthetic_title": ("Dữ liệu cán bộ là dữ liệu mô phỏng.", "Staff data are synthetic."),
    "synthetic_text": ("Các kết quả được so sánh dựa trên dữ liệu cán bộ tổng hợp, không phải "
                       "người thật.", "The compared results rest on synthetic staff data, not "
                       "real people."),
    "generated_by": ("Tạo bởi", "Made by"),
    "province": ("toàn tỉnh", "province"),
    "more": ("… và {n} dòng khác (bảng đầy đủ: comparison.csv, với --out)",
             "… and {n} more rows (the full table: comparison.csv, with --out)"),
}
KIND_WORDS: dict[str, tuple[str, str]] = {
    "review": ("rà soát theo khung năng lực", "competency review"),
    "placement": ("bố trí cán bộ", "placement"),
    "workload": ("khối lượng công việc", "workload"),
    "incentives": ("kinh phí thu hút, hỗ trợ", "incentive budget"),
    "run": ("toàn bộ các bước (khcadre run)", "a whole run (khcadre run)"),
    "projection": ("dự báo 2026–2030 (khcadre project)", "the 2026–2030 projection"),
}
PRINTED_ROWS = 200


def _w(key: str, lang: str, **values: Any) -> str:
    text = WORDS[key][LANGS.index(lang)]
    return text.format(**values) if values else text


@dataclass(frozen=True)
class ResultsFolder:
    """A results folder khcadre wrote: its path, its kind and its ``summary.json``."""

    path: Path
    kind: str
    summary: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name or str(self.path)


def _problem(folder: Path, message: str, fix: str) -> KhcadreError:
    return KhcadreError(Problem(file=str(folder), message=message, fix=fix))


FIX_FOLDER = ("give a results folder written by khcadre, e.g. one made with "
              "`khcadre incentives --out DIR`")


def open_folder(folder: str | Path) -> ResultsFolder:
    """Read a results folder, or raise a :class:`KhcadreError` saying why it cannot be used."""
    from .capability import capability
    from .outputs import MARKER, _marker

    path = Path(folder).expanduser()
    if not path.exists():
        raise _problem(path, "no such folder", FIX_FOLDER)
    if not path.is_dir():
        raise _problem(path, "is a file, not a results folder", FIX_FOLDER)
    marker = _marker(path)
    if marker is None:
        raise _problem(path, f"was not written by khcadre (it has no {MARKER})", FIX_FOLDER)
    try:
        summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        summary = None
    if not isinstance(summary, dict):
        raise _problem(path, "has no readable summary.json", "run the khcadre command again "
                       "to rewrite the folder")
    kind = summary.get("capability")
    if not isinstance(kind, str):
        if isinstance(summary.get("sections"), dict):
            kind = "run"
        else:
            words = str(marker.get("command", "")).split()
            try:
                kind = capability(words[1]).name if len(words) > 1 else ""
            except KeyError:
                kind = words[1]
    if kind not in KIND_WORDS:
        raise _problem(path, f"holds results of a kind that cannot be compared ({kind or '?'})",
                       "compare folders written by khcadre run, review, place, workload, "
                       "incentives or project")
    return ResultsFolder(path, kind, summary)


def open_folders(folders: list[str | Path]) -> list[ResultsFolder]:
    """Read two or more folders of the same kind (the first is the baseline)."""
    if len(folders) < 2:
        raise KhcadreError(Problem(file=str(folders[0]) if folders else "", message="one "
                                   "folder given; a comparison needs a baseline and at least "
                                   "one other folder", fix="give two or more results folders"))
    runs = [open_folder(f) for f in folders]
    base = runs[0]
    for run in runs[1:]:
        if run.kind != base.kind:
            raise _problem(run.path, f"holds {KIND_WORDS[run.kind][1]} results, but the baseline "
                           f"{base.path} holds {KIND_WORDS[base.kind][1]} results; only folders "
                           "of the same kind can be compared",
                           "give folders written by the same khcadre command")
    return runs


# ----------------------------------------------------------------------- headline figures

def _rows(section: str, items: list[tuple]) -> list[dict[str, Any]]:
    """(measure, unit, value[, year, p5, p95]) → headline rows."""
    out = []
    for item in items:
        measure, unit, value, *rest = item
        year, p5, p95 = (rest + [None, None, None])[:3]
        out.append({"section": section, "scenario": "", "year": year, "where": "province",
                    "measure": measure, "unit": unit, "value": value, "p5": p5, "p95": p95})
    return out


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise _problem(path, "is missing from the results folder", "run the khcadre command "
                       "again to rewrite the folder")
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False,
                       na_values=[""])


def _review(summary: dict[str, Any]) -> list[tuple]:
    return [("staff", "people", summary.get("staff")),
            ("reviewed_share", "%", _pct(summary.get("reviewed_share"))),
            ("meeting_share", "%", _pct(summary.get("meeting_share"))),
            ("warnings", "people", summary.get("warnings")),
            ("major_warnings", "people", summary.get("major_warnings"))]


def _pct(value: Any) -> float | None:
    return None if value is None else float(value) * 100


def _placement(summary: dict[str, Any]) -> list[tuple]:
    counts = summary.get("counts", {})
    items: list[tuple] = [("objective", "points", summary.get("objective"))]
    items += [(m, "posts" if m == "vacancies" else "people", counts.get(m))
              for m in ("assigned", "changed_post", "moved", "newly_placed", "surplus",
                        "vacancies")]
    for floor in summary.get("manager_floors", []):
        if floor.get("scope") == "province" and floor.get("group") in ("young", "female",
                                                                       "minority"):
            items.append((f"manager_{floor['group']}_share", "%",
                          _pct(floor.get("share_after"))))
    return items


def _workload(summary: dict[str, Any]) -> list[tuple]:
    placed = summary.get("people_placed") or 0
    items = []
    for when in ("before", "after"):
        part = summary.get(when, {})
        items.append((f"peak_load_{when}", "ratio", part.get("peak_load_ratio")))
        over = part.get("people_over")
        items.append((f"overloaded_share_{when}", "%",
                      None if over is None or not placed else 100 * over / placed))
    items.append(("residual_shortage_fte", "fte", summary.get("residual_shortage_fte")))
    return items


def _incentives(folder: Path, summary: dict[str, Any]) -> list[tuple]:
    by_year = _read_csv(folder / "by_year.csv")
    by_year = by_year[by_year["programme"] == "all"]
    items: list[tuple] = []
    for measure in ("net_cost", "gross_outlay", "refunds_recovered", "new_beneficiaries"):
        scale, unit = (1.0, "people") if measure == "new_beneficiaries" else (1e-9, "bn")
        for r in by_year[by_year["measure"] == measure].itertuples():
            items.append((measure, unit, r.expected * scale, int(r.year), r.p5 * scale,
                          r.p95 * scale))
    for r in _read_csv(folder / "ceiling.csv").itertuples():
        items.append(("ceiling", "bn", r.ceiling * 1e-9, int(r.year)))
        items.append(("p_breach", "%", r.p_breach * 100, int(r.year)))
    net = by_year[by_year["measure"] == "net_cost"]["expected"]
    items.append(("net_cost_total", "bn", float(net.sum()) * 1e-9 if len(net) else None))
    items += [("places_granted", "people", summary.get("places_granted")),
              ("waitlisted", "people", summary.get("waitlisted"))]
    return items


def _capability_rows(section: str, kind: str, folder: Path,
                     summary: dict[str, Any]) -> list[dict[str, Any]]:
    if kind == "review":
        return _rows(section, _review(summary))
    if kind == "placement":
        return _rows(section, _placement(summary))
    if kind == "workload":
        return _rows(section, _workload(summary))
    if kind == "incentives":
        return _rows(section, _incentives(folder, summary))
    return []


def _projection_rows(folder: Path) -> list[dict[str, Any]]:
    from .projection.words import indicator_kind, scaled

    path = folder / "bands.csv"
    if not path.is_file() and (folder / "bands.parquet").is_file():
        bands = pd.read_parquet(folder / "bands.parquet")
    else:
        bands = _read_csv(path)
    unit_of = {"share": "%", "vnd": "bn", "people": "people", "count": "posts",
               "ratio": "ratio", "units": ""}
    rows = []
    for r in bands.itertuples():
        where = "province" if r.scope == "province" else f"{r.scope}:{r.unit}"
        indicator = str(r.indicator)
        rows.append({"section": "projection", "scenario": str(r.scenario), "year": int(r.year),
                     "where": where, "measure": indicator,
                     "unit": unit_of.get(indicator_kind(indicator), ""),
                     "value": scaled(indicator, float(r.p50)),
                     "p5": scaled(indicator, float(r.p5)), "p95": scaled(indicator, float(r.p95))})
    return rows


def headline_table(run: ResultsFolder) -> pd.DataFrame:
    """The folder's headline figures, one row each (columns :data:`HEADLINE_COLUMNS`)."""
    if run.kind == "projection":
        rows = _projection_rows(run.path)
    elif run.kind == "run":
        rows = []
        for name, summary in run.summary["sections"].items():
            if isinstance(summary, dict):
                rows += _capability_rows(name, name, run.path / name, summary)
    else:
        rows = _capability_rows(run.kind, run.kind, run.path, run.summary)
    frame = pd.DataFrame(rows, columns=list(HEADLINE_COLUMNS))
    for col in ("value", "p5", "p95"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame.astype(HEADLINE_COLUMNS)


def measure_label(measure: str, lang: str, kind: str = "") -> str:
    """The measure's label in ``lang`` (a projection's indicators by the projection's labels)."""
    if measure in MEASURES and kind != "projection":
        return MEASURES[measure][LANGS.index(lang)]
    from .projection.words import indicator_label

    return indicator_label(measure, lang)


def compare(runs: list[ResultsFolder], lang: str = "vi") -> pd.DataFrame:
    """Each alternative's headline figures against the baseline's (the first folder): one row
    per figure and alternative (columns :data:`COMPARISON_COLUMNS`)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    tables = [headline_table(run) for run in runs]
    base = tables[0].rename(columns={"value": "baseline", "p5": "baseline_p5",
                                                   "p95": "baseline_p95"})
    frames = []
    for run, table in zip(runs[1:], tables[1:], strict=True):
        alt = table.drop(columns="unit")
        both = base.merge(alt, on=KEYS, how="outer", sort=False)
        both["unit"] = both["unit"].fillna("")
        both["run"] = run.name
        frames.append(both)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=list(COMPARISON_COLUMNS))
    order = {}  # rows in the order the folders list them (a merge sorts its keys)
    for col in ("run", "section", "scenario", "measure", "where"):
        seen = [*(t[col].astype(str) for t in tables if col in t), out[col].astype(str)]
        first = list(dict.fromkeys(v for values in seen for v in values))
        order[col] = out[col].astype(str).map({v: i for i, v in enumerate(first)})
    order["year"] = out["year"]
    out = out.loc[pd.DataFrame(order).sort_values(
        ["run", "section", "scenario", "measure", "year", "where"], kind="stable").index]
    out = out.reset_index(drop=True)
    out["difference"] = out["value"] - out["baseline"]
    out["relative_difference"] = (out["difference"] / out["baseline"].abs()).where(
        out["baseline"].abs() > 0) * 100
    out["measure_label"] = out["measure"].map(lambda m: measure_label(str(m), lang,
                                                                       runs[0].kind))
    return out[list(COMPARISON_COLUMNS)].astype(COMPARISON_COLUMNS)


# --------------------------------------------------------------------------------- writing

def _fmt(value: Any, lang: str, digits: int | None = None) -> str:
    """A number in ``lang``'s notation; whole numbers without decimals unless ``digits``."""
    from .projection.words import number

    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    value = float(value)
    if digits is None:
        digits = 0 if abs(value - round(value)) < 1e-9 and abs(value) >= 1 else 2
    return number(value, lang, digits)


def _band(value: Any, low: Any, high: Any, lang: str) -> str:
    present = [float(v) for v in (value, low, high) if not pd.isna(v)]
    digits = 0 if all(abs(v - round(v)) < 1e-9 and (abs(v) >= 1 or v == 0)
                      for v in present) else 2
    text = _fmt(value, lang, digits)
    if not (pd.isna(low) or pd.isna(high)):
        text += f" ({_fmt(low, lang, digits)}–{_fmt(high, lang, digits)})"
    return text


def _where(value: str, lang: str) -> str:
    return _w("province", lang) if value == "province" else value


def display_rows(table: pd.DataFrame, lang: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the comparison as text (what is printed and put in the pages)."""
    show_scenario = bool((table["scenario"] != "").any())
    show_section = table["section"].nunique() > 1
    header = ([_w("section", lang)] if show_section else []) + (
        [_w("scenario", lang)] if show_scenario else []) + [
        _w("measure", lang), _w("unit", lang), _w("year", lang), _w("where", lang),
        _w("baseline", lang), _w("alternative", lang), _w("difference", lang),
        _w("relative", lang)]
    rows = []
    for r in table.itertuples():
        unit = UNITS.get(r.unit, (r.unit, r.unit))[LANGS.index(lang)]
        rows.append(([r.section] if show_section else []) + (
            [r.scenario] if show_scenario else []) + [
            r.measure_label, unit, "" if pd.isna(r.year) else str(r.year),
            _where(r.where, lang), _band(r.baseline, r.baseline_p5, r.baseline_p95, lang),
            f"{r.run}: {_band(r.value, r.p5, r.p95, lang)}",
            ("+" if r.difference > 0 else "") + _fmt(r.difference, lang),
            ("+" if r.relative_difference > 0 else "") + _fmt(r.relative_difference, lang, 1)])
    return header, rows


def _markdown(header: list[str], rows: list[list[str]], title: str, intro: list[str]) -> str:
    from .report import md_escape

    lines = [f"# {md_escape(title)}", "", *[f"- {md_escape(x)}" for x in intro], "",
             "| " + " | ".join(md_escape(h) for h in header) + " |",
             "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_comparison(runs: list[ResultsFolder], table: pd.DataFrame, out_dir: Path,
                     lang: str = "vi") -> list[str]:
    """``comparison.csv`` (UTF-8 with BOM), ``comparison.md``, ``comparison.html`` and
    ``summary.json`` into ``out_dir``; returns the files written."""
    from . import __version__
    from .htmlreport import _environment
    from .report import write_csv, write_json

    write_csv(table, out_dir / "comparison.csv")
    header, rows = display_rows(table, lang)
    title = _w("title", lang)
    intro = [f"{_w('kind', lang)}: {KIND_WORDS[runs[0].kind][LANGS.index(lang)]}",
             f"{_w('baseline', lang)}: {runs[0].path}",
             *[f"{_w('alternative', lang)}: {r.path}" for r in runs[1:]], _w("note", lang)]
    (out_dir / "comparison.md").write_text(_markdown(header, rows, title, intro),
                                           encoding="utf-8")
    synthetic = any(bool(r.summary.get("synthetic_staff_data", r.summary.get("synthetic")))
                    for r in runs)
    t = {k: v[LANGS.index(lang)] for k, v in WORDS.items()}
    page = _environment().get_template("compare.html.j2").render(
        lang=lang, t=t, title=title, subtitle="khcadre", synthetic=synthetic,
        version=__version__, intro=intro, header=header, rows=rows)
    (out_dir / "comparison.html").write_text(page, encoding="utf-8")
    write_json({"capability": "compare", "kind": runs[0].kind,
                "baseline": str(runs[0].path), "alternatives": [str(r.path) for r in runs[1:]],
                "rows": len(table), "synthetic_staff_data": synthetic,
                "files": ["comparison.csv", "comparison.html", "comparison.md",
                          "summary.json"]}, out_dir / "summary.json")
    return ["comparison.csv", "comparison.html", "comparison.md", "summary.json"]


# ----------------------------------------------------------------------------- command line

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR",
                        help=help_text("các thư mục kết quả do cùng một lệnh khcadre ghi; thư "
                                       "mục đầu tiên làm gốc",
                                       "results folders written by the same khcadre command; "
                                       "the first is the baseline"))
    parser.add_argument("--out", type=Path, default=None,
                        help=help_text("ghi thêm comparison.csv, comparison.md và "
                                       "comparison.html vào thư mục này (thư mục mới hoặc "
                                       "trống, hoặc thư mục khcadre đã ghi)",
                                       "also write comparison.csv, comparison.md and "
                                       "comparison.html into this folder (a new or empty "
                                       "folder, or one khcadre wrote)"))
    parser.add_argument("--force", action="store_true", help=force_help())


def command(args: argparse.Namespace) -> int:
    from .outputs import output_dir

    runs = open_folders(args.runs)
    protect = [("a compared folder", r.path) for r in runs]
    if args.out is not None:
        out = Path(args.out).expanduser().resolve()
        for run in runs:
            if run.path.resolve() in out.parents:
                raise _problem(Path(args.out), f"lies inside the compared folder {run.path}",
                               "give --out a folder outside the compared folders")
    table = compare(runs, args.lang)
    printed = table if runs[0].kind != "projection" else table[table["where"] == "province"]
    header, rows = display_rows(printed.head(PRINTED_ROWS), args.lang)
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(row))
    if len(printed) > PRINTED_ROWS:
        print(_w("more", args.lang, n=len(printed) - PRINTED_ROWS))
    if args.out is not None:
        with output_dir(args.out, command=args.command_line, protect=protect,
                        force=args.force) as tmp:
            write_comparison(runs, table, tmp, args.lang)
        from .cli import _say  # the command line's message table

        print(_say(args, "wrote", out=args.out))
    return 0

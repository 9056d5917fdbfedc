"""Writing results: CSV/JSON with stable formatting and formula-safe text, figures, index."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pandas as pd

# OWASP CSV-injection guidance: a text cell starting with one of these is read as a formula by
# spreadsheet programs; prefixing a single quote makes it inert text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell that a spreadsheet would run as a formula starts with
    ``'`` (numbers, booleans and missing cells are left alone)."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        risky = values.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_START))
        if risky.any():
            out[col] = values.astype(object).where(~risky, "'" + values.astype(str))
    return out


def write_csv(frame: pd.DataFrame, path: Path, float_format: str | None = "%.6g") -> None:
    """A results table as CSV: UTF-8 with a byte-order mark (so Excel on Windows shows
    Vietnamese correctly), formula-safe text cells, stable number formatting
    (``float_format=None`` writes every float in full)."""
    neutralise_formulas(frame).to_csv(path, index=False, lineterminator="\n",
                                      float_format=float_format, encoding="utf-8-sig")


# columns holding a commune code (a name column goes beside them) and columns holding a code
# of the shared vocabulary (a label column in the report's language goes beside them)
TERRITORY_COLUMNS = ("territory_id", "home_territory_id", "origin_territory_id",
                     "from_territory_id", "to_territory_id", "territory_id_after")
CODE_COLUMNS = ("field", "post_field", "area_class", "office")
NAMED_ROWS_LIMIT = 100_000  # bigger tables (every scored pair) keep codes only, to stay small


def with_names(frame: pd.DataFrame, lang: str, names: pd.Series | None) -> pd.DataFrame:
    """The table with a name beside every commune code and a label beside every field, area
    class and office code (``<column>_name``), in ``lang``."""
    from .labels import label

    if len(frame) > NAMED_ROWS_LIMIT:
        return frame
    out = frame.copy()
    for col in list(out.columns):
        target = f"{col.removesuffix('_id')}_name" if col.endswith("_id") else f"{col}_name"
        if target in out.columns or col == "name":
            continue
        if col in TERRITORY_COLUMNS and names is not None and "name" not in out.columns:
            values = out[col].map(names)
        elif col in TERRITORY_COLUMNS and names is not None:
            values = out[col].map(names) if col != "territory_id" else None
        elif col in CODE_COLUMNS:
            values = out[col].map(lambda v: label(v, lang) if isinstance(v, str) else v)
        else:
            continue
        if values is not None:
            out.insert(out.columns.get_loc(col) + 1, target, values.astype(object))
    return out


def write_json(data: Any, path: Path) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n",
                    encoding="utf-8")


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def set_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write one workbook cell; text is always stored as text, never as a formula (a name
    starting with '=', '+', '-' or '@' stays a name)."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def save_figure(fig: Any, path: Path) -> None:
    """Save a matplotlib figure as PNG and release it."""
    import matplotlib.pyplot as plt

    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def write_result(result: Any, out_dir: Path, lang: str = "vi",
                 meta: dict[str, Any] | None = None, extras: Any = None,
                 names: pd.Series | None = None) -> dict[str, Any]:
    """Write any capability's result the same way — its tables as CSV (with unit names beside
    codes, ``names``: territory_id → name), its figures as PNG, ``summary.json`` — plus what
    ``extras(result, out_dir, lang)`` writes (e.g. a workbook). Returns the summary, which lists
    every file written."""
    float_format = getattr(result, "csv_float_format", "%.6g")
    files = []
    for name, table in result.tables().items():
        write_csv(with_names(table, lang, names), out_dir / f"{name}.csv",
                  float_format=float_format)
        files.append(f"{name}.csv")
    for name, fig in result.figures(lang).items():
        save_figure(fig, out_dir / f"{name}.png")
        files.append(f"{name}.png")
    if extras is not None:
        files += list(extras(result, out_dir, lang))
    summary = {**(meta or {}), **result.summary(), "files": sorted([*files, "summary.json"])}
    write_json(summary, out_dir / "summary.json")
    return summary


def md_escape(text: str) -> str:
    """Text as Markdown shows it literally: HTML and Markdown punctuation escaped."""
    text = html.escape(text, quote=False)
    return "".join("\\" + ch if ch in "\\`*_[]|#" else ch for ch in text)


def write_index_md(out_dir: Path, title: str, meta: dict[str, Any],
                   sections: list[tuple[str, str, dict[str, Any]]]) -> None:
    """index.md: the run in plain text — one section per capability with its headline and
    files (``sections`` holds (folder, heading, summary) triples)."""
    md = [f"# {md_escape(title)}", ""]
    for key, value in meta.items():
        md.append(f"- **{md_escape(str(key))}**: {md_escape(str(value))}")
    md.append("")
    for folder, heading, summary in sections:
        md += [f"## {md_escape(heading)}", ""]
        md += [f"- {md_escape(line)}" for line in summary.get("headline", [])]
        md += ["", "Files: " + ", ".join(f"[{md_escape(f)}](<{folder}/{f}>)"
                                        for f in summary.get("files", [])), ""]
    (out_dir / "index.md").write_text("\n".join(md) + "\n", encoding="utf-8")

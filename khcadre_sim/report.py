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
    """A results table as CSV: UTF-8, formula-safe text cells, stable number formatting
    (``float_format=None`` writes every float in full)."""
    neutralise_formulas(frame).to_csv(path, index=False, lineterminator="\n",
                                      float_format=float_format)


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
                 meta: dict[str, Any] | None = None, extras: Any = None) -> dict[str, Any]:
    """Write any capability's result the same way — its tables as CSV, its figures as PNG,
    ``summary.json`` — plus what ``extras(result, out_dir, lang)`` writes (e.g. a workbook).
    Returns the summary, which lists every file written."""
    float_format = getattr(result, "csv_float_format", "%.6g")
    files = []
    for name, table in result.tables().items():
        write_csv(table, out_dir / f"{name}.csv", float_format=float_format)
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


def write_index(out_dir: Path, title: str, meta: dict[str, Any],
                sections: list[tuple[str, str, dict[str, Any]]]) -> None:
    """Write index.md and index.html: one section per capability with its headline and files.

    ``sections`` holds (folder, heading, summary) triples.
    """
    md = [f"# {md_escape(title)}", ""]
    for key, value in meta.items():
        md.append(f"- **{md_escape(str(key))}**: {md_escape(str(value))}")
    md.append("")
    body = [f"<h1>{html.escape(title)}</h1>", "<ul>"]
    body += [f"<li><b>{html.escape(str(k))}</b>: {html.escape(str(v))}</li>"
             for k, v in meta.items()]
    body.append("</ul>")
    for folder, heading, summary in sections:
        md += [f"## {md_escape(heading)}", ""]
        body.append(f"<h2>{html.escape(heading)}</h2><ul>")
        for line in summary.get("headline", []):
            md.append(f"- {md_escape(line)}")
            body.append(f"<li>{html.escape(line)}</li>")
        body.append("</ul><p>")
        files = summary.get("files", [])
        md.append("")
        md.append("Files: " + ", ".join(f"[{md_escape(f)}](<{folder}/{f}>)" for f in files))
        md.append("")
        body.append(" · ".join(f'<a href="{html.escape(folder)}/{html.escape(f)}">'
                               f"{html.escape(f)}</a>" for f in files))
        body.append("</p>")
        body += [f'<img src="{html.escape(folder)}/{html.escape(f)}" alt="{html.escape(f)}" '
                 'style="max-width:48%">' for f in files if f.endswith(".png")]
    (out_dir / "index.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    page = ("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title></head><body>" + "\n".join(body)
            + "</body></html>\n")
    (out_dir / "index.html").write_text(page, encoding="utf-8")

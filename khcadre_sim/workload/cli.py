"""The ``khcadre workload`` command: options and the files it writes."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataValidationError, Problem
from ..report import save_figure, write_csv, write_json
from . import plots
from .api import run_workload
from .tables import commune_field_table, moves_table, office_table, person_table, summary


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--standards", type=Path, default=None,
                        help="workload standards CSV (field, minutes_per_case, from, source, "
                             "assumption); default: data/policy/workload_standards.csv")
    parser.add_argument("--time-shares", type=Path, default=None,
                        help="optional CSV (staff_id, field, share) overriding the default "
                             "time-share rule for the people it lists")
    parser.add_argument("--no-rebalance", action="store_true",
                        help="measure the load only, without the rebalancing optimizer")
    parser.add_argument("--lang", choices=("vi", "en"), default="vi",
                        help="language of figure labels")


def _read_time_shares(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataValidationError(Problem(file=str(path), message="file not found",
                                          fix="give a CSV with columns staff_id, field, share"))
    return pd.read_csv(path, dtype={"staff_id": str, "field": str}, encoding="utf-8-sig")


def write_outputs(province: Any, scenario: Any, out_dir: Path,
                  args: argparse.Namespace) -> dict[str, Any]:
    """Run the workload analysis and write its CSVs, figures and summary.json into ``out_dir``."""
    shares_path = getattr(args, "time_shares", None)
    shares = _read_time_shares(Path(shares_path)) if shares_path else None
    result = run_workload(province, scenario, standards_path=getattr(args, "standards", None),
                          time_shares=shares,
                          do_rebalance=not getattr(args, "no_rebalance", False))
    names = province.territories.set_index("territory_id")["name"]
    files = {
        "load_by_person.csv": person_table(result),
        "load_by_commune_field.csv": commune_field_table(result, names),
        "load_by_commune_office.csv": office_table(result),
        "rebalance_moves.csv": moves_table(result),
        "workload_standards_used.csv": result.standards.assign(
            **{"from": result.standards["from"].map(lambda d: d.isoformat())}),
    }
    if result.rebalanced is not None:
        files["residual_shortage.csv"] = result.rebalanced.shortage
        files["load_by_commune.csv"] = result.rebalanced.per_commune
    for name, frame in files.items():
        write_csv(frame, out_dir / name)
    lang = getattr(args, "lang", "vi")
    figures = {"load_heatgrid.png": plots.load_heatgrid(result, lang),
               "load_vs_competency.png": plots.load_vs_competency(result, lang)}
    if result.rebalanced is not None:
        figures["load_distribution.png"] = plots.load_distribution(result, lang)
        figures["residual_shortage.png"] = plots.residual_shortage(result, lang)
    for name, fig in figures.items():
        save_figure(fig, out_dir / name)
    out = {"data": getattr(province, "source", ""), "scenario": scenario.name,
           "seed": scenario.seed, **summary(result), "files": sorted([*files, *figures,
                                                                        "summary.json"])}
    write_json(out, out_dir / "summary.json")
    return out

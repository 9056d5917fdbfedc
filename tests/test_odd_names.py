"""Text from users' tables travels into every output as plain text: never a formula in a
spreadsheet, never markup in the index, never mathematical notation in a figure."""

import shutil
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from khcadre_sim.cli import main
from khcadre_sim.paths import BUNDLED_PROVINCE

ODD = {0: "=HYPERLINK(\"http://x\",\"Xã\")", 1: "Xã $\\frac{$ Mới", 2: "+Phường <b>Một</b>",
       3: "@Đặc khu | *Hai* [x](y)", 4: "-Xã_Ba#"}


def test_odd_names_run_through_every_output(tmp_path: Path):
    data = tmp_path / "province"
    shutil.copytree(BUNDLED_PROVINCE, data)
    terr = pd.read_csv(data / "territories.csv", dtype=str, keep_default_na=False)
    for row, name in ODD.items():
        terr.loc[row, "name"] = name
    terr.to_csv(data / "territories.csv", index=False)
    out = tmp_path / "results"
    assert main(["run", "--data", str(data), "--out", str(out)]) == 0
    # CSVs: a text cell that a spreadsheet would run starts with a quote
    names = pd.read_csv(out / "incentives" / "by_commune.csv", dtype=str)["name"]
    for name in ODD.values():
        if name[0] in "=+-@":
            assert ("'" + name) in set(names) and name not in set(names)
    # the workbook stores every name as text, never as a formula
    for path in (out / "incentives" / "incentives.xlsx", out / "ke_hoach_can_bo.xlsx"):
        wb = load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
        assert ODD[0] in {c.value for ws in wb.worksheets for row in ws.iter_rows()
                          for c in row}  # the name itself, as text
    # the index escapes markup
    md = (out / "index.md").read_text(encoding="utf-8")
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<b>" not in md and "<b>Một" not in html
    # every figure was drawn (a '$…$' name would have raised in mathtext)
    assert len(list(out.rglob("*.png"))) >= 6

"""The committed notebooks are what readers see on the web: every cell that makes a figure
shows it, every cell ran in order, and no cell holds an error."""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_figure_cell_shows_its_figure_and_nothing_failed(path: Path):
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), "run every cell once, top to bottom"
    for i, cell in enumerate(cells):
        outputs = cell["outputs"]
        assert not [o for o in outputs if o["output_type"] == "error"], f"code cell {i} failed"
        if "fig = " in "".join(cell["source"]):
            assert any("image/png" in o.get("data", {}) for o in outputs), \
                f"code cell {i} makes a figure but shows none"

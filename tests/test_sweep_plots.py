"""Sweep figures draw what they are given, in the chosen language."""

import matplotlib
import numpy as np
import pandas as pd

from khcadre_sim.sweep.analysis import prim
from khcadre_sim.sweep.plots import breach_heatmap, prim_tradeoff, sobol_bars

matplotlib.use("Agg")


def words(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def test_breach_heatmap_writes_each_cells_probability_in_percent():
    table = pd.DataFrame({"a": [1.0, 1.0, 2.0, 2.0], "b": [0.1, 0.2, 0.1, 0.2],
                          "probability": [0.0, 0.25, 0.5, 1.0], "experiments": [4] * 4})
    fig = breach_heatmap(table, "a", "b", lang="en")
    text = words(fig)
    for cell in ("0%", "25%", "50%", "100%"):
        assert cell in text.split()
    assert "Probability" in text and "Xác suất" not in text


def test_sobol_bars_and_prim_tradeoff_in_vietnamese():
    idx = pd.DataFrame({"factor": ["x.a", "x.b"], "S1": [0.7, 0.1], "S1_conf": [0.1, 0.05],
                        "ST": [0.8, 0.2], "ST_conf": [0.1, 0.05]})
    fig = sobol_bars(idx, lang="vi")
    assert len([p for p in fig.axes[0].patches]) == 4
    assert "Bậc một (S1)" in words(fig)
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"u": rng.uniform(size=400), "v": rng.uniform(size=400)})
    found = prim(x, (x["u"] < 0.5).to_numpy(), threshold=0.9)
    fig = prim_tradeoff(found, lang="vi")
    assert "Độ bao phủ" in words(fig) and "Coverage" not in words(fig)

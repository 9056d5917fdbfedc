"""Progress inside long steps (placement rounds, workload blocks, Monte Carlo draws): shown on
stderr when the command line enables it, in its language; results unchanged."""

import io
import sys

import pytest

import khcadre_sim.incentives as inc
from khcadre_sim import progress, workload
from khcadre_sim.examples import scenario as example_scenario
from khcadre_sim.examples import small_province
from khcadre_sim.placement import api as placement_api


@pytest.mark.parametrize("lang,words", [
    ("en", ("Placement: pricing rounds", "Workload: blocks", "Incentives: 300 draws")),
    ("vi", ("Bố trí: các vòng định giá", "Khối lượng công việc: các khối",
            "Kinh phí: 300 lần mô phỏng")),
])
def test_inner_bars_in_the_chosen_language(monkeypatch, lang, words):
    province, scenario = small_province(4, seed=2, scale=0.5), example_scenario()
    quiet = (placement_api.run(province, scenario).solution.objective,
             workload.run(province, scenario).after.peak)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    try:
        progress.enable(True, lang)
        shown = (placement_api.run(province, scenario).solution.objective,
                 workload.run(province, scenario).after.peak)
        inc.run(province, scenario, draws=300, curves=False)
    finally:
        progress.enable(False)
    for word in words:
        assert word in err.getvalue()
    assert shown == quiet  # progress changes nothing

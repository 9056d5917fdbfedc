"""Figures people can read: legends for twin axes, plain log ticks, gap bounds on rule prices,
names on maps, shares in %, in Vietnamese and English."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402

from khcadre_sim import plots, workload  # noqa: E402
from khcadre_sim.examples import scenario as example_scenario  # noqa: E402
from khcadre_sim.examples import small_province  # noqa: E402
from khcadre_sim.placement import api as placement_api  # noqa: E402
from khcadre_sim.placement import plots as placement_plots  # noqa: E402
from khcadre_sim.review import api as review_api  # noqa: E402
from khcadre_sim.review import plots as review_plots  # noqa: E402
from khcadre_sim.workload import plots as workload_plots  # noqa: E402


@pytest.fixture(scope="module")
def province():
    return small_province(6, seed=11, scale=0.5)


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text()]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_load_vs_competency_has_a_legend_for_both_axes_and_plain_log_ticks(province, lang):
    result = workload.run(province, example_scenario())
    fig = workload_plots.load_vs_competency(result, lang)
    fig.canvas.draw()
    assert fig.legends, "twin axes need a legend"
    names = [t.get_text() for t in fig.legends[0].get_texts()]
    left, right = (("trục trái", "trục phải") if lang == "vi" else ("left axis", "right axis"))
    assert any(left in n for n in names) and any(right in n for n in names)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and not any("10" in t and ("×" in t or "^" in t) for t in ticks)
    assert "1" in ticks
    plt.close(fig)


def test_rule_prices_show_their_gap_bounds():
    prices = {"thresholds": {"price": 10.0, "gap_bound": 3.0},
              "non_local": {"price": 1.0, "gap_bound": 2.0},
              "rotation": {"price": None, "status": "infeasible"}}
    fig = placement_plots.rule_prices_chart(prices, "en")
    ax = fig.axes[0]
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 1
    segments = bars[0].lines[2][0].get_segments()
    ends = sorted((round(s[0][0], 9), round(s[1][0], 9)) for s in segments)
    # price ± gap, never below 0: [0, 3] for 1 ± 2 and [7, 13] for 10 ± 3
    assert ends == [(0.0, 3.0), (7.0, 13.0)]
    assert any("no answer without the rule" in t for t in _texts(fig))
    assert "Range the solver gaps could hide" in [t.get_text()
                                                  for t in ax.get_legend().get_texts()]
    plt.close(fig)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_maps_name_units(province, lang):
    fig = plots.province_map(province, lang, n_names=3)
    t = province.territories
    top = t.loc[t["population"].astype(float).nlargest(3).index, "name"]
    texts = _texts(fig)
    for name in top:
        assert plots.short_name(name) in texts
    plt.close(fig)
    result = placement_api.run(province, example_scenario())
    fig = placement_plots.moves_map(result, province.territories, lang)
    legend = fig.axes[0].get_legend()
    assert legend is not None and len(legend.get_texts()) == 5
    plt.close(fig)


def test_shares_are_on_percent_axes(province):
    result = review_api.run(province, example_scenario())
    fig = review_plots.review_by_area_class(result, "vi")
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert ticks and all(t.endswith("%") for t in ticks)
    assert np.isclose(fig.axes[0].get_ylim()[1], 1.0)
    plt.close(fig)

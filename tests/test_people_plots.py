"""The people-over-time figures draw on a small province in both languages, with the numbers
they are given (bars add up to the tables) and no other language's words."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from khcadre_sim.examples import scenario, small_province
from khcadre_sim.people import evaluation, exits, plots, recruitment, training

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def world():
    province = small_province(n=6, seed=3)
    s = scenario()
    retirees, _ = exits.retirements_between(province.staff, s.params, 2026, 2030,
                                            province.positions)
    rated = evaluation.evaluate(province, s, 2026, np.random.default_rng(1))
    plan = training.plan(province, s, [2026], np.random.default_rng(1))
    short = pd.DataFrame({"territory_id": [str(province.territories["territory_id"].iloc[0])],
                          "field": ["it_digital"], "shortage_fte": [3.2],
                          "reason": ["overload_after_rebalance"]})
    need = recruitment.recruitment(province, short, s, 2027, np.random.default_rng(2))
    return province, retirees, rated, plan, need


def texts(fig) -> str:
    return " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


@pytest.mark.parametrize(("lang", "word", "foreign"), [
    ("vi", "Năm", "Year"), ("en", "Year", "Năm")])
def test_figures_draw_in_the_chosen_language(world, lang, word, foreign):
    province, retirees, rated, plan, need = world
    figs = [plots.retirement_wave(retirees, province.territories, lang),
            plots.ratings_and_levelling(rated, province.territories, lang),
            plots.training_plan(plan, lang), plots.recruitment_by_field(need, lang)]
    for fig in figs:
        assert foreign not in texts(fig).split()
    assert word in texts(figs[0]).split()


def test_retirement_bars_add_up_to_the_table(world):
    province, retirees, *_ = world
    fig = plots.retirement_wave(retirees, province.territories, "en")
    ax = fig.axes[0]
    heights = np.array([p.get_height() for p in ax.patches])
    assert heights.sum() == pytest.approx(len(retirees))


def test_recruitment_bars_cover_the_posts_to_fill(world):
    *_, need = world
    fig = plots.recruitment_by_field(need, "en")
    widths = sum(p.get_width() for p in fig.axes[0].patches)
    assert widths == pytest.approx(int(need.by_field()["posts_to_fill"].sum()))


def test_literal_text_restores_only_its_own_setting():
    """A figure function must not undo settings changed while it ran (Jupyter's inline backend
    turns on interactive mode when the first figure is made; undoing that hid every later
    figure of a notebook)."""
    from khcadre_sim.labels import literal_text

    @literal_text
    def draw() -> bool:
        matplotlib.interactive(True)
        return matplotlib.rcParams["text.parse_math"]

    was = matplotlib.is_interactive()
    matplotlib.interactive(False)
    try:
        assert draw() is False  # names are drawn literally inside
        assert matplotlib.is_interactive()  # what happened inside stays
        assert matplotlib.rcParams["text.parse_math"] is True  # and the setting is restored
    finally:
        matplotlib.interactive(was)

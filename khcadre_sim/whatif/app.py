"""The what-if page: Panel widgets bound to the package's public API.

Panel (HoloViz) serves it, rather than Voilà, because the page is a plain, tested Python module
instead of a notebook that a kernel executes for every visitor; its widgets call the public API
directly (``Scenario.with_overrides`` and ``kh.run``, see :mod:`.model`); and Panel's server
ships its own JavaScript and styles, so the page works on a machine without internet access.

Two tabs, in Vietnamese by default with an English switch:

1. **Incentive budget** (the budget officer): caps, amounts, commitment and the main uncertain
   rates → the net cost by year with its P5–P95 band against the ceiling, and a summary table.
   Each change reruns the incentive capability (2,000 draws, about a tenth of a second on the
   bundled province); a value the scenario key table rejects shows its error line on the page.
2. **Commune explorer** (the planner): one unit's facts and the small tables every capability
   offers for it, from the results computed once when the page starts.

Start it with ``python -m khcadre_sim.whatif`` (see :mod:`.__main__`).
"""

from __future__ import annotations

import asyncio
import html
import math
import re
from typing import Any

import panel as pn

from .model import (
    CAP_SLIDER,
    COMMITMENT_SLIDER,
    DRAWS,
    FACTOR_SLIDER,
    BudgetInputs,
    Outcome,
    Workbench,
    amount_text,
    budget_summary,
    check_lang,
    commune_choices,
    commune_facts,
    commune_sections,
    cost_figure,
    slider_range,
    word,
    year_table,
)

LANGUAGES = {"Tiếng Việt": "vi", "English": "en"}
CONTROLS_WIDTH = 380


def _md(text: str) -> str:
    """User text (names from files) shown literally in a Markdown pane."""
    return html.escape(text, quote=False)


TABLE_STYLE = ("<style>table.whatif{border-collapse:collapse;font-size:13px;margin:4px 0 8px}"
               "table.whatif th,table.whatif td{padding:3px 10px;border-bottom:1px solid #ddd;"
               "text-align:left}table.whatif .num{text-align:right}"
               "table.whatif tr:nth-child(even) td{background:#f6f6f6}</style>")
NUMBER = re.compile(r"^[-−+]?[\d.,]+%?( \(.*\))?$")  # numbers (and '6.0 (2029)') align right


def html_table(frame: Any, css: str = "") -> str:
    """A table of text cells as HTML: every cell escaped, columns of numbers aligned right."""
    if frame is None:
        return ""
    numeric = [len(frame) > 0 and all(NUMBER.match(str(v)) or str(v) == "" for v in frame[c])
               for c in frame.columns]

    def cell(tag: str, value: Any, num: bool) -> str:
        attr = ' class="num"' if num else ""
        return f"<{tag}{attr}>{html.escape(str(value))}</{tag}>"

    head = "".join(cell("th", c, n) for c, n in zip(frame.columns, numeric, strict=True))
    rows = "".join("<tr>" + "".join(cell("td", v, n) for v, n in zip(row, numeric, strict=True))
                   + "</tr>" for row in frame.itertuples(index=False))
    return (f'{TABLE_STYLE}<div class="{css}"><table class="whatif"><thead><tr>{head}</tr>'
            f"</thead><tbody>{rows}</tbody></table></div>")


def _table_pane(frame: Any, css: str = "") -> pn.pane.HTML:
    return pn.pane.HTML(html_table(frame, css), sizing_mode="stretch_width")


class WhatIfPage:
    """One visitor's page. The workbench (province, scenario, start results, cache of runs) is
    shared; the widgets' values, the last valid run and the language belong to the visitor.
    Switching the language rebuilds the widgets with the same values."""

    def __init__(self, bench: Workbench, lang: str = "vi") -> None:
        self.bench = bench
        self.lang = check_lang(lang)
        self.inputs = BudgetInputs.from_scenario(bench.scenario)
        self.outcome: Outcome = bench.start
        self.errors: list[str] = list(bench.start.errors)
        self.choices = commune_choices(bench.province)
        self.commune = next(iter(self.choices.values()))
        self.active_tab = 0
        self.request = 0  # number of the latest recompute asked for
        self.lang_switch = pn.widgets.RadioButtonGroup(
            options=LANGUAGES, value=self.lang, button_type="default",
            css_classes=["whatif-lang"])
        self.lang_switch.param.watch(self._on_lang, "value")
        self.header = pn.pane.Markdown("", sizing_mode="stretch_width")
        self.body = pn.Column(sizing_mode="stretch_width")
        self.view = pn.Column(pn.Row(self.header, self.lang_switch, sizing_mode="stretch_width"),
                              self.body, sizing_mode="stretch_width")
        self._render()

    # ------------------------------------------------------------------------ layout
    def _render(self) -> None:
        lang = self.lang
        scenario = self.bench.scenario
        synthetic = getattr(self.bench.province, "synthetic", False)
        self.header.object = (
            f"## {word('title', lang)}\n{word('subtitle', lang)}. "
            f"{word('scenario', lang)}: **{_md(scenario.name)}**"
            + (f" — *{word('synthetic', lang)}*" if synthetic else ""))
        self.tabs = pn.Tabs((word("tab_budget", lang), self._budget_tab()),
                            (word("tab_commune", lang), self._commune_tab()),
                            active=self.active_tab, dynamic=False, sizing_mode="stretch_width")
        self.tabs.param.watch(self._on_tab, "active")
        self.body.objects = [self.tabs]

    def _budget_tab(self) -> pn.Row:
        controls, outputs = self._controls(), self._outputs()
        self._show_outcome()
        return pn.Row(controls, outputs, sizing_mode="stretch_width")

    def _controls(self) -> pn.Column:
        lang, inputs = self.lang, self.inputs
        self.sliders: list[pn.widgets.Widget] = []
        controls: list[Any] = [pn.pane.Markdown(f"### {word('caps', lang)}")]
        for name in ("commune_cap_share", "province_cap_share"):
            controls.append(self._slider(name, getattr(inputs, name), CAP_SLIDER, "0.00",
                                         css=f"whatif-{name.replace('_', '-')}"))
        self.amounts: dict[str, pn.pane.Markdown] = {}
        tables = {str(t["id"]): t for t in self.bench.scenario.levers["incentives"]["programmes"]}
        for p in inputs.programmes:
            title = tables[p.id].get("name_vi" if lang == "vi" else "name_en") or p.id
            controls.append(pn.pane.Markdown(f"### {_md(str(title))}"))
            controls.append(self._slider("monthly_factor", p.monthly_factor, FACTOR_SLIDER,
                                         "0.00", programme=p.id))
            controls.append(self._slider("one_off_factor", p.one_off_factor, FACTOR_SLIDER,
                                         "0.00", programme=p.id))
            self.sliders[-1].disabled = float(tables[p.id]["one_off"]) == 0  # nothing to scale
            controls.append(self._slider("commitment_months", p.commitment_months,
                                         COMMITMENT_SLIDER, "0", programme=p.id, whole=True))
            self.amounts[p.id] = pn.pane.Markdown("", css_classes=["whatif-amounts"])
            controls.append(self.amounts[p.id])
        controls.append(pn.pane.Markdown(f"### {word('rates', lang)}"))
        for key, value in inputs.rates:
            span = slider_range(key, value)
            digits = max(0, -int(round(math.log10(span[2]))))
            controls.append(self._slider(key, value, span, "0." + "0" * digits))
        reset = pn.widgets.Button(name=word("reset", lang), button_type="primary",
                                  css_classes=["whatif-reset"])
        reset.on_click(self._on_reset)
        controls.append(reset)
        return pn.Column(*controls, width=CONTROLS_WIDTH)

    def _outputs(self) -> pn.Column:
        lang = self.lang
        self.error_pane = pn.pane.Alert("", alert_type="danger", visible=False,
                                        css_classes=["whatif-error"],
                                        sizing_mode="stretch_width")
        self.figure_pane = pn.pane.Matplotlib(None, dpi=100, tight=True, format="png",
                                              width=760, css_classes=["whatif-figure"])
        self.summary_pane = _table_pane(None, "whatif-summary")
        self.years_pane = _table_pane(None, "whatif-years")
        self.headline_pane = pn.pane.Markdown("", css_classes=["whatif-headline"],
                                              sizing_mode="stretch_width")
        self.note_pane = pn.pane.Markdown("", css_classes=["whatif-note"])
        self.outputs = pn.Column(
            self.error_pane, self.figure_pane,
            pn.pane.Markdown(f"### {word('summary', lang)}"), self.summary_pane,
            pn.pane.Markdown(f"### {word('by_year', lang)}"), self.years_pane,
            pn.pane.Markdown(f"### {word('headline', lang)}"), self.headline_pane,
            self.note_pane, sizing_mode="stretch_width")
        return self.outputs

    def _slider(self, name: str, value: float, span: tuple[float, float, float], fmt: str,
                programme: str | None = None, whole: bool = False, css: str = "") -> pn.Column:
        """An editable slider over ``span`` = (start, end, step), widened to show ``value``:
        drag it, or type any value in its box (the key table, not the slider, decides what is
        valid)."""
        start, end, step = span
        cls = pn.widgets.EditableIntSlider if whole else pn.widgets.EditableFloatSlider
        widget = cls(name="", value=value, start=min(start, value), end=max(end, value),
                     step=step, format=fmt,
                     width=CONTROLS_WIDTH - 20, margin=(0, 10, 8, 10),
                     css_classes=[css or f"whatif-{name.replace('_', '-')}"
                                  + (f"-{programme}" if programme else "")])

        async def changed(event: Any) -> None:
            await self._on_value(name, event.new, programme)

        widget.param.watch(changed, "value_throttled")
        self.sliders.append(widget)
        # the label above the slider, so that a long label never pushes its value box aside
        caption = pn.pane.Markdown(word(name, self.lang), margin=(0, 10, -12, 10),
                                   width=CONTROLS_WIDTH - 20)
        return pn.Column(caption, widget, margin=0)

    def _commune_tab(self) -> pn.Column:
        lang = self.lang
        self.select = pn.widgets.Select(name=word("commune", lang), options=self.choices,
                                        value=self.commune, width=420,
                                        css_classes=["whatif-commune-select"])
        self.select.param.watch(self._on_commune, "value")
        self.commune_body = pn.Column(sizing_mode="stretch_width",
                                      css_classes=["whatif-commune"])
        self._show_commune()
        return pn.Column(self.select, self.commune_body, sizing_mode="stretch_width")

    # ------------------------------------------------------------------------ updates
    def _show_outcome(self) -> None:
        lang = self.lang
        self.error_pane.object = "\n".join(
            [word("error_intro", lang)] + [f"- {_md(line)}" for line in self.errors])
        self.error_pane.visible = bool(self.errors)
        tables = {str(t["id"]): t for t in self.bench.scenario.levers["incentives"]["programmes"]}
        for p in self.inputs.programmes:
            table = tables[p.id]
            one_off = (amount_text(table, "one_off", p.one_off_factor, lang)
                       if float(table["one_off"]) else word("no_one_off", lang))
            self.amounts[p.id].object = (
                f"{word('monthly_now', lang)}: **{amount_text(table, 'monthly', p.monthly_factor, lang)}**"  # noqa: E501
                f"; {word('one_off_now', lang)}: **{one_off}**; {p.commitment_months} "
                f"{word('months', lang)}")
        outcome = self.outcome
        if not outcome.ok:
            return
        start = self.bench.start.result if self.bench.start.ok else None
        self.figure_pane.object = cost_figure(outcome.result, start, lang)
        self.summary_pane.object = html_table(budget_summary(outcome, self.bench.start, lang),
                                              "whatif-summary")
        self.years_pane.object = html_table(year_table(outcome.result, lang), "whatif-years")
        self.headline_pane.object = "\n".join(
            f"- {_md(line)}" for line in outcome.result.headline(lang))
        self.note_pane.object = (f"*{word('draws_note', lang).format(draws=DRAWS)} "
                                 f"{word('seconds', lang)}: {outcome.seconds:.2f}*")

    def _show_commune(self) -> None:
        lang = self.lang
        items: list[Any] = [pn.pane.Markdown(f"### {word('facts', lang)}"),
                            _table_pane(commune_facts(self.bench.province, self.commune, lang),
                                        "whatif-commune-facts")]
        for section in commune_sections(self.bench, self.commune, lang):
            items.append(pn.pane.Markdown(f"### {_md(section['title'])}"))
            for line in section["errors"]:
                items.append(pn.pane.Alert(_md(line), alert_type="danger"))
            if not section["tables"] and not section["errors"]:
                items.append(pn.pane.Markdown(f"*{word('no_tables', lang)}*"))
            for block in section["tables"]:
                items.append(pn.pane.Markdown(f"**{_md(block['caption'])}**"))
                if len(block["table"]):
                    items.append(_table_pane(block["table"]))
                else:
                    items.append(pn.pane.Markdown(f"*{word('no_rows', lang)}*"))
                if block["more"]:
                    items.append(pn.pane.Markdown(f"*{block['more']}*"))
        items.append(pn.pane.Markdown(
            f"*{word('explorer_note', lang).format(name=_md(self.bench.scenario.name))}*"))
        self.commune_body.objects = items

    # ------------------------------------------------------------------------ events
    async def _on_value(self, name: str, value: Any, programme: str | None) -> None:
        """Recompute in a worker thread: the page shows it is busy and stays responsive, and
        only the answer to the latest change is shown."""
        self.inputs = inputs = self.inputs.with_value(name, value, programme)
        self.request += 1
        ticket = self.request
        self.outputs.loading = True
        try:
            outcome = await asyncio.get_running_loop().run_in_executor(
                None, self.bench.compute, inputs, self.lang)
        finally:
            if ticket == self.request:
                self.outputs.loading = False
        if ticket != self.request:
            return
        if outcome.ok:
            self.outcome, self.errors = outcome, []
        else:
            self.errors = outcome.errors
        self._show_outcome()

    def _on_reset(self, _event: Any) -> None:
        self.inputs = BudgetInputs.from_scenario(self.bench.scenario)
        self.outcome, self.errors = self.bench.start, list(self.bench.start.errors)
        self._render()

    def _on_lang(self, event: Any) -> None:
        self.lang = check_lang(event.new)
        if self.errors:  # the error lines in the new language
            outcome = self.bench.compute(self.inputs, self.lang)
            self.errors = outcome.errors
        self._render()

    def _on_tab(self, event: Any) -> None:
        self.active_tab = event.new

    def _on_commune(self, event: Any) -> None:
        self.commune = event.new
        self._show_commune()


def page(bench: Workbench, lang: str = "vi") -> pn.viewable.Viewable:
    """A new visitor's page (Panel calls this once per browser session)."""
    return WhatIfPage(bench, lang).view


def serve(bench: Workbench, port: int = 5006, lang: str = "vi",
          address: str = "127.0.0.1") -> None:
    """Serve the page on ``address:port`` until interrupted (no browser is opened)."""
    check_lang(lang)
    pn.extension()
    origins = [f"{address}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"]
    pn.serve(lambda: page(bench, lang), port=port, address=address, show=False,
             websocket_origin=sorted(set(origins)), title=word("title", lang))

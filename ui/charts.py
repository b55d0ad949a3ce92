"""The one way pages draw a chart, with its text alternative."""
import importlib
import json
import zlib

import streamlit as st

from ui.layout import CHART_ROWS, lecture_mode, show_table
from ui.layout import markdown_plain as _plain
from ui.texts import texts


def chart(spec, *args, width=None, height=None, summary=None, narrow=None, **kwargs):
    """Draw a chart of rnn_core.charts, an Altair chart or a Vega-Lite dict (charts/spec.py): the one way pages do it.

    Altair charts become their Vega-Lite dict without Altair's slow checks (the tests run them). A chart without
    the theme gets it, sized for lecture mode. width: "stretch", "content", or by default "content" for a chart
    that sets its own width (fixed, concatenated or faceted) and "stretch" for the others. height: pixels, when
    Streamlit must reserve more than the chart says (a legend above it).

    Every chart gets a text alternative: a one-sentence summary from its numbers (`summary`; for a chart function
    charts.f, charts.f_summary(same inputs) when the module has one; else spec.describe of its data), which is the
    chart's Vega-Lite `description` (its accessible name), and its data as a table in an expander below it.

    narrow: a second drawing of the same chart for a narrower column (a phone), shown instead of `spec` wherever
    `spec`'s fixed width does not fit (a CSS container query: the hidden one is display:none, so a screen reader
    meets one chart, and the text alternative is written once). For a chart function, narrow=True draws
    charts.f(*args, narrow=True, **kwargs) as it.

    chart(charts.f, *args, **kwargs) draws charts.f(*args, **kwargs) and keeps the drawn element: the same
    inputs replay it. Building a chart's data frames and Streamlit's conversion of them to Arrow cost a few ms per
    chart on every rerun, under the GIL that every session shares.
    """
    if callable(spec):
        css = _built_chart(spec.__module__, spec.__qualname__, args, kwargs, width, height, lecture_mode(),
                           texts("common").lang, bool(narrow))
    else:
        css = _draw(spec, width, height, summary, narrow)
    if css:     # (style-only HTML goes to Streamlit's event container: drawn here, outside the cached function)
        st.html(css)


def _draw(spec, width, height, summary, narrow):
    """chart of a Vega-Lite dict or Altair chart: the elements, and the CSS that picks the wide or narrow one."""
    from rnn_core.charts import spec as specs
    spec = _as_dict(spec)
    if width is None:
        fixed = isinstance(spec.get("width"), int) or any(k in spec for k in ("hconcat", "vconcat", "facet"))
        width = "content" if fixed else "stretch"
    words = texts("common")
    summary = summary or specs.describe(spec, {k: words(f"chart.{k}") for k in ("summary", "summary_empty")})
    spec = {**spec, "description": summary}
    css = ""
    if narrow is None:
        st.vega_lite_chart(spec=spec, width=width, **({"height": height} if height else {}))
    else:
        css = _fitted(spec, {**_as_dict(narrow), "description": summary}, width, height)
    with st.expander(words("chart.data"), icon=":material/table_view:"):
        st.caption(_plain(summary))
        show_table(specs.data_table(spec), hide_index=True, lecture_rows=CHART_ROWS)
    return css


def _as_dict(spec):
    """A chart as its Vega-Lite dict, with the theme (sized for lecture mode) if it has none."""
    from rnn_core.charts import theme
    if not isinstance(spec, dict):
        import altair as alt
        with alt.theme.enable("none"):
            spec = spec.to_dict(validate=False)
    return spec if "config" in spec else {**spec, "config": theme.config(lecture_mode())}


FIT_MARGIN = 16     # px to spare between a wide chart and its column (Streamlit draws it at its spec's width, padding
#                     included: autosize fit, contains padding)


def _fitted(wide, narrow, width, height):
    """The wide chart where its fixed width fits the column, else the narrow one: both drawn, one shown by the CSS
    returned.

    A container query on the column's own width (not the window's: the sidebar, lecture mode's padding and columns
    change it). The app's own CSS, the chart's width its only variable part.
    """
    need = int(wide["width"]) + FIT_MARGIN
    key = f"fit_{zlib.crc32(json.dumps([wide, narrow], sort_keys=True, default=str).encode()):08x}"
    sized = {"height": height} if height else {}
    with st.container(key=key):
        with st.container(key=f"{key}_wide"):
            st.vega_lite_chart(spec=wide, width=width or "content", **sized)
        with st.container(key=f"{key}_narrow"):
            st.vega_lite_chart(spec=narrow, width="content", **sized)
    return f"""<style>
.st-key-{key} {{ container-type: inline-size; }}
@container (max-width: {need - 1}px) {{ .st-key-{key}_wide {{ display: none !important; }} }}
@container (min-width: {need}px) {{ .st-key-{key}_narrow {{ display: none !important; }} }}
</style>"""


@st.cache_data(show_spinner=False, max_entries=512)
def _built_chart(module, name, args, kwargs, width, height, big, lang, narrow=False):
    """chart of a chart function's output, cached with its elements (big, lang: the mode and language it is for;
    narrow: also its narrow drawing, f(..., narrow=True))."""
    functions = importlib.import_module(module)
    said = getattr(functions, name.removesuffix("_chart") + "_summary", None)
    draw = getattr(functions, name)
    return _draw(draw(*args, **kwargs), width, height, said(*args, **kwargs) if said else None,
                 draw(*args, narrow=True, **kwargs) if narrow else None)


def runs_panels(histories, names, big):
    """Many runs' learning curves: one chart per metric, side by side in columns (a phone stacks them); stacked in
    lecture mode, where a third of the window is too narrow for its large text."""
    from rnn_core.charts import theme, training
    places = [st.container() for _ in training.METRICS] if big else st.columns(len(training.METRICS))
    runs = len({name for name, _ in histories})
    room = int(theme.height(big) * 0.7) + (190 if big else 160) + (36 if big else 30) * runs   # axes, title, legend
    for place, metric in zip(places, training.METRICS):
        with place:
            chart(training.runs_chart, histories, names, metric, big=big, width="stretch", height=room)

"""The one way pages draw a chart."""
import importlib

import streamlit as st

from ui.layout import lecture_mode


def chart(spec, *args, width=None, height=None, **kwargs):
    """Draw a chart of rnn_core.charts, an Altair chart or a Vega-Lite dict (charts/spec.py): the one way pages do it.

    Altair charts become their Vega-Lite dict without Altair's slow checks (the tests run them). A chart without
    the theme gets it, sized for lecture mode. width: "stretch", "content", or by default "content" for a chart
    that sets its own width (fixed, concatenated or faceted) and "stretch" for the others. height: pixels, when
    Streamlit must reserve more than the chart says (a legend above it).

    chart(charts.f, *args, **kwargs) draws charts.f(*args, **kwargs) and keeps the drawn element: the same
    inputs replay it. Building a chart's data frames and Streamlit's conversion of them to Arrow cost a few ms per
    chart on every rerun, under the GIL that every session shares.
    """
    if callable(spec):
        _built_chart(spec.__module__, spec.__qualname__, args, kwargs, width, height, lecture_mode())
        return
    from rnn_core.charts import theme
    if not isinstance(spec, dict):
        import altair as alt
        with alt.theme.enable("none"):
            spec = spec.to_dict(validate=False)
    if "config" not in spec:
        spec = {**spec, "config": theme.config(lecture_mode())}
    if width is None:
        fixed = isinstance(spec.get("width"), int) or any(k in spec for k in ("hconcat", "vconcat", "facet"))
        width = "content" if fixed else "stretch"
    st.vega_lite_chart(spec=spec, width=width, **({"height": height} if height else {}))


@st.cache_data(show_spinner=False, max_entries=512)
def _built_chart(module, name, args, kwargs, width, height, big):
    """chart of a chart function's output, cached with its element (big: the lecture mode it was sized for)."""
    chart(getattr(importlib.import_module(module), name)(*args, **kwargs), width=width, height=height)

"""Chart defects of issue 16, on the chart functions (no Streamlit): the TBPTT window band only on a run that
truncates."""
import json

import numpy as np
import pytest

from rnn_core.charts import memory as charts
from rnn_core.charts.theme import WINDOW

NAMES = {k: k for k in ["acc_title", "acc_look", "accuracy", "chance", "distance", "highest", "lowest", "model",
                        "reach", "reach_title", "reach_look", "seeds", "window", "zero"]}


def _frame():
    return charts.results_frame([2, 10, 40], {"live": [0.9, 0.7, 0.5]}, {"live": [1e-2, 1e-4, 0.0]},
                                {"live": "LSTM"})


@pytest.mark.parametrize("draw", [charts.accuracy_chart, charts.reach_chart])
@pytest.mark.parametrize("window, banded", [(10, True), (None, False)])
def test_window_band_only_when_the_run_truncates(draw, window, banded):
    spec = json.dumps(draw(_frame(), NAMES, window).to_dict())
    assert (WINDOW.lower() in spec.lower()) is banded


PHONE_COLUMN = 358      # px: a 390 px phone less Streamlit's padding


def test_try_review_word_grid_fits_a_phone():
    """The word grid (713-780 px wide before) fits a phone's column: its lines times the word step."""
    from rnn_core.charts import try_review
    words = [f"word{i}" for i in range(23)]
    df = try_review.gradient_frame(words, {"m": np.linspace(0.1, 1.0, 23)})
    spec = try_review.gradient_chart(df, {k: k for k in ["word", "gradient", "relative", "status", "state.read",
                                                         "state.zero", "state.unread", "title"]}).to_dict()
    columns = int(df["column"].max()) + 1
    step = spec["spec"]["width"]["step"]
    padding = spec.get("padding", 5)
    padding = 2 * padding if isinstance(padding, (int, float)) else padding.get("left", 0) + padding.get("right", 0)
    assert columns * step + padding <= PHONE_COLUMN


def test_try_review_legend_wraps_on_a_phone():
    """Four models' names in rows of two, each at most 140 px (in one row of four the last two were cut off)."""
    import pandas as pd

    from rnn_core.charts import try_review
    models = ["Keras A (one-hot)", "Keras B (embedding)", "Keras C (LSTM)", "NumPy RNN"]
    df = pd.DataFrame([{"model": m, "position": p, "word": f"w{p}", "probability": 0.5, "read": True,
                        "status": "read"} for m in models for p in (-1, 0, 1)])
    spec = try_review.trajectory_chart(df, {k: k for k in ["x", "y", "model", "word", "status", "title"]}).to_dict()
    legends = [v["legend"] for v in _walk(spec) if isinstance(v.get("legend"), dict) and "field" in v]
    assert legends and all(g["columns"] <= 2 and 2 * g["labelLimit"] + 60 <= PHONE_COLUMN for g in legends)


def _walk(node):
    """Every dict inside a spec."""
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def test_clipping_chart_has_its_legend_above():
    """Before / after clipping named in a legend above the plot (at the right it fell off a phone's screen)."""
    from rnn_core.charts import gradflow
    names = {k: k for k in ["raw", "clipped", "radius", "norm", "title"]}
    spec = gradflow.clipping_chart(np.array([0.5, 1.0, 2.0]), np.array([0.1, 1.0, 1e6]), np.array([0.1, 1.0, 1.0]),
                                   1.0, names)
    legends = [v["legend"] for v in _walk(spec) if v.get("field") == "kind" and isinstance(v.get("legend"), dict)]
    assert legends and all(g["orient"] == "top" for g in legends)


# --- every chart: a title that says what to look at, a legend when it has more than one series (issue 16)

def _charts():
    """name -> (lang) -> a chart's Vega-Lite spec: every chart of test_chart_theme and the class session's two."""
    from rnn_core.charts import class_session
    from tests.test_chart_theme import CHARTS, L, _spec
    out = {name: (lambda lang, draw=draw: _spec(draw(False, lang))) for name, draw in CHARTS.items()}
    votes = class_session.votes_frame({"a": "A", "b": "B"}, [{"a": 3, "b": 1}, {"a": 1, "b": 3}], {"b"})
    out["class_session.rounds"] = lambda lang: class_session.rounds_chart(votes, L("class_session", "chart",
                                                                                  lang=lang)).to_dict()
    out["class_session.scores"] = lambda lang: class_session.scores_chart(
        class_session.scores_frame({"3/5": 2, "5/5": 1}, 5), L("class_session", "chart", lang=lang)).to_dict()
    return out


CHARTS_ALL = _charts()
DIAGRAMS = {"sequences.folded", "sequences.unrolled",        # boxes and arrows, every part labelled inside: no title
            "sequences.unrolled_narrow"}
SERIES = ("color", "strokeDash", "shape")
UNNAMED = {("unrolling.term", "sign")}                   # the sign of each bar: its value is written next to it


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("name", sorted(set(CHARTS_ALL) - DIAGRAMS))
def test_every_chart_has_a_title(name, lang):
    from rnn_core.charts import spec
    assert spec.title(CHARTS_ALL[name](lang)).strip(), (name, lang)


@pytest.mark.parametrize("name", sorted(set(CHARTS_ALL) - DIAGRAMS))
def test_several_series_are_named_in_a_legend(name):
    """Every field that splits a chart into series (colour, dash, shape by category) has a legend on one of them."""
    series, named = set(), set()
    for node in _walk(CHARTS_ALL[name]("en")):
        for channel in SERIES:
            c = node.get(channel) if isinstance(node.get(channel), dict) else None
            if c and c.get("field") and c.get("type") in ("nominal", "ordinal"):
                series.add(c["field"])
                if c.get("legend", {}) is not None:
                    named.add(c["field"])
    assert series - named <= {f for n, f in UNNAMED if n == name}, (name, series - named)


def _estimated_plot_height(spec, legend_entries, label_room):
    """What Streamlit leaves for the plot of a chart drawn at its spec's height: the height less a title line, the
    legend's rows above (one per entry in a one-column legend), the x labels' room and the x axis title."""
    fs = spec["config"]["axis"]["labelFontSize"]
    title = fs + 2 + 12 if spec.get("title") else 0
    return spec["height"] - title - legend_entries * (fs + 8) - label_room - (fs + 10)


def test_word_order_plot_is_tall_enough():
    """The word-order plot had about 80 px of its 280 left for the plot (legend, slanted labels): at least 200 now."""
    from rnn_core.charts import sequences
    from tests.test_chart_theme import L
    texts = ["Hello Deep Learning", "Learning Deep Hello", "Deep Hello Learning"]
    spec = sequences.orders_chart(texts, np.full(3, 0.4), np.array([0.2, 0.5, 0.3]),
                                  L("sequences", "orders")).to_dict()
    axis = next(v["axis"] for v in _walk(spec) if v.get("field") == "text" and "axis" in v)
    slanted = axis["labelLimit"] * np.sin(np.radians(abs(axis["labelAngle"]))) + spec["config"]["axis"]["labelFontSize"]
    assert _estimated_plot_height(spec, 2, slanted) >= 200


def test_memory_padding_panels_do_not_overlap_and_fit_a_phone():
    """The padding chart's two models sat side by side in 110 px panels whose names overlapped: now one panel
    above the other, each name as wide as its panel, which fits a phone's column; where the padding goes is named
    in a legend (its axis labels overlapped too)."""
    from tests.test_chart_theme import L
    pad = {"numpy": {"pre": 0.68, "post": 0.5}, "keras_c": {"pre": 0.84, "post": 0.65}}
    for lang in ("en", "ko"):
        names = L("memory", "padding", lang=lang)
        frame = charts.padding_frame(pad, {"numpy": names["numpy"], "keras_c": names["keras_c"]},
                                     {"pre": names["pre"], "post": names["post"]})
        spec = charts.padding_chart(frame, L("memory", "chart", lang=lang)).to_dict()
        assert "row" in spec["facet"] and "column" not in spec["facet"]
        width = spec["spec"]["width"]
        assert width + 2 * 5 <= PHONE_COLUMN and spec["facet"]["row"]["header"]["labelLimit"] <= width
        legends = [v["legend"] for v in _walk(spec) if v.get("field") == "where" and "legend" in v]
        assert legends and all(g is not None for g in legends)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_memory_headline_charts_say_what_to_look_at(lang):
    """The two headline charts of the memory page: a question as title and, under it, what to look at."""
    from tests.test_chart_theme import L
    names = L("memory", "chart", lang=lang)
    for draw in (charts.accuracy_chart, charts.reach_chart):
        title = draw(_frame(), names, 10).to_dict()["title"]
        assert title["text"] and title["subtitle"] and title["subtitle"] != title["text"]


def test_table_cells_keep_korean_words_whole():
    """A narrow table column broke 부정 into 부 / 정 (and 0.80 into 0.8 / 0): its cells' paragraphs inherited
    overflow-wrap: anywhere, which lets a column shrink to one character. The phone CSS keeps words whole there."""
    import re

    from ui import layout
    rules = dict(re.findall(r"([^{}]+)\{([^{}]+)\}", layout._PHONE_CSS.split("<style>")[1]))
    cells = [body for selector, body in rules.items() if "stTable" in selector and re.search(r"\bp\b", selector)]
    assert cells and all("keep-all" in b and "anywhere" not in b for b in cells)

"""Chart defects of issue 16, on the chart functions (no Streamlit): the TBPTT window band only on a run that
truncates."""
import json

import numpy as np
import pytest

from rnn_core.charts import memory as charts
from rnn_core.charts.theme import WINDOW

NAMES = {k: k for k in ["acc_title", "accuracy", "chance", "distance", "highest", "lowest", "model", "reach",
                        "reach_title", "seeds", "window", "zero"]}


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
                                                         "state.zero", "state.unread"]}).to_dict()
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
    spec = try_review.trajectory_chart(df, {k: k for k in ["x", "y", "model", "word", "status"]}).to_dict()
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

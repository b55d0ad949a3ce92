"""Chart defects of issue 16, on the chart functions (no Streamlit): the TBPTT window band only on a run that
truncates."""
import json

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

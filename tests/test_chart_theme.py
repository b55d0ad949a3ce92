"""Every chart module draws with the one theme: its config (sizes for lecture mode too) and only its colours."""
import json
import re

import numpy as np
import pytest

from rnn_core.charts import gradflow, memory, pipeline, sequences, theme, training, unrolling
from ui import i18n


class Names(dict):
    """Any axis or legend title: the key itself (chart modules that take a plain dict of names)."""

    def __missing__(self, key):
        return key


def prefixed(page, prefix):
    """The labels of one chart as a page passes them: [prefix] of locales/en/<page>.toml."""
    return {k[len(prefix) + 1:]: v for k, v in i18n.table("en", page).items() if k.startswith(prefix + ".")}


A, P = np.array, prefixed
SHAPES = {"X": "(6, 3, 3)", "X_t": "(6, 3)", "H": "(6, 4)", "W1x": "(3, 4)", "W1h": "(4, 4)", "A2": "(6, 1)",
          "n_c": "4"}
MEMORY = memory.results_frame([2, 20], {"numpy_tbptt": [1.0, 0.6], "keras_lstm": [1.0, 1.0]},
                              {"numpy_tbptt": [0.1, 0.0], "keras_lstm": [0.1, 0.01]},
                              {"numpy_tbptt": "k = 10", "keras_lstm": "LSTM"})
HISTORY = {"loss": [0.7, 0.6], "val_loss": [0.72, 0.65], "accuracy": [0.5, 0.6], "val_accuracy": [0.55, 0.62]}

CHARTS = {   # name -> big -> chart (an Altair chart or a Vega-Lite dict)
    "gradflow.delta": lambda big: gradflow.delta_norm_chart(A([1.0, 0.5, 0.1]), P("gradflow", "delta_chart"), big),
    "gradflow.eigen": lambda big: gradflow.eigen_chart(A([1.1 + 0j, 0.3 + 0.2j]), P("gradflow", "eigen_chart"), big),
    "gradflow.contribution": lambda big: gradflow.contribution_chart(A([0.1, 0.2, 0.3]), 2,
                                                                     P("gradflow", "contrib_chart"), big),
    "gradflow.clipping": lambda big: gradflow.clipping_chart(A([1.0, 2.0]), A([0.5, 9.0]),
                                                             A([0.5, 1.0]), 1.5, P("gradflow", "clip_chart"), big),
    "unrolling.term": lambda big: unrolling.term_chart(A([0.5, -0.2]), "Z1", 1.0, P("unrolling", "step_chart"), big),
    "unrolling.trajectory": lambda big: unrolling.trajectory_chart(A([0.4, 0.6]), ["a", "b"], 1,
                                                                   P("unrolling", "time_chart"), big),
    "unrolling.heatmap": lambda big: unrolling.heatmap_chart(np.zeros((2, 3)), ["a", "b"], 1,
                                                             P("unrolling", "time_chart"), big),
    "unrolling.batch": lambda big: unrolling.batch_chart({"H_t": np.ones((2, 3))}, ["r0", "r1"],
                                                         P("unrolling", "batch_chart"), big),
    "pipeline.lengths": lambda big: pipeline.lengths_chart(A([0, 100]), A([100, 200]), A([5, 3]),
                                                           100, Names(), big),
    "pipeline.padded": lambda big: pipeline.padded_chart(A([[0, 5], [7, 8]]), [["<pad>", "a"], ["b", "c"]], 0,
                                                         Names(), 100, big),
    "pipeline.formats": lambda big: pipeline.formats_chart([{"key": "tokens", "bytes": 10_000, "size": "10 kB"}],
                                                           Names(), big),
    "pipeline.split": lambda big: pipeline.split_chart({"train": (3, 4), "val": (1, 2)}, Names(), big),
    "sequences.orders": lambda big: sequences.orders_chart(["a b", "b a"], A([0.3, 0.3]), A([0.2, 0.6]),
                                                           Names(), big),
    "sequences.series": lambda big: sequences.series_chart(A([1.0, 2.0, 1.5]), Names(), big),
    "sequences.lag": lambda big: sequences.lag_chart(A([1.0, 2.0]), A([2.0, 1.0]), Names(), "t", (0, 3), big),
    "sequences.folded": lambda big: sequences.folded_cell_chart(SHAPES, Names(cell="c", loop="l"), big),
    "sequences.unrolled": lambda big: sequences.unrolled_chart(["a", "b"], SHAPES, Names(shared="{w1x} {w1h}"), big),
    "training.curves": lambda big: training.learning_curves(HISTORY, None, big),
    "training.accuracy": lambda big: training.accuracy_chart(HISTORY, {"notebook": 0.68}, None, big),
    "training.confusion": lambda big: training.confusion_chart(A([[3, 1], [2, 4]]), None, big),
    "memory.accuracy": lambda big: memory.accuracy_chart(MEMORY, Names(), 10, big),
    "memory.reach": lambda big: memory.reach_chart(MEMORY, Names(), 10, big),
    "memory.padding": lambda big: memory.padding_chart(memory.padding_frame(
        {"numpy": {"pre": 0.68, "post": 0.5}}, {"numpy": "NumPy"}, {"pre": "front", "post": "behind"}), Names(), big),
    "memory.series": lambda big: memory.training_series_chart({"numpy_full": [1.0, 8.6, 0.4]},
                                                               {"numpy_full": "full"}, Names(), "norm", big),
}

PALETTE = {c.lower() for c in (theme.PINK, theme.BLUE, theme.ORANGE, theme.GREEN, theme.VIOLET, theme.GREY,
                               theme.LIGHT, theme.DARK, theme.INK, theme.WINDOW, theme.WINDOW_INK, *theme.SERIES,
                               *theme.TINTS.values())}


def _spec(chart):
    return chart if isinstance(chart, dict) else chart.to_dict()


@pytest.mark.parametrize("name", CHARTS)
def test_chart_uses_the_theme(name):
    for big in (False, True):
        spec = _spec(CHARTS[name](big))
        config = spec.get("config", {})
        for part, settings in theme.config(big).items():
            for key, value in settings.items():
                assert config.get(part, {}).get(key) == value, (name, big, part, key)
        colours = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", json.dumps(spec, default=str))}
        assert colours <= PALETTE, (name, colours - PALETTE)      # no colour of its own


def test_lecture_mode_is_bigger():
    assert theme.font_size(True) > theme.font_size(False) and theme.height(True) > theme.height(False)

"""Every chart the app draws has its own one-sentence summary (its text alternative), from the live numbers.

The summary (charts.<module>.<f>_summary, found by ui.charts.chart) is the chart's Vega-Lite description. These tests
check that no chart falls back to the generic sentence, that every template formats in both languages, and that
each summary's numbers match an independent computation from the chart's data (not the summary's own code).
"""
import ast
import importlib
import inspect
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from rnn_core.charts import class_session, gradflow, memory, pipeline, sequences, theme, training, try_review, unrolling
from ui import i18n

ROOT = Path(__file__).resolve().parents[1]
A = np.array


def L(page, *tables, lang="en"):
    """A chart's labels as its page passes them: t.labels(*tables) of locales/<lang>/<page>.toml."""
    return theme.labels(i18n.table(lang, page), *tables)


def _summary_of(function):
    return getattr(inspect.getmodule(function), function.__name__.removesuffix("_chart") + "_summary", None)


def _drawn():
    """(file, line, module, function name) of every ui.charts.chart(...) call in pages/ and ui/."""
    out = []
    for path in [*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {a.asname or a.name: f"{node.module}.{a.name}" for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) and node.module for a in node.names}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "chart"
                    and aliases.get("chart") == "ui.charts.chart"):
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Attribute) and isinstance(first.value, ast.Name), \
                    f"{path.name}:{node.lineno}: chart() of a built spec, not of a chart function with a summary"
                out.append((path.name, node.lineno, aliases[first.value.id], first.attr))
    return out


def test_every_drawn_chart_has_its_own_summary():
    """Every chart(...) call of a page or ui module draws a chart function whose module has its *_summary, with the
    same parameters: none falls back to spec.describe's generic sentence."""
    drawn = _drawn()
    assert len(drawn) >= 30
    for file, line, module, name in drawn:
        function = getattr(importlib.import_module(module), name)
        said = _summary_of(function)
        assert said is not None, f"{file}:{line}: {module}.{name} has no summary"
        assert list(inspect.signature(said).parameters) == list(inspect.signature(function).parameters), (file, name)


def test_every_chart_function_has_a_summary():
    """Every public chart function of rnn_core/charts (one that returns a chart) has its summary."""
    for module in (class_session, gradflow, memory, pipeline, sequences, training, try_review, unrolling):
        for name, f in inspect.getmembers(module, inspect.isfunction):
            if f.__module__ == module.__name__ and (name.endswith("_chart") or name == "learning_curves"):
                assert _summary_of(f) is not None, f"{module.__name__}.{name}"


def test_ui_chart_uses_the_summary_as_description(monkeypatch):
    """ui.charts.chart gives the chart its summary as the Vega-Lite description (the accessible name)."""
    import ui.charts as ui_charts
    drawn = {}
    monkeypatch.setattr(ui_charts.st, "vega_lite_chart", lambda spec, **kw: drawn.update(spec))
    monkeypatch.setattr(ui_charts.st, "expander", lambda *a, **k: __import__("contextlib").nullcontext())
    monkeypatch.setattr(ui_charts.st, "caption", lambda *a, **k: None)
    monkeypatch.setattr(ui_charts.st, "dataframe", lambda *a, **k: None)
    words = i18n.Texts("en", "common")
    monkeypatch.setattr(ui_charts, "texts", lambda page: words)
    monkeypatch.setattr(ui_charts, "lecture_mode", lambda: False)
    names = L("gradflow", "eigen_chart")
    ui_charts._built_chart.__wrapped__("rnn_core.charts.gradflow", "eigen_chart", (A([0.5 + 0j, 2.0 + 0j]), names),
                                       {}, None, None, False, "en")
    assert drawn["description"] == gradflow.eigen_summary(A([0.5 + 0j, 2.0 + 0j]), names)


def test_summary_text_is_shown_as_itself():
    """The caption under a chart shows its summary as plain text, even a typed word with Markdown in it."""
    from ui.charts import _plain
    assert _plain("“[x](http://e)” *b* 81%") == r"“\[x\]\(http\:\/\/e\)” \*b\* 81\%"


# --- numbers: each summary against an independent computation from the chart's data ---------------------------

def _numbers(text):
    """Every number written in a sentence, as (value, decimals written), in order."""
    found = re.findall(r"[-+−]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?", text)
    return [(float(n.replace(",", "").replace("−", "-")), len(n.split("e")[0].partition(".")[2])) for n in found]


def _written(value, said, decimals):
    """A written number is the value rounded: to the decimals written, or to 2 or 3 significant figures."""
    options = {round(value, decimals), float(f"{value:.2g}"), float(f"{value:.3g}")}
    return any(abs(said - o) <= 1e-9 * max(1.0, abs(o)) for o in options)


def _has(text, *values, percent=False):
    """Each value (a share, written as a whole percentage, when percent) is among the sentence's numbers."""
    found = _numbers(text)
    for v in values:
        v = round(v * 100) if percent else v
        assert any(_written(v, said, d) for said, d in found), (v, text)


LANGS = ["en", "ko"]
rng = np.random.default_rng(7)


@pytest.mark.parametrize("lang", LANGS)
def test_sequences(lang):
    dense, rnn = A([0.41, 0.41, 0.41]), A([0.12, 0.83, 0.5])
    said = sequences.orders_summary(["a b c"] * 3, dense, rnn, L("sequences", "orders", lang=lang))
    _has(said, 3, 0.41, 0.12, 0.83)
    series = 10 + 5 * np.sin(np.arange(48) / 24 * 2 * np.pi) + rng.normal(0, 1, 48)
    said = sequences.series_summary(series, L("sequences", "series", lang=lang))
    _has(said, 48, round(sorted(series)[0], 1), round(sorted(series)[-1], 1))
    now, later = series[:-3], series[3:]
    said = sequences.lag_summary(now, later, 3, L("sequences", "series", lang=lang), False, (0, 20))
    x, y = now - now.mean(), later - later.mean()
    r = float((x * y).sum() / np.sqrt((x * x).sum() * (y * y).sum()))
    _has(said, len(now), 3, round(r, 2))
    assert i18n.table(lang, "sequences")["series.in_order"] in said
    shapes = {"X": "(6, 3, 3)", "X_t": "(6, 3)", "H": "(6, 4)", "W1x": "(3, 4)", "W1h": "(4, 4)", "A2": "(6, 1)",
              "n_c": "4"}
    said = sequences.folded_cell_summary(shapes, L("sequences", "cell", lang=lang))
    assert all(shapes[k] in said for k in ("X_t", "W1x", "H", "W1h"))
    said = sequences.unrolled_summary(["a", "b", "c", "d", "e"], shapes, L("sequences", "cell", lang=lang))
    _has(said, 5)
    assert shapes["A2"] in said


@pytest.mark.parametrize("lang", LANGS)
def test_pipeline(lang):
    from rnn_core.lessons import pipeline as ps
    lengths = rng.integers(3, 600, 2000)
    starts, ends, counts = ps.length_histogram(lengths, 100)
    said = pipeline.lengths_summary(starts, ends, counts, 100, L("pipeline", "lengths", lang=lang))
    cut = int((lengths > 100).sum())                               # straight from the lengths, not the bins
    _has(said, cut, len(lengths), 100)
    _has(said, cut / len(lengths), percent=True)
    block = A([[0, 0, 5, 6], [0, 7, 8, 9], [1, 2, 3, 4]])
    said = pipeline.padded_summary(block, [["w"] * 4] * 3, 0, L("pipeline", "padded", lang=lang), 100)
    _has(said, 3, 4, 3)
    _has(said, 3 / 12, percent=True)
    rows = [{"key": "onehot32", "bytes": 8_000_000_000, "size": "8 GB"},
            {"key": "tokens", "bytes": 8_000_000, "size": "8 MB"}]
    said = pipeline.formats_summary(rows, L("pipeline", "memory", lang=lang))
    _has(said, 1000)
    assert "8 GB" in said and "8 MB" in said
    said = pipeline.split_summary({"train": (9_980, 10_020), "val": (2_510, 2_490)}, L("pipeline", "split", lang=lang))
    _has(said, 20_000, 5_000)
    _has(said, 10_020 / 20_000, 2_490 / 5_000, percent=True)


@pytest.mark.parametrize("lang", LANGS)
def test_unrolling(lang):
    values = A([0.53, -0.2, 0.1, -0.9, 0.04])
    said = unrolling.term_summary(values, "Z1_t", 1.0, L("unrolling", "step_chart", lang=lang))
    _has(said, 5, -0.9, 0.53, 3)
    assert "Z1_t" in said
    prob = A([0.5, 0.61, 0.72, 0.33, 0.9])
    said = unrolling.trajectory_summary(prob, list("abcde"), 4, L("unrolling", "time_chart", lang=lang))
    _has(said, 4, 5, 0.33, 0.5, 0.9)
    h = np.tanh(rng.normal(0, 2, (5, 8)))                            # (T, n_c)
    for step in (2, None):
        said = unrolling.heatmap_summary(h, list("abcde"), step, L("unrolling", "time_chart", lang=lang))
        row = h[(step or 5) - 1]
        _has(said, 8, 5, step or 5, round(float(np.mean(np.abs(row))), 2),
             sum(1 for v in row if abs(v) > 0.9))
    h = np.tanh(rng.normal(0, 1, (3, 4)))                             # (m, n_c)
    said = unrolling.batch_summary(h, "H_t", ["a", "b", "c"], L("unrolling", "batch_chart", lang=lang))
    _has(said, 3, 4, round(float(h.min()), 2), round(float(h.max()), 2))
    assert "H_t" in said


@pytest.mark.parametrize("lang", LANGS)
def test_gradflow(lang):
    eig = np.linalg.eigvals(rng.normal(0, 0.4, (6, 6)))
    said = gradflow.eigen_summary(eig, L("gradflow", "eigen_chart", lang=lang))
    inside = sum(abs(complex(e)) < 0.9995 for e in eig)
    _has(said, 6, round(max(abs(complex(e)) for e in eig), 3), inside, 6 - inside)
    said = gradflow.eigen_summary(np.exp(2j * np.pi * np.arange(4) / 4) * (1 - 1e-9), L("gradflow", "eigen_chart",
                                                                                         lang=lang))
    _has(said, 4, 1.0, 0)                                           # on the circle (1.000), none inside
    norms = A([0.001, 0.01, 0.1, 1.0, 2.0])
    said = gradflow.contribution_summary(norms, 2, L("gradflow", "contrib_chart", lang=lang))
    _has(said, 2, 5)
    _has(said, 3.0 / 3.111, percent=True)
    said = gradflow.clipping_summary(A([0.5, 1.0, 2.0]), A([0.02, 1.0, 3100.0]), A([0.02, 1.0, 5.0]), 1.0,
                                     L("gradflow", "clip_chart", lang=lang))
    _has(said, 0.5, 2.0, 0.02, 3100, 5.0, 155000)
    said = gradflow.delta_norm_summary(A([0.03, 0.3, 1.0]), L("gradflow", "delta_chart", lang=lang))
    _has(said, 2, 0.03)


def _memory_df():
    return memory.results_frame([2, 20, 60], {"numpy_tbptt": [0.98, 0.61, 0.49], "keras_lstm": [1.0, 0.97, 0.93]},
                                {"numpy_tbptt": [0.1, 0.0, 0.0], "keras_lstm": [0.1, 0.02, 0.0031]},
                                {"numpy_tbptt": "NumPy k = 10", "keras_lstm": "LSTM"})


@pytest.mark.parametrize("lang", LANGS)
def test_memory(lang):
    names = L("memory", "chart", lang=lang)
    said = memory.accuracy_summary(_memory_df(), names, 10, False, (0.47, 0.53))
    _has(said, 60, 10)
    _has(said, 0.49, 0.93, 0.47, 0.53, percent=True)
    said = memory.reach_summary(_memory_df(), names, 10)
    _has(said, 60, 10, 0.0031)
    assert names["zero"] in said                                     # truncation cut it: exactly 0
    swap = pd.DataFrame({"distance": [20, 60], "kept": [0.71, 0.66], "swapped": [0.29, 0.35]})
    said = memory.swap_summary(swap, {**names, "kept": "kept", "swapped": "swapped"}, (0.47, 0.53))
    _has(said, 20, 60)
    _has(said, 0.71, 0.66, 0.29, 0.35, percent=True)
    pad = memory.padding_frame({"numpy": {"pre": 0.68, "post": 0.5}}, {"numpy": "NumPy"},
                               {"pre": "front", "post": "behind"})
    said = memory.padding_summary(pad, names, False, (0.47, 0.53))
    _has(said, 0.68, 0.5, percent=True)
    block = {"numpy_full": [1.0, 8600.0, 0.4], "numpy_tbptt": [0.5, 0.7, 0.6]}
    said = memory.training_series_summary(block, L("memory", "models", lang=lang), names, "norm")
    _has(said, 8600, 0.4, 0.7, 0.6)
    assert names["norm"] in said


@pytest.mark.parametrize("page", ["train_numpy", "keras"])
@pytest.mark.parametrize("lang", LANGS)
def test_training(lang, page):
    names = L(page, "chart", lang=lang)
    history = {"loss": [0.69, 0.52, 0.41], "val_loss": [0.66, 0.55, 0.58], "val_accuracy": [0.55, 0.78, 0.76]}
    said = training.learning_curves_summary(history, names)
    _has(said, 3, 0.69, 0.41, 0.58, 0.55, 2)
    said = training.accuracy_summary(history, {"book": 0.6812}, names)
    _has(said, 3, 2)
    _has(said, 0.55, 0.76, 0.78, percent=True)
    assert "68.1" in said
    assert training.learning_curves_summary({}, names) == names["summary_wait"]
    runs = [("a", history), ("b", {**history, "val_accuracy": [0.5, 0.81], "val_loss": [0.7, 0.61]})]
    said = training.runs_summary(runs, names, "val_accuracy")
    _has(said, 2, 81.0)
    assert "(b)" in said
    said = training.runs_summary(runs, names, "val_loss")           # a loss: the lowest ends best
    assert "(a)" in said and "0.580" in said and said.startswith(names["val_loss"])
    if page == "train_numpy":
        said = training.confusion_summary(A([[2100, 400], [350, 2150]]), names)
        _has(said, 4250, 5000, 85.0, 400, 350)


@pytest.mark.parametrize("lang", LANGS)
def test_try_review(lang):
    readings = {"NumPy": SimpleNamespace(start=0.5, start_status="h0", after_word=[0.6, 0.7, 0.81],
                                         status=["read", "common", "read"]),
                "LSTM": SimpleNamespace(start=0.48, start_status="h0", after_word=[0.3, 0.2, 0.12],
                                        status=["read", "read", "read"])}
    words = ["good", "the", "film"]
    frame = try_review.trajectory_frame(words, readings, "(start)")
    said = try_review.trajectory_summary(frame, L("try_review", "chart", "status", lang=lang))
    _has(said, 0.5, 0.81, 0.48, 0.12, percent=True)
    grads = {"NumPy": A([0.2, np.nan, 3.0]), "LSTM": A([0.5, 4.0, 1.0])}
    said = try_review.gradient_summary(try_review.gradient_frame(words, grads),
                                       L("try_review", "chart", "gradient_chart", lang=lang))
    assert "“film”" in said and "“the”" in said                      # the largest gradient of each model
    _has(said, 3, 2, 2, 3)                                           # positions 3 and 2; 2 and 3 words read
    said = try_review.gradient_summary(try_review.gradient_frame(["<b>x"], {"m": A([1.0])}),
                                       L("try_review", "chart", "gradient_chart", lang=lang))
    assert "<b>" not in said                                         # a typed word shown only as plain letters


@pytest.mark.parametrize("lang", LANGS)
def test_class_session(lang):
    names = L("class_session", "chart", lang=lang)
    labels = {"a": "Vanishing", "b": "Exploding", "c": "Neither"}
    counts = [Counter({"a": 6, "b": 3, "c": 1}), Counter({"a": 9, "b": 1})]
    said = class_session.rounds_summary(class_session.votes_frame(labels, counts, {"a"}), names)
    _has(said, 1, 10, 2, 10)
    _has(said, 0.6, 0.9, percent=True)
    assert said.count("Vanishing") == 2
    said = class_session.rounds_summary(class_session.votes_frame(labels, [Counter()]), names)
    assert said == names["summary_round_none"].format(round=1)
    scores = class_session.scores_frame({"3/5": 2, "5/5": 3, "1/5": 1}, 5)
    said = class_session.scores_summary(scores, names)
    _has(said, 6, round((3 * 2 + 5 * 3 + 1) / 6, 1), 5, 5)

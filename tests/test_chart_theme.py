"""Every chart module draws with the one theme: its config (sizes for lecture mode too) and only its colours."""
import json
import re
from types import SimpleNamespace

import numpy as np
import pytest

from rnn_core.charts import gradflow, memory, pipeline, sequences, theme, training, try_review, unrolling
from ui import i18n


def L(page, *tables, lang="en"):
    """A chart's labels as its page passes them: t.labels(*tables) of locales/<lang>/<page>.toml."""
    return theme.labels(i18n.table(lang, page), *tables)


A = np.array
SHAPES = {"X": "(6, 3, 3)", "X_t": "(6, 3)", "H": "(6, 4)", "W1x": "(3, 4)", "W1h": "(4, 4)", "A2": "(6, 1)",
          "n_c": "4"}
MEMORY = memory.results_frame([2, 20], {"numpy_tbptt": [1.0, 0.6], "keras_lstm": [1.0, 1.0]},
                              {"numpy_tbptt": [0.1, 0.0], "keras_lstm": [0.1, 0.01]},
                              {"numpy_tbptt": "k = 10", "keras_lstm": "LSTM"})
HISTORY = {"loss": [0.7, 0.6], "val_loss": [0.72, 0.65], "accuracy": [0.5, 0.6], "val_accuracy": [0.55, 0.62]}
WORDS = ["good", "film"]
READINGS = {"m": SimpleNamespace(start=0.5, start_status="h0", after_word=[0.6, 0.7], status=["read", "common"])}

CHARTS = {   # name -> (big, lang) -> chart (an Altair chart or a Vega-Lite dict), labelled as its page labels it
    "gradflow.delta": lambda big, lang: gradflow.delta_norm_chart(A([1.0, 0.5, 0.1]),
                                                                  L("gradflow", "delta_chart", lang=lang), big),
    "gradflow.eigen": lambda big, lang: gradflow.eigen_chart(A([1.1 + 0j, 0.3 + 0.2j]),
                                                             L("gradflow", "eigen_chart", lang=lang), big),
    "gradflow.contribution": lambda big, lang: gradflow.contribution_chart(
        A([0.1, 0.2, 0.3]), 2, L("gradflow", "contrib_chart", lang=lang), big),
    "gradflow.clipping": lambda big, lang: gradflow.clipping_chart(A([1.0, 2.0]), A([0.5, 9.0]), A([0.5, 1.0]), 1.5,
                                                                   L("gradflow", "clip_chart", lang=lang), big),
    "unrolling.term": lambda big, lang: unrolling.term_chart(A([0.5, -0.2]), "Z1", 1.0,
                                                             L("unrolling", "step_chart", lang=lang), big),
    "unrolling.trajectory": lambda big, lang: unrolling.trajectory_chart(A([0.4, 0.6]), ["a", "b"], 1,
                                                                         L("unrolling", "time_chart", lang=lang), big),
    "unrolling.heatmap": lambda big, lang: unrolling.heatmap_chart(np.zeros((2, 3)), ["a", "b"], 1,
                                                                   L("unrolling", "time_chart", lang=lang), big),
    "unrolling.batch": lambda big, lang: unrolling.batch_chart(np.ones((2, 3)), "Z1", ["r0", "r1"],
                                                               L("unrolling", "batch_chart", lang=lang), big),
    "pipeline.lengths": lambda big, lang: pipeline.lengths_chart(A([0, 100]), A([100, 200]), A([5, 3]), 100,
                                                                 L("pipeline", "lengths", lang=lang), big),
    "pipeline.padded": lambda big, lang: pipeline.padded_chart(A([[0, 5], [7, 8]]), [["<pad>", "a"], ["b", "c"]], 0,
                                                               L("pipeline", "padded", lang=lang), 100, big),
    "pipeline.formats": lambda big, lang: pipeline.formats_chart(
        [{"key": "onehot32", "bytes": 10_000, "size": "10 kB"}], L("pipeline", "memory", lang=lang), big),
    "pipeline.split": lambda big, lang: pipeline.split_chart({"train": (3, 4), "val": (1, 2)},
                                                             L("pipeline", "split", lang=lang), big),
    "sequences.orders": lambda big, lang: sequences.orders_chart(["a b", "b a"], A([0.3, 0.3]), A([0.2, 0.6]),
                                                                 L("sequences", "orders", lang=lang), big),
    "sequences.series": lambda big, lang: sequences.series_chart(A([1.0, 2.0, 1.5]),
                                                                 L("sequences", "series", lang=lang), big),
    "sequences.lag": lambda big, lang: sequences.lag_chart(A([1.0, 2.0]), A([2.0, 1.0]), 3,
                                                           L("sequences", "series", lang=lang), True, (0, 3), big),
    "sequences.folded": lambda big, lang: sequences.folded_cell_chart(SHAPES, L("sequences", "cell", lang=lang), big),
    "sequences.unrolled": lambda big, lang: sequences.unrolled_chart(["a", "b"], SHAPES,
                                                                     L("sequences", "cell", lang=lang), big),
    "sequences.unrolled_narrow": lambda big, lang: sequences.unrolled_chart(["a", "b"], SHAPES,
                                                                            L("sequences", "cell", lang=lang), big,
                                                                            narrow=True),
    "training.curves": lambda big, lang: training.learning_curves(HISTORY, L("train_numpy", "chart", lang=lang), big),
    "training.curves_keras": lambda big, lang: training.learning_curves(HISTORY, L("keras", "chart", lang=lang), big),
    "training.accuracy": lambda big, lang: training.accuracy_chart(HISTORY, {"notebook": 0.68},
                                                                   L("train_numpy", "chart", lang=lang), big),
    "training.confusion": lambda big, lang: training.confusion_chart(A([[3, 1], [2, 4]]),
                                                                     L("train_numpy", "chart", lang=lang), big),
    "training.runs_one": lambda big, lang: training.runs_chart([("a", HISTORY), ("b", HISTORY)],
                                                               L("keras", "chart", lang=lang), "val_loss", big),
    "memory.accuracy": lambda big, lang: memory.accuracy_chart(MEMORY, L("memory", "chart", lang=lang), 10, big),
    "memory.reach": lambda big, lang: memory.reach_chart(MEMORY, L("memory", "chart", lang=lang), 10, big),
    "memory.padding": lambda big, lang: memory.padding_chart(memory.padding_frame(
        {"numpy": {"pre": 0.68, "post": 0.5}}, {"numpy": "NumPy"}, {"pre": "front", "post": "behind"}),
        L("memory", "chart", lang=lang), big),
    "memory.series": lambda big, lang: memory.training_series_chart(
        {"numpy_full": [1.0, 8.6, 0.4]}, L("memory", "models", lang=lang), L("memory", "chart", lang=lang), "norm",
        big),
    "try_review.trajectory": lambda big, lang: try_review.trajectory_chart(
        try_review.trajectory_frame(WORDS, READINGS, "(start)"), L("try_review", "chart", "status", lang=lang), big),
    "try_review.gradient": lambda big, lang: try_review.gradient_chart(
        try_review.gradient_frame(WORDS, {"m": A([1.0, np.nan])}), L("try_review", "chart", "gradient_chart",
                                                                       lang=lang), big),
}

PALETTE = {c.lower() for c in (theme.PINK, theme.BLUE, theme.ORANGE, theme.GREEN, theme.VIOLET, theme.GREY,
                               theme.LIGHT, theme.DARK, theme.INK, theme.WINDOW, theme.WINDOW_INK, *theme.SERIES,
                               *theme.TINTS.values())}


def _spec(chart):
    return chart if isinstance(chart, dict) else chart.to_dict()


@pytest.mark.parametrize("name", CHARTS)
def test_chart_uses_the_theme(name):
    for big in (False, True):
        spec = _spec(CHARTS[name](big, "en"))
        config = spec.get("config", {})
        for part, settings in theme.config(big).items():
            for key, value in settings.items():
                assert config.get(part, {}).get(key) == value, (name, big, part, key)
        colours = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", json.dumps(spec, default=str))}
        assert colours <= PALETTE, (name, colours - PALETTE)      # no colour of its own


def test_lecture_mode_is_bigger():
    assert theme.font_size(True) > theme.font_size(False) and theme.height(True) > theme.height(False)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("name", CHARTS)
def test_chart_is_labelled_from_its_page_texts(name, lang):
    """Every title a chart shows comes from its page's texts in the user's language (t.labels), none from the code."""
    spec = json.dumps(_spec(CHARTS[name](False, lang)), ensure_ascii=False, default=str)
    page = name.split(".")[0].replace("training", "train_numpy")
    texts = [v for p in {page, "keras"} for v in i18n.table(lang, p).values() if isinstance(v, str)]
    # a text with {placeholders} matches with any value in them
    patterns = [re.compile(re.sub(r"\\\{\w+\\\}", ".+", re.escape(v)) + "$") for v in texts]
    symbols = {" ", "#", ">", "≤", "|λ|", "H", "Z1"}                 # the same in every language (Z1: a term's name)
    titles = set(re.findall(r'"title": "([^"]+)"', spec)) - symbols
    missing = {t for t in titles if not any(p.match(t) for p in patterns)}
    assert not missing, (name, lang, missing)


def test_one_way_to_label_a_chart():
    """Pages and ui pass a chart its labels with t.labels(...): no page builds a dict of chart labels by hand."""
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    for path in [*root.glob("pages/*.py"), *root.glob("ui/*.py")]:
        code = path.read_text(encoding="utf-8")
        assert not re.search(r'\{k: t\(f"[a-z_]+\.\{k\}"\) for k in', code), path.name


@pytest.mark.parametrize("name", CHARTS)
def test_chart_data_table_has_distinct_columns(name):
    """The chart's data as a table (its text alternative, ui.charts.chart) can always be drawn: no two columns alike."""
    from rnn_core.charts import spec as specs
    table = specs.data_table(_spec(CHARTS[name](False, "en")))
    assert table.columns.is_unique, (name, list(table.columns))


# --- the unrolled cell on a phone: its narrow drawing fits the column, text readable, nothing overlapping

PHONE_COLUMN = 358      # px: the content column of a 390 px phone
LONGEST = {"X": "(40,320, 8, 8)", "X_t": "(40,320, 8)", "H": "(40,320, 16)", "W1x": "(8, 16)", "W1h": "(16, 16)",
           "A2": "(40,320, 1)", "n_c": "16"}     # 8 distinct words (8! orders), 16 cells: the longest shapes
SENTENCES = [["Hello"], ["Hello", "Deep", "Learning"], "the movie was not extraordinarily good at all".split(),
             "그 영화는 정말 대단하지는 않았다 진짜로 아니다".split(), ["Incomprehensibilities"] * 8]


def _text_boxes(spec):
    """Each text of a diagram (a Vega-Lite dict of sequences._diagram) as (left, top, right, bottom) in px (its width
    as theme.text_width estimates it), its font size and itself."""
    (x0, x1), (y0, y1) = (spec["layer"][0]["encoding"][c]["scale"]["domain"] for c in ("x", "y"))
    sx, sy = spec["width"] / (x1 - x0), spec["height"] / (y1 - y0)
    sizes = {layer["transform"][0]["filter"]["equal"]: layer["mark"].get("fontSize") for layer in spec["layer"]}
    out = []
    for r in spec["data"]["values"]:
        if r["part"].startswith("text"):
            fs = sizes[r["part"]]
            w = theme.text_width(r["text"], fs)
            left = (r["x"] - x0) * sx - {"left": 0, "center": w / 2, "right": w}[r["align"]]
            top = (y1 - r["y"]) * sy - fs / 2
            out.append(((left, top, left + w, top + fs), fs, r["text"]))
    return out


def _boxes(spec):
    (x0, x1), (y0, y1) = (spec["layer"][0]["encoding"][c]["scale"]["domain"] for c in ("x", "y"))
    sx, sy = spec["width"] / (x1 - x0), spec["height"] / (y1 - y0)
    return [((r["x"] - x0) * sx, (y1 - r["y2"]) * sy, (r["x2"] - x0) * sx, (y1 - r["y"]) * sy)
            for r in spec["data"]["values"] if r["part"] == "box"]


def _overlap(a, b, pad=0.0):
    return a[0] < b[2] - pad and b[0] < a[2] - pad and a[1] < b[3] - pad and b[1] < a[3] - pad


def _inside(a, b):
    return b[0] <= a[0] and a[2] <= b[2] and b[1] <= a[1] and a[3] <= b[3]


def _readable_and_apart(spec, name):
    """Every text >= 11 px, inside the drawing, apart from every other text, and inside the box it sits on."""
    texts, boxes = _text_boxes(spec), _boxes(spec)
    for box, fs, text in texts:
        assert fs >= 11, (name, text, fs)
        assert box[0] >= 0 and box[2] <= spec["width"] and box[1] >= -2 and box[3] <= spec["height"] + 2, (
            name, text, box, spec["width"], spec["height"])
        for frame in boxes:
            if _overlap(box, frame):
                assert _inside(box, frame), (name, text, box, frame)       # on a box: wholly inside it
    for i, (a, _, ta) in enumerate(texts):
        for b, _, tb in texts[i + 1:]:
            assert not _overlap(a, b, pad=1), (name, ta, tb)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_unrolled_cell_fits_a_phone(lang):
    """The narrow drawing (a phone: the steps one under the other) is at most a phone's column wide, whatever the
    sentence (1 to 8 words, long ones cut), its text 13 px and never overlapping."""
    names = L("sequences", "cell", lang=lang)
    for words in SENTENCES:
        spec = sequences.unrolled_chart(words, LONGEST, names, narrow=True)
        assert spec["width"] <= PHONE_COLUMN - 16, (words, spec["width"])    # Vega's padding: ui.charts.FIT_MARGIN
        _readable_and_apart(spec, ("narrow", lang, words))
        assert sum(r.get("kind") == "cell" for r in spec["data"]["values"]) == len(words)


@pytest.mark.parametrize("big", [False, True])
def test_unrolled_cell_side_by_side_is_readable(big):
    """The wide drawing (laptop, projector): a laptop's column while a box's text still fits, text apart."""
    names = L("sequences", "cell", lang="ko")
    for words in SENTENCES:
        spec = sequences.unrolled_chart(words, LONGEST if len(words) == 8 else SHAPES, names, big)
        _readable_and_apart(spec, ("wide", big, words))
        if len(words) <= (6 if big else 8):
            assert spec["width"] <= sequences.WIDE_WIDTH[big], (words, spec["width"])

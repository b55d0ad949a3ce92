"""Sequences page: word orders, order-blind dense net vs RNN, lag correlations, the diagrams, the page itself."""
import itertools
import math

import altair as alt
import numpy as np
import pytest

from rnn_core.charts import sequences as charts
from rnn_core.charts import theme
from rnn_core.data import timeseries as ts
from rnn_core.lessons import sequences as seq
from ui import i18n

PAGE = "pages/sequences.py"


def chart_rows(chart):
    """All data rows of an Altair chart or a Vega-Lite spec; the spec must pass Vega-Lite's schema."""
    if isinstance(chart, dict):
        alt.LayerChart.from_dict(chart, validate=True)
        return chart["data"]["values"]
    with alt.theme.enable("none"):
        spec = chart.to_dict()                                            # validates
    return [row for rows in spec["datasets"].values() for row in rows]


# ----------------------------------------------------------------------------- word orders

@pytest.mark.parametrize("n", range(1, 7))
def test_orders_are_all_permutations(n):
    orders = seq.word_orders(n)
    assert len(orders) == seq.n_orders(n) == math.factorial(n)
    assert sorted(map(tuple, orders)) == sorted(itertools.permutations(range(n)))
    assert tuple(orders[0]) == tuple(range(n))          # the sentence's own order comes first


def test_split_and_vocabulary():
    assert seq.split_words("  Hello   Deep Learning ") == ["Hello", "Deep", "Learning"]
    assert len(seq.split_words("a b c d e f g h i j")) == seq.MAX_WORDS == 8
    words = "the cat sat on the mat".split()
    vocab = seq.vocabulary(words)
    assert sorted(vocab) == sorted(set(words)) and sorted(vocab.values()) == list(range(len(set(words))))


def plain_rnn(w1x, w1h, b1, w2, b2, words, vocab):
    """A textbook forward pass, one sentence at a time, with explicit one-hot vectors."""
    eye = np.eye(len(vocab))
    h = np.zeros(w1h.shape[0])
    for w in words:
        h = np.tanh(eye[vocab[w]] @ w1x + h @ w1h + b1)
    return 1 / (1 + np.exp(-(h @ w2 + b2)))[0]


@pytest.mark.parametrize("sentence", ["Hello Deep Learning", "the cat sat on the mat", "one two three four five"])
def test_dense_is_order_blind_and_rnn_is_not(sentence):
    words = seq.split_words(sentence)
    vocab = seq.vocabulary(words)
    orders = seq.word_orders(len(words))
    tokens = seq.order_tokens(words, orders)
    rnn = seq.seeded_rnn(len(vocab), n_cells=4, seed=42)
    dense, recurrent = seq.dense_outputs(rnn, tokens), seq.rnn_outputs(rnn, tokens)
    assert np.allclose(dense, dense[0], atol=1e-12)                       # every order: the same output
    assert np.ptp(recurrent) > 1e-3                                       # the RNN tells orders apart
    for i in (0, 1, len(orders) - 1):                                     # against a plain loop, order by order
        ordered = [words[k] for k in orders[i]]
        ref = plain_rnn(rnn.w1x, rnn.w1h, rnn.b1, rnn.w2, rnn.b2, ordered, vocab)
        assert recurrent[i] == pytest.approx(ref, rel=1e-10)
        bag = sum(np.eye(len(vocab))[vocab[w]] for w in ordered)
        assert dense[i] == pytest.approx(1 / (1 + np.exp(-(np.tanh(bag @ rnn.w1x + rnn.b1) @ rnn.w2 + rnn.b2)[0])))


def test_same_words_give_same_rnn_output():
    """Repeated words: orders that spell the same sequence must give the same RNN output."""
    words = "a b a".split()
    orders = seq.word_orders(3)
    tokens = seq.order_tokens(words, orders)
    out = seq.rnn_outputs(seq.seeded_rnn(2), tokens)
    for i, j in itertools.combinations(range(len(orders)), 2):
        if (tokens[i] == tokens[j]).all():
            assert out[i] == pytest.approx(out[j])


def test_sample_rows_keeps_the_sentence_and_is_bounded():
    assert list(seq.sample_rows(6, 120)) == list(range(6))
    rows = seq.sample_rows(40320, 120)
    assert len(rows) == len(set(rows)) == 120 and rows[0] == 0 and rows.max() < 40320


# ----------------------------------------------------------------------------- the temperature series

def test_series_is_seeded_with_a_daily_cycle():
    a, b = ts.hourly_temperatures(seed=3), ts.hourly_temperatures(seed=3)
    assert np.array_equal(a, b) and len(a) == 7 * 24
    clean = ts.hourly_temperatures(noise=0.0).reshape(7, 24)
    assert clean.mean(axis=0).argmax() == 15 and clean.mean(axis=0).argmin() == 3


@pytest.mark.parametrize("lag", [1, 3, 12, 24])
def test_lag_correlation_matches_numpy(lag):
    x = ts.hourly_temperatures(noise=1.0, seed=0)
    expected = np.corrcoef(x[:len(x) - lag], x[lag:])[0, 1]
    assert ts.lag_correlation(x, lag) == pytest.approx(expected, abs=1e-12)


def test_shuffling_keeps_values_and_destroys_the_link():
    x = ts.hourly_temperatures(seed=0)
    mixed = ts.shuffled(x, seed=1)
    assert np.array_equal(np.sort(mixed), np.sort(x))
    assert ts.lag_correlation(x, 1) > 0.8
    assert abs(ts.lag_correlation(mixed, 1)) < 0.2
    assert ts.lag_correlation(x, 12) < -0.5                 # warm afternoon, cold night


# ----------------------------------------------------------------------------- charts

def test_orders_chart_holds_both_models():
    names = {k: k for k in ("dense", "rnn", "order", "order_number", "output", "title")}
    rows = chart_rows(charts.orders_chart(["a b", "b a"], np.array([0.3, 0.3]), np.array([0.2, 0.6]), names))
    assert sorted((r["model"], r["text"], r["output"]) for r in rows) == sorted(
        [("dense", "a b", 0.3), ("dense", "b a", 0.3), ("rnn", "a b", 0.2), ("rnn", "b a", 0.6)])


def test_diagrams_show_the_shapes_and_one_cell_per_step():
    shapes = {"X": "(6, 3, 3)", "X_t": "(6, 3)", "H": "(6, 4)", "W1x": "(3, 4)", "W1h": "(4, 4)", "A2": "(6, 1)",
              "n_c": "4"}
    folded_rows = chart_rows(charts.folded_cell_chart(shapes, {"cell": "c", "loop": "l"}))
    folded = " ".join(str(r.get("text")) for r in folded_rows)
    for key in ("X_t", "H", "W1x", "W1h"):
        assert shapes[key] in folded
    words = ["Hello", "Deep", "Learning", "extraordinarily"]
    rows = chart_rows(charts.unrolled_chart(words, shapes, {"shared": "{w1x} {w1h}"}))
    assert sum(r.get("kind") == "cell" for r in rows) == len(words)
    texts = [str(r.get("text")) for r in rows]
    assert "Hello" in texts and "extraordi…" in texts                       # long words are shortened to fit
    narrow = [str(r.get("text")) for r in chart_rows(charts.unrolled_chart(words, shapes, {"shared": "{w1x} {w1h}"},
                                                                         narrow=True))]
    assert "extraordinarily" in narrow and sum(r.get("kind") == "cell" for r in rows) == len(words)   # (more room)


# ----------------------------------------------------------------------------- the page

def open_page(make_app, lang, page=PAGE, **query):
    """The app in one language, switched to one page through the navigation, checked for exceptions."""
    query.setdefault("answers", "true")     # these tests read the results; tests/test_questions.py asks first
    at = make_app(lang, **query)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_runs_and_reacts(make_app, lang="ko"):
    """Every control once, in Korean (tests/test_app.py opens every page in both languages)."""
    at = open_page(make_app, lang)
    assert i18n.table(lang, "sequences")["title"] in [t.value for t in at.title]
    spreads = [m.value for m in at.metric][:2]
    assert float(spreads[0]) == 0 and float(spreads[1]) > 0             # dense flat, RNN varied
    for sentence in ("the cat sat on the mat", "a b c d e f g h i j", "", "Hello Deep Learning"):
        at.text_input(key="sequences_sentence").set_value(sentence).run()
        assert not at.exception, (sentence, [e.value for e in at.exception])
    at.text_input(key="sequences_sentence").set_value("one two three four five six seven eight nine").run()
    assert at.warning                                                     # only the first 8 words are used
    assert float(at.metric[0].value) == 0
    at.select_slider(key="sequences_cells").set_value(16).run()
    at.number_input(key="sequences_seed").set_value(7).run()
    at.slider(key="sequences_lag").set_value(12).run()
    at.select_slider(key="sequences_noise").set_value(4.0).run()
    assert not at.exception, [e.value for e in at.exception]
    assert float(at.metric[2].value) < 0                                  # 12 hours ahead: day vs night


def test_sentence_survives_a_page_switch(make_app):
    at = open_page(make_app, "en")
    at.text_input(key="sequences_sentence").set_value("deep learning is fun").run()
    at.switch_page("pages/home.py").run()
    at.switch_page(PAGE).run()
    assert at.text_input(key="sequences_sentence").value == "deep learning is fun"


def test_lecture_mode_hides_technical_controls(make_app):
    at = open_page(make_app, "ko", lecture="true")
    keys = {w.key for w in at.select_slider} | {w.key for w in at.number_input}
    assert "sequences_cells" not in keys and "sequences_seed" not in keys and "sequences_noise" not in keys
    assert at.text_input(key="sequences_sentence").value == "Hello Deep Learning"
    assert at.slider(key="sequences_lag") is not None


def test_unrolled_cell_drawn_wide_and_narrow_said_once(make_app):
    """The unrolled cell is drawn twice, side by side and one step under the other, in keyed containers that a
    container query shows one of (ui.charts._fitted); both carry the one summary, written once under them, and a
    second run replays them from the cache the same."""
    import json
    at = open_page(make_app, "en")
    for _ in range(2):
        said = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
        summary = charts.unrolled_summary(["Hello", "Deep", "Learning"], {"W1x": "(3, 4)", "W1h": "(4, 4)",
                                          "A2": "(6, 1)"}, theme.labels(i18n.table("en", "sequences"), "cell"))
        pair = [s for s in said if s["description"] == summary]
        assert len(pair) == 2
        assert pair[0]["width"] > pair[1]["width"]                             # wide first, then narrow
        captions = [c.value for c in at.caption if c.value.replace("\\", "") == summary]
        assert len(captions) == 1                                              # its text alternative: once
        at.run()

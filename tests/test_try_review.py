"""The "Try your own review" page: encoding as the chapter prepares its data, per-word probabilities, hostile input."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from rnn_core.charts import try_review as charts
from rnn_core.data import imdb
from rnn_core.jobs import runs
from rnn_core.lessons import try_review
from tests.conftest import table_with
from ui import i18n

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/try_review.py"
SHARED = ROOT.parent / "shared" / "data"
CONFIGS = {"numpy": (100, 20, 100), "keras_a": (100, 20, 100), "keras_b": (1000, 20, 100), "keras_c": (1000, 20, 100)}
LONG = ("good movie " * 10_000)[:100_000]
HOSTILE = {
    "empty": "",
    "long": LONG,                      # accepted by the box, then only its last 5,000 characters are read
    "korean": "이 영화 정말 재미있어요. 배우들의 연기가 훌륭합니다!",
    "emoji": "😀🎬👍 great 🍿🔥 " * 5,
    "markup": "<script>alert(1)</script><b>x</b>",
}


def random_run(kind, rng, n_c=6, d=4, name=None):
    """A run of `kind` with random weights in the layout of rnn_core.jobs.runs (never shipped: tests only)."""
    num_words, skip_top, maxlen = CONFIGS[kind]
    u = lambda *shape: rng.uniform(-0.5, 0.5, shape).astype(np.float32)   # noqa: E731
    if kind == "numpy":
        w = dict(w1x=u(num_words, n_c), w1h=u(n_c, n_c), b1=u(n_c), w2=u(n_c, 1), b2=u(1))
    else:
        rnn, gates = ("lstm", 4) if kind == "keras_c" else ("rnn", 1)
        n_in = num_words if kind == "keras_a" else d
        w = {f"{rnn}_kernel": u(n_in, gates * n_c), f"{rnn}_recurrent_kernel": u(n_c, gates * n_c),
             f"{rnn}_bias": u(gates * n_c), "dense_kernel": u(n_c, 1), "dense_bias": u(1)}
        if kind != "keras_a":
            w["embedding"] = u(num_words, d)
    return runs.Run(name=name or f"test_{kind}", kind=kind, history={"loss": [0.6]}, weights=w,
                    config=dict(num_words=num_words, skip_top=skip_top, maxlen=maxlen,
                                **({"n_cells": n_c} if kind == "numpy" else {"units": n_c, "embedding_dim": d})),
                    data_source=imdb.find_corpus().source)


@pytest.fixture(scope="module")
def word_index():
    return imdb.find_corpus().word_index


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """Four random runs, one per kind, saved in a temporary saved_runs folder the page reads."""
    rng = np.random.default_rng(0)
    made = [random_run(kind, rng) for kind in CONFIGS]
    for run in made:
        runs.save_run(run, tmp_path)
    monkeypatch.setattr(runs, "SAVED_DIR", tmp_path)
    return made


def textbook_steps(run, sequence):
    """P(positive) at H_0 and after every step, written out plainly (one-hot input for the chapter's model)."""
    w = {k: v.astype(np.float64) for k, v in run.weights.items()}
    sig = lambda z: 1 / (1 + np.exp(-z))   # noqa: E731
    if run.kind == "numpy":
        x = np.eye(len(w["w1x"]))[sequence]                      # (T, n_f) one-hot rows
        h, out = np.zeros(len(w["w1h"])), [sig(w["b2"][0])]
        for x_t in x:
            h = np.tanh(x_t @ w["w1x"] + h @ w["w1h"] + w["b1"])
            out.append(sig(h @ w["w2"][:, 0] + w["b2"][0]))
        return np.array(out)
    x = np.eye(len(w["rnn_kernel"]))[sequence] if run.kind == "keras_a" else w["embedding"][sequence]
    rnn = "lstm" if run.kind == "keras_c" else "rnn"
    k, r, b = w[f"{rnn}_kernel"], w[f"{rnn}_recurrent_kernel"], w[f"{rnn}_bias"]
    n = len(r)
    h, c, out = np.zeros(n), np.zeros(n), [sig(w["dense_bias"][0])]
    for x_t in x:
        z = x_t @ k + h @ r + b
        if rnn == "rnn":
            h = np.tanh(z)
        else:
            i, f, g, o = z[:n], z[n:2 * n], z[2 * n:3 * n], z[3 * n:]
            c = sig(f) * c + sig(i) * np.tanh(g)
            h = sig(o) * np.tanh(c)
        out.append(sig(h @ w["dense_kernel"][:, 0] + w["dense_bias"][0]))
    return np.array(out)


# ----------------------------------------------------------------------------- rnn_core.predict

@pytest.mark.parametrize("kind", list(CONFIGS))
def test_each_kind_matches_a_plain_loop(kind, word_index):
    run = random_run(kind, np.random.default_rng(1))
    r = try_review.read_review(run, "The film was great, not bad! A story I would watch again.", word_index)
    expected = textbook_steps(run, r.sequence)
    assert r.steps.shape == (101,)
    assert np.abs(r.steps - expected).max() < 1e-5
    assert r.probability == pytest.approx(expected[-1], abs=1e-5)


def test_encoding_by_hand(word_index):
    """Ranks + 3, indices < skip_top or >= num_words dropped, zeros in front (lecture 6.3)."""
    run = random_run("numpy", np.random.default_rng(2))
    text = "The film was GREAT, not bad! Zzzqx 영화"
    r = try_review.read_review(run, text, word_index)
    assert r.tokens == ["the", "film", "was", "great", "not", "bad", "zzzqx", "영화"]
    index = {w: word_index[w] + 3 for w in ("the", "film", "was", "great", "not", "bad")}
    assert index["the"] < 20 and index["was"] < 20                 # skipped by skip_top=20
    kept = [index[w] for w in ("film", "great", "not", "bad")]
    assert r.sequence.tolist() == [0] * 96 + kept
    assert r.status == ["common", "read", "common", "read", "read", "read", "unknown", "unknown"]
    # a word of rank >= 97 is beyond num_words=100
    rare = next(w for w, k in word_index.items() if k == 500)
    assert try_review.read_review(run, rare, word_index).status == ["rare"]


def test_long_review_keeps_its_last_maxlen_words(word_index):
    run = random_run("keras_b", np.random.default_rng(3))
    words = [w for w, k in sorted(word_index.items(), key=lambda kv: kv[1]) if 20 <= k + 3 < 1000][:150]
    r = try_review.read_review(run, " ".join(words), word_index)
    assert r.status == ["cut"] * 50 + ["read"] * 100
    assert r.sequence.tolist() == [word_index[w] + 3 for w in words[50:]]
    assert r.n_pad == 0 and r.start_status == "h0"


@pytest.mark.parametrize("kind", list(CONFIGS))
def test_probability_after_each_word(kind, word_index):
    run = random_run(kind, np.random.default_rng(4))
    r = try_review.read_review(run, "the film was great and the story was not bad but too long", word_index)
    read = [k for k, s in enumerate(r.status) if s == "read"]
    assert np.array_equal(r.after_word[read], r.steps[r.n_pad + 1:])      # one step per word read
    assert r.after_word[-1] == r.probability                               # the last value is the prediction
    before = [k for k in range(len(r.tokens)) if k < read[0]]
    assert all(r.after_word[k] == r.start for k in before)                 # nothing read yet: the start value
    for k in range(1, len(r.tokens)):
        if r.status[k] != "read":                                          # a skipped word changes nothing
            assert r.after_word[k] == r.after_word[k - 1]


@pytest.mark.skipif(not (SHARED / "imdb.npz").exists(), reason="../shared/data is not present")
def test_a_training_review_typed_in_gives_its_training_row(word_index):
    """The chapter's pipeline (load_data, drop <= 2, pad) and the page's encoding of the same words agree."""
    chapter = imdb.prepare_chapter_data(num_words=100, skip_top=20, maxlen=100, data_dir=SHARED)
    corpus = imdb.find_corpus(SHARED)
    full, _ = imdb.load_reviews(corpus)                                 # every word's own index, no cut-off
    run = random_run("numpy", np.random.default_rng(5))
    index_to_word = imdb.index_to_word(corpus.word_index)
    for i in (0, 1, 7, 123):
        words = [index_to_word[j - 3] for j in full[chapter.train_index[i]] if j > 2]
        r = try_review.read_review(run, " ".join(words), corpus.word_index)
        assert np.array_equal(r.sequence, chapter.x_train[i])


def test_keep_end_cuts_at_a_word_boundary():
    assert try_review.keep_end("short text", 100) == "short text"
    assert try_review.keep_end("alpha beta gamma", 7) == "gamma"        # "a gamma" would start inside "beta"
    assert try_review.keep_end("alpha beta gamma", 10) == "beta gamma"  # the cut falls on a space: keep every word
    assert try_review.keep_end("x" * 50, 10) == ""                      # one giant word: nothing whole is left


def test_wrong_vocabulary_size_is_an_error(word_index):
    run = random_run("numpy", np.random.default_rng(6))
    run.config = dict(run.config, num_words=1000)                       # says 1000, but W1x has 100 rows
    with pytest.raises(ValueError):
        try_review.read_review(run, "a wonderful performance", word_index)


def test_same_vocabulary():
    assert imdb.same_reviews("keras", "local") and imdb.same_reviews("", "synthetic")
    assert not imdb.same_reviews("keras", "synthetic") and not imdb.same_reviews("synthetic", "local")


def test_chart_has_a_line_per_model_and_the_words(word_index):
    rng = np.random.default_rng(7)
    readings = {k: try_review.read_review(random_run(k, rng), "great film, <b>not</b> 😀 bad", word_index)
                for k in ("numpy", "keras_b")}
    df = charts.trajectory_frame(readings["numpy"].tokens, readings, "(start)")
    assert len(df) == 2 * (len(readings["numpy"].tokens) + 1)
    names = {"x": "x", "y": "y", "model": "m", "word": "w", "status": "s", "title": "t"}
    spec = charts.trajectory_chart(df, names).to_dict()
    assert "(start)" in json.dumps(spec, ensure_ascii=False) and "😀" in json.dumps(spec, ensure_ascii=False)


# ----------------------------------------------------------------------------- the page

def page(make_app, lang, **query):
    at = make_app(lang, **query)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(lang):
    return i18n.table(lang, "try_review")


def shown(at):
    """Every text element's value on the page."""
    return [e.value for kind in ("markdown", "caption", "info", "warning", "error", "metric")
            for e in getattr(at, kind)]


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_page_with_hostile_input(make_app, shipped, lang):
    at = page(make_app, lang)
    box = at.text_area(key="try_review_text")
    assert box.value == texts(lang)["examples.negation.text"] and len(at.metric) == 4   # a first visit: an example
    box.input("").run()
    assert texts(lang)["empty"] in shown(at) and not at.metric         # emptied box: a hint, nothing else
    assert box.max_chars == 200_000
    for name, text in HOSTILE.items():
        box.input(text).run()
        assert not at.exception, (name, [e.value for e in at.exception])
        values = shown(at)
        assert not any("<script>" in str(v) or "<b>" in str(v) for v in values), name
        if name == "long":
            assert texts(lang)["cut"].format(n="100,000", read="5,000") in values
            assert len(at.metric) == 4
            cut, model = texts(lang)["status.cut"], texts(lang)["col_model"]
            counts = table_with(at, model, cut).set_index(model)[cut]
            assert counts[texts(lang)["kinds.keras_b"]] > 300                   # ~450 known words, the last 100 read
        if name == "korean":
            assert texts(lang)["nothing_read"] in values
        if name == "emoji":
            assert len(at.metric) == 4 and len(at.get("vega_lite_chart")) == 2   # trajectory, gradient per word
        if name == "markup":                                            # read as words, shown in a dataframe only
            table = table_with(at, texts(lang)["col_pos"], texts(lang)["col_word"])
            assert table[texts(lang)["col_word"]].tolist() == ["script", "alert", "1", "script", "b", "x", "b"]
    box.set_value("bad " * 100_000).run()                               # past the box's bound (a client ignoring it)
    # Streamlit cuts at max_chars
    assert not at.exception and texts(lang)["cut"].format(n="200,000", read="5,000") in shown(at)
    raw_html = [str(h.proto) for h in at.get("html")]                  # only the app's own CSS goes through st.html
    assert raw_html and not any(w in h for h in raw_html for w in ("alert", "bad bad", "<b>")), raw_html[:1]


def test_page_never_renders_user_text_as_html():
    source = (ROOT / PAGE).read_text(encoding="utf-8")
    assert "unsafe_allow_html" not in source and "st.html" not in source


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("example", ["positive", "negative", "negation"])
def test_examples(make_app, shipped, lang, example):
    at = page(make_app, lang)
    at.button(key=f"try_review_example_{example}").click().run()
    assert not at.exception
    assert at.text_area(key="try_review_text").value == texts(lang)[f"examples.{example}.text"]
    assert len(at.metric) == 4
    words = table_with(at, texts(lang)["col_pos"], texts(lang)["col_word"])
    assert "not" in words[texts(lang)["col_word"]].tolist() or example != "negation"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_lecture_mode_shows_less(make_app, shipped, lang):
    at = page(make_app, lang, lecture="true")
    at.button(key="try_review_example_positive").click().run()
    assert not at.exception
    assert len(at.metric) == 4 and len(at.get("vega_lite_chart")) == 2
    assert len(at.dataframe) == len(at.get("vega_lite_chart")) and len(at.multiselect) == 0   # the charts' own tables


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_no_models_points_to_training(make_app, tmp_path, monkeypatch, lang):
    monkeypatch.setattr(runs, "SAVED_DIR", tmp_path)
    at = page(make_app, lang)
    assert texts(lang)["no_runs"] in shown(at)
    assert len(at.get("page_link")) == 2


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_session_runs_are_used(make_app, tmp_path, monkeypatch, lang):
    monkeypatch.setattr(runs, "SAVED_DIR", tmp_path)                    # nothing shipped
    at = make_app(lang)
    at.run()
    rng = np.random.default_rng(8)
    at.session_state["runs"] = [random_run("numpy", rng, name="a"), random_run("keras_c", rng, name="b")]
    at.switch_page(PAGE).run()
    at.text_area(key="try_review_text").input("a great story").run()
    assert not at.exception
    assert len(at.metric) == 2
    kinds = [texts(lang)[f"kinds.{k}"] for k in ("numpy", "keras_c")]
    assert [m.label for m in at.metric] == [texts(lang)["model_label.session"].format(kind=k, n=n)
                                            for n, k in zip((1, 2), kinds)]


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_runs_from_other_data_are_left_out(make_app, shipped, lang):
    at = make_app(lang)
    at.run()
    stranger = random_run("numpy", np.random.default_rng(9), name="synthetic one")
    stranger.data_source = "synthetic" if shipped[0].data_source != "synthetic" else "local"
    at.session_state["runs"] = [stranger]
    at.switch_page(PAGE).run()
    at.text_area(key="try_review_text").input("a great story").run()
    assert not at.exception
    assert len(at.metric) == 4 and len(at.warning) == 1


def test_page_imports_no_tensorflow(shipped):
    """Run the page (Keras models included) in a fresh process: TensorFlow must not be imported."""
    code = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from rnn_core.jobs import runs
        from pathlib import Path
        runs.SAVED_DIR = Path({str(runs.SAVED_DIR)!r})
        from streamlit.testing.v1 import AppTest
        at = AppTest.from_file({str(ROOT / "streamlit_app.py")!r}, default_timeout=60)
        at.query_params["lang"] = "en"
        at.run()
        at.switch_page({PAGE!r}).run()
        at.text_area(key="try_review_text").input("a great film").run()
        assert not at.exception, [e.value for e in at.exception]
        assert len(at.metric) == 4, len(at.metric)
        print("tensorflow" in sys.modules, "keras" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[-2:] == ["False", "False"]


@pytest.mark.skipif(not (SHARED / "imdb.npz").exists() or not list(runs.SAVED_DIR.glob("*.json")),
                    reason="needs ../shared/data and the shipped runs")
def test_shipped_runs_give_their_recorded_validation_accuracy():
    """The NumPy forward pass of every shipped run reproduces the validation accuracy its training recorded."""
    from rnn_core.model import keras_numpy
    from rnn_core.model.numpy_rnn import RecurrentNetwork
    chapters = {}
    for run in runs.saved_runs():
        c = run.config
        key = (c["num_words"], c["skip_top"], c["maxlen"])
        if key not in chapters:
            chapters[key] = imdb.prepare_chapter_data(*key, data_dir=SHARED)
        d = chapters[key]
        if run.kind == "numpy":
            p = RecurrentNetwork.from_weights(run.weights).predict_proba(d.x_val)[:, 0]
        else:
            p = keras_numpy.predict(run.kind, run.weights, d.x_val)[:, 0]
        recorded = run.history.get("val_accuracy")
        if recorded:
            assert np.mean((p > 0.5) == d.y_val) == pytest.approx(recorded[-1], abs=1e-6), run.name
        if "final_evaluate" in c:                                       # Keras's own evaluate() of the saved model
            q = np.clip(p, 1e-7, 1 - 1e-7)
            loss = -np.mean(d.y_val * np.log(q) + (1 - d.y_val) * np.log(1 - q))
            assert loss == pytest.approx(c["final_evaluate"]["loss"], abs=1e-4), run.name


# ----------------------------------------------------------------------------- gradient reach on the review

def plain_logit(run, x):
    """Z (the output before the sigmoid) of a run reading input vectors x (T, n_in), a plain float64 loop."""
    w = {k: v.astype(np.float64) for k, v in run.weights.items()}
    sig = lambda z: 1 / (1 + np.exp(-z))   # noqa: E731
    if run.kind == "numpy":
        k, r, b, wo, bo = w["w1x"], w["w1h"], w["b1"], w["w2"], w["b2"]
    else:
        rnn = "lstm" if run.kind == "keras_c" else "rnn"
        k, r, b = w[f"{rnn}_kernel"], w[f"{rnn}_recurrent_kernel"], w[f"{rnn}_bias"]
        wo, bo = w["dense_kernel"], w["dense_bias"]
    n = len(r)
    h, c = np.zeros(n), np.zeros(n)
    for x_t in x:
        z = x_t @ k + h @ r + b
        if run.kind != "keras_c":
            h = np.tanh(z)
        else:
            c = sig(z[n:2 * n]) * c + sig(z[:n]) * np.tanh(z[2 * n:3 * n])
            h = sig(z[3 * n:]) * np.tanh(c)
    return float(h @ wo[:, 0] + bo[0])


@pytest.mark.parametrize("kind", list(CONFIGS))
def test_word_gradients_equal_finite_differences(kind, word_index):
    run = random_run(kind, np.random.default_rng(7))
    r = try_review.read_review(run, "The film was great, not bad! A story I would watch again with my family.",
                               word_index)
    got = try_review.word_gradients(run, r)                               # (n,)
    assert np.isnan(got[[k for k, s in enumerate(r.status) if s != "read"]]).all()
    w = run.weights
    x = (np.eye(len(w["w1x"] if kind == "numpy" else w["rnn_kernel"]))[r.sequence] if kind in ("numpy", "keras_a")
         else w["embedding"][r.sequence].astype(np.float64))            # (T, n_in)
    read = [k for k, s in enumerate(r.status) if s == "read"]
    eps = 1e-6
    for j, k in enumerate(read):
        t = r.n_pad + j
        fd = []
        for i in range(x.shape[1]):
            up, down = x.copy(), x.copy()
            up[t, i] += eps
            down[t, i] -= eps
            fd.append((plain_logit(run, up) - plain_logit(run, down)) / (2 * eps))
        assert got[k] == pytest.approx(np.linalg.norm(fd), rel=1e-3, abs=1e-7), (kind, k)


def test_numpy_word_gradients_stop_at_the_training_window(word_index):
    run = random_run("numpy", np.random.default_rng(8))
    run.config["truncation"] = 3
    words = [w for w, k in sorted(word_index.items(), key=lambda kv: kv[1]) if 20 <= k + 3 < 100][:8]
    r = try_review.read_review(run, " ".join(words), word_index)
    g = try_review.word_gradients(run, r)
    assert (g[:5] == 0).all() and (g[5:] > 0).all()                   # only the last 3 words get a gradient


def test_gradient_chart_draws_words_as_text_marks():
    words = ["<b>bold</b>", "good", "the"]
    g = {"model A": np.array([1e-4, 1.0, np.nan]), "model B": np.array([0.0, 0.5, 0.25])}
    df = charts.gradient_frame(words, g)
    assert df.loc[(df.model == "model A") & (df.word == "good"), "relative"].item() == 0
    assert df.loc[(df.model == "model A") & (df.position == 0), "relative"].item() == pytest.approx(-4)
    assert df.set_index(["model", "position"]).loc[("model B", 0), "state"] == "zero"
    names = {"word": "w", "gradient": "g", "relative": "r", "status": "s",
             "state.read": "read", "state.zero": "zero", "state.unread": "unread", "title": "t"}
    spec = charts.gradient_chart(df, names).to_dict()
    marks = json.dumps(spec["spec"]["layer"])
    assert '"text"' in marks and "<b>" not in marks                  # the words are data, not part of the spec
    assert "<b>bold</b>" in json.dumps(spec["datasets"])

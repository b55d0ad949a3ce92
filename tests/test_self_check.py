"""Self-check: every generated answer against an independent computation (a plain textbook loop, hand-derived
formulas, Keras's count_params), answer checking, rounds, and the page itself."""
import math
import re

import numpy as np
import pytest

from rnn_core.assessment import self_check as sc
from rnn_core.model import params

SEEDS = range(12)


def plain_shapes(m, steps, n_f, n_c):
    """The chapter's forward pass written out as a loop over time steps, recording the shapes it meets."""
    x = np.zeros((m, steps, n_f))
    w1x, w1h, b1 = np.zeros((n_f, n_c)), np.zeros((n_c, n_c)), np.zeros(n_c)
    w2, b2 = np.zeros((n_c, 1)), np.zeros(1)
    h, states, seen = np.zeros((m, n_c)), [], {}
    states.append(h)
    for t in range(steps):
        x_t = x[:, t, :]
        seen["X_t"], seen["HW"] = x_t.shape, (h @ w1h).shape
        h = np.tanh(x_t @ w1x + h @ w1h + b1)
        states.append(h)
    seen.update(W1x=w1x.shape, W1h=w1h.shape, H_t=h.shape, Z2=(h @ w2 + b2).shape, states=len(states))
    return seen


def ints(text):
    return [int(v) for v in re.findall(r"\d+", text.replace(",", ""))]


def expected(item):
    """The answer worked out independently of rnn_core, from the numbers shown in the question."""
    p = item.params
    t = item.template
    if t.startswith("shape_") or t == "states":
        return plain_shapes(p["m"], p["T"], p["n_f"], p["n_c"])[t.removeprefix("shape_")]
    if t == "orders":
        return math.factorial(p["n"])
    if t == "linear_ratio":
        return float(p["radius"]) ** p["k"]
    if t == "direction":
        r = float(p["radius"]) ** p["k"]             # the linear estimate; the chosen radii keep it far from the limits
        return "vanish" if r < 1e-2 else "explode" if r > 1e2 else "stable"
    if t == "truncation":
        return "last"
    if t == "clipping":
        return min(float(p["N"]), float(p["c"]))
    if t == "gradcheck":
        return "agree" if item.texts == "gradcheck_full" else "disagree"
    if t == "padding":
        review, maxlen = ints(p["review"]), p["maxlen"]
        row = ([0] * maxlen + review)[-maxlen:]
        return next(o for o in item.options if ints(p[f"opt_{o}"]) == row)
    if t == "zeros":
        return max(p["maxlen"] - p["n"], 0)
    if t == "dropped":
        return sum(v > 2 for v in ints(p["raw"]))
    if t == "onehot_mb":
        return int(p["m"].replace(",", "")) * p["T"] * p["n_f"] * 4 / 1e6
    if t == "numpy_params":
        n_f, n_c = p["n_f"], p["n_c"]
        return n_f * n_c + n_c * n_c + n_c + n_c * 1 + 1
    if t == "simple_rnn":
        return p["n_f"] * p["units"] + p["units"] ** 2 + p["units"]
    if t == "embedding":
        return p["words"] * p["dim"]
    if t == "embedding_rnn":
        w, d, u = p["words"], p["dim"], p["units"]
        return w * d + (d * u + u * u + u) + (u + 1)
    if t == "lstm":
        return 4 * (p["dim"] * p["units"] + p["units"] ** 2 + p["units"])
    if t == "dense":
        return p["units"] + 1
    if t == "embedded_shape":
        return (p["m"], p["T"], p["dim"])
    raise AssertionError(f"no independent computation for {t}")


@pytest.mark.parametrize("section", sc.SECTIONS)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_answer_matches_an_independent_computation(section, seed):
    rng = np.random.default_rng(seed)
    for template, make in sc.TEMPLATES[section].items():
        item = make(rng)
        assert item.template == template
        want = expected(item)
        if isinstance(want, float):
            assert item.answer == pytest.approx(want, rel=1e-6), item
        else:
            assert item.answer == want, item


@pytest.mark.parametrize("section", sc.SECTIONS)
def test_rounds_have_five_distinct_questions_and_fresh_numbers(section):
    assert len(sc.TEMPLATES[section]) >= sc.PER_ROUND
    a = sc.new_round(section, np.random.default_rng(1))
    b = sc.new_round(section, np.random.default_rng(2))
    assert len(a) == sc.PER_ROUND and len({i.template for i in a}) == sc.PER_ROUND
    assert [i.params for i in a] != [i.params for i in b]


def test_missed_questions_come_back_first():
    first = sc.new_round("6.4", np.random.default_rng(0))
    answers = [item.answer if i % 2 else "wrong" for i, item in enumerate(first)]
    right, total, missed = sc.score(first, [str(a) for a in answers])        # typed text, as the page gives it
    assert (right, total) == (2, 5) and missed == [first[0].template, first[2].template, first[4].template]
    again = sc.new_round("6.4", np.random.default_rng(5), missed=missed)
    assert [i.template for i in again[:3]] == missed


def test_checking_answers():
    number = sc.Item("x", "number", 4256)
    assert number.check("4,256") and number.check(" 4256 ") and not number.check("4257")
    assert number.check("") is None and number.check(None) is None and not number.check("lots")
    ratio = sc.Item("x", "number", 0.0081, rel_tol=0.05)
    assert ratio.check("8.1e-3") and ratio.check("0.008") and not ratio.check("0.007")
    assert not ratio.check("nan") and not ratio.check("1" * 400)
    shape = sc.Item("x", "shape", (3, 5))
    assert shape.check("(3, 5)") and shape.check("3x5") and not shape.check("(5, 3)") and not shape.check("(3,)")
    choice = sc.Item("x", "choice", "last", options=("last", "first"))
    assert choice.check("last") and not choice.check("first") and choice.check(None) is None


def test_parse_is_bounded():
    assert len(sc.parse_shape("(" + "1, " * 10_000 + ")")) <= sc.MAX_CHARS
    assert sc.parse_number("9" * 10_000) == float("9" * sc.MAX_CHARS)


@pytest.mark.parametrize("seed", range(4))
def test_param_formulas_equal_keras_count_params(seed):
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(seed)
    n_in, units, words, dim = (int(v) for v in (rng.integers(2, 300), rng.integers(1, 40), rng.integers(10, 3000),
                                                rng.integers(2, 50)))
    cases = [
        (keras.layers.SimpleRNN(units), (None, 7, n_in), params.simple_rnn(n_in, units)),
        (keras.layers.LSTM(units), (None, 7, n_in), params.lstm(n_in, units)),
        (keras.layers.Dense(units), (None, n_in), params.dense(n_in, units)),
        (keras.layers.Embedding(words, dim), (None, 7), params.embedding(words, dim)),
    ]
    for layer, shape, (formula, value) in cases:
        layer.build(shape)
        assert layer.count_params() == value, (layer, formula)
        assert eval(formula.replace("·", "*")) == value      # the text shown is the same formula


# --- the page ---------------------------------------------------------------------------------------------

def _open(make_app, lang):
    at = make_app(lang).run()
    at.switch_page("pages/self_check.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _answer(at, section, items, right):
    rnd = at.session_state["self_check"][section]["round"]
    for i, item in enumerate(items):
        key = f"self_check_{section}_{rnd}_{i}"
        if item.form == "choice":
            value = item.answer if right else next(o for o in item.options if o != item.answer)
            at.radio(key=key).set_value(value)
        else:
            text = str(item.answer) if item.form == "number" else str(tuple(item.answer))
            at.text_input(key=key).input(text if right else "123456789")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_page_scores_a_round_and_the_home_page_shows_it(make_app, lang):
    at = _open(make_app, lang)
    assert not at.success and not at.error                      # no feedback before checking
    section = "6.2"
    items = at.session_state["self_check"][section]["items"]
    _answer(at, section, items, right=True)
    next(b for b in at.button if b.key and section in b.key and "FormSubmitter" in b.key).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["self_check_scores"][section] == (5, 5)
    assert len(at.success) == 5 and not at.error
    at.switch_page("pages/home.py").run()
    assert "5/5" in [m.value for m in at.metric]


def test_page_missed_questions_come_back_in_a_new_round(make_app):
    at = _open(make_app, "en")
    section = "6.3"
    items = at.session_state["self_check"][section]["items"]
    _answer(at, section, items, right=False)
    next(b for b in at.button if b.key and section in b.key and "FormSubmitter" in b.key).click()
    at.run()
    assert at.session_state["self_check_scores"][section] == (0, 5)
    assert len(at.error) == 5
    at.button(key=f"self_check_new_{section}").click().run()
    again = at.session_state["self_check"][section]
    assert again["round"] == 2 and not again["checked"]
    assert [i.template for i in again["items"]] == [i.template for i in items]
    assert not at.error and not at.success


# --- how people type numbers: a table of typed inputs, Korean and English habits, read or rejected

TYPED = [   # (typed, unit of the question, expected value or the reason it is not read)
    ("4256", "", 4256), (" 4256 ", "", 4256), ("\u30004256\u3000", "", 4256), ("4,256", "", 4256),
    ("4\uff0c256", "", 4256), ("\uff14\uff12\uff15\uff16", "", 4256), ("\uff14\uff0c\uff12\uff15\uff16", "", 4256),
    ("4256개", "", 4256), ("4256 개", "", 4256), ("4,256개", "", 4256), ("4256가지", "", 4256), ("24번", "", 24),
    ("101 스텝", "", 101), ("4256 params", "", 4256), ("120 orders", "", 120), ("4256 weights", "", 4256),
    ("1,234,567", "", 1234567), ("4 256", "", 4256), ("1_000", "", 1000), ("0.5", "", 0.5), (".5", "", 0.5),
    ("5.", "", 5), ("-0.5", "", -0.5), ("\u22120.5", "", -0.5), ("3.2e-5", "", 3.2e-5), ("8.1E-3", "", 8.1e-3),
    ("1e3", "", 1000), ("\uff10\uff0e\uff15", "", 0.5),
    ("20 MB", "MB", 20), ("20MB", "MB", 20), ("20 mb", "MB", 20), ("20메가바이트", "MB", 20),
    ("0.8 GB", "MB", 800), ("800,000,000 bytes", "MB", 800), ("800000000 B", "MB", 800), ("20\uff2d\uff22", "MB", 20),
    ("0,5", "", "ambiguous"), ("12,34", "", "ambiguous"), ("0,500", "", "ambiguous"), ("4,2567", "", "ambiguous"),
    ("0\uff0c5", "", "ambiguous"), ("20 MB", "", "unit"), ("20 GB", "", "unit"), ("lots", "", "not_number"),
    ("많이", "", "not_number"), ("nan", "", "not_number"), ("inf", "", "not_number"), ("5%", "", "not_number"),
    ("(3, 5)", "", "not_number"), ("1/8", "", "not_number"), ("4.2.1", "", "not_number"), ("--5", "", "not_number"),
]


def test_typed_numbers_table_is_big_enough():
    assert len(TYPED) >= 40
    assert sum(isinstance(e, str) for _, _, e in TYPED) >= 10                    # rejections too


@pytest.mark.parametrize("typed, unit, expected", TYPED)
def test_typed_numbers_read_or_rejected(typed, unit, expected):
    reading = sc.read_number(typed, unit)
    if isinstance(expected, str):
        assert reading.value is None and reading.problem == expected
    else:
        assert reading.problem is None and reading.value == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_rejections_and_tolerance_are_said_in_the_learners_language(lang):
    from ui import i18n
    table = i18n.table(lang, "self_check")
    for problem in ("ambiguous", "unit", "not_number"):
        assert table[f"reject.{problem}"].format(unit="MB")
    assert "{pct}" in table["tolerance.relative"] and table["tolerance.exact"]


def test_an_ambiguous_answer_is_asked_again_not_graded():
    item = sc.Item("zeros", "number", 5, {})
    assert item.check("0,5") is None and item.problem("0,5") == "ambiguous"       # not read as 5, not wrong
    assert item.check("5개") is True and item.check("５") is True and item.check("6") is False
    mb = sc.Item("onehot_mb", "number", 800.0, {}, rel_tol=0.01, unit="MB")
    assert mb.check("800 MB") and mb.check("0.8GB") and mb.check("800,000,000 bytes") and not mb.check("8 MB")

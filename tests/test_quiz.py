"""Predict-then-reveal questions: the right option follows independent computations, never a stored answer."""
import itertools

import numpy as np
import pytest

from rnn_core.assessment import quiz
from rnn_core.lessons import gradflow


def plain_rnn_output(tokens, w1x, w1h, b1, w2, b2):
    """A textbook loop over the time steps, one review at a time (no vectorisation)."""
    h = np.zeros(w1h.shape[0])
    for tok in tokens:
        x = np.zeros(w1x.shape[0])
        x[tok] = 1.0
        h = np.tanh(x @ w1x + h @ w1h + b1)
    return 1 / (1 + np.exp(-(h @ w2 + b2)))[0]


def plain_dense_output(tokens, w1x, b1, w2, b2):
    s = np.zeros(w1x.shape[0])
    for tok in tokens:
        s[tok] += 1.0
    return 1 / (1 + np.exp(-(np.tanh(s @ w1x + b1) @ w2 + b2)))[0]


@pytest.mark.parametrize("tokens, expected", [
    ([0, 1, 2], {"rnn"}),          # three different words
    ([0, 1, 0, 2], {"rnn"}),       # a repeated word: still several orders
    ([0], {"neither"}),            # one word: one order
    ([0, 0, 0], {"neither"}),      # the same word three times: one sequence
])
def test_word_order_follows_both_models_over_every_order(tokens, expected):
    rng = np.random.default_rng(3)
    n_f, n_c = 3, 4
    w1x, w1h, b1 = rng.normal(size=(n_f, n_c)), rng.normal(size=(n_c, n_c)) / 2, rng.normal(size=n_c)
    w2, b2 = rng.normal(size=(n_c, 1)), rng.normal(size=1)
    orders = set(itertools.permutations(tokens))
    dense = [plain_dense_output(o, w1x, b1, w2, b2) for o in orders]
    rnn = [plain_rnn_output(o, w1x, w1h, b1, w2, b2) for o in orders]
    q = quiz.word_order(np.ptp(dense), np.ptp(rnn), len(orders))
    assert q.correct == expected
    if len(orders) == 1:
        assert set(q.feedback.values()) == {"one_order"}
    else:
        assert q.feedback["dense"] == "dense" and not q.is_right("dense") and not q.is_right("both")


def test_shuffled_correlation():
    """|r| dropping by more than the noise band 2 / sqrt(n): zero; within it: same (also when both are near 0)."""
    assert quiz.shuffled_correlation(0.95, 0.02, 1, 167).correct == {"zero"}
    assert quiz.shuffled_correlation(0.9, 0.88, 1, 167).correct == {"same"}
    both_small = quiz.shuffled_correlation(0.05, 0.01, 6, 162)
    assert both_small.correct == {"same"} and both_small.feedback["zero"] == "zero_flat"


def plain_pad(review, maxlen):
    """Keras's defaults by hand: keep the last maxlen, zeros in front."""
    kept = list(review)[-maxlen:] if maxlen else []
    return [0] * (maxlen - len(kept)) + kept


@pytest.mark.parametrize("n, maxlen", [(3, 10), (10, 10), (25, 10), (0, 4)])
def test_padding_option_matches_a_plain_pad(n, maxlen):
    review = list(range(3, 3 + n))
    q = quiz.padding(review, maxlen)
    expected = plain_pad(review, maxlen)
    for option in q.correct:
        assert quiz._padded_as(option, np.array(review, dtype=np.int32), maxlen).tolist() == expected
    wanted = "unchanged" if n == maxlen else "pad_front" if n < maxlen else "cut_front"
    assert wanted in q.correct and "cut_back" not in q.correct
    assert "pad_back" not in q.correct                       # an empty review: pad_back is not asked at all
    assert ("pad_back" in q.options) == (n != 0)
    if n > maxlen:
        assert q.feedback["pad_front"] == "not_short"


@pytest.mark.parametrize("m, steps, n_f, expected", [(20000, 100, 100, "lt1gb"), (20000, 400, 10000, "more"),
                                                     (1000, 25, 100, "lt100mb"), (20000, 200, 1000, "lt100gb")])
def test_onehot_memory_bins(m, steps, n_f, expected):
    q = quiz.onehot_memory(m * steps * n_f * 4, m * steps * 4)
    assert q.correct == {expected}
    names = list(q.options)
    at = names.index(expected)
    assert all(q.feedback[o].startswith("low" if i < at else "high" if i > at else "right")
               for i, o in enumerate(names))


def test_input_term_is_the_row_of_the_token():
    rng = np.random.default_rng(0)
    w1x = rng.normal(size=(7, 4))
    x = np.zeros(7)
    x[5] = 1
    assert quiz.input_term(x @ w1x, w1x, 5).correct == {"row"}


def test_recurrent_shape_from_the_real_product():
    hw = np.ones((8, 32)) @ np.ones((32, 32))
    assert quiz.recurrent_shape(hw, 8, 100, 32).correct == {"m_nc"}
    same = quiz.recurrent_shape(np.ones((5, 5)) @ np.ones((5, 5)), 5, 9, 5)    # m = n_c: (n_c, n_c) not asked
    assert same.correct == {"m_nc"} and "nc_nc" not in same.options


@pytest.mark.parametrize("radius, expected", [(0.5, "vanish"), (1.0, "stable"), (1.5, "explode")])
def test_delta_ratio_with_a_linear_network(radius, expected):
    """Input scale 0 keeps tanh's slope at 1: the ratio is radius ** (T - 1) exactly (orthogonal W1h)."""
    steps = 60
    net = gradflow.make_network(20, 8, "orthogonal", radius, 0.0, seed=1)
    x, y = np.random.default_rng(1).integers(0, 20, (4, steps)), np.array([0, 1, 0, 1])
    norms = gradflow.backward_steps(net, x, y).delta_norms()
    assert norms[0] / norms[-1] == pytest.approx(radius ** (steps - 1), rel=1e-6)
    q = quiz.delta_ratio(norms[0] / norms[-1], radius, steps)
    assert q.correct == {expected}
    if radius < 1:
        assert q.feedback["explode"] == "explode_vanish_small_radius"


def test_textbook_line_right_only_for_a_symmetric_w1h():
    """The book's missing transpose is harmless exactly when W1h is symmetric: the answer follows the check."""
    net, x, y = gradflow.small_problem(seed=2)
    errors = {}
    for symmetric in (False, True):
        if symmetric:
            net.w1h = (net.w1h + net.w1h.T) / 2
        numeric = gradflow.numerical_gradient(net, x, y)
        net.truncation, net.textbook_backprop = None, True
        a = net.sigmoid(net.forpass(x))
        analytic = net.backprop(x, a - y.reshape(-1, 1))[0]
        errors[symmetric] = {"textbook": gradflow.relative_error(analytic, numeric)}
    assert quiz.textbook_line(errors[False]).correct == {"transpose"}
    assert quiz.textbook_line(errors[True]).correct == {"nothing"}


def test_question_key_changes_with_its_settings():
    a = quiz.recurrent_shape(np.ones((8, 32)), 8, 100, 32, settings=(8, 100, 32))
    b = quiz.recurrent_shape(np.ones((9, 32)), 9, 100, 32, settings=(9, 100, 32))
    assert a.key != b.key and a.key == quiz.recurrent_shape(np.ones((8, 32)), 8, 100, 32, settings=(8, 100, 32)).key


@pytest.mark.parametrize("steps", [1, 3, 8])
def test_shared_weights_follow_the_live_models_count(steps):
    """The chapter's RNN holds one W1x, W1h, b1 whatever T: counted in a network built by hand, not by the quiz."""
    n_f, n_c = 5, 4
    arrays = [np.zeros((n_f, n_c)), np.zeros((n_c, n_c)), np.zeros(n_c), np.zeros((n_c, 1)), np.zeros(1)]
    q = quiz.shared_weights(sum(a.size for a in arrays), n_f, n_c, steps)
    assert q.correct == ({"shared", "per_step", "per_step_h"} if steps == 1 else {"shared"})
    assert q.feedback["per_step"] == ("one_step" if steps == 1 else "per_step")

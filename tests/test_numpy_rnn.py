"""The NumPy RNN against independent references: finite differences, a plain loop implementation, known properties."""
import itertools

import numpy as np
import pytest

from rnn_core.lessons.gradflow import numerical_gradient
from rnn_core.model import numpy_rnn
from rnn_core.model.init import glorot_uniform, orthogonal
from rnn_core.model.numpy_rnn import RecurrentNetwork

PARAMS = ("w1h", "w1x", "b1", "w2", "b2")


def small_problem(m=5, T=7, n_f=6, seed=0):
    """Random tokens (m, T), their one-hot rows (m, T, n_f) in float64, and random 0/1 labels."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, n_f, size=(m, T))
    return tokens, np.eye(n_f)[tokens], rng.integers(0, 2, size=m)


def small_net(n_f=6, n_cells=4, truncation=None, textbook=False, seed=1):
    """A float64 network with random nonzero biases, so every term of every gradient is exercised."""
    net = RecurrentNetwork(n_cells=n_cells, truncation=truncation, textbook_backprop=textbook, seed=seed,
                           dtype=np.float64)
    net.init_weights(n_f, 1)
    rng = np.random.default_rng(seed + 100)
    net.b1 = rng.normal(0, 0.3, n_cells)
    net.b2 = rng.normal(0, 0.3, 1)
    return net


def numeric_grads(net, x, y):
    """Central differences of the loss for every weight (rnn_core.lessons.gradflow's one-weight-at-a-time loop)."""
    return [numerical_gradient(net, x, y, name) for name in PARAMS]


def model_grads(net, x, y):
    """The model's own backprop for the batch (x, y)."""
    a = net.sigmoid(net.forpass(x))
    return net.backprop(x, -(y.reshape(-1, 1) - a))


def rel_error(a, b):
    """||a - b|| relative to the larger of the two norms."""
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300)


def reference_grads(net, x_onehot, y, window, transpose=True):
    """Gradients from plain loops, one sample and one step at a time, as the book writes them (one-hot input).

    The error reaching H_{t-1} is sum_k delta_t[k] * W1h[j, k], i.e. W1h @ delta_t (delta_t W1h^T as a row);
    transpose=False uses the book's line, delta_t W1h, instead.
    """
    w1h, w1x, b1, w2, b2 = (getattr(net, p) for p in PARAMS)
    m, T, _ = x_onehot.shape
    grads = [np.zeros_like(w) for w in (w1h, w1x, b1, w2, b2)]
    for i in range(m):
        hs = [np.zeros(len(b1))]
        for t in range(T):
            hs.append(np.tanh(x_onehot[i, t] @ w1x + hs[-1] @ w1h + b1))
        a = 1 / (1 + np.exp(-(hs[-1] @ w2 + b2)))            # (1,)
        e = a - y[i]
        grads[3] += np.outer(hs[-1], e)
        grads[4] += e
        delta = (w2 @ e) * (1 - hs[-1] ** 2)                  # (n_c,)
        for t in range(T, max(T - window, 0), -1):
            grads[0] += np.outer(hs[t - 1], delta)
            grads[1] += np.outer(x_onehot[i, t - 1], delta)
            grads[2] += delta
            back = w1h @ delta if transpose else w1h.T @ delta
            delta = back * (1 - hs[t - 1] ** 2)
    return [g / m for g in grads]


def test_full_bptt_gradients_match_finite_differences():
    tokens, onehot, y = small_problem()
    net = small_net()
    for name, exact, numeric in zip(PARAMS, model_grads(net, tokens, y), numeric_grads(net, tokens, y)):
        assert exact.shape == getattr(net, name).shape
        assert rel_error(exact, numeric) < 1e-6, name


@pytest.mark.parametrize("window", [1, 3, 7, 10, None])
def test_truncated_gradients_match_plain_loops(window):
    tokens, onehot, y = small_problem(T=7)
    net = small_net(truncation=window)
    reference = reference_grads(net, onehot, y, window or 7)
    for x in (tokens, onehot):
        for name, exact, ref in zip(PARAMS, model_grads(net, x, y), reference):
            assert rel_error(exact, ref) < 1e-12, (name, window)


def test_truncation_changes_the_gradient():
    tokens, _, y = small_problem(T=7)
    full = model_grads(small_net(), tokens, y)
    short = model_grads(small_net(truncation=2), tokens, y)
    assert rel_error(full[0], short[0]) > 1e-3
    np.testing.assert_array_equal(full[3], short[3])          # W2 sees only H_T either way


def test_textbook_line_gives_a_wrong_recurrent_gradient():
    tokens, onehot, y = small_problem()
    net = small_net(textbook=True)
    book = model_grads(net, tokens, y)
    assert rel_error(book[0], reference_grads(net, onehot, y, 7, transpose=False)[0]) < 1e-12
    assert rel_error(book[0], numeric_grads(net, tokens, y)[0]) > 0.1


def test_tokens_and_one_hot_give_the_same_numbers():
    tokens, onehot, y = small_problem(m=20, T=9, n_f=6)
    runs = []
    for x in (tokens, onehot):
        net = RecurrentNetwork(n_cells=4, batch_size=8, learning_rate=0.3, dtype=np.float64)
        net.fit(x, y, epochs=3, x_val=x[:6], y_val=y[:6], n_features=6)
        runs.append(net)
    a, b = runs
    np.testing.assert_allclose(a.batch_losses, b.batch_losses, rtol=1e-12)
    np.testing.assert_allclose(a.val_losses, b.val_losses, rtol=1e-12)
    for p in PARAMS:
        np.testing.assert_allclose(getattr(a, p), getattr(b, p), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a.forpass(tokens), a.forpass(onehot), rtol=1e-12)


def test_forpass_shapes_and_hidden_states():
    tokens, _, _ = small_problem(m=5, T=7)
    net = small_net()
    z = net.forpass(tokens)
    assert z.shape == (5, 1)
    assert len(net.h) == 8 and all(h.shape == (5, 4) for h in net.h)
    np.testing.assert_array_equal(net.h[0], 0)
    step = np.tanh(net.w1x[tokens[:, 0]] + net.h[0] @ net.w1h + net.b1)   # H_1 by hand
    np.testing.assert_allclose(net.h[1], step, rtol=1e-12)
    np.testing.assert_allclose(z, net.h[-1] @ net.w2 + net.b2, rtol=1e-12)


def test_weights_and_computation_follow_the_dtype():
    tokens, onehot, y = small_problem()
    for dtype in (np.float32, np.float64):
        net = RecurrentNetwork(n_cells=4, batch_size=2, dtype=dtype).fit(onehot, y, epochs=1)
        assert {getattr(net, p).dtype for p in PARAMS} == {np.dtype(dtype)}
        assert net.forpass(onehot).dtype == dtype and net.h[-1].dtype == dtype
        assert {g.dtype for g in model_grads(net, tokens, y)} == {np.dtype(dtype)}
    assert RecurrentNetwork().dtype == np.float32


def test_orthogonal_initialiser():
    rng = np.random.default_rng(0)
    w = orthogonal((32, 32), rng, np.float64)
    np.testing.assert_allclose(w.T @ w, np.eye(32), atol=1e-12)
    np.testing.assert_allclose(w @ w.T, np.eye(32), atol=1e-12)
    tall, wide = orthogonal((7, 3), rng, np.float64), orthogonal((3, 7), rng, np.float64)
    np.testing.assert_allclose(tall.T @ tall, np.eye(3), atol=1e-12)     # orthonormal columns
    np.testing.assert_allclose(wide @ wide.T, np.eye(3), atol=1e-12)     # orthonormal rows
    assert orthogonal((32, 32), rng).dtype == np.float32
    # Without the sign fix QR's diagonal convention biases the matrices; with it, the mean matrix is ~0.
    mean = np.mean([orthogonal((4, 4), rng, np.float64) for _ in range(4000)], axis=0)
    assert np.abs(mean).max() < 0.05


def test_glorot_uniform_initialiser():
    rng = np.random.default_rng(0)
    fan_in, fan_out = 300, 200
    w = glorot_uniform((fan_in, fan_out), rng, np.float64)
    limit = np.sqrt(6 / (fan_in + fan_out))
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.999 * limit
    assert abs(w.mean()) < 0.01 * limit
    assert w.var() == pytest.approx(2 / (fan_in + fan_out), rel=0.02)
    net = RecurrentNetwork(n_cells=32)
    net.init_weights(100, 1)
    np.testing.assert_array_equal(net.b1, 0)
    np.testing.assert_array_equal(net.b2, 0)
    np.testing.assert_allclose(net.w1h.T @ net.w1h, np.eye(32), atol=1e-5)
    assert np.abs(net.w1x).max() <= np.sqrt(6 / 132) and np.abs(net.w2).max() <= np.sqrt(6 / 33)


def test_sigmoid_is_the_logistic_function_and_never_overflows():
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(numpy_rnn.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-12, atol=1e-15)
    with np.errstate(over="raise", invalid="raise"):
        s = numpy_rnn.sigmoid(np.array([-1e4, 0.0, 1e4], dtype=np.float32))
    assert s.tolist() == [0.0, 0.5, 1.0] and s.dtype == np.float32


def test_from_weights_holds_copies_of_the_given_weights():
    weights = {n: np.random.default_rng(0).normal(size=s) for n, s in
               zip(numpy_rnn.WEIGHT_NAMES, [(4, 4), (9, 4), (4,), (4, 1), (1,)])}
    net = RecurrentNetwork.from_weights(weights, dtype=np.float64)
    assert net.n_cells == 4
    for name in numpy_rnn.WEIGHT_NAMES:
        assert np.array_equal(getattr(net, name), weights[name]) and getattr(net, name) is not weights[name]


def synthetic_task(m=400, T=12, n_f=10, seed=3):
    """Reviews of random tokens whose label is whether the last tokens are mostly 'good' (< n_f / 2)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, n_f, size=(m, T))
    y = ((x[:, -3:] < n_f // 2).sum(axis=1) >= 2).astype(int)
    return x, y


def test_training_reduces_the_loss():
    x, y = synthetic_task()
    net = RecurrentNetwork(n_cells=8, batch_size=16, learning_rate=0.3, seed=0)
    net.fit(x[:300], y[:300], epochs=15, x_val=x[300:], y_val=y[300:])
    untrained = RecurrentNetwork(n_cells=8, seed=0)
    untrained.init_weights(10, 1)
    start = untrained.loss(untrained.predict_proba(x[300:]), y[300:].reshape(-1, 1))
    assert len(net.losses) == len(net.val_losses) == 15
    assert net.val_losses[-1] < 0.6 * start
    assert net.losses[-1] < 0.6 * net.losses[0]
    majority = max(y[300:].mean(), 1 - y[300:].mean())
    assert net.score(x[300:], y[300:]) > majority + 0.15


def test_validation_loss_is_the_loss_on_the_whole_set():
    x, y = synthetic_task(m=2500)
    net = RecurrentNetwork(n_cells=5, batch_size=64, learning_rate=0.1, dtype=np.float64)
    net.fit(x[:500], y[:500], epochs=1, x_val=x[500:], y_val=y[500:])     # 2,000 validation reviews: 2 chunks
    a = 1 / (1 + np.exp(-net.forpass(x[500:])))                          # all 2,000 at once
    yv = y[500:].reshape(-1, 1)
    assert net.val_losses[0] == pytest.approx(float(np.mean(-(yv * np.log(a) + (1 - yv) * np.log(1 - a)))),
                                              rel=1e-12)
    assert net.predict(x[500:]).shape == (2000, 1)
    assert net.score(x[500:], y[500:]) == pytest.approx(float(np.mean((a > 0.5) == yv)))


def test_same_seed_same_run_bit_for_bit():
    x, y = synthetic_task(m=200)
    runs = [RecurrentNetwork(n_cells=6, batch_size=16, seed=s).fit(x, y, epochs=3, x_val=x[:50], y_val=y[:50])
            for s in (7, 7, 8)]
    a, b, c = runs
    assert a.batch_losses == b.batch_losses and a.losses == b.losses and a.val_losses == b.val_losses
    for p in PARAMS:
        np.testing.assert_array_equal(getattr(a, p), getattr(b, p))
    assert a.batch_losses != c.batch_losses
    again = a.fit(x, y, epochs=3, x_val=x[:50], y_val=y[:50])       # fit starts afresh from the seed
    assert again.batch_losses == b.batch_losses


def test_progress_events_and_chunked_training():
    x, y = synthetic_task(m=100)
    events = []
    net = RecurrentNetwork(n_cells=4, batch_size=32, seed=2).fit(x, y, epochs=2, x_val=x[:20], y_val=y[:20],
                                                                callback=events.append)
    assert [e.kind for e in events] == (["batch"] * 4 + ["epoch"]) * 2      # 100 reviews = 4 batches
    assert [e.batch for e in events[:5]] == [0, 1, 2, 3, 3]
    assert events[-1].fraction == 1.0 and events[-1].val_loss == net.val_losses[-1]
    assert events[4].loss == pytest.approx(np.mean([e.loss for e in events[:4]]))
    assert all(e.n_batches == 4 and e.epochs == 2 for e in events)
    assert all(a.elapsed <= b.elapsed for a, b in zip(events, events[1:]))
    # Advancing the generator a few batches at a time (as a page does across reruns) gives the same run.
    chunked = RecurrentNetwork(n_cells=4, batch_size=32, seed=2)
    it = chunked.iter_fit(x, y, epochs=2, x_val=x[:20], y_val=y[:20])
    while list(itertools.islice(it, 3)):
        pass
    assert chunked.batch_losses == net.batch_losses and chunked.val_losses == net.val_losses
    for p in PARAMS:
        np.testing.assert_array_equal(getattr(chunked, p), getattr(net, p))


def test_stop_keeps_the_last_finished_step():
    x, y = synthetic_task(m=100)
    seen = []
    net = RecurrentNetwork(n_cells=4, batch_size=32, seed=2)
    net.fit(x, y, epochs=5, callback=seen.append, should_stop=lambda: len(seen) == 3)
    assert len(seen) == 3 and len(net.batch_losses) == 3 and net.losses == []
    ref = RecurrentNetwork(n_cells=4, batch_size=32, seed=2)
    list(itertools.islice(ref.iter_fit(x, y, epochs=5), 3))
    for p in PARAMS:
        np.testing.assert_array_equal(getattr(net, p), getattr(ref, p))


def weights_after(steps, x, y, **kw):
    """Copies of a clean run's weights after `steps` SGD steps."""
    ref = RecurrentNetwork(**kw)
    list(itertools.islice(ref.iter_fit(x, y, epochs=10), steps))
    return ref.get_weights()


class PoisonedWeights(RecurrentNetwork):
    """Writes a NaN into W1h during its 5th SGD step."""
    steps = 0

    def training(self, x, y):
        a = super().training(x, y)
        self.steps += 1
        if self.steps == 5:
            self.w1h[0, 0] = np.nan
        return a


class PoisonedLoss(RecurrentNetwork):
    """Reports a NaN loss at its 5th batch."""
    calls = 0

    def loss(self, a, y):
        self.calls += 1
        return float("nan") if self.calls == 5 else super().loss(a, y)


@pytest.mark.parametrize("kind, good_steps", [(PoisonedWeights, 4), (PoisonedLoss, 3)])
def test_a_non_finite_step_ends_in_a_clean_diverged_state(kind, good_steps):
    x, y = synthetic_task(m=200)
    events = []
    net = kind(n_cells=4, batch_size=16, seed=5).fit(x, y, epochs=10, callback=events.append)
    assert net.diverged and events[-1].kind == "diverged" and len(events) == 5
    assert len(net.batch_losses) == 4 and all(np.isfinite(net.batch_losses))
    # NaN weights never stay: the model is back to the latest weights whose loss was finite.
    for w, ref in zip(net.get_weights(), weights_after(good_steps, x, y, n_cells=4, batch_size=16, seed=5)):
        np.testing.assert_array_equal(w, ref)


@pytest.mark.parametrize("lr", [10, 100, 1e39])
def test_huge_learning_rates_never_leave_nan_weights(lr):
    x, y = synthetic_task(m=200)
    with np.errstate(all="ignore"):
        net = RecurrentNetwork(n_cells=4, batch_size=16, learning_rate=lr, seed=5)
        net.fit(x, y, epochs=5, x_val=x[:40], y_val=y[:40])
    assert all(np.isfinite(w).all() for w in net.get_weights())
    assert np.isfinite(net.batch_losses + net.losses + net.val_losses).all()
    if lr == 1e39:            # lr * grad overflows float32: the first step already gives inf weights
        assert net.diverged and net.batch_losses == []


def test_bad_input_is_refused():
    net = RecurrentNetwork(n_cells=3)
    x, y = np.array([[1, 2], [3, 4]]), np.array([0, 1])
    with pytest.raises(ValueError):
        net.fit(x, y, n_features=4)                            # token 4 needs n_features >= 5
    with pytest.raises(ValueError):
        net.fit(x.astype(float), y)                            # tokens must be integers
    with pytest.raises(ValueError):
        net.fit(x, y[:1])
    with pytest.raises(ValueError):
        net.fit(x, y, x_val=x)
    with pytest.raises(ValueError):
        net.fit(-x, y)
    with pytest.raises(ValueError):
        RecurrentNetwork(truncation=0)
    net.fit(x, y, epochs=1)
    assert net.w1x.shape == (5, 3)                             # n_features = largest token + 1

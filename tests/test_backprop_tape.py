"""The NumPy RNN's backprop against TensorFlow's automatic differentiation (tf.GradientTape), on the same weights.

The forward pass is written again here with TensorFlow ops (no RecurrentNetwork code), the loss is Keras's mean binary
cross-entropy on the logits, and the tape differentiates it. Truncated BPTT over the last k steps is the same graph
with the hidden state H_{T-k} held constant (tf.stop_gradient): the error does not flow back past it.
Finite differences check the same gradients in tests/test_numpy_rnn.py; this is a second, independent reference.
TensorFlow is imported here, in the test process, never in the app's server process.
"""
import numpy as np
import pytest

from rnn_core.model.numpy_rnn import WEIGHT_NAMES, RecurrentNetwork

tf = pytest.importorskip("tensorflow")

M, T, N_F, N_C = 6, 9, 7, 5


def _problem(seed):
    """Random tokens (m, T), labels (m,), and a float64 network with random weights and nonzero biases."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, N_F, size=(M, T))
    y = rng.integers(0, 2, size=M)
    y[:2] = (0, 1)                                                   # both classes
    net = RecurrentNetwork(n_cells=N_C, seed=seed, dtype=np.float64)
    net.init_weights(N_F, 1)
    net.w1h = rng.normal(0, 0.6, (N_C, N_C))                         # not symmetric: W1h and W1h^T differ
    net.b1 = rng.normal(0, 0.3, N_C)
    net.b2 = rng.normal(0, 0.3, 1)
    return net, tokens, y


def _numpy_grads(net, x, y):
    """The model's own forpass and backprop (x: tokens (m, T) or one-hot rows (m, T, n_f))."""
    a = net.sigmoid(net.forpass(x))
    return dict(zip(WEIGHT_NAMES, net.backprop(x, a - y.reshape(-1, 1))))


def _tape_grads(net, tokens, y, window):
    """d(mean BCE)/d(weights) by tf.GradientTape, back through the last `window` steps (None: all of them)."""
    w = {name: tf.Variable(getattr(net, name), dtype=tf.float64) for name in WEIGHT_NAMES}
    onehot = tf.one_hot(tokens, N_F, dtype=tf.float64)               # (m, T, n_f)
    cut = 0 if window is None else max(T - window, 0)                # H_cut is held constant
    with tf.GradientTape() as tape:
        h = tf.zeros((len(tokens), N_C), dtype=tf.float64)           # H_0
        for t in range(T):
            if t == cut:
                h = tf.stop_gradient(h)
            h = tf.tanh(onehot[:, t] @ w["w1x"] + h @ w["w1h"] + w["b1"])
        logits = h @ w["w2"] + w["b2"]                                # (m, 1)
        labels = tf.constant(y.reshape(-1, 1), dtype=tf.float64)
        loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
    grads = tape.gradient(loss, [w[name] for name in WEIGHT_NAMES])
    return {name: (np.zeros(getattr(net, name).shape) if g is None else g.numpy())
            for name, g in zip(WEIGHT_NAMES, grads)}


def _close(ours, theirs, what):
    for name in WEIGHT_NAMES:
        assert ours[name].shape == theirs[name].shape, (what, name)
        np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-9, atol=1e-12, err_msg=f"{what}: {name}")


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("window", [None, 1, 3, T, T + 4], ids=lambda w: f"truncation={w}")
def test_backprop_equals_gradient_tape(window, seed):
    net, tokens, y = _problem(seed)
    net.truncation = window
    theirs = _tape_grads(net, tokens, y, window)
    _close(_numpy_grads(net, tokens, y), theirs, "tokens")
    _close(_numpy_grads(net, np.eye(N_F)[tokens], y), theirs, "one-hot rows")    # the other input path


def test_truncation_changes_the_gradient_the_tape_sees():
    """The check can fail: truncated and full BPTT give different recurrent gradients here, on both sides."""
    net, tokens, y = _problem(0)
    full, cut = _tape_grads(net, tokens, y, None), _tape_grads(net, tokens, y, 2)
    assert not np.allclose(full["w1h"], cut["w1h"])
    net.truncation = 2
    assert not np.allclose(_numpy_grads(net, tokens, y)["w1h"], full["w1h"])


def test_the_books_backprop_line_differs_from_the_tape():
    """The book's delta_t W1h (no transpose) is not the gradient: the tape tells it apart on a non-symmetric W1h."""
    net, tokens, y = _problem(0)
    net.textbook_backprop = True
    ours, theirs = _numpy_grads(net, tokens, y), _tape_grads(net, tokens, y, None)
    assert not np.allclose(ours["w1h"], theirs["w1h"], rtol=1e-6)
    np.testing.assert_allclose(ours["w2"], theirs["w2"], rtol=1e-9)  # the output layer is untouched by it

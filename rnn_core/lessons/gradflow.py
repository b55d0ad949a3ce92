"""Backpropagation through time step by step: the error signal at every step, each step's share of dL/dW1h,
gradient checks and clipping."""
from dataclasses import dataclass

import numpy as np

from rnn_core.model.init import glorot_uniform, orthogonal
from rnn_core.model.numpy_rnn import RecurrentNetwork

INITIALISERS = ("orthogonal", "glorot", "normal")
VANISH, EXPLODE = 1e-2, 1e2     # |delta_1| / |delta_T| below / above: vanishing / exploding
CHECK_TOLERANCE = 1e-6          # a gradient check's relative error below this: the gradients agree
CHECK_STEPS = 12                # time steps of the gradient check's small network
CHECK_REVIEWS = 4               # reviews in its batch
CHECK_EPS = 1e-6                # the finite differences' step


def limits():
    """The vanish/explode thresholds as the texts quote them: {"low": "0.01", "high": "100"}."""
    return {"low": f"{VANISH:g}", "high": f"{EXPLODE:g}"}


def spectral_radius(w):
    """The largest |eigenvalue| of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(w))))


def direction(ratio):
    """What the error signal did over the steps back, from |delta_1| / |delta_T|: "vanish", "stable" or "explode"."""
    return "vanish" if ratio < VANISH else "explode" if ratio > EXPLODE else "stable"


def recurrent_weights(n_cells, init, radius, rng):
    """W1h (n_c, n_c) from an initialiser, rescaled so that its spectral radius is `radius`."""
    shape = (n_cells, n_cells)
    if init == "orthogonal":
        w = orthogonal(shape, rng, np.float64)
    elif init == "glorot":
        w = glorot_uniform(shape, rng, np.float64)
    elif init == "normal":
        w = rng.standard_normal(shape) / np.sqrt(n_cells)    # N(0, 1/n_c): radius close to 1 for large n_c
    else:
        raise ValueError(f"init must be one of {INITIALISERS}")
    return w * (radius / spectral_radius(w))


def make_network(n_features, n_cells=32, init="orthogonal", radius=1.0, input_scale=1.0, seed=0):
    """The chapter's network in float64 with W1h of a chosen spectral radius and W1x multiplied by input_scale."""
    net = RecurrentNetwork(n_cells=n_cells, truncation=None, seed=seed, dtype=np.float64)
    net.init_weights(n_features, 1)
    net.w1h = recurrent_weights(n_cells, init, radius, net.rng)     # (n_c, n_c)
    net.w1x = net.w1x * input_scale                                  # (n_f, n_c)
    return net


@dataclass
class Flow:
    """What flows back through the steps: delta_t = dL/dZ1_t and H_{t-1}^T delta_t / m, for t = 1..T (index t-1)."""
    deltas: np.ndarray          # (T, m, n_c)
    contributions: np.ndarray   # (T, n_c, n_c): step t's share of dL/dW1h

    def delta_norms(self):
        """|delta_t| at every step, averaged over the batch, (T,)."""
        return np.linalg.norm(self.deltas, axis=2).mean(axis=1)

    def contribution_norms(self):
        """The size (Frobenius norm) of each step's share of dL/dW1h, (T,)."""
        return np.linalg.norm(self.contributions, axis=(1, 2))

    def w1h_grad(self, truncation=None):
        """dL/dW1h from the last `truncation` steps only (None: all of them, full BPTT)."""
        kept = self.contributions if truncation is None else self.contributions[-truncation:]
        return kept.sum(axis=0)

    def dropped_share(self, truncation):
        """How much of the full-BPTT dL/dW1h truncation throws away: |full - truncated| / |full|."""
        return relative_error(self.w1h_grad(None), self.w1h_grad(truncation))


def backward_steps(net, x, y):
    """Run x forward, then send the error back through every step, keeping delta_t and H_{t-1}^T delta_t / m."""
    m = len(x)
    a = net.sigmoid(net.forpass(x))                                  # A2, (m, 1)
    err = a - np.asarray(y, dtype=a.dtype).reshape(-1, 1)            # A2 - Y, (m, 1)
    h = net.h                                                        # H_0..H_T, each (m, n_c)
    n_steps = len(h) - 1
    deltas = np.empty((n_steps, m, net.n_cells))
    contributions = np.empty((n_steps, net.n_cells, net.n_cells))
    delta = np.dot(err, net.w2.T) * (1 - h[-1] ** 2)                 # delta_T, (m, n_c)
    for t in range(n_steps, 0, -1):
        deltas[t - 1] = delta
        contributions[t - 1] = np.dot(h[t - 1].T, delta) / m         # (n_c, m) @ (m, n_c)
        delta = np.dot(delta, net.w1h.T) * (1 - h[t - 1] ** 2)       # delta_{t-1}
    return Flow(deltas, contributions)


def grad_norms(x, y, radii, n_features, n_cells=32, init="orthogonal", input_scale=1.0, seed=0, max_norm=1.0):
    """The norm of the whole gradient (all weights, full BPTT) for each spectral radius, before and after clipping."""
    raw, clipped = [], []
    for radius in radii:
        net = make_network(n_features, n_cells, init, radius, input_scale, seed)
        a = net.sigmoid(net.forpass(x))
        grads, norm = clip_by_norm(net.backprop(x, a - np.reshape(y, (-1, 1))), max_norm)
        raw.append(norm)
        clipped.append(np.sqrt(sum(float(np.sum(g ** 2)) for g in grads)))
    return np.array(raw), np.array(clipped)


def clip_by_norm(grads, max_norm):
    """Gradient clipping: shrink all gradients together when their joint norm exceeds max_norm."""
    norm = np.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [g * scale for g in grads], norm


def loss_of(net, x, y):
    """The network's mean binary cross-entropy on (x, y)."""
    return net.loss(net.sigmoid(net.forpass(x)), np.asarray(y).reshape(-1, 1))


def numerical_gradient(net, x, y, name="w1h", eps=CHECK_EPS):
    """dL/dW by central differences, one weight at a time: (L(w + eps) - L(w - eps)) / 2 eps."""
    w = getattr(net, name)
    grad = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        old = w[i]
        w[i] = old + eps
        plus = loss_of(net, x, y)
        w[i] = old - eps
        minus = loss_of(net, x, y)
        w[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """|a - b| / max(|a|, |b|): about 1e-10 when two gradients agree, about 1 when they don't."""
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return float(np.linalg.norm(a - b) / scale) if scale > 0 else 0.0


# The three ways of backpropagating that the gradient check compares: (truncation, textbook_backprop).
METHODS = {"full": (None, False), "truncated": ("window", False), "textbook": (None, True)}


@dataclass
class Check:
    """One row of the gradient check: a backprop method's dL/dW1h next to the finite-difference one."""
    method: str
    analytic: np.ndarray    # (n_c, n_c)
    numeric: np.ndarray     # (n_c, n_c)
    error: float            # relative error


def small_problem(seed=0, m=CHECK_REVIEWS, steps=CHECK_STEPS, n_features=5, n_cells=3):
    """A small random network (float64) and a batch of random tokens and labels, for gradient checks."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, n_features, size=(m, steps))                 # (m, T) tokens
    y = rng.integers(0, 2, size=m)                                   # (m,)
    net = RecurrentNetwork(n_cells=n_cells, truncation=None, seed=seed, dtype=np.float64)
    net.init_weights(n_features, 1)
    net.b1 = rng.normal(0, 0.5, n_cells)                             # nonzero biases, so every term is checked
    return net, x, y


def gradient_check(seed=0, window=10, m=CHECK_REVIEWS, steps=CHECK_STEPS, n_features=5, n_cells=3):
    """dL/dW1h of full BPTT, truncated BPTT (last `window` steps) and the textbook's line, vs finite differences."""
    net, x, y = small_problem(seed, m, steps, n_features, n_cells)
    numeric = numerical_gradient(net, x, y, "w1h")
    rows = []
    for method, (truncation, textbook) in METHODS.items():
        net.truncation = window if truncation == "window" else truncation
        net.textbook_backprop = textbook
        a = net.sigmoid(net.forpass(x))
        analytic = net.backprop(x, a - y.reshape(-1, 1))[0]
        rows.append(Check(method, analytic, numeric, relative_error(analytic, numeric)))
    return rows

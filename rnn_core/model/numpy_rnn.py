"""The chapter's recurrent network in NumPy: forward pass, backpropagation through time, mini-batch SGD.

RecurrentNetwork first has the book's methods in the book's order (__init__, init_weights, forpass, backprop,
sigmoid, fit, training, gen_batch, predict, score); what the app adds (progress events, divergence handling,
input checks, weights in and out, big sets in chunks) comes after them, in one marked part.
"""
import time
from dataclasses import dataclass

import numpy as np

from rnn_core.model.init import glorot_uniform, orthogonal

WEIGHT_NAMES = ("w1h", "w1x", "b1", "w2", "b2")   # the order of get_weights() and set_weights()
CHUNK = 256          # samples per forward pass when predicting a big set (keeps H_0..H_T small)


def sigmoid(z):
    """1 / (1 + e^-z), written as (1 + tanh(z / 2)) / 2: the same function, and it never overflows."""
    return 0.5 * (1 + np.tanh(0.5 * z))


def is_tokens(x):
    """True for integer tokens (m, T), False for one-hot rows (m, T, n_f)."""
    return x.ndim == 2


class RecurrentNetwork:
    """A layer of n_cells tanh cells read step by step, then one sigmoid unit on the last hidden state."""

    def __init__(self, n_cells=10, batch_size=32, learning_rate=0.1, truncation=10,
                 textbook_backprop=False, seed=42, dtype=np.float32):
        if n_cells < 1 or batch_size < 1 or not learning_rate > 0:
            raise ValueError("n_cells and batch_size must be >= 1 and learning_rate > 0")
        if truncation is not None and truncation < 1:
            raise ValueError("truncation must be None (full BPTT) or >= 1")
        self.n_cells = n_cells                # cells of the recurrent layer
        self.batch_size = batch_size
        self.lr = learning_rate
        self.truncation = truncation          # time steps backpropagated (TBPTT window); None = all of them
        self.textbook_backprop = textbook_backprop   # True: the book's W1h where W1h^T belongs
        self.seed = seed
        self.dtype = np.dtype(dtype)
        self.rng = np.random.default_rng(seed)       # the model's own random numbers (weights, shuffles)
        self.w1h = None                       # (n_c, n_c) hidden state -> cells
        self.w1x = None                       # (n_f, n_c) input -> cells
        self.b1 = None                        # (n_c,) cell biases
        self.w2 = None                        # (n_c, 1) last hidden state -> output
        self.b2 = None                        # (1,) output bias
        self.h = None                         # hidden states H_0..H_T of the last forward pass
        self.losses = []                      # mean training loss of each epoch
        self.val_losses = []                  # validation loss after each epoch
        self.batch_losses = []                # loss of every mini-batch
        self.diverged = False                 # True once a loss or a weight stopped being a finite number

    def init_weights(self, n_features, n_classes):
        """W1h orthogonal, W1x and W2 Glorot uniform, biases zero."""
        self.w1h = orthogonal((self.n_cells, self.n_cells), self.rng, self.dtype)   # (n_c, n_c)
        self.w1x = glorot_uniform((n_features, self.n_cells), self.rng, self.dtype)  # (n_f, n_c)
        self.b1 = np.zeros(self.n_cells, dtype=self.dtype)                           # (n_c,)
        self.w2 = glorot_uniform((self.n_cells, n_classes), self.rng, self.dtype)    # (n_c, 1)
        self.b2 = np.zeros(n_classes, dtype=self.dtype)                              # (1,)

    def forpass(self, x):
        """Read the T steps of x; return Z2 (m, 1) and keep H_0..H_T in self.h for backprop."""
        x = np.asarray(x)
        xw = self.project_inputs(x)                                  # (T, m, n_c)
        h = np.zeros((len(x), self.n_cells), dtype=self.dtype)       # H_0 = 0, (m, n_c)
        self.h = [h]
        for xw_t in xw:                                              # one time step after the other
            z1 = xw_t + np.dot(h, self.w1h)                          # Z1_t = X_t W1x + b1 + H_{t-1} W1h
            h = np.tanh(z1)                                          # H_t, (m, n_c)
            self.h.append(h)
        z2 = np.dot(h, self.w2) + self.b2                            # output only after the last step, (m, 1)
        return z2

    def backprop(self, x, err):
        """Gradients of the batch's mean loss, back through the last `truncation` steps; err = A2 - Y, (m, 1)."""
        x, err = np.asarray(x), np.asarray(err, dtype=self.dtype)
        m = len(x)
        w2_grad = np.dot(self.h[-1].T, err) / m                      # (n_c, 1)
        b2_grad = err.sum(axis=0) / m                                # (1,)
        w1h_grad = np.zeros(self.w1h.shape, dtype=self.dtype)
        w1x_grad = np.zeros(self.w1x.shape, dtype=self.dtype)
        b1_grad = np.zeros(self.b1.shape, dtype=self.dtype)
        err_to_cell = np.dot(err, self.w2.T) * (1 - self.h[-1] ** 2)   # delta_T, (m, n_c)
        n_steps = len(self.h) - 1
        window = n_steps if self.truncation is None else min(self.truncation, n_steps)
        for t in range(n_steps, n_steps - window, -1):               # t = T, T-1, ..., T-window+1
            h = self.h[t - 1]                                        # H_{t-1}, (m, n_c)
            w1h_grad += np.dot(h.T, err_to_cell)
            if is_tokens(x):
                # X_t^T delta_t without one-hot: each row onto its token's row (benchmarks/bench_add_rows.py: a
                # faster flat-index variant saved ~3% of an epoch, too little to keep a helper for)
                np.add.at(w1x_grad, x[:, t - 1], err_to_cell)
            else:
                w1x_grad += np.dot(x[:, t - 1].T, err_to_cell)
            b1_grad += err_to_cell.sum(axis=0)
            if self.textbook_backprop:
                err_to_cell = np.dot(err_to_cell, self.w1h) * (1 - h ** 2)     # the book's line (missing .T)
            else:
                err_to_cell = np.dot(err_to_cell, self.w1h.T) * (1 - h ** 2)   # delta_{t-1}
        return w1h_grad / m, w1x_grad / m, b1_grad / m, w2_grad, b2_grad

    def sigmoid(self, z):
        """1 / (1 + e^-z): the module's overflow-safe sigmoid."""
        return sigmoid(z)

    def fit(self, x, y, epochs=100, x_val=None, y_val=None, n_features=None, callback=None, should_stop=None):
        """Train from fresh weights (driven by iter_fit); callback(Progress) after each batch and epoch; stops early
        when should_stop()."""
        for event in self.iter_fit(x, y, epochs, x_val, y_val, n_features):
            if callback is not None:
                callback(event)
            if should_stop is not None and should_stop():
                break
        return self

    def training(self, x, y):
        """One SGD step on a mini-batch; returns A2 (m, 1), computed before the step."""
        z = self.forpass(x)
        a = self.sigmoid(z)
        err = -(y - a)                                               # A2 - Y, (m, 1)
        w1h_grad, w1x_grad, b1_grad, w2_grad, b2_grad = self.backprop(x, err)
        self.w1h -= self.lr * w1h_grad
        self.w1x -= self.lr * w1x_grad
        self.b1 -= self.lr * b1_grad
        self.w2 -= self.lr * w2_grad
        self.b2 -= self.lr * b2_grad
        return a

    def gen_batch(self, x, y):
        """Mini-batches in a fresh random order; copies one batch at a time, never the whole set."""
        length = len(x)
        bins = length // self.batch_size
        if length % self.batch_size:
            bins += 1                                                # a smaller last batch
        indexes = self.rng.permutation(length)
        for i in range(bins):
            batch = indexes[self.batch_size * i:self.batch_size * (i + 1)]
            yield x[batch], y[batch]

    def predict(self, x):
        """True where the model says positive: Z2 > 0, (m, 1)."""
        return self.forpass_in_chunks(x) > 0

    def score(self, x, y):
        """Accuracy: the share of predictions equal to the labels."""
        return float(np.mean(self.predict(x) == np.asarray(y).reshape(-1, 1)))

    # ------------------------------------------------------------------------- beyond the book
    # What the app adds around the book's methods: the loss, token input without one-hot, training as a
    # generator of progress events, divergence handling, input checks, weights in and out, big sets in chunks.

    def loss(self, a, y):
        """Mean binary cross-entropy, with a kept 1e-7 away from 0 and 1 (as Keras) so the logs are finite."""
        a = np.clip(a, 1e-7, 1 - 1e-7)
        return float(np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a))))

    def project_inputs(self, x):
        """X_t W1x + b1 for all steps at once, (T, m, n_c); for tokens X_t W1x is just the rows of W1x they pick."""
        if is_tokens(x):
            xw = np.take(self.w1x, x.T, axis=0)                      # (T, m, n_c): rows of W1x, no one-hot
        else:
            xw = np.swapaxes(x, 0, 1).astype(self.dtype, copy=False) @ self.w1x   # (T, m, n_f) @ (n_f, n_c)
        xw += self.b1
        return xw

    def iter_fit(self, x, y, epochs=100, x_val=None, y_val=None, n_features=None):
        """fit as a generator: starts afresh, yields a Progress after every batch and epoch (pause by not asking)."""
        x, y, x_val, y_val, n_features = self.check_data(x, y, x_val, y_val, n_features)
        self.rng = np.random.default_rng(self.seed)                  # same seed, same run
        self.init_weights(n_features, 1)
        self.losses, self.val_losses, self.batch_losses = [], [], []
        self.diverged = False
        n_batches = -(-len(x) // self.batch_size)
        start = time.perf_counter()
        last_finite = self.get_weights()                             # latest weights known to give a finite loss
        for epoch in range(epochs):
            epoch_losses = []
            for i, (x_batch, y_batch) in enumerate(self.gen_batch(x, y)):
                before = self.get_weights()
                a = self.training(x_batch, y_batch)
                loss = self.loss(a, y_batch)
                if np.isfinite(loss):
                    last_finite = before
                if not self.is_finite(loss):
                    yield self.give_up(last_finite, Progress("diverged", epoch, i, n_batches, epochs, loss,
                                                             None, time.perf_counter() - start))
                    return
                epoch_losses.append(loss)
                self.batch_losses.append(loss)
                yield Progress("batch", epoch, i, n_batches, epochs, loss, None, time.perf_counter() - start)
            val_loss = None if x_val is None else self.loss(self.predict_proba(x_val), y_val)
            if val_loss is not None and not self.is_finite(val_loss):
                yield self.give_up(last_finite, Progress("diverged", epoch, n_batches - 1, n_batches, epochs,
                                                         val_loss, None, time.perf_counter() - start))
                return
            self.losses.append(float(np.mean(epoch_losses)))
            if val_loss is not None:
                self.val_losses.append(val_loss)
            yield Progress("epoch", epoch, n_batches - 1, n_batches, epochs, self.losses[-1], val_loss,
                           time.perf_counter() - start)

    def is_finite(self, loss):
        """True when the loss and every weight are finite numbers."""
        return bool(np.isfinite(loss)) and all(np.isfinite(getattr(self, n)).all() for n in WEIGHT_NAMES)

    def give_up(self, weights, event):
        """Mark the run as diverged and go back to the last weights with a finite loss."""
        self.set_weights(weights)
        self.diverged = True
        return event

    def get_weights(self):
        """Copies of [w1h, w1x, b1, w2, b2] (the order of WEIGHT_NAMES)."""
        return [getattr(self, name).copy() for name in WEIGHT_NAMES]

    @classmethod
    def from_weights(cls, weights, **kwargs):
        """A network holding these weights (a dict by WEIGHT_NAMES), sized from them, ready to predict."""
        net = cls(n_cells=weights["w1h"].shape[0], **kwargs)
        net.set_weights([weights[name] for name in WEIGHT_NAMES])
        return net

    def set_weights(self, weights):
        """Set w1h, w1x, b1, w2, b2 from copies of the given arrays."""
        self.w1h, self.w1x, self.b1, self.w2, self.b2 = (np.array(w, dtype=self.dtype) for w in weights)

    def forpass_in_chunks(self, x, size=CHUNK):
        """Z2 (m, 1) for a big set, computed `size` samples at a time to keep the hidden states small."""
        return np.concatenate([self.forpass(x[i:i + size]) for i in range(0, len(x), size)])

    def predict_proba(self, x):
        """A2 = sigmoid(Z2), the probability of a positive review, (m, 1)."""
        return self.sigmoid(self.forpass_in_chunks(x))

    def check_data(self, x, y, x_val, y_val, n_features):
        """The data as training needs it (labels (m, 1) floats) and the number of features; ValueError if unusable."""
        x, y = np.asarray(x), np.asarray(y).reshape(-1, 1)
        if x.ndim not in (2, 3) or len(x) == 0 or x.shape[1] == 0:
            raise ValueError("x must be tokens (m, T) or one-hot rows (m, T, n_f) with m, T >= 1")
        if len(y) != len(x) or not np.isin(y, (0, 1)).all():
            raise ValueError("y must hold one label, 0 or 1, per sample of x")
        if (x_val is None) != (y_val is None):
            raise ValueError("give both x_val and y_val, or neither")
        sets = [x]
        if x_val is not None:
            x_val, y_val = np.asarray(x_val), np.asarray(y_val).reshape(-1, 1).astype(self.dtype)
            if x_val.shape[2:] != x.shape[2:] or x_val.ndim != x.ndim or len(x_val) != len(y_val) or len(x_val) == 0:
                raise ValueError("x_val and y_val must be non-empty and shaped like x and y")
            sets.append(x_val)
        if is_tokens(x):
            if not all(np.issubdtype(s.dtype, np.integer) for s in sets):
                raise ValueError("token input must be integers")
            largest = max(int(s.max()) for s in sets)
            n_features = largest + 1 if n_features is None else n_features
            if min(int(s.min()) for s in sets) < 0 or largest >= n_features:
                raise ValueError(f"tokens must lie in 0..{n_features - 1} (n_features={n_features})")
        elif n_features not in (None, x.shape[2]):
            raise ValueError("n_features must equal x.shape[2] for one-hot input")
        return x, y.astype(self.dtype), x_val, y_val, x.shape[2] if x.ndim == 3 else n_features


@dataclass
class Progress:
    """What training reports after each mini-batch ("batch"), each epoch ("epoch") or when it blows up ("diverged")."""
    kind: str                 # "batch", "epoch" or "diverged"
    epoch: int                # index of the epoch, from 0
    batch: int                # index of the last finished batch in that epoch, from 0
    n_batches: int            # batches per epoch
    epochs: int               # epochs asked for
    loss: float               # the batch's loss, or for "epoch" the mean batch loss of the epoch
    val_loss: float | None    # validation loss after the epoch ("epoch" events with validation data)
    elapsed: float            # seconds since training started

    @property
    def fraction(self):
        """Share of all the batches done so far, 0..1 (for a progress bar)."""
        return (self.epoch * self.n_batches + self.batch + 1) / (self.epochs * self.n_batches)

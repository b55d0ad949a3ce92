"""How far back can a recurrent network remember? One decisive token d steps from the end, accuracy and gradient reach.

A review of T steps is filler (tokens that say nothing about the label) with one token planted at step T - d + 1
(d = 1 is the last step): POSITIVE for label 1, NEGATIVE for label 0. Only that token decides the label, so a model
can only score above chance if what it read d steps before the end still reaches its output, and it can only
learn that if the loss gradient reaches back those d steps.
"""
import json
import logging
from dataclasses import dataclass

import numpy as np

from rnn_core.config import CHAPTER
from rnn_core.jobs.runs import SAVED_DIR, Run
from rnn_core.jobs.training import ChunkedTraining
from rnn_core.lessons.gradflow import spectral_radius
from rnn_core.model import keras_numpy
from rnn_core.model.numpy_rnn import Progress, RecurrentNetwork

log = logging.getLogger(__name__)

STEPS = CHAPTER.maxlen                      # T = 100
N_FEATURES = CHAPTER.num_words              # n_f = 100: the one-hot width / embedding rows of every model here
DISTANCES = (2, 5, 10, 20, 40, 70, 95)
WINDOW = CHAPTER.truncation                 # k = 10: the chapter's TBPTT window
# Indices the chapter never reads (skip_top = 20 drops them), so real filler never holds them
POSITIVE, NEGATIVE = 10, 11                 # the planted tokens: label 1 and label 0
DISTRACTORS = tuple(range(12, 20))          # tokens that look planted but mean nothing
FILLER_LOW = CHAPTER.skip_top               # uniform filler draws from FILLER_LOW..N_FEATURES-1, like real words
RESULTS_PATH = SAVED_DIR / "memory_distance.json"
MODELS = ("numpy_tbptt", "numpy_full", "numpy_full_clip", "keras_simplernn", "keras_lstm")   # the experiment's
KERAS_MODELS = ("keras_simplernn", "keras_lstm")
LEARNED = 0.9                               # validation accuracy from which a model has learned the task


@dataclass(frozen=True)
class Task:
    """One data set of the memory task: n reviews, the planted token `distance` steps from the end."""
    distance: int
    n: int
    seed: int
    filler: str = "uniform"       # "uniform" (random words) or "imdb" (windows of real reviews)
    n_distractors: int = 0        # DISTRACTORS tokens at random other steps
    steps: int = STEPS


def imdb_stream(reviews):
    """The chapter's cleaned reviews (a data.Ragged, indices >= skip_top) one after another: real filler, (total,)."""
    return np.asarray(reviews.values, dtype=np.int32)


def make_task(task, stream=None):
    """(x, y): x (n, T) int32 tokens, y (n,) 0/1; the same task and stream always give the same numbers."""
    if not 1 <= task.distance <= task.steps:
        raise ValueError(f"distance must lie in 1..{task.steps}")
    rng = np.random.default_rng([task.seed, task.distance, task.n_distractors])
    y = rng.integers(0, 2, task.n)                                          # (n,) labels, independent of the filler
    if task.filler == "imdb":
        if stream is None or len(stream) <= task.steps:
            raise ValueError("the imdb filler needs a stream of real review tokens longer than T")
        starts = rng.integers(0, len(stream) - task.steps, task.n)          # (n,)
        x = stream[starts[:, None] + np.arange(task.steps)]                 # (n, T) real word windows
    else:
        x = rng.integers(FILLER_LOW, N_FEATURES, (task.n, task.steps))      # (n, T) random words
    x = x.astype(np.int32)
    where = task.steps - task.distance                                      # 0-based index of the planted step
    for _ in range(task.n_distractors):                                     # distractors: any step but `where`
        at = rng.integers(0, task.steps - 1, task.n)
        at += at >= where
        x[np.arange(task.n), at] = rng.choice(DISTRACTORS, task.n)
    x[:, where] = np.where(y == 1, POSITIVE, NEGATIVE)
    return x, y


def filler_only(x, distance):
    """x without its planted step: what the filler alone could tell a model, (n, T - 1)."""
    return np.delete(x, x.shape[1] - distance, axis=1)


def bag_of_words(x, n_features=N_FEATURES):
    """Word counts per review, (n, n_features): the order of the words is lost."""
    rows = np.repeat(np.arange(len(x)), x.shape[1])
    counts = np.zeros((len(x), n_features))
    np.add.at(counts, (rows, x.ravel()), 1)
    return counts


def fit_logistic(features, y, epochs=300, lr=0.5, l2=1e-3):
    """A plain logistic regression by full-batch gradient descent on standardised features: (w, b, mean, std)."""
    mean, std = features.mean(0), features.std(0) + 1e-8
    f = (features - mean) / std
    w, b = np.zeros(f.shape[1]), 0.0
    for _ in range(epochs):
        p = keras_numpy.sigmoid(f @ w + b)
        w -= lr * (f.T @ (p - y) / len(y) + l2 * w)
        b -= lr * float(np.mean(p - y))
    return w, b, mean, std


def logistic_accuracy(model, features, y):
    """Accuracy of a fit_logistic model."""
    w, b, mean, std = model
    return float(np.mean((((features - mean) / std) @ w + b > 0) == y))


# ----------------------------------------------------------------------------- the NumPy model

class MemoryNetwork(RecurrentNetwork):
    """The chapter's RecurrentNetwork, plus optional gradient-norm clipping and a log of every batch's gradient norm."""

    def __init__(self, clip=None, **kwargs):
        super().__init__(**kwargs)
        self.clip = clip                      # None, or the largest global gradient norm a step may use
        self.grad_norms = []                  # the global gradient norm of every batch, before clipping
        self.radii = []                       # the spectral radius of W1h after every batch

    def training(self, x, y):
        """One SGD step as RecurrentNetwork.training, the gradients scaled down to norm `clip` when bigger."""
        z = self.forpass(x)
        a = self.sigmoid(z)
        grads = self.backprop(x, -(y - a))
        norm = float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2) for g in grads)))
        self.grad_norms.append(norm)
        scale = self.clip / norm if self.clip is not None and norm > self.clip else 1.0
        for name, g in zip(("w1h", "w1x", "b1", "w2", "b2"), grads):
            setattr(self, name, getattr(self, name) - self.lr * scale * g)
        self.radii.append(spectral_radius(self.w1h))
        return a


def numpy_input_gradients(model, x, y, where, truncation="model"):
    """dL_i/dX_{i,t} at step where[i] of sample i (X one-hot), through the model's own forpass and backprop, (m, n_f).

    Each sample's token at `where` becomes a token of its own (an extra row of W1x, a copy of the real one):
    the forward pass does not change, and that row of backprop's dL/dW1x is exactly delta_t of that one step.
    truncation: "model" keeps the model's window (0 beyond it: what training sees), None is full BPTT.
    """
    x = np.array(x, dtype=np.int64)                                      # (m, T)
    m, n_f = len(x), len(model.w1x)
    rows = np.arange(m)
    extra = model.w1x[x[rows, where]]                                    # (m, n_c) copies of the rows they use
    x[rows, where] = n_f + rows                                          # sample i reads token n_f + i there
    weights = dict(w1h=model.w1h, w1x=np.concatenate([model.w1x, extra]), b1=model.b1, w2=model.w2, b2=model.b2)
    probe = RecurrentNetwork.from_weights(weights, truncation=model.truncation if truncation == "model" else truncation,
                                          dtype=model.dtype)
    a = probe.sigmoid(probe.forpass(x))                                  # (m, 1)
    err = a - np.asarray(y, dtype=model.dtype).reshape(-1, 1)            # dL_i/dZ2_i for the cross-entropy
    w1x_grad = probe.backprop(x, err)[1]                                 # (n_f + m, n_c), divided by m
    delta = w1x_grad[n_f:] * m                                           # (m, n_c): dL_i/dZ1 at step where[i]
    return delta @ model.w1x.T                                           # (m, n_f): dL_i/dX_t = delta_t W1x^T


def numpy_output_gradients(model, tokens, truncation="model"):
    """|dZ2/dX_t| for every step t of one review (Z2 the output before the sigmoid), (T,); 0 beyond the window."""
    tokens = np.asarray(tokens, dtype=np.int64)
    steps = len(tokens)
    x = np.repeat(tokens[None, :], steps, axis=0)                        # (T, T): copy t asks about step t
    where = np.arange(steps)
    # err = 1 seeds dZ2/dZ2; with y = a - 1 the loss gradient of numpy_input_gradients is exactly 1
    a = model.sigmoid(model.forpass(tokens[None, :]))[0, 0]
    grads = numpy_input_gradients(model, x, np.full(steps, a - 1.0), where, truncation)
    return np.linalg.norm(grads, axis=1)


def reach_numpy(model, task, stream=None, truncation="model"):
    """Gradient reach: mean over the task's reviews of |dL/dX_{T-d}| at the planted step, for a NumPy model."""
    x, y = make_task(task, stream)
    where = np.full(len(x), task.steps - task.distance)
    return float(np.mean(np.linalg.norm(numpy_input_gradients(model, x, y, where, truncation), axis=1)))


# ----------------------------------------------------------------------------- the Keras models (weights in NumPy)

def keras_input(kind, weights, tokens):
    """What the recurrent layer reads at each step: one-hot rows (A) or embedding vectors (B, C), (m, T, n_in)."""
    if kind == "keras_a":
        return np.eye(len(weights["rnn_kernel"]), dtype=weights["rnn_kernel"].dtype)[tokens]
    return keras_numpy.embedding(tokens, weights["embedding"])


def keras_input_gradients(kind, weights, tokens, dz):
    """dZ2-weighted gradient wrt every step's input vector: dz (m, 1) = dL/dZ2 (a - y for the loss, 1 for the output).

    Returns (m, T, n_in), the NumPy port of the Keras model's backward pass (tested equal to tf.GradientTape).
    """
    x = keras_input(kind, weights, tokens)                               # (m, T, n_in)
    dh = np.asarray(dz) @ weights["dense_kernel"].T                      # (m, n_c): dL/dH_T
    if kind == "keras_c":
        return keras_numpy.lstm_backward(x, weights["lstm_kernel"], weights["lstm_recurrent_kernel"],
                                         weights["lstm_bias"], dh)
    return keras_numpy.simple_rnn_backward(x, weights["rnn_kernel"], weights["rnn_recurrent_kernel"],
                                           weights["rnn_bias"], dh)


def reach_keras(kind, weights, task, stream=None):
    """Gradient reach of a Keras model: mean over the task's reviews of |dL/dx_{T-d}| at the planted step."""
    x, y = make_task(task, stream)
    a = keras_numpy.predict(kind, weights, x)                            # (m, 1)
    grads = keras_input_gradients(kind, weights, x, a - y[:, None])      # (m, T, n_in)
    return float(np.mean(np.linalg.norm(grads[:, task.steps - task.distance], axis=1)))


# ----------------------------------------------------------------------------- padding in front or behind

def post_pad(reviews, maxlen):
    """Like pad_sequences but zeros go after the review (padding='post'); keeps the last maxlen words, (n, maxlen)."""
    out = np.zeros((len(reviews), maxlen), dtype=np.int32)
    for i, r in enumerate(reviews):
        r = r[-maxlen:]
        out[i, :len(r)] = r
    return out


def last_word_distance(x):
    """How many steps before the output each review's last word comes (1 = the last step; T + 1 when empty), (n,)."""
    nonzero = x != 0
    last = x.shape[1] - 1 - np.argmax(nonzero[:, ::-1], axis=1)          # index of the last word
    return np.where(nonzero.any(1), x.shape[1] - last, x.shape[1] + 1)


# ----------------------------------------------------------------------------- saved results and the question

def load_results(path=RESULTS_PATH):
    """The saved experiment (scripts/memory_distance.py), or None with a logged note when missing or unreadable."""
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
        n = len(results["distances"])
        if any(len(v) != n for v in results["accuracy"].values()):
            raise ValueError("a model's list does not match the distances")
        return results
    except (OSError, ValueError, KeyError, TypeError) as e:
        log.warning("memory results %s not usable: %s", path, e)
        return None


def largest_learned(results, model, threshold=LEARNED):
    """The largest d such that the model reached `threshold` at every measured distance up to d (0 when none)."""
    learned = 0
    for d, a in zip(results["distances"], results["accuracy"][model]):
        if a < threshold:
            break
        learned = d
    return learned


def explode_facts(results):
    """What the page quotes about full BPTT against clipping at d = 2k, read from the results ({} if missing)."""
    try:
        d = results["batch_norms"]["distance"]
        k = results["distances"].index(d)
        radii, early, norms = results["radii"], results["early_reach"], results["batch_norms"]
        n_first = len(early["numpy_full"]) * 5                           # batches of the first epoch
        full, clip = results["details"]["numpy_full"], results["details"]["numpy_full_clip"]
        return dict(d=d, full_acc=results["accuracy"]["numpy_full"][k],
                    clip_acc=results["accuracy"]["numpy_full_clip"][k],
                    first_max=max(norms["numpy_full"][:n_first]), median=full["grad_norm_median"][k],
                    rho0=radii["numpy_full"][0], rho_full=max(radii["numpy_full"][:n_first]),
                    rho_clip=max(radii["numpy_full_clip"][:n_first]),
                    reach_start=max(r for _, r in early["numpy_full"][:4]), reach_full=early["numpy_full"][-1][1],
                    reach_clip=early["numpy_full_clip"][-1][1], sat=full["saturation"][k],
                    clip_sat=clip["saturation"][k], clip=results["settings"]["numpy_models"]["numpy_full_clip"]["clip"])
    except (KeyError, ValueError, IndexError):
        return {}


def epochs_to_learn(accuracies, threshold=LEARNED):
    """The first epoch (from 1) whose accuracy reached `threshold`, or None when none did."""
    return next((e + 1 for e, a in enumerate(accuracies) if a >= threshold), None)


def accuracy_at(block, key, distance):
    """A Keras model's accuracy at one distance of a results block ("hard", "frozen", "forget")."""
    return dict(zip(block["distances"], block[key]["accuracy"]))[distance]


def condition_facts(results):
    """The numbers the page's account of the Keras conditions quotes, all read from the results ({} if incomplete)."""
    try:
        main = results["details"]
        far = results["distances"][-1]                                   # 95
        acc = {k: dict(zip(results["distances"], results["accuracy"][k])) for k in KERAS_MODELS}
        epochs = dict(zip(results["distances"], main["keras_lstm"]["epochs_accuracy"]))
        init = {k: dict(zip(results["distances"], main[k]["gradient_reach_init"]))[far]
                for k in KERAS_MODELS}
        frozen, forget, hard = results["frozen"], results["forget"], results["hard"]
        first_epoch = {k: dict(zip(frozen["distances"], frozen[k]["epochs_accuracy"]))[nearest(frozen)][0]
                       for k in KERAS_MODELS}
        return dict(
            far=far, rnn_far=acc["keras_simplernn"][far], lstm_70=acc["keras_lstm"][70],
            lstm_far=acc["keras_lstm"][far],
            lstm_far_epochs=epochs_to_learn(epochs[far]) or 0,
            rnn_init=init["keras_simplernn"], lstm_init=init["keras_lstm"],
            hard_rnn=accuracy_at(hard, "keras_simplernn", far), hard_lstm=accuracy_at(hard, "keras_lstm", far),
            forget=", ".join(f"d = {d}: {a:.0%}"
                             for d, a in zip(forget["distances"], forget["keras_lstm"]["accuracy"])),
            near=nearest(frozen), frozen_rnn_1=first_epoch["keras_simplernn"],
            frozen_lstm_1=first_epoch["keras_lstm"],
            frozen_rnn_20=accuracy_at(frozen, "keras_simplernn", 2 * results["window"]),
            frozen_lstm_20=accuracy_at(frozen, "keras_lstm", 2 * results["window"]))
    except (KeyError, ValueError, IndexError, StopIteration):
        return {}


def nearest(block):
    """The smallest distance of a results block."""
    return min(block["distances"])


# ----------------------------------------------------------------------------- a live run, small enough for a page

# The live run: small enough for a page (a few seconds with truncation, under 30 s with full BPTT on a busy server)
LIVE = dict(distances=(2, 5, 10, 20, 40, 70), n_train=3000, n_val=500, epochs=5, n_cells=16, batch_size=32,
            learning_rate=0.1, seed=0, model="numpy")
LIVE_KERAS = dict(n_train=2000, epochs=3)      # the Keras models' live run: smaller, they are slower per epoch
LIVE_MODELS = ("numpy", *KERAS_MODELS)


def live_model(config):
    """Which of MODELS a live run's settings train (its name on the charts)."""
    if config.get("model", "numpy") != "numpy":
        return config["model"]
    return "numpy_tbptt" if config["truncation"] else "numpy_full_clip" if config["clip"] else "numpy_full"


class MemoryTraining(ChunkedTraining):
    """A small memory experiment as a chunked run: one model per distance, NumPy (config["truncation"]) or Keras.

    Events come from a generator like NumpyTraining's; an "epoch" event closes one distance; history holds
    one row per distance: accuracy and gradient reach.
    """

    def __init__(self, config, data=None):
        """config: LIVE's keys plus truncation (10 or None) and clip; data is unused (the task makes its own)."""
        self.config = c = {**LIVE, **dict(config)}
        if c["model"] != "numpy":
            self.config = c = {**c, **LIVE_KERAS, **dict(config)}
        if (c["model"] not in LIVE_MODELS or not all(1 <= d <= STEPS for d in c["distances"])
                or not 0 < c["n_train"] <= 10_000
                or not 0 < c["n_val"] <= 5_000 or not 0 < c["epochs"] <= 20 or not 0 < c["n_cells"] <= 64):
            raise ValueError("the live run's settings are out of bounds")
        self.results_so_far = {"distances": [], "accuracy": [], "gradient_reach": []}
        super().__init__(self.events_for(c) if c["model"] == "numpy" else self.keras_events(c))

    def events_for(self, c):
        """Train one model per distance; pass on its batch events, then one "epoch" event per distance."""
        distances = list(c["distances"])
        for k, d in enumerate(distances):
            x, y = make_task(Task(d, c["n_train"], c["seed"]))
            x_val, y_val = make_task(Task(d, c["n_val"], c["seed"] + 1))
            model = MemoryNetwork(n_cells=c["n_cells"], batch_size=c["batch_size"], learning_rate=c["learning_rate"],
                                  truncation=c["truncation"], seed=c["seed"], clip=c.get("clip"))
            for event in model.iter_fit(x, y, epochs=c["epochs"], n_features=N_FEATURES):
                if event.kind == "batch":
                    n = event.n_batches * event.epochs
                    yield Progress("batch", k, event.epoch * event.n_batches + event.batch, n, len(distances),
                                   event.loss, None, event.elapsed)
            self.results_so_far["distances"].append(d)
            self.results_so_far["accuracy"].append(model.score(x_val, y_val))
            self.results_so_far["gradient_reach"].append(reach_numpy(model, Task(d, 200, c["seed"] + 2)))
            yield Progress("epoch", k, 0, 1, len(distances), float(np.mean(model.batch_losses[-20:])), None, 0.0)

    def keras_events(self, c):
        """The same with a Keras SimpleRNN or LSTM (full BPTT, trained by Keras in the worker), one event per epoch."""
        from rnn_core.model import keras_models
        kind = "keras_c" if c["model"] == "keras_lstm" else "keras_b"         # Embedding + LSTM(8) / SimpleRNN(8)
        distances = list(c["distances"])
        for k, d in enumerate(distances):
            x, y = make_task(Task(d, c["n_train"], c["seed"]))
            x_val, y_val = make_task(Task(d, c["n_val"], c["seed"] + 1))
            model = keras_models.build_model(kind, seed=c["seed"], num_words=N_FEATURES, maxlen=STEPS)
            for epoch in range(c["epochs"]):
                h = model.fit(x, y.astype("float32"), batch_size=c["batch_size"], epochs=1, verbose=0, shuffle=True)
                yield Progress("batch", k, epoch, c["epochs"], len(distances), float(h.history["loss"][-1]), None,
                               0.0)
            weights = keras_models.export_weights(model)
            p = keras_numpy.predict(kind, weights, x_val)[:, 0]                  # (m,)
            self.results_so_far["distances"].append(d)
            self.results_so_far["accuracy"].append(float(np.mean((p > 0.5) == y_val)))
            self.results_so_far["gradient_reach"].append(reach_keras(kind, weights, Task(d, 200, c["seed"] + 2)))
            yield Progress("epoch", k, 0, 1, len(distances), float(h.history["loss"][-1]), None, 0.0)

    def results(self):
        """The measured distances, accuracies and gradient reaches (plain data for the worker's report)."""
        return {k: list(v) for k, v in self.results_so_far.items()}

    def to_run(self, name, note=""):
        """A record of the run (no weights: one small model per distance, none kept); not a model to reuse."""
        return Run(name=name, kind="memory", config=dict(self.config), history={k: list(v) for k, v in
                   self.history.items() if k != "loss"}, status=self.state, note=note)

    def epoch_metrics(self, event):
        """The distance just finished: its accuracy and gradient reach."""
        return {"distance": self.results_so_far["distances"][-1], "accuracy": self.results_so_far["accuracy"][-1],
                "gradient_reach": self.results_so_far["gradient_reach"][-1]}

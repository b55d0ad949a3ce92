"""Self-check: questions with fresh random numbers for each lecture section, answered by the project's own code.

Each template draws its numbers, then computes the answer: shapes by running forpass on a tiny batch, parameter
counts by rnn_core.model.params, padding by data.pad_sequences, gradients by rnn_core.lessons.gradflow. Texts live in
locales/<lang>/self_check.toml under [q.<template>].
"""
import math
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from rnn_core.data.imdb import Ragged, drop_special, pad_sequences
from rnn_core.lessons import gradflow
from rnn_core.lessons.pipeline import onehot_bytes
from rnn_core.lessons.sequences import word_orders
from rnn_core.model import params
from rnn_core.model.numpy_rnn import RecurrentNetwork

SECTIONS = ("6.1", "6.2", "6.3", "6.4")
PER_ROUND = 5
MAX_CHARS = 40          # typed answers


@dataclass(frozen=True)
class Item:
    """One generated question: its template, the numbers in its text, its form and its computed answer."""
    template: str
    form: str                       # "number", "shape" or "choice"
    answer: object                  # a number, a shape tuple or an option key
    params: dict = field(default_factory=dict)
    options: tuple = ()             # the option keys of a "choice"
    rel_tol: float = 0.0            # numbers: accepted relative error (stated with the question)
    text: str = ""                  # key of its texts when not the template's own
    unit: str = ""                  # numbers: the unit of the answer ("MB"); typed units are converted to it

    @property
    def texts(self):
        """The key of its texts: [q.<texts>] in self_check.toml."""
        return self.text or self.template

    def problem(self, given):
        """Why a typed number can't be read (a key of [reject] in the texts: ask again), or None."""
        if self.form != "number" or given is None or not str(given).strip():
            return None
        return read_number(given, self.unit).problem

    def check(self, given):
        """True or False for an answer (typed text, or an option key); None when nothing was given or the typed
        number can't be read without guessing (see problem)."""
        if given is None or (isinstance(given, str) and not given.strip()):
            return None
        if self.form == "choice":
            return given == self.answer
        if self.form == "shape":
            return parse_shape(given) == tuple(self.answer)
        reading = read_number(given, self.unit)
        if reading.problem is not None:
            return None if reading.problem != "not_number" else False
        return abs(reading.value - self.answer) <= self.rel_tol * abs(self.answer) + 1e-12


def parse_shape(text):
    """The integers of a typed shape such as '(3, 5)' or '3x5', as a tuple (None when there are none)."""
    dims = re.findall(r"\d+", str(text)[:MAX_CHARS])
    return tuple(int(d) for d in dims) if dims else None


@dataclass(frozen=True)
class Reading:
    """A typed number as read: its value, or the problem that stops us reading it without guessing."""
    value: float | None = None
    problem: str | None = None             # "ambiguous", "unit" or "not_number"


# Counters and words people type after a number; they don't change it
COUNTERS = ("개", "가지", "번", "회", "스텝", "단계", "개의", "개입니다", "입니다", "params", "parameters",
            "parameter", "weights", "steps", "step", "orders", "order", "times", "words", "zeros")
BYTES = {"b": 1, "byte": 1, "bytes": 1, "바이트": 1, "kb": 1e3, "mb": 1e6, "메가바이트": 1e6, "gb": 1e9,
         "기가바이트": 1e9}
PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?")
GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}([,_ ]\d{3})+(\.\d+)?")     # thousands in groups of three
COMMA = re.compile(r"[+-]?\d+,\d+")                                   # "0,5", "4,25": decimal comma or not?


def read_number(text, unit=""):
    """Read a typed number the way people type it: '4256개', '20 MB', '20MB', '4,256', '4，256', '４２５６',
    surrounding spaces; a byte unit is converted to `unit` ("MB"). '0,5' is ambiguous (a decimal comma, or a
    thousands separator?), so it is not read; nor is a unit the question doesn't ask for."""
    raw = unicodedata.normalize("NFKC", str(text)[:MAX_CHARS]).strip().lower()
    raw = raw.replace("\u2212", "-").replace("\u00d7", "x")                    # a typed minus sign
    match = re.fullmatch(r"(.*?\d\.?)\s*([^\d\s.,]*)", raw)
    if not match:
        return Reading(problem="not_number")
    number, word = match.group(1).strip(), match.group(2)
    scale = 1.0
    if word in BYTES:
        if unit.lower() not in BYTES:
            return Reading(problem="unit")
        scale = BYTES[word] / BYTES[unit.lower()]
    elif word and word not in COUNTERS and not word.startswith("e"):
        return Reading(problem="not_number" if not unit or word not in BYTES else "unit")
    if word.startswith("e"):                                                     # '3.2e-5' split before 'e'
        number, word = raw, ""
    if GROUPED.fullmatch(number):
        number = re.sub(r"[,_ ]", "", number)
    elif COMMA.fullmatch(number):
        return Reading(problem="ambiguous")
    elif not PLAIN.fullmatch(number):
        return Reading(problem="not_number")
    value = float(number) * scale
    return Reading(value) if math.isfinite(value) else Reading(problem="not_number")


def parse_number(text):
    """A typed number (read_number's reading, without a unit), or None."""
    return read_number(text).value


# --- 6.1: sequences, the cell and its shapes ------------------------------------------------------------

def forward_shapes(m, steps, n_f, n_c, seed=0):
    """Shapes met in one forward pass, read off the arrays of RecurrentNetwork.forpass on a tiny one-hot batch."""
    rng = np.random.default_rng(seed)
    x = np.eye(n_f)[rng.integers(0, n_f, size=(m, steps))]          # (m, T, n_f) one-hot
    net = RecurrentNetwork(n_cells=n_c, seed=seed, dtype=np.float64)
    net.init_weights(n_f, 1)
    z2 = net.forpass(x)
    return {"X": x.shape, "X_t": x[:, 0].shape, "W1x": net.w1x.shape, "W1h": net.w1h.shape,
            "H_t": net.h[-1].shape, "HW": np.dot(net.h[-2], net.w1h).shape, "Z2": z2.shape, "states": len(net.h)}


def _sizes(rng):
    """Distinct small m, T, n_f, n_c, so that every shape tells its dimensions apart."""
    m, steps, n_f, n_c = (int(v) for v in rng.choice(np.arange(2, 21), size=4, replace=False))
    return {"m": m, "T": steps, "n_f": n_f, "n_c": n_c}


def shape_question(name):
    """A template: the shape of one array of the forward pass."""
    def make(rng):
        p = _sizes(rng)
        return Item(f"shape_{name}", "shape", forward_shapes(p["m"], p["T"], p["n_f"], p["n_c"])[name], p)
    return make


def hidden_states(rng):
    """How many hidden states forpass keeps for backprop (H_0..H_T)."""
    p = _sizes(rng)
    return Item("states", "number", forward_shapes(p["m"], p["T"], p["n_f"], p["n_c"])["states"], p)


def orders(rng):
    """How many orders n distinct words can be read in."""
    n = int(rng.integers(3, 8))
    return Item("orders", "number", len(word_orders(n)), {"n": n})


# --- 6.2: backpropagation through time ------------------------------------------------------------------

def _tokens(rng, m, steps, n_f):
    return rng.integers(0, n_f, size=(m, steps)), rng.integers(0, 2, size=m)


def delta_ratio(radius, k, input_scale, seed=0, n_f=20, n_c=8, m=4):
    """|delta_{T-k}| / |delta_T| (mean over the batch) from gradflow.backward_steps with W1h of this radius."""
    rng = np.random.default_rng(seed)
    x, y = _tokens(rng, m, k + 1, n_f)
    net = gradflow.make_network(n_f, n_c, "orthogonal", radius, input_scale, seed)
    norms = gradflow.backward_steps(net, x, y).delta_norms()          # (T,) delta_1..delta_T
    return float(norms[0] / norms[-1])


def linear_ratio(rng):
    """Input scale 0 (tanh's slope stays 1): the size of delta after k steps back."""
    radius, k = float(rng.choice([0.5, 0.8, 0.9, 1.1, 1.2, 1.5])), int(rng.integers(2, 11))
    return Item("linear_ratio", "number", delta_ratio(radius, k, 0.0, int(rng.integers(1000))),
                {"radius": f"{radius:g}", "k": k}, rel_tol=0.05)


def direction(rng):
    """Inputs switched off: does delta shrink, stay or grow over k steps back at this radius?"""
    radius, k = float(rng.choice([0.5, 0.7, 0.95, 1.0, 1.05, 1.3, 1.5])), int(rng.integers(25, 41))
    ratio = delta_ratio(radius, k, 0.0, int(rng.integers(1000)))
    return Item("direction", "choice", gradflow.direction(ratio),
                {"radius": f"{radius:g}", "k": k, **gradflow.limits()}, ("vanish", "stable", "explode"))


TRUNCATION_OPTIONS = ("last", "first", "all")


def kept_steps(steps, window, seed=0, n_f=6, n_c=3, m=4):
    """Which steps truncated backprop adds into dL/dW1h: the option whose steps' shares sum to backprop's own."""
    rng = np.random.default_rng(seed)
    x, y = _tokens(rng, m, steps, n_f)
    net = gradflow.make_network(n_f, n_c, "orthogonal", 1.0, 1.0, seed)
    net.truncation = window
    a = net.sigmoid(net.forpass(x))
    grad = net.backprop(x, a - y.reshape(-1, 1))[0]                   # (n_c, n_c)
    shares = gradflow.backward_steps(net, x, y).contributions         # (T, n_c, n_c), step t at t - 1
    sets = {"last": shares[steps - window:], "first": shares[:window], "all": shares}
    return [o for o in TRUNCATION_OPTIONS if np.allclose(sets[o].sum(axis=0), grad, atol=1e-12)]


def truncation(rng):
    """T steps, window k: which steps' shares does truncated BPTT keep?"""
    steps = int(rng.integers(8, 21))
    window = int(rng.integers(2, steps))
    kept = kept_steps(steps, window, int(rng.integers(1000)))
    return Item("truncation", "choice", kept[0], {"T": steps, "k": window, "first": steps - window + 1},
                TRUNCATION_OPTIONS)


def clipping(rng):
    """A gradient of norm N clipped at c: its norm afterwards, from gradflow.clip_by_norm."""
    norm, c = float(rng.choice([0.5, 2, 5, 20, 150])), float(rng.choice([1.0, 5.0, 10.0]))
    g = rng.standard_normal(12)
    grads, _ = gradflow.clip_by_norm([g * norm / np.linalg.norm(g)], c)
    return Item("clipping", "number", float(np.linalg.norm(grads[0])), {"N": f"{norm:g}", "c": f"{c:g}"},
                rel_tol=0.01)


def gradient_check(rng):
    """Does the full-BPTT or the textbook's dL/dW1h agree with finite differences? From gradflow.gradient_check."""
    method = str(rng.choice(["full", "textbook"]))
    error = next(r.error for r in gradflow.gradient_check(seed=int(rng.integers(1000))) if r.method == method)
    agree = error < gradflow.CHECK_TOLERANCE
    return Item("gradcheck", "choice", "agree" if agree else "disagree", {}, ("agree", "disagree"),
                text=f"gradcheck_{method}")


# --- 6.3: the IMDB pipeline and the NumPy model ---------------------------------------------------------

def _review(rng, n):
    return [int(v) for v in rng.integers(3, 100, size=n)]


def _as_text(seq):
    return "[" + ", ".join(map(str, seq)) + "]"


def _padding_options(review, maxlen):
    """What each idea of padding would make of the review: zeros in front or behind, either end cut, or nothing."""
    if len(review) < maxlen:
        zeros = [0] * (maxlen - len(review))
        return {"front": zeros + review, "back": review + zeros, "unchanged": review}
    return {"keep_end": review[-maxlen:], "keep_start": review[:maxlen], "unchanged": review}


def padding(rng):
    """A short or long review and maxlen: which row does pad_sequences make? The option equal to its result."""
    maxlen = int(rng.integers(4, 9))
    n = int(rng.integers(2, maxlen)) if rng.random() < 0.5 else int(rng.integers(maxlen + 2, maxlen + 6))
    review = _review(rng, n)
    row = pad_sequences([review], maxlen)[0].tolist()
    shown = _padding_options(review, maxlen)
    answer = next(o for o, s in shown.items() if s == row)
    texts = {f"opt_{o}": _as_text(s) for o, s in shown.items()}
    return Item("padding", "choice", answer, {"review": _as_text(review), "maxlen": maxlen, **texts}, tuple(shown))


def zeros(rng):
    """How many zeros pad_sequences puts in a review's row (none when it is cut)."""
    maxlen = int(rng.integers(5, 40))
    n = int(rng.integers(1, maxlen + 10))
    row = pad_sequences([_review(rng, n)], maxlen)[0]
    return Item("zeros", "number", int(np.sum(row == 0)), {"n": n, "maxlen": maxlen})


def dropped(rng):
    """Raw indices with 0, 1 and 2 among them: how many tokens data.drop_special keeps."""
    raw = [1] + [int(v) for v in rng.choice([2, 2, 0] + list(range(3, 60)), size=int(rng.integers(6, 13)))]
    kept = drop_special(Ragged.from_lists([raw]))[0]
    return Item("dropped", "number", len(kept), {"raw": _as_text(raw)})


def onehot_mb(rng):
    """Megabytes of a float32 one-hot tensor (m, T, n_f), from pipeline.onehot_bytes."""
    m, steps, n_f = (int(rng.choice(v)) for v in ((1000, 5000, 20000), (50, 100, 200), (100, 500, 1000)))
    return Item("onehot_mb", "number", onehot_bytes(m, steps, n_f, 4) / 1e6,
                {"m": f"{m:,}", "T": steps, "n_f": n_f}, rel_tol=0.01, unit="MB")


def numpy_params(rng):
    """Weights of the chapter's RecurrentNetwork: counted in the arrays init_weights makes."""
    n_f, n_c = int(rng.integers(5, 200)), int(rng.integers(2, 64))
    net = RecurrentNetwork(n_cells=n_c)
    net.init_weights(n_f, 1)
    return Item("numpy_params", "number", sum(w.size for w in net.get_weights()), {"n_f": n_f, "n_c": n_c})


# --- 6.4: the Keras models ------------------------------------------------------------------------------

def simple_rnn(rng):
    """Parameters of SimpleRNN(units) on one-hot input of n_f features."""
    n_f, units = int(rng.integers(10, 500)), int(rng.integers(2, 64))
    return Item("simple_rnn", "number", params.simple_rnn(n_f, units)[1], {"n_f": n_f, "units": units})


def embedding(rng):
    """Parameters of Embedding(words, dim)."""
    words, dim = int(rng.integers(100, 5000)), int(rng.integers(4, 64))
    return Item("embedding", "number", params.embedding(words, dim)[1], {"words": words, "dim": dim})


def embedding_rnn(rng):
    """All parameters of Embedding(words, dim) + SimpleRNN(units) + Dense(1)."""
    words, dim, units = int(rng.integers(100, 3000)), int(rng.integers(4, 64)), int(rng.integers(2, 32))
    total = params.embedding(words, dim)[1] + params.simple_rnn(dim, units)[1] + params.dense(units, 1)[1]
    return Item("embedding_rnn", "number", total, {"words": words, "dim": dim, "units": units})


def lstm(rng):
    """Parameters of LSTM(units) on inputs of dim features."""
    dim, units = int(rng.integers(4, 64)), int(rng.integers(2, 32))
    return Item("lstm", "number", params.lstm(dim, units)[1], {"dim": dim, "units": units})


def dense(rng):
    """Parameters of the output layer Dense(1) on a recurrent layer of `units` cells."""
    units = int(rng.integers(2, 128))
    return Item("dense", "number", params.dense(units, 1)[1], {"units": units})


def embedded_shape(rng):
    """The Embedding's output for a batch of tokens (m, T): rows of the table looked up, run on a tiny batch."""
    m, steps, words, dim = (int(v) for v in (rng.integers(2, 33), rng.integers(5, 120), rng.integers(50, 500),
                                             rng.integers(4, 40)))
    table = np.zeros((words, dim), dtype=np.float32)                        # (words, dim)
    out = np.take(table, rng.integers(0, words, size=(m, steps)), axis=0)   # (m, T, dim)
    return Item("embedded_shape", "shape", out.shape, {"m": m, "T": steps, "words": words, "dim": dim})


TEMPLATES = {
    "6.1": {"shape_X_t": shape_question("X_t"), "shape_W1x": shape_question("W1x"),
            "shape_W1h": shape_question("W1h"), "shape_H_t": shape_question("H_t"), "shape_HW": shape_question("HW"),
            "shape_Z2": shape_question("Z2"), "states": hidden_states, "orders": orders},
    "6.2": {"linear_ratio": linear_ratio, "direction": direction, "truncation": truncation, "clipping": clipping,
            "gradcheck": gradient_check},
    "6.3": {"padding": padding, "zeros": zeros, "dropped": dropped, "onehot_mb": onehot_mb,
            "numpy_params": numpy_params},
    "6.4": {"simple_rnn": simple_rnn, "embedding": embedding, "embedding_rnn": embedding_rnn, "lstm": lstm,
            "dense": dense, "embedded_shape": embedded_shape},
}


def new_round(section, rng=None, missed=(), n=PER_ROUND):
    """n questions of a section with fresh numbers: the templates missed last time first, then others at random."""
    rng = rng if rng is not None else np.random.default_rng()
    templates = TEMPLATES[section]
    first = [k for k in dict.fromkeys(missed) if k in templates]
    rest = [str(k) for k in rng.permutation(list(templates)) if k not in first]
    return [templates[k](rng) for k in (first + rest)[:n]]


def score(items, answers):
    """(right, total, missed templates) for answers given in the items' order."""
    results = [item.check(a) for item, a in zip(items, answers)]
    missed = [item.template for item, ok in zip(items, results) if not ok]
    return sum(bool(ok) for ok in results), len(items), missed

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
from rnn_core.jobs import runs
from rnn_core.jobs.runs import Run
from rnn_core.jobs.training import ChunkedTraining
from rnn_core.lessons.gradflow import spectral_radius
from rnn_core.model import keras_numpy
from rnn_core.model.numpy_rnn import Progress, RecurrentNetwork

log = logging.getLogger(__name__)

STEPS = CHAPTER.maxlen                      # T = 100
N_FEATURES = CHAPTER.num_words              # n_f = 100: the one-hot width / embedding rows of every model here
DISTANCES = (2, 5, 10, 20, 40, 70, 95)
WINDOW = CHAPTER.truncation                 # k = 10: the chapter's TBPTT window
MIN_SEEDS = 3                               # a claim about the saved results needs this many seeds at every point
# What the models' names on the page quote: the window and the Keras models' cells (models B and C)
MODEL_FIELDS = {"window": WINDOW, "rnn": CHAPTER.keras["keras_b"].units, "lstm": CHAPTER.keras["keras_c"].units}
# Indices the chapter never reads (skip_top = 20 drops them), so real filler never holds them
POSITIVE, NEGATIVE = 10, 11                 # the planted tokens: label 1 and label 0
DISTRACTORS = tuple(range(12, 20))          # tokens that look planted but mean nothing
FILLER_LOW = CHAPTER.skip_top               # uniform filler draws from FILLER_LOW..N_FEATURES-1, like real words
RESULTS_NAME = "memory_distance.json"      # in runs.SAVED_DIR, looked up when read (tests point it elsewhere)
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


def swap_planted(x):
    """x with the two planted tokens exchanged (POSITIVE <-> NEGATIVE): the control that tells reading from chance."""
    x = np.array(x)
    pos, neg = x == POSITIVE, x == NEGATIVE
    x[pos], x[neg] = NEGATIVE, POSITIVE
    return x


def swapped_accuracy(model, x, y):
    """Accuracy against the true labels after swapping the planted tokens: 1 - accuracy when the model reads them."""
    return model.score(swap_planted(x), y)


def initial_weights(model, n_features=N_FEATURES):
    """The weights a RecurrentNetwork with this seed starts from (its init_weights, replayed)."""
    fresh = RecurrentNetwork(n_cells=model.n_cells, seed=model.seed, dtype=model.dtype)
    fresh.rng = np.random.default_rng(model.seed)
    fresh.init_weights(n_features, 1)
    return fresh


def planted_rows_moved(model):
    """How far training moved the W1x rows of the planted tokens from their start: max |change| (0 = never learned)."""
    start = initial_weights(model, len(model.w1x)).w1x[[POSITIVE, NEGATIVE]]      # (2, n_c)
    return float(np.max(np.abs(model.w1x[[POSITIVE, NEGATIVE]] - start)))


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

def results_path():
    """Where the saved experiment is: runs.SAVED_DIR, read now (not at import)."""
    return runs.SAVED_DIR / RESULTS_NAME


def load_results(path=None):
    """The saved experiment (scripts/memory_distance.py), or None with a logged note when missing or unreadable."""
    path = path or results_path()
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
        n = len(results["distances"])
        if any(len(v) != n for v in results["accuracy"].values()):
            raise ValueError("a model's list does not match the distances")
        return results
    except (OSError, ValueError, KeyError, TypeError) as e:
        log.warning("memory results %s not usable: %s", path, e)
        return None


@dataclass(frozen=True)
class Spread:
    """One point measured over seeds: the mean, the range, and what the range supports against chance."""
    mean: float
    low: float
    high: float
    n_seeds: int
    chance_high: float                        # the top of the chance band: a coin toss on n_val reviews stays below

    @property
    def verdict(self):
        """"learned" (every seed >= LEARNED), "chance" (every seed inside the band), "above" (every seed above the
        band, not all learned), "mixed" (seeds on both sides of the band); "one_seed" when there is no spread."""
        if self.n_seeds < 2:
            return "one_seed"
        if self.low >= LEARNED:
            return "learned"
        if self.high <= self.chance_high:
            return "chance"
        return "above" if self.low > self.chance_high else "mixed"


def chance_band(n_val):
    """(low, high): where 95 % of coin-toss accuracies on n_val reviews fall, 0.5 +- 1.96 sqrt(0.25 / n_val)."""
    half = 1.96 * np.sqrt(0.25 / n_val)
    return 0.5 - half, 0.5 + half


def spread(values, n_val):
    """A Spread of the seeds' accuracies at one point."""
    v = np.asarray(values, dtype=float)
    return Spread(float(v.mean()), float(v.min()), float(v.max()), len(v), chance_band(n_val)[1])


def above(a, b):
    """True when every seed of `a` beats every seed of `b`: the only "better" the pages claim."""
    return min(a) > max(b)


def seeds_of(results, model, block=None):
    """Per distance, every seed's accuracy of a model ([[a]] from files with one seed per point)."""
    block = results if block is None else block
    if model in block.get("accuracy_seeds", {}):
        return block["accuracy_seeds"][model]
    detail = block.get(model) if block is not results else None
    if detail and "accuracy_seeds" in detail:
        return detail["accuracy_seeds"]
    accuracy = block["accuracy"][model] if block is results else block[model]["accuracy"]
    return [[a] for a in accuracy]


def spreads(results, model, block=None):
    """{distance: Spread} of one model in the main results (or a block: "hard", "frozen", "forget")."""
    n_val = (results["settings"]["main"] if block is None else block.get("task", {})).get("n_val", 1000)
    distances = results["distances"] if block is None else block["distances"]
    return {d: spread(v, n_val) for d, v in zip(distances, seeds_of(results, model, block))}


def largest_learned(results, model):
    """The largest d such that every seed learned (Spread.verdict) at every measured distance up to d (0 when none)."""
    learned = 0
    for d, sp in spreads(results, model).items():
        if sp.verdict != "learned":
            break
        learned = d
    return learned


def per_seed(detail, key):
    """Per distance, every seed's value of one of a model's per-distance details ([[v]]: the first seed's only)."""
    return detail.get(f"{key}_seeds") or [[v] for v in detail[key]]


def early_facts(detail, j):
    """At the j-th distance, over seeds: mean accuracy after epoch 1, each seed's epochs to LEARNED (None: never),
    mean gradient reach at initialisation."""
    epochs = per_seed(detail, "epochs_accuracy")[j]
    return (float(np.mean([e[0] for e in epochs])), [epochs_to_learn(e) for e in epochs],
            float(np.mean(per_seed(detail, "gradient_reach_init")[j])))


def trace_facts(results, model="numpy_tbptt"):
    """The control behind above-chance accuracy beyond the window, per distance: does swapping the two planted
    tokens flip the predictions, and did their W1x rows move? {} when the results don't have it."""
    detail = results["details"].get(model, {})
    if "swapped_accuracy" not in detail:
        return {}
    n_val = results["settings"]["main"]["n_val"]
    out = {}
    for d, acc, swapped, moved in zip(results["distances"], seeds_of(results, model), detail["swapped_accuracy"],
                                      detail["planted_rows_moved"]):
        out[d] = {"accuracy": spread(acc, n_val), "swapped": spread(swapped, n_val), "moved": float(max(moved))}
    return out


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


def percent(sp):
    """A Spread as the page quotes it: "mean (lowest–highest seed)" in percent, "83% (48–100%)"."""
    return f"{sp.mean:.0%} ({100 * sp.low:.0f}–{sp.high:.0%})"


def condition_facts(results):
    """What the page's account of the Keras conditions quotes and claims, from every seed ({} if incomplete).

    The accuracies are Spreads over seeds (checks: every seed); the reach before training is the seeds' mean."""
    try:
        main = results["details"]
        far, near_d, k2 = results["distances"][-1], results["distances"][0], 2 * results["window"]
        sp = {m: spreads(results, m) for m in KERAS_MODELS}
        frozen, forget, hard = results["frozen"], results["forget"], results["hard"]
        frozen_sp = {m: spreads(results, m, frozen) for m in KERAS_MODELS}
        hard_sp = {m: spreads(results, m, hard) for m in KERAS_MODELS}
        init = {m: dict(zip(results["distances"], map(np.mean, per_seed(main[m], "gradient_reach_init"))))
                for m in KERAS_MODELS}
        decay = {m: (init[m][far] / init[m][near_d]) ** (1 / (far - near_d)) for m in KERAS_MODELS}
        return dict(
            seeds=fewest_seeds(results), far=far, near_d=near_d, k2=k2, rnn_far=percent(sp["keras_simplernn"][far]),
            rnn_learned_all=all(v.verdict == "learned" for v in sp["keras_simplernn"].values()),
            lstm_failed=", ".join(str(d) for d, v in sp["keras_lstm"].items() if v.low <= v.chance_high),
            lstm_low=min(v.low for v in sp["keras_lstm"].values()),
            hard_rnn=percent(hard_sp["keras_simplernn"][far]), hard_lstm=percent(hard_sp["keras_lstm"][far]),
            hard=hard_sp, rnn_init=init["keras_simplernn"][far], lstm_init=init["keras_lstm"][far],
            lstm_decay=decay["keras_lstm"], rnn_decay=decay["keras_simplernn"],
            forget=", ".join(f"d = {d}: {percent(v)}" for d, v in spreads(results, "keras_lstm", forget).items()),
            forget_spreads=spreads(results, "keras_lstm", forget), frozen=frozen_sp,
            frozen_rnn_20=percent(frozen_sp["keras_simplernn"][k2]),
            frozen_lstm_20=percent(frozen_sp["keras_lstm"][k2]))
    except (KeyError, ValueError, IndexError, StopIteration, ZeroDivisionError):
        return {}


def padding_claim(pad, kind):
    """What the padding experiment supports for one model: "front_better" or "back_better" only when every seed of
    one side beats every seed of the other, "at_chance_back" when padding behind stays in the coin-toss band in every
    seed, else "overlap"; with one seed per side, "one_seed". Returns the claim and the numbers it quotes."""
    each = {w: pad.get(f"{kind}_seeds", {}).get(w, [pad[kind][w]]) for w in ("pre", "post")}
    sp = {w: spread(v, pad["n_val"]) for w, v in each.items()}
    numbers = {f"{w}_{k}": f"{getattr(sp[w], a):.1%}" for w in sp for k, a in
               (("mean", "mean"), ("lo", "low"), ("hi", "high"))} | {"n": sp["pre"].n_seeds}
    if min(len(v) for v in each.values()) < 2:
        claim = "one_seed"
    elif above(each["pre"], each["post"]):
        claim = "at_chance_back" if sp["post"].high <= sp["post"].chance_high else "front_better"
    elif above(each["post"], each["pre"]):
        claim = "back_better"
    else:
        claim = "overlap"
    return {"claim": claim, **numbers}


def fewest_seeds(results):
    """The fewest seeds behind any accuracy in the results (1 for a file made before seeds were counted)."""
    counts = [len(v[0]) for v in results.get("accuracy_seeds", {}).values()]
    counts += [len(results["accuracy_seeds"].get(k, [[0]])[0]) if "accuracy_seeds" in results else 1
               for k in results["accuracy"]]
    for name in ("hard", "frozen", "forget"):
        block = results.get(name, {})
        counts += [len(v["accuracy_seeds"][0]) if "accuracy_seeds" in v else 1 for v in block.values()
                   if isinstance(v, dict) and "accuracy" in v]
    return min(counts or [1])


# ----------------------------------------------------------------------------- a live run, small enough for a page

# The live run: small enough for a page, over LIVE["seeds"] seeds per distance so that its claims rest on a range
LIVE = dict(distances=(2, 5, 10, 20, 40, 70), n_train=3000, n_val=500, epochs=5, n_cells=16, batch_size=32,
            learning_rate=0.1, seed=0, seeds=3, model="numpy")
LIVE_KERAS = dict(n_train=2000, epochs=3)      # the Keras models' live run: smaller, they are slower per epoch
LIVE_MODELS = ("numpy", *KERAS_MODELS)
VAL_SEED, REACH_SEED = 10_000, 20_000          # offsets: a seed's validation and reach reviews never repeat another's


def live_model(config):
    """Which of MODELS a live run's settings train (its name on the charts)."""
    if config.get("model", "numpy") != "numpy":
        return config["model"]
    return "numpy_tbptt" if config["truncation"] else "numpy_full_clip" if config["clip"] else "numpy_full"


def live_seeds(history):
    """Per distance, every seed's accuracy from a live run's history (keys accuracy_seed_0, 1, ...)."""
    n = sum(1 for k in history if k.startswith("accuracy_seed_"))
    return [[history[f"accuracy_seed_{j}"][k] for j in range(n)] for k in range(len(history.get("distance", [])))]


def live_claims(history, n_val):
    """{verdict: [distances]} of a live run: each distance's Spread.verdict, the rule of the saved results."""
    out = {}
    for d, each in zip(history.get("distance", []), live_seeds(history)):
        out.setdefault(spread(each, n_val).verdict, []).append(int(d))
    return out


def live_claim(t, history, n_val):
    """The sentence of what a live run's seeds support (t: the page's texts), distances grouped by verdict."""
    claims = live_claims(history, n_val)
    low, high = chance_band(n_val)
    parts = [t(f"live.claim.{v}", d=", ".join(map(str, claims[v])), learned=f"{LEARNED:.0%}", low=f"{low:.1%}",
               high=f"{high:.1%}") for v in ("learned", "above", "chance", "mixed", "one_seed") if v in claims]
    return t("live.claims", seeds=len(live_seeds(history)[0]), claims="; ".join(parts))


class KerasTrainer:
    """One compiled Keras model reused for every (seed, distance) of a live run: each run starts from the weights
    and the fresh optimizer state a new build_model(kind, seed) would have, so Keras traces its training step once.
    """

    def __init__(self, kind):
        from rnn_core.model import keras_models
        self.kind = kind
        self.model = keras_models.build_model(kind, seed=0, num_words=N_FEATURES, maxlen=STEPS)
        self.model.optimizer.build(self.model.trainable_variables)
        self.fresh_optimizer = [v.numpy() for v in self.model.optimizer.variables]

    def start(self, seed):
        """Reset to a new model of this seed: its initial weights, an untouched optimizer."""
        from rnn_core.model import keras_models
        self.model.set_weights(keras_models.build_model(self.kind, seed=seed, num_words=N_FEATURES,
                                                        maxlen=STEPS).get_weights())
        for v, value in zip(self.model.optimizer.variables, self.fresh_optimizer):
            v.assign(value)

    def epoch(self, x, y, batch_size, rng):
        """One epoch in an order drawn from rng (not from TensorFlow's state): the batch loss mean."""
        order = rng.permutation(len(x))
        h = self.model.fit(x[order], y[order].astype("float32"), batch_size=batch_size, epochs=1, verbose=0,
                           shuffle=False)
        return float(h.history["loss"][-1])


class MemoryTraining(ChunkedTraining):
    """A small memory experiment as a chunked run: per distance one model per seed, NumPy or Keras.

    Events come from a generator like NumpyTraining's; an "epoch" event closes one distance; history holds
    one row per distance: the accuracy's mean and every seed's (accuracy_seed_j), the mean gradient reach.
    """

    def __init__(self, config, data=None):
        """config: LIVE's keys plus truncation (10 or None) and clip; data is unused (the task makes its own)."""
        self.config = c = {**LIVE, **dict(config)}
        if c["model"] != "numpy":
            self.config = c = {**c, **LIVE_KERAS, **dict(config)}
        if (c["model"] not in LIVE_MODELS or not all(1 <= d <= STEPS for d in c["distances"])
                or not 0 < c["n_train"] <= 10_000 or not 0 < c["seeds"] <= 5
                or not 0 < c["n_val"] <= 5_000 or not 0 < c["epochs"] <= 20 or not 0 < c["n_cells"] <= 64):
            raise ValueError("the live run's settings are out of bounds")
        self.results_so_far = {"distances": [], "accuracy": [], "accuracy_seeds": [], "gradient_reach": []}
        super().__init__(self.events_for(c) if c["model"] == "numpy" else self.keras_events(c))

    def seed_list(self):
        """The seeds every distance is trained with."""
        return [self.config["seed"] + j for j in range(self.config["seeds"])]

    def tasks(self, d, s):
        """Training and validation data of one seed at distance d."""
        c = self.config
        return make_task(Task(d, c["n_train"], s)), make_task(Task(d, c["n_val"], s + VAL_SEED))

    def record(self, d, accuracies, reaches):
        """One distance done: every seed's accuracy, their mean, the mean reach."""
        self.results_so_far["distances"].append(d)
        self.results_so_far["accuracy"].append(float(np.mean(accuracies)))
        self.results_so_far["accuracy_seeds"].append([float(a) for a in accuracies])
        self.results_so_far["gradient_reach"].append(float(np.mean(reaches)))

    def events_for(self, c):
        """Train one NumPy model per seed and distance; pass on its batch events, one "epoch" event per distance."""
        distances, seeds = list(c["distances"]), self.seed_list()
        for k, d in enumerate(distances):
            accuracies, reaches, losses = [], [], []
            for j, s in enumerate(seeds):
                (x, y), (x_val, y_val) = self.tasks(d, s)
                model = MemoryNetwork(n_cells=c["n_cells"], batch_size=c["batch_size"],
                                      learning_rate=c["learning_rate"], truncation=c["truncation"], seed=s,
                                      clip=c.get("clip"))
                for event in model.iter_fit(x, y, epochs=c["epochs"], n_features=N_FEATURES):
                    if event.kind == "batch":
                        per_seed = event.n_batches * event.epochs
                        yield Progress("batch", k, j * per_seed + event.epoch * event.n_batches + event.batch,
                                       per_seed * len(seeds), len(distances), event.loss, None, event.elapsed)
                accuracies.append(model.score(x_val, y_val))
                reaches.append(reach_numpy(model, Task(d, 200, s + REACH_SEED)))
                losses.append(float(np.mean(model.batch_losses[-20:])))
            self.record(d, accuracies, reaches)
            yield Progress("epoch", k, 0, 1, len(distances), float(np.mean(losses)), None, 0.0)

    def keras_events(self, c):
        """The same with a Keras SimpleRNN or LSTM (full BPTT, trained by Keras in the worker), one event per epoch."""
        from rnn_core.model import keras_models
        kind = "keras_c" if c["model"] == "keras_lstm" else "keras_b"         # Embedding + LSTM(8) / SimpleRNN(8)
        trainer = KerasTrainer(kind)
        distances, seeds = list(c["distances"]), self.seed_list()
        for k, d in enumerate(distances):
            accuracies, reaches, loss = [], [], 0.0
            for j, s in enumerate(seeds):
                (x, y), (x_val, y_val) = self.tasks(d, s)
                trainer.start(s)
                rng = np.random.default_rng([s, d])
                for epoch in range(c["epochs"]):
                    loss = trainer.epoch(x, y, c["batch_size"], rng)
                    yield Progress("batch", k, j * c["epochs"] + epoch, c["epochs"] * len(seeds), len(distances),
                                   loss, None, 0.0)
                weights = keras_models.export_weights(trainer.model)
                p = keras_numpy.predict(kind, weights, x_val)[:, 0]               # (m,)
                accuracies.append(float(np.mean((p > 0.5) == y_val)))
                reaches.append(reach_keras(kind, weights, Task(d, 200, s + REACH_SEED)))
            self.record(d, accuracies, reaches)
            yield Progress("epoch", k, 0, 1, len(distances), loss, None, 0.0)

    def results(self):
        """The measured distances, accuracies and gradient reaches (plain data for the worker's report)."""
        return {k: list(v) for k, v in self.results_so_far.items()}

    def to_run(self, name, note=""):
        """A record of the run (no weights: one small model per distance, none kept); not a model to reuse."""
        return Run(name=name, kind="memory", config=dict(self.config), history={k: list(v) for k, v in
                   self.history.items() if k != "loss"}, status=self.state, note=note)

    def epoch_metrics(self, event):
        """The distance just finished: the mean accuracy, every seed's, and the mean gradient reach."""
        r = self.results_so_far
        each = {f"accuracy_seed_{j}": a for j, a in enumerate(r["accuracy_seeds"][-1])}
        return {"distance": r["distances"][-1], "accuracy": r["accuracy"][-1], **each,
                "gradient_reach": r["gradient_reach"][-1]}

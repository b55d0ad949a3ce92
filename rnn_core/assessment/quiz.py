"""Predict-then-reveal questions: options, the right one computed from a page's live numbers, feedback per option.

Texts live in locales/<lang>/<page>.toml under [quiz.<qid>]: prompt, opt.<option>, why.<feedback key>.
"""
import hashlib
from dataclasses import dataclass, field

import numpy as np

from rnn_core.data.imdb import pad_sequences
from rnn_core.lessons import gradflow, memory

SAME = 1e-9            # outputs closer than this count as unchanged
GB = 1e9


@dataclass(frozen=True)
class Question:
    """One prediction: its options, the right ones (computed), each option's feedback key, the numbers in its texts."""
    qid: str
    options: tuple
    correct: frozenset
    feedback: dict                               # option -> key of its explanation (why.<key>)
    settings: tuple = ()                         # what the answer depends on: another value asks afresh
    params: dict = field(default_factory=dict)   # numbers shown in the texts

    def is_right(self, option):
        """True when the option is one of the right ones."""
        return option in self.correct

    @property
    def key(self):
        """A short name for this question with these settings (a widget key: new settings, empty answer)."""
        return hashlib.sha1(repr((self.qid, self.settings)).encode()).hexdigest()[:10]


def _ask(qid, options, correct, settings, params=None, feedback=None):
    correct = frozenset(o for o in options if o in correct)
    if not correct:
        raise ValueError(f"{qid}: none of the options {options} is right")
    return Question(qid, tuple(options), correct, feedback or {o: o for o in options}, tuple(settings),
                    params or {})


# --- sequences (6.1) --------------------------------------------------------------------------------------

def word_order(dense_spread, rnn_spread, n_orders, settings=()):
    """Which model's output changes when the words are reordered? From both models' spread over every order."""
    changed = {"dense": dense_spread > SAME, "rnn": rnn_spread > SAME}
    right = {"both" if all(changed.values()) else "neither" if not any(changed.values())
             else next(k for k, v in changed.items() if v)}
    feedback = {o: o for o in ("neither", "dense", "rnn", "both")}
    if n_orders == 1:                          # one word (or one order): nothing to reorder
        feedback = {o: "one_order" for o in feedback}
    return _ask("orders", ("neither", "dense", "rnn", "both"), right, settings, {"n": n_orders}, feedback)


def shared_weights(n_weights, n_f, n_c, steps, settings=()):
    """How many weights does the RNN hold for T time steps? The option whose count equals the live model's own."""
    layer = {"shared": n_f * n_c + n_c * n_c + n_c,                     # one W1x, W1h, b1 for every step
             "per_step": steps * (n_f * n_c + n_c * n_c + n_c),         # a copy of each per time step
             "per_step_h": n_f * n_c + steps * n_c * n_c + n_c}         # its own W1h per time step
    counts = {o: v + n_c + 1 for o, v in layer.items()}                # + W2 (n_c, 1) and b2
    right = {o for o, c in counts.items() if c == n_weights}
    feedback = {o: "one_step" if steps == 1 else o for o in counts}
    params = {"T": steps, "n_f": n_f, "n_c": n_c} | {o: f"{c:,}" for o, c in counts.items()}
    return _ask("shared", tuple(counts), right, settings, params, feedback)


def shuffled_correlation(r_in_order, r_shuffled, lag, settings=()):
    """After shuffling the hours, the lag-k correlation is ... (nearest of: unchanged, about 0, stronger)."""
    gap = {"same": abs(r_shuffled - r_in_order), "zero": abs(r_shuffled),
           "stronger": max(0.0, abs(r_in_order) + 0.2 - abs(r_shuffled))}
    best = min(gap.values())
    right = {o for o, d in gap.items() if d <= best + 0.05}
    return _ask("series", ("same", "zero", "stronger"), right, settings, {"lag": lag})


# --- pipeline (6.3) ---------------------------------------------------------------------------------------

PAD_OPTIONS = ("pad_front", "pad_back", "cut_front", "cut_back", "unchanged")


def _padded_as(option, review, maxlen):
    """What a review would become under one option's idea of padding, or None when the idea doesn't apply."""
    review, n = np.asarray(review), len(review)
    zeros = np.zeros(max(maxlen - n, 0), dtype=review.dtype)
    if option == "pad_front" and n < maxlen:
        return np.concatenate([zeros, review])
    if option == "pad_back" and n < maxlen:
        return np.concatenate([review, zeros])
    if option == "cut_front" and n > maxlen:
        return review[n - maxlen:]
    if option == "cut_back" and n > maxlen:
        return review[:maxlen]
    if option == "unchanged" and n == maxlen:
        return review
    return None


def padding(review, maxlen, settings=()):
    """What does pad_sequences do to this review? The option whose result equals pad_sequences' own."""
    row = pad_sequences([np.asarray(review)], maxlen)[0]                  # (maxlen,)
    right = {o for o in PAD_OPTIONS if (p := _padded_as(o, review, maxlen)) is not None and np.array_equal(p, row)}
    misfit = {"pad_front": "not_short", "pad_back": "not_short", "cut_front": "not_long", "cut_back": "not_long",
              "unchanged": "not_equal"}        # the option's idea doesn't even apply to a review of this length
    feedback = {o: o if _padded_as(o, review, maxlen) is not None else misfit[o] for o in PAD_OPTIONS}
    return _ask("padding", PAD_OPTIONS, right, settings, {"n": len(review), "maxlen": maxlen}, feedback)


MEMORY_BINS = (("lt100mb", 0.0), ("lt1gb", 0.1 * GB), ("lt10gb", 1 * GB), ("lt100gb", 10 * GB), ("more", 100 * GB))


def onehot_memory(n_bytes, settings=(), **params):
    """How big would the one-hot float32 tensor be? The size bin its computed bytes fall in; lower bins 'too small'."""
    names = [name for name, _ in MEMORY_BINS]
    at = max(i for i, (_, low) in enumerate(MEMORY_BINS) if n_bytes >= low)
    feedback = {name: "low" if i < at else "high" if i > at else "right" for i, name in enumerate(names)}
    return _ask("memory", names, {names[at]}, settings, params, feedback)


# --- unrolling (6.1) --------------------------------------------------------------------------------------

def input_term(xw, w1x, token, settings=()):
    """X_t is one-hot: which part of W1x is X_t W1x? Compared with the row, the column and the sum of W1x."""
    xw = np.asarray(xw).ravel()                                          # (n_c,)
    candidates = {"row": w1x[token], "column": w1x[:, token] if token < w1x.shape[1] else None,
                  "sum": w1x.sum(axis=0)}
    right = {o for o, v in candidates.items() if v is not None and v.shape == xw.shape and np.allclose(v, xw)}
    return _ask("input_term", ("row", "column", "sum"), right, settings)


def recurrent_shape(hw, m, n_f, n_c, settings=()):
    """Which shape is H_{t-1} W1h? The options whose numbers equal the real product's shape."""
    shapes = {"m_nc": (m, n_c), "nf_nc": (n_f, n_c), "nc_nc": (n_c, n_c), "m_nf": (m, n_f)}
    right = {o for o, s in shapes.items() if s == tuple(np.shape(hw))}
    return _ask("hw_shape", tuple(shapes), right, settings, {"m": m, "n_f": n_f, "n_c": n_c})


# --- gradient flow (6.2) ----------------------------------------------------------------------------------

def delta_ratio(ratio, radius, steps, settings=()):
    """|delta_1| / |delta_T| after `steps` steps back: vanishing, about the same, or exploding."""
    right = gradflow.direction(ratio)
    wrong = {   # the misconception behind each wrong choice, given what really happened
        "explode": "explode_small_radius" if radius < 1 else "explode_saturated",
        "vanish": "vanish_big_radius" if radius > 1 else "vanish_short",
        "stable": f"stable_{right}",
    }
    feedback = {o: f"right_{o}" if o == right else wrong[o] for o in ("vanish", "stable", "explode")}
    return _ask("ratio", ("vanish", "stable", "explode"), {right}, settings,
                {"radius": f"{radius:g}", "steps": steps}, feedback)


def textbook_line(errors, tolerance=gradflow.CHECK_TOLERANCE, settings=()):
    """What does the textbook's backprop line get wrong? From the gradient check's relative errors by method."""
    wrong = errors["textbook"] > tolerance
    return _ask("textbook", ("transpose", "nothing", "truncation"), {"transpose" if wrong else "nothing"}, settings)


# --- memory (6.2-6.4) -------------------------------------------------------------------------------------

def memory_reach(accuracy, distance, window, steps, settings=()):
    """A word `distance` steps back, backprop `window` steps: what accuracy does the model reach? From the results."""
    right = "learned" if accuracy >= memory.LEARNED else "partly" if accuracy >= 0.7 else "chance"
    return _ask("reach", ("learned", "partly", "chance"), {right}, settings,
                {"d": distance, "k": window, "steps": steps, "acc": f"{accuracy:.0%}"})

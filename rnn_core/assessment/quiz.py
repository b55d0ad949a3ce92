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

    def why(self, option):
        """(text key, numbers) of the feedback on one option: any widget can show it with its page's texts."""
        return f"quiz.{self.qid}.why.{self.feedback[option]}", dict(self.params)

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


def noise_band(n_pairs):
    """Half-width of the band |r| < 2 / sqrt(n) that a correlation of unrelated numbers stays in (about 95 %)."""
    return 2.0 / np.sqrt(n_pairs)


def shuffled_correlation(r_in_order, r_shuffled, lag, n_pairs, settings=()):
    """After shuffling the hours, |r| at lag k ... drops toward 0, stays about the same, or grows.

    The three options split the change of |r| at +-band (the noise band of n_pairs unrelated pairs): exactly one
    is right at every setting. Where the hours were already unrelated in order, "about the same" is right.
    """
    band = noise_band(n_pairs)
    change = abs(r_shuffled) - abs(r_in_order)
    right = "zero" if change < -band else "stronger" if change > band else "same"
    flat = abs(r_in_order) <= band                # in order already inside the noise band
    feedback = {"same": "same", "zero": "zero_flat" if flat else "zero", "stronger": "stronger"}
    feedback[right] = {"zero": "right_zero", "same": "right_same_flat" if flat else "right_same",
                       "stronger": "right_stronger"}[right]
    params = {"lag": lag, "r": f"{r_in_order:+.2f}", "r_shuffled": f"{r_shuffled:+.2f}", "band": f"{band:.2f}"}
    return _ask("series", ("zero", "same", "stronger"), {right}, settings, params, feedback)


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
    # an empty review: zeros in front or behind give the same row, so only one of the two is asked
    options = tuple(o for o in PAD_OPTIONS if not (len(review) == 0 and o == "pad_back"))
    return _ask("padding", options, right, settings, {"n": len(review), "maxlen": maxlen}, feedback)


MEMORY_BINS = (("lt100mb", 0.0), ("lt1gb", 0.1 * GB), ("lt10gb", 1 * GB), ("lt100gb", 10 * GB), ("more", 100 * GB))


def size_bin(n_bytes):
    """The index of the MEMORY_BINS bin that n_bytes falls in."""
    return max(i for i, (_, low) in enumerate(MEMORY_BINS) if n_bytes >= low)


def onehot_memory(n_bytes, token_bytes, settings=(), **params):
    """How big would the one-hot float32 tensor be? The size bin its computed bytes fall in.

    A bin below it is "low": "low_tokens" where that bin holds the integer tokens' size (the usual mix-up),
    plain "low" elsewhere; above it, "high".
    """
    names = [name for name, _ in MEMORY_BINS]
    at, tokens_at = size_bin(n_bytes), size_bin(token_bytes)
    feedback = {name: ("low_tokens" if i == tokens_at else "low") if i < at else "high" if i > at else "right"
                for i, name in enumerate(names)}
    return _ask("memory", names, {names[at]}, settings, params, feedback)


# --- unrolling (6.1) --------------------------------------------------------------------------------------

def input_term(xw, w1x, token, settings=()):
    """X_t is one-hot: which part of W1x is X_t W1x? Compared with the row, the column and the sum of W1x."""
    xw = np.asarray(xw).ravel()                                          # (n_c,)
    candidates = {"row": w1x[token], "column": w1x[:, token] if token < w1x.shape[1] else None,
                  "sum": w1x.sum(axis=0)}
    right = {o for o, v in candidates.items() if v is not None and v.shape == xw.shape and np.allclose(v, xw)}
    return _ask("input_term", ("row", "column", "sum"), right, settings)


SHAPE_DISTRACTORS = ("nf_nc", "nc_nc", "m_nf", "nc_nf", "one_nc", "m_one")


def recurrent_shape(hw, m, n_f, n_c, settings=()):
    """Which shape is H_{t-1} W1h? The real product's shape, and three wrong shapes whose numbers all differ from it.

    A wrong shape whose numbers equal the right one's (m = n_c makes (n_c, n_c) look like (m, n_c)) is left out
    and the next one on the list is asked instead, so exactly one option names the real shape.
    """
    shapes = {"m_nc": (m, n_c), "nf_nc": (n_f, n_c), "nc_nc": (n_c, n_c), "m_nf": (m, n_f), "nc_nf": (n_c, n_f),
              "one_nc": (1, n_c), "m_one": (m, 1)}
    real = tuple(np.shape(hw))
    right = {next(o for o, s in shapes.items() if s == real)}                # m_nc, by the rule of the product
    seen, options = {real}, []
    for o in SHAPE_DISTRACTORS:
        if shapes[o] not in seen and len(options) < 3:
            seen.add(shapes[o])
            options.append(o)
    options = sorted(right | set(options), key=list(shapes).index)
    return _ask("hw_shape", tuple(options), right, settings, {"m": m, "n_f": n_f, "n_c": n_c})


# --- gradient flow (6.2) ----------------------------------------------------------------------------------

def delta_ratio(ratio, radius, steps, settings=()):
    """|delta_1| / |delta_T| after `steps` steps back: vanishing, about the same, or exploding.

    Every feedback quotes the measured ratio and its mean factor per step; a wrong choice's key names what was
    chosen and what happened (f"{chosen}_{right}"); a cause is named only where the numbers settle it
    (W1h's radius below 1 can't explode the signal when the slope 1 - H^2 <= 1; above 1 with a vanishing signal,
    the slope must have done the shrinking).
    """
    right = gradflow.direction(ratio)
    feedback = {}
    for o in ("vanish", "stable", "explode"):
        if o == right:
            feedback[o] = f"right_{o}"
        elif o == "explode" and right == "vanish":
            feedback[o] = "explode_vanish_small_radius" if radius < 1 else "explode_vanish_saturated"
        else:
            feedback[o] = f"{o}_{right}"
    per_step = ratio ** (1 / max(steps - 1, 1))
    return _ask("ratio", ("vanish", "stable", "explode"), {right}, settings,
                {"radius": f"{radius:g}", "steps": steps, "ratio": f"{ratio:.1e}", "per_step": f"{per_step:.3f}",
                 **gradflow.limits()},
                feedback)


def textbook_line(errors, tolerance=gradflow.CHECK_TOLERANCE, settings=()):
    """What does the textbook's backprop line get wrong? From the gradient check's relative errors by method.

    The "truncation" feedback compares the two errors as measured: the textbook's above or below truncation's.
    """
    wrong = errors["textbook"] > tolerance
    params = {k: f"{errors[k]:.1e}" for k in ("full", "truncated", "textbook") if k in errors}
    feedback = {o: o for o in ("transpose", "nothing", "truncation")}
    if "truncated" in errors:
        feedback["truncation"] = "truncation_larger" if errors["textbook"] > errors["truncated"] else \
            "truncation_smaller"
    return _ask("textbook", ("transpose", "nothing", "truncation"), {"transpose" if wrong else "nothing"}, settings,
                params, feedback)


# --- memory (6.2-6.4) -------------------------------------------------------------------------------------

def reach_level(spread):
    """learned / chance / partly for one point over seeds (a Spread): all seeds learned, all inside the coin-toss
    band, or anything else (above the band, or seeds on both sides of it)."""
    if spread.low >= memory.LEARNED:
        return "learned"
    return "chance" if spread.high <= spread.chance_high else "partly"


def memory_reach(spread, distance, window, steps, trace=None, settings=()):
    """A word `distance` steps back, backprop `window` steps: what accuracy does the model reach? From the seeds.

    spread: memory.Spread of the validation accuracy over seeds; trace: memory.trace_facts' entry at that distance
    (the token-swap control and how far the planted rows moved), or None. The right option is reach_level's;
    each feedback key names the chosen option and what was measured (f"{chosen}_{measured}").
    """
    level = reach_level(spread)
    measured = level
    if level == "partly":
        reads_trace = (trace is not None and trace["moved"] == 0.0
                       and trace["swapped"].high < 0.5 < spread.low)              # swapped: below, kept: above
        measured = ("partly_trace" if reads_trace else "partly") if spread.low > spread.chance_high else "mixed"
    feedback = {o: f"right_{measured}" if o == level else f"{o}_{measured}" for o in ("learned", "partly", "chance")}
    params = {"d": distance, "k": window, "steps": steps, "acc": f"{spread.mean:.0%}", "lo": f"{spread.low:.0%}",
              "hi": f"{spread.high:.0%}", "n": spread.n_seeds, "band": f"{spread.chance_high:.0%}",
              "learned": f"{memory.LEARNED:.0%}"}
    if trace is not None:
        params |= {"swapped": f"{trace['swapped'].mean:.0%}", "moved": f"{trace['moved']:.1g}"}
    return _ask("reach", ("learned", "partly", "chance"), {level}, settings, params, feedback)

"""The recurrent layer unrolled: each step's X_t W1x, H_{t-1} W1h, b1, Z1 and H_t, and the output if the review
ended there."""
import re
from dataclasses import dataclass

import numpy as np

from rnn_core.config import CHAPTER
from rnn_core.data.imdb import OOV, encode, pad_sequences
from rnn_core.model.numpy_rnn import WEIGHT_NAMES, RecurrentNetwork, sigmoid


def fresh_weights(n_features, n_cells=CHAPTER.n_cells, seed=CHAPTER.seed):
    """The chapter's initial weights (W1h orthogonal, W1x and W2 Glorot, biases 0) for a seed."""
    net = RecurrentNetwork(n_cells=n_cells, seed=seed)
    net.init_weights(n_features, 1)
    return dict(zip(WEIGHT_NAMES, net.get_weights()))


def fresh_facts(n_features, n_cells, seed, x, y):
    """What fresh weights do on labelled reviews x (m, T): the range of their P(positive), their accuracy, and
    where a coin toss on m reviews lands (95 %)."""
    from rnn_core.lessons.memory import chance_band
    net = RecurrentNetwork.from_weights(fresh_weights(n_features, n_cells, seed), dtype=np.float64)
    p = sigmoid(net.forpass(x))[:, 0]                                    # (m,)
    band_lo, band_hi = chance_band(len(y))
    return dict(n=len(y), p_lo=float(p.min()), p_hi=float(p.max()), acc=float(np.mean((p > 0.5) == y)),
                band_lo=band_lo, band_hi=band_hi)


@dataclass
class Unrolled:
    """Every term of Z1_t = X_t W1x + H_{t-1} W1h + b1 and H_t = tanh(Z1_t), for t = 1..T (index t-1)."""
    tokens: np.ndarray   # (m, T) int
    xw: np.ndarray       # (T, m, n_c) X_t W1x: the rows of W1x the tokens pick
    hw: np.ndarray       # (T, m, n_c) H_{t-1} W1h
    b1: np.ndarray       # (n_c,)
    z1: np.ndarray       # (T, m, n_c)
    h: np.ndarray        # (T + 1, m, n_c) H_0..H_T
    prob: np.ndarray     # (T, m) sigmoid(H_t W2 + b2): the output if the review ended at step t


def unroll(net, tokens):
    """Run the network's own forward pass over tokens (m, T), then take each step apart into its terms."""
    tokens = np.asarray(tokens)
    net.forpass(tokens)
    h = np.stack(net.h)                                      # (T + 1, m, n_c) as forpass kept them
    xw = net.w1x[tokens.T]                                   # (T, m, n_c) row lookups, no one-hot
    hw = h[:-1] @ net.w1h                                    # (T, m, n_c) = (T, m, n_c) @ (n_c, n_c)
    z1 = xw + hw + net.b1
    prob = sigmoid(h[1:] @ net.w2 + net.b2)[..., 0]          # (T, m)
    return Unrolled(tokens, xw, hw, net.b1, z1, h, prob)


def text_tokens(text, word_index, num_words, skip_top, maxlen):
    """A typed review as the model reads it: encoded, words outside the vocabulary dropped (as the chapter
    drops indices <= 2), the last `maxlen` kept. Returns (indices, tokens, oov flags) as data.encode does."""
    indices, tokens, oov = encode(text, word_index, num_words, skip_top)
    return indices[indices > OOV][-maxlen:], tokens, oov


def batch_tokens(first, others, steps):
    """m reviews as one batch (m, steps): `first` then `others`, each padded or cut as pad_sequences does."""
    return pad_sequences([np.asarray(first)] + [np.asarray(o) for o in others], maxlen=steps)


def step_latex(step, m, n_features, n_cells):
    """Z1_t = X_t W1x + H_{t-1} W1h + b1, then Z1_t -> H_t: two LaTeX formulas (a phone shows them on two lines),
    each factor with its real shape underneath."""
    def part(symbol, *shape):
        dims = r",\,".join(map(str, shape)) + ("," if len(shape) == 1 else "")
        return rf"\underbrace{{{symbol}}}_{{({dims})}}"
    return (part(f"X_{{{step}}}", m, n_features) + part("W_{1x}", n_features, n_cells) + " + "
            + part(f"H_{{{step - 1}}}", m, n_cells) + part("W_{1h}", n_cells, n_cells) + " + " + part("b_1", n_cells)
            + " = " + part(f"Z_{{1,{step}}}", m, n_cells),
            f"Z_{{1,{step}}}" + r"\;\xrightarrow{\tanh}\;" + part(f"H_{{{step}}}", m, n_cells))


def plain_word(word):
    """A word safe to show as Markdown: letters, digits and apostrophes only; padding as a dot, anything else '?'."""
    return "·" if word == "<pad>" else word if re.fullmatch(r"(?:[^\W_]|')+", word) else "?"


def word_strip(words, prob, step, threshold=0.02):
    """The review as Markdown: the current word highlighted, words after which the output rose green, fell red."""
    change = np.diff(np.concatenate([[prob[0]], prob]))           # (T,) how much each word moved the output
    out = []
    for j, w in enumerate(map(plain_word, words)):
        out.append(f":orange-background[**{w}**]" if j == step - 1 else f":green[{w}]" if change[j] > threshold
                   else f":red[{w}]" if change[j] < -threshold else w)
    return " ".join(out)


PICKS = ("positive", "negative", "turn", "long")     # the curated reviews, in the order the page offers them
SHORT = (15, 60)                                     # words: long enough to mean something, short enough to play


def outputs_by_step(net, reviews):
    """Each review's output after every step, as the page unrolls it (no padding): a list of (T_i,) arrays.

    Reviews of equal length run as one batch, so a whole validation split takes a few dozen forward passes.
    """
    out = [None] * len(reviews)
    lengths = np.array([len(r) for r in reviews])
    for n in np.unique(lengths[lengths > 0]):
        rows = np.flatnonzero(lengths == n)
        prob = unroll(net, np.stack([np.asarray(reviews[i]) for i in rows])).prob     # (n, len(rows))
        for j, i in enumerate(rows):
            out[i] = prob[:, j]
    return [p if p is not None else np.zeros(0) for p in out]


def curated_reviews(net, reviews, labels, maxlen):
    """Four reviews worth stepping through, chosen from the model's own outputs: {pick: index}.

    positive / negative: short, rightly classified, the most confident final output of their label;
    turn: rightly classified, whose output crosses 0.5 and swings furthest to the wrong side first;
    long: the full maxlen steps, rightly classified, the most confident. A pick nothing fits is left out.
    """
    reviews = [np.asarray(r)[-maxlen:] for r in reviews]
    probs = outputs_by_step(net, reviews)
    labels = np.asarray(labels).astype(int)
    n = np.array([len(r) for r in reviews])
    final = np.array([p[-1] if len(p) else 0.5 for p in probs])
    right = (final > 0.5) == (labels == 1)
    short = (n >= SHORT[0]) & (n <= SHORT[1])
    wrong_side = np.array([np.max(np.where(lab, 0.5 - p, p - 0.5)) if len(p) else -1.0
                           for p, lab in zip(probs, labels)])            # how far it leaned the wrong way first
    score = {"positive": np.where(short & right & (labels == 1), final, -np.inf),
             "negative": np.where(short & right & (labels == 0), 1 - final, -np.inf),
             "turn": np.where(right & (n <= 2 * SHORT[1]) & (wrong_side > 0), wrong_side, -np.inf),
             "long": np.where(right & (n >= maxlen), np.abs(final - 0.5), -np.inf)}
    return {k: int(np.argmax(s)) for k, s in score.items() if np.isfinite(s.max())}

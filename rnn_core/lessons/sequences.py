"""Word order: a sentence as time steps, all its orders, and two models that do or don't notice the order."""
import itertools
import math

import numpy as np

from rnn_core.data.timeseries import lag_correlation
from rnn_core.model.numpy_rnn import RecurrentNetwork, sigmoid

MAX_WORDS = 8        # 8! = 40,320 orders: still quick to run through both models
MAX_LISTED = 5       # up to 5! = 120 orders are listed one by one


def split_words(sentence, max_words=MAX_WORDS):
    """The sentence's words (split on spaces), at most max_words of them."""
    return sentence.split()[:max_words]


def vocabulary(words):
    """Each distinct word's index, in order of first appearance: the one-hot positions (n_f = len)."""
    vocab = {}
    for w in words:
        vocab.setdefault(w, len(vocab))
    return vocab


def n_orders(n_words):
    """How many ways n words can be lined up: n!."""
    return math.factorial(n_words)


def n_distinct_orders(words):
    """How many different sentences the words make when reordered: T! / (c_1! c_2! ...), c_i each word's count."""
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return math.factorial(len(words)) // math.prod(math.factorial(c) for c in counts.values())


def distinct_orders(words):
    """One order of positions per different sentence, the sentence's own order first; (n_distinct, T) int."""
    orders = word_orders(len(words))                               # (T!, T)
    tokens = order_tokens(words, orders)                           # (T!, T)
    _, first = np.unique(tokens, axis=0, return_index=True)        # first row of every different sentence
    return orders[np.sort(first)]


def word_orders(n_words):
    """Every order of the positions 0..n-1 (n! rows), the sentence's own order first; (n!, n) int."""
    return np.array(list(itertools.permutations(range(n_words))), dtype=np.int64).reshape(-1, n_words)


def order_tokens(words, orders):
    """The token of every word in every order, (n!, T): the batch both models read."""
    vocab = vocabulary(words)
    tokens = np.array([vocab[w] for w in words], dtype=np.int64)   # (T,)
    return tokens[orders]                                          # (n!, T)


def seeded_rnn(n_features, n_cells=4, seed=42):
    """An untrained RecurrentNetwork with seeded weights (orthogonal W1h, Glorot W1x and W2)."""
    rnn = RecurrentNetwork(n_cells=n_cells, seed=seed, dtype=np.float64)
    rnn.init_weights(n_features, 1)
    return rnn


def dense_outputs(rnn, tokens):
    """An order-blind dense network with the RNN's own W1x, b1, W2, b2: all words added up at once; (m,)."""
    n_f = rnn.w1x.shape[0]
    s = np.eye(n_f)[tokens].sum(axis=1)                   # (m, n_f): the sum of the one-hot vectors
    h = np.tanh(s @ rnn.w1x + rnn.b1)                     # (m, n_c)
    return sigmoid(h @ rnn.w2 + rnn.b2)[:, 0]             # (m,)


def rnn_outputs(rnn, tokens):
    """The recurrent network reading the words one time step at a time: A2 = sigmoid(H_T W2 + b2); (m,)."""
    return sigmoid(rnn.forpass(tokens))[:, 0]             # forpass on tokens (m, T) -> Z2 (m, 1)


def sample_rows(n_rows, k, seed=0):
    """At most k row indices out of n_rows: all of them when few, else row 0 plus a seeded sample, sorted."""
    if n_rows <= k:
        return np.arange(n_rows)
    rest = np.random.default_rng(seed).choice(np.arange(1, n_rows), size=k - 1, replace=False)
    return np.concatenate([[0], np.sort(rest)])


def lag_profile(series, max_lag=24):
    """What the series_after text quotes: the in-order correlation at its lowest lag and at max_lag (a day)."""
    r = np.array([lag_correlation(series, k) for k in range(1, max_lag + 1)])      # (max_lag,)
    low = int(np.argmin(r))
    return {"k_min": low + 1, "r_min": float(r[low]), "r_day": float(r[-1]), "day": max_lag}

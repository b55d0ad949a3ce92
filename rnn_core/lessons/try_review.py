"""What each trained model reads of a review and its P(positive) after every word, in NumPy only (no TensorFlow).

A model sees a text the way its training data was prepared (lecture 6.3): every word gets its index
with the model's own num_words and skip_top, the indices <= 2 (unknown, skipped, too rare) are dropped,
and pad_sequences keeps the last maxlen indices, zeros in front.
"""
from dataclasses import dataclass
from functools import partial

import numpy as np

from rnn_core.data.imdb import INDEX_FROM, OOV, encode, pad_sequences
from rnn_core.lessons import memory
from rnn_core.model import keras_numpy
from rnn_core.model.numpy_rnn import RecurrentNetwork, sigmoid

# What happened to a word of the text, for one model
READ = "read"          # the model read it
COMMON = "common"      # index < skip_top: one of the most frequent words, skipped
RARE = "rare"          # index >= num_words: outside the model's vocabulary
UNKNOWN = "unknown"    # not in the word index at all (a typo, another language, an emoji ...)
CUT = "cut"            # kept, but before the last maxlen kept words: pad_sequences cut it
STATUSES = (READ, COMMON, RARE, UNKNOWN, CUT)


def numpy_steps(weights, sequence):
    """P(positive) at H_0 and after each step of the chapter's RecurrentNetwork, (T + 1,)."""
    model = RecurrentNetwork.from_weights(weights)
    model.forpass(sequence[None, :])                                   # keeps H_0..H_T in model.h
    h = np.stack(model.h)[:, 0]                                        # (T + 1, n_c)
    return sigmoid(h @ model.w2 + model.b2)[:, 0]


def keras_steps(kind, weights, sequence):
    """P(positive) at H_0 = 0 and after each step of a Keras model (its weights run in NumPy), (T + 1,)."""
    start = sigmoid(weights["dense_bias"])                             # (1,): the output unit on H_0 = 0
    steps = keras_numpy.step_probabilities(kind, weights, sequence[None, :])[0]   # (T,)
    return np.concatenate([start, steps])


STEPS = {                                   # one function per model kind: (weights, sequence (T,)) -> (T + 1,)
    "numpy": numpy_steps,
    "keras_a": partial(keras_steps, "keras_a"),
    "keras_b": partial(keras_steps, "keras_b"),
    "keras_c": partial(keras_steps, "keras_c"),
}
FIRST_LAYER = {"numpy": "w1x", "keras_a": "rnn_kernel", "keras_b": "embedding", "keras_c": "embedding"}


def vocabulary_size(run):
    """How many indices the model can read: the rows of its input weights (one-hot width or embedding table)."""
    return len(run.weights[FIRST_LAYER[run.kind]])


def word_status(tokens, indices, word_index, skip_top, maxlen):
    """Per word: READ, COMMON, RARE, UNKNOWN, or CUT when more than maxlen words were kept (the front ones go)."""
    status = []
    for word, i in zip(tokens, indices):
        if i > OOV:
            status.append(READ)
        elif word not in word_index:
            status.append(UNKNOWN)
        else:
            status.append(COMMON if word_index[word] + INDEX_FROM < skip_top else RARE)
    kept = [k for k, s in enumerate(status) if s == READ]
    for k in kept[:max(len(kept) - maxlen, 0)]:
        status[k] = CUT
    return status


@dataclass
class Reading:
    """One model's reading of one review."""
    tokens: list               # the words of the review, in order
    indices: np.ndarray        # (n,) each word's index for this model, 2 where it is out of vocabulary
    status: list               # (n,) READ, COMMON, RARE, UNKNOWN or CUT for each word
    sequence: np.ndarray       # (maxlen,) what the model reads: the kept indices, zeros in front
    steps: np.ndarray          # (maxlen + 1,) P(positive) at H_0 and after each step, padding included
    after_word: np.ndarray     # (n,) P(positive) once the model got to each word (a skipped word changes nothing)

    @property
    def probability(self):
        """The model's prediction: P(positive) after the last step."""
        return float(self.steps[-1])

    @property
    def n_read(self):
        """How many words the model read."""
        return self.status.count(READ)

    @property
    def n_pad(self):
        """How many padding steps come before the first word."""
        return len(self.sequence) - self.n_read

    @property
    def start(self):
        """P(positive) before any word: after the padding steps, or at H_0 when there is no padding."""
        return float(self.steps[self.n_pad])

    @property
    def start_status(self):
        """What the start point is: after the padding, or the bare H_0."""
        return "padding" if self.n_pad else "h0"

    def counts(self):
        """How many words got each status."""
        return {s: self.status.count(s) for s in STATUSES}


def read_review(run, text, word_index):
    """Encode text with the run's own num_words / skip_top / maxlen, drop indices <= 2, pad, and run the model."""
    c = run.config
    indices, tokens, _ = encode(text, word_index, c["num_words"], c["skip_top"])
    status = word_status(tokens, indices, word_index, c["skip_top"], c["maxlen"])
    kept = [int(i) for i in indices if i > OOV]                          # the chapter's cleaning: drop <= 2
    sequence = pad_sequences([kept], c["maxlen"])[0]                    # (maxlen,)
    if sequence.max(initial=0) >= vocabulary_size(run):
        raise ValueError(f"the model reads indices below {vocabulary_size(run)}, "
                         f"but num_words={c['num_words']} gives up to {int(sequence.max())}")
    steps = STEPS[run.kind](run.weights, sequence)                      # (maxlen + 1,)
    done = np.cumsum([s == READ for s in status], dtype=int)            # (n,) words read so far
    after_word = steps[len(sequence) - len(kept[-c["maxlen"]:]) + done]  # step n_pad + words read so far
    return Reading(tokens, indices, status, sequence, steps, after_word)


def keep_end(text, max_chars):
    """The last max_chars characters of text, starting at a word boundary (pad_sequences keeps a review's end too)."""
    if len(text) <= max_chars:
        return text
    tail = text[-max_chars:]
    if not text[-max_chars - 1].isspace():                              # the cut fell inside a word: drop its rest
        parts = tail.split(maxsplit=1)
        tail = parts[1] if len(parts) == 2 else ""
    return tail


# ----------------------------------------------------------------------------- gradient reach on the review

def numpy_gradients(run, sequence):
    """|dZ2/dX_t| at every step of the chapter's RecurrentNetwork, through its own backprop and window, (T,)."""
    model = RecurrentNetwork.from_weights(run.weights, truncation=run.config.get("truncation"))
    return memory.numpy_output_gradients(model, sequence)


def keras_gradients(run, sequence):
    """|dZ2/dx_t| at every step of a Keras model (full BPTT, its backward pass in NumPy), (T,)."""
    g = memory.keras_input_gradients(run.kind, run.weights, sequence[None, :], np.ones((1, 1)))   # (1, T, n_in)
    return np.linalg.norm(g[0], axis=1)


def word_gradients(run, reading):
    """Per word of the text: the size of the output's gradient wrt the input at the step where the model read it.

    NaN for a word the model did not read; 0 for a word the NumPy model's truncated backprop never reaches, (n,).
    """
    steps = (numpy_gradients if run.kind == "numpy" else keras_gradients)(run, reading.sequence)   # (T,)
    out = np.full(len(reading.status), np.nan)
    read = [k for k, s in enumerate(reading.status) if s == READ]
    out[read] = steps[reading.n_pad:reading.n_pad + len(read)]
    return out

"""Numbers about the chapter's data pipeline: review lengths, what padding cuts, memory of each input format."""
import numpy as np

from rnn_core.data.imdb import drop_special, pad_sequences

EMBED_DIM = 32     # the chapter's Embedding(1000, 32)


def review_steps(data, j):
    """Review j of the 25,000 (load_data's order) at each step: raw indices, after dropping <= 2, split and position."""
    raw = data.raw[j]                                              # (L_raw,) int32
    cleaned = raw[raw > 2]                                         # what the chapter keeps
    in_train = np.flatnonzero(data.train_index == j)
    split, pos = ("train", int(in_train[0])) if len(in_train) else ("val", int(np.flatnonzero(data.val_index == j)[0]))
    label = int((data.y_train if split == "train" else data.y_val)[pos])
    return {"raw": raw, "cleaned": cleaned, "split": split, "position": pos, "label": label}


def padded_block(data, first, n_rows, maxlen):
    """Reviews first .. first+n_rows-1 of the 25,000, cleaned and padded to maxlen: (n_rows, maxlen) int32."""
    rows = np.arange(first, min(first + n_rows, len(data.raw)))
    return pad_sequences(drop_special(data.raw.take(rows)), maxlen)


def length_histogram(lengths, maxlen, n_bins=50, quantile=0.99, widths=(1, 5, 25, 50, 100, 250)):
    """Counts of review lengths in bins (start, end] of a round width, up to the `quantile` length or past maxlen.

    Longer reviews go to the last bin. Every maxlen the page offers is a multiple of the
    widths used in practice (1, 5, 25), so "longer than maxlen" is exactly the bins with start >= maxlen.
    """
    top = max(int(np.quantile(lengths, quantile)), int(maxlen * 1.2), 1)
    width = next((w for w in widths if w * n_bins >= top), widths[-1])
    n_bins = -(-top // width)                                                # no empty bins past the top
    counts = np.bincount(np.clip((np.asarray(lengths) - 1) // width, 0, n_bins - 1), minlength=n_bins)
    starts = np.arange(n_bins) * width                                       # (n_bins,) exclusive lower ends
    return starts, starts + width, counts


def share_cut(lengths, maxlen):
    """The share of reviews longer than maxlen, which pad_sequences cuts (keeping their last maxlen tokens)."""
    return float(np.mean(np.asarray(lengths) > maxlen))


def share_padded(lengths, maxlen):
    """The share of reviews shorter than maxlen, which get zeros in front."""
    return float(np.mean(np.asarray(lengths) < maxlen))


def onehot_bytes(m, maxlen, n_features, itemsize):
    """Bytes of a one-hot tensor (m, maxlen, n_features), without building it."""
    return m * maxlen * n_features * itemsize


def input_formats(m, maxlen, num_words, embed_dim=EMBED_DIM, batch_size=32):
    """Shape, dtype and bytes of the same m padded reviews in each format the chapter meets."""
    return [
        {"key": "onehot32", "shape": (m, maxlen, num_words), "dtype": "float32",
         "bytes": onehot_bytes(m, maxlen, num_words, 4)},
        {"key": "onehot64", "shape": (m, maxlen, num_words), "dtype": "float64",   # Keras 3's to_categorical
         "bytes": onehot_bytes(m, maxlen, num_words, 8)},
        {"key": "tokens", "shape": (m, maxlen), "dtype": "int32", "bytes": m * maxlen * 4},
        {"key": "embedding", "shape": (num_words, embed_dim), "dtype": "float32",     # the table, not the data
         "bytes": num_words * embed_dim * 4},
        {"key": "embedded_batch", "shape": (batch_size, maxlen, embed_dim), "dtype": "float32",   # made per batch
         "bytes": batch_size * maxlen * embed_dim * 4},
    ]


def label_counts(y):
    """(negatives, positives) in a label array."""
    counts = np.bincount(np.asarray(y), minlength=2)
    return int(counts[0]), int(counts[1])

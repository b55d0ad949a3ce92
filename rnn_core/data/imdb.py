"""The chapter's IMDB data in plain NumPy: load, clean, split, pad, decode and encode (lecture 6.3).

Each step does what the chapter's Keras calls do (the tests compare them with
`keras.datasets.imdb.load_data` and `keras.utils.pad_sequences`), but nothing here
imports Keras or TensorFlow, so the pages that only show data start quickly.

    raw = load_data(num_words=100, skip_top=20)   # 1 = start, 2 = rare or skipped word, 3.. = word rank + 3
    clean = drop every index <= 2
    train, val = np.random.seed(42) permutation of the 25,000 reviews -> 20,000 / 5,000
    x = pad_sequences(maxlen=100)                  # zeros in front, long reviews keep their end

Reviews have different lengths, so they are kept as `Ragged`: one flat int32 array
of all the indices plus the offset where each review starts. Where the files come from
(Keras's cache, a local folder, or the synthetic corpus) is rnn_core/data/files.py.
"""
from dataclasses import dataclass

import numpy as np

from rnn_core.config import CHAPTER
from rnn_core.data.files import find_corpus
from rnn_core.data.ragged import Ragged

PAD, START, OOV, INDEX_FROM = 0, 1, 2, 3    # Keras's padding value, start_char, oov_char, index_from
KERAS_SEED = 113                            # load_data's shuffle seed
MARKERS = {PAD: "<pad>", START: "<start>", OOV: "<oov>"}

# Keras Tokenizer's default filters become spaces; only ASCII letters are lowercased (as the file was made)
FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_TOKEN_TABLE = str.maketrans({**{c: " " for c in FILTERS},
                              **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)}})


# ----------------------------------------------------------------------------- the steps of the chapter

def keras_order(corpus, split="train"):
    """The order load_data puts a split in: RandomState(113) shuffles the training set, then the test set."""
    rng = np.random.RandomState(KERAS_SEED)
    for name in ("train", "test"):
        order = np.arange(len(corpus.split(name)[0]))
        rng.shuffle(order)
        if name == split:
            return order
    raise ValueError(f"split must be 'train' or 'test', not {split!r}")


def load_reviews(corpus, num_words=None, skip_top=0, split="train"):
    """What `imdb.load_data(num_words=..., skip_top=...)` returns for one split: (reviews Ragged, labels)."""
    order = keras_order(corpus, split)
    x, y = corpus.split(split)
    x, y = x.take(order), y[order]
    # a start token 1 in front of every review, every word rank shifted by 3
    offsets = x.offsets + np.arange(len(x) + 1)                  # (n + 1,) one more token per review
    is_start = np.zeros(offsets[-1], dtype=bool)
    is_start[offsets[:-1]] = True
    values = np.empty(offsets[-1], dtype=np.int32)
    values[is_start] = START
    values[~is_start] = x.values + INDEX_FROM
    if num_words is None:   # Keras then takes the largest index in train and test (and makes that one 2 too)
        num_words = max(int(corpus.split(s)[0].values.max(initial=0)) for s in ("train", "test")) + INDEX_FROM
    values[(values < skip_top) | (values >= num_words)] = OOV   # the start token too, when skip_top > 1
    return Ragged(values, offsets), y


def drop_special(reviews):
    """Remove every index <= 2 (padding 0, start 1, out-of-vocabulary 2) from each review."""
    keep = reviews.values > OOV                                  # (total,)
    kept_before = np.concatenate([[0], np.cumsum(keep)])         # kept tokens before each position
    return Ragged(reviews.values[keep], kept_before[reviews.offsets])


def chapter_split(n=25_000, seed=CHAPTER.seed, n_train=CHAPTER.n_train):
    """The chapter's split: `np.random.seed(42); np.random.permutation(n)`, first 20,000 train, the rest validation."""
    order = np.random.RandomState(seed).permutation(n)          # same numbers, global state untouched
    return order[:n_train], order[n_train:]


def pad_sequences(seqs, maxlen=None):
    """`keras.utils.pad_sequences` defaults: (m, maxlen) int32, zeros in front, long sequences keep their end."""
    seqs = seqs if isinstance(seqs, Ragged) else Ragged.from_lists(seqs)
    if maxlen is None:
        maxlen = int(seqs.lengths.max(initial=0))
    x = np.zeros((len(seqs), maxlen), dtype=np.int32)            # (m, maxlen)
    if maxlen == 0:
        return x
    for i, s in enumerate(seqs):
        s = s[-maxlen:]
        x[i, maxlen - len(s):] = s
    return x


def decode(indices, index_to_word):
    """Words for model indices: i -> index_to_word[i - 3]; 0, 1 and 2 become <pad>, <start>, <oov>."""
    return [MARKERS.get(i) or index_to_word.get(i - INDEX_FROM, "<unknown>") for i in map(int, indices)]


def tokenize(text):
    """Split text the way the IMDB file was made: ASCII lowercase, Tokenizer filter characters -> spaces."""
    return [t for t in text.translate(_TOKEN_TABLE).split(" ") if t]


def encode(text, word_index, num_words=None, skip_top=0):
    """Indices for a user's text like load_data's: (indices int32, tokens, oov flags), one per token.

    A word becomes word_index[word] + 3; unknown words and indices outside
    [skip_top, num_words) become 2. No start token is added.
    """
    tokens = tokenize(text)
    ranks = np.array([word_index.get(t, 0) for t in tokens], dtype=np.int64)   # (n,) 0 = unknown
    indices = ranks + INDEX_FROM
    oov = (ranks == 0) | (indices < skip_top)
    if num_words is not None:
        oov |= indices >= num_words
    return np.where(oov, OOV, indices).astype(np.int32), tokens, oov


# ----------------------------------------------------------------------------- everything together

@dataclass(frozen=True, eq=False)
class ChapterData:
    """The chapter's padded 20,000 / 5,000 split plus what a page needs to explain how it was made."""
    x_train: np.ndarray        # (20000, maxlen) int32, padded cleaned reviews
    y_train: np.ndarray        # (20000,) int64, 1 = positive
    x_val: np.ndarray          # (5000, maxlen) int32
    y_val: np.ndarray          # (5000,) int64
    source: str                # "keras", "local" or "synthetic"
    source_detail: str         # the file's path ("" for the synthetic reviews)
    source_reasons: tuple      # why no IMDB file was used: (where, DataError) pairs; ui.data.source_note words them
    num_words: int             # as passed to load_data (None = all words)
    skip_top: int
    maxlen: int
    word_index: dict           # word -> rank (1 = most frequent); index i in x means rank i - 3
    index_to_word: dict        # rank -> word
    raw: Ragged                # the 25,000 reviews as load_data returns them, before dropping <= 2
    train_reviews: Ragged      # the 20,000 training reviews after dropping <= 2, before padding
    val_reviews: Ragged        # the 5,000 validation reviews, likewise
    train_index: np.ndarray    # (20000,) where each training review is in `raw`
    val_index: np.ndarray      # (5000,)


def _read_only(*arrays):
    """Mark arrays read only (the app shares them between users) and give them back."""
    for a in arrays:
        a.flags.writeable = False
    return arrays


def prepare_chapter_data(num_words=CHAPTER.num_words, skip_top=CHAPTER.skip_top, maxlen=CHAPTER.maxlen,
                         data_dir=None):
    """Load, drop indices <= 2, split 20,000 / 5,000 with seed 42 and pad, as the chapter does."""
    if (num_words is not None and num_words < 1) or skip_top < 0 or maxlen < 1:
        raise ValueError("need num_words >= 1 (or None), skip_top >= 0 and maxlen >= 1")
    corpus = find_corpus(data_dir)
    raw, labels = load_reviews(corpus, num_words, skip_top)     # 25,000 reviews in Keras's order
    clean = drop_special(raw)
    train_index, val_index = _read_only(*chapter_split(len(raw)))
    train, val = clean.take(train_index), clean.take(val_index)
    x_train, x_val, y_train, y_val = _read_only(pad_sequences(train, maxlen), pad_sequences(val, maxlen),
                                                labels[train_index], labels[val_index])
    return ChapterData(
        x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val,
        source=corpus.source, source_detail=corpus.detail, source_reasons=corpus.reasons,
        num_words=num_words, skip_top=skip_top, maxlen=maxlen,
        word_index=corpus.word_index, index_to_word=index_to_word(corpus.word_index),
        raw=raw, train_reviews=train, val_reviews=val, train_index=train_index, val_index=val_index,
    )


def index_to_word(word_index):
    """rank -> word, the inverse of the word index."""
    return {r: w for w, r in word_index.items()}


def same_reviews(run_source, source):
    """True when a run trained on `run_source` data saw the reviews of `source`: "keras" and "local" are one file."""
    # only synthetic vs. IMDB differs; a run that doesn't say (run_source "") counts as the same
    return not run_source or (run_source == "synthetic") == (source == "synthetic")

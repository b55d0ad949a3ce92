"""The chapter's IMDB data in plain NumPy: load, clean, split, pad, decode and encode.

Each step does what the chapter's Keras calls do (the tests compare them with
`keras.datasets.imdb.load_data` and `keras.utils.pad_sequences`), but nothing here
imports Keras or TensorFlow, so the pages that only show data start quickly.

    raw = load_data(num_words=100, skip_top=20)   # 1 = start, 2 = rare or skipped word, 3.. = word rank + 3
    clean = drop every index <= 2
    train, val = np.random.seed(42) permutation of the 25,000 reviews -> 20,000 / 5,000
    x = pad_sequences(maxlen=100)                  # zeros in front, long reviews keep their end

Reviews have different lengths, so they are kept as `Ragged`: one flat int32 array
of all the indices plus the offset where each review starts.
"""
import hashlib
import json
import os
import shutil
import socket
import tempfile
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np

from rnn_core import synthetic
from rnn_core.npz_safe import DataError, load_npz

PAD, START, OOV, INDEX_FROM = 0, 1, 2, 3    # Keras's padding value, start_char, oov_char, index_from
KERAS_SEED = 113                            # load_data's shuffle seed
MARKERS = {PAD: "<pad>", START: "<start>", OOV: "<oov>"}
N_TRAIN = 20_000                            # the chapter's training part of the 25,000 reviews

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
KERAS_FILES = {   # file -> (hash algorithm, hash) as keras.datasets.imdb checks them
    "imdb.npz": ("sha256", "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"),
    "imdb_word_index.json": ("md5", "bfafd718b763782e994055a2d397834f"),
}
TIMEOUT = 3.0           # seconds to wait for the network before giving up on it
_network_failed = False  # set after the first failed download: the network is tried once per process

# Keras Tokenizer's default filters become spaces; only ASCII letters are lowercased (as the file was made)
FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_TOKEN_TABLE = str.maketrans({**{c: " " for c in FILTERS},
                              **{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)}})


# ----------------------------------------------------------------------------- ragged reviews

@dataclass(frozen=True, eq=False)
class Ragged:
    """Sequences of different lengths as one flat int32 array plus the offset where each one starts."""
    values: np.ndarray   # (total,) int32, all sequences one after another
    offsets: np.ndarray  # (n + 1,) int64, sequence i is values[offsets[i]:offsets[i + 1]]

    def __post_init__(self):
        for a in (self.values, self.offsets):
            a.flags.writeable = False   # shared between users of the app: read only

    @classmethod
    def from_lists(cls, seqs):
        """Flatten a list of integer lists (or arrays) without a Python loop over the tokens."""
        lengths = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))   # (n,)
        values = np.fromiter(chain.from_iterable(seqs), dtype=np.int32, count=int(lengths.sum()))
        return cls(values, np.concatenate([[0], np.cumsum(lengths)]))

    def __len__(self):
        return len(self.offsets) - 1

    def __getitem__(self, i):
        """Sequence i as an int32 array (a read-only view, no copy)."""
        i = range(len(self))[i]   # negative indices and IndexError, like a list
        return self.values[self.offsets[i]:self.offsets[i + 1]]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    @property
    def lengths(self):
        """(n,) the length of every sequence."""
        return np.diff(self.offsets)

    def take(self, index):
        """The sequences at `index` (an int array), in that order."""
        index = np.asarray(index, dtype=np.int64)
        lengths = self.offsets[index + 1] - self.offsets[index]
        values = np.concatenate([self[i] for i in index]) if len(index) else self.values[:0]
        return Ragged(values.astype(np.int32, copy=False), np.concatenate([[0], np.cumsum(lengths)]))

    def tolist(self):
        """Plain Python lists (for small slices and comparisons, not for the whole data set)."""
        return [s.tolist() for s in self]


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


def chapter_split(n=25_000, seed=42, n_train=N_TRAIN):
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


# ----------------------------------------------------------------------------- where the reviews come from

@dataclass(frozen=True, eq=False)
class Corpus:
    """The raw reviews of one source (word ranks, no start token, no +3) and its word index."""
    source: str          # "keras", "local" or "synthetic"
    detail: str          # the file's path or a short note
    word_index: dict     # word -> rank, 1 = the most frequent word
    npz_path: Path = None
    arrays: dict = None  # split -> (Ragged, labels) when the reviews are already in memory

    def split(self, name):
        """(raw reviews Ragged, labels) of 'train' or 'test'."""
        if self.arrays is not None:
            return self.arrays[name]
        stat = self.npz_path.stat()
        return read_split(str(self.npz_path), name, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=2)
def read_split(path, name, mtime_ns=None, size=None):
    """(raw reviews, labels) of one split of a Keras-format imdb.npz (cached per file version)."""
    arrays = load_npz(path, [f"x_{name}", f"y_{name}"])
    x, y = arrays[f"x_{name}"], arrays[f"y_{name}"]
    if x.dtype != object or x.ndim != 1 or y.ndim != 1 or len(x) != len(y):
        raise DataError(f"{path}: x_{name} / y_{name} don't have the layout of Keras's imdb.npz")
    try:
        reviews = Ragged.from_lists(x)
    except (TypeError, ValueError, OverflowError) as e:
        raise DataError(f"{path}: x_{name} is not a list of integer lists ({e})") from None
    del x   # the Python lists take far more memory than the flat array
    if reviews.values.min(initial=1) < 1 or not np.isin(y, (0, 1)).all():
        raise DataError(f"{path}: x_{name} or y_{name} holds values Keras's file never has")
    y = np.asarray(y, dtype=np.int64)
    y.flags.writeable = False
    return reviews, y


@lru_cache(maxsize=2)
def read_word_index(path, mtime_ns=None, size=None):
    """The word index JSON (word -> rank) with a check that it is one."""
    try:
        with open(path, encoding="utf-8") as f:
            word_index = json.load(f)
    except (OSError, ValueError) as e:
        raise DataError(f"{path} could not be read as a word index: {e}") from None
    if not isinstance(word_index, dict) or not word_index or not all(
            isinstance(w, str) and type(r) is int and r >= 1 for w, r in word_index.items()):
        raise DataError(f"{path} is not a word index (a JSON object of word: rank)")
    return word_index


def open_corpus(npz_path, word_index_path, source, detail):
    """A corpus from a Keras-format imdb.npz and imdb_word_index.json, read and checked now."""
    for p in (npz_path, word_index_path):
        if not p.is_file():
            raise DataError(f"{p} not found")
    stat = word_index_path.stat()
    corpus = Corpus(source, detail, read_word_index(str(word_index_path), stat.st_mtime_ns, stat.st_size),
                    npz_path=npz_path)
    corpus.split("train")   # read it now, so a broken file is noticed here
    return corpus


def local_corpus(folder, source="local"):
    """The reviews in a folder that holds imdb.npz and imdb_word_index.json (Keras's format)."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder")
    return open_corpus(folder / "imdb.npz", folder / "imdb_word_index.json", source, str(folder))


def synthetic_corpus(note=""):
    """The project's generated reviews (see rnn_core/synthetic.py)."""
    data = synthetic.generate()
    arrays = {name: (Ragged(*data[f"x_{name}"]), data[f"y_{name}"]) for name in ("train", "test")}
    return Corpus("synthetic", note or "synthetic reviews", data["word_index"], arrays=arrays)


def keras_cache_dir():
    """The folder where Keras keeps its datasets, chosen as keras.utils.get_file chooses it."""
    if "KERAS_HOME" in os.environ:
        home = os.environ["KERAS_HOME"]
    else:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    base = os.path.expanduser(home)
    if not os.access(base, os.W_OK):   # also when it doesn't exist yet
        base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    return Path(base) / "datasets"


def file_hash(path, algorithm):
    """The hex digest of a file ('sha256' or 'md5')."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def offline_reason():
    """Why the network won't be used ('' when it may be)."""
    if os.environ.get("IMDB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return "IMDB_OFFLINE is set"
    return "a download already failed" if _network_failed else ""


def _resolves(host, timeout):
    """True if the host name resolves within `timeout` seconds (an offline DNS lookup can hang)."""
    found = []

    def lookup():
        try:
            found.append(bool(socket.getaddrinfo(host, 443)))
        except OSError:
            found.append(False)

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(found and found[0])


def download(url, dest, algorithm, expected):
    """Fetch url into a temporary file; move it to dest only if its hash matches and dest doesn't exist."""
    global _network_failed
    host = urllib.parse.urlsplit(url).hostname
    if not urllib.request.getproxies() and not _resolves(host, TIMEOUT):
        _network_failed = True
        raise DataError(f"{host} can't be reached (no network?)")
    tmp = None
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            shutil.copyfileobj(response, out, 1 << 20)
        if file_hash(tmp, algorithm) != expected:
            raise DataError(f"the download of {url} has the wrong {algorithm}")
        try:
            os.link(tmp, dest)        # atomic, and never replaces a file that is already there
        except FileExistsError:
            pass
        except OSError:               # a file system without hard links
            if not dest.exists():
                os.replace(tmp, dest)
    except Exception as e:
        _network_failed = True
        raise DataError(f"downloading {url} failed: {e}") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.remove(tmp)            # only our own temporary file


def fetch_keras_file(folder, name):
    """Keras's cached copy of `name`, downloaded once if missing; a file with the wrong hash is left alone."""
    algorithm, expected = KERAS_FILES[name]
    path = folder / name
    if not path.exists():
        reason = offline_reason()
        if reason:
            raise DataError(f"{path} not found and no download ({reason})")
        download(ORIGIN + name, path, algorithm, expected)
    if file_hash(path, algorithm) != expected:
        raise DataError(f"{path} is not Keras's file (its {algorithm} differs); it was left as it is")
    return path


def keras_corpus():
    """The reviews from Keras's own download and cache (~/.keras/datasets), as load_data would use them."""
    folder = keras_cache_dir()
    npz, word_index = (fetch_keras_file(folder, name) for name in KERAS_FILES)
    return open_corpus(npz, word_index, "keras", str(npz))


def locate_corpus(data_dir=None):
    """Where the reviews come from, found without reading them: (source, folder or None, note)."""
    if data_dir is not None:
        return "local", Path(data_dir).expanduser(), ""
    notes = []
    try:
        folder = keras_cache_dir()
        for name in KERAS_FILES:
            fetch_keras_file(folder, name)
        return "keras", folder, ""
    except DataError as e:
        notes.append(f"Keras cache: {e}")
    env_dir = os.environ.get("IMDB_DATA_DIR")
    if env_dir:
        folder = Path(env_dir).expanduser()
        if all((folder / name).is_file() for name in KERAS_FILES):
            return "local", folder, ""
        notes.append(f"IMDB_DATA_DIR: {folder} does not hold imdb.npz and imdb_word_index.json")
    return "synthetic", None, "no IMDB file could be used. " + " | ".join(notes)


def find_corpus(data_dir=None):
    """The reviews to use: `data_dir` if given, else Keras's cache, then $IMDB_DATA_DIR, then synthetic."""
    source, folder, note = locate_corpus(data_dir)
    if source == "keras":
        return open_corpus(folder / "imdb.npz", folder / "imdb_word_index.json", "keras", str(folder / "imdb.npz"))
    if source == "local":
        try:
            return local_corpus(folder)
        except DataError as e:
            if data_dir is not None:
                raise   # the caller asked for this folder: its errors are theirs to see
            note = f"no IMDB file could be used. IMDB_DATA_DIR: {e}"
    return synthetic_corpus(note)


# ----------------------------------------------------------------------------- everything together

@dataclass(frozen=True, eq=False)
class ChapterData:
    """The chapter's padded 20,000 / 5,000 split plus what a page needs to explain how it was made."""
    x_train: np.ndarray        # (20000, maxlen) int32, padded cleaned reviews
    y_train: np.ndarray        # (20000,) int64, 1 = positive
    x_val: np.ndarray          # (5000, maxlen) int32
    y_val: np.ndarray          # (5000,) int64
    source: str                # "keras", "local" or "synthetic"
    source_detail: str         # the file's path, or why the synthetic reviews are used
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

    def review(self, i, split="train"):
        """Review i of 'train' or 'val' at each step: raw indices, after dropping, padded, and its label."""
        index, clean, x, y = ((self.train_index, self.train_reviews, self.x_train, self.y_train)
                              if split == "train" else (self.val_index, self.val_reviews, self.x_val, self.y_val))
        return {"raw": self.raw[index[i]], "cleaned": clean[i], "padded": x[i], "label": int(y[i])}


def _read_only(*arrays):
    """Mark arrays read only (the app shares them between users) and give them back."""
    for a in arrays:
        a.flags.writeable = False
    return arrays


def prepare_chapter_data(num_words=100, skip_top=20, maxlen=100, data_dir=None):
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
        source=corpus.source, source_detail=corpus.detail,
        num_words=num_words, skip_top=skip_top, maxlen=maxlen,
        word_index=corpus.word_index, index_to_word=index_to_word(corpus.word_index),
        raw=raw, train_reviews=train, val_reviews=val, train_index=train_index, val_index=val_index,
    )


def index_to_word(word_index):
    """rank -> word, the inverse of the word index."""
    return {r: w for w, r in word_index.items()}

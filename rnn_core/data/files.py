"""Where the IMDB reviews come from: Keras's download and cache, a local folder, or the synthetic corpus.

Plumbing a student can skip: file checks, hashes, the one download attempt and its DNS time-out.
Every failure is a DataError with a reason code (the words are in locales/<lang>/common.toml).
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
from pathlib import Path

import numpy as np

from rnn_core.data import synthetic
from rnn_core.data.npz_safe import DataError, load_npz
from rnn_core.data.ragged import Ragged

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
KERAS_FILES = {   # file -> (hash algorithm, hash) as keras.datasets.imdb checks them
    "imdb.npz": ("sha256", "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"),
    "imdb_word_index.json": ("md5", "bfafd718b763782e994055a2d397834f"),
}
TIMEOUT = 3.0           # seconds to wait for the network before giving up on it
_network_failed = False  # set after the first failed download: the network is tried once per process


@dataclass(frozen=True, eq=False)
class Corpus:
    """The raw reviews of one source (word ranks, no start token, no +3) and its word index."""
    source: str          # "keras", "local" or "synthetic"
    detail: str          # the file's path ("" for the synthetic reviews)
    word_index: dict     # word -> rank, 1 = the most frequent word
    npz_path: Path | None = None
    arrays: dict | None = None  # split -> (Ragged, labels) when the reviews are already in memory
    reasons: tuple = ()  # why no IMDB file was used: (where, DataError) pairs, where = "keras" or "local"

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
        raise DataError("bad_layout", path=path, split=name)
    try:
        reviews = Ragged.from_lists(x)
    except (TypeError, ValueError, OverflowError) as e:
        raise DataError("not_int_lists", path=path, split=name, error=str(e)) from None
    del x   # the Python lists take far more memory than the flat array
    if reviews.values.min(initial=1) < 1 or not np.isin(y, (0, 1)).all():
        raise DataError("bad_values", path=path, split=name)
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
        raise DataError("word_index_unreadable", path=path, error=str(e)) from None
    if not isinstance(word_index, dict) or not word_index or not all(
            isinstance(w, str) and type(r) is int and r >= 1 for w, r in word_index.items()):
        raise DataError("not_word_index", path=path)
    return word_index


def open_corpus(npz_path, word_index_path, source, detail):
    """A corpus from a Keras-format imdb.npz and imdb_word_index.json, read and checked now."""
    for p in (npz_path, word_index_path):
        if not p.is_file():
            raise DataError("not_found", path=str(p))
    stat = word_index_path.stat()
    corpus = Corpus(source, detail, read_word_index(str(word_index_path), stat.st_mtime_ns, stat.st_size),
                    npz_path=npz_path)
    corpus.split("train")   # read it now, so a broken file is noticed here
    return corpus


def local_corpus(folder, source="local"):
    """The reviews in a folder that holds imdb.npz and imdb_word_index.json (Keras's format)."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise DataError("not_folder", path=str(folder))
    return open_corpus(folder / "imdb.npz", folder / "imdb_word_index.json", source, str(folder))


def synthetic_corpus(reasons=()):
    """The project's generated reviews (see rnn_core/data/synthetic.py)."""
    data = synthetic.generate()
    arrays = {name: (Ragged(*data[f"x_{name}"]), data[f"y_{name}"]) for name in ("train", "test")}
    return Corpus("synthetic", "", data["word_index"], arrays=arrays, reasons=tuple(reasons))


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
    """Why the network won't be used, as a reason code ('' when it may be)."""
    if os.environ.get("IMDB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return "offline_set"
    return "offline_failed" if _network_failed else ""


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
        raise DataError("no_network", host=host)
    tmp = None
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            shutil.copyfileobj(response, out, 1 << 20)
        if file_hash(tmp, algorithm) != expected:
            raise DataError("download_hash", url=url, algorithm=algorithm)
        try:
            os.link(tmp, dest)        # atomic, and never replaces a file that is already there
        except FileExistsError:
            pass
        except OSError:               # a file system without hard links
            if not dest.exists():
                os.replace(tmp, dest)
    except DataError:
        _network_failed = True
        raise
    except Exception as e:
        _network_failed = True
        raise DataError("download_failed", url=url, error=str(e)) from None
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
            raise DataError(reason, path=str(path))
        download(ORIGIN + name, path, algorithm, expected)
    if file_hash(path, algorithm) != expected:
        raise DataError("wrong_hash", path=str(path), algorithm=algorithm)
    return path


def locate_corpus(data_dir=None):
    """Where the reviews come from, found without reading them: (source, folder or None, reasons)."""
    if data_dir is not None:
        return "local", Path(data_dir).expanduser(), ()
    reasons = []
    try:
        folder = keras_cache_dir()
        for name in KERAS_FILES:
            fetch_keras_file(folder, name)
        return "keras", folder, ()
    except DataError as e:
        reasons.append(("keras", e))
    env_dir = os.environ.get("IMDB_DATA_DIR")
    if env_dir:
        folder = Path(env_dir).expanduser()
        if all((folder / name).is_file() for name in KERAS_FILES):
            return "local", folder, ()
        reasons.append(("local", DataError("folder_incomplete", path=str(folder))))
    return "synthetic", None, tuple(reasons)


def find_corpus(data_dir=None):
    """The reviews to use: `data_dir` if given, else Keras's cache, then $IMDB_DATA_DIR, then synthetic."""
    source, folder, reasons = locate_corpus(data_dir)
    if source == "keras":
        return open_corpus(folder / "imdb.npz", folder / "imdb_word_index.json", "keras", str(folder / "imdb.npz"))
    if source == "local":
        try:
            return local_corpus(folder)
        except DataError as e:
            if data_dir is not None:
                raise   # the caller asked for this folder: its errors are theirs to see
            reasons = (("local", e),)
    return synthetic_corpus(reasons)

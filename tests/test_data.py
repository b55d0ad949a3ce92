"""rnn_core.data.imdb against Keras's own IMDB functions, the published facts and the failure cases."""
import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from rnn_core.data import files, imdb, synthetic
from rnn_core.data.imdb import (
    Ragged,
    chapter_split,
    decode,
    drop_special,
    encode,
    load_reviews,
    pad_sequences,
    prepare_chapter_data,
    same_reviews,
)
from rnn_core.data.npz_safe import DataError, load_npz

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"   # the shared folder beside the repo
needs_real = pytest.mark.skipif(not (SHARED / "imdb.npz").is_file(), reason=f"no IMDB data in {SHARED}")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No test may use the network."""
    monkeypatch.setenv("IMDB_OFFLINE", "1")


@pytest.fixture
def no_sources(tmp_path, monkeypatch):
    """An empty Keras home and no IMDB_DATA_DIR, so nothing real is found."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    (tmp_path / "keras_home").mkdir()
    monkeypatch.delenv("IMDB_DATA_DIR", raising=False)
    return tmp_path


@pytest.fixture(scope="module")
def corpus():
    if not (SHARED / "imdb.npz").is_file():
        pytest.skip(f"no IMDB data in {SHARED}")
    return files.local_corpus(SHARED)


@pytest.fixture(scope="module")
def chapter(corpus):
    return prepare_chapter_data(num_words=100, skip_top=20, maxlen=100, data_dir=SHARED)


@pytest.fixture(scope="module", params=[(100, 20), (1000, 20)], ids=["100-20", "1000-20"])
def keras_ref(request, corpus):
    """Keras's load_data on the shared file: (num_words, skip_top, x_train, y_train)."""
    keras = pytest.importorskip("keras")
    from unittest import mock

    from keras.src.datasets import imdb as keras_imdb
    num_words, skip_top = request.param
    with mock.patch.object(keras_imdb, "get_file", lambda *a, **k: str(SHARED / "imdb.npz")):
        (x_train, y_train), _ = keras.datasets.imdb.load_data(num_words=num_words, skip_top=skip_top)
    return num_words, skip_top, x_train, y_train


# ----------------------------------------------------------------------------- against Keras

def test_load_reviews_matches_keras(keras_ref, corpus):
    num_words, skip_top, x_keras, y_keras = keras_ref
    reviews, labels = load_reviews(corpus, num_words, skip_top)
    assert len(reviews) == len(x_keras) == 25_000
    assert all(reviews[i].tolist() == x_keras[i] for i in range(len(x_keras)))
    assert np.array_equal(labels, y_keras)


def test_chapter_steps_match_textbook_code(keras_ref, chapter):
    """The textbook's own steps on Keras's output: drop <= 2, seed-42 permutation, Keras padding."""
    from keras.utils import pad_sequences as keras_pad
    num_words, skip_top, x_keras, y_keras = keras_ref
    cleaned = [[w for w in x if w > 2] for x in x_keras]
    state = np.random.get_state()
    np.random.seed(42)
    index = np.random.permutation(25000)
    np.random.set_state(state)
    train, val = index[:20000], index[20000:]
    d = chapter if (num_words, skip_top) == (100, 20) else prepare_chapter_data(num_words, skip_top, 100, SHARED)
    assert d.source == "local" and d.source_detail == str(SHARED)
    assert np.array_equal(d.train_index, train) and np.array_equal(d.val_index, val)
    assert d.train_reviews.tolist() == [cleaned[i] for i in train]
    assert d.val_reviews.tolist() == [cleaned[i] for i in val]
    assert np.array_equal(d.x_train, keras_pad([cleaned[i] for i in train], maxlen=100))
    assert np.array_equal(d.x_val, keras_pad([cleaned[i] for i in val], maxlen=100))
    assert np.array_equal(d.y_train, y_keras[train]) and np.array_equal(d.y_val, y_keras[val])
    assert d.x_train.dtype == np.int32 and d.x_train.shape == (20000, 100) and d.x_val.shape == (5000, 100)


def test_padding_matches_keras(keras_ref):
    from keras.utils import pad_sequences as keras_pad
    cleaned = [[w for w in x if w > 2] for x in keras_ref[2]]
    longest = max(map(len, cleaned))
    for maxlen in (1, 37, 100, longest + 50, None):
        ours = pad_sequences(Ragged.from_lists(cleaned), maxlen)
        theirs = keras_pad(cleaned, maxlen=maxlen)
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs), maxlen


def test_padding_small_cases_match_keras():
    keras_pad = pytest.importorskip("keras").utils.pad_sequences
    seqs = [[], [5], [1, 2, 3], [4, 5, 6, 7, 8], [9, 9]]
    for maxlen in (1, 2, 3, 6, None):
        assert np.array_equal(pad_sequences(seqs, maxlen), keras_pad(seqs, maxlen=maxlen)), maxlen


def test_encode_gives_keras_indices_for_the_review_text(keras_ref, corpus):
    """Write a review out as text, encode it, and get Keras's indices back (without the start token)."""
    num_words, skip_top, x_keras, _ = keras_ref
    raw, _ = load_reviews(corpus, num_words=10**9)  # every word kept: rank + 3
    words = imdb.index_to_word(corpus.word_index)
    for i in range(300):
        text = " ".join(words[j - 3] for j in raw[i][1:])
        indices, tokens, oov = encode(text, corpus.word_index, num_words, skip_top)
        assert indices.tolist() == x_keras[i][1:]
        assert np.array_equal(oov, indices == 2) and len(tokens) == len(indices)


def test_split_is_the_global_seed_42_permutation():
    state = np.random.get_state()
    np.random.seed(42)
    expected = np.random.permutation(25000)
    np.random.set_state(state)
    train, val = chapter_split(25000)
    assert np.array_equal(np.concatenate([train, val]), expected) and len(train) == 20000


# ----------------------------------------------------------------------------- published facts (README)

def test_published_facts(chapter):
    keras_order = drop_special(chapter.raw)             # x_train[i] after dropping <= 2, before the split
    assert len(keras_order[0]) == 59 and len(keras_order[1]) == 32
    y_keras_order = np.empty(25000, dtype=np.int64)
    y_keras_order[chapter.train_index], y_keras_order[chapter.val_index] = chapter.y_train, chapter.y_val
    assert y_keras_order[:10].tolist() == [1, 0, 0, 1, 0, 0, 1, 0, 1, 0]
    assert chapter.raw[0][0] == 2                       # the start token 1 < skip_top becomes 2, as in Keras


def test_decode_first_reviews(corpus):
    words = imdb.index_to_word(corpus.word_index)
    train, _ = load_reviews(corpus)
    assert " ".join(decode(train[0], words)).startswith("<start> this film was just brilliant")
    assert len(train[0]) == 218
    test, _ = load_reviews(corpus, split="test")
    assert " ".join(decode(drop_special(test)[0], words)).startswith("please give this one a miss br br kristy swanson")
    assert decode([0, 1, 2, 4], words) == ["<pad>", "<start>", "<oov>", "the"]


def test_chapter_data_is_read_only_and_consistent(chapter):
    with pytest.raises(ValueError):
        chapter.x_train[0, 0] = 5
    with pytest.raises(ValueError):
        chapter.raw.values[0] = 5
    raw, cleaned = chapter.raw[chapter.val_index[3]].tolist(), chapter.val_reviews[3].tolist()
    assert cleaned == [w for w in raw if w > 2]
    assert chapter.x_val[3].tolist() == ([0] * 100 + cleaned)[-100:]     # zeros in front, the end kept
    assert sorted(np.concatenate([chapter.train_index, chapter.val_index]).tolist()) == list(range(25000))
    assert chapter.x_train.max() < 100 and chapter.x_train[chapter.x_train > 0].min() >= 20
    n_cleaned = chapter.train_reviews.lengths.sum() + chapter.val_reviews.lengths.sum()
    assert n_cleaned == len(drop_special(chapter.raw).values)


# ----------------------------------------------------------------------------- encoding user text

def test_encode_tokenises_like_the_file():
    word_index = {"the": 1, "movie": 17, "br": 4, "don't": 80, "not": 18, "good": 46, "caf\u00e9": 500}
    indices, tokens, oov = encode("The MOVIE<br />don't...not GOOD!! Caf\u00c9 caf\u00e9", word_index, 100, 20)
    assert tokens == ["the", "movie", "br", "don't", "not", "good", "caf\u00c9", "caf\u00e9"]
    #                  skipped  kept    skipped kept    kept   kept   unknown    beyond num_words
    assert indices.tolist() == [2, 20, 2, 83, 21, 49, 2, 2]
    assert oov.tolist() == [True, False, True, False, False, False, True, True]
    assert encode("", word_index)[0].shape == (0,)


def test_encode_is_safe_on_long_odd_text():
    word_index = {"good": 46, "br": 4}
    text = ("\U0001F600 \uc601\ud654\uac00 \uc88b\uc544\uc694 <b>good</b> <script>x</script> \x00\r " * 3000)
    assert len(text) > 100_000
    indices, tokens, oov = encode(text, word_index, 100, 0)
    assert len(indices) == len(tokens) == len(oov) > 0
    assert indices.dtype == np.int32 and set(indices.tolist()) <= {2, 49}
    assert "\uc601\ud654\uac00" in tokens and "good" in tokens


# ----------------------------------------------------------------------------- no Keras / TensorFlow in the app's path

# ----------------------------------------------------------------------------- sources and failures

def test_synthetic_source_when_nothing_else(no_sources):
    d = prepare_chapter_data()
    assert d.source == "synthetic" and [(w, e.code) for w, e in d.source_reasons] == [("keras", "offline_set")]
    assert d.x_train.shape == (20000, 100) and d.x_val.shape == (5000, 100) and d.x_train.dtype == np.int32
    assert d.y_train.shape == (20000,) and d.y_val.shape == (5000,)
    labels = np.concatenate([d.y_train, d.y_val])
    assert labels.sum() == 12500 and set(labels.tolist()) == {0, 1}
    kept = {d.index_to_word[i - 3] for i in np.unique(d.x_train) if i > 2}
    assert {"not", *synthetic.POSITIVE, *synthetic.NEGATIVE} <= kept
    assert not kept & set(synthetic.STOP)


def test_synthetic_word_index_is_ranked_by_training_counts():
    corpus = synthetic.generate()
    words = synthetic.vocabulary()
    assert len(words) == len(set(words)) == len(corpus["word_index"])
    counts = np.bincount(corpus["x_train"][0], minlength=len(words) + 1)[1:]    # (V,) count of rank 1, 2, ...
    assert counts.min() > 0 and np.all(np.diff(counts) <= 0)
    assert len(corpus["x_test"][1]) == len(corpus["x_train"][1]) == 25001 and corpus["y_test"].sum() == 12500


def _synthetic_digest():
    """sha256 of every array and the word index of the synthetic corpus."""
    c, h = synthetic.generate(), hashlib.sha256()
    for k in ("x_train", "y_train", "x_test", "y_test"):
        for a in c[k] if isinstance(c[k], tuple) else (c[k],):
            h.update(a.tobytes())
    h.update(repr(sorted(c["word_index"].items())).encode())
    return h.hexdigest()


def test_synthetic_is_bit_identical_across_runs():
    code = "from tests.test_data import _synthetic_digest; print(_synthetic_digest())"
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                         capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == _synthetic_digest(), run.stderr


def _logistic_accuracy(f_train, y_train, f_val, y_val, steps=300, lr=0.5):
    """Plain-NumPy logistic regression by gradient descent on standardised features; validation accuracy."""
    mu, sd = f_train.mean(0), f_train.std(0) + 1e-9
    a, b = (f_train - mu) / sd, (f_val - mu) / sd
    w, c = np.zeros(a.shape[1]), 0.0
    for _ in range(steps):   # einsum, not @: threaded BLAS crawls on a busy 2-core machine
        err = 1 / (1 + np.exp(-(np.einsum("ij,j->i", a, w) + c))) - y_train
        w -= lr * np.einsum("ij,i->j", a, err) / len(err)
        c -= lr * err.mean()
    return np.mean((np.einsum("ij,j->i", b, w) + c > 0) == y_val)


def test_synthetic_sentiment_needs_word_order(no_sources):
    """Word counts alone stay clearly below counts that know which word follows "not"."""
    d = prepare_chapter_data()
    not_index = d.word_index["not"] + 3

    def counts(x, order_aware):                         # (m, 100) or (m, 200) token counts
        m, n = len(x), 200 if order_aware else 100
        after_not = np.concatenate([np.zeros((m, 1), bool), x[:, :-1] == not_index], axis=1)
        token = x + 100 * (after_not & order_aware)
        f = np.bincount((np.arange(m)[:, None] * n + token).ravel(), minlength=m * n).reshape(m, n)
        f[:, 0] = 0                                     # padding
        return f.astype(float)

    x, y = d.x_train[:8000], d.y_train[:8000]          # enough to show the gap, and quick
    bag = _logistic_accuracy(counts(x, False), y, counts(d.x_val, False), d.y_val)
    ordered = _logistic_accuracy(counts(x, True), y, counts(d.x_val, True), d.y_val)
    assert bag < 0.85 and ordered > 0.95 and ordered - bag > 0.15, (bag, ordered)


def _write_imdb_like(folder, x_train):
    folder.mkdir(exist_ok=True)
    np.savez(folder / "imdb.npz", x_train=x_train, y_train=np.zeros(len(x_train), np.int64),
             x_test=x_train, y_test=np.zeros(len(x_train), np.int64))
    (folder / "imdb_word_index.json").write_text(json.dumps({"the": 1}))


def test_corrupt_and_missing_files_raise_data_error(tmp_path):
    with pytest.raises(DataError, match="not_folder"):
        prepare_chapter_data(data_dir=tmp_path / "nowhere")
    (tmp_path / "imdb.npz").write_bytes(os.urandom(4096))
    with pytest.raises(DataError, match="not_found.*imdb_word_index.json"):
        prepare_chapter_data(data_dir=tmp_path)
    (tmp_path / "imdb_word_index.json").write_text(json.dumps({"the": 1}))
    with pytest.raises(DataError, match="npz_not_zip"):
        prepare_chapter_data(data_dir=tmp_path)
    (tmp_path / "imdb_word_index.json").write_text("{not json")
    with pytest.raises(DataError, match="word_index_unreadable"):
        files.local_corpus(tmp_path)
    bad = tmp_path / "wrong"
    _write_imdb_like(bad, np.array([[1.5, "x"], [2, 3]], dtype=object))
    with pytest.raises(DataError, match="bad_layout|not_int_lists"):
        files.local_corpus(bad)


class _Exploit:
    """Unpickling this runs a shell command (what a hostile imdb.npz could do with allow_pickle=True)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_malicious_pickle_is_refused_without_running(tmp_path):
    marker = tmp_path / "pwned"
    reviews = np.empty(2, dtype=object)
    reviews[0], reviews[1] = [1, 2, 3], _Exploit(marker)
    _write_imdb_like(tmp_path / "evil", reviews)
    with pytest.raises(DataError, match="npz_unsafe.*not allowed"):
        prepare_chapter_data(data_dir=tmp_path / "evil")
    with pytest.raises(DataError, match="system"):
        load_npz(tmp_path / "evil" / "imdb.npz", ["x_train"])
    assert not marker.exists()


def test_broken_imdb_data_dir_falls_back_with_a_note(no_sources, monkeypatch):
    (no_sources / "imdb.npz").write_bytes(b"garbage")
    (no_sources / "imdb_word_index.json").write_text("{}")
    monkeypatch.setenv("IMDB_DATA_DIR", str(no_sources))
    d = prepare_chapter_data()
    assert d.source == "synthetic" and [(w, e.code) for w, e in d.source_reasons] == [("local", "not_word_index")]


@needs_real
def test_imdb_data_dir_is_used(no_sources, monkeypatch):
    monkeypatch.setenv("IMDB_DATA_DIR", str(SHARED))
    assert prepare_chapter_data().source == "local"


@needs_real
def test_keras_cache_comes_first(no_sources, monkeypatch):
    """A hash-checked file in Keras's cache wins over IMDB_DATA_DIR; the shared word index is Keras's own (md5)."""
    cache = no_sources / "keras_home" / "datasets"
    cache.mkdir()
    for name in files.KERAS_FILES:
        (cache / name).symlink_to(SHARED / name)
    shared_sha256 = "00be43ba31836d3fd55dbab238de439707f27703aa7efec2f8f5e57cc09f9fd7"   # from the data README
    monkeypatch.setitem(files.KERAS_FILES, "imdb.npz", ("sha256", shared_sha256))
    monkeypatch.setenv("IMDB_DATA_DIR", str(SHARED))
    d = prepare_chapter_data()
    assert d.source == "keras" and d.source_detail == str(cache / "imdb.npz")


@pytest.fixture
def direct_network(monkeypatch):
    """Let urllib reach 127.0.0.1 directly, whatever proxies the machine has."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("IMDB_OFFLINE", "0")
    monkeypatch.setattr(files, "_network_failed", False)


def test_offline_fallback_keeps_a_wrong_cache_file(no_sources, direct_network, monkeypatch):
    """A cached imdb.npz with the wrong hash is neither used, deleted nor replaced, even with the network on."""
    cache = no_sources / "keras_home" / "datasets"
    cache.mkdir()
    (cache / "imdb.npz").write_bytes(b"not keras's file")
    monkeypatch.setattr(files, "ORIGIN", "http://127.0.0.1:9/")     # nothing listens there
    d = prepare_chapter_data()
    assert d.source == "synthetic" and [(w, e.code) for w, e in d.source_reasons] == [("keras", "wrong_hash")]
    assert (cache / "imdb.npz").read_bytes() == b"not keras's file"
    assert sorted(p.name for p in cache.iterdir()) == ["imdb.npz"]


def test_failed_download_is_tried_once(no_sources, direct_network, monkeypatch):
    monkeypatch.setattr(files, "ORIGIN", "http://127.0.0.1:9/")
    assert prepare_chapter_data().source == "synthetic"
    assert files._network_failed

    def no_network(*args, **kwargs):
        raise AssertionError("the network was tried again")

    monkeypatch.setattr(files.urllib.request, "urlopen", no_network)
    d = prepare_chapter_data()
    assert d.source == "synthetic" and [(w, e.code) for w, e in d.source_reasons] == [("keras", "offline_failed")]
    assert not any((no_sources / "keras_home").rglob("*.part"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_download_keeps_only_a_verified_file(tmp_path, direct_network, monkeypatch):
    served = tmp_path / "served"
    served.mkdir()
    (served / "imdb.npz").write_bytes(b"pretend reviews")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setattr(files, "ORIGIN", f"http://127.0.0.1:{server.server_address[1]}/")
        good = hashlib.sha256(b"pretend reviews").hexdigest()
        cache = tmp_path / "cache"

        monkeypatch.setitem(files.KERAS_FILES, "imdb.npz", ("sha256", "0" * 64))
        with pytest.raises(DataError, match="download_hash.*sha256"):
            files.fetch_keras_file(cache, "imdb.npz")
        assert list(cache.iterdir()) == []              # no file, no leftover temporary file

        monkeypatch.setattr(files, "_network_failed", False)
        monkeypatch.setitem(files.KERAS_FILES, "imdb.npz", ("sha256", good))
        assert files.fetch_keras_file(cache, "imdb.npz").read_bytes() == b"pretend reviews"
        assert [p.name for p in cache.iterdir()] == ["imdb.npz"]
    finally:
        server.shutdown()
        server.server_close()


def test_keras_cache_dir_follows_keras(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert files.keras_cache_dir() == tmp_path / "datasets"
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "missing"))   # not writable (absent): Keras uses /tmp/.keras
    assert files.keras_cache_dir() == Path("/tmp/.keras/datasets")
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".keras").mkdir()
    assert files.keras_cache_dir() == tmp_path / ".keras" / "datasets"


# ----------------------------------------------------------------------------- the same reviews, whatever the source

@pytest.mark.parametrize("run_source, source, same", [
    ("local", "keras", True),        # the shipped runs on Community Cloud: the same IMDB file
    ("keras", "local", True),
    ("local", "local", True),
    ("synthetic", "synthetic", True),
    ("synthetic", "keras", False),
    ("local", "synthetic", False),
    ("keras", "synthetic", False),
    ("", "synthetic", True),         # a run that doesn't say where its data came from
])
def test_same_reviews(run_source, source, same):
    assert same_reviews(run_source, source) is same


def test_data_error_keeps_its_code_and_parameters_through_pickling():
    import pickle
    e = pickle.loads(pickle.dumps(DataError("not_found", path="/x/imdb.npz")))
    assert e.code == "not_found" and e.params == {"path": "/x/imdb.npz"} and "not_found" in str(e)

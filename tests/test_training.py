"""Chunked training, the training slots, exports and charts, checked against independent references."""
import csv
import io
from types import SimpleNamespace

import numpy as np
import pytest

from rnn_core.charts import theme
from rnn_core.charts import training as charts
from rnn_core.config import CHAPTER
from rnn_core.jobs import export, runs, slots, training
from rnn_core.model.numpy_rnn import WEIGHT_NAMES, RecurrentNetwork
from ui import i18n

N_F, T = 30, 12

LABELS = theme.labels(i18n.table("en", "train_numpy"), "chart")     # as the page passes them


def fake_data(n=160, n_val=64, seed=0):
    """Random token reviews (what ChapterData offers the trainer), label = is token 5 among the last 4 words."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, N_F, (n + n_val, T)).astype(np.int32)
    y = (x[:, -4:] == 5).any(axis=1).astype(np.int64)
    return SimpleNamespace(x_train=x[:n], y_train=y[:n], x_val=x[n:], y_val=y[n:], num_words=N_F, skip_top=0,
                           maxlen=T, source="synthetic")


def config(**kw):
    small = dict(n_cells=8, batch_size=16, learning_rate=0.1, epochs=3, truncation=5, num_words=N_F, maxlen=T,
                 n_train=160)
    return {**CHAPTER.numpy_run(), **small, **kw}


def reference_fit(data, c):
    """One uninterrupted fit of the model with the same settings."""
    model = RecurrentNetwork(n_cells=c["n_cells"], batch_size=c["batch_size"], learning_rate=c["learning_rate"],
                             truncation=c["truncation"], textbook_backprop=c["textbook_backprop"], seed=c["seed"])
    return model.fit(data.x_train, data.y_train, epochs=c["epochs"], n_features=data.num_words)


def plain_output(w, tokens):
    """Z2 of one review with a plain loop over its steps (the textbook's forward pass, one sample at a time)."""
    h = np.zeros(w["w1h"].shape[0])
    for tok in tokens:
        h = np.tanh(w["w1x"][tok] + h @ w["w1h"] + w["b1"])
    return float(h @ w["w2"][:, 0] + w["b2"][0])


def run_to_end(job, **kw):
    while not job.done:
        job.advance(**kw)
    return job


# ---------------------------------------------------------------- chunked training

@pytest.mark.parametrize("chunk", [1, 3, 7, 1000])
def test_chunks_give_the_same_weights_as_one_fit(chunk):
    data, c = fake_data(), config()
    job = run_to_end(training.NumpyTraining(c, data), max_batches=chunk)
    ref = reference_fit(data, c)
    assert job.state == "finished" and job.epochs == 3
    for name, w in zip(WEIGHT_NAMES, ref.get_weights()):
        assert np.array_equal(job.weights[name], w), name          # bit for bit
    assert job.history["loss"] == ref.losses


def test_the_textbook_gradient_is_used_when_asked():
    data = fake_data()
    right = run_to_end(training.NumpyTraining(config(epochs=1), data), max_batches=100)
    book = run_to_end(training.NumpyTraining(config(epochs=1, textbook_backprop=True), data), max_batches=100)
    ref = reference_fit(data, config(epochs=1, textbook_backprop=True))
    assert book.model.textbook_backprop and np.array_equal(book.weights["w1h"], ref.w1h)
    assert not np.array_equal(book.weights["w1h"], right.weights["w1h"])


def test_a_stopped_run_keeps_its_finished_epochs():
    data, c = fake_data(), config(epochs=5)
    job = training.NumpyTraining(c, data)
    while job.epochs < 2:
        job.advance(max_batches=1)
    job.advance(max_batches=3)                                      # into epoch 3
    job.stop()
    assert job.state == "stopped" and job.done
    assert job.epochs == 2 and len(job.history["val_loss"]) == 2 == len(job.history["val_accuracy"])
    ref = reference_fit(data, dict(c, epochs=2))                    # the weights are those after epoch 2
    for name, w in zip(WEIGHT_NAMES, ref.get_weights()):
        assert np.array_equal(job.weights[name], w), name
    run = job.to_run("numpy-1")
    assert (run.kind, run.status, run.epochs) == ("numpy", "stopped", 2)
    assert job.advance(max_batches=5) == 0                          # a stopped run stays stopped


def test_validation_numbers_match_a_plain_loop():
    data, c = fake_data(), config(epochs=2)
    job = run_to_end(training.NumpyTraining(c, data), max_batches=4)
    w = {k: v.astype(np.float64) for k, v in job.weights.items()}
    z = np.array([plain_output(w, seq) for seq in data.x_val])
    a = np.clip(1 / (1 + np.exp(-z)), 1e-7, 1 - 1e-7)
    y = data.y_val
    loss = np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a)))
    assert job.history["val_loss"][-1] == pytest.approx(loss, rel=1e-5)
    assert job.history["val_accuracy"][-1] == pytest.approx(np.mean((z > 0) == y), abs=1.5 / len(y))


def test_time_left_follows_the_pace():
    data, c = fake_data(), config()
    job = training.NumpyTraining(c, data)
    assert job.time_left is None
    ticks = iter(np.arange(0, 1000, 0.5))                           # a clock that moves 0.5 s a reading
    job.advance(max_batches=6, clock=lambda: float(next(ticks)))
    f = job.fraction
    assert f == pytest.approx(6 / (3 * 10))                         # 160 reviews / 16 = 10 batches an epoch
    assert job.time_left == pytest.approx(job.seconds * (1 - f) / f)


def test_a_huge_learning_rate_diverges_with_finished_epochs_kept():
    data, c = fake_data(n=640), config(learning_rate=0.1, epochs=4)
    job = training.NumpyTraining(c, data)
    while job.epochs < 1:
        job.advance(max_batches=1)
    job.model.lr = 100.0                                            # blow it up from epoch 2 on
    run_to_end(job, max_batches=5)
    assert job.state == "diverged"
    assert job.diverged_loss > training.DIVERGED_LOSS
    assert job.epochs >= 1 and all(np.isfinite(w).all() for w in job.weights.values())


def test_learning_rate_10_on_the_chapter_model_diverges():
    data = fake_data(n=640)
    job = run_to_end(training.NumpyTraining(config(learning_rate=10.0, n_train=640), data), max_batches=50)
    assert job.state == "diverged" and job.epochs == 0


# ---------------------------------------------------------------- slots

def test_slots_limit_and_release():
    pool = slots.Slots()
    assert pool.acquire("a", 2) and pool.acquire("b", 2)
    assert not pool.acquire("c", 2)
    assert pool.acquire("a", 2)                                     # a holder renews
    pool.release("a")
    assert pool.acquire("c", 2) and pool.running() == 2


def test_slots_first_come_first_served():
    pool = slots.Slots()
    pool.acquire("a", 1)
    assert not pool.acquire("b", 1) and not pool.acquire("c", 1)
    assert (pool.position("b"), pool.position("c")) == (1, 2)
    pool.release("a")
    assert not pool.acquire("c", 1)                                 # b asked first
    assert pool.acquire("b", 1)


def test_slots_expire_when_a_session_vanishes():
    now = [0.0]
    pool = slots.Slots(lease_seconds=30, clock=lambda: now[0])
    pool.acquire("a", 1)
    now[0] = 20
    assert pool.acquire("a", 1)                                     # renewed at t = 20: lives until 50
    now[0] = 45
    assert not pool.acquire("b", 1)
    now[0] = 50.5                                                   # a has not come back
    assert pool.acquire("b", 1) and pool.running() == 1
    pool.acquire("c", 1)                                            # c queues, then vanishes
    now[0] = 200
    assert pool.acquire("d", 1) and pool.position("c") == 0


def test_max_trainings_setting(monkeypatch):
    monkeypatch.delenv("RNN_MAX_TRAININGS", raising=False)
    assert slots.max_trainings() == 2
    assert slots.max_trainings(secret=5) == 5
    assert slots.max_trainings(secret="oops") == 2
    monkeypatch.setenv("RNN_MAX_TRAININGS", "3")
    assert slots.max_trainings(secret=5) == 3                       # the environment wins
    monkeypatch.setenv("RNN_MAX_TRAININGS", "0")
    assert slots.max_trainings() == 1
    monkeypatch.setenv("RNN_MAX_TRAININGS", "9999")
    assert slots.max_trainings() == slots.MAX_LIMIT


# ---------------------------------------------------------------- metrics and exports

def test_confusion_matrix_counts_like_a_loop():
    rng = np.random.default_rng(3)
    y, said = rng.integers(0, 2, 500), rng.random((500, 1)) > 0.4
    counts = np.zeros((2, 2), dtype=int)
    for truth, guess in zip(y, said[:, 0]):
        counts[int(truth), int(guess)] += 1
    assert np.array_equal(training.confusion_matrix(y, said), counts)


def test_weights_npz_has_plain_arrays():
    job = run_to_end(training.NumpyTraining(config(epochs=1), fake_data()), max_batches=100)
    with np.load(io.BytesIO(export.weights_npz(job.weights)), allow_pickle=False) as f:
        assert sorted(f.files) == sorted(WEIGHT_NAMES)
        for name in f.files:
            assert f[name].dtype == job.weights[name].dtype != object
            assert np.array_equal(f[name], job.weights[name])
    assert job.weights["w1x"].shape == (N_F, 8) and job.weights["w2"].shape == (8, 1)
    assert job.weights["b1"].shape == (8,) and job.weights["b2"].shape == (1,)


def test_history_csv_reads_back():
    job = run_to_end(training.NumpyTraining(config(), fake_data()), max_batches=100)
    rows = list(csv.DictReader(io.StringIO(export.history_csv(job.history).decode("utf-8"))))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    for key, values in job.history.items():
        assert [float(r[key]) for r in rows] == values, key


def test_examples_match_the_plain_forward_pass():
    data = fake_data()
    job = run_to_end(training.NumpyTraining(config(), data), max_batches=100)
    model = RecurrentNetwork.from_weights(job.weights)
    w = {k: v.astype(np.float64) for k, v in job.weights.items()}
    for row in training.example_rows(model, data.x_val, data.y_val, n=5):
        z = plain_output(w, data.x_val[row["index"]])
        assert row["proba"] == pytest.approx(1 / (1 + np.exp(-z)), rel=1e-4)
        assert row["label"] == data.y_val[row["index"]]


def test_evaluate_counts_and_decodes_like_a_plain_loop():
    data = fake_data()
    data.index_to_word = {i: f"w{i}" for i in range(N_F)}            # rank -> word
    job = run_to_end(training.NumpyTraining(config(), data), max_batches=100)
    matrix, rows = training.evaluate(job.weights, data, n_examples=4)
    w = {k: v.astype(np.float64) for k, v in job.weights.items()}
    said = np.array([plain_output(w, seq) > 0 for seq in data.x_val])
    assert matrix.sum() == len(data.y_val) and matrix[1, 1] == np.sum(said & (data.y_val == 1))
    assert matrix[0, 1] == np.sum(said & (data.y_val == 0))
    for row in rows:
        seq = data.x_val[row["index"]]
        words = ["<start>" if i == 1 else "<oov>" if i == 2 else f"w{i - 3}" for i in seq if i != 0]
        assert row["words"] == " ".join(words)
    assert job.results()["matrix"].tolist() == matrix.tolist()


# ---------------------------------------------------------------- charts

def test_charts_build():
    job = run_to_end(training.NumpyTraining(config(), fake_data()), max_batches=100)
    history, names = job.history, LABELS
    for chart in (charts.learning_curves(history, names), charts.learning_curves(history, names, big=True),
                  charts.accuracy_chart(history, {"notebook": 0.6816}, names),
                  charts.confusion_chart(np.array([[3, 1], [2, 4]]), names)):
        assert chart.to_dict()["$schema"]
    spec = str(charts.accuracy_chart(history, {"notebook": 0.6816, "lecture": 0.7002}, names).to_dict())
    assert "0.6816" in spec and "0.7002" in spec


def test_runs_chart_draws_every_run():
    job = run_to_end(training.NumpyTraining(config(), fake_data()), max_batches=100)
    many = [job.to_run("numpy-1"), job.to_run("numpy-2"),
            runs.Run("keras-a", "keras_a", {}, {"loss": [0.7, 0.6], "val_loss": [0.69, 0.65]})]
    histories = [(r.name, r.history) for r in many]
    df = charts.runs_frame(histories)
    assert set(df["run"]) == {"numpy-1", "numpy-2", "keras-a"}
    assert len(df) == 2 * 3 * 3 + 2 * 2
    for metric, drawn in (("loss", {"numpy-1", "numpy-2", "keras-a"}), ("val_accuracy", {"numpy-1", "numpy-2"})):
        spec = charts.runs_chart(histories, LABELS, metric, big=True).to_dict()
        assert {row["run"] for row in next(iter(spec["datasets"].values()))} == drawn


# ---------------------------------------------------------------- the shipped run

def test_the_shipped_run_is_the_chapters_and_its_weights_give_its_accuracy(shared_data_dir):
    saved = [r for r in runs.saved_runs() if r.name == "numpy_chapter"]
    assert saved, "run scripts/save_numpy_run.py"
    run = saved[0]
    c = run.config
    assert (run.kind, run.status, run.epochs, run.data_source) == ("numpy", "finished", 20, "local")
    for key in ("n_cells", "batch_size", "learning_rate", "epochs", "truncation", "num_words", "skip_top",
                "maxlen", "n_train"):
        assert c[key] == CHAPTER.numpy_run()[key], key
    shapes = {k: v.shape for k, v in run.weights.items()}
    assert shapes == {"w1x": (100, 32), "w1h": (32, 32), "b1": (32,), "w2": (32, 1), "b2": (1,)}
    assert 0.6 < run.history["val_accuracy"][-1] < 0.75             # the book: 0.6816, the lecture notes: 0.7002
    from rnn_core.data.imdb import prepare_chapter_data
    data = prepare_chapter_data(data_dir=shared_data_dir)
    model = RecurrentNetwork.from_weights(run.weights)
    assert model.score(data.x_val, data.y_val) == pytest.approx(run.history["val_accuracy"][-1], abs=2 / 5000)

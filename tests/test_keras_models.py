"""Keras models A, B, C: parameter formulas vs Keras's count_params, one-hot inside vs to_categorical,
NumPy <-> Keras weight transfer vs each other's predictions, chunked training vs one plain model.fit."""
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from rnn_core.config import CHAPTER  # noqa: E402
from rnn_core.jobs import runs  # noqa: E402
from rnn_core.model import keras_models as km  # noqa: E402
from rnn_core.model.numpy_rnn import WEIGHT_NAMES, RecurrentNetwork  # noqa: E402

KINDS = list(CHAPTER.keras)
LAYOUT = {   # common.md: the weight names a Run keeps for each kind
    "keras_a": {"rnn_kernel", "rnn_recurrent_kernel", "rnn_bias", "dense_kernel", "dense_bias"},
    "keras_b": {"embedding", "rnn_kernel", "rnn_recurrent_kernel", "rnn_bias", "dense_kernel", "dense_bias"},
    "keras_c": {"embedding", "lstm_kernel", "lstm_recurrent_kernel", "lstm_bias", "dense_kernel", "dense_bias"},
}


def tokens(rng, m, t=CHAPTER.maxlen, num_words=100):
    """Padded token rows like the chapter's: zeros in front, then word indices 3..num_words-1, (m, t)."""
    x = rng.integers(3, num_words, size=(m, t)).astype("int32")
    for i, n_pad in enumerate(rng.integers(0, t // 2, size=m)):
        x[i, :n_pad] = 0
    return x


def tiny_data(rng, m=96, m_val=40, t=20, num_words=100):
    """A ChapterData stand-in: random padded tokens and labels."""
    return SimpleNamespace(x_train=tokens(rng, m, t, num_words), y_train=rng.integers(0, 2, m),
                           x_val=tokens(rng, m_val, t, num_words), y_val=rng.integers(0, 2, m_val),
                           num_words=num_words, skip_top=20, maxlen=t, source="synthetic")


@pytest.mark.parametrize("kind", KINDS)
def test_parameter_formulas_equal_keras_count_params(kind):
    model = km.build_model(kind, steps_per_execution=1)
    rows = km.param_table(model)
    assert [r.layer for r in rows] == [layer.name for layer in model.layers]
    for row, layer in zip(rows, model.layers):
        assert row.params == layer.count_params(), row
    assert sum(r.params for r in rows) == model.count_params()


def test_the_textbooks_numbers():
    a, b, c = (km.param_table(km.build_model(k, steps_per_execution=1)) for k in KINDS)
    assert (a[1].formula, a[1].params, a[2].params) == ("100·32 + 32·32 + 32", 4256, 33)
    assert km.total_formula(a) == "4,256 + 33 = 4,289"
    assert km.total_formula(b) == "32,000 + 328 + 9 = 32,337"
    assert (c[1].formula, c[1].params) == ("4·(32·8 + 8·8 + 8)", 1312)
    assert a[0].params == 0 and a[0].output_shape == (None, 100, 100)      # OneHot: no weights


@pytest.mark.parametrize("kind", KINDS)
def test_summary_is_plain_data_with_keras_counts(kind):
    model = km.build_model(kind, steps_per_execution=1)
    s = km.summary(kind)
    assert s["total"] == model.count_params() == sum(r["params"] for r in s["rows"])
    assert s["counts"] == {layer.name: layer.count_params() for layer in model.layers}
    assert all(type(v) in (str, int, tuple) for r in s["rows"] for v in r.values())


def test_compare_both_directions_against_keras_predict():
    rng = np.random.default_rng(7)
    x = tokens(rng, 16, t=30)
    net = numpy_net(seed=7)
    weights = dict(zip(WEIGHT_NAMES, net.get_weights()))
    out = km.compare("numpy", weights, x)
    assert np.abs(out["p_numpy"] - net.predict_proba(x)[:, 0]).max() < 1e-6     # the NumPy model's own output
    fresh = km.compare("keras_a", {}, x)                                        # a fresh model A -> NumPy
    model = km.build_model("keras_a", maxlen=30)                                # same seed: same initial weights
    assert np.abs(fresh["p_keras"] - model.predict(x, verbose=0)[:, 0]).max() < 1e-6
    assert np.abs(fresh["p_numpy"] - fresh["p_keras"]).max() < 1e-5


def test_models_are_built_from_keras_input_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # e.g. "Do not pass an `input_shape`..."
        models = [km.build_model(k, steps_per_execution=1) for k in KINDS]
    assert all(m.built and m.count_params() > 0 for m in models)


def test_seed_gives_the_same_initial_weights():
    w1, w2 = (km.export_weights(km.build_model("keras_b", seed=7, steps_per_execution=1)) for _ in range(2))
    w3 = km.export_weights(km.build_model("keras_b", seed=8, steps_per_execution=1))
    assert all(np.array_equal(w1[k], w2[k]) for k in w1)
    assert not np.array_equal(w1["embedding"], w3["embedding"])


def test_onehot_layer_equals_to_categorical():
    x = tokens(np.random.default_rng(0), 4, t=10)
    got = np.asarray(km.OneHot(100)(x))
    assert got.dtype == np.float32 and got.shape == (4, 10, 100)
    assert np.array_equal(got, keras.utils.to_categorical(x, 100))


def test_onehot_inside_equals_the_textbooks_model():
    """Model A on tokens (one-hot made inside) predicts what the textbook's model predicts on to_categorical rows."""
    x = tokens(np.random.default_rng(1), 16)
    ours = km.build_model("keras_a", seed=3, steps_per_execution=1)
    book = km.build_model("keras_a", seed=99, onehot_inside=False, steps_per_execution=1)
    km.import_weights(book, km.export_weights(ours))
    expected = book.predict(keras.utils.to_categorical(x, 100), verbose=0)
    assert np.abs(km.predict(ours, x) - expected).max() < 1e-6


@pytest.mark.parametrize("kind", KINDS)
def test_weights_round_trip_in_the_documented_layout(kind):
    rng = np.random.default_rng(2)
    source = km.build_model(kind, seed=1, steps_per_execution=1)
    weights = km.export_weights(source)
    assert set(weights) == LAYOUT[kind]
    x = tokens(rng, 8, num_words=CHAPTER.keras[kind].num_words)
    copy = km.model_from_weights(kind, weights)
    assert np.array_equal(km.predict(copy, x), km.predict(source, x))
    bad = dict(weights, dense_bias=np.zeros(2))
    with pytest.raises(ValueError):
        km.import_weights(copy, bad)


def numpy_net(seed=0, n_cells=32, n_features=100):
    net = RecurrentNetwork(n_cells=n_cells, seed=seed)
    net.init_weights(n_features, 1)
    return net


def assert_same_predictions(numpy_weights, keras_model, x):
    p_numpy = RecurrentNetwork.from_weights(numpy_weights).predict_proba(x)     # the NumPy forward pass
    p_keras = km.predict(keras_model, x)                                          # Keras's own predict
    assert p_numpy.shape == p_keras.shape == (len(x), 1)
    assert np.abs(p_numpy - p_keras).max() < 1e-5


def test_numpy_weights_into_keras_random():
    rng = np.random.default_rng(3)
    net = numpy_net(seed=3)
    net.w1x *= 4                               # bigger weights: into tanh's curved range, a stricter check
    net.b1 = rng.normal(size=32).astype("float32")
    net.b2 = np.array([0.3], dtype="float32")
    weights = dict(zip(WEIGHT_NAMES, net.get_weights()))
    model = km.model_from_weights("keras_a", km.numpy_to_keras_a(weights))
    assert_same_predictions(weights, model, tokens(rng, 64))


def test_keras_weights_into_numpy_random():
    rng = np.random.default_rng(4)
    model = km.build_model("keras_a", seed=4, steps_per_execution=1)
    for v in model.trainable_variables:         # random, not the initialisers' (biases start at zero);
        scale = 0.15 if "recurrent" in v.path else 0.5   # a contracting W1h: a chaotic one amplifies float32 rounding
        v.assign(rng.uniform(-scale, scale, v.shape).astype("float32"))
    weights = km.keras_a_to_numpy(km.export_weights(model))
    assert set(weights) == set(WEIGHT_NAMES)
    assert_same_predictions(weights, model, tokens(rng, 64))


def test_transfer_after_brief_training_both_ways():
    rng = np.random.default_rng(5)
    data = tiny_data(rng, m=128, t=30)
    # NumPy trained two epochs -> Keras
    net = RecurrentNetwork(n_cells=32, batch_size=32, learning_rate=0.1, seed=5)
    net.fit(data.x_train, data.y_train, epochs=2, n_features=100)
    weights = dict(zip(WEIGHT_NAMES, net.get_weights()))
    assert not np.allclose(weights["b1"], 0)                 # it really trained
    model = km.model_from_weights("keras_a", km.numpy_to_keras_a(weights), maxlen=30)
    assert_same_predictions(weights, model, data.x_val)
    # Keras trained two epochs -> NumPy
    job = km.KerasTraining(dict(kind="keras_a", epochs=2, steps_per_execution=1), data)
    while not job.done:
        job.advance(seconds=10)
    assert job.state == "finished" and job.epochs == 2
    back = km.keras_a_to_numpy(job.weights)
    assert not np.allclose(back["b1"], 0)
    assert_same_predictions(back, job.model, data.x_val)


@pytest.mark.parametrize("unroll", [False, True])
def test_chunks_train_like_one_plain_fit(unroll):
    """Small fit calls (32 batches per TensorFlow call, unrolled or not) over an epoch's order = one plain fit."""
    rng = np.random.default_rng(6)
    data = tiny_data(rng, m=648, t=15)                       # 20 full batches and one of 8
    chunked = km.build_model("keras_a", seed=1, maxlen=15, unroll=unroll)        # as the page trains it
    plain = km.build_model("keras_a", seed=1, steps_per_execution=1, maxlen=15)  # Keras's defaults
    clock = iter(np.arange(0, 1000, 10.0)).__next__          # every chunk "takes" 10 s: 4-batch slices
    events = list(km.fit_in_chunks(chunked, data.x_train, data.y_train, data.x_val, data.y_val, epochs=1,
                                   seed=11, chunk_seconds=0.5, clock=clock))
    assert sum(e.kind == "batch" for e in events) >= 2       # it really was split
    order = np.random.default_rng(11).permutation(648)       # fit_in_chunks's order for the epoch
    h = plain.fit(data.x_train[order], data.y_train[order].astype("float32"), batch_size=32, epochs=1,
                  shuffle=False, verbose=0, validation_data=(data.x_val, data.y_val.astype("float32")))
    for a, b in zip(chunked.get_weights(), plain.get_weights()):
        assert np.allclose(a, b, atol=1e-5)
    epoch = events[-1]
    assert epoch.kind == "epoch"
    assert epoch.loss == pytest.approx(h.history["loss"][0], rel=1e-5)
    assert epoch.val_loss == pytest.approx(h.history["val_loss"][0], rel=1e-5)


def test_stop_keeps_the_last_finished_epoch():
    data = tiny_data(np.random.default_rng(7), m=1024, t=10)     # 32 batches: a slice of 16, then of 4
    job = km.KerasTraining(dict(kind="keras_b", epochs=3, steps_per_execution=1, chunk_seconds=1e-6), data)
    while job.epochs < 1:
        job.advance(seconds=0)
    after_first = {k: v.copy() for k, v in job.weights.items()}
    job.advance(seconds=0)                                   # part of epoch 2
    job.stop()
    assert job.state == "stopped" and job.epochs == 1
    run = job.to_run("b-1")
    assert run.kind == "keras_b" and run.status == "stopped" and set(run.weights) == LAYOUT["keras_b"]
    assert all(np.array_equal(run.weights[k], after_first[k]) for k in after_first)
    assert {"num_words", "skip_top", "maxlen"} <= set(run.config)
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(run.history)
    ev = job.evaluate()                                      # evaluate() uses the kept weights
    assert ev["loss"] == pytest.approx(run.history["val_loss"][-1], rel=1e-5)
    assert ev["accuracy"] == pytest.approx(run.history["val_accuracy"][-1])


def test_saved_runs_shipped_with_the_app():
    saved = {r.kind: r for r in runs.saved_runs() if r.kind in LAYOUT}
    if len(saved) < 3:
        pytest.skip("scripts/save_keras_runs.py has not made all three runs yet")
    for kind, run in saved.items():
        spec = CHAPTER.keras[kind]
        assert set(run.weights) == LAYOUT[kind]
        assert run.epochs == spec.epochs and run.config["num_words"] == spec.num_words
        assert run.data_source != "synthetic" and run.saved
        assert run.config["published"] == spec.published
        model = km.model_from_weights(kind, run.weights)       # the weights load into the model they came from
        assert model.count_params() == sum(w.size for w in run.weights.values())
    assert saved["keras_a"].history["val_accuracy"][-1] > 0.6
    assert min(saved[k].history["val_accuracy"][-1] for k in ("keras_b", "keras_c")) > 0.75

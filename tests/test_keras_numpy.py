"""The NumPy forward pass of the Keras models equals Keras's own predict, step by step, for random weights."""
import numpy as np
import pytest

from rnn_core.model import keras_numpy

keras = pytest.importorskip("keras")

M, T, N_F, N_C, D = 5, 7, 12, 4, 3          # samples, steps, vocabulary, cells, embedding size


def random_weights(layer, rng):
    """Give a built Keras layer random weights in [-1, 1] (bigger than initialisers', to reach the nonlinear range)."""
    layer.set_weights([rng.uniform(-1, 1, w.shape).astype("float32") for w in layer.get_weights()])


def build(kind, rng):
    """The `kind` model twice, same weights: as trained (last state) and with return_sequences=True + Dense per step."""
    if kind == "keras_a":
        inputs = keras.Input((T, N_F))
        head = []
    else:
        inputs = keras.Input((T,), dtype="int32")
        head = [keras.layers.Embedding(N_F, D)]
    cell = keras.layers.LSTM if kind == "keras_c" else keras.layers.SimpleRNN
    rnn, rnn_seq = cell(N_C), cell(N_C, return_sequences=True)
    dense = keras.layers.Dense(1, activation="sigmoid")
    model = keras.Sequential([inputs, *head, rnn, dense])
    for layer in model.layers:
        random_weights(layer, rng)
    x = inputs
    for layer in head:
        x = layer(x)
    states = rnn_seq(x)
    rnn_seq.set_weights(rnn.get_weights())
    per_step = keras.Model(inputs, [states, dense(states)])      # the same Dense layer, applied at every step
    return model, per_step


def saved_weights(kind, model):
    """The weights by name, in the layout rnn_core.jobs.runs keeps for this kind."""
    rnn_name = "lstm" if kind == "keras_c" else "rnn"
    layers = [layer for layer in model.layers if layer.get_weights()]
    w = {}
    if kind != "keras_a":
        w["embedding"] = layers.pop(0).get_weights()[0]
    w[f"{rnn_name}_kernel"], w[f"{rnn_name}_recurrent_kernel"], w[f"{rnn_name}_bias"] = layers[0].get_weights()
    w["dense_kernel"], w["dense_bias"] = layers[1].get_weights()
    return w


@pytest.mark.parametrize("kind", ["keras_a", "keras_b", "keras_c"])
def test_numpy_forward_equals_keras(kind):
    rng = np.random.default_rng({"keras_a": 1, "keras_b": 2, "keras_c": 3}[kind])
    model, per_step = build(kind, rng)
    weights = saved_weights(kind, model)
    tokens = rng.integers(0, N_F, size=(M, T))
    tokens[0, :3] = 0                                            # front padding, as pad_sequences makes it
    x = np.eye(N_F, dtype="float32")[tokens] if kind == "keras_a" else tokens   # model A reads one-hot rows

    expected = model.predict(x, verbose=0)                       # (M, 1)
    expected_states, expected_steps = per_step.predict(x, verbose=0)

    got = keras_numpy.predict(kind, weights, tokens)
    assert got.shape == (M, 1)
    assert np.abs(got - expected).max() < 1e-5
    assert np.abs(keras_numpy.hidden_states(kind, weights, tokens) - expected_states).max() < 1e-5
    steps = keras_numpy.step_probabilities(kind, weights, tokens)
    assert steps.shape == (M, T)
    assert np.abs(steps - expected_steps[..., 0]).max() < 1e-5
    assert np.array_equal(steps[:, -1:], got)                    # the last step is the prediction
    assert np.abs(steps[:, -1:] - expected).max() < 1e-5


def test_one_hot_rows_equal_the_product():
    rng = np.random.default_rng(4)
    w = {"rnn_kernel": rng.normal(size=(N_F, N_C)), "rnn_recurrent_kernel": rng.normal(size=(N_C, N_C)),
         "rnn_bias": rng.normal(size=N_C)}
    tokens = rng.integers(0, N_F, size=(M, T))
    by_rows = keras_numpy.simple_rnn(tokens, w["rnn_kernel"], w["rnn_recurrent_kernel"], w["rnn_bias"])
    by_product = keras_numpy.simple_rnn(np.eye(N_F)[tokens], w["rnn_kernel"], w["rnn_recurrent_kernel"], w["rnn_bias"])
    assert np.allclose(by_rows, by_product, atol=1e-12)


def test_tokens_outside_the_vocabulary_are_refused():
    with pytest.raises(ValueError):
        keras_numpy.embedding(np.array([[0, N_F]]), np.zeros((N_F, D)))


def test_sigmoid_is_finite_for_large_inputs():
    with np.errstate(over="raise"):
        s = keras_numpy.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    assert np.allclose(s, [0.0, 0.5, 1.0])


# --- the backward passes: NumPy ports of the Keras models' gradients, against TensorFlow's own (tf.GradientTape)

@pytest.mark.parametrize("kind", ["keras_a", "keras_b", "keras_c"])
def test_numpy_input_gradients_equal_tensorflow(kind):
    """dL_i/dx_t for every sample and step (x: one-hot rows for A, embedding vectors for B and C) within 1e-5 of TF."""
    import tensorflow as tf

    from rnn_core.lessons import memory
    rng = np.random.default_rng({"keras_a": 11, "keras_b": 12, "keras_c": 13}[kind])
    model, _ = build(kind, rng)
    weights = saved_weights(kind, model)
    tokens = rng.integers(0, N_F, size=(M, T))
    y = rng.integers(0, 2, M).astype("float32")
    x = tf.constant(memory.keras_input(kind, weights, tokens).astype("float32"))     # what the recurrent layer reads
    recurrent, dense = model.layers[-2], model.layers[-1]
    with tf.GradientTape() as tape:
        tape.watch(x)
        a = dense(recurrent(x))                                                     # (M, 1)
        losses = keras.losses.binary_crossentropy(y[:, None], a)                   # (M,), one per review
        total = tf.reduce_sum(losses)                                               # so d total / d x_i = dL_i / dx_i
    expected = tape.gradient(total, x).numpy()                                      # (M, T, n_in)
    a_numpy = keras_numpy.predict(kind, weights, tokens)
    got = memory.keras_input_gradients(kind, weights, tokens, a_numpy - y[:, None])
    assert got.shape == expected.shape
    assert np.abs(expected).max() > 1e-3                                          # the test is not comparing zeros
    np.testing.assert_allclose(got, expected, atol=1e-5, rtol=0)

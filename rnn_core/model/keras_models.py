"""The chapter's Keras models A, B and C (lecture 6.4): builders, parameter formulas, chunked training, weights.

    A: tokens -> OneHot(100) -> SimpleRNN(32) -> Dense(1, sigmoid)      sgd,  20 epochs, num_words 100
    B: tokens -> Embedding(1000, 32) -> SimpleRNN(8) -> Dense(1, sigmoid) adam, 10 epochs, num_words 1000
    C: tokens -> Embedding(1000, 32) -> LSTM(8) -> Dense(1, sigmoid)      adam, 10 epochs, num_words 1000

The textbook feeds model A a one-hot tensor made beforehand (20000 x 100 x 100 numbers). Here model A
gets the integer tokens and makes the one-hot rows itself, one batch at a time: same model, same numbers,
about 1 MB instead of 1.6 GB. This is the only module that imports TensorFlow; it runs in the worker process
(rnn_core/jobs/worker.py), never in the Streamlit server.
"""
import time
from dataclasses import asdict, dataclass

import keras
import numpy as np
from keras import layers, ops

from rnn_core.config import CHAPTER
from rnn_core.jobs.runs import Run
from rnn_core.jobs.training import ChunkedTraining
from rnn_core.model.numpy_rnn import Progress, RecurrentNetwork

BATCH_SIZE = CHAPTER.batch_size
EVAL_BATCH = 250          # validation batch size (the numbers don't depend on it; bigger is faster)
STEPS_PER_EXECUTION = 32  # batches per TensorFlow call (each batch is still one SGD/Adam step)
CHUNK_SECONDS = 1.5       # training per fit call: Stop waits at most this long; each call costs ~0.1 s
# The chapter's NumPy RecurrentNetwork and Keras model A compute the same thing; their weights by name:
NUMPY_TO_KERAS_A = {"w1x": "rnn_kernel", "w1h": "rnn_recurrent_kernel", "b1": "rnn_bias",
                    "w2": "dense_kernel", "b2": "dense_bias"}


class OneHot(layers.Layer):
    """Integer tokens (m, T) -> one-hot rows (m, T, depth), made inside the model for one batch at a time."""

    def __init__(self, depth, **kwargs):
        super().__init__(**kwargs)
        self.depth = depth

    def call(self, tokens):
        return ops.one_hot(ops.cast(tokens, "int32"), self.depth)       # (m, T, depth) float32

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.depth)

    def get_config(self):
        return {**super().get_config(), "depth": self.depth}


def build_model(kind, seed=42, onehot_inside=True, steps_per_execution=STEPS_PER_EXECUTION, unroll=False,
                jit_compile=False, num_words=None, units=None, maxlen=CHAPTER.maxlen):
    """Model A, B or C as the textbook builds it, compiled (binary cross-entropy, accuracy), built by keras.Input.

    onehot_inside=False gives the textbook's model A, which expects one-hot rows (m, T, num_words).
    The other options change how TensorFlow runs the same maths (benchmarks/bench_keras_onehot.py):
    unroll=True writes the 100 time steps out instead of a loop (about 2x faster on a CPU; the bigger
    graph costs a few tens of MB per model); steps_per_execution=32 runs 32 batches per TensorFlow call,
    each still one optimizer step (it helps on a busy machine); jit_compile=True compiles with XLA
    (also ~2x faster, ~100 MB more memory).
    """
    spec = CHAPTER.keras[kind]
    num_words, units = num_words or spec.num_words, units or spec.units
    keras.utils.set_random_seed(seed)                                   # same seed, same initial weights
    if kind == "keras_a" and not onehot_inside:
        front = [keras.Input((maxlen, num_words), name="onehot_rows")]
    elif kind == "keras_a":
        front = [keras.Input((maxlen,), dtype="int32", name="tokens"), OneHot(num_words, name="onehot")]
    else:
        front = [keras.Input((maxlen,), dtype="int32", name="tokens"),
                 layers.Embedding(num_words, CHAPTER.embedding_dim, name="embedding")]
    cell = layers.LSTM if kind == "keras_c" else layers.SimpleRNN
    rnn = cell(units, unroll=unroll, name="lstm" if kind == "keras_c" else "rnn")
    model = keras.Sequential([*front, rnn, layers.Dense(1, activation="sigmoid", name="dense")], name=kind)
    model.compile(optimizer=spec.optimizer, loss="binary_crossentropy", metrics=["accuracy"],
                  jit_compile=jit_compile, steps_per_execution=steps_per_execution)
    return model


# ----------------------------------------------------------------------------- parameter table

@dataclass
class ParamRow:
    """One layer of the summary: its parameter count from the formula, written out."""
    layer: str
    type: str
    output_shape: tuple
    formula: str           # e.g. "100·32 + 32·32 + 32"
    params: int            # the formula's value (computed here, not asked from Keras)


def param_formula(layer, n_in):
    """(formula text, value) of a layer's parameter count; n_in = features reaching it at each step."""
    from rnn_core.model import params  # the TF-free formulas, shared with the self-check
    if isinstance(layer, layers.Embedding):
        return params.embedding(layer.input_dim, layer.output_dim)
    if isinstance(layer, layers.LSTM):
        return params.lstm(n_in, layer.units)
    if isinstance(layer, layers.SimpleRNN):
        return params.simple_rnn(n_in, layer.units)
    if isinstance(layer, layers.Dense):
        return params.dense(n_in, layer.units)
    return "0", 0                                  # OneHot: no weights


def param_table(model):
    """One ParamRow per layer, in order."""
    rows = []
    for layer in model.layers:
        n_in = layer.input.shape[-1]
        formula, value = param_formula(layer, n_in)
        rows.append(ParamRow(layer.name, type(layer).__name__, tuple(layer.output.shape), formula, value))
    return rows


def summary(kind):
    """A model's parameter table as plain data: rows (dicts), Keras's count_params per layer and in all, the total."""
    model = build_model(kind)
    rows = param_table(model)
    return {"rows": [asdict(r) for r in rows], "counts": {layer.name: layer.count_params() for layer in model.layers},
            "total": model.count_params(), "total_formula": total_formula(rows)}


def total_formula(rows):
    """The total as a sum of the layers' counts, e.g. '32,000 + 328 + 9 = 32,337'."""
    parts = [f"{r.params:,}" for r in rows if r.params]
    return " + ".join(parts) + f" = {sum(r.params for r in rows):,}"


# ----------------------------------------------------------------------------- weights

def named_weights(model):
    """(name, variable) pairs with the names runs.Run keeps: 'embedding', '<layer>_<weight>' (Keras's layouts)."""
    return [("embedding" if isinstance(layer, layers.Embedding) else f"{layer.name}_{v.name}", v)
            for layer in model.layers for v in layer.weights]


def export_weights(model):
    """The weights by name, as NumPy copies."""
    return {key: np.array(v.numpy()) for key, v in named_weights(model)}


def import_weights(model, weights):
    """Set the model's weights from such a dict; ValueError when a name or shape doesn't fit."""
    for key, v in named_weights(model):
        if key not in weights:
            raise ValueError(f"no weight {key!r} in the given weights")
        w = np.asarray(weights[key], dtype="float32")
        if w.shape != tuple(v.shape):
            raise ValueError(f"{key}: shape {w.shape}, the model needs {tuple(v.shape)}")
        v.assign(w)
    return model


def numpy_to_keras_a(weights):
    """A NumPy RecurrentNetwork's weights (w1x, w1h, b1, w2, b2) under Keras model A's names."""
    return {NUMPY_TO_KERAS_A[k]: np.asarray(weights[k], dtype="float32") for k in NUMPY_TO_KERAS_A}


def keras_a_to_numpy(weights):
    """Keras model A's weights under the NumPy RecurrentNetwork's names."""
    return {k: np.asarray(weights[v], dtype="float32") for k, v in NUMPY_TO_KERAS_A.items()}


def model_from_weights(kind, weights, maxlen=CHAPTER.maxlen):
    """A Keras model of this kind sized from the weights (vocabulary, cells) and holding them, ready to predict."""
    rnn = "lstm" if kind == "keras_c" else "rnn"
    num_words = len(weights["embedding"] if kind != "keras_a" else weights["rnn_kernel"])
    units = weights[f"{rnn}_recurrent_kernel"].shape[0]
    model = build_model(kind, num_words=num_words, units=units, maxlen=maxlen)
    return import_weights(model, weights)


def predict(model, x, batch_size=EVAL_BATCH):
    """P(positive) for each review, (m, 1)."""
    return model.predict(np.asarray(x), batch_size=batch_size, verbose=0)


# ----------------------------------------------------------------------------- chunked training


class ChunkLog(keras.callbacks.Callback):
    """The Keras callback that watches training: keeps the logs of the last fit call (loss, accuracy, val_*)."""

    def __init__(self):
        super().__init__()
        self.logs = {}

    def on_epoch_end(self, epoch, logs=None):
        self.logs = {k: float(v) for k, v in (logs or {}).items()}


def fit_in_chunks(model, x, y, x_val, y_val, epochs, seed=42, chunk_seconds=CHUNK_SECONDS, on_epoch=None,
                  clock=time.perf_counter):
    """Generator: model.fit on a slice of batches per step, yielding numpy_rnn.Progress events like iter_fit.

    Each epoch takes a fresh seeded order; one fit call trains on the next slice of it (sized to take about
    chunk_seconds; None = the whole epoch). The last slice also validates. Before each "epoch" event,
    on_epoch(logs) gets the epoch's loss, accuracy, val_loss and val_accuracy.
    """
    rng = np.random.default_rng(seed)
    m, n_batches = len(x), -(-len(x) // BATCH_SIZE)
    size = n_batches if chunk_seconds is None else min(16, n_batches)    # batches per fit call
    callback = ChunkLog()
    start = clock()
    for epoch in range(epochs):
        order = rng.permutation(m)
        done, sums = 0, {"loss": 0.0, "accuracy": 0.0}
        while done < n_batches:
            stop = min(done + size, n_batches)
            idx = order[done * BATCH_SIZE:stop * BATCH_SIZE]
            last = stop == n_batches
            t0 = clock()
            model.fit(x[idx], y[idx].astype("float32"), batch_size=BATCH_SIZE, epochs=1, shuffle=False,
                      verbose=0, callbacks=[callback], validation_batch_size=EVAL_BATCH,
                      validation_data=(x_val, y_val.astype("float32")) if last else None)
            logs = callback.logs
            for k in sums:            # Keras's epoch mean weights each batch by its size: so does this sum
                sums[k] += logs[k] * len(idx)
            traced = epoch > 0 or done > 0       # the very first call also traces the model: don't size by it
            if chunk_seconds is not None and traced and not last:
                took = max(clock() - t0, 1e-3)
                size = int(np.clip(round((stop - done) * chunk_seconds / took), 4, n_batches))
            done = stop
            yield Progress("batch", epoch, done - 1, n_batches, epochs, logs["loss"], None, clock() - start)
        epoch_logs = {k: v / m for k, v in sums.items()}
        epoch_logs.update(val_loss=logs["val_loss"], val_accuracy=logs["val_accuracy"])
        if on_epoch is not None:
            on_epoch(epoch_logs)
        yield Progress("epoch", epoch, n_batches - 1, n_batches, epochs, epoch_logs["loss"],
                       epoch_logs["val_loss"], clock() - start)


class KerasTraining(ChunkedTraining):
    """Model A, B or C trained on the first config["n_train"] reviews of ChapterData, a slice of batches at a time."""

    def __init__(self, config, data):
        self.config = c = dict(config)
        self.data = data
        spec = CHAPTER.keras[c["kind"]]
        c.setdefault("epochs", spec.epochs)
        c.setdefault("seed", 42)
        c.update(num_words=data.num_words, skip_top=data.skip_top, maxlen=data.maxlen, batch_size=BATCH_SIZE,
                 optimizer=spec.optimizer, units=spec.units)
        c["n_train"] = min(int(c.get("n_train", len(data.x_train))), len(data.x_train))
        c["n_val"] = min(int(c.get("n_val", len(data.x_val))), len(data.x_val))
        c["epochs"] = int(c["epochs"])
        c.setdefault("steps_per_execution", STEPS_PER_EXECUTION)
        c.setdefault("unroll", False)         # True: same maths, ~2x faster on a CPU, tens of MB more per model
        self.model = build_model(c["kind"], seed=c["seed"], steps_per_execution=c["steps_per_execution"],
                                 unroll=c["unroll"], num_words=data.num_words, maxlen=data.maxlen)
        # slices of shared, read-only data: training only reads them (and copies one slice per fit call)
        self.x_val, self.y_val = data.x_val[:c["n_val"]], data.y_val[:c["n_val"]]
        self._epoch_logs = {}
        chunks = fit_in_chunks(self.model, data.x_train[:c["n_train"]], data.y_train[:c["n_train"]],
                               self.x_val, self.y_val, c["epochs"], seed=c["seed"],
                               chunk_seconds=c.get("chunk_seconds", CHUNK_SECONDS), on_epoch=self._keep)
        super().__init__(chunks)
        self.history.update(accuracy=[], val_accuracy=[])

    def _keep(self, logs):
        self._epoch_logs = logs

    def epoch_metrics(self, event):
        """Training and validation accuracy of the epoch, as Keras reported them."""
        return {"accuracy": self._epoch_logs["accuracy"], "val_accuracy": self._epoch_logs["val_accuracy"]}

    def snapshot(self):
        """The model's weights by name."""
        return export_weights(self.model)

    def results(self):
        """model.evaluate of the finished run (see evaluate())."""
        return self.evaluate() if self.weights else {}

    def evaluate(self):
        """model.evaluate on the validation reviews, with the weights of the last finished epoch: {loss, accuracy}."""
        if self.weights:
            import_weights(self.model, self.weights)
        out = self.model.evaluate(self.x_val, self.y_val.astype("float32"), batch_size=EVAL_BATCH, verbose=0,
                                  return_dict=True)
        return {k: float(v) for k, v in out.items()}

    def to_run(self, name, note=""):
        """The run as a runs.Run (kind keras_a/b/c), with the weights after its last finished epoch."""
        config = {k: v for k, v in self.config.items() if k != "chunk_seconds"}
        return Run(name=name, kind=self.config["kind"], config=config,
                   history={k: list(v) for k, v in self.history.items()}, weights=dict(self.weights),
                   data_source=self.data.source, status=self.state, note=note)


# ----------------------------------------------------------------------------- NumPy <-> Keras model A


def compare(kind, weights, x):
    """P(positive) of the NumPy RecurrentNetwork and of Keras model A holding the same weights, (m,) each.

    kind "numpy": NumPy weights copied into model A; kind "keras_a": model A's weights (a fresh model A when
    `weights` is empty) copied into the NumPy network.
    """
    maxlen = x.shape[1]
    if kind == "numpy":
        numpy_w = weights
        keras_model = model_from_weights("keras_a", numpy_to_keras_a(numpy_w), maxlen=maxlen)
    else:
        keras_model = (model_from_weights("keras_a", weights, maxlen=maxlen) if weights
                       else build_model("keras_a", maxlen=maxlen))
        numpy_w = keras_a_to_numpy(export_weights(keras_model))
    p_numpy = RecurrentNetwork.from_weights(numpy_w).predict_proba(x)[:, 0]          # (m,)
    p_keras = predict(keras_model, x)[:, 0]                                           # (m,)
    return {"p_numpy": p_numpy, "p_keras": p_keras}

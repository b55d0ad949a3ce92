"""Training in small chunks: the worker advances a run a short while at a time, so it can report, stop and go on."""
import time

import numpy as np

from rnn_core.data.imdb import PAD, decode
from rnn_core.jobs.runs import Run
from rnn_core.model.numpy_rnn import WEIGHT_NAMES, RecurrentNetwork

# Guessing 50/50 costs ln 2 = 0.69 a review; a run whose recent batches average 3x that has blown up,
# even when its numbers stay finite (tanh and the clipped sigmoid saturate instead of overflowing).
DIVERGED_LOSS = 3 * np.log(2)
DIVERGED_WINDOW = 20          # batches


class ChunkedTraining:
    """A run fed by an iterator of progress events (numpy_rnn.Progress); advance() runs it for a short while.

    state: "running", then "finished", "stopped", "diverged" or "failed" (error holds the message).
    Subclasses say what to record at the end of an epoch (epoch_metrics) and which weights to keep (snapshot).
    One thread drives a run (the worker's job thread); another may only set stop_requested.
    """

    def __init__(self, events):
        self.events = events
        self.stop_requested = False
        self.state = "running"
        self.error = ""
        self.last = None                                   # the latest event
        self.seconds = 0.0                                 # time spent inside advance(), pauses excluded
        self.history = {"loss": [], "val_loss": [], "seconds": []}
        self.weights = {}                                  # weights after the last finished epoch
        self.recent = []                                   # losses of the last DIVERGED_WINDOW batches

    @property
    def diverged_loss(self):
        """The loss that made the run give up: the blown-up batch loss, or the mean of the recent ones."""
        if self.last is not None and self.last.kind == "diverged":
            return float(self.last.loss)
        return float(np.mean(self.recent)) if self.recent else float("nan")

    @property
    def done(self):
        """True once the run can't go on."""
        return self.state != "running"

    @property
    def fraction(self):
        """Share of all the batches done, 0..1."""
        return 0.0 if self.last is None else min(self.last.fraction, 1.0)

    @property
    def time_left(self):
        """Seconds still to go, estimated from the pace so far (None before the first batch)."""
        f = self.fraction
        return None if f <= 0 else self.seconds * (1 - f) / f

    def epoch_metrics(self, event):
        """Extra per-epoch numbers to add to the history, e.g. {"val_accuracy": 0.7}."""
        return {}

    def snapshot(self):
        """The weights to keep after an epoch, as name -> array copies."""
        return {}

    def results(self):
        """What to show once the run is over, as plain data (e.g. a confusion matrix); computed once."""
        return {}

    def advance(self, seconds=0.3, max_batches=None, clock=time.perf_counter):
        """Train until `seconds` have passed (or `max_batches` batches are done); return the batches run."""
        return self.run_chunk(seconds, max_batches, clock)

    def run_chunk(self, seconds, max_batches, clock):
        """One chunk: take events from the model until the time or batch budget is used up (call advance())."""
        start, n = clock(), 0
        try:
            while self.state == "running" and not self.stop_requested:
                event = next(self.events, None)
                if event is None:
                    self.state = "finished"
                    break
                self.last = event
                if event.kind == "diverged":
                    self.state = "diverged"
                    break
                if event.kind == "epoch":
                    self.end_epoch(event, clock() - start)
                    if event.epoch + 1 >= event.epochs:
                        self.state = "finished"
                    continue
                n += 1
                self.recent = self.recent[1 - DIVERGED_WINDOW:] + [event.loss]
                if len(self.recent) == DIVERGED_WINDOW and np.mean(self.recent) > DIVERGED_LOSS:
                    self.state = "diverged"
                    break
                out_of_budget = n >= max_batches if max_batches is not None else clock() - start >= seconds
                if out_of_budget:
                    break
        except (ArithmeticError, MemoryError, ValueError) as e:
            self.state, self.error = "failed", f"{type(e).__name__}: {e}"
        self.seconds += clock() - start
        if self.done:
            self.close()
        return n

    def end_epoch(self, event, elapsed_in_chunk):
        """Record a finished epoch: mean batch loss, validation loss, extra metrics, time so far, weights."""
        self.history["loss"].append(float(event.loss))
        if getattr(event, "val_loss", None) is not None:
            self.history["val_loss"].append(float(event.val_loss))
        for key, value in self.epoch_metrics(event).items():
            self.history.setdefault(key, []).append(float(value))
        self.history["seconds"].append(round(self.seconds + elapsed_in_chunk, 3))
        self.weights = self.snapshot()

    def stop(self):
        """Stop for good; the finished epochs and weights stay."""
        self.stop_requested = True
        if not self.done:
            self.state = "stopped"
        self.close()

    def close(self):
        """Let go of the event source."""
        close = getattr(self.events, "close", None)
        if close is not None:
            close()

    @property
    def epochs(self):
        """How many epochs finished."""
        return len(self.history["loss"])


class NumpyTraining(ChunkedTraining):
    """The chapter's RecurrentNetwork trained on the first config["n_train"] reviews of ChapterData, in chunks."""

    def __init__(self, config, data):
        self.config = dict(config)
        self.data = data
        c = self.config
        self.model = RecurrentNetwork(n_cells=c["n_cells"], batch_size=c["batch_size"],
                                      learning_rate=c["learning_rate"], truncation=c["truncation"],
                                      textbook_backprop=c["textbook_backprop"], seed=c["seed"])
        n = min(int(c["n_train"]), len(data.x_train))
        self.config["n_train"] = n
        # x_train[:n] is a view of shared, read-only data: the model only reads it.
        # Validation is scored here (epoch_metrics), in one pass for both loss and accuracy.
        events = self.model.iter_fit(data.x_train[:n], data.y_train[:n], epochs=c["epochs"],
                                     n_features=data.num_words)
        super().__init__(events)
        self.history["val_accuracy"] = []

    def epoch_metrics(self, event):
        """Validation loss and accuracy after the epoch."""
        z = self.model.forpass_in_chunks(self.data.x_val)           # (m, 1)
        y = np.asarray(self.data.y_val).reshape(-1, 1)
        return {"val_loss": self.model.loss(self.model.sigmoid(z), y), "val_accuracy": float(np.mean((z > 0) == y))}

    def snapshot(self):
        """The model's weights by name."""
        return dict(zip(WEIGHT_NAMES, self.model.get_weights()))

    def results(self):
        """The confusion matrix of the validation reviews and a few of them, with the last finished epoch's weights."""
        if not self.weights:
            return {}
        matrix, rows = evaluate(self.weights, self.data)
        return {"matrix": matrix, "examples": rows}

    def to_run(self, name, note=""):
        """The run as a runs.Run (kind "numpy"), with the weights after its last finished epoch."""
        return Run(name=name, kind="numpy", config=dict(self.config), history={k: list(v) for k, v in
                   self.history.items()}, weights=dict(self.weights), data_source=self.data.source,
                   status=self.state, note=note)


def confusion_matrix(y_true, y_pred):
    """Counts [[true 0 & said 0, true 0 & said 1], [true 1 & said 0, true 1 & said 1]], (2, 2)."""
    y_true = np.asarray(y_true).astype(int).ravel()
    y_pred = np.asarray(y_pred).astype(int).ravel()
    return np.bincount(2 * y_true + y_pred, minlength=4).reshape(2, 2)


def example_rows(model, x, y, n=6, seed=0):
    """n validation reviews picked at random: their indices, labels and the model's probability of "positive"."""
    idx = np.sort(np.random.default_rng(seed).choice(len(x), size=min(n, len(x)), replace=False))
    proba = model.predict_proba(x[idx])[:, 0]          # (n,)
    return [dict(index=int(i), label=int(y[i]), proba=float(p)) for i, p in zip(idx, proba)]


def evaluate(weights, data, n_examples=6):
    """Confusion matrix (2, 2) of the validation reviews and a few of them decoded, with the model's P(positive)."""
    model = RecurrentNetwork.from_weights(weights)
    said = model.predict(data.x_val)[:, 0]                          # (m,) bool
    rows = example_rows(model, data.x_val, data.y_val, n=n_examples)
    for r in rows:
        seq = data.x_val[r["index"]]
        r["words"] = " ".join(w for i, w in zip(seq, decode(seq, data.index_to_word)) if i != PAD)
    return confusion_matrix(data.y_val, said), rows

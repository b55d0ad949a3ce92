"""Training in small chunks: a page advances a run a few batches per rerun, so it can redraw, stop and come back."""
import threading
import time

import numpy as np

from rnn_core import slots as server_slots
from rnn_core.numpy_rnn import RecurrentNetwork
from rnn_core.runs import Run

# The chapter's run (curriculum §5): 32 cells, batch 32, lr 0.01, 20 epochs, 10-step TBPTT, all 20,000 reviews.
CHAPTER_CONFIG = dict(n_cells=32, batch_size=32, learning_rate=0.01, epochs=20, truncation=10,
                      textbook_backprop=False, num_words=100, skip_top=20, maxlen=100, n_train=20000, seed=42)
# Published validation accuracy of that run.
REFERENCE_ACCURACY = {"notebook": 0.6816, "lecture": 0.7002}
WEIGHT_NAMES = ("w1h", "w1x", "b1", "w2", "b2")   # the order of RecurrentNetwork.get_weights()
# Guessing 50/50 costs ln 2 = 0.69 a review; a run whose recent batches average 3x that has blown up,
# even when its numbers stay finite (tanh and the clipped sigmoid saturate instead of overflowing).
DIVERGED_LOSS = 3 * np.log(2)
DIVERGED_WINDOW = 20          # batches


class ChunkedTraining:
    """A run fed by an iterator of progress events (numpy_rnn.Progress); advance() runs it for a short while.

    state: "running", then "finished", "stopped", "diverged" or "failed" (error holds the message).
    Subclasses say what to record at the end of an epoch (epoch_metrics) and which weights to keep (snapshot).
    Thread-safe: Streamlit may start a new script run of the same session while the old one still trains.
    """

    def __init__(self, events):
        self.events = events
        self.lock = threading.Lock()                       # held while a chunk runs
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

    def advance(self, seconds=0.3, max_batches=None, clock=time.perf_counter):
        """Train until `seconds` have passed (or `max_batches` batches are done); return the batches run.

        Returns 0 at once when another thread is running a chunk of this run.
        """
        if not self.lock.acquire(blocking=False):
            return 0
        try:
            return self.run_chunk(seconds, max_batches, clock)
        finally:
            self.lock.release()

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
        """Stop for good (after the chunk another thread may be running); the finished epochs and weights stay."""
        self.stop_requested = True                         # ends a running chunk at its next batch
        with self.lock:
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
        z = output(self.model, self.data.x_val)                     # (m, 1)
        y = np.asarray(self.data.y_val).reshape(-1, 1)
        return {"val_loss": self.model.loss(self.model.sigmoid(z), y), "val_accuracy": float(np.mean((z > 0) == y))}

    def snapshot(self):
        """The model's weights by name."""
        return numpy_weights(self.model)

    def to_run(self, name, note=""):
        """The run as a runs.Run (kind "numpy"), with the weights after its last finished epoch."""
        return Run(name=name, kind="numpy", config=dict(self.config), history={k: list(v) for k, v in
                   self.history.items()}, weights=dict(self.weights), data_source=self.data.source,
                   status=self.state, note=note)


class Job:
    """One session's training: waits for a server slot, then advances a ChunkedTraining a chunk per step()."""

    def __init__(self, owner, name, config, make_trainer, slots=None):
        self.owner = owner                  # who holds the slot: one id per browser session
        self.name = name
        self.config = dict(config)
        self.make_trainer = make_trainer    # () -> ChunkedTraining, called once a slot is free
        self.slots = slots or server_slots.SERVER
        self.trainer = None
        self.waiting = True                 # no slot yet, or the lease ran out while the page was away
        self.cancelled = False              # stopped before it ever started
        self.error = ""
        self.recorded = False               # the page has added its Run to the session's runs
        self.results = None                 # what the page computed from the finished run (kept, not redone)
        self.lock = threading.Lock()        # held by the script run that is stepping (Streamlit may start another)
        self.stop_requested = False
        self._record_lock = threading.Lock()

    @property
    def done(self):
        """True once the run is over (finished, stopped, diverged or failed)."""
        return self.cancelled or bool(self.error) or (self.trainer is not None and self.trainer.done)

    @property
    def state(self):
        """"waiting", "running", "finished", "stopped", "diverged" or "failed"."""
        if self.error:
            return "failed"
        if self.cancelled:
            return "stopped"
        if self.trainer is not None and self.trainer.done:
            return self.trainer.state
        return "waiting" if self.waiting else "running"

    def step(self, limit, seconds=0.3):
        """Take or renew this session's slot and train for about `seconds`; give the slot back when done.

        Does nothing when another script run of the same session is stepping right now.
        """
        if not self.lock.acquire(blocking=False):
            return
        try:
            if self.done or self.stop_requested:
                return
            self.waiting = not self.slots.acquire(self.owner, limit)
            if self.waiting:
                return
            try:
                if self.trainer is None:
                    self.trainer = self.make_trainer()
                self.trainer.advance(seconds)
            except Exception as e:   # bad settings or data: end the run with a message instead of a traceback
                self.error = f"{type(e).__name__}: {e}"
            if self.trainer is not None and self.trainer.state == "failed":
                self.error = self.trainer.error
            if self.done:
                self.slots.release(self.owner)
        finally:
            self.lock.release()

    def stop(self):
        """Stop for good (after a step running in another thread) and free the slot; finished epochs stay."""
        self.stop_requested = True
        if self.trainer is not None:
            self.trainer.stop_requested = True      # cut a running chunk short
        with self.lock:
            if self.trainer is None:
                self.cancelled = True
            else:
                self.trainer.stop()
            self.slots.release(self.owner)

    def claim_record(self):
        """True exactly once after the run ended: whoever gets it adds the run to the session's list."""
        with self._record_lock:
            if not self.done or self.recorded:
                return False
            self.recorded = True
            return True


def numpy_weights(model):
    """A RecurrentNetwork's weights as name -> array copy."""
    return dict(zip(WEIGHT_NAMES, model.get_weights()))


def model_from_weights(weights, config):
    """A RecurrentNetwork ready to predict with saved weights (dict with w1x, w1h, b1, w2, b2)."""
    model = RecurrentNetwork(n_cells=weights["w1h"].shape[0], batch_size=config.get("batch_size", 32))
    model.set_weights([weights[k] for k in WEIGHT_NAMES])
    return model


def output(model, x, size=128):
    """Z2 (m, 1) for many reviews, `size` at a time: on a busy server OpenBLAS threads make bigger blocks slow."""
    return np.concatenate([model.forpass(x[i:i + size]) for i in range(0, len(x), size)])


def predict_proba(model, x):
    """A2 = sigmoid(Z2), P(positive), (m, 1)."""
    return model.sigmoid(output(model, x))


def confusion_matrix(y_true, y_pred):
    """Counts [[true 0 & said 0, true 0 & said 1], [true 1 & said 0, true 1 & said 1]], (2, 2)."""
    y_true = np.asarray(y_true).astype(int).ravel()
    y_pred = np.asarray(y_pred).astype(int).ravel()
    return np.bincount(2 * y_true + y_pred, minlength=4).reshape(2, 2)


def example_rows(model, x, y, n=6, seed=0):
    """n validation reviews picked at random: their indices, labels and the model's probability of "positive"."""
    idx = np.sort(np.random.default_rng(seed).choice(len(x), size=min(n, len(x)), replace=False))
    proba = predict_proba(model, x[idx])[:, 0]         # (n,)
    return [dict(index=int(i), label=int(y[i]), proba=float(p)) for i, p in zip(idx, proba)]

"""One epoch of a textbook-style NumPy RNN vs rnn_core.model.numpy_rnn: time and peak memory, each in its own process.

    python benchmarks/bench_numpy_rnn.py              # one epoch of each model, 3 times (1-2 minutes)
    python benchmarks/bench_numpy_rnn.py --repeats 5  # more repeats on a busy machine
    python benchmarks/bench_numpy_rnn.py --full       # the chapter's whole run with our model: 20 epochs

Every step runs in its own process: one child prepares the padded int arrays (rnn_core.data.imdb) and saves
them as temporary .npy files, then each training child loads them, so data preparation is not part of
either measurement. The textbook-style child builds its one-hot arrays itself, as the book does. Both
models start from the same weights and see the same shuffles; each child reports its epoch time (wall
and CPU) and its peak resident memory (ru_maxrss at the end of the child, VmHWM as a cross-check).
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnn_core.model.init import glorot_uniform, orthogonal  # noqa: E402
from rnn_core.model.numpy_rnn import RecurrentNetwork  # noqa: E402

N_CELLS, BATCH, LR, WINDOW, SEED = 32, 32, 0.01, 10, 42   # the chapter's run


class TextbookRNN:
    """The book's RecurrentNetwork (one-hot input, dense X_t W1x, full shuffled copy) with the .T fixed.

    As printed (state=np.float64): biases and H_0 are np.zeros, i.e. float64, so the hidden states and
    gradients are float64 although the weights and the one-hot input are float32. state=np.float32 keeps
    everything in float32: the same algorithm without that cost.
    """

    def __init__(self, n_cells=10, batch_size=32, learning_rate=0.1, state=np.float64):
        self.state = state
        self.n_cells = n_cells
        self.batch_size = batch_size
        self.lr = learning_rate
        self.rng = np.random.default_rng(SEED)   # the book: np.random.seed(42); here the same draws as ours
        self.losses, self.val_losses = [], []

    def forpass(self, x):
        """The book's forward pass: a dense product with the one-hot rows at every step."""
        self.h = [np.zeros((x.shape[0], self.n_cells), dtype=self.state)]
        seq = np.swapaxes(x, 0, 1)
        for x in seq:
            z1 = np.dot(x, self.w1x) + np.dot(self.h[-1], self.w1h) + self.b1
            h = np.tanh(z1)
            self.h.append(h)
            z2 = np.dot(h, self.w2) + self.b2
        return z2

    def backprop(self, x, err):
        """The book's truncated BPTT (last 10 steps), with the transpose the derivative needs."""
        m = len(x)
        w2_grad = np.dot(self.h[-1].T, err) / m
        b2_grad = np.sum(err) / m
        seq = np.swapaxes(x, 0, 1)
        w1h_grad = w1x_grad = b1_grad = 0
        err_to_cell = np.dot(err, self.w2.T) * (1 - self.h[-1] ** 2)
        for x, h in zip(seq[::-1][:WINDOW], self.h[:-1][::-1][:WINDOW]):
            w1h_grad += np.dot(h.T, err_to_cell)
            w1x_grad += np.dot(x.T, err_to_cell)
            b1_grad += np.sum(err_to_cell, axis=0)
            err_to_cell = np.dot(err_to_cell, self.w1h.T) * (1 - h ** 2)
        return w1h_grad / m, w1x_grad / m, b1_grad / m, w2_grad, b2_grad

    def sigmoid(self, z):
        """The book's sigmoid."""
        return 1 / (1 + np.exp(-np.clip(z, -50, None)))

    def init_weights(self, n_features, n_classes):
        """The same initialisers, in the same order, as rnn_core's model."""
        self.w1h = orthogonal((self.n_cells, self.n_cells), self.rng)
        self.w1x = glorot_uniform((n_features, self.n_cells), self.rng)
        self.b1 = np.zeros(self.n_cells, dtype=self.state)
        self.w2 = glorot_uniform((self.n_cells, n_classes), self.rng)
        self.b2 = np.zeros(n_classes, dtype=self.state)

    def fit(self, x, y, epochs=100, x_val=None, y_val=None):
        """The book's fit: mean batch loss per epoch, validation loss on the whole set after each epoch."""
        y = y.reshape(-1, 1).astype(self.state)
        y_val = y_val.reshape(-1, 1).astype(self.state)
        self.init_weights(x.shape[2], y.shape[1])
        for _ in range(epochs):
            batch_losses = []
            for x_batch, y_batch in self.gen_batch(x, y):
                a = self.training(x_batch, y_batch)
                a = np.clip(a, 1e-7, 1 - 1e-7)
                batch_losses.append(np.mean(-(y_batch * np.log(a) + (1 - y_batch) * np.log(1 - a))))
            self.losses.append(np.mean(batch_losses))
            a = np.clip(self.sigmoid(self.forpass(x_val)), 1e-7, 1 - 1e-7)
            self.val_losses.append(np.mean(-(y_val * np.log(a) + (1 - y_val) * np.log(1 - a))))

    def gen_batch(self, x, y):
        """The book's generator: a shuffled copy of the whole (one-hot) set, then slices of it."""
        length = len(x)
        bins = length // self.batch_size
        if length % self.batch_size:
            bins += 1
        indexes = self.rng.permutation(length)
        x = x[indexes]
        y = y[indexes]
        for i in range(bins):
            start = self.batch_size * i
            end = self.batch_size * (i + 1)
            yield x[start:end], y[start:end]

    training = RecurrentNetwork.training     # the book's SGD step, the same in both models


def peak_mb():
    """Peak resident memory of this process, in MB: ru_maxrss (KB on Linux) and /proc's VmHWM as a cross-check."""
    rusage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    status = Path("/proc/self/status")
    hwm = next((int(line.split()[1]) / 1024 for line in status.read_text().splitlines()
                if line.startswith("VmHWM:")), float("nan")) if status.exists() else float("nan")
    return rusage, hwm


def load_arrays(data_dir):
    """The padded int arrays the parent saved: x_train, y_train, x_val, y_val."""
    return [np.load(Path(data_dir) / f"{name}.npy") for name in ("x_train", "y_train", "x_val", "y_val")]


def child_epoch(kind, data_dir):
    """Train one epoch of `kind` ("book", "book32" or "ours") in this process; print the measurements as JSON."""
    x, y, x_val, y_val = load_arrays(data_dir)
    n_features = int(max(x.max(), x_val.max())) + 1
    start = time.perf_counter()
    if kind.startswith("book"):
        eye = np.eye(n_features, dtype=np.float32)   # to_categorical, float32 as in the book's Keras
        x, x_val = eye[x], eye[x_val]                 # (20000, 100, 100) and (5000, 100, 100)
        state = np.float32 if kind == "book32" else np.float64
        model = TextbookRNN(n_cells=N_CELLS, batch_size=BATCH, learning_rate=LR, state=state)
    else:
        model = RecurrentNetwork(n_cells=N_CELLS, batch_size=BATCH, learning_rate=LR, truncation=WINDOW, seed=SEED)
    prep = time.perf_counter() - start
    wall, cpu = time.perf_counter(), time.process_time()
    if kind.startswith("book"):
        model.fit(x, y, epochs=1, x_val=x_val, y_val=y_val)
    else:
        model.fit(x, y, epochs=1, x_val=x_val, y_val=y_val, n_features=n_features)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rss, hwm = peak_mb()
    print(json.dumps({"kind": kind, "prep_s": prep, "epoch_s": wall, "cpu_s": cpu, "peak_mb": rss, "hwm_mb": hwm,
                      "loss": float(model.losses[0]), "val_loss": float(model.val_losses[0])}))


def child_full(data_dir):
    """The chapter's run with rnn_core's model: 32 cells, batch 32, lr 0.01, 20 epochs, validation after each."""
    x, y, x_val, y_val = load_arrays(data_dir)
    rn = RecurrentNetwork(n_cells=N_CELLS, batch_size=BATCH, learning_rate=LR, truncation=WINDOW, seed=SEED)

    def report(event):
        if event.kind == "epoch":
            print(f"  epoch {event.epoch + 1:2d}: loss {event.loss:.4f}, val_loss {event.val_loss:.4f}, "
                  f"{event.elapsed:5.1f} s", flush=True)
        elif event.kind == "diverged":
            print(f"  diverged in epoch {event.epoch + 1} (loss {event.loss})", flush=True)

    wall, cpu = time.perf_counter(), time.process_time()
    rn.fit(x, y, epochs=20, x_val=x_val, y_val=y_val, n_features=100, callback=report)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    acc = rn.score(x_val, y_val)
    rss, _ = peak_mb()
    print(f"\nfull run: {wall:.1f} s for 20 epochs ({cpu:.1f} s CPU; target < 30 s), validation accuracy "
          f"{acc:.4f} (target >= 0.68; textbook 0.68-0.70), diverged={rn.diverged}, peak memory {rss:.0f} MB")


def child_prepare(data_dir, out_dir):
    """Prepare the chapter's padded split with rnn_core.data.imdb and save it as .npy files."""
    from rnn_core.data.imdb import prepare_chapter_data
    data = prepare_chapter_data(num_words=100, skip_top=20, maxlen=100, data_dir=data_dir)
    for name in ("x_train", "y_train", "x_val", "y_val"):
        np.save(Path(out_dir) / f"{name}.npy", getattr(data, name))
    print(f"data: source={data.source}, x_train {data.x_train.shape} {data.x_train.dtype}, x_val {data.x_val.shape}")


def run_child(*args, threads, capture=True):
    """Run this script with the given arguments in a fresh process; return its stdout (if captured)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, __file__, *args], capture_output=capture, text=True, env=env)
    if out.returncode:
        sys.exit(f"child {args[:2]} failed:\n{out.stderr or ''}")
    return out.stdout or ""


KINDS = {"book": "textbook, as printed (float64 states)", "book32": "textbook, all float32",
         "ours": "rnn_core.model.numpy_rnn"}


def compare(data_dir, repeats, threads):
    """Run the three epoch children `repeats` times, in turn, and print medians and ratios."""
    results = {kind: [] for kind in KINDS}
    for r in range(repeats):
        for kind in KINDS:
            res = json.loads(run_child("--child", kind, data_dir, threads=threads).strip().splitlines()[-1])
            results[kind].append(res)
            print(f"  run {r + 1} {kind:6s}: epoch {res['epoch_s']:5.2f} s (CPU {res['cpu_s']:5.2f} s), "
                  f"peak {res['peak_mb']:5.0f} MB (VmHWM {res['hwm_mb']:5.0f}), one-hot/setup {res['prep_s']:4.2f} s, "
                  f"loss {res['loss']:.6f}, val_loss {res['val_loss']:.6f}", flush=True)
    med = {k: {f: statistics.median(r[f] for r in v) for f in ("epoch_s", "cpu_s", "peak_mb")}
           for k, v in results.items()}
    ours = med["ours"]
    print(f"\nmedians of {repeats} runs (one epoch, 20,000 x 100 steps, 100 features, {N_CELLS} cells, "
          f"batch {BATCH}, window {WINDOW}, validation on {5000:,}):")
    for kind, label in KINDS.items():
        m = med[kind]
        print(f"  {label:38s} {m['epoch_s']:5.2f} s wall, {m['cpu_s']:5.2f} s CPU, peak {m['peak_mb']:5.0f} MB")
    for kind in ("book", "book32"):
        m = med[kind]
        gap = max(abs(b["val_loss"] - o["val_loss"]) for b, o in zip(results[kind], results["ours"]))
        print(f"  vs {KINDS[kind]}: {m['epoch_s'] / ours['epoch_s']:.1f}x faster (wall), "
              f"{m['cpu_s'] / ours['cpu_s']:.1f}x (CPU) [target >= 5x]; "
              f"{m['peak_mb'] / ours['peak_mb']:.1f}x less peak memory [target >= 10x]; "
              f"validation-loss gap {gap:.1e}")


def main():
    """Parse the flags; prepare the data in a child, then run the comparison or the full run in children."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the chapter's 20-epoch run with rnn_core's model")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each child (the median is reported)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads in the children (tiny matrices: 1)")
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"), help="folder with imdb.npz")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "prepare":
            child_prepare(*rest)
        elif kind == "full":
            child_full(*rest)
        else:
            child_epoch(kind, *rest)
        return
    with tempfile.TemporaryDirectory() as tmp:
        print(run_child("--child", "prepare", args.data_dir, tmp, threads=args.threads), end="")
        if args.full:
            run_child("--child", "full", tmp, threads=args.threads, capture=False)
        else:
            compare(tmp, max(1, args.repeats), args.threads)


if __name__ == "__main__":
    main()

"""Keras model A for one epoch at the chapter's scale: the textbook's one-hot tensor vs one-hot inside the model.

    python benchmarks/bench_keras_onehot.py               # every way twice, each run in its own process (~5 min)
    python benchmarks/bench_keras_onehot.py --repeats 3   # more repeats on a busy machine
    python benchmarks/bench_keras_onehot.py --n 2000      # a quick look on fewer reviews

Model A is SimpleRNN(32) + Dense(1, sigmoid), sgd, batch 32, on 20,000 reviews x 100 steps x 100 features.

    textbook      x = keras.utils.to_categorical(x_train): float64 (20000, 100, 100), 1.6 GB, then model.fit
    in-model      int tokens (20000, 100), 8 MB; a OneHot layer (ops.one_hot) makes each batch's rows; model.fit
    in-model+XLA  the same, compiled with jit_compile=True (Keras's "auto" leaves XLA off on a CPU)
    spe32         in-model with steps_per_execution=32: one TensorFlow call runs 32 batches, each still one
                  SGD step of batch size 32 (the same maths)
    unroll+spe32  the project's way (scripts/save_keras_runs.py; the page's "unroll" switch): spe32 with
                  SimpleRNN(unroll=True), the 100 time steps written out instead of a loop (the same maths)
    page          what the Keras page runs by default: spe32 without unrolling (it keeps the server's memory
                  lower), model.fit on ~1.5 s slices of batches (fit_in_chunks), so Stop works between slices

A parent process prepares the padded tokens once (rnn_core.data.imdb, the real data when present) and saves
them as .npy; each way then runs in a fresh child process that loads them, so data preparation is not
timed, and the peak memory (ru_maxrss, VmHWM as a cross-check) is the child's own, TensorFlow included.
A child first fits 64 samples (tracing, XLA compiling: reported as "compile"), then times one epoch.
No validation: both ways train the same epoch on the same data.
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
WAYS = ("textbook", "in-model", "in-model+XLA", "spe32", "unroll+spe32", "page")
PROJECT = "unroll+spe32"   # the project's way: it must use <= 1 GB and <= half the textbook's epoch time


def peak_mb():
    """This process's peak resident memory: ru_maxrss and VmHWM, in MB."""
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, int(status["VmHWM"].split()[0]) / 1024


def child(way, folder):
    """Train one epoch one way; print a JSON line with the times and the peak memory."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    from rnn_core.model import keras_models

    x = np.load(Path(folder) / "x.npy")                        # (m, 100) int32 tokens
    y = np.load(Path(folder) / "y.npy").astype("float32")      # (m,)
    t0 = time.perf_counter()
    if way == "textbook":
        x = keras.utils.to_categorical(x)                      # (m, 100, 100) float64, as the book does
        model = keras_models.build_model("keras_a", onehot_inside=False, steps_per_execution=1, jit_compile="auto")
    else:
        plain = way in ("in-model", "in-model+XLA")
        model = keras_models.build_model("keras_a", steps_per_execution=1 if plain else 32,
                                         unroll=way == "unroll+spe32", jit_compile=way == "in-model+XLA")
    prep = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.fit(x[:64], y[:64], batch_size=32, epochs=1, verbose=0)
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    if way == "page":
        for _ in keras_models.fit_in_chunks(model, x, y, x[:250], y[:250], epochs=1):
            pass                                                # (validates 250 reviews at the end of the epoch)
    else:
        model.fit(x, y, batch_size=32, epochs=1, verbose=0)    # shuffle=True, as the book
    epoch = time.perf_counter() - t0
    maxrss, hwm = peak_mb()
    print(json.dumps(dict(way=way, n=len(x), x_dtype=str(x.dtype), x_mb=x.nbytes / 2**20, prep_s=prep,
                          compile_s=compile_s, epoch_s=epoch, peak_mb=maxrss, vmhwm_mb=hwm)))


def prepare(folder, n):
    """The chapter's padded training tokens (num_words 100), first n reviews, saved as .npy."""
    from rnn_core.data.imdb import prepare_chapter_data
    data = prepare_chapter_data(num_words=100, skip_top=20, maxlen=100)
    np.save(Path(folder) / "x.npy", np.ascontiguousarray(data.x_train[:n]))
    np.save(Path(folder) / "y.npy", np.ascontiguousarray(data.y_train[:n]))
    return data.source


def run_child(way, folder):
    """One child process; its JSON result."""
    out = subprocess.run([sys.executable, __file__, "--child", way, "--folder", folder],
                         capture_output=True, text=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode or not lines:
        sys.exit(f"{way} failed (exit {out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(lines[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--n", type=int, default=20_000, help="training reviews (the chapter: 20,000)")
    parser.add_argument("--ways", nargs="+", default=list(WAYS), choices=WAYS)
    parser.add_argument("--child", choices=WAYS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.folder)

    with tempfile.TemporaryDirectory() as folder:
        source = prepare(folder, args.n)
        print(f"data: {source}, {args.n} reviews x 100 steps, 100 features; {os.cpu_count()} CPU cores; "
              f"load average {os.getloadavg()[0]:.1f}")
        results = {way: [] for way in args.ways}
        for r in range(args.repeats):                          # interleaved, so a busy spell hits every way
            for way in args.ways:
                res = run_child(way, folder)
                results[way].append(res)
                print(f"  run {r + 1} {way:13s} epoch {res['epoch_s']:6.1f} s  compile {res['compile_s']:5.1f} s  "
                      f"prep {res['prep_s']:5.1f} s  peak {res['peak_mb']:6.0f} MB  (input {res['x_dtype']}, "
                      f"{res['x_mb']:.0f} MB; load {os.getloadavg()[0]:.1f})", flush=True)

    med = {way: {k: statistics.median(r[k] for r in rs) for k in ("epoch_s", "compile_s", "prep_s", "peak_mb")}
           for way, rs in results.items()}
    print(f"\nmedian of {args.repeats} run(s)   epoch s   +compile s   peak MB   epoch vs textbook   peak vs textbook")
    base = med.get("textbook")
    for way, m in med.items():
        ratio = (f"{base['epoch_s'] / m['epoch_s']:5.2f}x faster   {m['peak_mb'] / base['peak_mb']:5.2f}"
                 if base else "")
        print(f"{way:22s} {m['epoch_s']:8.1f}   {m['epoch_s'] + m['compile_s']:10.1f}   {m['peak_mb']:7.0f}   {ratio}")
    print(f"\nthe project's way is '{PROJECT}' (scripts/save_keras_runs.py, the page with 'unroll' on); "
          f"by default the page trains like 'page'")
    for way in (w for w in (PROJECT, "page") if base and w in med):
        p = med[way]
        speedup = base["epoch_s"] / p["epoch_s"]
        with_compile = (base["epoch_s"] + base["compile_s"]) / (p["epoch_s"] + p["compile_s"])
        print(f"{way}: peak {p['peak_mb']:.0f} MB (<= 1024: {p['peak_mb'] <= 1024}), epoch {speedup:.2f}x "
              f"faster than the textbook's (>= 2: {speedup >= 2}; counting compile time {with_compile:.2f}x)")


if __name__ == "__main__":
    main()

"""Memory experiment: accuracy, gradient reach vs the decisive token's distance; writes saved_runs/memory_distance.json.

    IMDB_DATA_DIR=/folder/with/imdb.npz IMDB_OFFLINE=1 python scripts/memory_distance.py [--quick] [--out PATH]

Trains with fixed seeds (rnn_core.lessons.memory: the task, the NumPy models and the gradient reach):
  * main task: uniform random filler, 6,000 training and 1,000 validation reviews, 8 epochs, at every distance:
    NumPy RecurrentNetwork (32 cells, lr 0.1, batch 32) with truncation 10, with full BPTT, and full BPTT with
    the gradient clipped to norm 1; Keras Embedding(100, 32) + SimpleRNN(8) and + LSTM(8), adam, full BPTT;
  * a harder task (real IMDB words as filler, 4 distractor tokens, 2,000 training reviews) for the Keras models;
  * the embedding frozen at random vectors (a filler word can't be switched off) for the Keras models;
  * the LSTM with its forget-gate bias started at 3 instead of Keras's 1;
  * padding in front or behind on the chapter's own data: the NumPy model (chapter settings) and model C.
--skip leaves parts out; with --update the parts left out are kept from the existing file (every part is
seeded, so a part rerun alone gives the same numbers). About 20-25 minutes on 2 shared cores.
"""
import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from rnn_core.config import CHAPTER  # noqa: E402
from rnn_core.data.imdb import prepare_chapter_data  # noqa: E402
from rnn_core.lessons import memory  # noqa: E402
from rnn_core.lessons.memory import N_FEATURES, Task  # noqa: E402

SEED = 0
MAIN = dict(n_train=6000, n_val=1000, epochs=8, filler="uniform", n_distractors=0)
HARD = dict(n_train=2000, n_val=1000, epochs=8, filler="imdb", n_distractors=4)
# The embedding frozen at random vectors of this size: the filler can't be switched off by learning zero rows
FROZEN = dict(n_train=6000, n_val=1000, epochs=8, filler="uniform", n_distractors=0, frozen_scale=0.5)
EXTRA_DISTANCES = [10, 40, 95]
FROZEN_DISTANCES = [10, 20, 40, 95]
# The LSTM's forget gate starts at sigmoid(1) = 0.73 (Keras's unit_forget_bias): 0.73^d shrinks fast with d.
# The same LSTM with the forget gate's bias started at 3 (sigmoid(3) = 0.95) on the main task:
FORGET = dict(MAIN, forget_bias=3.0)
FORGET_DISTANCES = [40, 70, 95]
NUMPY = dict(n_cells=32, batch_size=32, learning_rate=0.1)
NUMPY_MODELS = {"numpy_tbptt": dict(truncation=10), "numpy_full": dict(truncation=None),
                "numpy_full_clip": dict(truncation=None, clip=1.0)}
PARTS = {"numpy", "keras", "hard", "frozen", "forget", "padding"}
REACH_N = 200                                   # reviews the gradient reach is averaged over


def say(*args):
    print(*args, flush=True)


def task_data(setting, d, stream):
    """Training and validation sets of one setting at distance d, plus the reach batch."""
    kw = dict(filler=setting["filler"], n_distractors=setting["n_distractors"])
    return (memory.make_task(Task(d, setting["n_train"], SEED, **kw), stream),
            memory.make_task(Task(d, setting["n_val"], SEED + 1, **kw), stream),
            Task(d, REACH_N, SEED + 2, **kw))


def saturation(model, x):
    """Share of last hidden-state numbers with |H_T| > 0.99 (tanh stuck at +-1: no gradient passes)."""
    model.forpass(x)
    return float(np.mean(np.abs(model.h[-1]) > 0.99))


def run_numpy(setting, distances, stream):
    """NumPy models at every distance: accuracy, reach, gradient norms, saturation."""
    out = {name: dict(accuracy=[], gradient_reach=[], epochs_accuracy=[], grad_norm_median=[], grad_norm_max=[],
                      saturation=[], seconds=[]) for name in NUMPY_MODELS}
    out["numpy_tbptt"]["gradient_reach_full_bptt"] = []
    for d in distances:
        (x, y), (x_val, y_val), reach_task = task_data(setting, d, stream)
        for name, kw in NUMPY_MODELS.items():
            t0 = time.perf_counter()
            model = memory.MemoryNetwork(seed=SEED, **NUMPY, **kw)
            per_epoch, early_reach = [], []
            watch = name != "numpy_tbptt" and d == 2 * memory.WINDOW   # where clipping makes the difference
            for event in model.iter_fit(x, y, epochs=setting["epochs"], n_features=N_FEATURES):
                if event.kind == "epoch":
                    per_epoch.append(model.score(x_val, y_val))
                elif watch and event.epoch == 0 and event.batch % 5 == 0:      # the first epoch, closely
                    early_reach.append([event.batch + 1, memory.reach_numpy(model, reach_task, stream)])
            r = out[name]
            r["accuracy"].append(model.score(x_val, y_val))
            r["epochs_accuracy"].append(per_epoch)
            r["gradient_reach"].append(memory.reach_numpy(model, reach_task, stream))
            r["grad_norm_median"].append(float(np.median(model.grad_norms)))
            r["grad_norm_max"].append(float(np.max(model.grad_norms)))
            r["saturation"].append(saturation(model, x_val[:500]))
            r["seconds"].append(round(time.perf_counter() - t0, 1))
            if name == "numpy_tbptt":
                r["gradient_reach_full_bptt"].append(memory.reach_numpy(model, reach_task, stream, truncation=None))
            say(f"  d={d:3d} {name:16s} acc {r['accuracy'][-1]:.3f} reach {r['gradient_reach'][-1]:.2e} "
                f"|g| median {r['grad_norm_median'][-1]:.2f} max {r['grad_norm_max'][-1]:.1f} "
                f"saturated {r['saturation'][-1]:.2f} ({r['seconds'][-1]} s) diverged={model.diverged}")
            if watch:
                out.setdefault("batch_norms", {"distance": d})[name] = [round(v, 3) for v in model.grad_norms]
                out.setdefault("radii", {"distance": d})[name] = [round(v, 4) for v in model.radii]
                out.setdefault("early_reach", {"distance": d})[name] = early_reach
    return out


def keras_model(cell, seed, frozen_scale=None, forget_bias=None):
    """Embedding(100, 32) + SimpleRNN(8) or LSTM(8) + Dense(1, sigmoid), adam, as models B and C but 100 words.

    frozen_scale: the embedding is not trained and holds normal random vectors of that standard deviation.
    forget_bias: the LSTM's forget-gate bias starts at this value instead of Keras's 1.
    """
    from rnn_core.model import keras_models
    kind = "keras_c" if cell == "lstm" else "keras_b"
    if frozen_scale is None:
        model = keras_models.build_model(kind, seed=seed, num_words=N_FEATURES, unroll=True)
        if forget_bias is not None and cell == "lstm":
            bias = model.get_layer("lstm").cell.bias
            b = np.array(bias.numpy())
            units = len(b) // 4
            b[units:2 * units] = forget_bias                        # gates i, f, c, o: the second block is f
            bias.assign(b)
        return kind, model
    import keras
    keras.utils.set_random_seed(seed)
    rnn = keras.layers.LSTM(8, unroll=True, name="lstm") if cell == "lstm" else keras.layers.SimpleRNN(
        8, unroll=True, name="rnn")
    model = keras.Sequential([
        keras.Input((memory.STEPS,), dtype="int32"),
        keras.layers.Embedding(N_FEATURES, CHAPTER.embedding_dim, name="embedding", trainable=False,
                               embeddings_initializer=keras.initializers.RandomNormal(stddev=frozen_scale, seed=seed)),
        rnn, keras.layers.Dense(1, activation="sigmoid", name="dense")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], steps_per_execution=32)
    return kind, model


def run_keras(setting, distances, stream, cells=(("keras_simplernn", "simple"), ("keras_lstm", "lstm"))):
    """Keras SimpleRNN and LSTM at every distance: accuracy (per epoch too) and reach, trained and at init."""
    from rnn_core.model import keras_models
    out = {}
    for name, cell in cells:
        r = out[name] = dict(accuracy=[], gradient_reach=[], gradient_reach_init=[], epochs_accuracy=[], seconds=[])
        for d in distances:
            (x, y), (x_val, y_val), reach_task = task_data(setting, d, stream)
            t0 = time.perf_counter()
            kind, model = keras_model(cell, SEED, setting.get("frozen_scale"), setting.get("forget_bias"))
            r["gradient_reach_init"].append(memory.reach_keras(kind, keras_models.export_weights(model), reach_task,
                                                               stream))
            h = model.fit(x, y.astype("float32"), batch_size=32, epochs=setting["epochs"], verbose=0,
                          validation_data=(x_val, y_val.astype("float32")), validation_batch_size=250,
                          shuffle=True)
            weights = keras_models.export_weights(model)
            p = keras_models.predict(model, x_val)
            r["accuracy"].append(float(np.mean((p[:, 0] > 0.5) == y_val)))
            r["epochs_accuracy"].append([float(v) for v in h.history["val_accuracy"]])
            r["gradient_reach"].append(memory.reach_keras(kind, weights, reach_task, stream))
            r["seconds"].append(round(time.perf_counter() - t0, 1))
            r.setdefault("parameters", int(model.count_params()))
            say(f"  d={d:3d} {name:16s} acc {r['accuracy'][-1]:.3f} reach {r['gradient_reach'][-1]:.2e} "
                f"(init {r['gradient_reach_init'][-1]:.2e}) per epoch {np.round(r['epochs_accuracy'][-1], 2)} "
                f"({r['seconds'][-1]} s)")
    return out


def run_padding(epochs_numpy, epochs_keras):
    """Front (the chapter) against back padding, on the chapter's data: the NumPy model and model C."""
    from rnn_core.model import keras_models
    out = {}
    data = prepare_chapter_data(CHAPTER.num_words, CHAPTER.skip_top, CHAPTER.maxlen)
    for where in ("pre", "post"):
        x = data.x_train if where == "pre" else memory.post_pad(data.train_reviews, CHAPTER.maxlen)
        x_val = data.x_val if where == "pre" else memory.post_pad(data.val_reviews, CHAPTER.maxlen)
        t0 = time.perf_counter()
        model = memory.MemoryNetwork(n_cells=CHAPTER.n_cells, batch_size=CHAPTER.batch_size,
                                     learning_rate=CHAPTER.learning_rate, truncation=CHAPTER.truncation,
                                     seed=CHAPTER.seed)
        model.fit(x, data.y_train, epochs=epochs_numpy, n_features=CHAPTER.num_words)
        out.setdefault("numpy", {})[where] = model.score(x_val, data.y_val)
        out.setdefault("median_last_word_distance", {})[where] = float(np.median(memory.last_word_distance(x_val)))
        say(f"  padding {where}: numpy {out['numpy'][where]:.4f} ({time.perf_counter() - t0:.0f} s), "
            f"median distance of the last word {out['median_last_word_distance'][where]}")
    spec = CHAPTER.keras["keras_c"]
    data = prepare_chapter_data(spec.num_words, CHAPTER.skip_top, CHAPTER.maxlen)
    for where in ("pre", "post"):
        x = data.x_train if where == "pre" else memory.post_pad(data.train_reviews, CHAPTER.maxlen)
        x_val = data.x_val if where == "pre" else memory.post_pad(data.val_reviews, CHAPTER.maxlen)
        t0 = time.perf_counter()
        model = keras_models.build_model("keras_c", seed=CHAPTER.seed, unroll=True)
        h = model.fit(x, data.y_train.astype("float32"), batch_size=32, epochs=epochs_keras, verbose=0,
                      validation_data=(x_val, data.y_val.astype("float32")), validation_batch_size=250)
        out.setdefault("keras_c", {})[where] = float(h.history["val_accuracy"][-1])
        out.setdefault("keras_c_epochs", {})[where] = [float(v) for v in h.history["val_accuracy"]]
        say(f"  padding {where}: keras_c {out['keras_c'][where]:.4f} per epoch "
            f"{np.round(out['keras_c_epochs'][where], 3)} ({time.perf_counter() - t0:.0f} s)")
    out.update(epochs={"numpy": epochs_numpy, "keras_c": epochs_keras}, data_source=data.source,
               n_train=len(data.x_train), n_val=len(data.x_val))
    return out


def parameters():
    """Parameter counts of the four models (one-hot 100 -> 32 cells; Embedding(100, 32) -> 8 cells)."""
    n_c, n_f = NUMPY["n_cells"], N_FEATURES
    emb, u = CHAPTER.embedding_dim, 8
    return {"numpy": {"total": n_f * n_c + n_c * n_c + n_c + n_c + 1, "recurrent": n_c * n_c},
            "keras_simplernn": {"total": n_f * emb + emb * u + u * u + u + u + 1, "recurrent": u * u},
            "keras_lstm": {"total": n_f * emb + 4 * (emb * u + u * u + u) + u + 1, "recurrent": 4 * u * u}}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="two distances, fewer reviews (a smoke run)")
    p.add_argument("--skip", nargs="*", default=[], choices=sorted(PARTS))
    p.add_argument("--out", type=Path, default=memory.RESULTS_PATH)
    p.add_argument("--update", action="store_true",
                   help="keep the parts of the existing file that are skipped now (rerun only some parts)")
    args = p.parse_args()
    start = time.perf_counter()
    distances = [5, 40] if args.quick else list(memory.DISTANCES)
    main_setting, hard_setting, frozen_setting, forget_setting = dict(MAIN), dict(HARD), dict(FROZEN), dict(FORGET)
    if args.quick:
        for s in (main_setting, hard_setting, frozen_setting, forget_setting):
            s.update(n_train=1000, n_val=300, epochs=2)
    data = prepare_chapter_data(CHAPTER.num_words, CHAPTER.skip_top, CHAPTER.maxlen)
    stream = memory.imdb_stream(data.train_reviews)
    say(f"data: {data.source}; {len(stream):,} real filler tokens")
    results = {"distances": distances, "window": memory.WINDOW, "accuracy": {}, "gradient_reach": {},
               "task": (f"T = {memory.STEPS}; token {memory.POSITIVE} (label 1) or {memory.NEGATIVE} (label 0) at step "
                        f"T - d + 1, uniform random filler of tokens {memory.FILLER_LOW}..{N_FEATURES - 1}; "
                        f"{main_setting['n_train']} training / {main_setting['n_val']} validation reviews, "
                        f"{main_setting['epochs']} epochs, seed {SEED}"),
               "settings": {"main": main_setting, "hard": hard_setting, "numpy": NUMPY,
                            "numpy_models": NUMPY_MODELS,
                            "keras": "Embedding(100, 32) + SimpleRNN(8) or LSTM(8) + Dense(1, sigmoid), adam, "
                                     "batch 32, full BPTT, unrolled", "reach_reviews": REACH_N},
               "gradient_reach_definition": "mean over reviews of |dL/dx_{T-d}|, x the vector the recurrent layer "
                                            "reads (one-hot for NumPy, the embedding for Keras), on trained weights; "
                                            "NumPy through its own backprop (0 beyond its truncation window)",
               "parameters": parameters(), "details": {}}
    if "numpy" not in args.skip:
        say("main task, NumPy models")
        out = run_numpy(main_setting, distances, stream)
        for key in ("batch_norms", "radii", "early_reach"):
            results[key] = out.pop(key, {})
        for name, r in out.items():
            results["accuracy"][name] = r.pop("accuracy")
            results["gradient_reach"][name] = r.pop("gradient_reach")
            results["details"][name] = r
    if "keras" not in args.skip:
        say("main task, Keras models")
        for name, r in run_keras(main_setting, distances, stream).items():
            results["accuracy"][name] = r.pop("accuracy")
            results["gradient_reach"][name] = r.pop("gradient_reach")
            results["details"][name] = r
    if "hard" not in args.skip:
        say("hard task (real review filler, distractors, fewer reviews), Keras models")
        extra = distances if args.quick else EXTRA_DISTANCES
        results["hard"] = {"task": hard_setting, "distances": extra, **run_keras(hard_setting, extra, stream)}
    if "frozen" not in args.skip:
        say("frozen random embedding (the filler can't be switched off), Keras models")
        extra = distances if args.quick else FROZEN_DISTANCES
        results["frozen"] = {"task": frozen_setting, "distances": extra, **run_keras(frozen_setting, extra, stream)}
    if "forget" not in args.skip:
        say("the LSTM with its forget gate started open (bias 3), main task")
        extra = distances if args.quick else FORGET_DISTANCES
        results["forget"] = {"task": forget_setting, "distances": extra,
                             **run_keras(forget_setting, extra, stream, cells=(("keras_lstm", "lstm"),))}
    if "padding" not in args.skip:
        say("padding in front or behind, chapter data")
        results["padding"] = run_padding(epochs_numpy=5 if args.quick else 10, epochs_keras=1 if args.quick else 5)
    if args.update and args.out.is_file():
        old = json.loads(args.out.read_text(encoding="utf-8"))
        for key in ("accuracy", "gradient_reach", "details"):
            results[key] = {**old.get(key, {}), **results[key]}
        for key in ("hard", "frozen", "forget", "padding", "batch_norms", "radii", "early_reach"):
            if key in old and key not in results:
                results[key] = old[key]
        results["earlier_runs"] = old.get("earlier_runs", []) + [{"made": old["made"].split(" (only ")[0],
                                                                  "seconds": old["seconds"], "parts": old["parts"]}]
    results["parts"] = sorted(PARTS - set(args.skip))
    results.update(made=f"scripts/memory_distance.py on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; "
                        f"Python {platform.python_version()}, NumPy {np.__version__}, {os.cpu_count()} CPU cores "
                        f"(shared); data {data.source}",
                   seconds=round(time.perf_counter() - start))
    if args.update and results.get("earlier_runs"):
        results["made"] += f" (only {', '.join(sorted(PARTS - set(args.skip)))} rerun; the rest: see earlier_runs)"
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    say(f"wrote {args.out} in {results['seconds']} s")


if __name__ == "__main__":
    main()

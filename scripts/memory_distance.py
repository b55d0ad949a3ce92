"""Memory experiment: accuracy, gradient reach vs the decisive token's distance; writes saved_runs/memory_distance.json.

    IMDB_DATA_DIR=/folder/with/imdb.npz IMDB_OFFLINE=1 python scripts/memory_distance.py [--quick] [--out PATH]
        [--seeds 3] [--skip PART...] [--update] [--distances D...]
    python scripts/memory_distance.py --replace-seeds RUN.json      (RUN made with --seed-list: its seeds go in)

Every point is trained once per seed (seed s: the model's seed s, the task's seeds 10 s, 10 s + 1, 10 s + 2);
"accuracy" holds the mean over the seeds and "accuracy_seeds" every seed's value (memory.spread: the interval).
The file is written after every part, so a run stopped early keeps the parts it finished.
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


def task_data(setting, d, stream, seed=SEED):
    """Training and validation sets of one setting at distance d, plus the reach batch (seed 0: the old seeds)."""
    kw = dict(filler=setting["filler"], n_distractors=setting["n_distractors"])
    base = 10 * seed
    return (memory.make_task(Task(d, setting["n_train"], base, **kw), stream),
            memory.make_task(Task(d, setting["n_val"], base + 1, **kw), stream),
            Task(d, REACH_N, base + 2, **kw))


def saturation(model, x):
    """Share of last hidden-state numbers with |H_T| > 0.99 (tanh stuck at +-1: no gradient passes)."""
    model.forpass(x)
    return float(np.mean(np.abs(model.h[-1]) > 0.99))


def run_numpy(setting, distances, stream, seed=SEED):
    """NumPy models at every distance: accuracy, reach, gradient norms, saturation; the token-swap control."""
    out = {name: dict(accuracy=[], gradient_reach=[], epochs_accuracy=[], grad_norm_median=[], grad_norm_max=[],
                      saturation=[], seconds=[], swapped_accuracy=[], planted_rows_moved=[])
           for name in NUMPY_MODELS}
    out["numpy_tbptt"]["gradient_reach_full_bptt"] = []
    for d in distances:
        (x, y), (x_val, y_val), reach_task = task_data(setting, d, stream, seed)
        for name, kw in NUMPY_MODELS.items():
            t0 = time.perf_counter()
            model = memory.MemoryNetwork(seed=seed, **NUMPY, **kw)
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
            r["swapped_accuracy"].append(memory.swapped_accuracy(model, x_val, y_val))
            r["planted_rows_moved"].append(memory.planted_rows_moved(model))
            r["seconds"].append(round(time.perf_counter() - t0, 1))
            if name == "numpy_tbptt":
                r["gradient_reach_full_bptt"].append(memory.reach_numpy(model, reach_task, stream, truncation=None))
            say(f"  d={d:3d} {name:16s} acc {r['accuracy'][-1]:.3f} reach {r['gradient_reach'][-1]:.2e} "
                f"|g| median {r['grad_norm_median'][-1]:.2f} max {r['grad_norm_max'][-1]:.1f} "
                f"saturated {r['saturation'][-1]:.2f} swapped {r['swapped_accuracy'][-1]:.3f} "
                f"rows moved {r['planted_rows_moved'][-1]:.2e} ({r['seconds'][-1]} s) seed {seed} "
                f"diverged={model.diverged}")
            if watch and seed == SEED:
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
    units = CHAPTER.keras[kind].units                      # models B and C's cells, as build_model gives them
    rnn = keras.layers.LSTM(units, unroll=True, name="lstm") if cell == "lstm" else keras.layers.SimpleRNN(
        units, unroll=True, name="rnn")
    model = keras.Sequential([
        keras.Input((memory.STEPS,), dtype="int32"),
        keras.layers.Embedding(N_FEATURES, CHAPTER.embedding_dim, name="embedding", trainable=False,
                               embeddings_initializer=keras.initializers.RandomNormal(stddev=frozen_scale, seed=seed)),
        rnn, keras.layers.Dense(1, activation="sigmoid", name="dense")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], steps_per_execution=32)
    return kind, model


def run_keras(setting, distances, stream, cells=(("keras_simplernn", "simple"), ("keras_lstm", "lstm")), seed=SEED):
    """Keras SimpleRNN and LSTM at every distance: accuracy (per epoch too) and reach, trained and at init."""
    from rnn_core.model import keras_models
    out = {}
    for name, cell in cells:
        r = out[name] = dict(accuracy=[], gradient_reach=[], gradient_reach_init=[], epochs_accuracy=[], seconds=[])
        for d in distances:
            (x, y), (x_val, y_val), reach_task = task_data(setting, d, stream, seed)
            t0 = time.perf_counter()
            kind, model = keras_model(cell, seed, setting.get("frozen_scale"), setting.get("forget_bias"))
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
                f"({r['seconds'][-1]} s) seed {seed}")
    return out


def run_padding(epochs_numpy, epochs_keras, seeds, models=("numpy", "keras_c")):
    """Front (the chapter) against back padding on the chapter's data, the NumPy model and model C, once per seed.

    Seed s trains from the model seed CHAPTER.seed + s (weights and batch order); the data split stays the chapter's.
    """
    from rnn_core.model import keras_models
    out = {"seeds": list(seeds)}
    for kind in models:
        num_words = CHAPTER.num_words if kind == "numpy" else CHAPTER.keras[kind].num_words
        data = prepare_chapter_data(num_words, CHAPTER.skip_top, CHAPTER.maxlen)
        post = {"x": memory.post_pad(data.train_reviews, CHAPTER.maxlen),
                "x_val": memory.post_pad(data.val_reviews, CHAPTER.maxlen)}
        if kind == "numpy":
            out["same_rows"] = float(np.mean(np.all(post["x_val"] == data.x_val, axis=1)))
            for where, x_val in (("pre", data.x_val), ("post", post["x_val"])):
                out.setdefault("median_last_word_distance", {})[where] = float(
                    np.median(memory.last_word_distance(x_val)))
        for where in ("pre", "post"):
            x = data.x_train if where == "pre" else post["x"]
            x_val = data.x_val if where == "pre" else post["x_val"]
            for s in seeds:
                t0 = time.perf_counter()
                if kind == "numpy":
                    model = memory.MemoryNetwork(n_cells=CHAPTER.n_cells, batch_size=CHAPTER.batch_size,
                                                 learning_rate=CHAPTER.learning_rate, truncation=CHAPTER.truncation,
                                                 seed=CHAPTER.seed + s)
                    model.fit(x, data.y_train, epochs=epochs_numpy, n_features=CHAPTER.num_words)
                    acc = model.score(x_val, data.y_val)
                else:
                    model = keras_models.build_model(kind, seed=CHAPTER.seed + s, unroll=True)
                    h = model.fit(x, data.y_train.astype("float32"), batch_size=32, epochs=epochs_keras, verbose=0,
                                  validation_data=(x_val, data.y_val.astype("float32")), validation_batch_size=250)
                    acc = float(h.history["val_accuracy"][-1])
                    out.setdefault(f"{kind}_epochs", {}).setdefault(where, []).append(
                        [float(v) for v in h.history["val_accuracy"]])
                out.setdefault(f"{kind}_seeds", {}).setdefault(where, []).append(acc)
                say(f"  padding {where}: {kind} seed {s} {acc:.4f} ({time.perf_counter() - t0:.0f} s)")
            out.setdefault(kind, {})[where] = float(np.mean(out[f"{kind}_seeds"][where]))
        out["data_source"], out["n_train"], out["n_val"] = data.source, len(data.x_train), len(data.x_val)
    out["epochs"] = {"numpy": epochs_numpy, "keras_c": epochs_keras}
    return out


def over_seeds(runs):
    """Per-seed results of one part -> {name: r} with r["accuracy"] the mean per distance, r["accuracy_seeds"] all.

    runs: one {name: r} per seed (r with per-distance lists); the first seed's details are kept as they are.
    """
    out = {}
    for name, first in runs[0].items():
        if not isinstance(first, dict) or "accuracy" not in first:
            continue
        per_seed = [run[name] for run in runs]
        r = dict(first)
        r["accuracy_seeds"] = [list(v) for v in zip(*(p["accuracy"] for p in per_seed))]     # (distance, seed)
        r["accuracy"] = [float(np.mean(v)) for v in r["accuracy_seeds"]]
        r["gradient_reach_seeds"] = [list(v) for v in zip(*(p["gradient_reach"] for p in per_seed))]
        r["gradient_reach"] = [float(np.mean(v)) for v in r["gradient_reach_seeds"]]
        for key in ("swapped_accuracy", "planted_rows_moved"):
            if key in first:
                r[key] = [list(v) for v in zip(*(p[key] for p in per_seed))]
        for key in ("epochs_accuracy", "gradient_reach_init"):                 # kept per seed too: (distance, seed)
            if key in first:
                r[f"{key}_seeds"] = [list(v) for v in zip(*(p[key] for p in per_seed))]
        out[name] = r
    return out


def parameters():
    """Parameter counts of the four models (one-hot 100 -> 32 cells; Embedding(100, 32) -> 8 cells)."""
    n_c, n_f = NUMPY["n_cells"], N_FEATURES
    emb, u = CHAPTER.embedding_dim, CHAPTER.keras["keras_b"].units       # models B and C: 8 cells each
    return {"numpy": {"total": n_f * n_c + n_c * n_c + n_c + n_c + 1, "recurrent": n_c * n_c},
            "keras_simplernn": {"total": n_f * emb + emb * u + u * u + u + u + 1, "recurrent": u * u},
            "keras_lstm": {"total": n_f * emb + 4 * (emb * u + u * u + u) + u + 1, "recurrent": 4 * u * u}}


def write(results, args, start, done):
    """Write the results so far (after every part: a run stopped early keeps what it finished)."""
    results["parts"] = sorted(done)
    results.update(made=f"scripts/memory_distance.py on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; "
                        f"seeds {', '.join(map(str, results['seeds']))}; Python {platform.python_version()}, "
                        f"NumPy {np.__version__}, {os.cpu_count()} CPU cores (shared); data {results['data']}",
                   seconds=round(time.perf_counter() - start))
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    say(f"wrote {args.out} ({', '.join(sorted(done))}) after {results['seconds']} s")


def merge(paths, out):
    """Combine runs of the same parts made with different seeds (e.g. one process per seed) into one file."""
    runs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    runs.sort(key=lambda r: r["seeds"][0])
    base = runs[0]
    base["seeds"] = [s for r in runs for s in r["seeds"]]
    for name in base["accuracy_seeds"]:
        base["accuracy_seeds"][name] = [sum(col, []) for col in zip(*(r["accuracy_seeds"][name] for r in runs))]
        base["accuracy"][name] = [float(np.mean(v)) for v in base["accuracy_seeds"][name]]
        reach = [sum(col, []) for col in zip(*(r["details"][name]["gradient_reach_seeds"] for r in runs))]
        base["details"][name]["gradient_reach_seeds"] = reach
        base["gradient_reach"][name] = [float(np.mean(v)) for v in reach]
        for key in ("swapped_accuracy", "planted_rows_moved"):
            if key in base["details"][name]:
                base["details"][name][key] = [sum(col, []) for col in zip(*(r["details"][name][key] for r in runs))]
    if "padding" in base and all("padding" in r for r in runs[1:]):
        pad = base["padding"]
        pad["seeds"] = base["seeds"]
        for kind in ("numpy", "keras_c"):
            if f"{kind}_seeds" in pad:
                for where in ("pre", "post"):
                    pad[f"{kind}_seeds"][where] = sum((r["padding"][f"{kind}_seeds"][where] for r in runs), [])
                    pad[kind][where] = float(np.mean(pad[f"{kind}_seeds"][where]))
    base["task"] = base["task"].rsplit("seeds", 1)[0] + f"seeds {base['seeds']}"
    base["made"] = base["made"].replace(f"seeds {runs[0]['seeds'][0]};", f"seeds {', '.join(map(str, base['seeds']))} "
                                        f"(one process per seed, merged);")
    base["seconds"] = max(r["seconds"] for r in runs)
    out.write_text(json.dumps(base, indent=1), encoding="utf-8")
    say(f"merged {len(runs)} files into {out}")


def with_seeds(old, new):
    """Per point, the seeds of `old` ([[a]] when it kept only means) followed by those of `new`, and their means."""
    old = old if isinstance(old[0], list) else [[v] for v in old]
    both = [list(a) + list(b) for a, b in zip(old, new, strict=True)]
    return both, [float(np.mean(v)) for v in both]


def add_seeds(paths, out):
    """Add the seeds of runs made with --seed-list (same distances) to the parts of --out they ran: the means and
    per-seed values of accuracy and reach; the details of the file's first seed stay as they are."""
    base = json.loads(out.read_text(encoding="utf-8"))
    for path in paths:
        extra = json.loads(Path(path).read_text(encoding="utf-8"))
        if extra["distances"] != base["distances"]:
            raise SystemExit(f"{path}: other distances than {out}")
        for name in extra["accuracy"]:
            d = base["details"][name]
            base["accuracy_seeds"][name], base["accuracy"][name] = with_seeds(
                base["accuracy_seeds"].get(name, base["accuracy"][name]), extra["accuracy_seeds"][name])
            d["gradient_reach_seeds"], base["gradient_reach"][name] = with_seeds(
                d.get("gradient_reach_seeds", base["gradient_reach"][name]),
                extra["details"][name]["gradient_reach_seeds"])
        for part in ("hard", "frozen", "forget"):
            if part not in extra:
                continue
            if extra[part]["distances"] != base[part]["distances"]:
                raise SystemExit(f"{path}: other {part} distances than {out}")
            for name, r in extra[part].items():
                if isinstance(r, dict) and "accuracy_seeds" in r:
                    b = base[part][name]
                    b["accuracy_seeds"], b["accuracy"] = with_seeds(b.get("accuracy_seeds", b["accuracy"]),
                                                                    r["accuracy_seeds"])
                    b["gradient_reach_seeds"], b["gradient_reach"] = with_seeds(
                        b.get("gradient_reach_seeds", b["gradient_reach"]), r["gradient_reach_seeds"])
        base.setdefault("added_seeds", []).append({"seeds": extra["seeds"], "parts": extra["parts"],
                                                   "made": extra["made"], "seconds": extra["seconds"]})
        seeds = ", ".join(map(str, extra["seeds"]))
        added = ", ".join(extra["parts"])
        base["parts"] = [f"{p} + seeds {seeds} of {added} (added)" if set(p.split(" (")[0].split(", ")) & set(
            extra["parts"]) else p for p in base["parts"]]
        base["made"] += f"; seeds {seeds} of {', '.join(extra['parts'])} added: {extra['made']}"
    out.write_text(json.dumps(base, indent=1), encoding="utf-8")
    say(f"added the seeds of {len(paths)} files to {out}")


def replace_seeds(path, out):
    """Put the seeds of a run made with --seed-list (same distances) in place of the same seeds in the parts of --out
    that it ran: accuracy, reach, the per-epoch accuracy and the reach at initialisation, per seed."""
    base = json.loads(out.read_text(encoding="utf-8"))
    extra = json.loads(Path(path).read_text(encoding="utf-8"))
    keep = [i for i, s in enumerate(base["seeds"]) if s not in extra["seeds"]]      # the columns that stay

    def swap(b, r):
        for key in ("accuracy", "gradient_reach", "epochs_accuracy", "gradient_reach_init"):
            old = b.get(f"{key}_seeds") or [[v] for v in b[key]]          # (distance, seed); [[v]]: first seed only
            if len(old[0]) < len(base["seeds"]) and keep != [0]:
                raise SystemExit(f"{key}: only the first seed is in {out}, and it is replaced")
            cols = keep if len(old[0]) == len(base["seeds"]) else [0]
            both = [[o[i] for i in cols] + list(n) for o, n in zip(old, r[f"{key}_seeds"], strict=True)]
            b[f"{key}_seeds"] = both
            if key in ("accuracy", "gradient_reach"):
                b[key] = [float(np.mean(v)) for v in both]

    for part in extra["parts"]:
        if part == "keras":
            if extra["distances"] != base["distances"]:
                raise SystemExit(f"{path}: other distances than {out}")
            for name in extra["accuracy"]:
                if name not in memory.KERAS_MODELS:
                    continue
                b = dict(base["details"][name], accuracy=base["accuracy"][name],
                         accuracy_seeds=base["accuracy_seeds"][name], gradient_reach=base["gradient_reach"][name])
                swap(b, dict(extra["details"][name], accuracy_seeds=extra["accuracy_seeds"][name]))
                base["accuracy"][name], base["accuracy_seeds"][name] = b.pop("accuracy"), b.pop("accuracy_seeds")
                base["gradient_reach"][name] = b.pop("gradient_reach")
                base["details"][name] = b
        elif part in ("hard", "frozen", "forget"):
            if extra[part]["distances"] != base[part]["distances"]:
                raise SystemExit(f"{path}: other {part} distances than {out}")
            for name, r in extra[part].items():
                if isinstance(r, dict) and "accuracy_seeds" in r:
                    swap(base[part][name], r)
    seeds, parts = ", ".join(map(str, extra["seeds"])), ", ".join(extra["parts"])
    base.setdefault("replaced_seeds", []).append({"seeds": extra["seeds"], "parts": extra["parts"],
                                                  "made": extra["made"], "seconds": extra["seconds"]})
    base["made"] += f"; seeds {seeds} of {parts} run again (per-epoch values kept) and replaced: {extra['made']}"
    out.write_text(json.dumps(base, indent=1), encoding="utf-8")
    say(f"replaced seeds {seeds} of {parts} in {out} with {path}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="two distances, fewer reviews (a smoke run)")
    p.add_argument("--seeds", type=int, default=3, help="seeds per point (0, 1, ...)")
    p.add_argument("--seed-list", type=int, nargs="*", help="exactly these seeds (instead of 0 .. --seeds - 1)")
    p.add_argument("--merge", type=Path, nargs="*", help="combine files made with one seed each into --out, then stop")
    p.add_argument("--add-seeds", type=Path, nargs="*",
                   help="add the seeds of these files (made with --seed-list) to the parts of --out they ran; stop")
    p.add_argument("--replace-seeds", type=Path,
                   help="put the seeds of this file (made with --seed-list) in place of the same seeds in --out; stop")
    p.add_argument("--distances", type=int, nargs="*", help="the main task's distances (default memory.DISTANCES)")
    p.add_argument("--skip", nargs="*", default=[], choices=sorted(PARTS))
    p.add_argument("--padding-epochs", type=int, nargs=2, default=(10, 3), metavar=("NUMPY", "KERAS_C"))
    p.add_argument("--padding-models", nargs="*", default=["numpy", "keras_c"], choices=["numpy", "keras_c"])
    p.add_argument("--out", type=Path, default=memory.results_path())
    p.add_argument("--update", action="store_true",
                   help="keep the parts of the existing file that are skipped now (rerun only some parts)")
    args = p.parse_args()
    start = time.perf_counter()
    if args.merge:
        merge(args.merge, args.out)
        return
    if args.add_seeds:
        add_seeds(args.add_seeds, args.out)
        return
    if args.replace_seeds:
        replace_seeds(args.replace_seeds, args.out)
        return
    seeds = list(args.seed_list) if args.seed_list else list(range(args.seeds))
    distances = [5, 40] if args.quick else list(args.distances or memory.DISTANCES)
    main_setting, hard_setting, frozen_setting, forget_setting = dict(MAIN), dict(HARD), dict(FROZEN), dict(FORGET)
    if args.quick:
        for s in (main_setting, hard_setting, frozen_setting, forget_setting):
            s.update(n_train=1000, n_val=300, epochs=2)
    data = prepare_chapter_data(CHAPTER.num_words, CHAPTER.skip_top, CHAPTER.maxlen)
    stream = memory.imdb_stream(data.train_reviews)
    say(f"data: {data.source}; {len(stream):,} real filler tokens; seeds {seeds}")
    old = json.loads(args.out.read_text(encoding="utf-8")) if args.update and args.out.is_file() else {}
    if old and old.get("distances") != distances:
        raise SystemExit(f"--update needs the same distances as the file ({old.get('distances')})")
    results = {"distances": distances, "window": memory.WINDOW, "seeds": seeds, "data": data.source,
               "accuracy": {}, "gradient_reach": {}, "accuracy_seeds": {},
               "task": (f"T = {memory.STEPS}; token {memory.POSITIVE} (label 1) or {memory.NEGATIVE} (label 0) at step "
                        f"T - d + 1, uniform random filler of tokens {memory.FILLER_LOW}..{N_FEATURES - 1}; "
                        f"{main_setting['n_train']} training / {main_setting['n_val']} validation reviews, "
                        f"{main_setting['epochs']} epochs, seeds {seeds}"),
               "settings": {"main": main_setting, "hard": hard_setting, "numpy": NUMPY,
                            "numpy_models": NUMPY_MODELS,
                            "keras": "Embedding(100, 32) + SimpleRNN(8) or LSTM(8) + Dense(1, sigmoid), adam, "
                                     "batch 32, full BPTT, unrolled", "reach_reviews": REACH_N},
               "gradient_reach_definition": "mean over reviews of |dL/dx_{T-d}|, x the vector the recurrent layer "
                                            "reads (one-hot for NumPy, the embedding for Keras), on trained weights; "
                                            "NumPy through its own backprop (0 beyond its truncation window)",
               "parameters": parameters(), "details": {}}
    done = set()
    if old:                                          # keep what is not rerun now (each part is seeded)
        for key in ("accuracy", "gradient_reach", "accuracy_seeds", "details"):
            results[key] = dict(old.get(key, {}))
        for key in ("hard", "frozen", "forget", "padding", "batch_norms", "radii", "early_reach"):
            if key in old:
                results[key] = old[key]
        done = set(old.get("parts", [])) - {p.split(" ")[0] for p in PARTS - set(args.skip)}

    def keep(name, r):
        results["accuracy"][name] = r.pop("accuracy")
        results["accuracy_seeds"][name] = r.pop("accuracy_seeds")
        results["gradient_reach"][name] = r.pop("gradient_reach")
        results["details"][name] = r

    if "numpy" not in args.skip:
        say("main task, NumPy models")
        runs = [run_numpy(main_setting, distances, stream, s) for s in seeds]
        for key in ("batch_norms", "radii", "early_reach"):
            results[key] = runs[0].get(key, {})
        for name, r in over_seeds(runs).items():
            keep(name, r)
        done.add("numpy")
        write(results, args, start, done)
    if "padding" not in args.skip:
        say("padding in front or behind, chapter data")
        results["padding"] = run_padding(5 if args.quick else args.padding_epochs[0],
                                         1 if args.quick else args.padding_epochs[1], seeds, args.padding_models)
        done.add("padding")
        write(results, args, start, done)
    if "keras" not in args.skip:
        say("main task, Keras models")
        for name, r in over_seeds([run_keras(main_setting, distances, stream, seed=s) for s in seeds]).items():
            keep(name, r)
        done.add("keras")
        write(results, args, start, done)
    for part, setting, default, cells in (
            ("frozen", frozen_setting, FROZEN_DISTANCES, None), ("forget", forget_setting, FORGET_DISTANCES,
                                                                (("keras_lstm", "lstm"),)),
            ("hard", hard_setting, EXTRA_DISTANCES, None)):
        if part in args.skip:
            continue
        say(f"{part}: Keras models")
        extra = distances if args.quick else default
        kw = {"cells": cells} if cells else {}
        results[part] = {"task": setting, "distances": extra,
                         **over_seeds([run_keras(setting, extra, stream, seed=s, **kw) for s in seeds])}
        done.add(part)
        write(results, args, start, done)


if __name__ == "__main__":
    main()

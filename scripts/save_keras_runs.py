"""Train the chapter's Keras models A, B and C on the IMDB data; ship them in saved_runs/ as keras_a, keras_b, keras_c.

    IMDB_DATA_DIR=/folder/with/imdb.npz IMDB_OFFLINE=1 python scripts/save_keras_runs.py [--kinds keras_a keras_b]

Each model trains with the textbook's settings (lecture 6.4: batch 32, maxlen 100, skip_top 20; A: sgd,
20 epochs, num_words 100; B and C: adam, 10 epochs, num_words 1000), seed 42, through the same code the
Keras page uses (rnn_core.model.keras_models.KerasTraining: one-hot inside model A, 32 batches per TensorFlow
call), with one fit call per epoch instead of the page's slices and the recurrent layer unrolled (the
page's "unroll" switch: the same maths, about 2x faster, a bigger graph in memory).
The script refuses the synthetic stand-in unless --allow-synthetic is given, because the saved runs
are compared with the textbook's numbers.
"""
import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from rnn_core.config import CHAPTER  # noqa: E402
from rnn_core.data.imdb import prepare_chapter_data  # noqa: E402
from rnn_core.jobs import runs  # noqa: E402
from rnn_core.model import keras_models  # noqa: E402


def train(kind, out, allow_synthetic):
    """Train one model with the published settings, print each epoch, save it; return the run."""
    spec = CHAPTER.keras[kind]
    data = prepare_chapter_data(*CHAPTER.data_for(kind))
    print(f"{kind}: data {data.source} ({data.source_detail}), x_train {data.x_train.shape}, x_val {data.x_val.shape}")
    if data.source == "synthetic" and not allow_synthetic:
        sys.exit("no IMDB file found (set IMDB_DATA_DIR); refusing to save a run of the synthetic data")
    config = dict(kind=kind, epochs=spec.epochs, seed=CHAPTER.seed, unroll=True, chunk_seconds=None)
    job = keras_models.KerasTraining(config, data)
    start = time.perf_counter()
    seen = 0
    while not job.done:
        job.advance(seconds=0)
        while seen < job.epochs:
            h = job.history
            print(f"  epoch {seen + 1:2d}: loss {h['loss'][seen]:.4f}  accuracy {h['accuracy'][seen]:.4f}  "
                  f"val_loss {h['val_loss'][seen]:.4f}  val_accuracy {h['val_accuracy'][seen]:.4f}  "
                  f"({h['seconds'][seen]:.0f} s)", flush=True)
            seen += 1
    wall = time.perf_counter() - start
    if job.state != "finished":
        sys.exit(f"{kind}: training ended as {job.state!r} {job.error}")
    final = job.evaluate()
    job.config.update(made_by="scripts/save_keras_runs.py", seconds=round(wall), cpus=os.cpu_count(),
                      keras_version=keras.__version__, tensorflow_version=tf.__version__,
                      final_evaluate=final, published=spec.published)
    note = (f"scripts/save_keras_runs.py: {job.epochs} epochs in {wall:.0f} s (unrolled, 32 batches per call); "
            f"Python {platform.python_version()}, Keras {keras.__version__}, TensorFlow {tf.__version__}, "
            f"{os.cpu_count()} CPU cores (shared)")
    run = job.to_run(kind, note=note)
    runs.save_run(run, out)
    published = ", ".join(f"{k} {v}" for k, v in spec.published.items())
    print(f"{kind}: saved {out}/{kind}.npz and .json; evaluate: val_loss {final['loss']:.4f} "
          f"val_accuracy {final['accuracy']:.4f} (published: {published})", flush=True)
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kinds", nargs="+", default=list(CHAPTER.keras), choices=list(CHAPTER.keras))
    parser.add_argument("--out", default=str(runs.SAVED_DIR))
    parser.add_argument("--allow-synthetic", action="store_true")
    args = parser.parse_args()
    for kind in args.kinds:
        train(kind, args.out, args.allow_synthetic)


if __name__ == "__main__":
    main()

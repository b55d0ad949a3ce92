"""Train the chapter's NumPy RNN on the IMDB data and ship it in saved_runs/ as `numpy_chapter`.

    IMDB_DATA_DIR=/path/to/folder/with/imdb.npz python scripts/save_numpy_run.py [--epochs 20] [--name numpy_chapter]

The data comes from Keras's cache, else $IMDB_DATA_DIR; the script refuses the synthetic stand-in
unless --allow-synthetic is given, because the saved run is compared with the textbook's numbers.
"""
import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from rnn_core.config import CHAPTER  # noqa: E402
from rnn_core.data.imdb import prepare_chapter_data  # noqa: E402
from rnn_core.jobs import runs, training  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=CHAPTER.epochs)
    parser.add_argument("--name", default="numpy_chapter")
    parser.add_argument("--out", default=str(runs.SAVED_DIR))
    parser.add_argument("--allow-synthetic", action="store_true")
    args = parser.parse_args()

    config = dict(CHAPTER.numpy_run(), epochs=args.epochs)
    data = prepare_chapter_data(config["num_words"], config["skip_top"], config["maxlen"])
    print(f"data: {data.source} ({data.source_detail}), x_train {data.x_train.shape}, x_val {data.x_val.shape}")
    if data.source == "synthetic" and not args.allow_synthetic:
        sys.exit("no IMDB file found (set IMDB_DATA_DIR); refusing to save a run of the synthetic data")

    job = training.NumpyTraining(config, data)
    start = time.perf_counter()
    epochs_seen = 0
    while not job.done:
        job.advance(seconds=5.0)
        while epochs_seen < job.epochs:
            h = job.history
            print(f"epoch {epochs_seen + 1:2d}: loss {h['loss'][epochs_seen]:.4f}  "
                  f"val_loss {h['val_loss'][epochs_seen]:.4f}  val_accuracy {h['val_accuracy'][epochs_seen]:.4f}  "
                  f"({h['seconds'][epochs_seen]:.1f} s)")
            epochs_seen += 1
    wall = time.perf_counter() - start
    if job.state != "finished":
        sys.exit(f"training ended as {job.state!r} {job.error}")

    note = (f"scripts/save_numpy_run.py: {job.epochs} epochs in {wall:.0f} s; Python {platform.python_version()}, "
            f"NumPy {np.__version__}, {os.cpu_count()} CPU cores")
    run = job.to_run(args.name, note=note)
    runs.save_run(run, args.out)
    print(f"saved {args.out}/{args.name}.npz and .json: val_accuracy {run.history['val_accuracy'][-1]:.4f} "
          f"(textbook notebook {CHAPTER.published['notebook']}, lecture notes {CHAPTER.published['lecture']})")


if __name__ == "__main__":
    main()

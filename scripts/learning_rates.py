"""Learning rates compared on the chapter's run over several seeds; writes saved_runs/learning_rates.json.

    IMDB_DATA_DIR=/folder/with/imdb.npz python scripts/learning_rates.py [--seeds 42 0 1 2] [--rates 0.01 0.1 1]
        [--epochs 20]

Each (rate, seed) is the page's own training job (training.NumpyTraining, its divergence rule included) with the
chapter's settings, only the learning rate and the seed changed; per epoch the validation accuracy is kept.
train_numpy/diverged.md quotes it (rnn_core.lessons.rates); tests/test_suggestions.py checks it with a fresh run.
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

import numpy as np  # noqa: E402

from rnn_core.config import CHAPTER  # noqa: E402
from rnn_core.data.imdb import prepare_chapter_data  # noqa: E402
from rnn_core.jobs import training  # noqa: E402
from rnn_core.lessons import rates  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[CHAPTER.seed, 0, 1, 2])
    p.add_argument("--rates", type=float, nargs="+", default=list(rates.RATES))
    p.add_argument("--epochs", type=int, default=CHAPTER.epochs)
    p.add_argument("--out", type=Path, default=rates.runs.SAVED_DIR / rates.RESULTS_NAME)
    args = p.parse_args()
    data = prepare_chapter_data(CHAPTER.num_words, CHAPTER.skip_top, CHAPTER.maxlen)
    if data.source == "synthetic":
        sys.exit("no IMDB file found (set IMDB_DATA_DIR)")
    out = {"settings": {**CHAPTER.numpy_run(), "epochs": args.epochs}, "seeds": args.seeds, "runs": {}}
    start = time.perf_counter()
    for rate in args.rates:
        for seed in args.seeds:
            job = training.NumpyTraining({**out["settings"], "learning_rate": rate, "seed": seed}, data)
            while not job.done:
                job.advance(seconds=60)
            out["runs"].setdefault(f"{rate:g}", []).append(
                {"seed": seed, "state": job.state, "val_accuracy": [round(v, 4) for v in job.history["val_accuracy"]]})
            print(f"rate {rate:g} seed {seed}: {job.state} after {job.epochs} epochs, val_accuracy "
                  f"{np.round(job.history['val_accuracy'], 3)}", flush=True)
            out["made"] = (f"scripts/learning_rates.py on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; Python "
                           f"{platform.python_version()}, NumPy {np.__version__}, {os.cpu_count()} CPU cores "
                           f"(shared); data {data.source}; {time.perf_counter() - start:.0f} s")
            args.out.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

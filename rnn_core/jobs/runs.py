"""A training run: its settings, per-epoch history and weights; saved as plain .npz + .json (no pickles)."""
import datetime as dt
import json
import logging
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from rnn_core.config import CHAPTER

SAVED_DIR = Path(__file__).resolve().parents[2] / "saved_runs"
KINDS = ("numpy", *CHAPTER.keras)          # the chapter's models: the NumPy RNN and Keras models A, B, C
log = logging.getLogger(__name__)
# What a broken or foreign file in the runs folder can raise while it is read (JSONDecodeError is a ValueError)
UNREADABLE = (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile)


@dataclass
class Run:
    """One trained model: kind is 'numpy' (the chapter's RecurrentNetwork) or 'keras_a/b/c' (lecture 6.4)."""
    name: str
    kind: str
    config: dict                      # hyperparameters and data settings (num_words, skip_top, maxlen, ...)
    history: dict                     # per-epoch lists: loss, val_loss and, where known, accuracy, val_accuracy
    weights: dict = field(default_factory=dict, repr=False)   # name -> np.ndarray
    data_source: str = ""             # "keras", "local" or "synthetic"
    created: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    status: str = "finished"          # "finished", "stopped" or "diverged"
    saved: bool = False               # True for the runs shipped with the app
    note: str = ""                    # how it was made (script, machine, duration)

    @property
    def epochs(self):
        """How many epochs finished."""
        return len(self.history.get("loss", []))

    @property
    def final_accuracy(self):
        """The validation accuracy after the last finished epoch, or None."""
        return final_accuracy(self.history)


def final_accuracy(history):
    """The validation accuracy after the last finished epoch of a history, or None."""
    acc = history.get("val_accuracy") or []
    return acc[-1] if acc else None


def save_run(run, directory=SAVED_DIR):
    """Write run.name.npz (plain arrays) and run.name.json (everything else)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / f"{run.name}.npz", **run.weights)
    meta = asdict(run)
    meta.pop("weights")
    meta["saved"] = True
    (directory / f"{run.name}.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")


def load_run(name, directory=SAVED_DIR):
    """Read a saved run back; the weights are plain arrays (allow_pickle is off)."""
    directory = Path(directory)
    meta = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
    with np.load(directory / f"{name}.npz", allow_pickle=False) as f:
        meta["weights"] = {k: f[k] for k in f.files}
    return Run(**meta)


def check_run(run):
    """The run itself if it is one of the app's runs (a known kind, plain fields, array weights); ValueError if not."""
    if run.kind not in KINDS:
        raise ValueError(f"unknown kind {run.kind!r}")
    if not isinstance(run.config, dict) or not isinstance(run.history, dict) or not run.weights:
        raise ValueError("config and history must be objects and the weights not empty")
    if any(w.dtype.kind not in "fiu" for w in run.weights.values()):
        raise ValueError("weights must be numbers")
    return run


def saved_runs(directory=SAVED_DIR):
    """Every complete run in the folder (a .json with its .npz partner), by name; other files skipped with a note."""
    directory = Path(directory)
    jsons = {p.stem for p in directory.glob("*.json")}
    for stem in sorted({p.stem for p in directory.glob("*.npz")} - jsons):
        log.warning("saved runs: %s.npz has no .json partner, skipped", stem)
    loaded = []
    for name in sorted(jsons):
        if not (directory / f"{name}.npz").is_file():
            log.info("saved runs: %s.json has no .npz partner (not a run), skipped", name)
            continue
        try:
            loaded.append(check_run(load_run(name, directory)))
        except UNREADABLE as e:
            log.warning("saved runs: %s is not a readable run (%s: %s), skipped", name, type(e).__name__, e)
    return loaded

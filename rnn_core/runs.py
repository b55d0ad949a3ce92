"""A training run: its settings, per-epoch history and weights; saved as plain .npz + .json (no pickles)."""
import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

SAVED_DIR = Path(__file__).resolve().parent.parent / "saved_runs"
KINDS = ("numpy", "keras_a", "keras_b", "keras_c")


@dataclass
class Run:
    """One trained model: kind is 'numpy' (the chapter's RecurrentNetwork) or 'keras_a/b/c' (lecture 6.4)."""
    name: str
    kind: str
    config: dict                      # hyperparameters and data settings (num_words, skip_top, maxlen, ...)
    history: dict                     # per-epoch lists: loss, val_loss and, where known, accuracy, val_accuracy
    weights: dict = field(default_factory=dict, repr=False)   # name -> np.ndarray
    data_source: str = ""             # "keras", "local" or "synthetic"
    created: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    status: str = "finished"          # "finished", "stopped" or "diverged"
    saved: bool = False               # True for the runs shipped with the app
    note: str = ""                    # how it was made (script, machine, duration)

    @property
    def epochs(self):
        """How many epochs finished."""
        return len(self.history.get("loss", []))


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


def saved_runs(directory=SAVED_DIR):
    """Every run shipped with the app, oldest first."""
    names = sorted(p.stem for p in Path(directory).glob("*.json"))
    return [load_run(n, directory) for n in names]

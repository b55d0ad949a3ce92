"""A training run: its settings, per-epoch history and weights; saved as plain .npz + .json (no pickles)."""
import datetime as dt
import json
import logging
import math
import os
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from rnn_core.config import CHAPTER

# The shipped runs; RNN_SAVED_RUNS (set by whoever starts the server) points a server at another folder
SAVED_DIR = Path(os.environ.get("RNN_SAVED_RUNS") or Path(__file__).resolve().parents[2] / "saved_runs")
KINDS = ("numpy", *CHAPTER.keras)          # the chapter's models: the NumPy RNN and Keras models A, B, C
log = logging.getLogger(__name__)

# Limits on what a runs folder may hold; the shipped runs are 300 KB in all (largest array 128 KB)
MAX_JSON_BYTES = 256 * 2**10            # one run's .json
MAX_NPZ_BYTES = 8 * 2**20               # one run's .npz on disk
MAX_ARRAY_BYTES = 8 * 2**20             # one weight array, unpacked (as the zip directory says, before unpacking)
MAX_FOLDER_BYTES = 64 * 2**20           # every run of the folder, unpacked
MAX_ARRAYS = 16
MAX_SIZE = 100_000                      # any number of cells, words or embedding width in a run's config
MAX_EPOCHS = 10_000
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


# Settings that leave a run's time per review unchanged (pace_seconds scales by n_train and epochs itself)
PACE_FREE = ("n_train", "epochs", "learning_rate", "seed", "promise")


def pace_seconds(runs, kind, config):
    """Seconds a run of `kind` with these settings takes at the pace of the last saved run of that model with the
    same other settings: its own time up to that epoch (first-epoch start-up included; later epochs at its mean
    pace), scaled by the reviews. None when no such run has a timing."""
    same = [r for r in runs if r.kind == kind and r.history.get("seconds") and r.config.get("n_train")
            and all(r.config[k] == v for k, v in config.items() if k in r.config and k not in PACE_FREE)]
    if not same:
        return None
    run, epochs = same[-1], int(config["epochs"])
    t = run.history["seconds"]                                   # seconds since the start, after each epoch
    later = (t[-1] - t[0]) / (len(t) - 1) if len(t) > 1 else t[0]
    seconds = t[min(epochs, len(t)) - 1] + max(epochs - len(t), 0) * later
    return seconds * int(config["n_train"]) / int(run.config["n_train"])

class RunError(ValueError):
    """A file of a runs folder that is not a run the app can load: a reason code and its parameters.

    The words a user reads come from locales/<lang>/common.toml [runs_skipped]; str(error) is for logs."""

    def __init__(self, code, **params):
        self.code, self.params, self.file = code, params, ""
        super().__init__(code, params)

    def __str__(self):
        return f"{self.code}: " + ", ".join(f"{k}={v}" for k, v in self.params.items())


@dataclass(frozen=True)
class Skipped:
    """A file of the runs folder that was not loaded, and why (a RunError's code and parameters)."""
    file: str                         # the file's name inside the folder, never the server's path
    code: str
    params: tuple = ()                # (name, value) pairs for the reason's text


@dataclass
class Folder:
    """What a runs folder holds: the runs that loaded and the files skipped."""
    runs: list
    skipped: list


def save_run(run, directory=SAVED_DIR):
    """Write run.name.npz (plain arrays) and run.name.json (everything else)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(directory / f"{run.name}.npz", **run.weights)
    meta = asdict(run)
    meta.pop("weights")
    meta["saved"] = True
    (directory / f"{run.name}.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")


def expected_shapes(kind, config):
    """The weight shapes a run of this kind and config must have (lecture 6.3 and 6.4)."""
    def size(key, default=None):
        value = config.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIZE:
            raise RunError("bad_config", key=key)
        return value

    v = size("num_words")
    dense = {"dense_kernel": (None, 1), "dense_bias": (1,)}
    if kind == "numpy":
        c = size("n_cells")
        return {"w1h": (c, c), "w1x": (v, c), "b1": (c,), "w2": (c, 1), "b2": (1,)}
    u = size("units")
    if kind == "keras_a":
        shapes = {"rnn_kernel": (v, u), "rnn_recurrent_kernel": (u, u), "rnn_bias": (u,), **dense}
    else:
        e = size("embedding_dim", 32)
        g = 4 * u if kind == "keras_c" else u                   # an LSTM has four gates
        cell = "lstm" if kind == "keras_c" else "rnn"
        shapes = {"embedding": (v, e), f"{cell}_kernel": (e, g), f"{cell}_recurrent_kernel": (u, g),
                  f"{cell}_bias": (g,), **dense}
    shapes["dense_kernel"] = (u, 1)
    return shapes


def _read_meta(path):
    """A run's .json as checked fields: a small JSON object with the Run's fields and their types."""
    if path.stat().st_size > MAX_JSON_BYTES:
        raise RunError("too_large", size=path.stat().st_size, limit=MAX_JSON_BYTES)
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise RunError("not_json") from None
    types = {"name": str, "kind": str, "config": dict, "history": dict, "data_source": str, "created": str,
             "status": str, "saved": bool, "note": str}         # every field of Run but its weights
    if not isinstance(meta, dict) or not {"name", "kind", "config", "history"} <= meta.keys() <= types.keys():
        raise RunError("not_run")
    for key, value in meta.items():
        if not isinstance(value, types[key]):
            raise RunError("bad_field", key=key)
    if meta["kind"] not in KINDS:
        raise RunError("bad_kind", kind=meta["kind"][:40])
    for key, values in meta["history"].items():
        if not isinstance(values, list) or len(values) > MAX_EPOCHS or not all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in values):
            raise RunError("bad_history", key=str(key)[:40])
    return meta


def _read_weights(path, shapes, budget):
    """The arrays of a run's .npz, each checked against its expected shape before a byte is unpacked."""
    size = path.stat().st_size
    if size > MAX_NPZ_BYTES:
        raise RunError("too_large", size=size, limit=MAX_NPZ_BYTES)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename.removesuffix(".npy") for m in members}
            if len(members) > MAX_ARRAYS or names != shapes.keys() or len(names) != len(members):
                raise RunError("wrong_arrays", found=", ".join(sorted(n[:40] for n in names)[:MAX_ARRAYS]))
            unpacked = sum(m.file_size for m in members)          # from the zip directory: nothing unpacked yet
            if unpacked > budget or any(m.file_size > MAX_ARRAY_BYTES for m in members):
                raise RunError("too_large", size=unpacked, limit=min(budget, MAX_ARRAY_BYTES))
            weights = {}
            for m in members:
                name = m.filename.removesuffix(".npy")
                with archive.open(m) as f:      # zipfile stops at the directory's file_size whatever the data says
                    weights[name] = _read_array(f, name, shapes[name], m.file_size)
            return weights, unpacked
    except zipfile.BadZipFile:
        raise RunError("not_npz") from None


def _read_array(f, name, shape, member_bytes):
    """One .npy member: a numeric array of the expected shape (None: any size), read from its header first."""
    version = np.lib.format.read_magic(f)
    header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    found, fortran, dtype = header(f)
    if dtype.hasobject or dtype.kind not in "fiu":
        raise RunError("bad_array", name=name, found=str(dtype)[:20])
    if len(found) != len(shape) or any(s is not None and s != n for s, n in zip(shape, found)):
        raise RunError("bad_shape", name=name, found=str(found)[:60], expected=str(shape).replace("None", "n"))
    count = math.prod(found)
    if count * dtype.itemsize > member_bytes:
        raise RunError("bad_array", name=name, found="cut short")
    data = f.read(count * dtype.itemsize)
    array = np.frombuffer(data, dtype=dtype, count=count).reshape(found, order="F" if fortran else "C")
    if not np.isfinite(array).all():
        raise RunError("bad_array", name=name, found="inf/nan")
    return array.copy()


def load_run(name, directory=SAVED_DIR, budget=MAX_FOLDER_BYTES):
    """Read a saved run back, every file validated before it is loaded: (run, bytes unpacked); RunError if not a run."""
    directory = Path(directory)
    file = f"{name}.json"
    try:
        meta = _read_meta(directory / file)
        shapes = expected_shapes(meta["kind"], meta["config"])
        file = f"{name}.npz"
        meta["weights"], used = _read_weights(directory / file, shapes, budget)
    except RunError as e:
        e.file = file
        raise
    return Run(**meta), used


def entries(directory):
    """The folder's regular files by name -> path; symlinks followed only when they stay inside the folder.

    Also the skipped ones (a dangling symlink, a link out of the folder, a folder or device named like a run)."""
    directory = Path(directory)
    inside = directory.resolve()
    files, skipped = {}, []
    try:
        listing = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return files, skipped
    for entry in listing:
        if not entry.name.endswith((".json", ".npz")):
            continue
        path = Path(entry.path)
        if entry.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                skipped.append(Skipped(entry.name, "dangling_link"))
                continue
            if target.parent != inside:
                skipped.append(Skipped(entry.name, "outside_link"))
                continue
        try:
            if not entry.is_file():
                skipped.append(Skipped(entry.name, "not_file"))
                continue
        except OSError:
            skipped.append(Skipped(entry.name, "not_file"))
            continue
        files[entry.name] = path
    return files, skipped


def stamp(directory):
    """What changes when a run file of the folder changes (names, sizes, times), without following any link."""
    out = []
    for name, path in sorted(entries(directory)[0].items()):
        try:
            st = path.stat()
            out.append((name, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((name, 0, 0))
    return tuple(out)


def scan(directory=SAVED_DIR):
    """Every complete run in the folder (a .json with its .npz partner), by name; every other file skipped, with
    the reason, within a total size limit."""
    files, skipped = entries(directory)
    jsons = {n.removesuffix(".json") for n in files if n.endswith(".json")}
    npzs = {n.removesuffix(".npz") for n in files if n.endswith(".npz")}
    skipped += [Skipped(f"{stem}.npz", "no_json") for stem in sorted(npzs - jsons)]
    loaded, budget = [], MAX_FOLDER_BYTES
    for name in sorted(jsons):
        if name not in npzs:
            log.info("saved runs: %s.json has no .npz partner (not a run), skipped", name)
            continue
        try:
            run, used = load_run(name, directory, budget)
            loaded.append(run)
            budget -= used
        except RunError as e:
            skipped.append(Skipped(e.file, e.code, tuple(e.params.items())))
        except (*UNREADABLE, MemoryError) as e:
            skipped.append(Skipped(f"{name}.npz", "unreadable", (("error", type(e).__name__),)))
    for s in skipped:
        log.warning("saved runs: %s skipped (%s %s)", s.file, s.code, dict(s.params))
    return Folder(loaded, skipped)


def saved_runs(directory=SAVED_DIR):
    """The runs of the folder that load (see scan for the files skipped and why)."""
    return scan(directory).runs

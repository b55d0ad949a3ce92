"""What a student keeps across reloads and restarts, under an anonymous id from the URL (?me=...).

The id is random and unguessable; the store holds only a hash of it, answers, scores, typed text and trained
runs (weights as plain .npz, history as JSON: never a pickle). Everything expires 7 days after its last write.
"""
import hashlib
import io
import json
import re
import secrets
import zipfile

import numpy as np

from rnn_core.jobs import runs

KEEP_TTL = 7 * 24 * 3600
ME_RE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
MAX_FIELD = 2**20                    # bytes of one kept value (answers, scores, a pasted review)
MAX_RUN = 8 * 2**20                 # bytes of one run's weights
MAX_RUNS = 6                        # runs kept per student (the newest)


def new_me():
    """A fresh anonymous id (128 random bits)."""
    return secrets.token_urlsafe(16)


def check_me(text):
    """The id from a URL, or None when it is not one."""
    text = str(text or "")[:80]
    return text if ME_RE.match(text) else None


def voter(me, code):
    """The voter id of an anonymous id in one room: random-looking, unlinkable across rooms and to the id."""
    return hashlib.sha256(f"voter:{code}:{me}".encode()).hexdigest()[:20]


def _key(me):
    return "me:" + hashlib.sha256(("me:" + me).encode()).hexdigest()


def save(store, me, name, value):
    """Keep one JSON value under a name."""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    if len(data) > MAX_FIELD:
        raise ValueError(f"{name}: {len(data)} bytes is more than {MAX_FIELD}")
    store.hset(_key(me), {"v:" + name: data}, KEEP_TTL)


def load(store, me):
    """Every kept JSON value (name -> value); a broken one is left out."""
    out = {}
    for field, data in store.hgetall(_key(me)).items():
        if field.startswith("v:") and len(data) <= MAX_FIELD:
            try:
                out[field[2:]] = json.loads(data)
            except ValueError:
                continue
    return out


def save_run(store, me, run, order):
    """Keep a trained run: its weights as .npz bytes and everything else as JSON (order: its place in the list)."""
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(w) for k, w in run.weights.items()})
    if buf.tell() > MAX_RUN:
        raise ValueError(f"{run.name}: weights of {buf.tell()} bytes are more than {MAX_RUN}")
    meta = {k: getattr(run, k) for k in ("name", "kind", "config", "history", "data_source", "created", "status",
                                         "note")}
    store.hset(_key(me) + ":runs", {f"{order:04d}:meta": json.dumps(meta), f"{order:04d}:npz": buf.getvalue()},
               KEEP_TTL)
    store.expire(_key(me), KEEP_TTL)


def load_runs(store, me):
    """The kept runs, oldest first, each checked (plain arrays, a known kind); a broken one is skipped."""
    fields = store.hgetall(_key(me) + ":runs")
    kept = []
    for order in sorted({f.split(":")[0] for f in fields})[-MAX_RUNS:]:
        meta, npz = fields.get(f"{order}:meta"), fields.get(f"{order}:npz")
        if meta is None or npz is None or len(npz) > MAX_RUN:
            continue
        try:
            with np.load(io.BytesIO(npz), allow_pickle=False) as f:
                weights = {k: f[k] for k in f.files}
            kept.append(runs.check_run(runs.Run(**json.loads(meta), weights=weights)))
        except (ValueError, TypeError, KeyError, OSError, zipfile.BadZipFile):
            continue
    return kept

"""Downloads of a run: its weights as .npz (plain arrays, no pickles) and its history as CSV."""
import csv
import io

import numpy as np


def weights_npz(weights):
    """The weights (name -> array) as the bytes of an .npz file that np.load reads with allow_pickle=False."""
    buf = io.BytesIO()
    np.savez(buf, **{name: np.asarray(w) for name, w in weights.items()})
    return buf.getvalue()


def history_csv(history):
    """The per-epoch history as CSV bytes: an 'epoch' column (from 1), then one column per list."""
    keys = [k for k, v in history.items() if len(v)]
    n = max((len(history[k]) for k in keys), default=0)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["epoch", *keys])
    for i in range(n):
        out.writerow([i + 1, *(repr(float(history[k][i])) if i < len(history[k]) else "" for k in keys)])
    return buf.getvalue().encode("utf-8")

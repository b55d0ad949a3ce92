"""Learning rates on the chapter's run over seeds (scripts/learning_rates.py): what train_numpy/diverged.md says."""
import json
import logging

from rnn_core.config import CHAPTER, QUICK_RUNS
from rnn_core.jobs import runs
from rnn_core.lessons.memory import above, spread

RATES = (CHAPTER.learning_rate, 0.1, 1.0)   # the chapter's rate, the suggested first run's, one that blows up
RESULTS_NAME = "learning_rates.json"        # in runs.SAVED_DIR, looked up when read (tests point it elsewhere)
log = logging.getLogger(__name__)


def load_results(path=None):
    """The saved comparison, or None with a logged note when missing or unreadable."""
    path = path or runs.SAVED_DIR / RESULTS_NAME
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
        if not all(f"{r:g}" in results["runs"] for r in RATES):
            raise KeyError("a rate is missing")
        return results
    except (OSError, ValueError, KeyError, TypeError) as e:
        log.warning("learning-rate results %s not usable: %s", path, e)
        return None


def accuracies(results, rate, epoch):
    """Every seed's validation accuracy after `epoch` epochs at one rate (runs that ended earlier left out)."""
    return [r["val_accuracy"][epoch - 1] for r in results["runs"][f"{rate:g}"] if len(r["val_accuracy"]) >= epoch]


def verdict(slow, fast):
    """"ahead" when every seed of the faster rate beats every seed of the slower, "behind" the other way round,
    else "overlap" (memory.above, the rule of memory.padding_claim)."""
    if above(fast, slow):
        return "ahead"
    return "behind" if above(slow, fast) else "overlap"


def facts(results, early=None):
    """What diverged.md quotes: mean (range) per rate after `early` epochs and after the last, the verdict after
    `early`, and how many runs of the largest rate blew up. None when the results are missing or incomplete."""
    early = QUICK_RUNS["train_numpy"]["epochs"] if early is None else early     # (read now, not at import)
    slow, fast, blow = RATES
    late = results["settings"]["epochs"] if results else 0
    each = {(r, e): accuracies(results, r, e) for r in (slow, fast) for e in (early, late)} if results else {}
    if not each or not all(len(v) >= 2 for v in each.values()):
        return None
    shown = {}
    for (r, e), v in each.items():
        s = spread(v, CHAPTER.n_val)
        shown[f"{'slow' if r == slow else 'fast'}_{'early' if e == early else 'end'}"] = \
            f"{s.mean:.2f} ({s.low:.2f}–{s.high:.2f})"
    return dict(shown, verdict=verdict(each[slow, early], each[fast, early]), seeds=len(results["seeds"]),
                early=early, epochs=late, slow=f"{slow:g}", fast=f"{fast:g}", blow=f"{blow:g}",
                blown=sum(r["state"] == "diverged" for r in results["runs"][f"{blow:g}"]))

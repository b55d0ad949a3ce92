"""Compare what the app shows now with a baseline taken before a change: AppTest element trees and screenshots.

    python scripts/compare_baseline.py trees [--baseline /work/baseline] [--after tree.json]
    python scripts/compare_baseline.py shots [--baseline /work/baseline] [--out artifacts/compare]

trees: dumps the element tree of every page in both languages with the baseline's own dumper (BASELINE/app_tree.py,
run from this repository's root) unless --after gives a dump, and compares it with BASELINE/tree_before.json.
Module paths of the rnn_core move (rnn_core.X -> rnn_core.<package>.X, in 'show code' captions and the shown
source) are normalised; a page whose tree differed between two dumps of the same code (BASELINE/tree_before2.json:
the self-check draws its questions at random by design) is reported as noise, not as a difference.
shots: screenshots of every page in both languages at 1280 and 390 px wide (tests/browser/shoot.py) compared pixel
by pixel with BASELINE/shots_desktop and BASELINE/shots_phone: same size and at most --tolerance of the pixels
changed, else the size or the share and bounding box of the changed pixels (a diff image goes next to the shot).
Exit code 0 when nothing differs.
"""
import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The rnn_core move (issue 19): old flat module -> its module in a sub-package.
MOVED = {
    "numpy_rnn": "model.numpy_rnn", "init": "model.init", "params": "model.params",
    "keras_models": "model.keras_models", "keras_numpy": "model.keras_numpy",
    "data": "data.imdb", "imdb_files": "data.files", "npz_safe": "data.npz_safe", "ragged": "data.ragged",
    "synthetic": "data.synthetic", "timeseries": "data.timeseries",
    "sequences": "lessons.sequences", "pipeline": "lessons.pipeline", "unrolling": "lessons.unrolling",
    "gradflow": "lessons.gradflow", "memory": "lessons.memory", "try_review": "lessons.try_review",
    "quiz": "assessment.quiz", "self_check": "assessment.self_check",
    "worker": "jobs.worker", "training": "jobs.training", "slots": "jobs.slots", "runs": "jobs.runs",
    "export": "jobs.export",
}
_OLD = re.compile(r"\brnn_core([./])(" + "|".join(sorted(MOVED, key=len, reverse=True)) + r")\b(?![./](?:"
                  + "|".join({v.split(".")[1] for v in MOVED.values()}) + r")\b)")


def moved(text):
    """Old module paths (rnn_core.numpy_rnn, rnn_core/numpy_rnn.py) written as the new ones."""
    return _OLD.sub(lambda m: "rnn_core" + m[1] + MOVED[m[2]].replace(".", m[1]), text)


def _normalise(value):
    if isinstance(value, str):
        return moved(value)
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    return value


def differences(before, after, path=""):
    """[(path, before, after)] where two element trees differ."""
    if type(before) is not type(after):
        return [(path, before, after)]
    if isinstance(before, dict):
        out = []
        for key in sorted(set(before) | set(after)):
            if key not in before or key not in after:
                out.append((f"{path}/{key}", before.get(key, "<absent>"), after.get(key, "<absent>")))
            else:
                out += differences(before[key], after[key], f"{path}/{key}")
        return out
    if isinstance(before, list):
        if len(before) != len(after):
            return [(f"{path}[len]", len(before), len(after))]
        return [d for i, (b, a) in enumerate(zip(before, after)) for d in differences(b, a, f"{path}[{i}]")]
    return [] if before == after else [(path, before, after)]


def compare_trees(baseline, after_file):
    before = json.loads((baseline / "tree_before.json").read_text())
    again = baseline / "tree_before2.json"
    noisy = set()
    if again.exists():
        second = json.loads(again.read_text())
        noisy = {page for page in before if json.dumps(before[page]) != json.dumps(second.get(page))}
    if after_file:
        after = json.loads(Path(after_file).read_text())
    else:
        run = subprocess.run([sys.executable, str(baseline / "app_tree.py")], cwd=ROOT, capture_output=True, text=True)
        if run.returncode:
            sys.exit(f"app_tree.py failed:\n{run.stderr[-3000:]}")
        after = json.loads(run.stdout)
    failed = False
    for page in sorted(set(before) | set(after)):
        if page not in before or page not in after:
            print(f"{page}: only {'after' if page in after else 'before'}")
            failed = True
            continue
        diffs = differences(_normalise(before[page]), _normalise(after[page]))
        raw = len(differences(before[page], after[page]))
        if not diffs:
            print(f"{page}: identical" + (f" (after normalising {raw} module paths)" if raw else ""))
        elif page in noisy:
            print(f"{page}: {len(diffs)} differences, as between two runs of the same code (random by design)")
        else:
            failed = True
            print(f"{page}: {len(diffs)} differences")
            for where, b, a in diffs[:20]:
                print(f"  {where}\n    before: {str(b)[:300]!r}\n    after:  {str(a)[:300]!r}")
    return failed


def _pixels(path):
    from PIL import Image
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)


def compare_shots(baseline, out, tolerance):
    from PIL import Image

    from ui.site import PAGES
    failed = False
    for folder, width in (("shots_desktop", 1280), ("shots_phone", 390)):
        target = out / folder
        subprocess.run([sys.executable, str(ROOT / "tests" / "browser" / "shoot.py"), *[p.key for p in PAGES],
                        "--width", str(width), "--out", str(target)], cwd=ROOT, check=False)
        for reference in sorted((baseline / folder).glob("*.png")):
            shot = target / reference.name
            if not shot.exists():
                print(f"{folder}/{reference.name}: no screenshot now")
                failed = True
                continue
            b, a = _pixels(reference), _pixels(shot)
            if b.shape != a.shape:
                print(f"{folder}/{reference.name}: size (h, w, rgb) {b.shape} before, {a.shape} now")
                failed = True
                continue
            changed = np.abs(b - a).max(axis=2) > 8          # (h, w): a pixel changed beyond anti-aliasing noise
            share = changed.mean()
            if share <= tolerance:
                print(f"{folder}/{reference.name}: same" + (f" ({share:.4%} of pixels off)" if share else ""))
                continue
            failed = True
            ys, xs = np.nonzero(changed)
            print(f"{folder}/{reference.name}: {share:.3%} of pixels changed, in x {xs.min()}..{xs.max()}, "
                  f"y {ys.min()}..{ys.max()}")
            diff = np.where(changed[..., None], [255, 0, 0], a // 3).astype(np.uint8)
            Image.fromarray(diff).save(target / reference.name.replace(".png", "-diff.png"))
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["trees", "shots", "both"])
    parser.add_argument("--baseline", type=Path, default=Path("/work/baseline"))
    parser.add_argument("--after", help="a dump of the element trees to compare, instead of making one")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "compare")
    parser.add_argument("--tolerance", type=float, default=0.0, help="share of pixels that may change (0..1)")
    args = parser.parse_args()
    failed = False
    if args.what in ("trees", "both"):
        failed |= compare_trees(args.baseline, args.after)
    if args.what in ("shots", "both"):
        failed |= compare_shots(args.baseline, args.out, args.tolerance)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Rerun time of each concept page's controls under AppTest (target: median <= 150 ms per page).

Every keyed widget on the page is moved between two of its values several times; each rerun is timed.
Baseline in the same run: a bare one-slider script rerun the same way (AppTest's own overhead).
Usage: python benchmarks/bench_reruns.py [--repeat 6] [--pages sequences pipeline unrolling gradflow]
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("IMDB_OFFLINE", "1")
if (ROOT.parent / "shared" / "data" / "imdb.npz").exists():
    os.environ.setdefault("IMDB_DATA_DIR", str(ROOT.parent / "shared" / "data"))

from streamlit.testing.v1 import AppTest  # noqa: E402

CONCEPT_PAGES = ["sequences", "pipeline", "unrolling", "gradflow"]
KINDS = ["slider", "select_slider", "selectbox", "radio", "number_input", "toggle", "checkbox",
         "text_input", "segmented_control", "button_group"]
SKIP = ("play", "seed", "run", "own")   # autoplay and free-text toggles are not "moves" of a control


def raw_option(widget, label):
    """The raw value behind an option label (AppTest shows labels, set_value wants values)."""
    candidates = [label]
    for parse in (int, float, lambda x: float(x.split()[0])):
        try:
            candidates.append(parse(label))
        except (ValueError, IndexError):
            pass
    fmt = getattr(widget, "format_func", None) or str
    for c in candidates:
        try:
            if str(fmt(c)) == label:
                return c
        except (ValueError, TypeError):
            continue
    return None


def alternatives(widget, kind):
    """Two values to move a widget between."""
    if kind in ("toggle", "checkbox"):
        return [not widget.value, widget.value]
    if kind in ("select_slider", "selectbox", "radio", "segmented_control", "button_group"):
        cur = widget.value if kind != "button_group" else (widget.value[0] if widget.value else None)
        raws = [raw_option(widget, label) for label in widget.options]
        other = next((r for r in raws if r is not None and r != cur), None)
        return None if other is None else [other, cur]
    if kind in ("slider", "number_input"):
        v = widget.value
        if isinstance(v, (tuple, list)):
            return None
        hi = widget.max
        step = widget.step or 1
        other = v + step if hi is None or v + step <= hi else v - step
        return [other, v]
    if kind == "text_input":
        return [(widget.value or "") + " good", widget.value]
    return None


def controls(at):
    """(kind, key) of every keyed widget on the page that can be moved."""
    out = []
    for kind in KINDS:
        for w in getattr(at, kind, []):
            key = getattr(w, "key", None)
            if key and not key.startswith("lang") and key != "lecture" and not any(s in key for s in SKIP):
                out.append((kind, key))
    return out


def time_page(path, repeat, lang="en"):
    """Median rerun seconds per control of one page."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    if path:
        at.switch_page(path).run()
        at.run()
    results = {}
    for kind, key in controls(at):
        times = []
        for i in range(repeat):
            widget = getattr(at, kind)(key=key)
            values = alternatives(widget, kind)
            if values is None:
                break
            widget.set_value(values[i % 2])
            t0 = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t0)
            if at.exception:
                raise RuntimeError(f"{path} {key}: {at.exception[0].value}")
        if times:
            results[key] = (times[0], statistics.median(times[1:] or times))  # (new value: caches miss, repeats)
    return results


def baseline(repeat):
    """Rerun time of a bare one-slider script."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write('import streamlit as st\nv = st.slider("x", 0, 10, 5, key="x")\nst.write(v)\n')
    at = AppTest.from_file(f.name).run()
    times = []
    for i in range(repeat * 3):
        at.slider(key="x").set_value(i % 2 + 3)
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
    os.unlink(f.name)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=6)
    parser.add_argument("--pages", nargs="*", default=CONCEPT_PAGES)
    args = parser.parse_args()
    base = baseline(args.repeat)
    print(f"baseline (bare one-slider script): {base * 1000:.1f} ms")
    ok = True
    for key in args.pages:
        res = time_page(f"pages/{key}.py", args.repeat)
        cold = statistics.median(v[0] for v in res.values())
        warm = statistics.median(v[1] for v in res.values())
        ok &= max(cold, warm) <= 0.150
        print(f"\n{key}: median over controls {cold * 1000:.0f} ms moving to a new value, {warm * 1000:.0f} ms "
              f"moving back and forth ({cold / base:.1f}x / {warm / base:.1f}x baseline) "
              f"-> {'OK' if max(cold, warm) <= 0.150 else 'OVER 150 ms'}")
        print(f"  {'control':28s} {'new value':>10s} {'repeat':>8s}")
        for name, (c, w) in sorted(res.items(), key=lambda kv: -kv[1][0]):
            print(f"  {name:28s} {c * 1000:7.1f} ms {w * 1000:5.1f} ms")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

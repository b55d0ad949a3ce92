"""Start-up: time from `streamlit run` to the home page rendered in Chromium, and each page's first render.

Baseline in the same run: a bare one-line Streamlit app started and loaded the same way.
Usage: python benchmarks/bench_startup.py [--repeat 3]
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser import harness  # noqa: E402
from ui.site import PAGES  # noqa: E402


def cold_start(browser, script=None):
    """Seconds from launching the server to the first page fully rendered (script run finished)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    t0 = time.perf_counter()
    with harness.streamlit_server(script=script, poll=0.02) as (base, _):
        page.goto(base + "/?lang=en")
        elapsed = harness.wait_idle(page, settle=0, poll=25) - t0
    page.close()
    return elapsed


def first_renders(browser):
    """Seconds to first render of each page in a fresh browser tab, one warm server."""
    out = {}
    with harness.streamlit_server() as (base, _):
        for info in PAGES:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            t0 = time.perf_counter()
            page.goto(harness.page_url(base, info.key, "en"))
            out[info.key] = harness.wait_idle(page, timeout=180, settle=0, poll=25) - t0
            page.close()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    (harness.ROOT / "artifacts").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, harness.chromium() as browser:
        bare = Path(tmp) / "bare.py"
        bare.write_text('import streamlit as st\nst.title("hello")\n')
        ours, base = [], []
        for _ in range(args.repeat):
            base.append(cold_start(browser, script=bare))
            ours.append(cold_start(browser))
        renders = first_renders(browser)
    mo, mb = statistics.median(ours), statistics.median(base)
    print(f"cold start to home page rendered: median {mo:.2f} s  (runs: {', '.join(f'{x:.2f}' for x in ours)})")
    print(f"bare Streamlit app, same way:     median {mb:.2f} s  (runs: {', '.join(f'{x:.2f}' for x in base)})")
    print(f"ratio app / bare: {mo / mb:.2f}x   target: home < 3 s -> {'OK' if mo < 3 else 'MISSED'}")
    print("first render of each page (warm server, fresh tab):")
    for key, sec in renders.items():
        print(f"  {key:12s} {sec:6.2f} s")


if __name__ == "__main__":
    main()

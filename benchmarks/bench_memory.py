"""Server memory for Community Cloud (about 1 GB to be safe): idle, and during the heaviest trainings.

Starts `streamlit run`, opens the home page (idle), then trains the NumPy RNN at the chapter's full scale and
Keras model A (one-hot SimpleRNN, 20,000 reviews) from a browser, sampling the server's resident memory.
Baseline in the same run: a bare one-line Streamlit app, idle.
Usage: python benchmarks/bench_memory.py [--seconds 40]
"""
import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.load_test import rss_mb  # noqa: E402
from tests.browser import harness  # noqa: E402


class Sampler:
    """Resident memory of a process (and its peak), sampled every 0.25 s in a thread."""

    def __init__(self, pid):
        self.pid, self.peak, self.running = pid, 0.0, True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, rss_mb(self.pid)[0])
            except FileNotFoundError:      # the server has stopped
                return
            time.sleep(0.25)

    def take_peak(self):
        peak, self.peak = self.peak, rss_mb(self.pid)[0]
        return peak


def train(browser, base, key, seconds):
    """In a new tab, open a training page, press its Start button, let it run up to `seconds`, then press Stop."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(harness.page_url(base, key, "en"))
    harness.wait_idle(page, timeout=180)
    prefix = "train_numpy" if key == "train_numpy" else "keras"
    page.locator(f".st-key-{prefix}_start button").first.click()
    page.wait_for_timeout(seconds * 1000)
    try:
        stop = page.locator(f".st-key-{prefix}_stop button").first
        if stop.is_enabled():          # the run may have finished on its own
            stop.click(timeout=120_000)
        harness.wait_idle(page, timeout=180)
        return harness.exceptions(page)
    finally:
        harness.full_screenshot(page, harness.ROOT / "artifacts" / f"memory-{key}.png")
        page.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=40, help="how long each training runs")
    args = parser.parse_args()
    (harness.ROOT / "artifacts").mkdir(exist_ok=True)
    with harness.chromium() as browser:
        with tempfile.TemporaryDirectory() as tmp:
            bare = Path(tmp) / "bare.py"
            bare.write_text('import streamlit as st\nst.title("hello")\n')
            with harness.streamlit_server(script=bare) as (base, proc):
                page = browser.new_page()
                page.goto(base)
                harness.wait_idle(page)
                time.sleep(3)
                bare_idle = rss_mb(proc.pid)[0]
                page.close()
        with harness.streamlit_server() as (base, proc):
            sampler = Sampler(proc.pid)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(harness.page_url(base, "home", "en"))
            harness.wait_idle(page)
            time.sleep(5)                      # the background data warm-up has run by now
            idle = rss_mb(proc.pid)[0]
            sampler.take_peak()
            errors = train(browser, base, "train_numpy", args.seconds)
            numpy_peak = sampler.take_peak()
            errors += train(browser, base, "keras", args.seconds)
            keras_peak = sampler.take_peak()
            sampler.running = False
            hwm = rss_mb(proc.pid)[1]
    print(f"bare Streamlit app, idle:                 {bare_idle:6.0f} MB")
    print(f"this app, idle (home page, data loaded):  {idle:6.0f} MB  ({idle / bare_idle:.1f}x bare)")
    print(f"peak while training the NumPy RNN (full): {numpy_peak:6.0f} MB")
    print(f"peak while training Keras model A (full): {keras_peak:6.0f} MB")
    print(f"server's peak resident memory (VmHWM):    {hwm:6.0f} MB   target < 1024 MB -> "
          f"{'OK' if hwm < 1024 else 'OVER'}")
    print(f"exceptions shown: {len(errors)}")
    for e in errors[:3]:
        print("  ", e[:300])


if __name__ == "__main__":
    main()

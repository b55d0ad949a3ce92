"""Memory for Community Cloud: the server and its training worker, idle and while training (targets: issue 8).

Starts `streamlit run`, opens the home page (idle), then trains the NumPy RNN at the chapter's full scale and
Keras model A (one-hot SimpleRNN, 20,000 reviews) from a browser, sampling the resident memory of the server
and of the worker process it starts (rnn_core/jobs/worker.py), which holds TensorFlow.
Baseline in the same run: a bare one-line Streamlit app, idle.
Usage: python benchmarks/bench_memory.py [--seconds 40]
"""
import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.load_test import rss_mb  # noqa: E402
from tests.browser import harness  # noqa: E402


def memory(pid):
    """Resident MB of the server and of its children (the worker), now."""
    workers = 0.0
    for child in harness.children(pid):
        try:
            workers += rss_mb(child)[0]
        except FileNotFoundError:          # the worker exited meanwhile
            pass
    return rss_mb(pid)[0], workers


class Sampler:
    """Peak resident memory of the server, of its worker, and of both together, sampled every 0.25 s."""

    def __init__(self, pid):
        self.pid, self.running = pid, True
        self.peak = (0.0, 0.0, 0.0)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            try:
                server, worker = memory(self.pid)
            except FileNotFoundError:      # the server has stopped
                return
            self.peak = tuple(max(a, b) for a, b in zip(self.peak, (server, worker, server + worker)))
            time.sleep(0.25)

    def take_peak(self):
        peak, self.peak = self.peak, (0.0, 0.0, 0.0)
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
            try:
                stop.click(timeout=20_000)
            except PlaywrightTimeout:
                assert not stop.is_enabled(), "Stop stayed enabled but could not be pressed"   # it just finished
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
            idle = memory(proc.pid)[0]
            sampler.take_peak()
            errors = train(browser, base, "train_numpy", args.seconds)
            numpy_peak = sampler.take_peak()
            errors += train(browser, base, "keras", args.seconds)
            keras_peak = sampler.take_peak()
            sampler.running = False
            hwm = rss_mb(proc.pid)[1]
    total = max(numpy_peak[2], keras_peak[2])
    print(f"bare Streamlit app, idle:                 {bare_idle:6.0f} MB")
    print(f"this app, idle (home page, data loaded):  {idle:6.0f} MB  ({idle / bare_idle:.1f}x bare)")
    for what, (server, worker, both) in (("the NumPy RNN (full)", numpy_peak), ("Keras model A (full)", keras_peak)):
        print(f"peak while training {what}: server {server:6.0f} MB, worker {worker:6.0f} MB, "
              f"together {both:6.0f} MB")
    print(f"server's peak resident memory (VmHWM):    {hwm:6.0f} MB")
    print(f"server + worker peak:                     {total:6.0f} MB   target <= 1536 MB -> "
          f"{'OK' if total <= 1536 else 'OVER'}")
    print(f"idle server:                              {idle:6.0f} MB   target <= 300 MB -> "
          f"{'OK' if idle <= 300 else 'OVER'}")
    print(f"exceptions shown: {len(errors)}")
    for e in errors[:3]:
        print("  ", e[:300])


if __name__ == "__main__":
    main()

"""Load: hold N concurrent browser sessions on one server for a while, some of them training.

Reports errors (exceptions shown, failed loads; must be 0), the server's peak memory and page
response times (navigation to script run finished and every element drawn). The browser runs on the same
2-core machine as the server, so response times include rendering 20 tabs' charts on those 2 cores.
Usage: python benchmarks/load_test.py [--sessions 20] [--training 3] [--seconds 60]
"""
import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser import harness  # noqa: E402
from ui.site import PAGES  # noqa: E402

BROWSE = [p.key for p in PAGES if not p.uses_tensorflow and p.key != "home"]
TIMEOUT = 180      # seconds a page may take before it counts as an error (one 2-core machine runs everything)


def rss_mb(pid):
    """Current and peak resident memory of a process, in MB (from /proc)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    kb = lambda k: int(fields.get(k, "0 kB").split()[0])  # noqa: E731
    return kb("VmRSS") / 1024, kb("VmHWM") / 1024


async def wait_idle(page, timeout=None):
    """The async twin of harness.wait_idle."""
    timeout = timeout or TIMEOUT
    app = page.locator('[data-testid="stApp"]')
    await app.wait_for(timeout=timeout * 1000)
    calm, deadline = 0, time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = await app.get_attribute("data-test-script-state") == "notRunning"
        drawn = await page.locator('[data-testid="stSkeleton"]').count() == 0
        calm = calm + 1 if done and drawn else 0
        if calm >= 2:
            return
        await page.wait_for_timeout(100)
    raise TimeoutError


async def browser_session(context, base, n, until, stats, training):
    """One user: visits pages in turn; a training user starts a short NumPy run and watches it."""
    await asyncio.sleep(n * 0.5)          # people join over the first seconds, not all in the same instant
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT * 1000)
    page.set_default_navigation_timeout(TIMEOUT * 1000)
    lang = "ko" if n % 2 else "en"
    i = n
    try:
        if training:   # a short run: 2,000 reviews (4th choice of the slider), 3 epochs
            await page.goto(harness.page_url(base, "train_numpy", lang), wait_until="commit")
            await wait_idle(page)
            thumb = page.locator(".st-key-train_numpy_n_train input").first
            await thumb.focus()
            for key in ("Home", "ArrowRight", "ArrowRight", "ArrowRight"):
                await thumb.press(key)
            await wait_idle(page)
            epochs = page.locator(".st-key-train_numpy_epochs input").first
            await epochs.fill("3")
            await epochs.press("Enter")
            await wait_idle(page)
            await page.locator(".st-key-train_numpy_start button").first.click()
            stats["training_started"].append(round(time.monotonic() - stats["t0"], 1))
        while time.monotonic() < until:
            if training:
                await page.wait_for_timeout(2000)
                t0 = time.perf_counter()
                await wait_idle(page)
                stats["train_polls"] += 1
            else:      # move through the app as a student does: the sidebar's links, no reload
                if page.url == "about:blank":
                    await page.goto(harness.page_url(base, "home", lang), wait_until="commit")
                    await wait_idle(page)
                key = BROWSE[i % len(BROWSE)]
                i += 1
                t0 = time.perf_counter()
                await page.locator(f'[data-testid="stSidebarNav"] a[href*="/{key}"]').first.click()
                await wait_idle(page)
                stats["times"].append(time.perf_counter() - t0)
            errors = await page.locator(harness.EXCEPTION).count()
            if errors:
                stats["errors"].append((n, page.url, await page.locator(harness.EXCEPTION).first.inner_text()))
    except Exception as exc:  # a failed load counts as an error
        stats["errors"].append((n, page.url, repr(exc)[:300]))
    finally:
        await page.close()


async def run(args):
    from playwright.async_api import async_playwright
    stats = {"times": [], "errors": [], "train_polls": 0, "training_started": [], "t0": time.monotonic()}
    with harness.streamlit_server() as (base, proc):
        peak = {"rss": 0.0}

        async def sample():
            while True:
                rss, hwm = rss_mb(proc.pid)
                peak["rss"] = max(peak["rss"], rss, hwm)
                await asyncio.sleep(0.5)

        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=harness.CHROMIUM, headless=True,
                                              args=harness.CHROMIUM_ARGS)
            context = await browser.new_context(viewport={"width": 1280, "height": 800})
            idle_rss = rss_mb(proc.pid)[0]
            sampler = asyncio.create_task(sample())
            until = time.monotonic() + args.sessions * 0.5 + args.seconds   # a full minute once all have joined
            await asyncio.gather(*(browser_session(context, base, n, until, stats, n < args.training)
                                   for n in range(args.sessions)))
            sampler.cancel()
            await browser.close()
    t = sorted(stats["times"])
    print(f"sessions: {args.sessions} ({args.training} training) for {args.seconds} s")
    print(f"errors: {len(stats['errors'])}")
    for err in stats["errors"][:10]:
        print("  ", err)
    print(f"server memory: idle {idle_rss:.0f} MB, peak {peak['rss']:.0f} MB")
    if t:
        print(f"page loads: {len(t)}; median {statistics.median(t):.2f} s, "
              f"p90 {t[int(0.9 * (len(t) - 1))]:.2f} s, max {t[-1]:.2f} s")
    print(f"training sessions: started training at {stats['training_started']} s; "
          f"{stats['train_polls']} progress checks while the others browsed")
    return 1 if stats["errors"] else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--training", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=60)
    sys.exit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()

"""Headless load: simulated students, each one Streamlit session over a websocket, no browser.

Each student is a websocket to /_stcore/stream, as the browser opens it (scripts/wsclient.py: a page run is a
BackMsg `rerun_script`, ended by the ForwardMsg whose `script_finished` is set). Students join over --join
seconds, then each opens a random page, waits an exponential think time (mean --think seconds), and so on until
--duration seconds have passed after the join.

Reports page-run latency (p50, p90, p99), completed page runs per second, errors, exceptions the app showed
(deltas holding an exception element), and the server's resident memory, its child processes included. The first
page run of each joining session (its join: a fresh session's first run) is reported apart from the later runs.

    python benchmarks/load_headless.py --start-server --baseline               # 60 students, one page every 3 s
    python benchmarks/load_headless.py --url http://127.0.0.1:8501 --pid 1234  # a running server (or a proxy)
    python benchmarks/load_headless.py --start-server --trainings train_numpy,train_numpy,keras   # while 3 train
    python benchmarks/load_headless.py --serve 1,2 --sessions 150 --think 1.5 --duration 30   # 1 then 2 replicas
    python benchmarks/load_headless.py --start-server --flood 4   # 60 students, then the same with 4 flooders

Only loopback addresses are accepted; every loop is bounded by the duration and a per-run timeout.
"""
import argparse
import asyncio
import contextlib
import logging
import os
import random
import signal
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402

from scripts.wsclient import PageRunError, Session, warm  # noqa: E402  (the one websocket client)
from tests.browser import harness  # noqa: E402

logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)   # ui's caches, no runtime
from ui import i18n  # noqa: E402
from ui.site import PAGES  # noqa: E402

CONCEPT_PAGES = ("home", "sequences", "pipeline", "unrolling", "gradflow", "memory", "self_check")


# --- memory and CPU of a process tree, from /proc -----------------------------------------------------------
def _children(pid):
    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            kids += [int(c) for c in (task / "children").read_text().split()]
    return kids


def process_tree(pid):
    """The pid and all its descendants that are alive."""
    seen, todo = [], [pid]
    while todo and len(seen) < 1000:
        p = todo.pop()
        if Path(f"/proc/{p}").exists():
            seen.append(p)
            todo += _children(p)
    return seen


def rss_mb(pid):
    """Resident memory of one process in MB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree_rss_mb(pid):
    """Resident memory of a process and its descendants, summed, in MB."""
    return sum(rss_mb(p) for p in process_tree(pid))


def tree_cpu_s(pid):
    """CPU seconds (user + system) used so far by a process and its descendants."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for p in process_tree(pid):
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / tick


# --- the load -------------------------------------------------------------------------------------------
class Stats:
    """What the students saw during the measured window."""

    def __init__(self):
        self.latencies, self.errors, self.exceptions = [], [], 0
        self.first = []         # the first page run of each session (its join), measured apart from later runs

    def summary(self, window):
        lat, first = sorted(self.latencies), sorted(self.first)
        return {"runs": len(lat), "runs_per_s": len(lat) / window, "p50": quantile(lat, 0.5),
                "p90": quantile(lat, 0.9), "p99": quantile(lat, 0.99), "errors": len(self.errors),
                "exceptions": self.exceptions, "first_n": len(first), "first_p50": quantile(first, 0.5),
                "first_p90": quantile(first, 0.9)}


def quantile(values, p):
    """The p-quantile of sorted values (nan when there are none)."""
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


async def student(n, base, pages, think, join, steady, until, stats, lang):
    """One student: joins during the first `join` seconds, then opens a random page every few seconds."""
    rng = random.Random(n)
    await asyncio.sleep(rng.uniform(0, join))
    query = f"lang={lang or ('ko' if n % 2 else 'en')}"
    reconnects = 0
    while time.monotonic() < until and reconnects <= 3:
        try:
            async with Session(base) as s:
                first = True
                while time.monotonic() < until:
                    started = time.monotonic()
                    seconds = await s.run_page(rng.choice(pages), query)
                    if first:                     # a fresh session's first page: the join, reported apart
                        stats.first.append(seconds)
                        first = False
                    elif started >= steady:
                        stats.latencies.append(seconds)
                        stats.exceptions += s.exceptions
                    await asyncio.sleep(max(0.0, min(rng.expovariate(1 / think), until - time.monotonic())))
        except (PageRunError, OSError, websockets.WebSocketException) as e:     # the join counts too
            stats.errors.append(f"student {n}: {type(e).__name__}: {e}")
            reconnects += 1
            await asyncio.sleep(1)


SLOW_DOWN = {i18n.table(lang, "common")["guard.slow_down"] for lang in i18n.LANGS}


async def flooder(n, base, page, until, counts):
    """A client asking for page runs as fast as it can (each as soon as the last finished): counts[n] becomes
    [runs, of them "slow down" runs]."""
    counts[n] = [0, 0]
    with contextlib.suppress(PageRunError, OSError, websockets.WebSocketException):
        async with Session(base) as s:
            while time.monotonic() < until:
                await s.run_page(page, "lang=en")
                counts[n][0] += 1
                counts[n][1] += any(a in SLOW_DOWN for a in s.alerts)


async def sample_memory(pid, stop, samples, every=1.0):
    """Resident memory of the server's process tree every `every` seconds until `stop` is set."""
    t0 = time.monotonic()
    while not stop.is_set():
        samples.append((time.monotonic() - t0, tree_rss_mb(pid), rss_mb(pid)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def load(base, pages, sessions, think, join, duration, pid=None, lang=None, rss_log=None, flood=0):
    """Run the load (and `flood` flooding clients on the home page through it); returns the summary dict (with
    memory when the server's pid is known)."""
    stats, samples, stop, floods = Stats(), [], asyncio.Event(), {}
    now = time.monotonic()
    steady, until = now + join, now + join + duration
    sampler = asyncio.create_task(sample_memory(pid, stop, samples)) if pid else None
    cpu = [None, None]

    async def cpu_at(i, moment):
        await asyncio.sleep(max(0.0, moment - time.monotonic()))
        cpu[i] = (tree_cpu_s(pid), os.times().user + os.times().system)

    timers = [asyncio.create_task(cpu_at(0, steady)), asyncio.create_task(cpu_at(1, until))] if pid else []
    await asyncio.gather(*(student(n, base, pages, think, join, steady, until, stats, lang)
                           for n in range(sessions)), *timers,
                         *(flooder(n, base, "home", until, floods) for n in range(flood)))
    stop.set()
    if sampler:
        await sampler
    result = stats.summary(duration)
    if pid:   # cores busy during the measured window: the server (its whole tree) and this client
        result.update(server_cores=(cpu[1][0] - cpu[0][0]) / duration, client_cores=(cpu[1][1] - cpu[0][1]) / duration)
    if samples:
        result.update(rss_start=samples[0][1], rss_peak=max(r for _, r, _ in samples), rss_end=samples[-1][1],
                      rss_own_peak=max(own for _, _, own in samples))
        if rss_log:
            Path(rss_log).write_text("seconds,rss_mb,own_rss_mb\n" + "".join(f"{t:.1f},{r:.1f},{own:.1f}\n"
                                                                             for t, r, own in samples))
    result["error_examples"] = stats.errors[:5]
    if flood:
        result.update(flood_runs=sum(r for r, _ in floods.values()), flood_slowed=sum(s for _, s in floods.values()),
                      flood_per_s=sum(r for r, _ in floods.values()) / (join + duration))
    return result


# --- servers --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def app_server(script=None, **env):
    """`streamlit run` on a free loopback port with the real reviews; yields (url, pid)."""
    with harness.streamlit_server(script=script, env=harness.app_env(**env), timeout=120) as (url, proc):
        yield url, proc.pid


@contextlib.contextmanager
def trainings(base, kinds):
    """Browser tabs (Debian's Chromium) that start a long training on each page of `kinds` and watch it.

    Yields a function that says how many of them are still training."""
    if not kinds:
        yield lambda: 0
        return
    with harness.chromium() as browser:
        tabs = []
        for kind in kinds:
            tab = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            tab.goto(harness.page_url(base, kind, "en"))
            harness.wait_idle(tab, timeout=180)
            epochs = tab.locator(f'[class*="st-key-{kind}_epochs"] input')
            if epochs.count():                       # as many epochs as allowed: it must outlast the measurement
                epochs.first.fill(epochs.first.get_attribute("max") or "30")
                epochs.first.press("Enter")
                harness.wait_idle(tab, timeout=120)
            tab.wait_for_timeout(500)
            tab.locator(f".st-key-{kind}_start button").first.click()
            tabs.append(tab)
        running = lambda: sum(t.locator(f".st-key-{k}_stop button").first.is_enabled()  # noqa: E731
                              for t, k in zip(tabs, kinds))
        for _ in range(240):
            if running() == len(tabs):
                break
            tabs[0].wait_for_timeout(500)
        print(f"trainings running before the load: {running()} of {len(tabs)} ({','.join(kinds)})", flush=True)
        yield running


BARE = 'import streamlit as st\nst.write("hello")\n'
NO_NAGLE = f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom ui import server\nserver.disable_nagle()\n"


@contextlib.contextmanager
def bare_server(nagle=False):
    """A one-line Streamlit script (the baseline), with the app's TCP_NODELAY fix unless `nagle`."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bare.py"
        script.write_text(BARE if nagle else NO_NAGLE + BARE)
        with app_server(script) as served:
            yield served


@contextlib.contextmanager
def served(replicas):
    """scripts/serve.sh with N replicas behind HAProxy on a free port; yields (proxy url, serve.sh pid)."""
    with harness.proxy_server(replicas) as (url, proc):
        yield url, proc.pid


def print_result(label, r, own=True):
    mem = ""
    if "rss_peak" in r:
        mem = (f"  memory {r['rss_start']:.0f} -> peak {r['rss_peak']:.0f} -> end {r['rss_end']:.0f} MB"
               + (f" (the server process alone, peak: {r['rss_own_peak']:.0f} MB)" if own else "")
               + f"  CPU: server {r['server_cores']:.2f} cores, client {r['client_cores']:.2f}")
    print(f"{label:>14}: {r['runs']:5d} runs, {r['runs_per_s']:5.1f}/s  p50 {r['p50'] * 1000:6.0f} ms  "
          f"p90 {r['p90'] * 1000:6.0f} ms  p99 {r['p99'] * 1000:6.0f} ms  errors {r['errors']}  "
          f"exceptions {r['exceptions']}{mem}", flush=True)
    if "flood_runs" in r:
        print(f"{'':>14}  flooding clients: {r['flood_runs']} runs asked and finished, {r['flood_slowed']} of them "
              f"'slow down' runs", flush=True)
    print(f"{'':>14}  first page of each joining session: {r['first_n']} sessions, p50 {r['first_p50'] * 1000:.0f} ms, "
          f"p90 {r['first_p90'] * 1000:.0f} ms (not in the figures above)", flush=True)
    for e in r["error_examples"]:
        print("      ", e)


def flooded(quiet, flood):
    """The students' figures with the flooding clients against those without."""
    print(f"students with vs without the flood: p50 {flood['p50'] / quiet['p50']:.2f}x, "
          f"p90 {flood['p90'] / quiet['p90']:.2f}x (target <= 2x), p99 {flood['p99'] / quiet['p99']:.2f}x; "
          f"the flooders got {flood['flood_per_s']:.0f} runs/s", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=60)
    ap.add_argument("--think", type=float, default=3.0, help="mean seconds between a student's page runs")
    ap.add_argument("--join", type=float, default=10.0, help="seconds over which students join (not measured)")
    ap.add_argument("--duration", type=float, default=60.0, help="measured seconds after the join")
    ap.add_argument("--pages", default=",".join(CONCEPT_PAGES), help="comma-separated page keys (URL paths)")
    ap.add_argument("--warm-pages", default=",".join(p.key for p in PAGES),
                    help="pages opened once (per replica) before the load; default: every page, the Keras page too")
    ap.add_argument("--url", default=None, help="a running server or proxy, e.g. http://127.0.0.1:8501")
    ap.add_argument("--pid", type=int, default=None, help="its pid, for memory (children included)")
    ap.add_argument("--start-server", action="store_true", help="start `streamlit run` on a free port")
    ap.add_argument("--baseline", action="store_true",
                    help="with --start-server: first the same load on a one-line script, then the ratios")
    ap.add_argument("--serve", default=None, help="e.g. 1,2: scripts/serve.sh with 1 then 2 replicas, compared")
    ap.add_argument("--lang", choices=("ko", "en"), default=None, help="default: students alternate")
    ap.add_argument("--rss-log", default=None, help="write the memory samples (CSV) to this file")
    ap.add_argument("--flood", type=int, default=0, help="with --start-server or --url: the same load first "
                    "without, then with N clients asking for page runs as fast as they can; the students' p90 compared")
    ap.add_argument("--trainings", default="", help="e.g. train_numpy,train_numpy,keras: browser tabs training "
                    "during the load (with --start-server, RNN_MAX_TRAININGS is raised to allow them)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))     # stop the servers it started on the way out
    pages = [p for p in args.pages.split(",") if p]
    warm_pages = [p for p in args.warm_pages.split(",") if p]
    (ROOT / "artifacts").mkdir(exist_ok=True)
    print(f"{args.sessions} sessions, think {args.think:g} s, join {args.join:g} s, measured {args.duration:g} s, "
          f"pages {','.join(pages)}", flush=True)

    kinds = [k for k in args.trainings.split(",") if k]

    def one(url, pid, label, replicas=0, flood=0, warm_up=True):
        if warm_up:
            asyncio.run(warm(url, warm_pages, max(1, 2 * replicas)))
        with trainings(url, kinds) as running, ThreadPoolExecutor(1) as pool:   # (Playwright holds this thread's loop)
            r = pool.submit(asyncio.run, load(url, pages, args.sessions, args.think, args.join, args.duration, pid,
                                              args.lang, args.rss_log, flood)).result()
            if kinds:
                print(f"trainings still running at the end: {running()} of {len(kinds)}", flush=True)
        print_result(label, r, own=not replicas)     # behind serve.sh, the process is the shell script
        return r

    if args.serve:
        results = {}
        for n in [int(x) for x in args.serve.split(",")]:
            with served(n) as (url, pid):
                results[n] = one(url, pid, f"{n} replica{'s' if n > 1 else ''}", n)
        counts = sorted(results)
        base = results[counts[0]]
        for n in counts[1:]:
            r = results[n]
            print(f"{n} vs {counts[0]} replicas: {r['runs_per_s'] / base['runs_per_s']:.2f}x the page runs/s, "
                  f"{r['p90'] / base['p90']:.2f}x the p90 (targets: >= 1.2x, <= 0.6x)")
    elif args.start_server:
        if args.baseline:
            with bare_server() as (url, pid):
                bare = asyncio.run(load(url, ["home"], args.sessions, args.think, args.join, args.duration, pid))
                print_result("bare script", bare)
        with app_server(**({"RNN_MAX_TRAININGS": str(len(kinds) + 1)} if kinds else {})) as (url, pid):
            r = one(url, pid, "app")
            if args.flood:
                flooded(r, one(url, pid, f"{args.flood} flooding", flood=args.flood, warm_up=False))
        if args.baseline:
            print("app vs bare script: " + ", ".join(f"{k} {r[k] / bare[k]:.1f}x" for k in ("p50", "p90", "p99"))
                  + f", runs/s {r['runs_per_s'] / bare['runs_per_s']:.2f}x")
    elif args.url:
        r = one(args.url, args.pid, "app")
        if args.flood:
            flooded(r, one(args.url, args.pid, f"{args.flood} flooding", flood=args.flood, warm_up=False))
    else:
        ap.error("give --url, --start-server or --serve")


if __name__ == "__main__":
    main()

"""What one page run costs on the real server: one session opens each page in turn over its websocket.

For every page: the median and p90 time from the rerun request to `script_finished`, and the server's CPU time per
run (its process tree, from /proc; this includes work done after the script, such as a post-run GC). The baseline,
measured in the same run, is a one-line Streamlit script (`st.write("hello")`) on its own server, with the app's
TCP_NODELAY fix (ui/server.py); "bare, Nagle on" is the same script as Streamlit serves it by default.

    python benchmarks/bench_page_runs.py                 # concept pages and home, 30 runs each
    python benchmarks/bench_page_runs.py --with-gc       # also the app with Streamlit's post-run gc.collect(2) on
    python benchmarks/bench_page_runs.py --pages unrolling --runs 50
"""
import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import load_headless as lh  # noqa: E402
from scripts.wsclient import Session  # noqa: E402
from ui import flood  # noqa: E402

TARGET_MS = 40


async def measure(url, pid, pages, runs, lang):
    """Round-robin over the pages, `runs` times: {page: (seconds per run, server CPU seconds per run, elements)}."""
    out = {p: ([], [], []) for p in pages}
    async with Session(url) as s:           # the server's first run sets it up (warm_up) for later sessions
        await s.run_page(pages[0], f"lang={lang}")
    async with Session(url) as s:
        for page in pages:                       # fill the caches first, as after a lecture's first minutes
            await s.run_page(page, f"lang={lang}")
        for _ in range(runs):
            for page in pages:
                cpu = lh.tree_cpu_s(pid)
                seconds = await s.run_page(page, f"lang={lang}")
                # let the server finish what it does after the script, and stay under the flood guard's pace
                # (ui/flood.py: a faster session gets a one-element "slow down" run, not the page)
                await asyncio.sleep(max(0.03, 1.1 / flood.RATE - seconds))
                wall, cpu_s, elements = out[page]
                wall.append(seconds)
                cpu_s.append(lh.tree_cpu_s(pid) - cpu)
                elements.append(s.elements)
                if s.exceptions:
                    raise SystemExit(f"{page} showed an exception")
    return out


def row(label, wall, cpu, elements, bare):
    med = statistics.median(wall)
    p90 = sorted(wall)[int(0.9 * len(wall))]
    return (f"{label:<28} {med * 1000:8.1f} {p90 * 1000:8.1f} {statistics.mean(cpu) * 1000:9.1f} "
            f"{med / bare:8.1f}x {statistics.median(elements):6.0f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", default=",".join(lh.CONCEPT_PAGES))
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--lang", default="en", choices=("en", "ko"))
    ap.add_argument("--with-gc", action="store_true", help="also measure with runner.postScriptGC = true")
    args = ap.parse_args()
    pages = [p for p in args.pages.split(",") if p]
    (lh.ROOT / "artifacts").mkdir(exist_ok=True)
    load = os.getloadavg()[0]

    with lh.bare_server() as (url, pid):
        bare = asyncio.run(measure(url, pid, ["home"], args.runs * 2, args.lang))["home"]
    with lh.bare_server(nagle=True) as (url, pid):
        bare_nagle = asyncio.run(measure(url, pid, ["home"], args.runs, args.lang))["home"]
    bare_med = statistics.median(bare[0])
    configs = [("", {})] + ([(" (post-run GC on)", {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "true"})]
                            if args.with_gc else [])
    results = []
    for suffix, env in configs:
        os.environ.update(env)
        try:
            with lh.app_server() as (url, pid):
                results.append((suffix, asyncio.run(measure(url, pid, pages, args.runs, args.lang))))
        finally:
            for k in env:
                os.environ.pop(k)

    print(f"\none session, {args.runs} runs per page ({args.lang}), load average before {load:.1f}")
    print(f"{'page':<28} {'median ms':>8} {'p90 ms':>8} {'CPU ms/run':>9} {'vs bare':>9} {'elements':>6}")
    print(row("bare script", *bare, bare_med))
    print(row("bare, Nagle on", *bare_nagle, bare_med))
    for suffix, out in results:
        for page in pages:
            print(row(page + suffix, *out[page], bare_med))
    concept = [p for p in pages if p != "home"]
    if concept:   # the app as configured (the first set of results)
        worst = max(statistics.median(results[0][1][p][0]) for p in concept) * 1000
        print(f"slowest concept page median: {worst:.1f} ms (target <= {TARGET_MS} ms)")


if __name__ == "__main__":
    main()

"""What a flooding client costs the server: CPU per request of a client that asks for page runs without pause.

--clients clients each send a request for a run of the home page every --every seconds, without waiting for the
answer, for --seconds (after a first run that fills the caches). The server's CPU time (its process tree, from
/proc) over that window, less its idle CPU over as long a window just before, divided by the requests sent.
The app slows such a client down (ui/flood.py); the baseline, in the same run, is the same flood against a
one-line script, whose every run is as cheap as a Streamlit run can be.

    python benchmarks/bench_flood.py            # target: a slowed-down client costs the server <= 2 ms a request
"""
import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.load_headless import SLOW_DOWN, app_server, bare_server, tree_cpu_s  # noqa: E402
from scripts.wsclient import Session  # noqa: E402


async def quiet_cpu_rate(pid, window=2.0, limit=90.0):
    """The server's CPU seconds per second once it has settled (its background loading done)."""
    deadline = time.monotonic() + limit
    while True:
        before = tree_cpu_s(pid)
        await asyncio.sleep(window)
        rate = (tree_cpu_s(pid) - before) / window
        if rate < 0.05 or time.monotonic() > deadline:
            return rate


async def flood(url, pid, clients, seconds, every):
    """(server CPU ms per request, requests sent, runs finished, 'slow down' notes seen)."""
    sessions = [await Session(url).__aenter__() for _ in range(clients)]
    try:
        for s in sessions:
            await s.run_page("home", "lang=en")             # the page's first run: caches filled
            s.finished_runs = 0
        idle = await quiet_cpu_rate(pid)
        sent, slowed = [0], [0]

        async def client(s):
            while time.monotonic() < until:
                await s.ask("home", "lang=en")
                sent[0] += 1
                slowed[0] += any(a in SLOW_DOWN for a in s.alerts)
                s.alerts.clear()
                await asyncio.sleep(every)

        cpu0, until = tree_cpu_s(pid), time.monotonic() + seconds
        await asyncio.gather(*(client(s) for s in sessions))
        cpu = tree_cpu_s(pid) - cpu0 - idle * seconds
        finished = sum(s.finished_runs for s in sessions)
    finally:
        for s in sessions:
            await s.__aexit__(None, None, None)
    return 1000 * cpu / max(sent[0], 1), sent[0], finished, slowed[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--every", type=float, default=0.01, help="seconds between a client's requests")
    args = ap.parse_args()
    results = {}
    for label, server in (("one-line script", bare_server), ("the app", app_server)):
        with server() as (url, pid):
            results[label] = asyncio.run(flood(url, pid, args.clients, args.seconds, args.every))
            ms, sent, finished, slowed = results[label]
            print(f"{label:>16}: {args.clients} clients sent {sent} requests in {args.seconds:g} s, {finished} runs "
                  f"finished, {slowed} 'slow down' notes; {ms:.2f} ms of server CPU per request", flush=True)
    ratio = results["the app"][0] / results["one-line script"][0]
    print(f"the app's cost per flood request: {ratio:.2f}x the one-line script's (target: <= 2 ms a request)")


if __name__ == "__main__":
    main()

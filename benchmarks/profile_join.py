"""Where a joining session's first page run goes: py-spy on a running server while fresh sessions join one by one.

    python benchmarks/profile_join.py --page sequences --sessions 30

Starts `streamlit run` (the served configuration: .streamlit/config.toml, file watcher off), opens the page once
(caches filled), then samples the server with py-spy while --sessions fresh sessions each run their first page,
one after another. Prints the first-run and later-run times and the functions with the most samples (inclusive,
in Streamlit's script threads), from py-spy's raw stacks (artifacts/profile-join.txt).
"""
import argparse
import asyncio
import collections
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load_headless import app_server, quantile  # noqa: E402
from scripts.wsclient import Session  # noqa: E402


async def joins(url, page, n):
    first, later = [], []
    for _ in range(n):
        async with Session(url) as s:
            t = time.perf_counter()
            await s.run_page(page, "lang=ko")
            first.append(time.perf_counter() - t)
            later.append(await s.run_page(page, "lang=ko"))
    return sorted(first), sorted(later)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--page", default="sequences")
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    out = ROOT / "artifacts" / "profile-join.txt"
    out.parent.mkdir(exist_ok=True)
    with app_server() as (url, pid):
        asyncio.run(joins(url, args.page, 2))                  # warm: caches filled, modules imported
        spy = subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--rate", "200", "--format", "raw",
                                "--output", str(out), "--nonblocking"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        first, later = asyncio.run(joins(url, args.page, args.sessions))
        spy.send_signal(2)
        spy.wait(30)
    print(f"{args.page}: first page run of a fresh session p50 {quantile(first, 0.5) * 1000:.0f} ms "
          f"p90 {quantile(first, 0.9) * 1000:.0f} ms; its second run p50 {quantile(later, 0.5) * 1000:.0f} ms")
    inclusive, total = collections.Counter(), 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if "ScriptRunner" not in stack and "scriptrunner" not in stack:
            continue                                          # only the script threads (page runs)
        n = int(count)
        total += n
        for frame in set(stack.split(";")):
            inclusive[frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1]] += n
    print(f"{total} samples in script threads; the functions in most of them (inclusive):")
    for frame, n in inclusive.most_common(args.top):
        print(f"  {100 * n / max(total, 1):5.1f}%  {frame}")


if __name__ == "__main__":
    main()

"""The replicas' send order, compared in one run: class sessions with Streamlit's own order (each session in turn)
and with fewest queued messages first (ui.server.send_short_first), taking turns.

    python benchmarks/send_order.py --pairs 3

Each pair runs benchmarks/class_session.py twice (--send-order arrival, then fewest) with the same seed. It prints,
for each order, the vote runs' p90 over the session (vote_p90_ms) and in the round where a replica is killed
(series 1), the reconnects' first page p90 and the reveal's p50, each as mean ± sd over the pairs, and the ratio
fewest / arrival of each pair's figures; then the votes lost and double-counted in all.
"""
import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDERS = ("arrival", "fewest")
FIGURES = {     # name -> pattern of class_session.py's output giving it
    "vote_p90_ms": r"vote_p90_ms=(\d+)",
    "kill_round_vote_p90_ms": r"vote runs .*series 1: n=\d+ \d+/(\d+)/",
    "reconnect_first_page_p90_ms": r"reconnects' first page: n=\d+ p50 \d+ ms p90 (\d+) ms",
    "reveal_p50_ms": r"a reveal reaching .* p50 (\d+) ms",
}
COUNTS = {"lost": r"lost=(\d+)", "double": r"double=(\d+)"}      # must stay 0 in either order


def one(order, seed, students, replicas, store):
    """One class session with this send order: its figures (name -> number)."""
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "class_session.py"), "--students", str(students),
                          "--replicas", str(replicas), "--store", store, "--seed", str(seed), "--send-order", order],
                         capture_output=True, text=True, timeout=900).stdout
    figures = {}
    for name, pattern in (FIGURES | COUNTS).items():
        found = re.search(pattern, out)
        if found is None:
            sys.exit(f"class_session.py ({order}) printed no {name}:\n{out[-2000:]}")
        figures[name] = float(found.group(1))
    return figures


def spread(xs):
    """mean ± sd (sd 0 for one value)."""
    return f"{statistics.mean(xs):.0f} ± {statistics.stdev(xs) if len(xs) > 1 else 0:.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--students", type=int, default=200)
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--store", choices=("redis", "sqlite"), default="redis")
    args = ap.parse_args()
    runs = {order: [] for order in ORDERS}
    for pair in range(args.pairs):
        for order in ORDERS:
            runs[order].append(one(order, pair, args.students, args.replicas, args.store))
            print(f"pair {pair + 1} {order}: " + " ".join(f"{k}={v:.0f}" for k, v in runs[order][-1].items()),
                  flush=True)
    for name in FIGURES:
        ratios = [f[name] / a[name] if a[name] else float("nan") for a, f in zip(runs["arrival"], runs["fewest"])]
        print(f"{name}: arrival {spread([r[name] for r in runs['arrival']])}, fewest first "
              f"{spread([r[name] for r in runs['fewest']])}; fewest/arrival by pair "
              + ", ".join(f"{r:.2f}" for r in ratios))
    print(" ".join(f"{name}={sum(r[name] for order in ORDERS for r in runs[order]):.0f}" for name in COUNTS))


if __name__ == "__main__":
    main()

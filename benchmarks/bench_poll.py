"""What a student's poll of the room costs the server: CPU per poll, over the real websocket.

A student's page reruns its room banner (a fragment, ui/classroom.py) every 3 s to see the round and the lecturer's
page. This starts `streamlit run` with the class store (SQLite by default, `--store redis` for a redis-server on a
free port), opens a room as a lecturer (its button on the Class page), joins --students students on the sequences
page (?room=CODE&me=...), and then drives only their polls: each student reruns the fragment the app gave a timer
(as the browser does: a rerun with that fragment's id) every --every seconds, for --seconds. The server's CPU time
(its process tree, from /proc) over that window, less its idle CPU over as long a window just before, divided by
the polls. Twice: the room idle, then with a round open on the page's first question that every student answered.
The baseline, in the same run, is the same polls against a one-line script whose fragment reruns on a timer.

    python benchmarks/bench_poll.py                    # target: a poll costs the server <= 3 ms
    python benchmarks/bench_poll.py --store redis --students 60
"""
import argparse
import asyncio
import contextlib
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_flood import quiet_cpu_rate  # noqa: E402
from benchmarks.class_session import EN, QUESTIONS, Client, choose, click  # noqa: E402
from benchmarks.load_headless import app_server, tree_cpu_s  # noqa: E402
from rnn_core.classroom import keep  # noqa: E402

BARE = ('import streamlit as st\n\n@st.fragment(run_every=3.0)\ndef poll():\n    st.write("hello")\n\n'
        'st.write("hello")\npoll()\n')


async def polls(sessions, query_of, pid, seconds, every):
    """(server CPU ms per poll, polls) while every session reruns its timed fragment every `every` seconds."""
    idle = await quiet_cpu_rate(pid)
    done = [0]

    async def student(s):
        fid = next(iter(s.timers))
        await asyncio.sleep(random.uniform(0, every))                # the browsers' timers are not in step
        while time.monotonic() < until:
            started = time.monotonic()
            await s.run(query_of(s), fragment_id=fid)
            done[0] += 1
            if s.exceptions:
                raise SystemExit(f"a poll showed an exception: {s.texts()[-3:]}")
            await asyncio.sleep(max(0.0, every - (time.monotonic() - started)))

    cpu0, until = tree_cpu_s(pid), time.monotonic() + seconds
    await asyncio.gather(*(student(s) for s in sessions))
    cpu = tree_cpu_s(pid) - cpu0 - idle * seconds
    return 1000 * cpu / max(done[0], 1), done[0]


async def bare(url, pid, n, seconds, every):
    sessions = [await Client(url).__aenter__() for _ in range(n)]
    try:
        for s in sessions:
            await s.run("page=home&lang=en")
        assert all(len(s.timers) == 1 for s in sessions), "the one-line script's fragment has a timer"
        return {"one-line script": await polls(sessions, lambda s: "page=home&lang=en", pid, seconds, every)}
    finally:
        for s in sessions:
            await s.__aexit__(None, None, None)


async def app(url, pid, n, seconds, every, profile=None):
    lec = await Client(url).__aenter__()
    await lec.run("page=class_session&lang=en")
    await lec.run("page=class_session&lang=en", click(lec.find("button", "^" + re.escape(EN["open.button"]) + "$")))
    code = next(m.group(1) for m in map(re.compile(r"^# `([A-Z0-9]{5})`$").match, lec.texts()) if m)
    await lec.run(f"lang=en&room={code}")
    queries, sessions = {}, []
    try:
        for i in range(n):
            s = await Client(url).__aenter__()
            sessions.append(s)
            queries[s] = f"lang={'ko' if i % 2 else 'en'}&room={code}&me={keep.new_me()}"
            await s.run(queries[s])
            await s.run(queries[s])                           # a later page run, as after a while on the page
            assert len(s.timers) == 1, f"a student's page has one timed fragment (the poll), not {len(s.timers)}"
        spy = profile and subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--rate", "250", "--format",
                                            "raw", "--output", profile, "--nonblocking"],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = {"idle room": await polls(sessions, queries.get, pid, seconds, every)}
        start = lec.find("button", f"class_start_{QUESTIONS[0]}$")
        await lec.change(f"lang=en&room={code}", start, click(start))
        for i, s in enumerate(sessions):                      # every student answers (a vote), as in a round
            radio = s.find("radio", f"-quiz_{QUESTIONS[0]}$")
            await s.change(queries[s], radio, choose(radio, i % len(radio.options)))
        out["round open, all voted"] = await polls(sessions, queries.get, pid, seconds, every)
        if spy:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
        return out
    finally:
        for s in [*sessions, lec]:
            await s.__aexit__(None, None, None)


@contextlib.contextmanager
def class_store(kind):
    """The RNN_STORE URL for the server: a fresh SQLite file, or a redis-server on a free port."""
    if kind == "redis":
        from tests.redis_server import redis_server
        with redis_server() as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/class.db"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=20.0, help="measured seconds per case")
    ap.add_argument("--every", type=float, default=3.0, help="seconds between a student's polls (the app's timer)")
    ap.add_argument("--store", choices=("sqlite", "redis"), default="sqlite")
    ap.add_argument("--profile", default=None, help="py-spy's raw stacks of the app's server while students poll "
                    "(its CPU figures then include py-spy's sampling)")
    args = ap.parse_args()
    random.seed(0)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bare.py"
        script.write_text(BARE)
        with app_server(script) as (url, pid):
            results.update(asyncio.run(bare(url, pid, args.students, args.seconds, args.every)))
    with class_store(args.store) as store, app_server(RNN_STORE=store) as (url, pid):
        results.update(asyncio.run(app(url, pid, args.students, args.seconds, args.every, args.profile)))
    base = results["one-line script"][0]
    for label, (ms, n) in results.items():
        print(f"{label:>22}: {args.students} students, {n} polls in {args.seconds:g} s; {ms:.2f} ms of server CPU "
              f"per poll ({ms / base:.1f}x the one-line script's fragment rerun)", flush=True)
    worst = max(ms for label, (ms, _) in results.items() if label != "one-line script")
    print(f"store {args.store}: a student's poll costs the server {worst:.2f} ms at most, {worst - base:+.2f} ms over "
          f"the one-line script's {base:.2f} ms (target: <= 3 ms a poll; a loaded machine raises both)")


if __name__ == "__main__":
    main()

"""What a student's poll of the room costs the server: CPU per poll, through the real server.

A student's page looks at its room every 3 s to see the round and the lecturer's page: its browser GETs the room's
public state (<base>/_rnn/room/<code>, rnn_core/classroom/poll.py) and reruns the banner's fragment only when the
page must act on a change (poll.must_rerun, ui/classroom.py). This starts `streamlit run` with the class store
(SQLite by default, `--store redis` for a redis-server on a free port), opens a room as a lecturer (its button on
the Class page), joins --students students on the sequences page (?room=CODE&me=...), and then drives only their
polls, each every --every seconds for --seconds, their browsers' timers not in step: the server's CPU time (its
process tree, from /proc) over that window, less its idle CPU over as long a window just before, divided by the
polls. Twice: the room idle, then with a round open on the page's first question that every student answered. For
comparison, in the same run: a rerun of the banner's fragment (what each poll was before, now what a change the page
must act on costs each student once) and a one-line script's fragment rerun on a timer (any Streamlit rerun).

    python benchmarks/bench_poll.py --students 60 --seconds 30                # target: a poll costs <= 3 ms
    python benchmarks/bench_poll.py --students 60 --seconds 30 --store redis
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


async def polls(sessions, poll, pid, seconds, every):
    """(server CPU ms per poll, polls) while every session runs poll(session) every `every` seconds."""
    idle = await quiet_cpu_rate(pid)
    done = [0]

    async def student(s):
        await asyncio.sleep(random.uniform(0, every))                # the browsers' timers are not in step
        while time.monotonic() < until:
            started = time.monotonic()
            await poll(s)
            done[0] += 1
            if s.exceptions:
                raise SystemExit(f"a poll showed an exception: {s.texts()[-3:]}")
            await asyncio.sleep(max(0.0, every - (time.monotonic() - started)))

    cpu0, until = tree_cpu_s(pid), time.monotonic() + seconds
    await asyncio.gather(*(student(s) for s in sessions))
    cpu = tree_cpu_s(pid) - cpu0 - idle * seconds
    return 1000 * cpu / max(done[0], 1), done[0]


async def get(s):
    """A student's poll, as the browser's: the GET of the room's public state (no rerun: the room is as drawn)."""
    _, reran = await s.look()
    assert reran is None, "the room changed during the measurement"


async def bare(url, pid, n, seconds, every):
    sessions = [await Client(url).__aenter__() for _ in range(n)]
    try:
        for s in sessions:
            await s.run("page=home&lang=en")
        assert all(len(s.timers) == 1 for s in sessions), "the one-line script's fragment has a timer"
        return {"one-line script": await polls(sessions, lambda s: s.run("page=home&lang=en",
                                                                           fragment_id=next(iter(s.timers))),
                                               pid, seconds, every)}
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
            assert s.poll is not None and not s.timers, "a student's page polls the room in the browser, no timer"
        spy = profile and subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--rate", "250", "--format",
                                            "raw", "--output", profile, "--nonblocking"],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = {"poll, idle room": await polls(sessions, get, pid, seconds, every)}
        start = lec.find("button", f"class_start_{QUESTIONS[0]}$")
        await lec.change(f"lang=en&room={code}", start, click(start))
        await asyncio.sleep(1.1)                              # the replica's shared read of the room expires
        for i, s in enumerate(sessions):                      # every student answers (a vote), as in a round
            _, reran = await s.look()
            assert reran is None, "a round opened on an unanswered question: the page shows it, no rerun"
            radio = s.find("radio", f"-quiz_{QUESTIONS[0]}$")
            await s.change(queries[s], radio, choose(radio, i % len(radio.options)))
        out["poll, round open, voted"] = await polls(sessions, get, pid, seconds, every)
        if spy:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
        out["banner rerun (on change)"] = await polls(sessions, lambda s: s.run(queries[s], fragment_id=s.poll[1]),
                                                     pid, seconds, every)
        turn = dict.fromkeys(sessions, 0)

        async def vote(s):                                    # a changed vote: the question's fragment reruns
            turn[s] += 1
            radio = s.find("radio", f"-quiz_{QUESTIONS[0]}$")
            await s.change(queries[s], radio, choose(radio, turn[s] % len(radio.options)))

        out["vote (question's fragment)"] = await polls(sessions, vote, pid, seconds, every)
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
        print(f"{label:>24}: {args.students} students, {n} in {args.seconds:g} s; {ms:.2f} ms of server CPU "
              f"each ({ms / base:.2f}x the one-line script's fragment rerun)", flush=True)
    worst = max(ms for label, (ms, _) in results.items() if label.startswith("poll"))
    print(f"store {args.store}: a student's poll costs the server {worst:.2f} ms at most (target: <= 3 ms); any "
          f"Streamlit fragment rerun {base:.2f} ms (the one-line script), the banner's "
          f"{results['banner rerun (on change)'][0]:.2f} ms, paid only when the room changes")


if __name__ == "__main__":
    main()

"""A class session under load: a lecturer and N students over Streamlit's real websocket protocol, through the proxy.

    python benchmarks/class_session.py --students 200 --replicas 2 --store redis
    python benchmarks/class_session.py --students 200 --replicas 1 --store sqlite

It starts scripts/serve.sh (with --redis for the Redis store), then drives headless sessions as a browser does:
the lecturer opens a room on the Class page by clicking its button, goes to the sequences page and, for each of
its three questions, starts round 1, closes it, starts round 2, closes it and reveals, by clicking the buttons,
then talks about the result until every student's page has drawn it (at most 20 s) before the next question.
Students join within --join seconds (?room=CODE&me=<random id>), then vote by setting the question's radio (real
widget values, no side door into the store), some change their vote, some reload mid-round; every session runs
its fragments on their timers (the lecturer's live count every second), and a student's page looks at the room as
its browser does: an HTTP GET of the room's public state every 3 s (ui/classroom.py _POLL_JS), and a rerun of the
banner's fragment (with the component's trigger) only when the page must act (poll.must_rerun). In the
second question's first round one replica is killed (SIGKILL) and serve.sh restarts it; its students reconnect.

At the end the votes the students saw through are compared with the store's (read only for this check):
lost = a vote a student saw through that is not in the store as their last choice, double = more votes in a
round than voters. Last line (one line):
students=N votes_sent=... votes_counted=... lost=0 double=0 first_page_p90_ms=...
    vote_p90_ms=... lecturer_lag_p90_ms=...
"""
import argparse
import asyncio
import http.client
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from benchmarks.load_headless import quantile, tree_cpu_s  # noqa: E402
from rnn_core.classroom import keep, rooms  # noqa: E402
from rnn_core.classroom.poll import must_rerun  # noqa: E402
from rnn_core.classroom.store import open_store  # noqa: E402
from scripts.wsclient import HttpGet, PageRunError, Session  # noqa: E402
from tests.browser import harness  # noqa: E402
from ui import i18n  # noqa: E402
from ui.classroom import STUDENT_POLL  # noqa: E402

PAGE = "sequences"
QUESTIONS = ("orders", "series", "shared")        # the page's three predict-then-reveal questions, in order
RELOAD_SHARE, CHANGE_SHARE = 0.1, 0.3             # students who reload mid-round / change their vote
FRAGMENT_DONE = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
EN = i18n.table("en", "class_session")
NET = (PageRunError, OSError, websockets.WebSocketException, asyncio.IncompleteReadError,   # reconnect
       http.client.HTTPException)       # the page's HTML cut off by a replica that died while sending it
POLL_COMPONENT = "rnn_room_poll"                  # the banner's look at the room (ui/classroom.py _watch_room)


class Client(Session):
    """A Session that remembers the elements of its last run, the fragment each widget was drawn in (a browser
    sends a widget's change as a rerun of that fragment only), the fragments the app asked to rerun on a timer, and
    the room poll a student's page runs in the browser."""

    def __init__(self, base):
        super().__init__(base)
        self.drawn, self.timers, self.lock = [], {}, asyncio.Lock()
        self.widgets = {}           # widget id -> (its element, the fragment it was drawn in, "" for none)
        self.poll = None            # the room poll's (component id, its fragment, its data) from the last drawing
        self.values = {}            # radio id -> its option, as chosen on the page
        self.last_query = ""
        self.http = None
        self.page_runs = 0          # page runs finished (asked for by this client or by the app: a reveal's)

    async def __aenter__(self):
        await super().__aenter__()
        self.http = HttpGet(self.base, self.cookie)
        return self

    async def __aexit__(self, *exc):
        if self.http is not None:
            self.http.close()
        await super().__aexit__(*exc)

    async def look(self):
        """What the browser's poll does every STUDENT_POLL seconds: GET the room's public state; when the page must
        act on it (poll.must_rerun, the rule of the page's JS), rerun the banner's fragment as the component's
        trigger does, else show the round's status as the page does. Returns (seconds of the GET, seconds of the
        rerun or None)."""
        cid, fid, data = self.poll
        started = time.perf_counter()
        status, body = await self.http.get(data["url"])
        got = time.perf_counter() - started
        if status not in (200, 404):
            return got, None                            # the store is down: the page looks again later
        room = json.loads(body) if status == 200 else None
        fp = room["fp"] if room is not None else ""
        if not must_rerun(data["view"], room, self.answered):
            if room is not None and fp != data["view"]["fp"]:
                data["view"] = {**data["view"], "fp": fp, "rv": room["rv"]}
            return got, None
        if fp == data.get("asked"):
            return got, None                            # as the page's JS: one trigger per change
        data["asked"] = fp
        event = [WidgetState(id=f"$$STREAMLIT_INTERNAL_KEY_{cid}__events",
                             json_trigger_value=json.dumps([{"event": "changed", "value": fp}]))]
        return got, await self.run(self.last_query, event, fid)

    def answered(self, box):
        """Is the option of the question box `box` chosen on this page now (as the page's JS reads its radio)."""
        return any(v for wid, v in self.values.items() if wid.endswith(f"-quiz_{box}"))

    def seen(self, msg):
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            e = msg.delta.new_element
            self.drawn.append(e)
            which = e.WhichOneof("type")
            if which in ("radio", "button"):
                self.widgets[getattr(e, which).id] = (e, msg.delta.fragment_id)
            if which == "radio" and e.radio.set_value:
                self.values[e.radio.id] = e.radio.raw_value
            elif which == "bidi_component" and e.bidi_component.component_name.endswith(POLL_COMPONENT):
                self.poll = (e.bidi_component.id, msg.delta.fragment_id, json.loads(e.bidi_component.json))
        elif kind == "auto_rerun":
            self.timers[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self.timers.pop(fid, None)
        elif kind == "script_finished" and msg.script_finished == FRAGMENT_DONE:
            self._finish(None)
        elif kind == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
            self.page_runs += 1

    async def run(self, query, widgets=(), fragment_id="", timer=False, widget=None):
        """One run of the page (or of one fragment), one at a time per session; the seconds it took. A timer's run
        is not sent (None) when the run before it stopped that timer, as a browser drops the timer then; the server
        would drop the run without an answer (the fragment is gone). widget: a changed widget's id; the run is of
        the fragment it is drawn in when the run is sent (a run just before may have moved it to another)."""
        async with self.lock:
            if timer and fragment_id not in self.timers:
                return None
            if widget is not None:
                fragment_id = self.widgets.get(widget, (None, ""))[1]
            self.last_query = query               # the page's URL, for the poll's rerun
            if not fragment_id:
                self.drawn, self.timers, self.widgets, self.poll, self.values = [], {}, {}, None, {}
            else:
                self.drawn = []
            return await self.run_page(PAGE if not query.startswith("page=") else query[5:].split("&")[0],
                                       query.split("&", 1)[1] if query.startswith("page=") else query,
                                       widgets, fragment_id)

    def find(self, kind, pattern):
        """The last element of a kind whose id or label matches the pattern (regex), or None: from the last run,
        else a widget still on the page since the last page run (a fragment run redraws only its fragment)."""
        for e in [*reversed(self.drawn), *(e for e, _ in reversed(self.widgets.values()))]:
            if e.WhichOneof("type") == kind:
                w = getattr(e, kind)
                if re.search(pattern, getattr(w, "id", "")) or re.search(pattern, getattr(w, "label", "")):
                    return w
        return None

    async def change(self, query, widget, states):
        """Send a widget's new value as the browser does: a rerun of the fragment it was drawn in, else of the page."""
        for w in states:
            if w.WhichOneof("value") == "string_value":
                self.values[w.id] = w.string_value
        return await self.run(query, states, widget=widget.id)

    def texts(self):
        out = []
        for e in self.drawn:
            kind = e.WhichOneof("type")
            if kind == "markdown":
                out.append(e.markdown.body)
            elif kind == "code":
                out.append(e.code.code_text)
            elif kind == "metric":
                out.append(e.metric.body)
        return out


def click(widget):
    return [WidgetState(id=widget.id, trigger_value=True)]


def choose(radio, index):
    return [WidgetState(id=radio.id, string_value=radio.options[index])]


class Bench:
    """Everything measured, and the events the lecturer and the students meet at."""

    def __init__(self, base, n, join, seed):
        self.base, self.n, self.join, self.rng = base, n, join, random.Random(seed)
        self.code = self.secret = None
        self.first_page, self.votes_ms, self.polls_ms, self.errors = [], [], [], []
        self.banner_ms = []         # the banner's fragment reruns a poll asked for (the room had changed)
        self.sent = {}              # (question, round) -> {voter: option} as the students saw them through
        self.vote_times = {}        # (question, round) -> [(sent at, done at, voter)] first votes
        self.counts = {}            # (question, round) -> [(time, count)] on the lecturer's screen
        self.opened = {}            # (question, round) -> asyncio.Event
        self.done = {}              # (question, round) -> set of students who finished voting
        self.keys = {}              # question -> its key (from the lecturer's page)
        self.kill = None            # set by main: kills a replica
        self.finished = asyncio.Event()
        self.joined = 0
        self.clients = {}           # student -> its session now
        self.reveal_ms = []         # from a reveal until a student's page was drawn again (with the result)
        self.rejoin_ms = []         # a reconnect's first page (after a reload or a lost replica), its try that worked
        self.failed_s = []          # (seconds, error) of each vote attempt that failed
        self.vote_ms_by_round = {}  # (question, round) -> the ms of each vote run that went through (as votes_ms)

    async def seen_by_room(self, longest=20.0):
        """The lecturer talks about the result until every student's page has drawn it (their polls see the
        reveal and rerun the page), as in a class; at most `longest` seconds. Records how long each page took."""
        start = time.monotonic()
        before = {n: (c, c.page_runs) for n, c in self.clients.items()}
        waiting = dict(before)
        while waiting and time.monotonic() - start < longest:
            await asyncio.sleep(0.1)
            for n, (c, runs) in list(waiting.items()):
                if self.clients.get(n) is not c or c.page_runs > runs:     # drawn again, or reloaded meanwhile
                    self.reveal_ms.append((time.monotonic() - start) * 1000)
                    del waiting[n]


async def ticker(client, query_fn, bench, record=None, looked=None):
    """Run the session's timed fragments as the browser does (each on its own interval), and its room poll every
    STUDENT_POLL seconds (a little more, at random, as the page's JS) when the page has one."""
    due = {}
    while not bench.finished.is_set():
        now = time.monotonic()
        if client.poll is not None and due.setdefault("poll", now + random.uniform(0, STUDENT_POLL)) <= now:
            due["poll"] = now + STUDENT_POLL * (1 + 0.1 * random.random())
            try:
                got, reran = await client.look()
            except NET:
                return
            if looked is not None:
                looked(got, reran, client)
        for fid, interval in list(client.timers.items()):
            if due.setdefault(fid, now + interval) <= now:
                due[fid] = now + interval
                try:
                    seconds = await client.run(query_fn(), fragment_id=fid, timer=True)
                except NET:
                    return
                if record is not None and seconds is not None:
                    record(seconds, client)
        await asyncio.sleep(0.1)


# --- the lecturer -----------------------------------------------------------------------------------------------

async def lecturer(bench):
    b = bench
    query = lambda: f"lang=en&room={b.code}" if b.code else "lang=en"   # noqa: E731
    c = await Client(b.base).__aenter__()
    await c.run("page=class_session&lang=en")
    await c.run("page=class_session&lang=en", click(c.find("button", "^" + re.escape(EN["open.button"]) + "$")))
    b.code = next(m.group(1) for m in map(re.compile(r"^# `([A-Z0-9]{5})`$").match, c.texts()) if m)
    b.secret = next(t.split("&host=")[1] for t in c.texts() if "&host=" in t)
    await c.run(query())
    b.opened_all.set()

    def record(seconds, client):
        metric = next((e.metric for e in client.drawn if e.WhichOneof("type") == "metric"
                       and e.metric.label.startswith("Votes in round")), None)
        if metric is not None and b.current:
            b.counts.setdefault(b.current, []).append((time.monotonic(), int(metric.body)))

    async def act(key_pattern):
        """Click a button of the lecturer's page (reconnecting with the lecturer link if its replica died)."""
        nonlocal c, tick
        for _ in range(30):
            try:
                await c.run(query())
                button = c.find("button", key_pattern)
                await c.change(query(), button, click(button))
                return
            except (*NET, AttributeError) as e:
                b.errors.append(f"lecturer: {type(e).__name__}: {e}")
                tick.cancel()
                await c.__aexit__(None, None, None)
                await asyncio.sleep(1)
                c = await Client(b.base).__aenter__()
                with_host = f"lang=en&room={b.code}&host={b.secret}"
                try:
                    await c.run(with_host)
                except NET:
                    continue
                tick = asyncio.create_task(ticker(c, query, b, record))
        raise RuntimeError(f"lecturer could not click {key_pattern}: {b.errors[-3:]}")

    tick = asyncio.create_task(ticker(c, query, b, record))
    await b.all_joined.wait()
    for qi, q in enumerate(QUESTIONS):
        for rnd in rooms.ROUNDS:
            b.current = (q, rnd)
            await act(f"class_start_{q}$" if rnd == 1 else f"class_round2_{q}$")
            b.keys[q] = rooms.state(b.store, b.code).question      # for the final check only (the students never)
            b.opened[(q, rnd)].set()
            if qi == 1 and rnd == 1:
                asyncio.get_running_loop().call_later(2.0, b.kill)
            while len(b.done[(q, rnd)]) < b.n:                  # every student has voted (or given up)
                await asyncio.sleep(0.2)
            await asyncio.sleep(2.5)                            # the lecturer's screen catches up
            b.current = None
            await act(f"class_close_{q}$")
        await act(f"class_reveal_{q}$")
        await b.seen_by_room()
    b.finished.set()
    tick.cancel()
    await c.__aexit__(None, None, None)


# --- a student --------------------------------------------------------------------------------------------------

async def student(bench, n):
    b, rng = bench, random.Random(n)
    me, lang = keep.new_me(), ("ko" if n % 2 else "en")
    voter = None
    await b.opened_all.wait()
    await asyncio.sleep(rng.uniform(0, b.join))
    query = lambda: f"lang={lang}&room={b.code}&me={me}"   # noqa: E731
    state = {"c": None, "tick": None}

    def looked(got, reran, client):
        b.polls_ms.append(got * 1000)
        if reran is not None:
            b.banner_ms.append(reran * 1000)

    async def connect(first):
        for attempt in range(20):
            started = time.perf_counter()
            try:
                c = await Client(b.base).__aenter__()
                await c.run(query())
                (b.first_page if first else b.rejoin_ms).append((time.perf_counter() - started) * 1000)
                state["c"] = b.clients[n] = c
                state["tick"] = asyncio.create_task(ticker(c, query, b, looked=looked))
                return
            except NET as e:
                b.errors.append(f"student {n} join: {type(e).__name__}: {e}")
                await asyncio.sleep(1 + attempt * 0.5)
        raise RuntimeError(f"student {n} could not join")

    async def drop():
        if state["tick"]:
            state["tick"].cancel()
        if state["c"]:
            await state["c"].__aexit__(None, None, None)

    async def vote(q, rnd, option_index):
        """Set the radio to an option; retried through a reconnect; True once the run that carried it finished."""
        for _ in range(20):
            c = state["c"]
            radio = c.find("radio", f"-quiz_{q}$")
            started = time.perf_counter()
            try:
                if radio is None:
                    await c.run(query())
                    radio = c.find("radio", f"-quiz_{q}$")
                await c.change(query(), radio, choose(radio, option_index))
            except NET as e:
                b.errors.append(f"student {n} vote: {type(e).__name__}: {e}")
                b.failed_s.append((time.perf_counter() - started, b.errors[-1]))
                await drop()
                await asyncio.sleep(0.5)
                await connect(False)
                continue
            b.votes_ms.append((time.perf_counter() - started) * 1000)
            b.vote_ms_by_round.setdefault((q, rnd), []).append(b.votes_ms[-1])
            return radio.options[option_index]
        return None

    try:
        await connect(True)
    finally:
        b.joined += 1
        if b.joined == b.n:
            b.all_joined.set()
    voter = keep.voter(me, b.code)
    choice = None
    for q in QUESTIONS:
        for rnd in rooms.ROUNDS:
            await b.opened[(q, rnd)].wait()
            await asyncio.sleep(rng.uniform(0.5, 4.0))          # thinking
            radio = state["c"].find("radio", f"-quiz_{q}$")
            n_opt = len(radio.options) if radio else 3
            if rnd == 1 or choice is None or rng.random() < CHANGE_SHARE:
                choice = rng.randrange(n_opt)
            sent_at = time.monotonic()
            label = await vote(q, rnd, choice)
            if label is not None and rng.random() < CHANGE_SHARE / 2:        # changes their mind within the round
                choice = (choice + 1) % n_opt
                label = await vote(q, rnd, choice) or label
            if rng.random() < RELOAD_SHARE:                                   # reloads the page mid-round
                await drop()
                await connect(False)
            if label is not None:
                b.sent.setdefault((q, rnd), {})[voter] = (choice, label)
                b.vote_times.setdefault((q, rnd), []).append((sent_at, time.monotonic(), voter))
            b.done[(q, rnd)].add(n)
        choice = None
    await b.finished.wait()
    await drop()


# --- the run ----------------------------------------------------------------------------------------------------

def replica_pids(serve_pid):
    """The streamlit processes serve.sh started (its replicas)."""
    pids = []
    for pid in harness.children(serve_pid):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(cmd):
            pids.append(pid)
    return pids


def lag_p90(bench):
    """For the k-th distinct voter of a round (by when its vote was done): when the lecturer's count first showed
    >= k, minus when the vote was sent."""
    lags = []
    for key, times in bench.vote_times.items():
        shown = bench.counts.get(key, [])
        firsts = {}
        for sent_at, done_at, voter in sorted(times, key=lambda x: x[1]):
            firsts.setdefault(voter, (sent_at, done_at))
        for k, (sent_at, done_at) in enumerate(sorted(firsts.values(), key=lambda x: x[1]), start=1):
            seen = next((t for t, count in shown if t >= done_at and count >= k), None)
            if seen is not None:
                lags.append((seen - sent_at) * 1000)
    return quantile(sorted(lags), 0.9), len(lags)


async def session(base, n, join, serve_pid, seed, store, no_kill=False):
    b = Bench(base, n, join, seed)
    b.store = store
    b.opened_all, b.all_joined, b.current = asyncio.Event(), asyncio.Event(), None
    for q in QUESTIONS:
        for rnd in rooms.ROUNDS:
            b.opened[(q, rnd)], b.done[(q, rnd)] = asyncio.Event(), set()
    killed = []

    def kill():
        pids = replica_pids(serve_pid) if not no_kill else []
        if pids:
            victim = pids[-1]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
            print(f"killed replica pid {victim} mid-round (serve.sh restarts it)", flush=True)
    b.kill = kill
    t0 = time.monotonic()
    await asyncio.gather(lecturer(b), *(student(b, i) for i in range(n)))
    b.killed, b.seconds = killed, time.monotonic() - t0
    return b


def check(bench, store):
    """Compare what the students saw through with the store: (sent, counted, lost, double)."""
    import json
    sent = counted = lost = double = 0
    for (q, rnd), votes in bench.sent.items():
        key = bench.keys[q]
        options = json.loads(store.hgetall(f"reveal-key:{bench.code}:{key}")[b"options".decode()])   # option keys
        stored = {v: o.decode() for v, o in store.hgetall(rooms.votes_key(bench.code, key, rnd)).items()}
        sent += len(votes)
        counted += len(stored)
        double += max(0, len(stored) - len(votes))
        lost += sum(stored.get(voter) != options[index] for voter, (index, _) in votes.items())
    return sent, counted, lost, double


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=200)
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--store", choices=("redis", "sqlite"), default="redis")
    ap.add_argument("--join", type=float, default=10.0, help="seconds over which students join")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-kill", action="store_true", help="keep every replica alive (to compare with the kill)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    (ROOT / "artifacts").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        port = harness.free_port()
        env = harness.app_env()
        serve_args = ("--redis",) if args.store == "redis" else ()
        if args.store == "sqlite":
            env["RNN_STORE"] = f"sqlite:///{folder}/class.db"
        env["RNN_GC_LOG"] = f"{folder}/gc"         # each replica's GC pauses (ui.server.log_gc_pauses)
        with harness.proxy_server(args.replicas, port=port, env=env, args=serve_args) as (url, proc):
            store_url = env.get("RNN_STORE")
            if args.store == "redis":
                log = (ROOT / "artifacts" / f"serve-{port}.log").read_text()
                store_url = re.search(r"class store (redis://\S+)", log).group(1)
            store = open_store(store_url)
            cpu0, server0 = time.process_time(), tree_cpu_s(proc.pid)
            b = asyncio.run(session(url, args.students, args.join, proc.pid, args.seed, store,
                                                    args.no_kill))
            client_cpu, server_cpu = time.process_time() - cpu0, tree_cpu_s(proc.pid) - server0
            sent, counted, lost, double = check(b, store)
            rooms_state = []
            for _ in range(200):        # the store's part of a student's poll: one read of the room's state
                t = time.perf_counter()
                rooms.state(store, b.code)
                rooms_state.append((time.perf_counter() - t) * 1000)
            pauses = {}             # generation -> ms of each collection of 5 ms or more, all replicas
            for log in Path(folder).glob("gc.*"):
                for line in log.read_text().splitlines():
                    gen, ms = line.split()
                    pauses.setdefault(int(gen), []).append(float(ms))
    fp, votes, polls, banner = sorted(b.first_page), sorted(b.votes_ms), sorted(b.polls_ms), sorted(b.banner_ms)
    lag, n_lag = lag_p90(b)
    print(f"store {args.store}, {args.replicas} replica(s), {args.students} students, {b.seconds:.0f} s; "
          f"replica killed: {'yes' if b.killed else 'no'}; errors seen (reconnects included): {len(b.errors)}")
    print(f"CPU over the session: this client (all students and the lecturer) {client_cpu:.0f} s, the server "
          f"(replicas alive at the end, HAProxy, Redis) {server_cpu:.0f} s, in {b.seconds:.0f} s on {os.cpu_count()} "
          f"cores; load average {os.getloadavg()[0]:.1f}")
    print("the replicas' garbage collections of 5 ms or more (the GIL held: every session waits):",
          "; ".join(f"gen{g} n={len(ms)} p50 {quantile(sorted(ms), 0.5):.0f} ms max {max(ms):.0f} ms, "
                    f"{sum(ms) / 1000:.1f} s in all" for g, ms in sorted(pauses.items())) or "none")
    kinds = {}
    for e in b.errors:
        kind = re.sub(r"\b\d+\b", "N", e)      # student N, N s: one kind (a fragment id stays)
        kinds[kind] = kinds.get(kind, 0) + 1
    print("errors by kind:", "; ".join(f"{k} x{v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
    slow = sorted(b.failed_s, reverse=True)
    print(f"failed vote attempts: n={len(slow)}, seconds until they failed: "
          f"p50 {quantile([s for s, _ in reversed(slow)], 0.5):.1f} max {slow[0][0] if slow else 0:.1f}; slowest:")
    for seconds, e in slow[:3]:
        print(f"    {seconds:.1f} s  {e}")
    print(f"first page: n={len(fp)} p50 {quantile(fp, 0.5):.0f} ms p90 {quantile(fp, 0.9):.0f} ms; "
          f"vote: n={len(votes)} p50 {quantile(votes, 0.5):.0f} ms max {max(votes, default=0):.0f} ms; "
          f"student poll (HTTP GET, round trip): n={len(polls)} p50 {quantile(polls, 0.5):.1f} ms "
          f"p90 {quantile(polls, 0.9):.1f} ms; banner reruns on a change: n={len(banner)} p50 "
          f"{quantile(banner, 0.5):.0f} ms; the store's read of a room: p50 "
          f"{quantile(sorted(rooms_state), 0.5):.2f} ms; lecturer lag measured on {n_lag} first votes")
    reveal = sorted(b.reveal_ms)
    print(f"a reveal reaching the students' pages (the lecturer waits for it): n={len(reveal)} p50 "
          f"{quantile(reveal, 0.5):.0f} ms p90 {quantile(reveal, 0.9):.0f} ms")
    rejoin = sorted(b.rejoin_ms)
    print(f"reconnects' first page: n={len(rejoin)} p50 {quantile(rejoin, 0.5):.0f} ms "
          f"p90 {quantile(rejoin, 0.9):.0f} ms max {max(rejoin, default=0):.0f} ms")
    rounds = {k: sorted((done - at) * 1000 for at, done, _ in v) for k, v in b.vote_times.items()}
    print("a student's vote, from its choice to the run seen through (reconnects included), p50/p90 ms by round:",
          "; ".join(f"{q} {r}: {quantile(ms, 0.5):.0f}/{quantile(ms, 0.9):.0f}" for (q, r), ms in rounds.items()))
    runs = {k: sorted(v) for k, v in b.vote_ms_by_round.items()}
    print("vote runs (vote_p90_ms's), n and p50/p90/max ms by round:", "; ".join(
        f"{q} {r}: n={len(ms)} {quantile(ms, 0.5):.0f}/{quantile(ms, 0.9):.0f}/{ms[-1]:.0f}"
        for (q, r), ms in runs.items()))
    print(f"students={args.students} votes_sent={sent} votes_counted={counted} lost={lost} double={double} "
          f"first_page_p90_ms={quantile(fp, 0.9):.0f} vote_p90_ms={quantile(votes, 0.9):.0f} "
          f"lecturer_lag_p90_ms={lag:.0f}", flush=True)


if __name__ == "__main__":
    main()

"""A student's poll of the room (issue 20), against a real `streamlit run` server and a real store.

The page's look at its room is an HTTP GET of <baseUrlPath>/_rnn/room/<code> (rnn_core/classroom/poll.py), not a
Streamlit rerun: it answers the room's fingerprint, which changes when the lecturer opens a round, closes it,
reveals or changes page, never with a vote, and never says a tally or the right option; a malformed or unknown
code is a 404 with nothing in it. Under a baseUrlPath the route moves with Streamlit's own, and the student's page
polls it there; its banner is rerun by that poll (a fragment without a timer).
"""
import asyncio
import time
import urllib.error
import urllib.request

import pytest

from benchmarks.class_session import Client, choose, click
from rnn_core.classroom import keep, rooms
from rnn_core.classroom.poll import SHARED_READ
from rnn_core.classroom.store import open_store
from tests.browser import harness
from ui import i18n

OPTIONS = ("neither", "dense", "rnn", "both")


def get(url):
    """(status, body, headers) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), e.headers


def fresh(url, previous, timeout=5.0):
    """The route's answer once the replica's shared read of the room has expired (it is no older than SHARED_READ)."""
    time.sleep(SHARED_READ + 0.1)
    deadline = time.monotonic() + timeout
    while True:
        answer = get(url)
        if answer[1] != previous or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('poll') / 'class.db'}"
    with harness.streamlit_server(env=harness.app_env(RNN_STORE=url)) as (base, _):
        yield base, open_store(url)


def test_the_route_answers_the_rooms_fingerprint_and_nothing_else(server):
    base, store = server
    code, secret = rooms.open_room(store)
    lec = rooms.Lecturer(store, code, secret)
    route = f"{base}/_rnn/room/{code}"
    status, idle, headers = get(route)
    assert status == 200 and idle == rooms.fingerprint(rooms.state(store, code))
    assert headers["Cache-Control"] == "no-store" and headers["Content-Type"].startswith("text/plain")
    assert get(f"{base}/_rnn/room/{code.lower()}")[:2] == (200, idle)          # a code as typed

    lec.start_round("orders", "orders", OPTIONS, {"rnn"}, 1, page="sequences")
    status, opened, _ = fresh(route, idle)
    assert status == 200 and opened != idle, "the poll sees a round open"
    for i in range(12):                                                       # votes: the fingerprint stays
        assert rooms.vote(store, code, "orders", 1, f"voter{i}", OPTIONS[i % 3])
    status, voted, _ = fresh(route, opened, timeout=0)
    assert (status, voted) == (200, opened), "a vote does not change what students are told"
    lec.close_round()
    closed = fresh(route, opened)[1]
    lec.reveal()
    revealed = fresh(route, closed)[1]
    lec.follow("memory")
    moved = fresh(route, revealed)[1]
    answers = [idle, opened, voted, closed, revealed, moved]
    assert len(set(answers)) == 5, answers
    for body in answers:                      # a 12-digit hex digest: no option, no count, no right answer
        assert len(body) == 12 and all(c in "0123456789abcdef" for c in body), body
        assert not any(o in body for o in OPTIONS)
    lec.close()
    assert fresh(route, moved)[:2] == (404, ""), "a closed room is not found"


@pytest.mark.parametrize("code", ["ABCDE", "%3Cscript%3E", "K7P2", "K7P2QQ", "K7P2O", "%20k7p2q", "a" * 300])
def test_a_bad_or_unknown_code_is_a_bare_404(server, code):
    base, _ = server
    status, body, _ = get(f"{base}/_rnn/room/{code}")
    assert (status, body) == (404, ""), code


def test_a_student_page_polls_the_route_under_a_base_url_path(tmp_path):
    """The route, the page and the poll's address all move under server.baseUrlPath; a poll that sees the round
    open reruns only the banner's fragment, which then shows the round."""
    url = f"sqlite:///{tmp_path / 'class.db'}"
    store = open_store(url)
    code, secret = rooms.open_room(store)
    env = harness.app_env(RNN_STORE=url, STREAMLIT_SERVER_BASE_URL_PATH="course/rnn")
    with harness.streamlit_server(env=env, base_path="course/rnn") as (base, _):
        assert get(f"{base}/_rnn/room/{code}")[0] == 200
        assert get(f"{base[:base.index('/course')]}/_rnn/room/{code}")[0] == 404
        harness.run_async(_student(base, store, code, secret))


async def _student(base, store, code, secret):
    s = await Client(base).__aenter__()
    try:
        query = f"lang=en&room={code}&me={keep.new_me()}"
        await s.run(query)
        assert s.poll is not None and not s.timers, "the banner has no timer: the page polls the route"
        cid, banner, data = s.poll
        assert banner and data["url"] == f"/course/rnn/_rnn/room/{code}" and data["every"] == 3.0
        assert (await s.look())[1] is None, "an unchanged room reruns nothing"
        rooms.Lecturer(store, code, secret).start_round("orders", "orders", OPTIONS, {"rnn"}, 1, page="sequences")
        await asyncio.sleep(SHARED_READ + 0.1)
        _, reran = await s.look()
        assert reran is not None, "the poll saw the round open and reran the banner"
        assert s.poll[1] == banner, "the same fragment"
        said = i18n.table("en", "class_session")["student.open"].replace("{round}", "1")
        assert any(said in t for t in s.texts()), ("the banner says the round is open", s.texts())
        assert (await s.look())[1] is None, "once drawn, the same round reruns nothing"
    finally:
        await s.__aexit__(None, None, None)


def test_a_reveal_the_poll_missed_still_shows_the_result(server):
    """The lecturer reveals a question and starts the next one before the student's next look: the page still
    reruns and shows the revealed result (the room lists what is revealed, not only the phase of the moment)."""
    base, store = server
    harness.run_async(_missed_reveal(base))


async def _missed_reveal(base):
    en = i18n.table("en", "class_session")
    lec, s = await Client(base).__aenter__(), await Client(base).__aenter__()
    try:
        await lec.run("page=class_session&lang=en")
        await lec.run("page=class_session&lang=en", click(lec.find("button", f"^{en['open.button']}$")))
        code = next(t[3:8] for t in lec.texts() if t.startswith("# `"))
        room = f"lang=en&room={code}"
        me = f"{room}&me={keep.new_me()}"
        await lec.run(room)
        await s.run(me)
        right = en["result.right"].split("{")[0]                 # "round "
        assert not any(t.startswith(right) for t in s.texts()), "no result before the reveal"
        for button in ("class_start_orders", "class_close_orders", "class_reveal_orders", "class_start_series"):
            await lec.run(room)
            await lec.change(room, lec.find("button", f"{button}$"), click(lec.find("button", f"{button}$")))
            if button == "class_start_orders":                   # the student votes in the round
                radio = s.find("radio", "-quiz_orders$")
                await s.change(me, radio, choose(radio, 2))
        await asyncio.sleep(SHARED_READ + 0.1)
        _, reran = await s.look()                                # sees the series round open, not the reveal
        assert reran is not None
        assert any(t.startswith(right) for t in s.texts()), ("the orders result is shown", s.texts())
    finally:
        for c in (lec, s):
            await c.__aexit__(None, None, None)

"""A student's poll of the room (issue 20), against a real `streamlit run` server and a real store.

The page's look at its room is an HTTP GET of <baseUrlPath>/_rnn/room/<code> (rnn_core/classroom/poll.py), not a
Streamlit rerun: it answers the room's public state and fingerprint, which change when the lecturer opens a round,
closes it, reveals or changes page, never with a vote, and never says a tally or the right option; a malformed or
unknown code is a 404 with nothing in it. Under a baseUrlPath the route moves with Streamlit's own, and the
student's page polls it there. The page shows a round's status itself and reruns its banner (a fragment without a
timer) only when Python must act (poll.must_rerun).
"""
import asyncio
import json
import time
import urllib.error
import urllib.request

import pytest

from benchmarks.class_session import Client, choose, click
from rnn_core.classroom import keep, rooms
from rnn_core.classroom.poll import SHARED_READ, must_rerun
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


def test_the_route_answers_the_rooms_public_state_and_nothing_else(server):
    base, store = server
    code, secret = rooms.open_room(store)
    lec = rooms.Lecturer(store, code, secret)
    route = f"{base}/_rnn/room/{code}"
    status, idle, headers = get(route)
    assert status == 200 and json.loads(idle) == {"fp": rooms.fingerprint(rooms.state(store, code)), "q": "",
                                                  "phase": "idle", "round": 0, "page": "", "rv": []}
    assert headers["Cache-Control"] == "no-store" and headers["Content-Type"].startswith("application/json")
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
    assert [json.loads(b)["phase"] for b in answers] == ["idle", "open", "open", "closed", "revealed", "revealed"]
    assert json.loads(revealed)["rv"] == ["orders"] and json.loads(moved)["page"] == "memory"
    for body in answers:                      # the public state: no option, no count, no right answer
        room = json.loads(body)
        assert set(room) == {"fp", "q", "phase", "round", "page", "rv"}
        assert len(room["fp"]) == 12 and all(c in "0123456789abcdef" for c in room["fp"]), body
        assert not any(o in body for o in OPTIONS) and "12" not in json.dumps({**room, "fp": ""})  # 12 votes
    lec.close()
    assert fresh(route, moved)[:2] == (404, ""), "a closed room is not found"


@pytest.mark.parametrize("code", ["ABCDE", "%3Cscript%3E", "K7P2", "K7P2QQ", "K7P2O", "%20k7p2q", "a" * 300])
def test_a_bad_or_unknown_code_is_a_bare_404(server, code):
    base, _ = server
    status, body, _ = get(f"{base}/_rnn/room/{code}")
    assert (status, body) == (404, ""), code


def test_a_student_page_polls_the_route_under_a_base_url_path(tmp_path):
    """The route, the page and the poll's address all move under server.baseUrlPath. A round that opens on an
    unanswered question or closes is shown by the page itself (no rerun); a round that opens on an answered one
    reruns only the banner's fragment, which sends the answer and says it is counted."""
    url = f"sqlite:///{tmp_path / 'class.db'}"
    store = open_store(url)
    code, secret = rooms.open_room(store)
    env = harness.app_env(RNN_STORE=url, STREAMLIT_SERVER_BASE_URL_PATH="course/rnn")
    with harness.streamlit_server(env=env, base_path="course/rnn") as (base, _):
        assert get(f"{base}/_rnn/room/{code}")[0] == 200
        assert get(f"{base[:base.index('/course')]}/_rnn/room/{code}")[0] == 404
        harness.run_async(_student(base, store, code, secret))


async def _student(base, store, code, secret):
    en = i18n.table("en", "class_session")
    lec = rooms.Lecturer(store, code, secret)
    lec.follow("sequences")                                     # the lecturer is on the page (their banner says so)
    s = await Client(base).__aenter__()
    try:
        query = f"lang=en&room={code}&me={keep.new_me()}"
        await s.run(query)
        await s.run(query)                                      # a later page run: the page knows its boxes
        assert s.poll is not None and not s.timers, "the banner has no timer: the page polls the route"
        cid, banner, data = s.poll
        assert banner and data["url"] == f"/course/rnn/_rnn/room/{code}" and data["every"] == 3.0
        assert "orders" in data["view"]["boxes"].values() and data["texts"]["open"] == en["student.open"]
        assert (await s.look())[1] is None, "an unchanged room reruns nothing"
        key = next(k for k, box in data["view"]["boxes"].items() if box == "orders")
        lec.start_round(key, "orders", OPTIONS, {"rnn"}, 1, page="sequences")
        await asyncio.sleep(SHARED_READ + 0.1)
        assert (await s.look())[1] is None, "a round open on an unanswered question: the page says so itself"
        radio = s.find("radio", "-quiz_orders$")
        await s.change(query, radio, choose(radio, 1))          # votes in round 1
        lec.close_round()
        await asyncio.sleep(SHARED_READ + 0.1)
        assert (await s.look())[1] is None, "a closed round: the page says so itself"
        lec.start_round(key, "orders", OPTIONS, {"rnn"}, 2, page="sequences")
        await asyncio.sleep(SHARED_READ + 0.1)
        _, reran = await s.look()
        assert reran is not None and s.poll[1] == banner, "round 2 on an answered question reruns the banner"
        said = en["student.counted"].split("{option}")[0].replace("{round}", "2")
        assert s.poll[2]["status"].startswith(said), s.poll[2]["status"]
        assert rooms.my_vote(store, code, key, 2, keep.voter(query.split("me=")[1], code)) == OPTIONS[1]   # its key
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


def test_a_page_reruns_only_when_python_must_act():
    """poll.must_rerun, the rule the page's JS follows: a room gone, a question here revealed (also one the page
    missed), the lecturer's page changed, or a round opened on a question answered here; else no rerun."""
    drawn = {"fp": "a", "page": "sequences", "rv": ["x"], "boxes": {"k1": "orders", "k2": "series"}}

    def room(**kw):
        return {"fp": "b", "q": "k1", "phase": "open", "round": 1, "page": "sequences", "rv": ["x"], **kw}

    chosen = {"orders"}.__contains__
    none = set().__contains__
    assert not must_rerun(drawn, room(fp="a"), chosen)                              # unchanged
    assert must_rerun(drawn, None, none) and not must_rerun({**drawn, "fp": ""}, None, none)   # gone / was gone
    assert must_rerun({**drawn, "fp": None}, room(), none)                          # drawn while the store was down
    assert must_rerun(drawn, room(page="memory"), none)                             # the lecturer moved
    assert must_rerun({**drawn, "boxes": None}, room(), none)                       # the page's boxes not known yet
    assert must_rerun(drawn, room(), chosen) and not must_rerun(drawn, room(), none)    # answered here or not
    assert not must_rerun(drawn, room(q="k9"), chosen)                              # a question not on this page
    assert not must_rerun(drawn, room(phase="closed"), chosen)
    assert must_rerun(drawn, room(q="k3", rv=["x", "k2"]), none)                    # revealed here, missed
    assert not must_rerun(drawn, room(phase="revealed", q="k9", rv=["x", "k9"]), none)  # revealed elsewhere
    old = {**drawn, "rv": None}                                                     # a room from before the list
    assert must_rerun(old, room(phase="revealed", rv=None), none)
    assert not must_rerun(old, room(phase="closed", rv=None), none)

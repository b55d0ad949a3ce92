"""A vote changed in the question's fragment (as a browser sends it) survives a reload: over Streamlit's real
websocket protocol against a real server, a student votes, a page run keeps that answer, the student changes the
vote (a fragment run), reloads in a new session with the same ?me=, and the room still counts the changed vote
(before the fix the reload gave back the kept first answer, which the page then sent as the vote)."""

import json
import re

from benchmarks.class_session import EN, Client, choose, click
from rnn_core.classroom import keep, rooms
from rnn_core.classroom.store import open_store
from tests.browser import harness


async def _scenario(base):
    lec = await Client(base).__aenter__()
    await lec.run("page=class_session&lang=en")
    await lec.run("page=class_session&lang=en", click(lec.find("button", "^" + re.escape(EN["open.button"]) + "$")))
    code = next(m.group(1) for m in map(re.compile(r"^# `([A-Z0-9]{5})`$").match, lec.texts()) if m)
    await lec.run(f"lang=en&room={code}")
    start = lec.find("button", "class_start_orders$")
    await lec.change(f"lang=en&room={code}", start, click(start))
    me = keep.new_me()
    query = f"lang=en&room={code}&me={me}"
    student = await Client(base).__aenter__()
    await student.run(query)
    radio = student.find("radio", "-quiz_orders$")
    assert student.widgets[radio.id][1], "the question's radio is drawn in a fragment"
    await student.change(query, radio, choose(radio, 0))
    await student.run(query)                                      # a page run (the page keeps the answer)
    await student.change(query, radio, choose(radio, 1))          # changes the vote: a fragment run again
    await student.__aexit__(None, None, None)
    again = await Client(base).__aenter__()                       # the reload: a new session, the same ?me=
    await again.run(query)
    assert again.poll is not None and not again.timers, "the banner polls the room in the browser, not on a timer"
    _, reran = await again.look()                                 # the banner's poll after the reload
    assert reran is None, "the room has not changed: the banner is not rerun"
    await again.run(query, fragment_id=again.poll[1])             # as a change of the room reruns it
    await again.__aexit__(None, None, None)
    await lec.__aexit__(None, None, None)
    return code, me, radio.options[1]


def test_changed_vote_survives_reload(tmp_path):
    env = harness.app_env(RNN_STORE=f"sqlite:///{tmp_path / 'class.db'}")
    with harness.streamlit_server(env=env) as (base, _):
        code, me, label = harness.run_async(_scenario(base))
    store = open_store(env["RNN_STORE"])
    s = rooms.state(store, code)
    votes = store.hgetall(rooms.votes_key(code, s.question, s.round))
    keys = json.loads(store.hgetall(f"reveal-key:{code}:{s.question}")["options"])
    stored = {v: (o.decode() if isinstance(o, bytes) else o) for v, o in votes.items()}
    assert len(stored) == 1
    assert list(stored.values())[0] == keys[1], (stored, keys, label)

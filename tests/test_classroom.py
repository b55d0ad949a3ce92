"""Class sessions on both stores (SQLite in WAL mode and a real redis-server): rooms, the lecturer's secret,
idempotent votes, no tally before the reveal, self-check scores, expiry, and what a student keeps."""
import dataclasses
import threading
import time
from collections import Counter

import numpy as np
import pytest

from rnn_core.classroom import keep, rooms
from rnn_core.classroom.store import open_store
from rnn_core.jobs.runs import Run
from tests.redis_server import redis_server


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = open_store(f"sqlite:///{tmp_path / 'class.db'}")
        with s._conn() as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        return s
    s = open_store(request.getfixturevalue("redis_url"))
    s.r.flushdb()
    return s


OPTIONS = ("a", "b", "c")


def test_room_lifecycle_and_secret(store):
    code, secret = rooms.open_room(store)
    assert rooms.check_code(code.lower() + " ") == code and rooms.check_code("K0O1I") is None
    s = rooms.state(store, code)
    assert (s.phase, s.round, s.question) == ("idle", 0, "")
    assert secret not in repr(store.hgetall(rooms.room_key(code)))       # only its hash is stored
    with pytest.raises(PermissionError):
        rooms.Lecturer(store, code, secret + "x")
    with pytest.raises(PermissionError):
        rooms.Lecturer(store, code, "")
    lec = rooms.Lecturer(store, code, secret)
    lec.start_round("q1", "orders", OPTIONS, {"b"}, 1, page="sequences")
    s2 = rooms.state(store, code)
    assert (s2.phase, s2.round, s2.question, s2.page) == ("open", 1, "q1", "sequences") and s2.version > s.version
    lec.close_round()
    assert rooms.state(store, code).phase == "closed"
    lec.close()
    assert rooms.state(store, code) is None


def test_votes_are_idempotent_and_changeable_until_closed(store):
    code, secret = rooms.open_room(store)
    lec = rooms.Lecturer(store, code, secret)
    assert not rooms.vote(store, code, "q1", 1, "v1", "a")               # no round yet
    lec.start_round("q1", "orders", OPTIONS, {"b"}, 1)
    for _ in range(3):                                                    # double click, reconnect, other replica
        assert rooms.vote(store, code, "q1", 1, "v1", "a")
    assert rooms.vote(store, code, "q1", 1, "v2", "a")
    assert rooms.vote(store, code, "q1", 1, "v2", "b")                   # changed
    assert not rooms.vote(store, code, "q1", 1, "v3", "zzz")             # not an option
    assert not rooms.vote(store, code, "q2", 1, "v3", "a")               # not the polled question
    assert not rooms.vote(store, code, "q1", 2, "v3", "a")               # not the open round
    assert lec.count("q1", 1) == 2 and lec.tally("q1", 1) == Counter({"a": 1, "b": 1})
    assert rooms.my_vote(store, code, "q1", 1, "v2") == "b"
    lec.close_round()
    assert not rooms.vote(store, code, "q1", 1, "v1", "b")               # closed: no change
    assert lec.tally("q1", 1) == Counter({"a": 1, "b": 1})


def test_concurrent_votes_count_once(store):
    code, secret = rooms.open_room(store)
    lec = rooms.Lecturer(store, code, secret)
    lec.start_round("q", "orders", OPTIONS, {"b"}, 1)
    clone = open_store(store.path and f"sqlite:///{store.path}") if hasattr(store, "path") else store

    def votes(i):
        for v in range(40):
            assert rooms.vote(clone, code, "q", 1, f"v{v}", OPTIONS[(v + i) % 3])

    threads = [threading.Thread(target=votes, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert lec.count("q", 1) == 40


def test_no_tally_or_answer_before_reveal(store):
    code, secret = rooms.open_room(store)
    lec = rooms.Lecturer(store, code, secret)
    lec.start_round("q", "orders", OPTIONS, {"c"}, 1)
    for v, o in [("v1", "a"), ("v2", "c"), ("v3", "a")]:
        rooms.vote(store, code, "q", 1, v, o)
    lec.close_round()
    lec.start_round("q", "orders", OPTIONS, {"c"}, 2)
    for v, o in [("v1", "c"), ("v2", "c"), ("v3", "b")]:
        rooms.vote(store, code, "q", 2, v, o)
    lec.close_round()
    public = rooms.state(store, code)
    assert "correct" not in repr(public) and "'c'}" not in repr(public)
    assert rooms.revealed(store, code, "q") is None                       # nothing before the reveal
    lec.reveal()
    r = rooms.revealed(store, code, "q")
    assert r.correct == {"c"} and r.counts == (Counter(a=2, c=1), Counter(c=2, b=1))
    assert r.both == 3 and r.moved == 1                                   # v1: a -> c
    assert r.share_right(1) == pytest.approx(1 / 3) and r.share_right(2) == pytest.approx(2 / 3)


def test_the_room_lists_what_is_revealed(store):
    """The public state lists the revealed questions (a page that missed the reveal's moment still learns of it),
    and a result is looked up only for a question so listed; a room without the list is asked as before."""
    code, secret = rooms.open_room(store)
    lec = rooms.Lecturer(store, code, secret)
    assert rooms.state(store, code).revealed == ()
    for q in ("q1", "q2"):
        lec.start_round(q, "orders", OPTIONS, {"c"}, 1)
        rooms.vote(store, code, q, 1, "v1", "c")
        lec.close_round()
        lec.reveal()
    lec.start_round("q3", "orders", OPTIONS, {"c"}, 1)                      # the room has moved on
    s = rooms.state(store, code)
    assert s.revealed == ("q1", "q2") and s.phase == "open"
    assert rooms.revealed(store, code, "q1", s).counts[0] == Counter(c=1)
    assert rooms.revealed(store, code, "q3", s) is None
    before = dataclasses.replace(s, revealed=None)                          # a room from before the list
    assert rooms.revealed(store, code, "q2", before).counts[0] == Counter(c=1)
    assert rooms.fingerprint(s) != rooms.fingerprint(dataclasses.replace(s, revealed=("q1",)))


def test_class_self_check_distribution(store):
    code, secret = rooms.open_room(store)
    lec = rooms.Lecturer(store, code, secret)
    assert not rooms.submit_score(store, code, "6.1", "v1", 3, 5)         # not started
    lec.start_self_check("6.1")
    for v, right in [("v1", 3), ("v2", 5), ("v3", 3), ("v1", 4)]:         # v1 checks again: its latest counts
        assert rooms.submit_score(store, code, "6.1", v, right, 5)
    assert lec.score_distribution("6.1") == Counter({"3/5": 1, "5/5": 1, "4/5": 1})


def test_expiry(store, monkeypatch):
    monkeypatch.setattr(rooms, "ROOM_TTL", 1)
    code, secret = rooms.open_room(store)
    lec = rooms.Lecturer(store, code, secret)
    lec.start_round("q", "orders", OPTIONS, {"c"}, 1)
    assert rooms.vote(store, code, "q", 1, "v1", "a")
    time.sleep(2.2)
    assert rooms.state(store, code) is None
    assert not rooms.vote(store, code, "q", 1, "v1", "a")
    with pytest.raises(PermissionError):
        rooms.Lecturer(store, code, secret)
    monkeypatch.setattr(keep, "KEEP_TTL", 1)
    me = keep.new_me()
    keep.save(store, me, "scores", {"6.1": [3, 5]})
    assert keep.load(store, me) == {"scores": {"6.1": [3, 5]}}
    time.sleep(2.2)
    assert keep.load(store, me) == {}


def test_keep_values_and_runs(store):
    me = keep.new_me()
    assert keep.check_me(me) == me and keep.check_me("../etc") is None and keep.check_me("x" * 10) is None
    keep.save(store, me, "answers", {"orders": "rnn"})
    keep.save(store, me, "review", "정말 좋은 영화")
    assert keep.load(store, me) == {"answers": {"orders": "rnn"}, "review": "정말 좋은 영화"}
    assert keep.load(store, keep.new_me()) == {}
    w = {"w1x": np.arange(6, dtype=np.float32).reshape(2, 3), "w1h": np.eye(3), "b1": np.zeros(3),
         "w2": np.ones((3, 1)), "b2": np.zeros(1)}
    run = Run("numpy-1", "numpy", {"num_words": 2, "n_cells": 3}, {"loss": [0.7, 0.6]}, w, status="stopped")
    keep.save_run(store, me, run, 1)
    back, = keep.load_runs(store, me)
    assert back.name == "numpy-1" and back.history == run.history and back.status == "stopped"
    assert all(np.array_equal(back.weights[k], w[k]) for k in w)
    store.hset(keep._key(me) + ":runs", {"0002:meta": b"{not json", "0002:npz": b"PK junk"}, 60)
    store.hset(keep._key(me) + ":runs", {"0003:meta": b'{"name": "x", "kind": "numpy", "config": {}, "history": {}}',
                                         "0003:npz": _pickled_npz()}, 60)
    assert [r.name for r in keep.load_runs(store, me)] == ["numpy-1"]     # broken and pickled ones skipped


def _pickled_npz():
    import io
    buf = io.BytesIO()
    np.savez(buf, w=np.array([{"x": 1}], dtype=object))
    return buf.getvalue()


def test_sqlite_lends_its_connections_to_new_threads(tmp_path):
    """Streamlit runs each page or fragment run in a new thread: a poll borrows a pooled connection, it does not
    open one (a failed transaction rolls back and its connection is lent again)."""
    s = open_store(f"sqlite:///{tmp_path / 'class.db'}")
    code, _ = rooms.open_room(s)
    seen = []
    for _ in range(20):
        th = threading.Thread(target=lambda: seen.append(rooms.state(s, code)))
        th.start()
        th.join()
    assert len(seen) == 20 and all(x is not None and x.phase == "idle" for x in seen) and len(s._free) == 1
    with pytest.raises(RuntimeError), s._tx() as db:
        db.execute("INSERT INTO h VALUES ('k', 'f', x'00')")
        raise RuntimeError("a write that fails half-way")
    assert s.hgetall("k") == {} and len(s._free) == 1

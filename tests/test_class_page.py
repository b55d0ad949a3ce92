"""The Class page and a class poll in AppTest sessions sharing one real store: a lecturer and students in both
languages run a whole two-round question; until the reveal no student's element tree holds a count, a chart of
the votes, feedback or the answer; a student's self-check score reaches the lecturer's distribution."""
import json

import pytest

from rnn_core.classroom import rooms
from ui import i18n

SEQ = "pages/sequences.py"


def texts(lang, page="class_session"):
    return i18n.table(lang, page)


def everything(node):
    """Every element the session would be sent (its serialized protos), recursively."""
    out = []
    proto = getattr(node, "proto", None)
    if proto is not None:
        out.append(proto.SerializeToString().decode("utf-8", "replace"))   # the bytes the session would get
    for child in getattr(node, "children", {}).values():
        out += everything(child)
    return out


def sent(at, text):
    """True when a text reaches the session: as itself, or JSON-escaped inside a chart's spec."""
    dump = "\n".join(everything(at._tree))
    return text in dump or json.dumps(text)[1:-1] in dump


def in_chart(at, text):
    """True when a text reaches the session as a whole JSON string (a chart's title or field), not inside a
    sentence (the page's poll carries the round's status sentences, which may say "votes")."""
    return json.dumps(text) in "\n".join(everything(at._tree))


def button(at, label):
    return next(b for b in at.button if b.label == label)


def orders_radio(at):
    return next(r for r in at.radio if r.key == "quiz_orders")


@pytest.fixture
def class_store(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_STORE", f"sqlite:///{tmp_path / 'class.db'}")
    from ui import classroom
    return classroom.store()


def test_two_round_poll(make_app, class_store):
    en = texts("en")
    lec = make_app("en")
    lec.switch_page("pages/class_session.py").run()
    button(lec, en["open.button"]).click().run()
    code = lec.session_state["class_room"]
    assert any(code in c.value for c in lec.code) and lec.get("imgs") is not None
    host_link = next(c.value for c in lec.code if "&host=" in c.value)
    lec.run()
    assert not any("&host=" in c.value for c in lec.code)              # the lecturer link is shown once

    students = [make_app(lang, room=code) for lang in ("en", "ko", "en")]
    for s in students:
        s.switch_page(SEQ).run()
        assert not s.exception
        assert s.session_state["class_room"] == code and s.session_state["class_me"]
        assert all(b.label != en["lecturer.start"] for b in s.button)    # a student never gets the controls
    lec.switch_page(SEQ).run()
    next(b for b in lec.button if b.key == "class_start_orders").click().run()
    key = rooms.state(class_store, code).question                       # the question with the lecturer's settings
    assert key and rooms.state(class_store, code).open_for(key) and rooms.state(class_store, code).qid == "orders"

    wrong_then_right = [("dense", "rnn"), ("rnn", "rnn"), ("both", "both")]
    for s, (first, _) in zip(students, wrong_then_right):
        s.run()
        orders_radio(s).set_value(first).run()
        orders_radio(s).set_value(first).run()                            # the same vote again: counted once
    lec.run()
    assert lec.metric[0].value == "3"
    for s in students:
        lang = s.query_params["lang"][0] if isinstance(s.query_params["lang"], list) else s.query_params["lang"]
        common = texts(lang, "common")
        assert not in_chart(s, texts(lang)["chart.share"]) and not in_chart(s, texts(lang)["chart.votes"])  # no chart
        assert not sent(s, texts(lang)["lecturer.votes"].format(round=1))                           # nor the count
        assert not sent(s, common["quiz.right"]) and not sent(s, common["quiz.wrong"])
        assert not sent(s, common["quiz.answer"].split("{")[0])
        assert not s.success and not s.error and not any(m.label == texts(lang, "sequences")["orders.spread_dense"]
                                                         for m in s.metric)   # nor the page's result
    button(lec, en["lecturer.close"].format(round=1)).click().run()
    assert sent(lec, en["chart.share"])                                   # the histogram, on the lecturer's screen
    assert in_chart(lec, en["chart.share"]) and in_chart(lec, en["chart.votes"])
    button(lec, en["lecturer.round2"]).click().run()
    for s, (_, second) in zip(students, wrong_then_right):
        s.run()
        orders_radio(s).set_value(second).run()
    button(lec, en["lecturer.close"].format(round=2)).click().run()
    for s in students:
        s.run()
        assert not s.success and not s.error
    button(lec, en["lecturer.reveal"]).click().run()
    result = rooms.revealed(class_store, code, key)
    assert result.counts[0] == {"dense": 1, "rnn": 1, "both": 1} and result.counts[1] == {"rnn": 2, "both": 1}
    assert result.moved == 1 and result.both == 3
    for s, (_, second) in zip(students, wrong_then_right):
        s.run()
        assert (second == "rnn") == bool(s.success) and (second != "rnn") == bool(s.error)
        lang = s.query_params["lang"]
        assert sent(s, texts(lang)["chart.share"])                                               # both rounds
        assert any(texts(lang)["result.moved"].format(moved=1, both=3) in c.value for c in s.caption)
    assert host_link.endswith(lec.session_state["class_secret"])


def test_class_self_check_and_lecturer_link(make_app, class_store):
    en = texts("en")
    code, secret = rooms.open_room(class_store)
    lec = make_app("en", room=code, host=secret)
    lec.switch_page("pages/class_session.py").run()
    assert lec.session_state["class_secret"] == secret and "host" not in lec.query_params
    fake = make_app("en", room=code, host="not-the-secret")
    fake.switch_page("pages/class_session.py").run()
    assert "class_secret" not in fake.session_state and not any(b.label == en["lecturer.close_room"]
                                                               for b in fake.button)
    lec.selectbox(key="class_sc_section").set_value("6.1").run()
    button(lec, en["self_check.start"]).click().run()
    s = make_app("en", room=code)
    s.switch_page("pages/self_check.py").run()
    next(b for b in s.button if b.label == texts("en", "self_check")["check"]).click().run()
    right, total = s.session_state["self_check_scores"]["6.1"]
    assert rooms.Lecturer(class_store, code, secret).score_distribution("6.1") == {f"{right}/{total}": 1}


def test_join_by_code_and_bad_code(make_app, class_store):
    en = texts("en")
    code, _ = rooms.open_room(class_store)
    s = make_app("en")
    s.switch_page("pages/class_session.py").run()
    s.text_input(key="class_code_typed").set_value("ZZZZZ")
    button(s, en["join.button"]).click().run()
    assert any(w.value == en["note.no_room"] for w in s.warning)
    s.text_input(key="class_code_typed").set_value(code.lower())
    button(s, en["join.button"]).click().run()
    assert s.session_state["class_room"] == code
    bad = make_app("en", room="<script>", me="../../etc")
    bad.run()
    assert not bad.exception and "class_room" not in bad.session_state and "me" not in bad.query_params


def test_students_polls_share_a_read_of_the_room(class_store, monkeypatch):
    """A poll's read of a room serves the other polls on the replica for SHARED_READ seconds, then the store's
    state is read again; a vote in between is still checked by the store."""
    from rnn_core.classroom import poll as classroom
    monkeypatch.setattr(classroom, "_polled", {})
    monkeypatch.setattr(classroom, "SHARED_READ", 3600.0)
    code, secret = rooms.open_room(class_store)
    assert classroom.polled_state(code).phase == "idle"
    rooms.Lecturer(class_store, code, secret).start_round("q", "orders", ("a", "b"), {"a"}, 1)
    assert classroom.polled_state(code).phase == "idle" and rooms.state(class_store, code).phase == "open"
    rooms.Lecturer(class_store, code, secret).close_round()
    assert not rooms.vote(class_store, code, "q", 1, "v1", "a")       # the store refuses a vote in a closed round
    monkeypatch.setattr(classroom, "SHARED_READ", 0.0)
    assert classroom.polled_state(code) == rooms.state(class_store, code)
    assert classroom.polled_state(code).phase == "closed"

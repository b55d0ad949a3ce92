"""ui.layout.announce: what a screen reader is given while something moves by itself, and when it stops.

A new topic (the step, the epoch) is read at once when nothing moves (every=0), and while Play or a training
runs only once `every` seconds have passed since the last one; the same topic is never read twice."""
from streamlit.testing.v1 import AppTest


def _app():
    import streamlit as st

    from ui.layout import announce
    s = st.session_state
    announce("x", s.get("say", "step 1"), s.get("topic", 1), s.get("every", 0.0))


def _said(at):
    return [t.value for t in at.text]


def test_a_moving_view_is_announced_at_a_pace_and_its_last_word_at_once():
    at = AppTest.from_function(_app).run()
    assert _said(at) == ["step 1"]
    at.session_state["say"], at.session_state["topic"], at.session_state["every"] = "step 2", 2, 3600.0
    at.run()
    assert _said(at) == ["step 1"]                  # playing: too soon after the last sentence
    at.session_state["say"], at.session_state["topic"] = "step 3", 3
    at.run()
    assert _said(at) == ["step 1"]
    at.session_state["every"] = 0.0                 # stopped: the step it stopped at, at once
    at.run()
    assert _said(at) == ["step 3"]
    at.session_state["say"] = "step 3, again"       # the same topic is not read again
    at.run()
    assert _said(at) == ["step 3"]

"""A session that asks for page runs faster than a person can gets a cheap "slow down" run instead of a page.

Every page run of every session is paid on the server under one GIL: one client sending reruns as fast as it
could raised the other students' median page run to 1.2 s. A token bucket per session allows RATE runs per
second and bursts of BURST (a few quick clicks); past that, a run only waits PAUSE (its own thread sleeps: no
CPU, and reruns asked for meanwhile are merged into one) and says "slow down". Fragment reruns don't pass here.

The slowed run then sleeps until the bucket allows a run and asks for one itself: a person's page comes back
without a click. It ends as a run stopped for a rerun, so the page stays on screen meanwhile and no widget loses its
value (a run that finished without drawing them would drop them). A client that keeps asking never gets that far:
its next request stops the slowed run at its note.
"""
import logging
import os
import time

import streamlit as st
from streamlit.runtime import Runtime

RATE = float(os.environ.get("RNN_FLOOD_RATE", 5.0))     # page runs per second a session may ask for, sustained
BURST = float(os.environ.get("RNN_FLOOD_BURST", 10.0))  # runs it may ask for at once (tests set both lower)
PAUSE = 1.0         # longest wait of a slow-down run, in seconds
KEY = "_pace"       # (tokens, time) in the session's state
BACK = "_pace_back"  # set by a slowed run for the run it asks for: the page coming back

log = logging.getLogger(__name__)


def allowed(tokens, last, now):
    """The bucket after one more run asked for at `now`: (tokens left, may it run?). Below zero it owes time."""
    tokens = min(BURST, tokens + max(0.0, now - last) * RATE) - 1.0
    return max(tokens, -BURST), tokens >= 0.0


def guard():
    """First thing in a page run: a session over the rate waits, gets a short note, and then its page back.

    The wait earns nothing back, nor does the page that comes back: a client that asks again as soon as it is
    answered stays slowed down."""
    if not Runtime.exists() or type(Runtime.instance()) is not Runtime:   # AppTest runs on a mock: no server
        return
    state = st.session_state
    now = time.monotonic()
    tokens, ok = allowed(*state.get(KEY, (BURST, now)), now)
    back = state.pop(BACK, False)           # (its bucket allows it: the slowed run waited for that)
    ok = ok or back
    state[KEY] = (tokens, now if ok and not back else now + PAUSE)
    if ok:
        return
    log.warning("flood: a session asked for page runs faster than %s a second; this run only says 'slow down'", RATE)
    time.sleep(PAUSE)
    from ui.texts import texts
    st.warning(texts("common")("guard.slow_down"), icon=":material/speed:")   # (a request meanwhile stops here)
    time.sleep(max(0.0, due(*state[KEY]) - time.monotonic()))
    state[BACK] = True
    st.rerun()


def due(tokens, last):
    """When the bucket (tokens, last) next allows a run: once it has earned one token back."""
    return last + max(0.0, 1.0 - tokens) / RATE

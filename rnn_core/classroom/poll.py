"""The class store of this process and the students' room poll, shared by every session of a replica.

A student's page looks at its room every few seconds. Streamlit reruns cost the server more than such a look may
(issue 20: <= 3 ms), so the page asks `room_poll`, a plain HTTP route served on the event loop, for the room's
public state (room_view: no tallies, no right option). It shows a new round's status itself and reruns its
banner only when Python must act (must_rerun): a whole class rerunning at every round would queue the votes. All
looks at a room on a replica, route and banner alike, share one read of the store per SHARED_READ seconds
(polled_state). No Streamlit import here.
"""
import asyncio
import json
import logging
import threading
import time
from typing import Any

from rnn_core.classroom import rooms
from rnn_core.classroom.store import open_store, store_url

SHARED_READ = 1.0       # seconds one poll's read of a room also serves the other students' polls on this replica
log = logging.getLogger(__name__)

_lock = threading.Lock()    # module state, never st.cache_resource: a browser's "clear caches" must not drop it
_stores: dict[str, Any] = {}     # store URL -> its store (SQLite or Redis; open_store is untyped)
_polled: dict[str, tuple[float, Any]] = {}   # room code -> (when read, its state) for the students' polls
_reading: dict[str, asyncio.Future] = {}     # room code -> the store read under way for the poll route (event loop)
ROOM_ROUTE = "_rnn/room"    # GET <server.baseUrlPath>/_rnn/room/<code>: the room's fingerprint, a student's poll
_NO_STORE = {"Cache-Control": "no-store"}


def store():
    """The store RNN_STORE names (one connection pool per process and URL)."""
    url = store_url()
    s = _stores.get(url)
    if s is None:
        with _lock:
            s = _stores.get(url) or _stores.setdefault(url, open_store(url))
    return s


def polled_state(code):
    """The room's state for a student's poll: one read of the store per room and replica every SHARED_READ seconds
    serves all its students' polls (a vote is still checked by the store: a round closed since is refused)."""
    now = time.monotonic()
    seen = _polled.get(code)
    if seen is None or now - seen[0] >= SHARED_READ:
        seen = _polled[code] = (now, call(rooms.state, store(), code))
        if len(_polled) > 64:                               # rooms no one polls any more
            for old in [k for k, (at, _) in list(_polled.items()) if now - at >= SHARED_READ]:
                _polled.pop(old, None)
    return seen[1]


class StoreDown(Exception):
    """The class store did not answer."""


def call(fn, *args):
    """fn(*args) on the store; StoreDown (logged) when the store fails, so the page can say so."""
    try:
        return fn(*args)
    except (PermissionError, ValueError):
        raise
    except Exception as e:      # redis.ConnectionError, sqlite3.OperationalError, timeouts
        log.warning("class store: %s: %s", type(e).__name__, e)
        raise StoreDown(str(e)) from e


def _fresh_state(code):
    """(True, the room's state) from the shared read while it is fresh, else (False, None): no store read."""
    seen = _polled.get(code)
    return (True, seen[1]) if seen is not None and time.monotonic() - seen[0] < SHARED_READ else (False, None)


async def _shared_state(code):
    """The room's state for the poll route, on the event loop: the shared read when fresh, else one read in a
    thread (polled_state) that every request for the room waits on meanwhile."""
    fresh, s = _fresh_state(code)
    if fresh:
        return s
    reading = _reading.get(code)
    if reading is None:
        reading = _reading[code] = asyncio.get_running_loop().run_in_executor(None, polled_state, code)
        reading.add_done_callback(lambda _: _reading.pop(code, None))
    return await asyncio.shield(reading)


def room_view(s):
    """What the poll route tells a student's page of a room: its fingerprint and public state (question, phase,
    round, the lecturer's page, the revealed questions), never a tally or the right option."""
    return {"fp": rooms.fingerprint(s), "q": s.question, "phase": s.phase, "round": s.round, "page": s.page,
            "rv": None if s.revealed is None else list(s.revealed)}


def must_rerun(drawn, room, answered):
    """Must a student's page rerun its banner for `room` (room_view; None: the room is gone)? Only when Python
    must act: the room is gone, a question on the page was revealed (the page shows the result), the lecturer
    changed page (follow, the link), or a round opened on a question answered on the page (its vote is sent).
    Else the page shows the round's status itself. `drawn`: what the banner drew with (fp, page, rv, and boxes:
    the page's questions, room key -> box key, None before the page's boxes were drawn); `answered(box key)`: is
    that box's option chosen now. The page's JS (ui/classroom.py _POLL_JS) follows this same rule."""
    if drawn["fp"] is None:                             # drawn while the store was down: any answer is news
        return True
    if room is None:
        return drawn["fp"] != ""
    if room["fp"] == drawn["fp"]:
        return False
    boxes = drawn["boxes"]
    if room["page"] != drawn["page"] or boxes is None:
        return True
    return bool(newly_revealed(drawn["rv"], room) & set(boxes)) or (room["phase"] == "open" and room["q"] in boxes
                                                                    and answered(boxes[room["q"]]))


def newly_revealed(before, room):
    """The questions `room` (room_view) lists as revealed that `before` (a page's drawn list) did not: also one
    whose reveal a page's look missed. Without a list (a room from before it), the question its phase reveals."""
    if room["rv"] is None or before is None:
        return {room["q"]} if room["phase"] == "revealed" else set()
    return set(room["rv"]) - set(before)


async def room_poll(request):
    """GET <base>/_rnn/room/<code>: the room's room_view as JSON, what a student's page polls; 404 (no detail)
    for a malformed code or no such room, 503 while the store does not answer."""
    from starlette.responses import Response
    code = rooms.check_code(request.path_params.get("code"))
    try:
        s = await _shared_state(code) if code else None
    except StoreDown:
        return Response(status_code=503, headers=_NO_STORE)
    if s is None:
        return Response(status_code=404, headers=_NO_STORE)
    return Response(json.dumps(room_view(s)), media_type="application/json", headers=_NO_STORE)


def route_path(base):
    """The room poll's path under Streamlit's server.baseUrlPath (where its own routes are)."""
    base = str(base or "").strip("/")
    return f"/{base}/{ROOM_ROUTE}" if base else f"/{ROOM_ROUTE}"


def routes(base):
    """The routes a server answers next to Streamlit's (st.App in streamlit_app.py), under its baseUrlPath: the
    students' room poll."""
    from starlette.routing import Route
    return [Route(route_path(base) + "/{code}", room_poll, methods=["GET"])]

"""Process-wide settings for serving a whole class from one Streamlit server."""
import asyncio.base_events
import gc
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_ASYNCIO_RULE: dict[str, Callable[[socket.socket], None]] = {}   # asyncio's own _set_nodelay, once replaced


def _set_nodelay(sock: socket.socket) -> None:
    """asyncio's rule for new TCP connections, without its `sock.proto == IPPROTO_TCP` test."""
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


def disable_nagle() -> Callable[[socket.socket], None] | None:
    """Send every websocket message at once, instead of 40 ms late; returns asyncio's own rule (None: none here).

    Streamlit binds its listening socket itself, with protocol number 0, so asyncio's check skips TCP_NODELAY on
    the connections it accepts. Nagle's algorithm then holds each small message of a script run until the
    browser acknowledges the previous one, which the browser delays (40 ms on Linux, more on Windows): a
    one-line script took 45 ms per run instead of 6 (benchmarks/bench_page_runs.py). Connections accepted after
    this call are fixed; it runs once per server, at its first page run.
    """
    # The one place that touches asyncio's internal base_events._set_nodelay(sock), which the selector and proactor
    # transports look up at each new connection. It sets TCP_NODELAY only when sock.proto == IPPROTO_TCP, and a
    # socket accepted from a listener made with protocol 0 reports 0 (python/cpython#148783; the rule came with
    # "Set TCP_NODELAY on TCP transports by default", python/asyncio#373, and bpo-27456). There is no public
    # switch. tests/test_internals.py fails if an upgrade removes or reshapes it.
    base_events: Any = asyncio.base_events
    current = getattr(base_events, "_set_nodelay", None)
    if current is None:
        return None
    if current is not _set_nodelay:
        _ASYNCIO_RULE.setdefault("rule", current)
        base_events._set_nodelay = _set_nodelay
    return _ASYNCIO_RULE["rule"]


_warmed = threading.Lock()      # module state, not st.cache_resource: a client's "clear caches" must not re-run it
_warm: list[bool] = []


def warm_up(delay: float = 2.0) -> None:
    """Once per server process: send websocket messages without delay; load the default data in the background,
    after the first page has had time to draw."""
    if _warm:
        return
    with _warmed:
        if _warm:
            return
        from rnn_core.config import CHAPTER
        from ui.data import _chapter_data
        disable_nagle()
        timer = threading.Timer(delay, _settle, args=(_chapter_data, CHAPTER.num_words, CHAPTER.skip_top,
                                                      CHAPTER.maxlen))
        timer.daemon = True
        timer.start()
        _warm.append(True)


def _settle(load, *settings) -> None:
    """Load the default data, then move everything alive into the GC's permanent generation (gc.freeze)."""
    load(*settings)
    gc.freeze()


def log_gc_pauses(path: str, least: float = 0.005) -> None:
    """Append each garbage collection of this process that takes `least` seconds or more to `path`.<pid>, as
    "generation milliseconds": the pauses every session waits through, the GIL held (class_session.py sums them)."""
    started: list[float] = []

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started and (took := time.perf_counter() - started[0]) >= least:
            with open(f"{path}.{os.getpid()}", "a") as f:
                f.write(f"{info['generation']} {took * 1000:.1f}\n")

    gc.callbacks.append(note)


def page_runs_at_once() -> int:
    """How many full page runs one server process runs at once: env RNN_PAGE_RUNS, else 1; clipped to 1..64."""
    try:
        return min(max(int(os.environ.get("RNN_PAGE_RUNS", 1)), 1), 64)
    except ValueError:
        return 1


PAGE_RUNS_AT_ONCE = page_runs_at_once()
PAGE_RUN_WAIT = 10.0            # seconds a page run waits for its turn at most, then runs anyway
_page_runs = threading.BoundedSemaphore(PAGE_RUNS_AT_ONCE)     # module state: shared by every session
_turn = threading.local()       # .held: this script thread's page run has a turn


@contextmanager
def page_turn(longest: float = PAGE_RUN_WAIT) -> Iterator[bool]:
    """A full page run waits here until fewer than PAGE_RUNS_AT_ONCE others run; yields whether it got a turn.

    Every session's script runs under one GIL, which shares the CPU evenly among the runnable threads: when 100
    students reconnect at once, a vote's short fragment run gets a hundredth of it and waits seconds. A waiting
    thread holds no GIL, so with one full page run at a time (the default) the fragment runs (votes, timers), which
    never pass here, keep most of their share, and the queued pages run one after another, no slower in all
    (benchmarks/load_headless.py: more page runs per second, not fewer).
    """
    _turn.held = _page_runs.acquire(timeout=longest)
    try:
        yield _turn.held
    finally:
        if _turn.held:
            _page_runs.release()
        _turn.held = False


@contextmanager
def aside() -> Iterator[None]:
    """Lend this page run's turn to the others while it waits on another process (the worker), then take it back."""
    lent = getattr(_turn, "held", False)
    if lent:
        _page_runs.release()
        _turn.held = False
    try:
        yield
    finally:
        if lent:
            _turn.held = _page_runs.acquire(timeout=PAGE_RUN_WAIT)

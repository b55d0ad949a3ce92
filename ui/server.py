"""Process-wide settings for serving a whole class from one Streamlit server."""
import asyncio.base_events
import socket
import threading

ASYNCIO_SET_NODELAY = asyncio.base_events._set_nodelay      # asyncio's own, kept for the tests


def _set_nodelay(sock):
    """asyncio's rule for new TCP connections, without its `sock.proto == IPPROTO_TCP` test."""
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


def disable_nagle():
    """Send every websocket message at once, instead of 40 ms late.

    Streamlit binds its listening socket itself, with protocol number 0, so asyncio's check skips TCP_NODELAY on
    the connections it accepts. Nagle's algorithm then holds each small message of a script run until the
    browser acknowledges the previous one, which the browser delays (40 ms on Linux, more on Windows): a
    one-line script took 45 ms per run instead of 6 (benchmarks/bench_page_runs.py). Connections accepted after
    this call are fixed; it runs once per server, at its first page run.
    """
    if hasattr(asyncio.base_events, "_set_nodelay"):
        asyncio.base_events._set_nodelay = _set_nodelay


_warmed = threading.Lock()      # module state, not st.cache_resource: a client's "clear caches" must not re-run it
_warm = []


def warm_up(delay=2.0):
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
        timer = threading.Timer(delay, _chapter_data, args=(CHAPTER.num_words, CHAPTER.skip_top, CHAPTER.maxlen))
        timer.daemon = True
        timer.start()
        _warm.append(True)

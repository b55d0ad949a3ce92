"""ui.server: connections accepted on a socket bound the way Streamlit binds it get TCP_NODELAY; a page run waits
its turn (page_turn) and lends it while it waits on the worker (aside)."""
import asyncio
import asyncio.base_events
import gc
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ui import server


def _nodelay_of_accepted_connection():
    """Serve on a plain socket.socket() (protocol number 0, as Streamlit's), connect once, read TCP_NODELAY."""
    async def main():
        seen = asyncio.get_running_loop().create_future()

        def accepted(reader, writer):
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        srv = await asyncio.start_server(accepted, sock=listener)
        async with srv:
            _, writer = await asyncio.open_connection(*listener.getsockname())
            value = await asyncio.wait_for(seen, 10)
            writer.close()
        return value

    with ThreadPoolExecutor(1) as pool:   # its own thread: another test may have left an event loop running here
        return pool.submit(asyncio.run, main()).result()


def test_accepted_connections_send_without_nagle_delay(monkeypatch):
    rule = server.disable_nagle()          # asyncio's own rule, kept by ui.server (another test may have replaced it)
    assert rule is not None and rule is not server._set_nodelay
    monkeypatch.setattr(asyncio.base_events, "_set_nodelay", rule)     # undone after the test
    assert _nodelay_of_accepted_connection() == 0      # asyncio's own rule skips a socket with protocol number 0
    assert server.disable_nagle() is rule
    assert _nodelay_of_accepted_connection() != 0


# --- a page run's turn ------------------------------------------------------------------------------------------

class _Counted(threading.BoundedSemaphore):
    """A semaphore that counts its acquires and the most holders at once."""

    def __init__(self, value):
        super().__init__(value)
        self.size, self.acquires, self.holding, self.most = value, 0, 0, 0
        self._lock = threading.Lock()

    def acquire(self, blocking=True, timeout=None):
        got = super().acquire(blocking, timeout)
        if got:
            with self._lock:
                self.acquires += 1
                self.holding += 1
                self.most = max(self.most, self.holding)
        return got

    def release(self, n=1):
        with self._lock:
            self.holding -= 1
        super().release(n)


def _inside(n, hold_s, turns=None):
    """n threads each take a page turn and stay hold_s seconds; the most that were inside at once (own count)."""
    inside, most, lock = [0], [0], threading.Lock()

    def run():
        with server.page_turn() as got:
            if turns is not None:
                turns.append(got)
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(hold_s)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=run) for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    return most[0]


@pytest.mark.parametrize("size", [1, 2])
def test_no_more_page_runs_at_once_than_the_turns(monkeypatch, size):
    monkeypatch.setattr(server, "_page_runs", _Counted(size))
    turns = []
    assert _inside(8, 0.05, turns) == size          # 8 threads, each 50 ms: the turns fill, never more
    assert turns == [True] * 8 and server._page_runs.holding == 0 and server._page_runs.acquires == 8


def test_a_run_that_waits_too_long_runs_anyway_and_gives_back_nothing(monkeypatch):
    monkeypatch.setattr(server, "_page_runs", _Counted(1))
    server._page_runs.acquire()                     # a run that never ends holds the only turn
    started = time.monotonic()
    with server.page_turn(longest=0.2) as got:
        assert not got and time.monotonic() - started >= 0.2
    server._page_runs.release()                     # a BoundedSemaphore raises if page_turn had released too
    with pytest.raises(ValueError):
        server._page_runs.release()


def test_a_failing_page_run_gives_its_turn_back(monkeypatch):
    monkeypatch.setattr(server, "_page_runs", _Counted(1))
    with pytest.raises(RuntimeError), server.page_turn():
        raise RuntimeError("the page failed")
    assert server._page_runs.holding == 0


def test_a_run_waiting_on_the_worker_lends_its_turn(monkeypatch):
    monkeypatch.setattr(server, "_page_runs", _Counted(1))
    waiting, other_ran, back = threading.Event(), threading.Event(), []

    def keras_page():                               # holds the only turn, then waits on the worker
        with server.page_turn():
            with server.aside():
                waiting.set()
                other_ran.wait(10)
            back.append(server._page_runs.holding)  # the turn is taken back after the wait

    th = threading.Thread(target=keras_page)
    th.start()
    waiting.wait(10)
    with server.page_turn(longest=5) as got:        # another page runs while it waits
        assert got
    other_ran.set()
    th.join(10)
    assert back == [1] and server._page_runs.holding == 0


def test_a_page_run_takes_one_turn_and_gives_it_back(monkeypatch, make_app):
    monkeypatch.setattr(server, "_page_runs", _Counted(server.PAGE_RUNS_AT_ONCE))
    at = make_app("en")
    at.switch_page("pages/sequences.py").run()
    assert not at.exception and server._page_runs.acquires == 1 and server._page_runs.holding == 0


@pytest.mark.parametrize(("raw", "turns"), [(None, 1), ("3", 3), ("0", 1), ("-2", 1), ("1000", 64), ("two", 1),
                                            ("", 1)])
def test_the_turns_setting_is_read_and_clipped(monkeypatch, raw, turns):
    if raw is None:
        monkeypatch.delenv("RNN_PAGE_RUNS", raising=False)
    else:
        monkeypatch.setenv("RNN_PAGE_RUNS", raw)
    assert server.page_runs_at_once() == turns


def test_settling_loads_the_data_then_freezes_what_is_alive():
    loaded = []
    try:
        server._settle(lambda *settings: loaded.append(settings), 1, 2)
        assert loaded == [(1, 2)] and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_long_garbage_collections_are_logged(tmp_path):
    before = list(gc.callbacks)
    try:
        server.log_gc_pauses(str(tmp_path / "gc"), least=0.0)
        gc.collect(2)
        lines = (tmp_path / f"gc.{os.getpid()}").read_text().splitlines()
        assert lines and lines[-1].split()[0] == "2" and float(lines[-1].split()[1]) >= 0.0
    finally:
        gc.callbacks[:] = before

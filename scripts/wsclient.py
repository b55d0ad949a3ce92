"""A Streamlit session driven over its websocket, as a browser tab drives it: the one client that scripts/warm.py
(run by serve.sh where the app is served), the benchmarks and the tests use. It imports only Streamlit's protocol
and `websockets` (a Streamlit dependency), never benchmarks/ or tests/.

A session is a websocket to /_stcore/stream (subprotocol `streamlit`). A page run is a BackMsg `rerun_script` (a
ClientState with the page's query string and page name); it ends at the ForwardMsg whose `script_finished` is set.
Only loopback addresses are accepted; every wait is bounded by RUN_TIMEOUT."""
import asyncio
import contextlib
import time
import urllib.parse
import urllib.request

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

RUN_TIMEOUT = 60.0        # seconds a page run may take before it counts as an error
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


class PageRunError(Exception):
    """A page run that failed: timeout, page not found, compile error, closed connection."""


def check_loopback(url):
    host = urllib.parse.urlsplit(url).hostname
    if host not in LOOPBACK:
        raise SystemExit(f"{url}: only loopback addresses are allowed")


def http_cookies(base, timeout=10.0):
    """Cookies the server (or the proxy in front of it) sets on the page's HTML, as a Cookie header value.

    HAProxy's `cookie ... insert` names the replica there; the websocket must carry it to reach the same one."""
    check_loopback(base)
    with urllib.request.urlopen(base.rstrip("/") + "/", timeout=timeout) as r:
        r.read()
        jar = [c.split(";", 1)[0].strip() for c in r.headers.get_all("Set-Cookie") or []]
    return "; ".join(c for c in jar if "=" in c)


class Session:
    """One browser tab's Streamlit session, driven over its websocket."""

    def __init__(self, base):
        check_loopback(base)
        self.base = base.rstrip("/")
        self.ws = None
        self.cookie = ""
        self.exceptions = 0           # exception elements seen in the current run
        self.elements = 0             # elements drawn in the current run (a page that drew nothing is suspect)
        self.alerts = []              # texts of the alerts (st.warning, ...) of the current run
        self.finished_runs = 0        # script_finished messages received, however the run ended
        self._finished = None
        self._reader = None
        self.got = []                 # the kinds of ForwardMsg received since the current run was asked for
        self.page = self.page_hash = ""   # the page the last run drew and its script hash (from its navigation)

    async def __aenter__(self):
        self.cookie = await asyncio.to_thread(http_cookies, self.base)
        url = "ws" + self.base[4:] + "/_stcore/stream"
        headers = {"Cookie": self.cookie} if self.cookie else None
        self.ws = await websockets.connect(url, subprotocols=["streamlit"], additional_headers=headers,
                                           max_size=None, open_timeout=RUN_TIMEOUT, ping_interval=None,
                                           close_timeout=2)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc):
        self._reader.cancel()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await self._reader
        with contextlib.suppress(Exception):
            await self.ws.close()

    async def _read(self):
        try:
            async for raw in self.ws:
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self.seen(msg)
                kind = msg.WhichOneof("type")
                self.got.append(kind if kind != "script_finished" else f"finished {msg.script_finished}")
                if kind == "script_finished":
                    self.finished_runs += 1
                elif kind == "navigation":
                    self.page_hash = msg.navigation.page_script_hash
                if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    element = msg.delta.new_element
                    self.elements += 1
                    which = element.WhichOneof("type")
                    if which == "exception":
                        self.exceptions += 1
                    elif which == "alert":
                        self.alerts.append(element.alert.body)
                elif kind == "page_not_found":
                    self._finish(PageRunError("page not found"))
                elif kind == "script_finished" and msg.script_finished in DONE:
                    compile_error = msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR
                    self._finish(PageRunError("compile error") if compile_error else None)
            self._finish(PageRunError("connection closed"))
        except websockets.ConnectionClosed as e:
            self._finish(PageRunError(f"connection closed: {e}"))

    def seen(self, msg):
        """Every ForwardMsg, as it arrives (a subclass reads widget ids, metrics, fragment timers)."""

    def _finish(self, error):
        if self._finished is not None and not self._finished.done():
            if error is None:
                self._finished.set_result(None)
            else:
                self._finished.set_exception(error)

    async def ask(self, page, query="", widgets=(), fragment_id=""):
        """Ask for a run of one page (its URL path, 'home' for the root) without waiting for it."""
        msg = BackMsg()
        msg.rerun_script.query_string = query
        if page == self.page and self.page_hash:
            # as a browser: a rerun of the page it shows names the page by its hash. A fragment run named by page
            # name only has no page: a full-app st.rerun from that fragment would draw the default page instead
            msg.rerun_script.page_script_hash = self.page_hash
        else:
            msg.rerun_script.page_name = "" if page == "home" else page
            self.page, self.page_hash = page, ""
        msg.rerun_script.widget_states.widgets.extend(widgets)
        if fragment_id:
            msg.rerun_script.fragment_id = fragment_id
        await self.ws.send(msg.SerializeToString())

    async def run_page(self, page, query="", widgets=(), fragment_id=""):
        """Run one page (its URL path, 'home' for the root); returns the seconds until its script finished.

        widgets: WidgetState messages (a click, a choice) sent with the run; fragment_id: rerun only that fragment."""
        self.exceptions = self.elements = 0
        self.alerts, self.got = [], []
        self._finished = asyncio.get_running_loop().create_future()
        start = time.perf_counter()
        await self.ask(page, query, widgets, fragment_id)
        try:
            await asyncio.wait_for(self._finished, RUN_TIMEOUT)
        except TimeoutError:
            seen = ", ".join(dict.fromkeys(self.got)) or "nothing"
            raise PageRunError(f"{page}: no script_finished within {RUN_TIMEOUT:.0f} s (got: {seen}; "
                               f"fragment {fragment_id or '-'})") from None
        return time.perf_counter() - start


class HttpGet:
    """A browser tab's plain HTTP GETs to the server, on one kept-alive connection with the tab's cookies (behind
    HAProxy they name its replica), as a page's fetch() sends them."""

    def __init__(self, base, cookie=""):
        check_loopback(base)
        parts = urllib.parse.urlsplit(base)
        self.host, self.port, self.cookie = parts.hostname, parts.port or 80, cookie
        self.reader = self.writer = None

    async def get(self, path):
        """(status, body) of GET path; a connection the server closed is opened again once."""
        for attempt in (0, 1):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            head = f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            if self.cookie:
                head += f"Cookie: {self.cookie}\r\n"
            try:
                self.writer.write((head + "\r\n").encode())
                return await asyncio.wait_for(self._response(self.reader), RUN_TIMEOUT)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _response(self, reader):
        """(status, body) read from the connection's reader (its own: close() may drop self.reader meanwhile)."""
        status = int((await reader.readuntil(b"\r\n")).split()[1])
        length, keep = 0, True
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
            elif name.strip().lower() == "connection" and value.strip().lower() == "close":
                keep = False
        body = await reader.readexactly(length) if length else b""
        if not keep:
            self.close()
        return status, body.decode()

    def close(self):
        """Close the connection (the next GET opens another)."""
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def warm(base, pages, sessions=1):
    """Open every page in both languages so that caches are filled before visitors come (one session per
    replica behind a round-robin proxy: give `sessions` >= replicas)."""
    for _ in range(sessions):
        async with Session(base) as s:
            for page in pages:
                await s.run_page(page, "lang=en")
                await s.run_page(page, "lang=ko")

"""Run the app with `streamlit run` on a free port and drive Debian's Chromium with Playwright.

Writing a browser test (tests/browser/test_*.py; every test there is marked `browser`):

- Fixtures (tests/browser/conftest.py): `browser`, one headless Chromium per test process; `server`, the base URL of
  one `streamlit run` server shared by every test of the process (the suite runs in `pytest -n auto` processes, so
  a session fixture is one per xdist worker); `page`, a fresh 1400x900 desktop tab; `phone`, a fresh 390x844 touch
  tab. A test that needs a server of its own (other settings, a fresh process) uses
  `with harness.streamlit_server(env=harness.app_env(X="1")) as (url, proc):`, or a module-scoped fixture around it
  when several tests can share it; tests that must share one module fixture's server run in one xdist worker when
  marked `pytestmark = pytest.mark.xdist_group("name")` (pytest.ini runs `--dist loadgroup`).
- Helpers here: open_page(page, base, key, lang) (go to a page and wait for its run), wait_idle, assert_clean (no
  exception shown), keyed(page, key) (the element of a widget key), press_slider, exceptions.
- Screenshots: call screenshot(page, path). It writes only with `pytest --shots` (or BROWSER_SHOTS=1); otherwise a
  test that fails gets a screenshot of every tab still open, in artifacts/browser/failed/ (open a tab
  with `with harness.closing(browser.new_page()) as page:`: it is shot before it closes). To look at pages, use
  `python tests/browser/shoot.py PAGE... --width 390`.
- Keep a test cheap: no sleeps (wait_idle waits for the script run), one page load per assertion group, a control
  walk in one language unless the language changes what it checks.
"""
import asyncio
import concurrent.futures
import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = ROOT.parent / "shared" / "data"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
EXCEPTION = '[data-testid="stException"]'
SHOTS = ROOT / "artifacts" / "browser"


def free_port():
    """A TCP port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(**extra):
    """The environment the app runs with in tests: offline, shared data when present."""
    env = dict(os.environ, IMDB_OFFLINE="1", STREAMLIT_CLIENT_SHOW_ERROR_DETAILS="full",
               STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", PYTHONUNBUFFERED="1")
    if (SHARED_DATA / "imdb.npz").exists():
        env.setdefault("IMDB_DATA_DIR", str(SHARED_DATA))
    env.update(extra)
    return env


@contextlib.contextmanager
def streamlit_server(port=None, env=None, timeout=60, script=None, poll=0.2, base_path=""):
    """Start `streamlit run streamlit_app.py` (or another script), yield its base URL and process, then stop it.

    base_path: the server's server.baseUrlPath (set in env), part of the URL yielded."""
    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script or ROOT / "streamlit_app.py"),
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"]
    log = open(ROOT / "artifacts" / f"server-{port}.log", "w") if (ROOT / "artifacts").is_dir() else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env or app_env(), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}" + (f"/{base_path.strip('/')}" if base_path.strip("/") else "")
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1).read()
                break
            except OSError as e:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start (exit code {proc.poll()})") from e
                time.sleep(poll)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def chromium():
    """A headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def page_url(base, key, lang, **query):
    """The URL of one page of the app, with its language and other query parameters."""
    path = "" if key == "home" else key
    params = "&".join(f"{k}={v}" for k, v in {"lang": lang, **query}.items())
    return f"{base}/{path}?{params}"


def wait_idle(page, timeout=60, settle=300, poll=100):
    """Wait until the app's script run is over (stApp's data-test-script-state) and every element is drawn.

    Returns the time.perf_counter() at which that was first seen (it is then confirmed once more)."""
    app = page.locator('[data-testid="stApp"]')
    app.wait_for(timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    first = None
    while time.monotonic() < deadline:
        done = app.get_attribute("data-test-script-state") == "notRunning"
        drawn = page.locator('[data-testid="stSkeleton"]').count() == 0
        if done and drawn:
            if first is not None:
                if settle:
                    page.wait_for_timeout(settle)  # let charts finish drawing
                return first
            first = time.perf_counter()
        else:
            first = None
        page.wait_for_timeout(poll)
    raise TimeoutError(f"the app was still running after {int(timeout)} s")


def exceptions(page):
    """The texts of every exception the app shows."""
    return [e.inner_text() for e in page.locator(EXCEPTION).all()]


def assert_clean(page, what):
    """Fail with the first exception the app shows, if any."""
    errors = exceptions(page)
    assert not errors, f"{what}: {errors[0][:1500]}"


def watch_runs(page):
    """From now on, count the runs the server tells this tab have finished (its websocket's script_finished
    messages, a run stopped for a rerun left out): runs_finished(page) reads the count. Once per tab."""
    if hasattr(page, "rnn_runs"):
        return
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    page.rnn_runs = 0

    def frame(payload):
        if isinstance(payload, (bytes, bytearray)):
            msg = ForwardMsg()
            msg.ParseFromString(bytes(payload))
            if msg.WhichOneof("type") == "script_finished" and \
                    msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                page.rnn_runs += 1

    page.on("websocket", lambda ws: ws.on("framereceived", frame))


def runs_finished(page):
    """How many runs have finished in this tab since watch_runs (None: not watched)."""
    return getattr(page, "rnn_runs", None)


def rerun(page, action, timeout=60):
    """Do `action`, which makes the app run again (a widget changed), and wait until that run has finished and the
    page is drawn. wait_idle alone can return before a loaded server has begun the run: the state it reads is still
    the last run's. Without a finished run within `timeout` (or in a tab not watched), it is wait_idle alone."""
    before = runs_finished(page)
    action()
    deadline = time.monotonic() + timeout
    while before is not None and runs_finished(page) == before and time.monotonic() < deadline:
        page.wait_for_timeout(50)           # (Playwright delivers the tab's websocket frames while it waits)
    return wait_idle(page, timeout)


def open_page(page, base, key, lang, timeout=180, settle=300, **query):
    """Go to one page of the app and wait until its script run is over (every page has a title: a run that has
    not started yet looks idle too). The tab's runs are counted from here (watch_runs)."""
    watch_runs(page)
    page.goto(page_url(base, key, lang, **query))
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=timeout * 1000)
    wait_idle(page, timeout=timeout, settle=settle)


def keyed(page, key, inner=""):
    """The element Streamlit renders for a widget with this key (it carries the class st-key-<key>)."""
    return page.locator(f".st-key-{key} {inner}".strip()).first


def press_slider(page, key, presses=1, arrow="ArrowRight"):
    """Move a slider with the keyboard, as a person would."""
    handle = keyed(page, key, "input")   # Streamlit's slider thumb is a visually hidden range input
    handle.focus()
    for _ in range(presses):
        handle.press(arrow)


def shots_wanted():
    """True when every screenshot is to be written (pytest --shots, or BROWSER_SHOTS=1)."""
    return os.environ.get("BROWSER_SHOTS", "") not in ("", "0")


def screenshot(page, path):
    """A full-page screenshot when they are wanted (shots_wanted()); tests call this, failures are shot anyway."""
    if shots_wanted():
        full_screenshot(page, path)


def _content_height(page):
    return page.evaluate(
        """() => { const m = document.querySelector('[data-testid="stMain"]') ||
                              document.querySelector('section.main');
                   return m ? m.scrollHeight : document.body.scrollHeight; }""")


@contextlib.contextmanager
def closing(tab):
    """Close a tab (or a context) when the block ends; if the block failed, first shoot it (shoot_failed): conftest's
    hook comes after the test, when a tab closed here is gone."""
    try:
        yield tab
    except BaseException:
        test = os.environ.get("PYTEST_CURRENT_TEST", "test").split("::", 1)[-1].rsplit(" ", 1)[0]
        shoot_failed(getattr(tab, "pages", None) or [tab], f"{test}-closing")
        raise
    finally:
        tab.close()


def shoot_failed(tabs, test):
    """A screenshot of each tab of a failed test, in artifacts/browser/failed/<test>-<i>.png; returns what could not
    be shot (a screenshot is a help, never the failure)."""
    name, errors = re.sub(r"[^\w.-]+", "_", test)[:120], []
    for i, tab in enumerate(tabs):
        try:
            full_screenshot(tab, SHOTS / "failed" / f"{name}-{i}.png")
        except Exception as e:
            errors.append(f"tab {i}: {e}")
    return errors


def full_screenshot(page, path):
    """A screenshot of the whole page: Streamlit scrolls inside its own container, so grow the viewport."""
    width = page.viewport_size["width"]
    height, previous = _content_height(page), -1
    for _ in range(10):   # charts and fonts settle after the run ends: wait until the height stops changing
        page.set_viewport_size({"width": width, "height": min(max(int(height) + 40, 800), 12000)})
        page.wait_for_timeout(400)
        previous, height = height, _content_height(page)
        if height == previous:
            break
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(300)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 900})


def children(pid):
    """The ids of a process's child processes (from /proc)."""
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(c) for c in text]
    return out


def maps(pid):
    """The files a process has mapped into memory (its shared libraries among them)."""
    return Path(f"/proc/{pid}/maps").read_text()


@contextlib.contextmanager
def proxy_server(replicas=2, port=None, env=None, timeout=180, args=()):
    """scripts/serve.sh: N app processes behind HAProxy; yield the proxy's base URL and serve.sh's process.

    args: more options for serve.sh (e.g. --redis); its log is artifacts/serve-<port>.log."""
    import signal
    port = port or free_port()
    log = open(ROOT / "artifacts" / f"serve-{port}.log", "w") if (ROOT / "artifacts").is_dir() else subprocess.DEVNULL
    cmd = ["bash", str(ROOT / "scripts" / "serve.sh"), "--replicas", str(replicas), "--port", str(port), *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env or app_env(), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2).read()
                break
            except OSError as e:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"serve.sh did not start (exit code {proc.poll()})") from e
                time.sleep(0.3)
        yield url, proc
    finally:
        proc.send_signal(signal.SIGTERM)          # serve.sh stops HAProxy and its replicas
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)   # its own process group (start_new_session)
            proc.wait()


def run_async(coro):
    """asyncio.run(coro) on a thread of its own: a Playwright sync browser left open in this test process keeps
    an event loop running on the main thread, where asyncio.run refuses to start."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()

"""Students who break things, against a real `streamlit run` server and its real worker process (issue 17):

- a second client sends "clear caches" while another trains: the training goes on, in the same worker process,
  and the limit on trainings at once still holds;
- a closed tab frees its training slot within the lease, while a tab that shows another page keeps it.

Each tab is a Streamlit session over its own websocket, speaking Streamlit's protocol as the browser does
(BackMsg in, ForwardMsg out; see benchmarks/load_headless.py): a page run, a button press, "clear caches".
"""
import time

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from rnn_core.jobs import slots
from tests.browser import harness
from ui import i18n

PAGE = "train_numpy"
TEXTS = i18n.table("en", PAGE)
WAITING = TEXTS["status.waiting"].split(":")[0]
PROBLEM_TEXTS = [TEXTS[f"worker.{p}"].split("{")[0] for p in ("restarted", "lost", "dropped", "unknown")
                 if f"worker.{p}" in TEXTS]
RUN_TIMEOUT = 120.0


class Tab:
    """One browser tab: a Streamlit session over a websocket. run() returns the elements of one page run."""

    def __init__(self, base):
        self.ws = connect(base.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                          max_size=None, open_timeout=30, ping_interval=None)
        self.buttons = {}
        self.inputs = {}            # number inputs: key -> widget id

    def send(self, msg):
        self.ws.send(msg.SerializeToString())

    def run(self, page=PAGE, click=None, numbers=None):
        """Run `page` (pressing the button whose key is `click`, typing `numbers`: key -> int); the texts and
        buttons it drew."""
        msg = BackMsg()
        msg.rerun_script.query_string = "lang=en"
        msg.rerun_script.page_name = "" if page == "home" else page
        for key, value in (numbers or {}).items():
            state = msg.rerun_script.widget_states.widgets.add()
            state.id, state.int_value = self.inputs[key], value
        if click is not None:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id, state.trigger_value = self.buttons[click], True
        self.send(msg)
        texts, buttons = [], {}
        deadline = time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            out = ForwardMsg()
            out.ParseFromString(self.ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            kind = out.WhichOneof("type")
            if kind == "new_session":
                texts, buttons = [], {}                 # st.rerun(): a new run starts
            elif kind == "delta" and out.delta.WhichOneof("type") == "new_element":
                e = out.delta.new_element
                which = e.WhichOneof("type")
                if which == "button":
                    buttons[e.button.id.rsplit("-", 1)[-1]] = e.button
                elif which == "number_input":
                    self.inputs[e.number_input.id.rsplit("-", 1)[-1]] = e.number_input.id
                elif which == "alert":
                    texts.append(e.alert.body)
                elif which == "exception":
                    raise AssertionError(f"the page raised {e.exception.type}: {e.exception.message}")
            elif kind == "script_finished" and out.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.buttons.update({k: b.id for k, b in buttons.items()})
                return " ".join(texts), buttons
        raise AssertionError(f"{page}: no finished run within {RUN_TIMEOUT:.0f} s")

    def training(self):
        """(waiting, training): this tab's run waits for a slot / waits or trains (its Stop button is enabled)."""
        text, buttons = self.run()
        assert not [p for p in PROBLEM_TEXTS if p in text], text
        return WAITING in text, not buttons[f"{PAGE}_stop"].disabled

    def start(self):
        """Press Start with the most epochs (a run that outlasts the test, even on a fast machine)."""
        self.run()
        epochs = {f"{PAGE}_epochs": 100}
        self.run(numbers=epochs)
        self.run(click=f"{PAGE}_start", numbers=epochs)

    def close(self):
        self.ws.close()


def worker_pids(server):
    """The server's child processes: its one worker."""
    return sorted(harness.children(server.pid))


def wait_until(condition, timeout, every=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


@pytest.fixture
def serve():
    (harness.ROOT / "artifacts").mkdir(exist_ok=True)

    def start(**env):
        return harness.streamlit_server(env=harness.app_env(RNN_MAX_TRAININGS="1", **env), timeout=120)

    return start


def test_clear_caches_from_another_client_changes_nothing_for_a_running_training(serve):
    with serve() as (base, server):
        a, b, c = Tab(base), Tab(base), Tab(base)
        try:
            a.start()
            assert wait_until(lambda: a.training() == (False, True), 120), "A's training did not start"
            workers = worker_pids(server)
            assert len(workers) == 1

            b.run("home")
            clear = BackMsg()
            clear.clear_cache = True
            b.send(clear)                                   # the "Clear caches" action, from another student
            b.run("home")

            for _ in range(3):
                assert a.training() == (False, True)        # still training, nothing lost
                time.sleep(0.5)
            c.start()
            assert c.training() == (True, True)             # the limit (1) still holds: C waits in line
            assert a.training() == (False, True)
            assert worker_pids(server) == workers           # the same worker process, no second one
        finally:
            for tab in (a, b, c):
                tab.close()


def test_a_closed_tab_frees_its_slot_and_a_tab_on_another_page_keeps_it(serve):
    lease = 4.0
    with serve(RNN_LEASE_SECONDS=str(lease)) as (base, server):
        a, b = Tab(base), Tab(base)
        try:
            a.start()
            assert wait_until(lambda: a.training() == (False, True), 120), "A's training did not start"
            a.run("home")                                   # A reads another page, its tab open
            time.sleep(3 * lease)                           # nobody polls A's job: only the server's renewals
            assert a.training() == (False, True)            # still training
            b.start()
            assert b.training() == (True, True)             # B waits for A's slot

            a.run("home")
            a.close()                                       # A's tab is closed
            closed = time.monotonic()
            assert wait_until(lambda: b.training() == (False, True), lease + 20, every=0.25), \
                "the closed tab kept its slot"
            freed = time.monotonic() - closed
            print(f"slot freed {freed:.1f} s after the tab closed (lease {lease:g} s)")
            assert freed <= lease + 3
        finally:
            a.close()
            b.close()


def test_the_production_lease_frees_a_slot_within_a_minute(monkeypatch):
    monkeypatch.delenv("RNN_LEASE_SECONDS", raising=False)
    assert slots.lease_seconds() <= 60
    for value, expected in (("1000", 60.0), ("nan", 45.0), ("oops", 45.0), ("-5", 1.0), ("4", 4.0)):
        monkeypatch.setenv("RNN_LEASE_SECONDS", value)
        assert slots.lease_seconds() == expected, value


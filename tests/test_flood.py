"""A flooding client against a real server: it gets "slow down" runs, and nobody else does (ui/flood.py).

On main before this, one client asking for reruns as fast as it could raised the other students' median page
run to 1.2 s; the cost is measured by benchmarks/bench_flood.py and benchmarks/load_headless.py --flood 4."""
import asyncio

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.load_headless import SLOW_DOWN
from scripts.wsclient import Session
from tests.browser import harness
from ui import flood


def slowed(session):
    return any(a in SLOW_DOWN for a in session.alerts)


def first_run(session):
    """The messages of the first run the last request got, up to its end."""
    end = next(i for i, kind in enumerate(session.got) if kind.startswith("finished"))
    return session.got[:end + 1]


async def scenario(url):
    async with Session(url) as calm, Session(url) as flooder:
        await calm.run_page("home", "lang=en")
        await flooder.run_page("home", "lang=ko")
        assert not slowed(calm) and not slowed(flooder) and flooder.elements > 3

        for _ in range(20):                          # ask far faster than a person, until it is slowed down
            for _ in range(100):
                await flooder.ask("home", "lang=ko")
                await asyncio.sleep(0.005)
            await flooder.run_page("home", "lang=ko")
            if slowed(flooder):
                break
        assert slowed(flooder), "a client asking for 200 runs a second was never slowed down"
        slow = first_run(flooder)                     # a slowed-down run draws only its note, and asks for the
        assert slow.count("delta") <= 2, slow         # page again once the bucket allows (as a stopped run: the
        assert slow[-1] == f"finished {ForwardMsg.FINISHED_EARLY_FOR_RERUN}", slow   # widgets keep their values)
        assert flooder.elements > 3, "the page did not come back after the slowed-down run"
        await flooder.run_page("home", "lang=ko")    # asking again as soon as answered: still slowed down
        assert slowed(flooder)

        await calm.run_page("home", "lang=en")       # another session in the same moment: a full page
        assert not slowed(calm) and calm.elements > 3
        await asyncio.sleep((flood.BURST + 1) / flood.RATE + flood.PAUSE + 1)
        await flooder.run_page("home", "lang=ko")    # after a pause like a person's: the page again
        assert not slowed(flooder) and flooder.elements > 3


def test_a_flooding_client_is_slowed_down_and_the_others_are_not():
    with harness.streamlit_server(timeout=120) as (url, _proc):
        harness.run_async(scenario(url))


def test_the_bucket():
    """A person's clicks pass; a sustained rate above RATE does not; a wait earns nothing back."""
    tokens, last = flood.BURST, 0.0
    for i in range(int(flood.BURST)):                # a burst of quick clicks
        tokens, ok = flood.allowed(tokens, last, i * 0.01)
        last = i * 0.01
        assert ok
    tokens, ok = flood.allowed(tokens, last, last + 0.01)
    assert not ok
    steady = [flood.allowed(0.0, 0.0, 1 / (flood.RATE * 0.9))[1], flood.allowed(0.0, 0.0, 1 / (flood.RATE * 1.5))[1]]
    assert steady == [True, False]                   # just under the rate: runs; above it: slowed

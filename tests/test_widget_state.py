"""Oversized widget values from 30 sessions, against a real server: its memory grows by < 100 MB (issue 17).

On main (Streamlit's default limit of 25 MB a message) 30 sessions each sending a 20 MB widget value added
1.2 GB; .streamlit/config.toml's server.maxWidgetStateSize bounds it."""
import asyncio

from benchmarks.load_headless import rss_mb
from scripts.wsclient import Session
from tests.browser import harness


async def attack(url, sessions=30, size=20 * 2**20):
    from streamlit.proto.BackMsg_pb2 import BackMsg
    opened = [await Session(url).__aenter__() for _ in range(sessions)]
    try:
        for s in opened:
            msg = BackMsg()
            msg.rerun_script.query_string = "lang=en"
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = "$$ID-00000000000000000000000000000000-unrolling_text"
            w.string_value = "x" * size
            try:
                await s.ws.send(msg.SerializeToString())
            except Exception:
                pass
        await asyncio.sleep(5)
    finally:
        for s in opened:
            await s.__aexit__(None, None, None)


def test_oversized_widget_values_do_not_pile_up():
    with harness.streamlit_server(timeout=120) as (url, proc):
        async def warm():
            async with Session(url) as s:
                await s.run_page("home", "lang=en")
        harness.run_async(warm())
        harness.run_async(attack(url, size=1000))       # the same 30 sessions with small values: what sessions cost
        before = rss_mb(proc.pid)
        harness.run_async(attack(url))
        after = rss_mb(proc.pid)
        assert after - before < 100, (before, after)
        harness.run_async(warm())                       # and the server still answers

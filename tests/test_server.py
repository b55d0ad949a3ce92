"""ui.server: connections accepted on a socket bound the way Streamlit binds it get TCP_NODELAY."""
import asyncio
import asyncio.base_events
import socket
from concurrent.futures import ThreadPoolExecutor

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

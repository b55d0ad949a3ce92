"""A real redis-server on a free loopback port for tests and benchmarks (Debian's redis-server, no mock)."""
import contextlib
import shutil
import subprocess
import tempfile
import time

from tests.browser.harness import free_port


@contextlib.contextmanager
def redis_server():
    """Start redis-server (no persistence) on a free port; yield its redis:// URL; stop it."""
    exe = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                 "--dir", folder], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        url = f"redis://127.0.0.1:{port}/0"
        try:
            import redis
            client = redis.Redis.from_url(url)
            for _ in range(100):
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if proc.poll() is not None:
                        raise RuntimeError("redis-server exited") from None
                    time.sleep(0.05)
            client.close()
            yield url
        finally:
            proc.terminate()
            proc.wait(10)

"""The server's handle on the worker process (rnn_core.jobs.worker): started on first use, restarted when it died.

Its typed methods are the whole protocol: start, poll, stop, renew, summary, compare. Failures arrive as the
errors of rnn_core.jobs.protocol: WorkerRestarted, UnknownJob, JobLost, JobFailed, or WorkerError.
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Client
from typing import Any

from rnn_core.jobs.protocol import JobFailed, JobLost, JobReport, UnknownJob, WorkerError, WorkerRestarted
from rnn_core.jobs.worker import KEY_ENV

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Worker:
    """One worker process and the calls into it. Thread-safe.

    A server keeps exactly one, in module state (ui.jobs), never in st.cache_resource: any browser can clear the
    caches, and a second Worker would be a second process with its own jobs and its own limit."""

    def __init__(self, start_timeout: float = 60.0, env: dict[str, str] | None = None):
        self.start_timeout = start_timeout
        self.env = env
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.folder: str | None = None
        self.address = ""
        self.key = b""
        atexit.register(self.shutdown)

    @property
    def alive(self) -> bool:
        """True while the worker process runs."""
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    # ------------------------------------------------------------------ the protocol

    def ping(self) -> int:
        """The worker's process id (starts it if needed)."""
        return self.call("ping")

    def start(self, owner: str, kind: str, config: dict, limit: int) -> str:
        """Hand a job of `kind` (a key of worker.KINDS) to the worker; its id. It waits for a slot, then trains."""
        return self.call("start", owner=owner, kind=kind, config=config, limit=limit)

    def poll(self, job_id: str) -> JobReport:
        """The job's report (this also renews it). UnknownJob, JobLost or JobFailed when it is not training."""
        return self.call("poll", job_id=job_id)

    def stop(self, job_id: str) -> JobReport:
        """Stop the job after its current chunk and report; the same errors as poll."""
        return self.call("stop", job_id=job_id)

    def renew(self, job_ids: list[str]) -> list[str]:
        """Keep these jobs: their sessions are alive. Returns those the worker still has; never starts a worker."""
        if not job_ids or not self.alive:
            return []
        return self.call("renew", job_ids=list(job_ids))

    def summary(self, kind: str) -> dict[str, Any]:
        """Keras model `kind`'s parameter table: rows, Keras's counts per layer, total, total_formula."""
        return self.call("summary", kind=kind)

    def compare(self, kind: str, weights: dict, num_words: int, skip_top: int, maxlen: int, n: int) -> dict:
        """NumPy and Keras model A with the same weights on n validation reviews: y, p_numpy, p_keras."""
        return self.call("compare", kind=kind, weights=weights, num_words=num_words, skip_top=skip_top,
                         maxlen=maxlen, n=n)

    # ------------------------------------------------------------------ the process

    def _spawn(self):
        self.folder = tempfile.mkdtemp(prefix="rnn-worker-")          # 0700: only this user reaches the socket
        self.address = os.path.join(self.folder, "socket")
        self.key = os.urandom(16)
        env = dict(self.env if self.env is not None else os.environ, **{KEY_ENV: self.key.hex()})
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self.proc = subprocess.Popen([sys.executable, "-m", "rnn_core.jobs.worker", self.address, str(os.getpid())],
                                     cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                self._request("ping", {})
                return
            except (OSError, EOFError) as e:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise WorkerError(f"the worker did not start (exit code {self.proc.poll()})") from e
                time.sleep(0.05)

    def ensure(self):
        """Start the worker if it is not running. Raises WorkerRestarted when it had crashed (not an idle exit)."""
        with self.lock:
            if self.alive:
                return
            crashed = self.proc is not None and self.proc.returncode != 0
            self._cleanup()
            self._spawn()
        if crashed:
            raise WorkerRestarted("the worker had stopped and was started again")

    def _request(self, method, kwargs):
        with Client(self.address, family="AF_UNIX", authkey=self.key) as conn:
            conn.send((method, kwargs))
            return conn.recv()

    def call(self, method: str, **kwargs) -> Any:
        """Run `method` of the worker's Service with these arguments (the typed methods above use this)."""
        self.ensure()
        proc = self.proc
        try:
            status, value = self._request(method, kwargs)
        except (OSError, EOFError) as e:      # it died during the call
            try:
                if proc is not None:
                    proc.wait(5)
            except subprocess.TimeoutExpired:
                raise WorkerError(f"the worker did not answer: {e}") from e
            self.ensure()
            raise WorkerRestarted("the worker had stopped and was started again") from e
        if status == "ok":
            return value
        if status == "unknown":
            raise UnknownJob(value)
        if status == "lost":
            raise JobLost(value)
        if status == "failed":
            raise JobFailed(value)
        raise WorkerError(value)

    def _cleanup(self):
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def shutdown(self):
        """Stop the worker process (a deliberate stop: the next call starts a fresh one without a message)."""
        with self.lock:
            if self.alive:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self.proc = None
            self._cleanup()

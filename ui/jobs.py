"""The one way pages talk to the worker process: the server's handle, this session's jobs, the Keras calls.

For pages:
    job = start_job(t, owner, kind, config, name)   # a SessionJob; keep it in st.session_state
    job.poll(t); job.stop(t)                        # refresh job.report (a protocol.JobReport) or stop it
    job.report, job.state, job.done, job.problem    # what to draw; problem: "" or a key of PROBLEMS
    summary(kind); compare(t, ...)                  # the Keras page's model table and NumPy <-> Keras check
    training_limit()                                # trainings allowed at once on this server
t is the page's texts: its [worker] table names the messages (worker.starting, and one per problem).

Process handles (the worker, its lock, the renewal thread and the table of jobs to renew) live in this module's
state, owned by the server process, NEVER in st.cache_resource or st.cache_data: any browser can send "clear
caches", and that must not drop the worker (every student's training), start a second one, or lift the limit.
"""
import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from rnn_core.jobs import slots
from rnn_core.jobs.client import Worker
from rnn_core.jobs.protocol import JobFailed, JobLost, JobReport, JobState, UnknownJob, WorkerError, WorkerRestarted
from ui.server import aside

log = logging.getLogger(__name__)

# What went wrong with a job, each with its own message: the page's texts worker.<problem>.
PROBLEMS = ("restarted", "dropped", "unknown", "failed", "error")

_worker: Worker | None = None          # module state, never st.cache_resource (see above)
_worker_lock = threading.Lock()
_sessions: dict[str, str] = {}         # job id -> the id of the Streamlit session that started it
_sessions_lock = threading.Lock()
_renewer: threading.Thread | None = None


def worker() -> Worker:
    """The server's one worker process (infrastructure shared by every session, never user state)."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = Worker()
        return _worker


def _call(t, request: Callable[[Worker], Any]) -> Any:
    """request(worker()), with a spinner while the worker process starts."""
    w = worker()
    if w.alive:
        with aside():
            return request(w)
    with st.spinner(t("worker.starting"), show_time=True), aside():
        return request(w)


def summary(kind: str) -> dict:
    """Keras model `kind`'s parameter table from the worker (WorkerError if it can't build it); the caller shows
    its own spinner (the first call imports TensorFlow in the worker)."""
    with aside():
        return worker().summary(kind)


def compare(t, kind: str, weights: dict, num_words: int, skip_top: int, maxlen: int, n: int) -> dict:
    """P(positive) of the NumPy network and Keras model A with the same weights on n reviews: y, p_numpy, p_keras."""
    return _call(t, lambda w: w.compare(kind, weights, num_words, skip_top, maxlen, n))


def training_limit() -> int:
    """How many trainings may run at once on this server: RNN_MAX_TRAININGS from the environment or secrets."""
    try:
        secret = st.secrets.get("RNN_MAX_TRAININGS") if st.secrets.load_if_toml_exists() else None
    except Exception:   # an unreadable secrets file must not break the page
        secret = None
    return slots.max_trainings(secret)


# ----------------------------------------------------------------------------- leases of open sessions

def _session_id() -> str | None:
    """The Streamlit session running this script (None outside a script run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.session_id


def _open(session_id: str) -> bool:
    """True while Streamlit still has this browser session connected (Runtime.is_active_session: thread-safe).

    A tab that switches pages keeps its session; a closed tab's session stops being active at once."""
    from streamlit.runtime import Runtime
    return Runtime.exists() and Runtime.instance().is_active_session(session_id)


def renew_open_sessions() -> list[str]:
    """Renew, in the worker, the jobs of every session that is still open; forget the others. Returns the ids."""
    with _sessions_lock:
        mine = dict(_sessions)
    keep = [job_id for job_id, session in mine.items() if _open(session)]
    kept = worker().renew(keep) if keep else []
    with _sessions_lock:
        for job_id in mine:
            if job_id not in kept:
                _sessions.pop(job_id, None)
    return kept


def _renew_forever():
    while True:
        time.sleep(slots.LEASE_SECONDS / 4)
        try:
            renew_open_sessions()
        except Exception:          # a worker that is restarting: the next round tries again
            log.warning("renewing the open sessions' jobs failed", exc_info=True)


def track(job_id: str):
    """Renew this job while this session stays open (the worker drops it a lease after that): the session that
    started it, or the one that follows it after a reload (ui.keep)."""
    global _renewer
    session = _session_id()
    if session is None:
        return
    with _sessions_lock:
        _sessions[job_id] = session
        if _renewer is None:
            _renewer = threading.Thread(target=_renew_forever, daemon=True, name="renew-open-sessions")
            _renewer.start()


# ----------------------------------------------------------------------------- this session's job

class SessionJob:
    """This session's handle on its job in the worker: its id, its run's name, the worker's last report."""

    def __init__(self, job_id: str, name: str, kind: str, config: dict):
        self.id, self.name, self.kind, self.config = job_id, name, kind, dict(config)
        self.report = JobReport(id=job_id, kind=kind)
        self.problem = ""                   # "" or one of PROBLEMS, once something went wrong
        self.error = ""                     # the message for "failed" and "error"
        self.recorded = False
        self._lock = threading.Lock()

    @property
    def state(self) -> JobState:
        return self.report.state

    @property
    def done(self) -> bool:
        return self.report.state.over

    def poll(self, t):
        """Ask the worker how the job is doing."""
        self._ask(t, lambda w: w.poll(self.id))

    def stop(self, t):
        """Stop the job after the worker's current chunk."""
        self._ask(t, lambda w: w.stop(self.id))

    def _ask(self, t, request):
        try:
            self.report = _call(t, request)
        except JobFailed as e:
            self.end("failed", e.report.error, e.report)
        except WorkerRestarted:
            self.end("restarted")
        except JobLost as e:
            self.end(e.reason)
        except UnknownJob:
            self.end("unknown")
        except WorkerError as e:
            self.end("error", str(e))

    def end(self, problem: str, error: str = "", report: JobReport | None = None):
        """The job is over because of `problem` (one of PROBLEMS)."""
        self.problem, self.error = problem, error
        self.report = dataclasses.replace(report or self.report, state=JobState.FAILED, error=error)

    def claim_record(self) -> bool:
        """True exactly once after the run ended: whoever gets it adds the run to the session's runs."""
        with self._lock:
            if not self.done or self.recorded:
                return False
            self.recorded = True
            return True


def start_job(t, owner: str, kind: str, config: dict, name: str) -> SessionJob:
    """Hand a job to the worker: this session's SessionJob (ended, with the reason, when the worker can't take it)."""
    try:
        limit = training_limit()
        job_id = _call(t, lambda w: w.start(owner, kind, config, limit))
    except WorkerError as e:
        job = SessionJob("", name, kind, config)
        job.end("restarted" if isinstance(e, WorkerRestarted) else "error", str(e))
        return job
    track(job_id)
    return SessionJob(job_id, name, kind, config)

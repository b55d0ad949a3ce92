"""The server's one worker process and this session's jobs in it: the one way pages talk to the worker."""
import threading

import streamlit as st

from rnn_core.jobs import worker as workers

_worker = None                  # module state, never st.cache_resource: any client may clear the caches
_worker_lock = threading.Lock()


def worker():
    """The server's one worker process (infrastructure shared by every session, never user state)."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = workers.Worker()
        return _worker


def call(t, method, **kwargs):
    """worker().call(...), with a spinner while the worker process starts."""
    w = worker()
    if w.alive:
        return w.call(method, **kwargs)
    with st.spinner(t("worker.starting"), show_time=True):
        return w.call(method, **kwargs)


def training_limit():
    """How many trainings may run at once on this server: RNN_MAX_TRAININGS from the environment or secrets."""
    from rnn_core.jobs import slots
    try:
        secret = st.secrets.get("RNN_MAX_TRAININGS") if st.secrets.load_if_toml_exists() else None
    except Exception:   # an unreadable secrets file must not break the page
        secret = None
    return slots.max_trainings(secret)


class SessionJob:
    """This session's handle on its job in the worker: its id, its run's name, the worker's last report."""

    def __init__(self, job_id, name, kind, config):
        self.id, self.name, self.kind, self.config = job_id, name, kind, dict(config)
        self.report = {"state": "waiting", "position": 0, "running": 0, "limit": 0, "epochs_done": 0,
                       "history": {}, "event": None, "source": None}
        self.lost = ""                      # "restarted" or "lost" when the worker no longer has the job
        self.recorded = False
        self._lock = threading.Lock()

    @property
    def state(self):
        """"waiting", "running", "finished", "stopped", "diverged" or "failed"."""
        return self.report["state"]

    @property
    def done(self):
        return self.state in workers.OVER

    def ask(self, t, method):
        """Poll or stop the job; a worker that restarted or forgot the job ends it with a message."""
        try:
            self.report = call(t, method, job_id=self.id)
        except workers.WorkerRestarted:
            self.lost, self.report = "restarted", {**self.report, "state": "failed"}
        except workers.JobLost:
            self.lost, self.report = "lost", {**self.report, "state": "failed"}
        except workers.WorkerError as e:
            self.report = {**self.report, "state": "failed", "error": str(e)}

    def claim_record(self):
        """True exactly once after the run ended: whoever gets it adds the run to the session's runs."""
        with self._lock:
            if not self.done or self.recorded:
                return False
            self.recorded = True
            return True


def start_job(t, owner, kind, config, name):
    """Hand a job to the worker: this session's SessionJob (failed, with the reason, when the worker can't take it)."""
    try:
        job_id = call(t, "start", owner=owner, kind=kind, config=config, limit=training_limit())
    except workers.WorkerError as e:
        job = SessionJob("", name, kind, config)
        job.report.update(state="failed", error=str(e))
        job.lost = "restarted" if isinstance(e, workers.WorkerRestarted) else ""
        return job
    return SessionJob(job_id, name, kind, config)

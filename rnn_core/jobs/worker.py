"""The worker process: all training and every Keras call run here, so TensorFlow never enters the Streamlit server.

The server starts it on first use (`Worker.call`), as `python -m rnn_core.jobs.worker ADDRESS PARENT_PID`, and
talks to it over a Unix socket (multiprocessing.connection, with a random key from the environment). Each
request is one short connection: (method, kwargs) in, ("ok", result) or ("error", message) out; every
connection gets its own thread, so a slow call (the first TensorFlow import) never holds up another
session's poll. Results are plain Python and NumPy data.

Jobs: start(owner, kind, config, limit) -> job id; poll(job_id) -> dict; stop(job_id) -> dict.
A job trains in its own thread, a short chunk at a time (rnn_core.jobs.training.ChunkedTraining), so it goes on
while its page is closed, and Stop ends it after the current chunk. At most `limit` jobs train at once
(rnn_core.jobs.slots, first come first served); the others wait in line. A job nobody polls for ABANDON seconds
belongs to a vanished session and is stopped.

More kinds of job: add a factory to KINDS, `KINDS["mine"] = make_mine`, where make_mine(config, data)
returns a ChunkedTraining (data: rnn_core.data.imdb.ChapterData for config's num_words, skip_top and maxlen,
loaded once per worker). The trainer's results() and to_run() give what poll() returns once it is over.

The worker exits with code 0 when its parent has gone, or after IDLE seconds without a request and with
no job left to train or to collect. TensorFlow is imported only when a Keras request arrives.
"""
import atexit
import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from multiprocessing.connection import Client, Listener
from typing import TYPE_CHECKING

from rnn_core.jobs import slots as server_slots

IDLE = float(os.environ.get("RNN_WORKER_IDLE", 300))         # seconds without requests before the worker exits
ABANDON = float(os.environ.get("RNN_WORKER_ABANDON", 600))   # seconds without a poll before a job is stopped
CHUNK_SECONDS = 0.5        # training between two looks at Stop
WAIT_POLL = 0.2            # seconds between two looks at the queue while a job waits
KEY_ENV = "RNN_WORKER_KEY"
OVER = ("finished", "stopped", "diverged", "failed")


# ----------------------------------------------------------------------------- the worker's side

def make_numpy(config, data):
    """The chapter's NumPy RecurrentNetwork, trained in chunks."""
    from rnn_core.jobs.training import NumpyTraining
    return NumpyTraining(config, data)


def make_keras(config, data):
    """Keras model A, B or C (imports TensorFlow the first time)."""
    from rnn_core.model.keras_models import KerasTraining
    return KerasTraining(config, data)


def make_memory(config, data):
    """The memory lab's small live experiment: one NumPy model per distance of the decisive word."""
    from rnn_core.lessons.memory import MemoryTraining
    return MemoryTraining(config, data)


KINDS = {"numpy": make_numpy, "keras_a": make_keras, "keras_b": make_keras, "keras_c": make_keras,
         "memory": make_memory}

if TYPE_CHECKING:                      # imported for the annotation only: the data loads when first asked for
    from rnn_core.data.imdb import ChapterData

_data_lock = threading.Lock()
_data: dict[tuple[int, int, int], "ChapterData"] = {}


def chapter_data(num_words, skip_top, maxlen):
    """The chapter's padded split, loaded once per worker for each (num_words, skip_top, maxlen)."""
    from rnn_core.data.imdb import prepare_chapter_data
    key = (int(num_words), int(skip_top), int(maxlen))
    with _data_lock:
        if key not in _data:
            _data[key] = prepare_chapter_data(*key)
        return _data[key]


class Job:
    """One training in the worker: waits for a slot, trains in a thread, keeps what poll() reports."""

    def __init__(self, owner, kind, config, limit, slots, clock=time.monotonic):
        self.id = uuid.uuid4().hex
        self.owner, self.kind, self.config, self.limit = owner, kind, dict(config), int(limit)
        self.slots, self.clock = slots, clock
        self.trainer = None
        self.data = None
        self.state = "waiting"
        self.error = ""
        self.results = None
        self.stop_requested = False
        self.seen = clock()                 # the last poll: a job nobody asks about is stopped after ABANDON
        self.final = None                   # the report once the job is over (someone has collected it)
        self.ended = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True, name=f"job-{self.id[:8]}")

    @property
    def abandoned(self):
        return self.clock() - self.seen > ABANDON

    def run(self):
        """Wait for a slot, build the trainer, train chunk by chunk until it ends or is stopped."""
        state = "stopped"
        try:
            while not self.slots.acquire(self.id, self.limit):
                if self.stop_requested or self.abandoned:
                    return
                time.sleep(WAIT_POLL)
            self.state = "running"
            c = self.config
            self.data = chapter_data(c["num_words"], c["skip_top"], c["maxlen"])
            self.trainer = KINDS[self.kind](c, self.data)
            while not self.trainer.done:
                if self.stop_requested or self.abandoned:
                    self.trainer.stop()
                    break
                self.slots.acquire(self.id, self.limit)        # renew the lease
                self.trainer.advance(CHUNK_SECONDS)
            self.error = self.trainer.error
            self.results = self.trainer.results() if self.trainer.epochs else {}
            state = self.trainer.state
        except Exception as e:        # bad settings, data or TensorFlow: end the run with a message
            state, self.error = "failed", f"{type(e).__name__}: {e}"
        finally:
            self.slots.release(self.id)
            self.state = state
            self.ended.set()

    def stop(self):
        """Ask the thread to stop after the chunk it is running."""
        self.stop_requested = True
        if self.trainer is not None:
            self.trainer.stop_requested = True                 # cut the running chunk short

    def report(self):
        """What the page needs to draw the run: a plain dict (weights and results only once it is over)."""
        self.seen = self.clock()
        if self.final is not None:
            return self.final
        over = self.ended.is_set()
        out = {"id": self.id, "kind": self.kind, "state": self.state, "error": self.error,
               "position": self.slots.position(self.id), "running": self.slots.running(), "limit": self.limit,
               "epochs_done": 0, "fraction": 0.0, "seconds": 0.0, "time_left": None, "event": None,
               "history": {}, "diverged_loss": None, "source": None, "source_detail": None,
               "source_reasons": ()}
        if self.data is not None:
            out.update(source=self.data.source, source_detail=self.data.source_detail,
                       source_reasons=self.data.source_reasons)
        tr = self.trainer
        if tr is not None:
            e = tr.last
            out.update(epochs_done=tr.epochs, fraction=tr.fraction, seconds=tr.seconds, time_left=tr.time_left,
                       history={k: list(v) for k, v in tr.history.items()},
                       event=None if e is None else {"epoch": e.epoch, "epochs": e.epochs, "batch": e.batch,
                                                     "n_batches": e.n_batches})
        if over and tr is not None:
            out["diverged_loss"] = tr.diverged_loss if self.state == "diverged" else None
            out["run"] = dataclasses.asdict(tr.to_run(""))          # config, history, weights, data source
            out["results"] = self.results or {}
        if over:                          # it won't change: keep the report, let the model and data go
            self.final, self.trainer, self.data = out, None, None
        return out


class Jobs:
    """Every job of the worker, by id."""

    def __init__(self, slots=None):
        self.slots = slots or server_slots.SERVER
        self.lock = threading.Lock()
        self.jobs = {}

    def start(self, owner, kind, config, limit):
        """A new job of this kind (a key of KINDS); it waits for a slot, then trains."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind of job: {kind!r}")
        job = Job(owner, kind, config, limit, self.slots)
        with self.lock:
            self.jobs = {i: j for i, j in self.jobs.items() if not (j.ended.is_set() and j.abandoned)}
            self.jobs[job.id] = job
        self.slots.acquire(job.id, job.limit)                     # take its place in the line at once
        job.thread.start()
        return job.id

    def get(self, job_id):
        job = self.jobs.get(job_id)
        if job is None:
            raise KeyError("unknown job")     # e.g. the worker restarted: Worker.call turns it into JobLost
        return job

    def poll(self, job_id):
        """The job's report."""
        return self.get(job_id).report()

    def stop(self, job_id, wait=30.0):
        """Stop the job after its current chunk; wait for that, then report."""
        job = self.get(job_id)
        job.stop()
        job.ended.wait(wait)
        return job.report()

    def busy(self):
        """True while a job waits, trains, or holds results nobody has collected yet."""
        with self.lock:
            return any(j.final is None and not (j.ended.is_set() and j.abandoned) for j in self.jobs.values())


class Service:
    """The calls the server may make: a job's life, and the Keras page's model summaries and comparison."""

    def __init__(self):
        self.jobs = Jobs()

    def ping(self):
        return os.getpid()

    def start(self, owner, kind, config, limit):
        return self.jobs.start(owner, kind, config, limit)

    def poll(self, job_id):
        return self.jobs.poll(job_id)

    def stop(self, job_id):
        return self.jobs.stop(job_id)

    def summary(self, kind):
        """Keras model `kind`'s parameter table (keras_models.summary)."""
        from rnn_core.model import keras_models
        return keras_models.summary(kind)

    def compare(self, kind, weights, num_words, skip_top, maxlen, n):
        """NumPy and Keras model A with the same weights on the first n validation reviews: both P(positive)."""
        from rnn_core.model import keras_models
        data = chapter_data(num_words, skip_top, maxlen)
        out = keras_models.compare(kind, weights, data.x_val[:n])
        return {**out, "y": data.y_val[:n].copy()}


def serve(address, parent, idle=IDLE):
    """Answer requests on `address` until the parent process goes away or nothing happens for `idle` seconds."""
    service = Service()
    listener = Listener(address, family="AF_UNIX", backlog=128, authkey=bytes.fromhex(os.environ[KEY_ENV]))
    last = [time.monotonic()]

    def answer(conn):
        with conn:
            try:
                method, kwargs = conn.recv()
                result = ("ok", getattr(service, method)(**kwargs))
            except KeyError as e:
                result = ("lost", str(e))
            except Exception as e:           # the page shows the message
                result = ("error", f"{type(e).__name__}: {e}")
            finally:
                last[0] = time.monotonic()
            try:
                conn.send(result)
            except (OSError, EOFError):
                pass

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent or (time.monotonic() - last[0] > idle and not service.jobs.busy()):
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    while True:
        try:
            conn = listener.accept()
        except Exception:                    # a client that failed the handshake
            continue
        last[0] = time.monotonic()
        threading.Thread(target=answer, args=(conn,), daemon=True).start()


# ----------------------------------------------------------------------------- the server's side

class WorkerError(Exception):
    """A call failed inside the worker; the message says why."""


class WorkerRestarted(WorkerError):
    """The worker had died and was started again; the jobs it held are gone."""


class JobLost(WorkerError):
    """The worker does not know this job (it restarted, or exited while idle)."""


class Worker:
    """The server's handle on the worker process: started on first use, restarted when it has died. Thread-safe."""

    def __init__(self, start_timeout=60.0, env=None):
        self.start_timeout = start_timeout
        self.env = env
        self.lock = threading.Lock()
        self.proc = None
        self.folder = None
        self.address = None
        self.key = None
        atexit.register(self.shutdown)

    @property
    def alive(self):
        """True while the worker process runs."""
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self):
        return None if self.proc is None else self.proc.pid

    def _spawn(self):
        self.folder = tempfile.mkdtemp(prefix="rnn-worker-")
        self.address = os.path.join(self.folder, "socket")
        self.key = os.urandom(16)
        env = dict(self.env if self.env is not None else os.environ, **{KEY_ENV: self.key.hex()})
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self.proc = subprocess.Popen([sys.executable, "-m", "rnn_core.jobs.worker", self.address, str(os.getpid())],
                                     cwd=root, env=env, stdin=subprocess.DEVNULL)
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

    def call(self, method, **kwargs):
        """Run `method` of the worker's Service with these arguments and return its result."""
        self.ensure()
        try:
            status, value = self._request(method, kwargs)
        except (OSError, EOFError) as e:      # it died during the call
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                raise WorkerError(f"the worker did not answer: {e}") from e
            self.ensure()
            raise WorkerRestarted("the worker had stopped and was started again") from e
        if status == "lost":
            raise JobLost(value)
        if status == "error":
            raise WorkerError(value)
        return value

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


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))

"""The worker process: all training and every Keras call run here, so TensorFlow never enters the Streamlit server.

The server starts it on first use (rnn_core.jobs.client.Worker), as `python -m rnn_core.jobs.worker ADDRESS
PARENT_PID`, and talks to it over a Unix socket in a 0700 folder (multiprocessing.connection, with a random key
from the environment). Each request is one short connection: (method, kwargs) in, an answer of
rnn_core.jobs.protocol out. Every connection is served on its own thread, and its handshake and request must
arrive within HANDSHAKE seconds, so neither a slow call (the first TensorFlow import) nor a client that connects
and stays silent holds up another session's poll. Only the methods in Service.methods can be called.

Jobs: start(owner, kind, config, limit) -> job id; poll(job_id) -> JobReport; stop(job_id) -> JobReport;
renew(job_ids) -> the ids still here. A job trains in its own thread, a short chunk at a time
(rnn_core.jobs.training.ChunkedTraining), so it goes on while its page is closed or shows another page, and Stop
ends it after the current chunk. At most `limit` jobs train at once (rnn_core.jobs.slots, first come first
served); the others wait in line. A job lives while the server renews it (the server does so for every session
Streamlit still has open) or its page polls it; one that nobody renews for slots.LEASE_SECONDS belonged to a
closed tab: it is stopped and gives its slot back.

More kinds of job: add a factory to KINDS, `KINDS["mine"] = make_mine`, where make_mine(config, data)
returns a ChunkedTraining (data: rnn_core.data.imdb.ChapterData for config's num_words, skip_top and maxlen,
loaded once per worker). The trainer's results() and to_run() give what poll() returns once it is over.

The worker exits with code 0 when its parent has gone, or after IDLE seconds without a request and with
no job left to train or to collect. TensorFlow is imported only when a Keras request arrives.
"""
import collections
import os
import shutil
import socket
import struct
import sys
import threading
import time
import uuid
from multiprocessing import connection
from typing import TYPE_CHECKING

from rnn_core.jobs import slots as server_slots
from rnn_core.jobs.protocol import DataSource, JobFailed, JobLost, JobReport, JobState, Progress, UnknownJob

IDLE = float(os.environ.get("RNN_WORKER_IDLE", 300))         # seconds without requests before the worker exits
CHUNK_SECONDS = 0.5        # training between two looks at Stop
WAIT_POLL = 0.2            # seconds between two looks at the queue while a job waits
HANDSHAKE = 5.0            # seconds a connection has to authenticate and send its request
MAX_CONNECTIONS = 256      # connections served at once; the accept loop waits beyond that
KEY_ENV = "RNN_WORKER_KEY"
TOKEN = uuid.uuid4().hex[:12]   # this process's mark in its job ids: an id with another mark is from an earlier one
FORGOTTEN = 10_000         # dropped job ids remembered, to answer "lost" rather than "unknown"



def make_numpy(config, data):
    """The chapter's NumPy RecurrentNetwork, trained in chunks."""
    from rnn_core.jobs.training import NumpyTraining
    return NumpyTraining(config, data)


def make_keras(config, data):
    """Keras model A, B or C (imports TensorFlow the first time)."""
    from rnn_core.model.keras_models import KerasTraining
    return KerasTraining(config, data)


def make_memory(config, data):
    """The memory lab's small live experiment: per distance of the decisive word one model per seed (NumPy or Keras)."""
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
        self.id = f"{TOKEN}-{uuid.uuid4().hex}"
        self.owner, self.kind, self.config, self.limit = owner, kind, dict(config), int(limit)
        self.slots, self.clock = slots, clock
        self.trainer = None
        self.data = None
        self.state = JobState.WAITING
        self.error = ""
        self.results = None
        self.stop_requested = False
        self.seen = clock()                 # the last renewal or poll: a job nobody renews for a lease is dropped
        self.final = None                   # the report once the job is over (someone has collected it)
        self.ended = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True, name=f"job-{self.id[-8:]}")

    @property
    def abandoned(self):
        """True when nobody renewed or polled the job for a lease: its session has gone."""
        return self.clock() - self.seen > server_slots.LEASE_SECONDS

    def renew(self):
        """Its session is alive: keep the job and its slot (or its place in the queue)."""
        self.seen = self.clock()
        self.slots.renew(self.id)

    def run(self):
        """Wait for a slot, build the trainer, train chunk by chunk until it ends, is stopped or is abandoned."""
        state = JobState.STOPPED
        try:
            while not self.slots.acquire(self.id, self.limit):
                if self.stop_requested or self.abandoned:
                    return
                time.sleep(WAIT_POLL)
            self.state = JobState.RUNNING
            c = self.config
            self.data = chapter_data(c["num_words"], c["skip_top"], c["maxlen"])
            self.trainer = KINDS[self.kind](c, self.data)
            while not self.trainer.done:
                if self.stop_requested or self.abandoned:     # the lease is renewed by renew(), never here
                    self.trainer.stop()
                    break
                self.trainer.advance(CHUNK_SECONDS)
            self.error = self.trainer.error
            self.results = self.trainer.results() if self.trainer.epochs else {}
            state = JobState(self.trainer.state)
        except Exception as e:        # bad settings, data or TensorFlow: end the run with a message
            state, self.error = JobState.FAILED, f"{type(e).__name__}: {e}"
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
        """What the page needs to draw the run (its weights and results only once it is over); a poll renews it."""
        self.renew()
        if self.final is not None:
            return self.final
        over = self.ended.is_set()
        tr, data = self.trainer, self.data
        fields = {}
        if data is not None:
            fields["data"] = DataSource(data.source, data.source_detail, tuple(data.source_reasons))
        if tr is not None:
            e = tr.last
            fields.update(epochs_done=tr.epochs, fraction=tr.fraction, seconds=tr.seconds, time_left=tr.time_left,
                          history={k: list(v) for k, v in tr.history.items()},
                          progress=None if e is None else Progress(e.epoch, e.epochs, e.batch, e.n_batches))
            if over:
                fields.update(diverged_loss=tr.diverged_loss if self.state == JobState.DIVERGED else None,
                              run=tr.to_run(""), results=self.results or {})
        out = JobReport(id=self.id, kind=self.kind, state=self.state, error=self.error,
                        position=self.slots.position(self.id), running=self.slots.running(), limit=self.limit,
                        **fields)
        if over:                          # it won't change: keep the report, let the model and data go
            self.final, self.trainer, self.data = out, None, None
        return out


class Jobs:
    """Every job of the worker, by id."""

    def __init__(self, slots=None):
        self.slots = slots or server_slots.SERVER
        self.lock = threading.Lock()
        self.jobs = {}
        self.dropped = collections.OrderedDict()      # ids of jobs let go after their session went away

    def _prune(self):
        """Forget jobs that are over and that nobody has asked about for a lease (call with the lock held)."""
        for i in [i for i, j in self.jobs.items() if j.ended.is_set() and j.abandoned]:
            del self.jobs[i]
            self.dropped[i] = True
        while len(self.dropped) > FORGOTTEN:
            self.dropped.popitem(last=False)

    def start(self, owner, kind, config, limit):
        """A new job of this kind (a key of KINDS); it waits for a slot, then trains."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind of job: {kind!r}")
        job = Job(owner, kind, config, limit, self.slots)
        with self.lock:
            self._prune()
            self.jobs[job.id] = job
        self.slots.acquire(job.id, job.limit)                     # take its place in the line at once
        job.thread.start()
        return job.id

    def get(self, job_id):
        """The job; JobLost if it was dropped or held by an earlier worker process, UnknownJob if never here."""
        job = self.jobs.get(job_id)
        if job is not None:
            return job
        if job_id in self.dropped:
            raise JobLost("dropped")
        mark = str(job_id).partition("-")[0]
        if len(mark) == len(TOKEN) and mark != TOKEN and all(c in "0123456789abcdef" for c in mark):
            raise JobLost("restarted")
        raise UnknownJob(f"no job {str(job_id)[:80]!r}")

    def poll(self, job_id):
        """The job's report; JobFailed if it ended with an error."""
        report = self.get(job_id).report()
        if report.state == JobState.FAILED:
            raise JobFailed(report)
        return report

    def stop(self, job_id, wait=30.0):
        """Stop the job after its current chunk; wait for that, then report."""
        job = self.get(job_id)
        job.stop()
        job.ended.wait(wait)
        return self.poll(job_id)

    def renew(self, job_ids):
        """The sessions of these jobs are alive: keep them. Returns the ids this worker still has."""
        with self.lock:
            self._prune()
            kept = [self.jobs[i] for i in job_ids if i in self.jobs]
        for job in kept:
            job.renew()
        return [job.id for job in kept]

    def busy(self):
        """True while a job waits, trains, or holds results nobody has collected yet."""
        with self.lock:
            return any(j.final is None and not (j.ended.is_set() and j.abandoned) for j in self.jobs.values())


class Service:
    """The calls the server may make, in one table: a job's life, and the Keras page's summaries and comparison."""

    def __init__(self, jobs=None):
        self.jobs = jobs or Jobs()
        self.methods = {"ping": self.ping, "start": self.jobs.start, "poll": self.jobs.poll, "stop": self.jobs.stop,
                        "renew": self.jobs.renew, "summary": self.summary, "compare": self.compare}

    def ping(self):
        return os.getpid()

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

    def answer(self, request):
        """The answer to one (method, kwargs) request, as rnn_core.jobs.protocol describes."""
        try:
            method, kwargs = request
            call = self.methods.get(method) if isinstance(method, str) else None
            if call is None or not isinstance(kwargs, dict):
                raise LookupError(f"no method {str(method)[:40]!r}")
            return "ok", call(**kwargs)
        except UnknownJob as e:
            return "unknown", str(e)
        except JobLost as e:
            return "lost", e.reason
        except JobFailed as e:
            return "failed", e.report
        except Exception as e:               # the page shows the message
            return "error", f"{type(e).__name__}: {e}"


def _timeouts(sock, seconds):
    """Reads (and writes) on this blocking socket fail after `seconds` instead of waiting for ever."""
    tv = struct.pack("ll", int(seconds), int(seconds % 1 * 1e6))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, tv)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv)


def _authenticate(conn, key):
    """multiprocessing.connection's own handshake (what Listener.accept does), run on the connection's thread.

    Listener.accept runs it on the accepting thread, where one silent client blocks every other connection."""
    connection.deliver_challenge(conn, key)
    connection.answer_challenge(conn, key)


def serve(address, parent, idle=IDLE):
    """Answer requests on `address` until the parent process goes away or nothing happens for `idle` seconds."""
    service = Service()
    key = bytes.fromhex(os.environ[KEY_ENV])
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(128)
    last = [time.monotonic()]
    seats = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def answer(sock):
        try:
            _timeouts(sock, HANDSHAKE)
            with connection.Connection(sock.detach()) as conn:
                try:
                    _authenticate(conn, key)
                    request = conn.recv()
                except (OSError, EOFError, connection.AuthenticationError):    # silent, slow or not ours
                    return
                result = service.answer(request)
                last[0] = time.monotonic()
                try:
                    conn.send(result)
                except (OSError, EOFError):
                    pass
        finally:
            seats.release()

    def watch():
        while True:
            time.sleep(0.5)
            orphaned = os.getppid() != parent
            if orphaned or (time.monotonic() - last[0] > idle and not service.jobs.busy()):
                folder = os.path.dirname(address)
                if orphaned and os.path.basename(folder).startswith("rnn-worker-"):   # the server can't clean it now
                    shutil.rmtree(folder, ignore_errors=True)
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
    while True:
        seats.acquire()
        try:
            sock, _ = listener.accept()
        except OSError:
            seats.release()
            continue
        last[0] = time.monotonic()
        threading.Thread(target=answer, args=(sock,), daemon=True).start()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))

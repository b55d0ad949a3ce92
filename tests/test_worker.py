"""The worker: jobs train in threads and report typed reports, Stop, the line of waiting jobs, vanished sessions,
and the process itself (a NumPy job without TensorFlow, a Keras job, crash and restart, idle exit, orphan exit,
a silent client, forbidden methods, and the three answers: unknown job, lost job, failed job)."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from rnn_core.config import CHAPTER
from rnn_core.jobs import slots, worker
from rnn_core.jobs.client import Worker
from rnn_core.jobs.protocol import JobFailed, JobLost, JobState, UnknownJob, WorkerError, WorkerRestarted
from rnn_core.model.numpy_rnn import WEIGHT_NAMES, RecurrentNetwork

ROOT = Path(__file__).resolve().parents[1]
N_F, T = 30, 12
TENSORFLOW = ("libtensorflow", "_pywrap_tensorflow")


def fake_data(n=160, n_val=64, seed=0):
    """Random token reviews, label = is token 5 among the last 4 words."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, N_F, (n + n_val, T)).astype(np.int32)
    y = (x[:, -4:] == 5).any(axis=1).astype(np.int64)
    return SimpleNamespace(x_train=x[:n], y_train=y[:n], x_val=x[n:], y_val=y[n:], num_words=N_F, skip_top=0,
                           maxlen=T, source="synthetic", source_detail="test", source_reasons=(),
                           index_to_word={})


def config(**kw):
    small = dict(n_cells=8, batch_size=16, learning_rate=0.1, epochs=3, truncation=5, num_words=N_F, maxlen=T,
                 skip_top=0, n_train=160)
    return {**CHAPTER.numpy_run(), **small, **kw}


@pytest.fixture
def jobs(monkeypatch):
    """Jobs in this process, on fake data."""
    data = fake_data()
    monkeypatch.setattr(worker, "chapter_data", lambda *key: data)
    monkeypatch.setattr(worker, "WAIT_POLL", 0.02)
    return worker.Jobs(slots.Slots())


def report(jobs, job_id):
    """The job's report, a failed one included (poll raises JobFailed with it)."""
    try:
        return jobs.poll(job_id)
    except JobFailed as e:
        return e.report


def wait_for(jobs, job_id, done, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = report(jobs, job_id)
        if done(r):
            return r
        time.sleep(0.02)
    raise AssertionError(f"not reached: {r.state}")


def over(r):
    return r.done


def reference_weights(c, data):
    """One uninterrupted fit with the same settings (the textbook's fit loop)."""
    net = RecurrentNetwork(n_cells=c["n_cells"], batch_size=c["batch_size"], learning_rate=c["learning_rate"],
                           truncation=c["truncation"], textbook_backprop=c["textbook_backprop"], seed=c["seed"])
    net.fit(data.x_train, data.y_train, epochs=c["epochs"], n_features=data.num_words)
    return dict(zip(WEIGHT_NAMES, net.get_weights()))


# ---------------------------------------------------------------- jobs, in this process

def test_a_job_trains_in_its_thread_like_one_plain_fit(jobs):
    c = config()
    job_id = jobs.start("a", "numpy", c, limit=2)
    r = wait_for(jobs, job_id, over)
    assert r.state == JobState.FINISHED and r.epochs_done == 3 and r.fraction == 1.0
    ref = reference_weights(c, fake_data())
    for name in WEIGHT_NAMES:
        assert np.array_equal(r.run.weights[name], ref[name]), name
    assert r.run.kind == "numpy" and r.run.status == "finished" and len(r.history["loss"]) == 3
    matrix = r.results["matrix"]
    assert matrix.sum() == 64 and len(r.results["examples"]) == 6
    assert r.running == 0                                     # the slot was given back
    assert r.data.source == "synthetic" and r.progress.epochs == 3


def test_stop_ends_the_job_after_its_chunk_and_keeps_finished_epochs(jobs):
    c = config(epochs=100_000)
    job_id = jobs.start("a", "numpy", c, limit=2)
    wait_for(jobs, job_id, lambda r: r.epochs_done >= 1)
    r = jobs.stop(job_id)
    assert r.state == JobState.STOPPED and 1 <= r.epochs_done < 100_000
    ref = reference_weights(dict(c, epochs=r.epochs_done), fake_data())
    for name in WEIGHT_NAMES:                                 # the weights after the last finished epoch
        assert np.array_equal(r.run.weights[name], ref[name]), name
    assert jobs.poll(job_id).epochs_done == r.epochs_done               # stopped for good


def test_the_limit_makes_jobs_wait_in_line(jobs):
    a = jobs.start("a", "numpy", config(epochs=100_000), limit=1)
    wait_for(jobs, a, lambda r: r.state == JobState.RUNNING)
    b = jobs.start("b", "numpy", config(epochs=1), limit=1)
    c = jobs.start("c", "numpy", config(epochs=1), limit=1)
    time.sleep(0.2)
    rb, rc = jobs.poll(b), jobs.poll(c)
    assert (rb.state, rb.position, rc.state, rc.position) == ("waiting", 1, "waiting", 2)
    assert rb.running == 1 and rb.limit == 1
    assert jobs.stop(c).state == JobState.STOPPED and jobs.poll(b).position == 1    # c leaves the line
    assert jobs.poll(b).state == JobState.WAITING
    jobs.stop(a)
    assert wait_for(jobs, b, over).state == JobState.FINISHED


def test_a_job_nobody_renews_is_stopped_and_then_dropped(jobs, monkeypatch):
    monkeypatch.setattr(slots, "LEASE_SECONDS", 0.3)
    job_id = jobs.start("a", "numpy", config(epochs=100_000), limit=1)     # far more than a lease's worth
    job = jobs.get(job_id)
    assert job.ended.wait(30)
    assert job.state == JobState.STOPPED and not jobs.busy()
    assert jobs.slots.running() == 0                          # its slot is free at once, not at the slot's lease
    time.sleep(0.35)
    assert jobs.renew([]) == []                               # the next look forgets it ...
    with pytest.raises(JobLost) as lost:                      # ... and says so
        jobs.poll(job_id)
    assert lost.value.reason == "dropped"


def test_a_renewed_job_lives_on_and_its_slot_stays_taken(jobs, monkeypatch):
    monkeypatch.setattr(slots, "LEASE_SECONDS", 1.5)
    a = jobs.start("a", "numpy", config(epochs=100_000), limit=1)
    b = jobs.start("b", "numpy", config(epochs=1), limit=1)
    for _ in range(25):                                       # 5 s: over three leases, renewed as the server does
        assert set(jobs.renew([a, b])) == {a, b}
        time.sleep(0.2)
    ra, rb = jobs.get(a).report(), jobs.get(b).report()
    assert (ra.state, rb.state, rb.position) == ("running", "waiting", 1)
    jobs.stop(a)
    assert wait_for(jobs, b, over).state == JobState.FINISHED


def test_the_three_answers_unknown_lost_failed(jobs):
    with pytest.raises(UnknownJob):
        jobs.poll("no-such-job")
    with pytest.raises(JobLost) as lost:                      # an id a worker process before this one gave
        jobs.poll("0123456789ab-" + "0" * 32)
    assert lost.value.reason == "restarted"
    job_id = jobs.start("a", "numpy", config(n_cells=0), limit=2)
    r = wait_for(jobs, job_id, over)
    with pytest.raises(JobFailed) as failed:
        jobs.poll(job_id)
    assert failed.value.report == r and r.state == JobState.FAILED and "n_cells" in r.error and r.running == 0
    with pytest.raises(ValueError):
        jobs.start("a", "no-such-kind", config(), limit=2)


def test_methods_come_from_the_table_only(jobs):
    service = worker.Service(jobs)
    job_id = jobs.start("a", "numpy", config(epochs=500), limit=2)
    for method in ("__init__", "__class__", "answer", "jobs", "methods", "compare.__globals__", None, 3, ("ping",)):
        status, message = service.answer((method, {}))
        assert status == "error" and "no method" in message, method
    assert service.answer(("ping", []))[0] == "error"                    # kwargs must be a dict
    assert service.answer(("poll", {"job_id": job_id}))[0] == "ok"       # the table of jobs is intact
    assert service.answer("not a pair")[0] == "error"
    assert service.answer(("poll", {"job_id": "nope"}))[0] == "unknown"
    jobs.stop(job_id)


def test_a_key_error_inside_a_call_is_an_error_not_a_lost_job(jobs, monkeypatch):
    service = worker.Service(jobs)
    monkeypatch.setitem(service.methods, "summary", lambda kind: {}["rows"])
    assert service.answer(("summary", {"kind": "keras_a"})) == ("error", "KeyError: 'rows'")


def test_more_kinds_can_be_registered(jobs, monkeypatch):
    from rnn_core.jobs.training import NumpyTraining
    made = []

    def tiny(c, data):
        made.append(c)
        return NumpyTraining(dict(c, epochs=1), data)

    monkeypatch.setitem(worker.KINDS, "tiny", tiny)
    r = wait_for(jobs, jobs.start("a", "tiny", config(), limit=2), over)
    assert r.state == JobState.FINISHED and r.epochs_done == 1 and made


# ---------------------------------------------------------------- the process

@pytest.fixture
def proc():
    w = Worker()
    yield w
    w.shutdown()


def poll_until_over(w, job_id, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = w.poll(job_id)
        if over(r):
            return r
        time.sleep(0.1)
    raise AssertionError("the job did not end")


def test_a_numpy_job_in_the_process_never_loads_tensorflow(proc):
    c = dict(CHAPTER.numpy_run(), n_train=200, epochs=1)
    r = poll_until_over(proc, proc.start("a", "numpy", c, 2))
    assert r.state == JobState.FINISHED and r.epochs_done == 1
    assert r.data.source in ("local", "keras", "synthetic")
    assert not [n for n in TENSORFLOW if n in Path(f"/proc/{proc.pid}/maps").read_text()]


def test_a_keras_job_and_the_keras_calls_in_the_process(proc):
    pytest.importorskip("keras")
    c = dict(kind="keras_a", epochs=1, n_train=200, n_val=250, seed=42, unroll=False,
             **dict(zip(("num_words", "skip_top", "maxlen"), CHAPTER.data_for("keras_a"))))
    r = poll_until_over(proc, proc.start("a", "keras_a", c, 2))
    assert r.state == JobState.FINISHED and r.epochs_done == 1
    # Keras's own model.evaluate with the final weights = the validation accuracy fit reported after the epoch
    assert r.results["accuracy"] == pytest.approx(r.history["val_accuracy"][-1])
    assert set(r.run.weights) == {"rnn_kernel", "rnn_recurrent_kernel", "rnn_bias", "dense_kernel", "dense_bias"}
    assert all(n in Path(f"/proc/{proc.pid}/maps").read_text() for n in TENSORFLOW)
    s = proc.summary("keras_b")
    assert s["total"] == 32_337 and s["counts"]["embedding"] == 32_000
    out = proc.compare("keras_a", r.run.weights, c["num_words"], c["skip_top"], c["maxlen"], 50)
    assert len(out["y"]) == 50 and np.abs(out["p_numpy"] - out["p_keras"]).max() < 1e-5
    with pytest.raises(WorkerError, match="embedding|rnn_kernel"):   # weights that don't fit
        proc.compare("keras_a", {"embedding": np.zeros((3, 3))}, 100, 20, 100, 5)
    with pytest.raises(WorkerError, match="KeyError") as e:          # a KeyError in the worker: not "job lost"
        proc.compare("numpy", {}, 100, 20, 100, 5)
    assert type(e.value) is WorkerError


def test_a_crashed_worker_is_restarted_with_a_message(proc):
    c = dict(CHAPTER.numpy_run(), n_train=20000, epochs=20)
    job_id = proc.start("a", "numpy", c, 2)
    old = proc.pid
    os.kill(old, signal.SIGKILL)
    proc.proc.wait(10)
    with pytest.raises(WorkerRestarted):
        proc.poll(job_id)
    assert proc.alive and proc.pid != old
    with pytest.raises(JobLost) as lost:                        # the new worker knows the job was an earlier one's
        proc.poll(job_id)
    assert lost.value.reason == "restarted"
    assert proc.ping() == proc.pid                              # and serves again


def test_the_three_answers_from_the_process():
    w = Worker(env=dict(os.environ, RNN_LEASE_SECONDS="1"))
    try:
        with pytest.raises(UnknownJob):
            w.poll("no-such-job")
        failed = w.start("a", "numpy", dict(CHAPTER.numpy_run(), n_cells=0, n_train=200), 2)
        deadline = time.monotonic() + 60
        while True:
            try:
                w.poll(failed)
            except JobFailed as e:
                assert e.report.state == JobState.FAILED and "n_cells" in e.report.error
                break
            assert time.monotonic() < deadline
            time.sleep(0.1)
        dropped = w.start("a", "numpy", dict(CHAPTER.numpy_run(), n_train=200, epochs=100), 2)
        time.sleep(3)                                           # nobody renews it: stopped, then forgotten
        assert w.renew(["x"]) == []
        with pytest.raises(JobLost) as lost:
            w.poll(dropped)
        assert lost.value.reason == "dropped"
    finally:
        w.shutdown()


def test_a_silent_client_blocks_nobody(proc):
    import socket
    import threading
    proc.ping()
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.connect(proc.address)                                # connects, never says a word
    try:
        answers = []                                            # another client, on a thread: a blocked worker
        asking = threading.Thread(target=lambda: answers.append(proc.ping()), daemon=True)   # fails, not hangs
        asking.start()
        asking.join(2)
        assert answers == [proc.pid], "a silent client blocked the worker"
        silent.settimeout(worker.HANDSHAKE + 10)
        started = time.monotonic()
        while silent.recv(4096):                                # the worker's challenge, then it hangs up
            pass
        assert time.monotonic() - started < worker.HANDSHAKE + 5
    finally:
        silent.close()


def test_forbidden_methods_are_refused_and_the_jobs_stay(proc):
    job_id = proc.start("a", "numpy", dict(CHAPTER.numpy_run(), n_train=20000, epochs=20), 2)
    for method in ("__init__", "__class__", "methods", "jobs", "answer", "_prune"):
        with pytest.raises(WorkerError, match="no method") as e:
            proc.call(method)
        assert type(e.value) is WorkerError
    assert proc.poll(job_id).state in (JobState.WAITING, JobState.RUNNING)   # the table of jobs was not wiped
    proc.stop(job_id)


def test_the_socket_folder_is_private_and_the_key_only_in_the_environment(proc):
    proc.ping()
    assert os.stat(proc.folder).st_mode & 0o777 == 0o700
    assert proc.key.hex() not in Path(f"/proc/{proc.pid}/cmdline").read_text()
    assert Path(f"/proc/{proc.pid}/environ").read_bytes().count(proc.key.hex().encode()) == 1


def test_an_idle_worker_exits_and_comes_back_without_a_message():
    w = Worker(env=dict(os.environ, RNN_WORKER_IDLE="1"))
    try:
        first = w.ping()
        w.proc.wait(20)
        assert w.proc.returncode == 0                           # an idle exit, not a crash
        assert w.ping() != first                                # a fresh worker, no WorkerRestarted
    finally:
        w.shutdown()


def test_the_worker_exits_with_its_parent():
    code = textwrap.dedent("""
        import os, sys
        sys.path.insert(0, os.getcwd())
        from rnn_core.jobs.client import Worker
        w = Worker()
        print(w.ping(), flush=True)
        os._exit(0)                    # no clean-up: as if the server were killed
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    pid = int(out.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists()


def test_forty_trainings_started_at_once_queue_and_all_finish(proc):
    """40 students press Start together (40 connections at once): at most `limit` train, the rest wait in line."""
    from concurrent.futures import ThreadPoolExecutor
    proc.ping()
    c = dict(CHAPTER.numpy_run(), n_train=100, epochs=1)
    with ThreadPoolExecutor(40) as pool:
        ids = list(pool.map(lambda i: proc.start(f"s{i}", "numpy", c, 2), range(40)))
    assert len(set(ids)) == 40
    first = [proc.poll(i) for i in ids]
    waiting = sorted(r.position for r in first if r.state == JobState.WAITING)
    assert waiting == list(range(1, len(waiting) + 1)) and len(waiting) >= 30     # one line, no gaps
    pending, most = set(ids), 0
    deadline = time.monotonic() + 300
    while pending and time.monotonic() < deadline:
        reports = [proc.poll(i) for i in sorted(pending)]
        most = max(most, max(r.running for r in reports))
        pending -= {r.id for r in reports if r.done}
        time.sleep(0.2)
    assert not pending and most <= 2
    assert all(proc.poll(i).state == JobState.FINISHED for i in ids)


def test_a_worker_whose_server_was_killed_removes_its_socket_folder():
    """SIGKILL leaves the server no time to clean up: the orphaned worker removes its own 0700 folder and exits."""
    server = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time
        from rnn_core.jobs.client import Worker
        w = Worker()
        w.ping()
        print(w.folder, w.pid, flush=True)
        time.sleep(600)
    """)], cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE, text=True)
    try:
        folder, pid = server.stdout.readline().split()
        assert os.path.isdir(folder)
    finally:
        server.kill()
        server.wait()
    deadline = time.monotonic() + 20
    while os.path.isdir(folder) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not os.path.isdir(folder), "the orphaned worker left its folder behind"
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(int(pid), 0)            # still there: give it a moment to exit
            time.sleep(0.2)

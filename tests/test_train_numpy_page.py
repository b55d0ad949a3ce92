"""The NumPy training page, reached through the navigation: training, stopping, sessions, the limit, lecture mode."""
import json
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from rnn_core.config import QUICK_RUNS
from rnn_core.jobs import runs
from ui import i18n, jobs

PAGE = "pages/train_numpy.py"
JOB = "train_numpy_job"


@pytest.fixture(autouse=True)
def fresh_worker(monkeypatch):
    """Every test starts with a fresh worker process (no training in it) and the default limit."""
    monkeypatch.delenv("RNN_MAX_TRAININGS", raising=False)
    jobs.worker().shutdown()
    yield
    jobs.worker().shutdown()


def texts(lang):
    return i18n.table(lang, "train_numpy")


def open_page(make_app, lang="en", **query):
    at = make_app(lang, **query)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def start(at, n_train=200, epochs=2, lr=None):
    at.select_slider(key="train_numpy_n_train").set_value(n_train)
    at.number_input(key="train_numpy_epochs").set_value(epochs)
    if lr is not None:
        at.select_slider(key="train_numpy_lr").set_value(lr)
    at.button(key="train_numpy_start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state[JOB]


def run_until(at, done, limit=600):
    """AppTest has no clock for run_every: each run() asks the worker once."""
    for _ in range(limit):
        if done():
            return
        time.sleep(0.1)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    raise AssertionError("the run did not get there")


def job_of(at):
    return at.session_state[JOB]


def texts_of(elements):
    return " ".join(e.value for e in elements)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_small_run_trains_to_the_end(make_app, lang):
    at = open_page(make_app, lang)
    tx = texts(lang)
    saved = [r for r in runs.saved_runs() if r.kind == "numpy"]
    assert saved and f"{saved[-1].history['val_accuracy'][-1]:.4f}" in [m.value for m in at.metric]
    assert tx["status.idle"].split(":")[0] in texts_of(at.info)                          # the suggested first run
    start(at)
    run_until(at, lambda: job_of(at).done)
    job = job_of(at)
    assert job.state == "finished" and job.report.epochs_done == 2
    mine = at.session_state["runs"]
    assert len(mine) == 1 and mine[0].kind == "numpy" and mine[0].status == "finished" and mine[0].epochs == 2
    assert mine[0].config["n_train"] == 200 and mine[0].config["num_words"] == 100
    assert tx["status.finished"].split("{")[0] in texts_of(at.success)
    assert {b.key for b in at.get("download_button")} >= {"train_numpy_dl_weights", "train_numpy_dl_history"}
    assert tx["chart.confusion_title"] in chart_titles(at)
    assert not at.button(key="train_numpy_start").disabled and at.button(key="train_numpy_stop").disabled


def chart_titles(at):
    """The titles of the charts drawn (each chart carries its title in its Vega-Lite spec)."""
    from rnn_core.charts import spec
    return [spec.title(json.loads(c.proto.spec)) for c in at.get("vega_lite_chart")]


def test_stop_keeps_the_finished_epochs(make_app):
    at = open_page(make_app)
    start(at, n_train=20000, epochs=20)
    assert at.button(key="train_numpy_stop").disabled is False
    assert at.number_input(key="train_numpy_epochs").disabled          # settings are locked while it runs
    run_until(at, lambda: job_of(at).report.epochs_done >= 1)
    at.button(key="train_numpy_stop").click().run()
    assert not at.exception
    job = job_of(at)
    assert job.state == "stopped" and job.report.running == 0       # the slot was given back
    run = at.session_state["runs"][-1]
    assert run.status == "stopped" and run.epochs == job.report.epochs_done >= 1
    assert len(run.history["val_accuracy"]) == run.epochs
    assert texts("en")["status.stopped"].split("{")[0] in texts_of(at.warning)


def test_a_run_goes_on_while_the_user_is_on_another_page(make_app):
    at = open_page(make_app)
    job = start(at, n_train=2000, epochs=2)
    at.switch_page("pages/home.py").run()
    assert not at.exception and at.session_state[JOB] is job and not job.done
    w = jobs.worker()
    for _ in range(600):                                # nobody polls from the page: the worker trains on
        if w.poll(job.id).state == "finished":
            break
        time.sleep(0.1)
    at.switch_page(PAGE).run()
    run_until(at, lambda: job.done)
    assert job.state == "finished" and at.session_state["runs"][-1].epochs == 2


def test_sessions_do_not_see_each_other(make_app):
    a, b = open_page(make_app), open_page(make_app, "ko")
    start(a)
    run_until(a, lambda: a.session_state[JOB].done)
    b.run()
    assert len(a.session_state["runs"]) == 1
    assert JOB not in b.session_state and b.session_state["runs"] == []
    assert texts("ko")["runs.empty"] in texts_of(b.caption)
    assert a.session_state["train_numpy_owner"] != b.session_state["train_numpy_owner"]


def test_the_server_limit_makes_others_wait(make_app, monkeypatch):
    monkeypatch.setenv("RNN_MAX_TRAININGS", "1")
    a, b = open_page(make_app), open_page(make_app)
    job_a = start(a, n_train=20000, epochs=20)
    run_until(a, lambda: job_a.state == "running")
    job_b = start(b)                  # (small: it waits for a's slot however long it is, then runs to its end)
    b.run()
    assert job_b.state == "waiting" and job_b.report.position == 1
    assert texts("en")["status.waiting"].split(":")[0] in texts_of(b.info)
    c = open_page(make_app)
    job_c = start(c)
    c.run()
    assert job_c.state == "waiting" and job_c.report.position == 2
    c.button(key="train_numpy_stop").click().run()                 # c gives up its place in the queue
    assert job_c.state == "stopped" and texts("en")["status.stopped_none"] in texts_of(c.warning)
    a.button(key="train_numpy_stop").click().run()                 # a gives its place back
    run_until(b, lambda: job_b.done)
    assert job_b.state == "finished"


def test_the_limit_can_come_from_secrets(make_app):
    a, b = open_page(make_app), make_app()
    b.secrets["RNN_MAX_TRAININGS"] = 1
    b.run()
    b.switch_page(PAGE).run()
    job_a = start(a, n_train=20000, epochs=20)
    run_until(a, lambda: job_a.state == "running")
    job_b = start(b, n_train=20000, epochs=20)     # long enough to be still going when its Stop is pressed
    b.run()
    assert job_b.state == "waiting"
    a.button(key="train_numpy_stop").click().run()
    b.button(key="train_numpy_stop").click().run()
    assert not b.exception, [e.value for e in b.exception]
    assert b.session_state[JOB].state == "stopped", b.session_state[JOB].report


def test_a_diverging_run_says_so(make_app):
    at = open_page(make_app)
    job = start(at, n_train=2000, epochs=2, lr=10.0)
    run_until(at, lambda: job.done)
    assert job.state == "diverged"
    assert texts("en")["status.diverged"].split("{")[0] in texts_of(at.error)
    assert any("learning rate" in m.value for m in at.markdown)     # the advice
    from rnn_core.lessons import rates
    f = rates.facts(rates.load_results())
    assert any(f["slow_early"] in m.value and f["fast_end"] in m.value for m in at.markdown)  # its measured numbers
    assert not at.exception


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_lecture_mode_hides_the_technical_controls(make_app, lang):
    at = open_page(make_app, lang, lecture="true")
    keys = {w.key for w in at.number_input} | {w.key for w in at.select_slider}
    assert {"train_numpy_n_train", "train_numpy_epochs", "train_numpy_lr"} <= keys
    assert not keys & {"train_numpy_cells", "train_numpy_batch", "train_numpy_window", "train_numpy_seed"}
    assert at.toggle(key="train_numpy_inspect").value                # the saved run's details are open
    assert texts(lang)["chart.confusion_title"] in chart_titles(at)
    job = start(at)
    run_until(at, lambda: job.done)
    assert job.config["n_cells"] == 32 and job.config["truncation"] == 10
    assert at.session_state["runs"][-1].config["n_cells"] == 32


def test_the_page_never_imports_tensorflow():
    code = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, os.getcwd())
        os.environ["IMDB_OFFLINE"] = "1"
        from streamlit.testing.v1 import AppTest
        at = AppTest.from_file("streamlit_app.py", default_timeout=120)
        at.query_params["lang"] = "en"
        at.run()
        at.switch_page({PAGE!r}).run()
        at.select_slider(key="train_numpy_n_train").set_value(200)
        at.number_input(key="train_numpy_epochs").set_value(1)
        at.button(key="train_numpy_start").click().run()
        for _ in range(200):
            if at.session_state[{JOB!r}].done:
                break
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.session_state[{JOB!r}].state == "finished"
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
        assert not heavy, heavy[:5]
    """)
    from tests.conftest import ROOT
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_crashed_worker_says_so_and_keeps_the_finished_runs(make_app, lang):
    import os
    import signal
    at = open_page(make_app, lang)
    first = start(at, n_train=200, epochs=1)
    run_until(at, lambda: first.done)
    job = start(at, n_train=20000, epochs=20)
    w = jobs.worker()
    os.kill(w.pid, signal.SIGKILL)
    w.proc.wait(10)
    run_until(at, lambda: job.done)
    assert job.problem == "restarted" and texts(lang)["worker.restarted"] in texts_of(at.warning)
    assert [r.name for r in at.session_state["runs"]] == [first.name]
    assert not at.button(key="train_numpy_start").disabled
    again = start(at, n_train=200, epochs=1)                # the restarted worker trains the next run
    run_until(at, lambda: again.done)
    assert again.state == "finished" and len(at.session_state["runs"]) == 2


def ended_job(problem, monkeypatch):
    """A job id the real worker answers with `problem`: unknown, restarted (an earlier worker's), failed, dropped."""
    from rnn_core.config import CHAPTER
    from rnn_core.jobs.protocol import JobFailed
    if problem == "unknown":
        return "no-such-job"
    if problem == "restarted":
        return "0123456789ab-" + "0" * 32
    monkeypatch.setenv("RNN_LEASE_SECONDS", "1")        # read by the worker process, which starts here
    w = jobs.worker()
    if problem == "failed":
        job_id = w.start("test", "numpy", dict(CHAPTER.numpy_run(), n_cells=0, n_train=200), 2)
        for _ in range(300):
            try:
                w.poll(job_id)
            except JobFailed:
                return job_id
            time.sleep(0.1)
        raise AssertionError("the job did not fail")
    job_id = w.start("test", "numpy", dict(CHAPTER.numpy_run(), n_train=200, epochs=100), 1)
    probe = w.start("test", "numpy", dict(CHAPTER.numpy_run(), n_train=200, epochs=100), 1)
    for _ in range(600):                                  # nobody renews the job: the worker stops it, and the
        if w.poll(probe).state == "running":              # probe gets its slot (polling the probe only)
            break
        time.sleep(0.1)
    w.stop(probe)
    time.sleep(1.5)
    w.renew(["another"])                                  # the next look forgets the job
    return job_id


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("problem", ["unknown", "restarted", "failed", "dropped"])
def test_each_way_a_job_can_end_badly_has_its_own_message(make_app, monkeypatch, lang, problem):
    job_id = ended_job(problem, monkeypatch)
    at = open_page(make_app, lang)
    at.session_state[JOB] = jobs.SessionJob(job_id, "numpy-1", "numpy", {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    job = job_of(at)
    assert job.done and job.problem == problem
    shown = texts_of(at.warning) + texts_of(at.error)
    tx = texts(lang)
    assert tx[f"worker.{problem}"].split("{")[0] in shown
    assert [p for p in jobs.PROBLEMS if p != problem and tx[f"worker.{p}"].split("{")[0] in shown] == []
    if problem == "failed":
        assert "n_cells" in shown
    assert not at.button(key="train_numpy_start").disabled


@pytest.mark.parametrize("page", ["train_numpy", "keras", "memory"])
@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_problems_have_different_texts(page, lang):
    tx = i18n.table(lang, page)
    said = [tx[f"worker.{p}"] for p in jobs.PROBLEMS]
    assert len(set(said)) == len(said)


def test_a_reload_follows_the_running_training(make_app, tmp_path, monkeypatch):
    """With ?me= a reload (a new session, the same address) follows the training the last session left running:
    Stop works from it and keeps the run once; a later reload, once it has ended, follows nothing."""
    from rnn_core.classroom import keep
    monkeypatch.setenv("RNN_STORE", f"sqlite:///{tmp_path / 'class.db'}")
    me = keep.new_me()
    a = open_page(make_app, me=me)
    job = start(a, n_train=20000, epochs=20)
    run_until(a, lambda: job_of(a).report.epochs_done >= 1)
    b = open_page(make_app, me=me)                                  # the reload
    followed = job_of(b)
    assert followed is not job and followed.id == job.id and not followed.done
    assert b.button(key="train_numpy_stop").disabled is False and b.button(key="train_numpy_start").disabled
    b.button(key="train_numpy_stop").click().run()
    assert not b.exception and job_of(b).state == "stopped"
    assert [r.name for r in b.session_state["runs"]].count(followed.name) == 1
    assert b.session_state["train_numpy_count"] == 1                   # the next run is numpy-2, not a second -1
    c = open_page(make_app, me=me)                                  # another reload, the run over
    assert JOB not in c.session_state and [r.name for r in c.session_state["runs"]].count(followed.name) == 1

@pytest.mark.parametrize("lang", i18n.LANGS)
def test_idle_times_follow_the_suggested_settings(make_app, monkeypatch, lang):
    """status.timing: the times quoted are the saved run's pace (its seconds per epoch, scaled by the reviews) for
    the suggested run and the chapter's; suggest more epochs or fewer reviews and the quoted time follows."""
    from rnn_core.config import CHAPTER
    from ui.panel import duration
    saved = next(r for r in runs.saved_runs() if r.kind == "numpy")
    per_epoch = np.diff([0.0, *saved.history["seconds"]])                       # each epoch's own seconds
    t = i18n.Texts(lang, "train_numpy")
    chapter = duration(t, per_epoch.sum())
    said = set()
    for n_train, epochs in ((QUICK_RUNS["train_numpy"]["n_train"], 2), (20000, 6), (5000, 6)):
        monkeypatch.setitem(QUICK_RUNS["train_numpy"], "epochs", epochs)
        monkeypatch.setitem(QUICK_RUNS["train_numpy"], "n_train", n_train)
        quick = duration(t, per_epoch[:epochs].sum() * n_train / saved.config["n_train"])
        assert t("status.timing", quick=quick, chapter=chapter, **CHAPTER.numpy_run()) in texts_of(
            open_page(make_app, lang).info)
        said.add(quick)
    assert len(said) == 3

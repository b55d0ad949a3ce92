"""Bad input wherever a user types or chooses: a clear message, the app keeps working, nothing trained is lost."""
import os
import subprocess
import sys
import textwrap

import pytest

from rnn_core import slots
from tests.conftest import ROOT

PAGE = "pages/train_numpy.py"


def _app_with_data_dir(folder, tmp_path):
    """Run the home and pipeline pages in a fresh process whose IMDB_DATA_DIR is `folder`; return its output."""
    code = textwrap.dedent("""
        from streamlit.testing.v1 import AppTest
        at = AppTest.from_file("streamlit_app.py", default_timeout=300)
        at.query_params["lang"] = "en"
        at.run()
        for path in ("pages/home.py", "pages/pipeline.py"):
            at.switch_page(path).run()
            assert not at.exception, [e.value for e in at.exception]
            print("WARN", path, " ".join(w.value for w in at.warning))
            print("CAPTION", path, " ".join(c.value for c in at.caption))
    """)
    env = dict(os.environ, IMDB_DATA_DIR=str(folder), IMDB_OFFLINE="1", HOME=str(tmp_path))
    env.pop("KERAS_HOME", None)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_a_missing_data_directory_says_why_and_uses_synthetic_data(tmp_path):
    out = _app_with_data_dir(tmp_path / "nowhere", tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "synthetic" in out.stdout and "IMDB_DATA_DIR" in out.stdout


def test_a_corrupt_data_file_says_why_and_uses_synthetic_data(tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "imdb.npz").write_bytes(b"this is not a zip file" * 100)
    (folder / "imdb_word_index.json").write_text('{"the": 1}')
    out = _app_with_data_dir(folder, tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    pipeline = [line for line in out.stdout.splitlines() if "pipeline" in line]
    assert any("synthetic" in line for line in pipeline), out.stdout[-2000:]
    assert any("IMDB_DATA_DIR" in line for line in pipeline), out.stdout[-2000:]


@pytest.fixture
def training_page(make_app, monkeypatch):
    monkeypatch.delenv("RNN_MAX_TRAININGS", raising=False)
    slots.SERVER.clear()
    at = make_app("en").run()
    at.switch_page(PAGE).run()
    yield at
    slots.SERVER.clear()


def _train(at, limit=600):
    at.button(key="train_numpy_start").click().run()
    for _ in range(limit):
        job = at.session_state["train_numpy_job"]
        if job.done:
            return job
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    raise AssertionError("the run did not end")


def test_extreme_settings_give_messages_and_keep_earlier_runs(training_page):
    at = training_page
    at.select_slider(key="train_numpy_n_train").set_value(200)
    at.number_input(key="train_numpy_epochs").set_value(1)
    first = _train(at)
    assert first.state == "finished"
    assert len(at.session_state["runs"]) == 1

    # every control at its most extreme allowed value
    at.select_slider(key="train_numpy_lr").set_value(10.0)
    at.select_slider(key="train_numpy_batch").set_value(1)
    at.number_input(key="train_numpy_cells").set_value(128)
    at.number_input(key="train_numpy_window").set_value(at.number_input(key="train_numpy_window").max)
    at.number_input(key="train_numpy_epochs").set_value(2)
    job = _train(at)
    assert not at.exception
    assert job.state in ("diverged", "finished")
    if job.state == "diverged":
        assert at.error, "a diverged run must say so"
    assert at.session_state["runs"][0].status == "finished"     # the first run is still there

    # every number a user can type is bounded (the browser refuses values outside)
    for key in ("train_numpy_epochs", "train_numpy_cells", "train_numpy_window"):
        widget = at.number_input(key=key)
        assert widget.min is not None and widget.max is not None, key

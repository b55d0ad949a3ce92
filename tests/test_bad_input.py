"""Bad input wherever a user types or chooses: a clear message, the app keeps working, nothing trained is lost."""

import threading
from pathlib import Path

import pytest

from rnn_core.jobs import slots

PAGE = "pages/train_numpy.py"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app_with_data_dir(make_app, monkeypatch, tmp_path):
    """Run the home and pipeline pages with IMDB_DATA_DIR = folder (and an empty Keras cache); the shown texts."""
    import ui.data

    def caches_clear():
        for thread in threading.enumerate():      # ui.server.warm_up's data load, started by an earlier run here,
            if isinstance(thread, threading.Timer):   # must not fill the cache after it is cleared
                thread.join(30)
        ui.data._located_source.clear()
        ui.data._chapter_data.clear()

    def run(folder):
        monkeypatch.setenv("IMDB_DATA_DIR", str(folder))
        monkeypatch.setenv("IMDB_OFFLINE", "1")
        monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
        caches_clear()                      # the data the other tests load is cached for the whole process
        at = make_app("en").run()
        shown = {}
        for path in ("pages/home.py", "pages/pipeline.py"):
            at.switch_page(path).run()
            assert not at.exception, [e.value for e in at.exception]
            shown[path] = " ".join(w.value for w in at.warning) + " " + " ".join(c.value for c in at.caption)
        return shown

    yield run
    caches_clear()                          # the next test finds the usual data again


def test_a_missing_data_directory_says_why_and_uses_synthetic_data(app_with_data_dir, tmp_path):
    for path, shown in app_with_data_dir(tmp_path / "nowhere").items():
        assert "synthetic" in shown and "IMDB_DATA_DIR" in shown, path


def test_a_corrupt_data_file_says_why_and_uses_synthetic_data(app_with_data_dir, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "imdb.npz").write_bytes(b"this is not a zip file" * 100)
    (folder / "imdb_word_index.json").write_text('{"the": 1}')
    shown = app_with_data_dir(folder)["pages/pipeline.py"]
    assert "synthetic" in shown and "IMDB_DATA_DIR" in shown and "not an .npz file" in shown, shown


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


def test_the_servers_data_path_is_never_shown(app_with_data_dir, tmp_path):
    """Issue 17: the data note named the server's folders; now only the kind of source and file names."""
    for folder in (tmp_path / "nowhere" / "secret_dir", ROOT.parent / "shared" / "data"):
        for path, shown in app_with_data_dir(folder).items():
            assert str(folder) not in shown and "secret_dir" not in shown.replace("`secret_dir`", ""), path
            assert str(tmp_path) not in shown and str(ROOT.parent) not in shown, path

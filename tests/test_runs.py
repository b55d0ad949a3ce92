"""The saved-runs loader reads complete runs only: a stray, foreign or broken file is skipped with a logged note."""
import json
import logging

import numpy as np
import pytest

from rnn_core.jobs import runs


def a_run(name="good"):
    """A small valid NumPy run."""
    rng = np.random.default_rng(0)
    weights = {k: rng.normal(size=s).astype("float32") for k, s in
               dict(w1h=(3, 3), w1x=(5, 3), b1=(3,), w2=(3, 1), b2=(1,)).items()}
    return runs.Run(name=name, kind="numpy", config={"n_cells": 3}, history={"loss": [0.7]}, weights=weights)


@pytest.fixture
def folder(tmp_path):
    runs.save_run(a_run(), tmp_path)
    return tmp_path


def names(folder):
    return [r.name for r in runs.saved_runs(folder)]


def test_complete_run_loads(folder):
    [run] = runs.saved_runs(folder)
    assert run.name == "good" and run.saved
    np.testing.assert_array_equal(run.weights["w1x"], a_run().weights["w1x"])


def test_json_without_npz_is_skipped(folder, caplog):
    (folder / "memory_distance.json").write_text(json.dumps({"distances": [2, 5], "accuracy": {}}))
    (folder / "stray.json").write_text(json.dumps({"name": "stray", "kind": "numpy", "config": {}, "history": {}}))
    with caplog.at_level(logging.INFO, logger="rnn_core.jobs.runs"):
        assert names(folder) == ["good"]
    assert "stray.json has no .npz" in caplog.text and "memory_distance.json" in caplog.text


def test_npz_without_json_is_skipped(folder, caplog):
    np.savez(folder / "lonely.npz", w=np.zeros(3))
    with caplog.at_level(logging.WARNING, logger="rnn_core.jobs.runs"):
        assert names(folder) == ["good"]
    assert "lonely.npz has no .json" in caplog.text


def test_corrupt_npz_is_skipped(folder, caplog):
    runs.save_run(a_run("broken"), folder)
    (folder / "broken.npz").write_bytes(b"PK\x03\x04 not really a zip file")
    with caplog.at_level(logging.WARNING, logger="rnn_core.jobs.runs"):
        assert names(folder) == ["good"]
    assert "broken is not a readable run" in caplog.text


def test_pickled_npz_is_refused(folder):
    runs.save_run(a_run("pickled"), folder)
    np.savez(folder / "pickled.npz", w=np.array([{"evil": 1}], dtype=object))    # needs allow_pickle to load
    assert names(folder) == ["good"]


@pytest.mark.parametrize("text", [
    "{not json",                                                             # broken JSON
    json.dumps([1, 2, 3]),                                                   # JSON, but not an object
    json.dumps({"name": "foreign", "kind": "pytorch", "config": {}, "history": {}}),   # a kind the app has no model for
    json.dumps({"name": "foreign", "kind": "numpy", "config": {}, "history": {}, "extra_field": 1}),
    json.dumps({"name": "foreign", "kind": "numpy", "config": [], "history": {}}),     # wrong types
])
def test_foreign_json_with_npz_is_skipped(folder, text):
    np.savez(folder / "foreign.npz", w=np.zeros(3))
    (folder / "foreign.json").write_text(text)
    assert names(folder) == ["good"]


def test_shipped_folder_loads_only_runs():
    loaded = runs.saved_runs()
    assert {r.kind for r in loaded} <= set(runs.KINDS)
    assert "memory_distance" not in {r.name for r in loaded}


@pytest.mark.parametrize("page", ["pages/train_numpy.py", "pages/unrolling.py", "pages/try_review.py"])
def test_pages_survive_a_stray_json(make_app, tmp_path, monkeypatch, page):
    """The symptom of the issue: a .json without its .npz in saved_runs/ gave a FileNotFoundError in the page."""
    import shutil
    for suffix in (".json", ".npz"):
        shutil.copy(runs.SAVED_DIR / f"numpy_chapter{suffix}", tmp_path)
    (tmp_path / "memory_distance.json").write_text(json.dumps({"distances": [2], "accuracy": {}}))
    (tmp_path / "stray.json").write_text("{}")
    monkeypatch.setattr(runs, "SAVED_DIR", tmp_path)
    at = make_app("en")
    at.switch_page(page)
    at.run()
    assert not at.exception

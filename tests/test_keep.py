"""Nothing lost on reload: with ?me= a new session (a reload, another replica: a fresh AppTest on the same store)
gets back the answers, self-check scores, typed review and trained runs; without it nothing is stored."""
import numpy as np
import pytest

from rnn_core.classroom import keep
from rnn_core.jobs.runs import Run
from ui import i18n


@pytest.fixture
def class_store(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_STORE", f"sqlite:///{tmp_path / 'class.db'}")
    from ui import classroom
    return classroom.store()


def test_reload_keeps_answers_scores_review_and_runs(make_app, class_store):
    me = keep.new_me()
    a = make_app("en", me=me)
    a.switch_page("pages/sequences.py").run()
    radio = next(r for r in a.radio if r.key == "quiz_orders")
    radio.set_value("rnn").run()
    a.switch_page("pages/self_check.py").run()
    next(b for b in a.button if b.label == i18n.table("en", "self_check")["check"]).click().run()
    score = a.session_state["self_check_scores"]["6.1"]
    a.switch_page("pages/try_review.py").run()
    a.text_area(key="try_review_text").input("정말 지루한 영화였다").run()
    w = {"w1x": np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32), "w1h": np.eye(3),
         "b1": np.zeros(3), "w2": np.ones((3, 1)), "b2": np.zeros(1)}
    a.session_state["runs"] = [*a.session_state["runs"], Run("numpy-1", "numpy", {"num_words": 4, "n_cells": 3},
                                                              {"loss": [0.69, 0.5]}, w)]   # as the panel adds one
    a.run()
    assert not a.exception

    b = make_app("en", me=me)                                   # the reload: a new session, same address
    b.switch_page("pages/sequences.py").run()
    assert next(r for r in b.radio if r.key == "quiz_orders").value == "rnn"
    assert any(s.value.startswith(i18n.table("en", "common")["quiz.right"]) for s in b.success)   # still answered
    assert tuple(b.session_state["self_check_scores"]["6.1"]) == tuple(score)
    assert b.session_state["try_review_text"] == "정말 지루한 영화였다"
    run, = [r for r in b.session_state["runs"] if r.name == "numpy-1"]
    assert run.history == {"loss": [0.69, 0.5]} and np.array_equal(run.weights["w1x"], w["w1x"])
    b.switch_page("pages/try_review.py").run()
    assert b.text_area(key="try_review_text").value == "정말 지루한 영화였다" and not b.exception


def test_without_an_id_nothing_is_stored(make_app, class_store):
    a = make_app("en")
    a.switch_page("pages/sequences.py").run()
    next(r for r in a.radio if r.key == "quiz_orders").set_value("rnn").run()
    assert "class_me" not in a.session_state and "me" not in a.query_params
    with class_store._conn() as db:
        assert db.execute("SELECT COUNT(*) FROM h").fetchone()[0] == 0

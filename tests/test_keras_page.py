"""The Keras page through the app's navigation, in both languages: saved runs, parameter table, a small
training run with its evaluate(), Stop, the NumPy <-> Keras comparison, lecture mode; and TensorFlow stays
out of every other module."""
import re
import time
from pathlib import Path

import pytest

from ui import i18n

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/keras.py"


def open_page(make_app, lang, **query):
    at = make_app(lang, **query)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def small_settings(at):
    at.select_slider(key="keras_n_train").set_value(200)
    at.number_input(key="keras_epochs_keras_a").set_value(1)
    at.select_slider(key="keras_n_val").set_value(250)
    return at.run()


def run_until_done(at, limit=900):
    """AppTest has no clock for run_every: each run() asks the worker once."""
    for _ in range(limit):
        job = at.session_state["keras_job"]
        if job.done:
            return at.run()                     # the page after the run ended
        time.sleep(0.2)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    raise AssertionError("training did not finish")


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_small_training_run_in_each_language(make_app, lang):
    texts = i18n.table(lang, "keras")
    at = open_page(make_app, lang)
    assert texts["title"] in [t.value for t in at.title]
    table = at.dataframe[1].value if len(at.dataframe) > 1 else None      # [0]: the saved runs' epochs
    formulas = [df for df in (d.value for d in at.dataframe) if texts["params.formula"] in df.columns]
    assert formulas and "100·32 + 32·32 + 32" in list(formulas[0][texts["params.formula"]]), table
    assert any("4,256 + 33 = 4,289" in m.value for m in at.markdown)

    at = small_settings(at)
    at.button(key="keras_start").click().run()
    at = run_until_done(at)
    assert not at.exception, [e.value for e in at.exception]
    run = at.session_state["runs"][-1]
    assert run.kind == "keras_a" and run.status == "finished" and run.epochs == 1
    assert run.config["n_train"] == 200 and run.config["n_val"] == 250 and not run.config["unroll"]
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(run.history)
    labels = [m.label for m in at.metric]
    assert texts["metric.evaluate_accuracy"] in labels
    ev = at.session_state["keras_job"].report.results           # model.evaluate with the last epoch's weights
    assert ev["accuracy"] == pytest.approx(run.history["val_accuracy"][-1])
    # the NumPy <-> Keras comparison agrees (its verdict is a success message)
    assert any(texts["compare.verdict"].split("{")[0] in s.value for s in at.success)


def test_stop_between_chunks(make_app):
    at = small_settings(open_page(make_app, "en"))
    at.select_slider(key="keras_n_train").set_value(20000)           # long enough to be stopped while it runs
    at.number_input(key="keras_epochs_keras_a").set_value(3).run()
    at.button(key="keras_start").click().run()
    job = at.session_state["keras_job"]
    for _ in range(600):                                # until the first batches have run in the worker
        if job.report.progress:
            break
        time.sleep(0.2)
        at.run()
    assert not job.done
    at.button(key="keras_stop").click().run()
    assert not at.exception, [e.value for e in at.exception]
    job = at.session_state["keras_job"]
    assert job.done and job.state == "stopped" and job.report.epochs_done < 3
    assert job.report.running == 0 and job.report.position == 0      # the slot was given back
    assert i18n.table("en", "keras")["status.stopped"].split("{")[0] in " ".join(w.value for w in at.warning) \
        or i18n.table("en", "keras")["status.stopped_none"] in " ".join(w.value for w in at.warning)


def test_lecture_mode_hides_the_technical_controls(make_app):
    at = open_page(make_app, "ko", lecture="true")
    keys = {w.key for w in at.select_slider} | {w.key for w in at.number_input}
    assert "keras_n_train" in keys and "keras_n_val" not in keys and "keras_seed" not in keys
    assert i18n.table("ko", "keras")["saved.heading"] in [h.value for h in at.subheader]


def test_only_the_keras_modules_import_tensorflow():
    """Nothing the app runs, except rnn_core/model/keras_models.py (which the worker imports for Keras requests),
    imports keras or tensorflow."""
    allowed = {ROOT / "rnn_core" / "model" / "keras_models.py"}
    pattern = re.compile(r"^\s*(import|from)\s+(keras|tensorflow|tf_keras)\b", re.M)
    files = [ROOT / "streamlit_app.py", *(ROOT / "ui").glob("*.py"), *(ROOT / "pages").glob("*.py"),
             *(ROOT / "rnn_core").rglob("*.py")]
    offenders = [str(f.relative_to(ROOT)) for f in files if f not in allowed and pattern.search(f.read_text())]
    assert offenders == []
    page = (ROOT / PAGE).read_text()
    assert not re.search(r"^\s*(import|from)\s+rnn_core(\.model\.keras_models|\.model\s+import\s+.*keras_models)",
                         page, re.M)
    worker = (ROOT / "rnn_core" / "jobs" / "worker.py").read_text()
    assert re.search(r"^\s+from rnn_core\.model(\.keras_models| import keras_models)", worker, re.M)  # in a function


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_idle_times_follow_the_suggested_settings(make_app, monkeypatch, lang):
    """status.timing: the suggested run's time is model B's saved pace (its seconds to that epoch, scaled by the
    reviews), the textbook's run of model A is model A's saved run; suggest more epochs and the time follows."""
    import numpy as np

    from rnn_core.config import CHAPTER, QUICK_RUNS
    from rnn_core.jobs import runs
    from ui.panel import duration
    t = i18n.Texts(lang, "keras")
    saved = {r.kind: r for r in runs.saved_runs()}
    quick = QUICK_RUNS["keras"]
    per_epoch = {k: np.diff([0.0, *saved[k].history["seconds"]]) for k in ("keras_a", quick["kind"])}
    book = duration(t, per_epoch["keras_a"][:CHAPTER.keras["keras_a"].epochs].sum())
    said = set()
    for epochs in (1, 3):
        monkeypatch.setitem(quick, "epochs", epochs)
        time_ = duration(t, per_epoch[quick["kind"]][:epochs].sum() * quick["n_train"] / saved[quick["kind"]]
                         .config["n_train"])
        info = " ".join(e.value for e in open_page(make_app, lang).info)
        assert t("status.timing", quick=time_, chapter=book, model=t("kind.keras_a"), n_train=CHAPTER.n_train,
                 epochs=CHAPTER.keras["keras_a"].epochs) in info
        said.add(time_)
    assert len(said) == 2

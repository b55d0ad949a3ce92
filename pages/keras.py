"""The Keras models A, B and C: saved runs, parameter formulas, live training in chunks, NumPy <-> Keras weights.

The only page that imports TensorFlow (through rnn_core.keras_models), behind a spinner.
"""
import contextlib
import dataclasses
import uuid

import pandas as pd
import streamlit as st

import ui
from rnn_core import runs, slots, training
from rnn_core.charts import training as charts
from rnn_core.numpy_rnn import RecurrentNetwork

ui.entry_point_only()

t = ui.texts("keras")
big = ui.lecture_mode()
ss = st.session_state
JOB = "keras_job"                # this session's Keras training: a training.Job
CHUNK_SECONDS = 0.3              # training budget per fragment run (one fit call on a slice of batches)
TICK = 0.2                       # seconds between fragment reruns while a run waits or trains
KINDS = ["keras_a", "keras_b", "keras_c"]
N_TRAIN = [200, 500, 1000, 2000, 5000, 10000, 20000]
N_VAL = [250, 500, 1000, 2500, 5000]
N_COMPARE = 500                  # validation reviews in the NumPy <-> Keras comparison
CHART_KEYS = ["epoch", "loss", "val_loss", "value", "val_accuracy", "accuracy", "series", "run", "reference",
              "metric"]
names = {k: t(f"chart.{k}") for k in CHART_KEYS}
ss.setdefault("runs", [])
owner = ss.setdefault("keras_owner", f"keras-{uuid.uuid4().hex}")

def model_name(kind):
    return t(f"model.{kind}")


def references(published):
    """Published validation accuracies (where -> accuracy), labelled for the charts."""
    return {t(f"ref.{src}"): acc for src, acc in published.items()}


def final_accuracy(run):
    acc = run.history.get("val_accuracy", [])
    return acc[-1] if acc else None


def show_curves(history, published):
    """Loss curves and validation accuracy against the published values; stacked and bigger in lecture mode."""
    a, b = (st.container(), st.container()) if big else st.columns(2)
    with a:
        st.markdown(f"**{t('chart.loss_title')}**")
        st.altair_chart(charts.learning_curves(history, names, big), width="stretch")
    with b:
        st.markdown(f"**{t('chart.accuracy_title')}**")
        st.altair_chart(charts.accuracy_chart(history, references(published), names, big), width="stretch")


def epoch_table(history):
    """Keras's per-epoch numbers, as fit(verbose=1) would print them."""
    keys = ["loss", "accuracy", "val_loss", "val_accuracy"]
    df = pd.DataFrame({t(f"chart.{k}"): history.get(k, []) for k in keys})
    df.index = range(1, len(df) + 1)
    df.index.name = t("chart.epoch")
    st.dataframe(df, width="stretch", column_config={c: st.column_config.NumberColumn(format="%.4f")
                                                     for c in df.columns})


def show_saved():
    """The shipped full runs at once: accuracy against the published values, curves, how and when they were made."""
    st.subheader(t("saved.heading"))
    saved = {r.kind: r for r in ui.saved_runs() if r.kind in KINDS}
    if not saved:
        st.info(t("saved.missing"))
        return
    st.markdown(t.md("saved"))
    cols = st.columns(len(KINDS))
    for col, kind in zip(cols, KINDS):
        run = saved.get(kind)
        with col.container(border=True):
            st.markdown(f"**{model_name(kind)}**")
            if run is None:
                st.caption(t("saved.not_there"))
                continue
            acc, published = final_accuracy(run), run.config.get("published", {})
            st.metric(t("metric.val_accuracy"), f"{acc:.4f}", delta_color="off",
                      delta=f"{acc - published['notebook']:+.4f}" if "notebook" in published else None,
                      delta_description=t("metric.vs_notebook") if "notebook" in published else None)
            st.caption(" · ".join(f"{label} {value:.4f}" for label, value in references(published).items()))
    pick = st.segmented_control(t("saved.pick"), [k for k in KINDS if k in saved], default=next(iter(saved)),
                                required=True, format_func=model_name, key="keras_saved_pick")
    run = saved[pick]
    show_curves(run.history, run.config.get("published", {}))
    c = run.config
    st.caption(t("saved.made", date=run.created[:16].replace("T", " "), epochs=run.epochs,
                 n_train=c.get("n_train", 0), seconds=c.get("seconds", 0), cpus=c.get("cpus", "?"),
                 keras=c.get("keras_version", "?"), tf=c.get("tensorflow_version", "?"),
                 source=t.get(f"source_name.{run.data_source}", run.data_source)))
    if not big:
        with st.expander(t("saved.epochs_table")):
            epoch_table(run.history)


@st.cache_data(show_spinner=False)
def model_summary(kind):
    """The parameter table of a model, Keras's count per layer and in all (plain data: the same for everyone)."""
    model = km.build_model(kind)
    return km.param_table(model), {layer.name: layer.count_params() for layer in model.layers}, model.count_params()


def show_model(kind):
    """The model's layers as a table: each parameter count with its formula, next to Keras's own count."""
    rows, counts, total = model_summary(kind)
    st.markdown(t.md(f"model_{kind}"))
    table = pd.DataFrame({
        t("params.layer"): [f"{r.layer} ({r.type})" for r in rows],
        t("params.output"): [str(r.output_shape).replace("None", "m") for r in rows],
        t("params.formula"): [r.formula for r in rows],
        t("params.params"): [r.params for r in rows],
        t("params.keras"): [counts[r.layer] for r in rows],
    })
    st.dataframe(table, hide_index=True, width="stretch")
    st.markdown(t("params.total", formula=km.total_formula(rows), keras=f"{total:,}"))
    if not big:
        st.latex(t(f"latex.{kind}"))
        ui.show_code(km.build_model, km.OneHot, km.param_formula)


def controls(kind, disabled):
    """The settings, bounded; lecture mode shows only reviews and epochs (the rest are the textbook's)."""
    spec = km.SPECS[kind]
    keep = dict(persist_state="session", disabled=disabled)
    cfg = dict(kind=kind, epochs=spec.epochs, n_train=20000, n_val=5000, seed=42, unroll=False)
    with st.container(border=True):
        a, b = st.columns(2)
        cfg["n_train"] = a.select_slider(t("train.n_train"), N_TRAIN, value=20000, key="keras_n_train",
                                         format_func="{:,}".format, help=t("train.n_train_help"), **keep)
        cfg["epochs"] = b.number_input(t("train.epochs"), 1, 30, spec.epochs, key=f"keras_epochs_{kind}",
                                       help=t("train.epochs_help", epochs=spec.epochs), **keep)
        if big:
            st.caption(t("train.lecture_note"))
            return cfg
        a, b, c = st.columns(3)
        cfg["n_val"] = a.select_slider(t("train.n_val"), N_VAL, value=5000, key="keras_n_val",
                                       format_func="{:,}".format, help=t("train.n_val_help"), **keep)
        cfg["seed"] = b.number_input(t("train.seed"), 0, 9999, 42, key="keras_seed", help=t("train.seed_help"), **keep)
        cfg["unroll"] = c.toggle(t("train.unroll"), value=False, key="keras_unroll", help=t("train.unroll_help"),
                                 **keep)
    return cfg


def new_job(cfg):
    """A job for this session; the data is loaded and the model built once a training slot is free."""
    ss["keras_count"] = ss.get("keras_count", 0) + 1
    name = f"{cfg['kind']}-{ss['keras_count']}"

    def make_trainer():
        num_words = km.SPECS[cfg["kind"]].num_words
        return km.KerasTraining(cfg, ui.chapter_data(num_words, km.SKIP_TOP, km.MAXLEN))

    return training.Job(owner, name, cfg, make_trainer)


def stop():
    """Stop this session's run (a callback, so the page is drawn once, already stopped)."""
    job = ss.get(JOB)
    if job is not None:
        job.stop()
        record(job)


def record(job):
    """Add a finished or stopped run with at least one epoch to the session's runs (once), with its evaluate()."""
    tr = job.trainer
    if job.claim_record() and tr is not None and tr.epochs:
        ss["keras_evaluate"] = {"name": job.name, **tr.evaluate()}
        ss["runs"].append(tr.to_run(job.name, note="pages/keras.py"))


def show_status(job):
    """What the run is doing, or how it ended."""
    tr, state = job.trainer, job.state
    if state == "waiting":
        st.info(t("status.waiting", running=slots.SERVER.running(), limit=ui.training_limit(),
                  position=max(slots.SERVER.position(owner), 1)), icon=":material/hourglass_top:")
    elif state == "failed":
        st.error(t("status.failed", error=job.error), icon=":material/error:")
    elif tr is None or tr.last is None:
        st.info(t("status.starting"), icon=":material/hourglass_top:")
    elif state == "running":
        e = tr.last
        st.progress(tr.fraction, text=t("status.running", epoch=e.epoch + 1, epochs=e.epochs, batch=e.batch + 1,
                                         n_batches=e.n_batches, seconds=tr.seconds))
        st.caption(t("status.away"))
    elif state == "finished":
        st.success(t("status.finished", epochs=tr.epochs, seconds=tr.seconds), icon=":material/check_circle:")
    elif state == "stopped":
        st.warning(t("status.stopped", epochs=tr.epochs) if tr.epochs else t("status.stopped_none"),
                   icon=":material/stop_circle:")
    else:   # diverged
        st.error(t("status.diverged", epochs=tr.epochs), icon=":material/warning:")


def show_job(job):
    """Status, live curves and per-epoch numbers and, once it is over, the final evaluate()."""
    show_status(job)
    tr = job.trainer
    if tr is None:
        return
    ui.source_note(tr.data)
    if tr.epochs:
        show_curves(tr.history, km.SPECS[tr.config["kind"]].published)
        epoch_table(tr.history)
    elif job.state == "running":
        st.caption(t("status.first_epoch"))
    ev = ss.get("keras_evaluate")
    if job.done and ev and ev["name"] == job.name:
        spec = km.SPECS[tr.config["kind"]]
        a, b, c = st.columns(3)
        a.metric(t("metric.evaluate_accuracy"), f"{ev['accuracy']:.4f}",
                 delta=f"{ev['accuracy'] - spec.published['notebook']:+.4f}", delta_color="off",
                 delta_description=t("metric.vs_notebook"))
        b.metric(t("metric.evaluate_loss"), f"{ev['loss']:.4f}")
        c.metric(t("metric.train_time"), f"{tr.seconds:.0f} s")
        st.caption(t("metric.evaluate_caption", n_val=tr.config["n_val"]))


job = ss.get(JOB)
active = job is not None and not job.done


@st.fragment(run_every=TICK if active else None)
def live():
    """Advance this session's run by one chunk and redraw; reruns by itself while the run is active."""
    job = ss.get(JOB)
    if job is None:
        st.info(t("status.idle"))
        return
    if not job.done:
        first = job.trainer is None or job.trainer.last is None    # tracing the training step takes seconds
        with st.spinner(t("status.compiling")) if first else contextlib.nullcontext():
            job.step(ui.training_limit(), CHUNK_SECONDS)
        if job.done:
            record(job)
            st.rerun()   # the whole page: buttons, the list of runs, no more automatic reruns
    show_job(job)


def numpy_sources():
    """Weights to compare: NumPy and Keras model A runs (this session's, then saved), plus fresh random weights."""
    saved = ui.saved_runs()
    found = [r for r in ss["runs"] + saved if r.kind in ("numpy", "keras_a")]
    net = RecurrentNetwork(n_cells=32, seed=42)
    net.init_weights(100, 1)
    chapter = {"num_words": 100, "skip_top": km.SKIP_TOP, "maxlen": km.MAXLEN}
    fresh = [runs.Run(t("compare.fresh_numpy"), "numpy", chapter, {}, training.numpy_weights(net), created=""),
             runs.Run(t("compare.fresh_keras"), "keras_a", chapter, {}, {}, created="")]
    return found + fresh


def compare(run):
    """Both models' P(positive) on the first validation reviews, after copying the weights across."""
    c = run.config
    data = ui.chapter_data(c["num_words"], c["skip_top"], c["maxlen"])
    x = data.x_val[:N_COMPARE]
    if run.kind == "numpy":
        numpy_w = run.weights
        keras_model = km.model_from_weights("keras_a", km.numpy_to_keras_a(numpy_w), maxlen=data.maxlen)
    else:
        keras_model = (km.model_from_weights("keras_a", run.weights, maxlen=data.maxlen) if run.weights
                       else km.build_model("keras_a", maxlen=data.maxlen))
        numpy_w = km.keras_a_to_numpy(km.export_weights(keras_model))
    p_numpy = training.model_from_weights(numpy_w, c).predict_proba(x)[:, 0]      # (N,)
    p_keras = km.predict(keras_model, x)[:, 0]                                    # (N,)
    return data, x, p_numpy, p_keras


def show_compare():
    """Load a NumPy model's weights into Keras model A (or the reverse) and compare their predictions."""
    st.subheader(t("compare.heading"))
    st.markdown(t.md("compare"))
    sources = numpy_sources()
    labels = [f"{r.name} · {t('kind.' + r.kind)}" + (f" · {t('runs.saved_suffix')}" if r.saved else "")
              for r in sources]
    label = st.selectbox(t("compare.pick"), labels, key="keras_compare_pick")
    run = sources[labels.index(label)]
    key = (run.name, run.created, run.kind)
    if ss.get("keras_compare_key") != key:
        with st.spinner(t("compare.running")):
            try:
                ss["keras_compare"], ss["keras_compare_key"] = compare(run), key
            except (ValueError, KeyError) as e:          # weights that don't fit model A's shapes
                st.error(t("compare.failed", error=str(e)), icon=":material/error:")
                return
    data, x, p_numpy, p_keras = ss["keras_compare"]
    diff = abs(p_numpy - p_keras)
    direction = t("compare.numpy_to_keras") if run.kind == "numpy" else t("compare.keras_to_numpy")
    a, b, c = st.columns(3)
    a.metric(t("compare.direction"), direction)
    b.metric(t("compare.max_diff"), f"{diff.max():.1e}")
    c.metric(t("compare.agree"), f"{((p_numpy > 0.5) == (p_keras > 0.5)).mean():.1%}")
    if diff.max() < 1e-5:
        st.success(t("compare.verdict", n=len(x), diff=diff.max()), icon=":material/check_circle:")
    else:
        st.error(t("compare.mismatch", n=len(x), diff=diff.max()), icon=":material/error:")
    table = pd.DataFrame({t("compare.review"): range(1, 9), t("compare.label"): data.y_val[:8],
                          t("compare.p_numpy"): p_numpy[:8], t("compare.p_keras"): p_keras[:8],
                          t("compare.diff"): diff[:8]})
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        t("compare.p_numpy"): st.column_config.NumberColumn(format="%.7f"),
        t("compare.p_keras"): st.column_config.NumberColumn(format="%.7f"),
        t("compare.diff"): st.column_config.NumberColumn(format="%.1e")})
    if not big:
        ui.show_code(km.numpy_to_keras_a, km.import_weights)


def show_all_runs():
    """One chart with the learning curves of this session's runs and the saved runs."""
    st.subheader(t("runs.heading"))
    saved = [dataclasses.replace(r, name=f"{r.name} ({t('runs.saved_suffix')})") for r in ui.saved_runs()]
    mine = ss["runs"]
    if not mine:
        st.caption(t("runs.empty"))
    st.altair_chart(charts.runs_chart(saved + mine, names, big=big), width="content")


# ----------------------------------------------------------------------------- the page

st.title(t("title"))
st.markdown(t.md("intro"))
show_saved()                                         # plain files: shown before TensorFlow is loaded
try:
    with st.spinner(t("loading_tf"), show_time=True):
        from rnn_core import keras_models as km    # imports TensorFlow: seconds, the first time on a server
except ImportError as e:
    st.error(t("tf_missing", error=str(e)), icon=":material/error:")
    st.stop()

st.subheader(t("models_heading"))
kind = st.segmented_control(t("model_pick"), KINDS, default="keras_a", required=True, format_func=model_name,
                            key="keras_model", bind="query-params", persist_state="session", disabled=active)
show_model(kind)

st.subheader(t("train.heading"))
if not big:
    st.markdown(t.md("chunks"))
cfg = controls(kind, disabled=active)
a, b, _ = st.columns([1, 1, 4])
if a.button(t("train.start"), type="primary", icon=":material/play_arrow:", disabled=active, key="keras_start"):
    ss[JOB] = new_job(cfg)
    st.rerun()
b.button(t("train.stop"), icon=":material/stop:", disabled=not active, key="keras_stop", on_click=stop)
live()

show_compare()
show_all_runs()

"""The Keras models A, B and C: saved runs, parameter formulas, live training in chunks, NumPy <-> Keras weights.

TensorFlow never loads here: the models are built, counted, trained and compared in the worker process
(rnn_core/jobs/worker.py), which imports it on the first Keras request, behind a spinner.
"""
import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

from rnn_core.config import CHAPTER, QUICK_RUNS
from rnn_core.jobs import runs
from rnn_core.jobs.protocol import WorkerError, WorkerRestarted
from rnn_core.model.numpy_rnn import WEIGHT_NAMES, RecurrentNetwork
from ui import jobs, panel, state
from ui.charts import runs_panels
from ui.code import show_code
from ui.data import saved_runs
from ui.layout import lecture_mode, show_table
from ui.navigation import entry_point_only
from ui.texts import texts

entry_point_only()

t = texts("keras")
big = lecture_mode()
ss = st.session_state
KINDS = list(CHAPTER.keras)
N_TRAIN = [200, 500, 1000, 2000, 5000, 10000, CHAPTER.n_train]
N_VAL = [250, 500, 1000, 2500, CHAPTER.n_val]
N_COMPARE = 500                  # validation reviews in the NumPy <-> Keras comparison
names = t.labels("chart")


def model_name(kind):
    return t(f"model.{kind}", units=CHAPTER.keras[kind].units)


def references(published):
    """Published validation accuracies (where -> accuracy), labelled for the charts."""
    return {t(f"ref.{src}"): acc for src, acc in published.items()}


def epoch_table(history):
    """Keras's per-epoch numbers, as fit(verbose=1) would print them."""
    keys = ["loss", "accuracy", "val_loss", "val_accuracy"]
    df = pd.DataFrame({t(f"chart.{k}"): history.get(k, []) for k in keys})
    df.index = range(1, len(df) + 1)
    df.index.name = t("chart.epoch")
    show_table(df, width="stretch", formats=dict.fromkeys(df.columns, "%.4f"))


def show_saved():
    """The shipped full runs at once: accuracy against the published values, curves, how and when they were made."""
    st.subheader(t("saved.heading"), anchor=False)
    saved = {r.kind: r for r in saved_runs() if r.kind in KINDS}
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
            acc, published = run.final_accuracy, run.config.get("published", {})
            st.metric(t("metric.val_accuracy"), f"{acc:.4f}", delta_color="off",
                      delta=f"{acc - published['notebook']:+.4f}" if "notebook" in published else None,
                      delta_description=t("metric.vs_notebook") if "notebook" in published else None)
            st.caption(" · ".join(f"{label} {value:.4f}" for label, value in references(published).items()))
    pick = st.segmented_control(t("saved.pick"), [k for k in KINDS if k in saved], default=next(iter(saved)),
                                required=True, format_func=model_name, key="keras_saved_pick")
    run = saved[pick]
    panel.curves(run.history, references(run.config.get("published", {})), t, big)
    c = run.config
    if not big:
        with st.expander(t("saved.epochs_table")):
            epoch_table(run.history)
    with st.expander(t("saved.measured"), icon=":material/science:"):
        st.caption(t("saved.made", date=run.created[:16].replace("T", " "), epochs=run.epochs,
                     n_train=c.get("n_train", 0), seconds=c.get("seconds", 0), cpus=c.get("cpus", "?"),
                     keras=c.get("keras_version", "?"), tf=c.get("tensorflow_version", "?"),
                     source=t.get(f"source_name.{run.data_source}", run.data_source)))


@st.cache_data(show_spinner=False)
def model_summary(kind):
    """The parameter table of a model, Keras's count per layer and in all, from the worker (the same for everyone)."""
    return jobs.summary(kind)


def show_model(kind):
    """The model's layers as a table: each parameter count with its formula, next to Keras's own count."""
    try:
        with st.spinner(t("loading_tf"), show_time=True):
            s = model_summary(kind)
    except WorkerError as e:
        st.error(t("tf_missing", error=str(e)), icon=":material/error:")
        st.stop()
    rows, counts = s["rows"], s["counts"]
    st.markdown(t.md(f"model_{kind}", **CHAPTER.keras_numbers(kind)))
    table = pd.DataFrame({
        t("params.layer"): [f"{r['layer']} ({r['type']})" for r in rows],
        t("params.output"): [str(r["output_shape"]).replace("None", "m") for r in rows],
        t("params.formula"): [r["formula"] for r in rows],
        t("params.params"): [r["params"] for r in rows],
        t("params.keras"): [counts[r["layer"]] for r in rows],
    })
    show_table(table, hide_index=True, width="stretch")
    st.markdown(t("params.total", formula=s["total_formula"], keras=f"{s['total']:,}"))
    if not big:
        st.latex(t(f"latex.{kind}") + " = " + f"{s['total']:,}".replace(",", "{,}"))     # the total: Keras's count
        show_code("rnn_core.model.keras_models.build_model", "rnn_core.model.keras_models.OneHot",
                     "rnn_core.model.keras_models.param_formula")


def controls(kind, disabled):
    """The settings, bounded; lecture mode shows only reviews and epochs (the rest are the textbook's)."""
    spec = CHAPTER.keras[kind]
    num_words, skip_top, maxlen = CHAPTER.data_for(kind)
    keep = dict(persist_state="session", disabled=disabled)
    cfg = dict(kind=kind, epochs=spec.epochs, n_train=CHAPTER.n_train, n_val=CHAPTER.n_val, seed=CHAPTER.seed,
               unroll=False, num_words=num_words, skip_top=skip_top, maxlen=maxlen)
    with st.container(border=True):
        a, b = st.columns(2)
        cfg["n_train"] = a.select_slider(t("train.n_train"), N_TRAIN, value=CHAPTER.n_train, key="keras_n_train",
                                         format_func="{:,}".format, **keep,
                                         help=t("train.n_train_help", total=CHAPTER.n_train))
        cfg["epochs"] = b.number_input(t("train.epochs"), 1, 30, spec.epochs, key=f"keras_epochs_{kind}",
                                       help=t("train.epochs_help", epochs=spec.epochs), **keep)
        if big:
            st.caption(t("train.lecture_note"))
            return cfg
        a, b, c = st.columns(3)
        cfg["n_val"] = a.select_slider(t("train.n_val"), N_VAL, value=CHAPTER.n_val, key="keras_n_val",
                                       format_func="{:,}".format, help=t("train.n_val_help"), **keep)
        cfg["seed"] = b.number_input(t("train.seed"), 0, 9999, CHAPTER.seed, key="keras_seed",
                                     help=t("train.seed_help"), **keep)
        cfg["unroll"] = c.toggle(t("train.unroll"), value=False, key="keras_unroll", help=t("train.unroll_help"),
                                 **keep)
    return cfg


def show_results(job):
    """Keras's numbers of every epoch and, once the run is over, its model.evaluate()."""
    r = job.report
    if r.epochs_done:
        epoch_table(r.history)
    ev = r.results
    if job.done and ev:
        published = CHAPTER.keras[job.kind].published
        a, b, c = st.columns(3)
        a.metric(t("metric.evaluate_accuracy"), f"{ev['accuracy']:.4f}",
                 delta=f"{ev['accuracy'] - published['notebook']:+.4f}", delta_color="off",
                 delta_description=t("metric.vs_notebook"))
        b.metric(t("metric.evaluate_loss"), f"{ev['loss']:.4f}")
        c.metric(t("metric.train_time"), f"{r.seconds:.0f} s")
        st.caption(t("metric.evaluate_caption", n_val=r.run.config["n_val"]))


def numpy_sources():
    """Weights to compare: NumPy and Keras model A runs (this session's, then saved), plus fresh random weights."""
    saved = saved_runs()
    found = [r for r in ss[state.RUNS] + saved if r.kind in ("numpy", "keras_a")]
    net = RecurrentNetwork(n_cells=CHAPTER.n_cells, seed=CHAPTER.seed)
    net.init_weights(CHAPTER.num_words, 1)
    chapter = dict(zip(("num_words", "skip_top", "maxlen"), CHAPTER.data_for("keras_a")))
    fresh = [runs.Run(t("compare.fresh_numpy", seed=CHAPTER.seed), "numpy", chapter, {},
                      dict(zip(WEIGHT_NAMES, net.get_weights())), created=""),
             runs.Run(t("compare.fresh_keras", seed=CHAPTER.seed), "keras_a", chapter, {}, {}, created="")]
    return found + fresh


def compare(run):
    """Both models' P(positive) on the first validation reviews, after copying the weights across (in the worker)."""
    c = run.config
    out = jobs.compare(t, run.kind, dict(run.weights), c["num_words"], c["skip_top"], c["maxlen"], N_COMPARE)
    return out["y"], out["p_numpy"], out["p_keras"]


def show_compare():
    """Load a NumPy model's weights into Keras model A (or the reverse) and compare their predictions."""
    st.subheader(t("compare.heading"), anchor=False)
    st.markdown(t.md("compare", eps=float(np.finfo(np.float32).eps)))
    sources = numpy_sources()
    labels = [f"{r.name} · {t('kind.' + r.kind)}" + (f" · {t('runs.saved_suffix')}" if r.saved else "")
              for r in sources]
    label = st.selectbox(t("compare.pick"), labels, key="keras_compare_pick")
    run = sources[labels.index(label)]
    key = (run.name, run.created, run.kind)
    if ss.get(state.KERAS_COMPARE_KEY) != key:
        with st.spinner(t("compare.running")):
            try:
                ss[state.KERAS_COMPARE], ss[state.KERAS_COMPARE_KEY] = compare(run), key
            except WorkerRestarted:
                st.warning(t("worker.restarted_compare"), icon=":material/restart_alt:")
                return
            except WorkerError as e:              # weights that don't fit model A's shapes
                st.error(t("compare.failed", error=str(e)), icon=":material/error:")
                return
    y, p_numpy, p_keras = ss[state.KERAS_COMPARE]
    diff = abs(p_numpy - p_keras)
    direction = t("compare.numpy_to_keras") if run.kind == "numpy" else t("compare.keras_to_numpy")
    a, b, c = st.columns(3)
    a.metric(t("compare.direction"), direction)
    b.metric(t("compare.max_diff"), f"{diff.max():.1e}")
    c.metric(t("compare.agree"), f"{((p_numpy > 0.5) == (p_keras > 0.5)).mean():.1%}")
    if diff.max() < 1e-5:
        st.success(t("compare.verdict", n=len(y), diff=diff.max()), icon=":material/check_circle:")
    else:
        st.error(t("compare.mismatch", n=len(y), diff=diff.max()), icon=":material/error:")
    table = pd.DataFrame({t("compare.review"): range(1, 9), t("compare.label"): y[:8],
                          t("compare.p_numpy"): p_numpy[:8], t("compare.p_keras"): p_keras[:8],
                          t("compare.diff"): diff[:8]})
    show_table(table, hide_index=True, width="stretch",
               formats={t("compare.p_numpy"): "%.7f", t("compare.p_keras"): "%.7f", t("compare.diff"): "%.1e"})
    if not big:
        show_code("rnn_core.model.keras_models.numpy_to_keras_a", "rnn_core.model.keras_models.import_weights")


def show_all_runs():
    """One chart with the learning curves of this session's runs and the saved runs."""
    st.subheader(t("runs.heading"), anchor=False)
    saved = [dataclasses.replace(r, name=f"{r.name} ({t('runs.saved_suffix')})") for r in saved_runs()]
    mine = ss[state.RUNS]
    if not mine:
        st.caption(t("runs.empty"))
    runs_panels([(r.name, r.history) for r in saved + mine], names, big)


# ----------------------------------------------------------------------------- the page

st.title(t("title"), anchor=False)
st.markdown(t.md("intro", **{k[-1]: spec.units for k, spec in CHAPTER.keras.items()}))
show_saved()

st.subheader(t("models_heading"), anchor=False)
quick = QUICK_RUNS["keras"]
book = {"n_train": CHAPTER.n_train, "epochs": CHAPTER.keras["keras_a"].epochs}     # the textbook's run of model A
paces = [panel.about(t, saved_runs(), k, {"kind": k, **c}) for k, c in ((quick["kind"], quick), ("keras_a", book))]
timing = t("status.timing", quick=paces[0], chapter=paces[1], model=t("kind.keras_a"), **book) \
    if None not in paces else ""
training = panel.Panel("keras", t, big, lambda kind: references(CHAPTER.keras[kind].published), extra=show_results,
                       idle={**quick, "model": model_name(quick["kind"]), "timing": timing})
kind = st.segmented_control(t("model_pick"), KINDS, default="keras_a", required=True, format_func=model_name,
                            key="keras_model", bind="query-params", persist_state="session",
                            disabled=training.active)
show_model(kind)

st.subheader(t("train.heading"), anchor=False)
if not big:
    st.markdown(t.md("chunks"))
training.show(kind, controls(kind, disabled=training.active))

show_compare()
show_all_runs()

"""Train the NumPy RNN: the chapter's run shipped with the app, and your own run trained in chunks with live curves."""
import pandas as pd
import streamlit as st

from rnn_core.charts import training as charts
from rnn_core.config import CHAPTER, QUICK_RUNS
from rnn_core.data.imdb import same_reviews
from rnn_core.jobs import export, training
from rnn_core.lessons import rates
from rnn_core.model.numpy_rnn import RecurrentNetwork
from ui import state
from ui.charts import chart, runs_panels
from ui.code import show_code
from ui.data import chapter_data, saved_runs, source_note
from ui.layout import equations, lecture_mode, show_table
from ui.navigation import entry_point_only
from ui.panel import Panel, about, curves
from ui.texts import texts

entry_point_only()

t = texts("train_numpy")
big = lecture_mode()
ss = st.session_state
C = CHAPTER.numpy_run()
N_TRAIN = [200, 500, 1000, 2000, 5000, 10000, 20000]
LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256]
NUM_WORDS = [50, 100, 200, 500, 1000]
MAXLEN = [20, 50, 100, 150, 200]
names = t.labels("chart")
references = {t(f"ref.{src}"): acc for src, acc in CHAPTER.published.items()}


@st.cache_data(show_spinner=False, max_entries=4)
def evaluate_saved(name, created, source, _run, _data):
    """training.evaluate() for a saved run (the same for every visitor, so cached)."""
    return training.evaluate(_run.weights, _data)


def show_evaluation(matrix, rows):
    """The confusion matrix next to a table of validation reviews and what the model said about them."""
    total, right = int(matrix.sum()), int(matrix[0, 0] + matrix[1, 1])
    left, right_col = (st.container(), st.container()) if big else st.columns([2, 3])
    with left:
        chart(charts.confusion_chart, matrix, names, big, width="stretch")
        st.caption(t("results.matrix_caption", right=right, total=total, acc=right / max(total, 1)))
    with right_col:
        st.markdown(f"**{t('results.examples')}**")
        label = {1: t("results.positive"), 0: t("results.negative")}
        said = [int(r["proba"] > 0.5) for r in rows]
        table = pd.DataFrame({
            t("results.review"): [r["words"] for r in rows],
            t("results.label"): [label[r["label"]] for r in rows],
            t("results.proba"): [f"{r['proba']:.2f}" for r in rows],
            t("results.prediction"): [label[s] for s in said],
            t("results.correct"): [t("results.yes") if s == r["label"] else t("results.no")
                                   for s, r in zip(said, rows)],
        })
        st.table(table, hide_index=True, border="horizontal")   # the words contain no Markdown characters
        st.caption(t("results.examples_caption"))


def show_saved():
    """The shipped run at once: accuracy against the published values, its curves, how and when it was made."""
    st.subheader(t("saved.heading"), anchor=False)
    saved = saved_runs("numpy")
    if not saved:
        st.info(t("saved.missing"))
        return
    run = saved[-1]
    st.markdown(t.md("saved"))
    acc, ref = run.final_accuracy, CHAPTER.published
    m = st.columns(4)
    m[0].metric(t("metric.val_accuracy"), f"{acc:.4f}" if acc is not None else "–",
                delta=t("metric.vs_notebook", delta=acc - ref["notebook"]) if acc is not None else None,
                delta_color="off")
    m[1].metric(t("metric.notebook"), f"{ref['notebook']:.4f}")
    m[2].metric(t("metric.lecture"), f"{ref['lecture']:.4f}")
    seconds = (run.history.get("seconds") or [0])[-1]
    m[3].metric(t("metric.epochs"), run.epochs)
    curves(run.history, references, t, big)
    with st.expander(t("saved.measured"), icon=":material/science:"):
        st.caption(t("saved.made", date=run.created[:16].replace("T", " "), epochs=run.epochs,
                     n_train=run.config.get("n_train", 0), seconds=seconds,
                     source=t.get(f"source_name.{run.data_source}", run.data_source)))
        if run.note:
            st.caption(f"`{run.note}`")
    if st.toggle(t("saved.inspect"), value=big, key="train_numpy_inspect", help=t("saved.inspect_help")):
        c = run.config
        data = chapter_data(c["num_words"], c["skip_top"], c["maxlen"])
        if not same_reviews(run.data_source, data.source):
            source_note(data)
            st.info(t("saved.other_data"))      # its weights were trained on other reviews
        else:
            show_evaluation(*evaluate_saved(run.name, run.created, data.source, run, data))


def controls(disabled):
    """The settings, bounded; in lecture mode only reviews, epochs and learning rate (the rest are the chapter's)."""
    cfg = dict(C)
    keep = dict(persist_state="session", disabled=disabled)
    with st.container(border=True):
        a, b, c = st.columns(3)
        cfg["n_train"] = a.select_slider(t("train.n_train"), N_TRAIN, value=C["n_train"], key="train_numpy_n_train",
                                         format_func="{:,}".format, **keep,
                                         help=t("train.n_train_help", total=CHAPTER.n_train))
        cfg["epochs"] = b.number_input(t("train.epochs"), 1, 100, C["epochs"], key="train_numpy_epochs", **keep)
        cfg["learning_rate"] = c.select_slider(t("train.learning_rate"), LEARNING_RATES, value=C["learning_rate"],
                                               key="train_numpy_lr", format_func="{:g}".format,
                                               help=t("train.learning_rate_help"), **keep)
        if big:
            st.caption(t("train.lecture_note"))
            return cfg
        a, b, c, d = st.columns([1, 1, 1, 1.4])
        cfg["n_cells"] = a.number_input(t("train.cells"), 1, 128, C["n_cells"], key="train_numpy_cells", **keep)
        cfg["batch_size"] = b.select_slider(t("train.batch"), BATCHES, value=C["batch_size"], key="train_numpy_batch",
                                            **keep)
        cfg["truncation"] = c.number_input(t("train.window"), 1, max(MAXLEN), C["truncation"],
                                           key="train_numpy_window", help=t("train.window_help"), **keep)
        # a radio: its two options stacked fit the column (a segmented control's were cut at the right)
        grad = d.radio(t("train.gradient"), ["correct", "textbook"], key="train_numpy_gradient",
                       format_func=lambda g: t(f"gradient_name.{g}"), help=t("train.gradient_help"), **keep)
        cfg["textbook_backprop"] = grad == "textbook"
        a, b, c, _ = st.columns([1, 1, 1, 1.4])
        cfg["num_words"] = a.select_slider(t("train.num_words"), NUM_WORDS, value=C["num_words"],
                                           key="train_numpy_num_words", help=t("train.num_words_help"), **keep)
        cfg["maxlen"] = b.select_slider(t("train.maxlen"), MAXLEN, value=C["maxlen"], key="train_numpy_maxlen", **keep)
        cfg["seed"] = c.number_input(t("train.seed"), 0, 9999, C["seed"], key="train_numpy_seed", **keep)
        if cfg["truncation"] > cfg["maxlen"]:
            st.caption(t("train.window_clipped", maxlen=cfg["maxlen"]))
            cfg["truncation"] = cfg["maxlen"]
    return cfg


def rates_advice():
    """diverged.md's advice on the learning rate: the saved comparison over seeds (rnn_core.lessons.rates)."""
    f = rates.facts(rates.load_results())
    if f is None:
        return t("diverged_rates.none", slow=f"{CHAPTER.learning_rate:g}")
    return t("diverged_rates.measured", **{**f, "verdict": t(f"diverged_rates.{f['verdict']}", **f)})


def show_results(job):
    """Once a run is over: the confusion matrix and a few validation reviews, computed by the worker."""
    res = job.report.results
    if job.done and "matrix" in res:
        st.subheader(t("results.heading"), anchor=False)
        show_evaluation(res["matrix"], res["examples"])


def show_runs():
    """This session's runs: a table, their curves next to the saved run, downloads."""
    st.subheader(t("runs.heading"), anchor=False)
    mine = ss[state.RUNS]
    if not mine:
        st.caption(t("runs.empty"))
        return
    rows = []
    for r in mine:
        c = r.config
        acc = r.final_accuracy
        settings = (t("runs.settings_value", gradient=t("gradient_name." + ("textbook" if c.get("textbook_backprop")
                                                                              else "correct")), **c)
                    if r.kind == "numpy" else "")
        rows.append({t("runs.name"): r.name, t("runs.kind"): r.kind,
                     t("runs.status"): t.get(f"status_name.{r.status}", r.status), t("runs.epochs"): r.epochs,
                     t("runs.val_accuracy"): acc, t("runs.settings"): settings})
    show_table(pd.DataFrame(rows), hide_index=True, width="stretch", formats={t("runs.val_accuracy"): "%.4f"})
    saved = saved_runs("numpy")
    st.markdown(f"**{t('runs.compare')}**")
    runs_panels([(r.name, r.history) for r in saved[-1:] + mine], names, big)
    choices = mine + saved[-1:]
    pick = st.selectbox(t("runs.pick"), range(len(choices)), index=len(mine) - 1, key="train_numpy_pick",
                        format_func=lambda i: choices[i].name + (f" {t('runs.saved_suffix')}" if choices[i].saved
                                                                 else ""))
    run = choices[pick]
    downloads = st.container(horizontal=True)
    downloads.download_button(t("runs.download_weights"), export.weights_npz(run.weights), f"{run.name}.npz",
                      mime="application/octet-stream", on_click="ignore", icon=":material/download:",
                      key="train_numpy_dl_weights")
    downloads.download_button(t("runs.download_history"), export.history_csv(run.history), f"{run.name}.csv",
                      mime="text/csv", on_click="ignore", icon=":material/download:", key="train_numpy_dl_history")


st.title(t("title"), anchor=False)
st.markdown(t.md("intro"))
if not big:
    equations(r"\begin{aligned} L = -\frac{1}{m}\sum_{i=1}^{m}\big(&y_i \log a_i \\ &+ (1-y_i)\log(1-a_i)\big)"
              r"\end{aligned}",
              r"W \leftarrow W - \eta\,\frac{\partial L}{\partial W}")
    show_code(RecurrentNetwork.training, RecurrentNetwork.iter_fit, training.ChunkedTraining.run_chunk)

show_saved()

st.subheader(t("train.heading"), anchor=False)
quick = QUICK_RUNS["train_numpy"]
paces = [about(t, saved_runs("numpy"), "numpy", {**C, **settings}) for settings in (quick, {})]
timing = t("status.timing", quick=paces[0], chapter=paces[1], **C) if None not in paces else ""
panel = Panel("train_numpy", t, big, lambda kind: references, extra=show_results, idle={**quick, "timing": timing},
              diverged={"rates": rates_advice()})
if not panel.active:
    source_note()       # the reviews a new run will train on
panel.show("numpy", controls(disabled=panel.active))
show_runs()

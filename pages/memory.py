"""How far back can it remember? Accuracy and gradient reach against the distance of the decisive word."""
import uuid
from pathlib import Path

import pandas as pd
import streamlit as st

from rnn_core.assessment import quiz
from rnn_core.charts import memory as charts
from rnn_core.config import CHAPTER
from rnn_core.lessons import memory
from rnn_core.model.numpy_rnn import RecurrentNetwork
from ui import jobs, panel, state
from ui.charts import chart
from ui.code import show_code
from ui.layout import lecture_mode
from ui.navigation import entry_point_only
from ui.question import ask
from ui.texts import texts

entry_point_only()

t = texts("memory")
big = lecture_mode()
ss = st.session_state
QUESTION_DISTANCE = 2 * memory.WINDOW           # the question: the chapter's model, the word 20 steps back
JOB = state.job("memory")
names = t.labels("chart")
labels = t.labels("models")             # model key -> its name on the charts and in the tables


@st.cache_data(show_spinner=False, max_entries=4)
def results_for(path, stamp):
    """The saved experiment, read again when the file changes (a small JSON file)."""
    return memory.load_results(Path(path))


def saved_results():
    """The results of scripts/memory_distance.py, or None."""
    path = memory.RESULTS_PATH
    stamp = (path.stat().st_mtime_ns, path.stat().st_size) if path.is_file() else None
    return results_for(str(path), stamp)


def question_distance(results):
    """The question's distance: 2k when it was measured, else the first measured distance beyond the window."""
    beyond = [d for d in results["distances"] if d > results["window"]] or results["distances"]
    return QUESTION_DISTANCE if QUESTION_DISTANCE in beyond else beyond[0]


def question(results):
    """Predict, then see: the truth is the saved accuracy of the chapter's truncated model at that distance."""
    d = question_distance(results)
    acc = dict(zip(results["distances"], results["accuracy"]["numpy_tbptt"]))[d]
    return ask(quiz.memory_reach(acc, d, results["window"], memory.STEPS, settings=(results.get("made"), d)),
               t, "reach")


def main_charts(results):
    """Accuracy and gradient reach against distance, side by side (stacked in lecture mode)."""
    df = charts.results_frame(results["distances"], results["accuracy"], results["gradient_reach"], labels)
    left, right = (st.container(), st.container()) if big else st.columns(2)
    with left:
        chart(charts.accuracy_chart, df, names, results["window"], big, width="stretch",
              height=charts.page_height(big))
    with right:
        chart(charts.reach_chart, df, names, results["window"], big, width="stretch",
              height=charts.page_height(big))
    main = results["settings"]["main"]
    task = t("task", steps=memory.STEPS, pos=memory.POSITIVE, neg=memory.NEGATIVE, low=memory.FILLER_LOW,
             high=memory.N_FEATURES - 1, n_train=main["n_train"], n_val=main["n_val"], epochs=main["epochs"])
    st.caption(t("charts_caption", task=task))


def numbers_table(results):
    """Every number of the main experiment, per model and distance."""
    rows = []
    for key in memory.MODELS:
        if key in results["accuracy"]:
            for d, a, r in zip(results["distances"], results["accuracy"][key], results["gradient_reach"][key]):
                rows.append({t("table.model"): labels[key], t("table.distance"): d, t("table.accuracy"): a,
                             t("table.reach"): r})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        t("table.accuracy"): st.column_config.NumberColumn(format="%.3f"),
        t("table.reach"): st.column_config.NumberColumn(format="scientific")})


def explode(results):
    """Why full BPTT at lr 0.1 failed: huge early steps, W1h's spectral radius, the reach collapsing; clipping."""
    facts = memory.explode_facts(results)
    if not facts:
        return
    st.subheader(t("explode.heading"))
    st.markdown(t.md("explode", **facts))
    series = {"norm": results["batch_norms"], "radius": results["radii"]}
    left, right = (st.container(), st.container()) if big else st.columns(2)
    for column, (what, block) in zip((left, right), series.items()):
        with column:
            chart(charts.training_series_chart, block, labels, names, what, big, width="stretch",
                  height=charts.page_height(big))
    st.caption(t("explode.caption", d=facts["d"]))


def conditions(results):
    """Where the simple RNN and the LSTM part ways: harder tasks, per-epoch accuracy, reach at initialisation."""
    st.subheader(t("conditions.heading"))
    st.markdown(t.md("conditions"))
    rows = []
    for cond in ("main", "hard", "frozen"):
        block = results if cond == "main" else results.get(cond)
        if block is None:
            continue
        distances = block["distances"]
        for key in memory.KERAS_MODELS:
            r = results["details"][key] if cond == "main" else block[key]
            acc = results["accuracy"][key] if cond == "main" else r["accuracy"]
            for j, d in enumerate(distances):
                epochs = r["epochs_accuracy"][j]
                rows.append({t("table.condition"): t(f"conditions.names.{cond}"), t("table.model"): labels[key],
                             t("table.distance"): d, t("table.accuracy"): acc[j],
                             t("table.first_epoch"): epochs[0],
                             t("table.epochs_to_90"): memory.epochs_to_learn(epochs),
                             t("table.reach_init"): r["gradient_reach_init"][j]})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        t("table.accuracy"): st.column_config.NumberColumn(format="%.3f"),
        t("table.first_epoch"): st.column_config.NumberColumn(format="%.3f"),
        t("table.reach_init"): st.column_config.NumberColumn(format="scientific")})
    facts = memory.condition_facts(results)
    if facts:
        st.markdown(t.md("findings", **facts))
    p = results["parameters"]
    st.caption(t("conditions.parameters", numpy=p["numpy"]["total"], numpy_rec=p["numpy"]["recurrent"],
                 rnn=p["keras_simplernn"]["total"], rnn_rec=p["keras_simplernn"]["recurrent"],
                 lstm=p["keras_lstm"]["total"], lstm_rec=p["keras_lstm"]["recurrent"]))


def padding(results):
    """Padding in front (the chapter) or behind, measured on the chapter's reviews."""
    pad = results.get("padding")
    st.subheader(t("padding.heading"))
    if not pad:
        st.info(t("padding.missing"))
        return
    st.markdown(t.md("padding", pre=pad["median_last_word_distance"]["pre"],
                     post=pad["median_last_word_distance"]["post"]))
    model_names = {"numpy": t("padding.numpy", epochs=pad["epochs"]["numpy"]),
                   "keras_c": t("padding.keras_c", epochs=pad["epochs"]["keras_c"])}
    where = {"pre": t("padding.pre"), "post": t("padding.post")}
    chart(charts.padding_chart, charts.padding_frame(pad, model_names, where), names, big, width="content")
    st.caption(t("padding.caption", n_train=pad["n_train"], n_val=pad["n_val"]))
    st.markdown(t.md("padding_result", numpy_pre=pad["numpy"]["pre"], numpy_post=pad["numpy"]["post"],
                     c_pre=pad["keras_c"]["pre"], c_post=pad["keras_c"]["post"]))


# ----------------------------------------------------------------------------- the live run

def live_config():
    """The live run's settings: truncation and clipping (the rest are memory.LIVE's small numbers)."""
    a, b, c = st.columns([1.6, 1, 0.8])
    model = a.segmented_control(t("live.model"), memory.LIVE_MODELS, default="numpy", required=True,
                                format_func=lambda m: t(f"live.model_names.{m}"), key="memory_live_model",
                                disabled=active)
    numpy = model == "numpy"                       # the Keras models always backpropagate through every step
    how = b.segmented_control(t("live.gradient"), ("tbptt", "full"), default="tbptt", required=True,
                              format_func=lambda g: t(f"live.gradient_names.{g}", k=memory.WINDOW),
                              key="memory_live_gradient", disabled=active or not numpy)
    clip = c.toggle(t("live.clip"), key="memory_live_clip", disabled=active or how == "tbptt" or not numpy,
                    help=t("live.clip_help"))
    full = how == "full" or not numpy
    return {"model": model, "truncation": None if full else memory.WINDOW,
            "clip": 1.0 if clip and full and numpy else None}


def start_live(cfg):
    """Hand the live run to the server's worker process (as the training pages do), as a job of kind "memory"."""
    owner = ss.setdefault(state.owner("memory"), f"memory-{uuid.uuid4().hex}")
    config = {**cfg, "num_words": CHAPTER.num_words, "skip_top": CHAPTER.skip_top, "maxlen": CHAPTER.maxlen}
    ss[JOB] = jobs.start_job(t, owner, "memory", config, "memory")


def stop_live():
    """Stop the live run after the worker's current chunk (a callback: the page is drawn once, stopped)."""
    job = ss.get(JOB)
    if job is not None and not job.done:
        job.ask(t, "stop")


def live_section():
    """A smaller version of the NumPy experiment a student reruns here, with progress and Stop.

    It trains in the worker process like every training (rnn_core.jobs.worker kind "memory": memory.MemoryTraining),
    polled by a fragment; the charts are this page's own.
    """
    st.subheader(t("live.heading"))
    c = memory.LIVE
    st.markdown(t.md("live", n_train=c["n_train"], epochs=c["epochs"], cells=c["n_cells"],
                     distances=", ".join(map(str, c["distances"])), keras_train=memory.LIVE_KERAS["n_train"],
                     keras_epochs=memory.LIVE_KERAS["epochs"]))
    cfg = live_config()
    buttons = st.container(horizontal=True)
    if buttons.button(t("live.start"), type="primary", icon=":material/play_arrow:", disabled=active,
                      key="memory_live_start"):
        start_live(cfg)
        st.rerun()
    buttons.button(t("live.stop"), icon=":material/stop:", disabled=not active, key="memory_live_stop",
                   on_click=stop_live)
    live_fragment()


job = ss.get(JOB)
active = job is not None and not job.done


@st.fragment(run_every=panel.TICK if active else None)
def live_fragment():
    """Ask the worker about the live run and redraw its results so far; reruns by itself while it is active."""
    job = ss.get(JOB)
    if job is None:
        st.caption(t("live.idle"))
        return
    if not job.done:
        job.ask(t, "poll")
        if job.done and active:
            st.rerun()                  # the whole page: buttons enabled again, no more automatic reruns
    r, h = job.report, job.report.get("history") or {}
    if job.lost:
        st.warning(t(f"worker.{job.lost}"), icon=":material/restart_alt:")
    elif job.state == "waiting":
        st.info(t("live.waiting"), icon=":material/hourglass_top:")
    elif job.state == "running":
        st.progress(min(r.get("fraction", 0.0), 1.0),
                    text=t("live.running", done=len(h.get("distance", [])), total=len(memory.LIVE["distances"])))
    elif job.state == "failed":
        st.error(t("live.failed", error=r.get("error", "")), icon=":material/error:")
    elif job.state == "stopped":
        st.warning(t("live.stopped", done=len(h.get("distance", []))), icon=":material/stop_circle:")
    elif job.state == "finished":
        st.success(t("live.finished", seconds=r.get("seconds", 0.0)), icon=":material/check_circle:")
    if h.get("distance"):
        label = {"live": t("live.label", model=labels[memory.live_model(job.config)])}
        df = charts.results_frame(h["distance"], {"live": h["accuracy"]}, {"live": h["gradient_reach"]}, label)
        left, right = (st.container(), st.container()) if big else st.columns(2)
        with left:
            chart(charts.accuracy_chart, df, names, memory.WINDOW, big, width="stretch",
                  height=charts.page_height(big))
        with right:
            chart(charts.reach_chart, df, names, memory.WINDOW, big, width="stretch",
                  height=charts.page_height(big))


# ----------------------------------------------------------------------------- the page

st.title(t("title"))
st.markdown(t.md("intro", steps=memory.STEPS, k=memory.WINDOW))
results = saved_results()

st.latex(r"\delta_{t-1} = \delta_t\, W_{1h}^{T} \odot (1 - H_{t-1}^2) \qquad "
         r"\frac{\partial L}{\partial X_{T-d}} = \delta_{T-d}\, W_{1x}^{T} \qquad "
         r"\text{TBPTT: } \delta_t = 0 \ \text{for}\ t \le T - k")
show_code(memory.make_task, memory.numpy_input_gradients, RecurrentNetwork.backprop)

if results is None:
    st.warning(t("missing"), icon=":material/warning:")
else:
    st.subheader(t("question.heading"))
    if question(results):
        main_charts(results)
        st.markdown(t.md("reading", tbptt=memory.largest_learned(results, "numpy_tbptt"),
                         full=memory.largest_learned(results, "numpy_full"),
                         rnn=memory.largest_learned(results, "keras_simplernn"),
                         lstm=memory.largest_learned(results, "keras_lstm"), k=results["window"]))
        if not big:
            with st.expander(t("table.heading"), icon=":material/table:"):
                numbers_table(results)
        explode(results)
        conditions(results)
        padding(results)
        if not big:
            st.caption(t("made", made=results["made"], seconds=results["seconds"]))
live_section()

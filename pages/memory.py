"""How far back can it remember? Accuracy and gradient reach against the distance of the decisive word."""
import uuid
from pathlib import Path

import pandas as pd
import streamlit as st

from rnn_core.assessment import quiz
from rnn_core.charts import memory as charts
from rnn_core.config import CHAPTER
from rnn_core.jobs.protocol import JobState
from rnn_core.lessons import memory
from rnn_core.model.numpy_rnn import RecurrentNetwork
from ui import jobs, panel, state
from ui.charts import chart
from ui.code import show_code
from ui.layout import equations, lecture_mode, show_table
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
labels = {k: v.format(**memory.MODEL_FIELDS) for k, v in t.labels("models").items()}   # model key -> name


@st.cache_data(show_spinner=False, max_entries=4)
def results_for(path, stamp):
    """The saved experiment, read again when the file changes (a small JSON file)."""
    return memory.load_results(Path(path))


def saved_results():
    """The results of scripts/memory_distance.py, or None."""
    path = memory.results_path()
    stamp = (path.stat().st_mtime_ns, path.stat().st_size) if path.is_file() else None
    return results_for(str(path), stamp)


def question_distance(results):
    """The question's distance: 2k when it was measured, else the first measured distance beyond the window."""
    beyond = [d for d in results["distances"] if d > results["window"]] or results["distances"]
    return QUESTION_DISTANCE if QUESTION_DISTANCE in beyond else beyond[0]


def question(results):
    """Predict, then see: the truth is the saved accuracy of the chapter's truncated model at that distance."""
    d = question_distance(results)
    spread = memory.spreads(results, "numpy_tbptt")[d]
    trace = memory.trace_facts(results).get(d)
    return ask(quiz.memory_reach(spread, d, results["window"], memory.STEPS, trace, settings=(results.get("made"), d)),
               t, "reach")


def band(results):
    """The coin-toss band of the main task's validation set."""
    return memory.chance_band(results["settings"]["main"]["n_val"])


def main_charts(results):
    """Accuracy and gradient reach against distance, side by side (stacked in lecture mode)."""
    df = charts.results_frame(results["distances"], results["accuracy"], results["gradient_reach"], labels,
                              results.get("accuracy_seeds"))
    left, right = (st.container(), st.container()) if big else st.columns(2)
    with left:
        chart(charts.accuracy_chart, df, names, results["window"], big, band(results), width="stretch",
              height=charts.page_height(big))
    with right:
        chart(charts.reach_chart, df, names, results["window"], big, width="stretch",
              height=charts.page_height(big))
    main = results["settings"]["main"]
    task = t("task", steps=memory.STEPS, pos=memory.POSITIVE, neg=memory.NEGATIVE, low=memory.FILLER_LOW,
             high=memory.N_FEATURES - 1, n_train=main["n_train"], n_val=main["n_val"], epochs=main["epochs"])
    seeds = {len(v[0]) for v in results.get("accuracy_seeds", {}).values()} or {1}
    st.caption(t("charts_caption", task=task, seeds=max(seeds), chance_lo=band(results)[0], chance_hi=band(results)[1]))


def numbers_table(results):
    """Every number of the main experiment, per model and distance."""
    rows = []
    for key in memory.MODELS:
        if key in results["accuracy"]:
            for (d, sp), r in zip(memory.spreads(results, key).items(), results["gradient_reach"][key]):
                rows.append({t("table.model"): labels[key], t("table.distance"): d, t("table.accuracy"): sp.mean,
                             t("table.range"): f"{sp.low:.3f}–{sp.high:.3f}", t("table.seeds"): sp.n_seeds,
                             t("table.verdict"): t(f"verdict.{sp.verdict}", learned=f"{memory.LEARNED:.0%}"),
                             t("table.reach"): r})
    show_table(pd.DataFrame(rows), hide_index=True, width="stretch",
               formats={t("table.accuracy"): "%.3f", t("table.reach"): "scientific"})


def trace(results):
    """Above chance beyond the window: the untrained W1x rows of the two words leave a random trace that W1h and W2
    read. The control: swap the two words and the predictions flip."""
    facts = memory.trace_facts(results)
    beyond = {d: f for d, f in facts.items() if d > results["window"]}
    if not beyond:
        return
    st.subheader(t("trace.heading"), anchor=False)
    rows = [{"distance": d, "kept": f["accuracy"].mean, "kept_low": f["accuracy"].low, "kept_high": f["accuracy"].high,
             "swapped": f["swapped"].mean, "swapped_low": f["swapped"].low, "swapped_high": f["swapped"].high}
            for d, f in beyond.items()]
    words = {"distance": names["distance"], "accuracy": names["accuracy"], "kept": t("trace.kept"),
             "swapped": t("trace.swapped"), "chance": names["chance"], "summary_swap": names["summary_swap"],
             "swap_title": names["swap_title"], "swap_look": names["swap_look"],
             "summary_swap_at": names["summary_swap_at"]}
    chart(charts.swap_chart, pd.DataFrame(rows), words, band(results), big, width="stretch",
          height=charts.page_height(big))
    above = [d for d, f in beyond.items() if f["accuracy"].verdict == "above" and f["swapped"].high < 0.5]
    moved = max(f["moved"] for f in beyond.values())
    if above:
        st.markdown(t.md("trace", k=results["window"], d=", ".join(map(str, above)), moved=f"{moved:.1g}",
                         acc=", ".join(f"{beyond[d]['accuracy'].mean:.0%}" for d in above),
                         swapped=", ".join(f"{beyond[d]['swapped'].mean:.0%}" for d in above)))
    else:
        st.markdown(t.md("trace_none", k=results["window"], moved=f"{moved:.1g}"))


def explode(results):
    """Why full BPTT at lr 0.1 failed: huge early steps, W1h's spectral radius, the reach collapsing; clipping."""
    facts = memory.explode_facts(results)
    if not facts:
        return
    st.subheader(t("explode.heading"), anchor=False)
    st.markdown(t.md("explode", **facts))
    series = {"norm": results["batch_norms"], "radius": results["radii"]}
    left, right = (st.container(), st.container()) if big else st.columns(2)
    for column, (what, block) in zip((left, right), series.items()):
        with column:
            chart(charts.training_series_chart, block, labels, names, what, big, width="stretch",
                  height=charts.page_height(big))
    st.caption(t("explode.caption", d=facts["d"], epochs=results["settings"]["main"]["epochs"]))


def conditions(results):
    """Where the simple RNN and the LSTM part ways: harder tasks, per-epoch accuracy, reach at initialisation."""
    st.subheader(t("conditions.heading"), anchor=False)
    rows = []
    for cond in ("main", "hard", "frozen"):
        block = results if cond == "main" else results.get(cond)
        if block is None:
            continue
        distances = block["distances"]
        for key in memory.KERAS_MODELS:
            r = results["details"][key] if cond == "main" else block[key]
            sp = memory.spreads(results, key, None if cond == "main" else block)
            for j, d in enumerate(distances):
                first, to_learn, init = memory.early_facts(r, j)
                rows.append({t("table.condition"): t(f"conditions.names.{cond}"), t("table.model"): labels[key],
                             t("table.distance"): d, t("table.accuracy"): sp[d].mean,
                             t("table.range"): f"{sp[d].low:.3f}–{sp[d].high:.3f}", t("table.seeds"): sp[d].n_seeds,
                             t("table.first_epoch"): first,
                             t("table.epochs_to_90", learned=f"{memory.LEARNED:.0%}"):
                                 ", ".join("–" if n is None else str(n) for n in to_learn),
                             t("table.reach_init"): init})
    show_table(pd.DataFrame(rows), hide_index=True, width="stretch", formats={
        t("table.accuracy"): "%.3f", t("table.first_epoch"): "%.3f", t("table.reach_init"): "scientific"})
    facts = memory.condition_facts(results)
    if facts and memory.fewest_seeds(results) >= memory.MIN_SEEDS:
        st.markdown(t.md("findings", **facts))
    else:
        st.info(t("conditions.one_seed", seeds=memory.MIN_SEEDS), icon=":material/casino:")
    p = results["parameters"]
    st.caption(t("conditions.parameters", numpy=p["numpy"]["total"], numpy_rec=p["numpy"]["recurrent"],
                 rnn=p["keras_simplernn"]["total"], rnn_rec=p["keras_simplernn"]["recurrent"],
                 lstm=p["keras_lstm"]["total"], lstm_rec=p["keras_lstm"]["recurrent"]))


def padding(results):
    """Padding in front (the chapter) or behind on the chapter's reviews, over seeds; claims from the ranges."""
    pad = results.get("padding")
    st.subheader(t("padding.heading"), anchor=False)
    if not pad:
        st.info(t("padding.missing"))
        return
    st.markdown(t.md("padding", pre=pad["median_last_word_distance"]["pre"],
                     post=pad["median_last_word_distance"]["post"]))
    model_names = {"numpy": t("padding.numpy", epochs=pad["epochs"]["numpy"]),
                   "keras_c": t("padding.keras_c", epochs=pad["epochs"]["keras_c"])}
    where = {"pre": t("padding.pre"), "post": t("padding.post")}
    pad_band = memory.chance_band(pad["n_val"])
    chart(charts.padding_chart, charts.padding_frame(pad, model_names, where), names, big, pad_band,
          width="content")
    st.caption(t("padding.caption", n_train=pad["n_train"], n_val=pad["n_val"], seeds=len(pad.get("seeds", [0]))))
    for kind in ("numpy", "keras_c"):
        if kind not in pad:
            continue
        c = memory.padding_claim(pad, kind)
        st.markdown(t(f"padding.claim.{c['claim']}", model=model_names[kind], **c))
    if "same_rows" in pad:
        st.markdown(t.md("padding_result", same=f"{pad['same_rows']:.0%}", rest=f"{1 - pad['same_rows']:.0%}"))


# ----------------------------------------------------------------------------- the live run

def live_config():
    """The live run's settings: truncation and clipping (the rest are memory.LIVE's small numbers)."""
    # One control a row: side by side in columns, their long labels were cut off (more so in lecture mode).
    model = st.segmented_control(t("live.model"), memory.LIVE_MODELS, default="numpy", required=True,
                                 format_func=lambda m: t(f"live.model_names.{m}"), key="memory_live_model",
                                 disabled=active)
    numpy = model == "numpy"                       # the Keras models always backpropagate through every step
    how = st.segmented_control(t("live.gradient"), ("tbptt", "full"), default="tbptt", required=True,
                               format_func=lambda g: t(f"live.gradient_names.{g}", k=memory.WINDOW),
                               key="memory_live_gradient", disabled=active or not numpy)
    clip = st.toggle(t("live.clip"), key="memory_live_clip", disabled=active or how == "tbptt" or not numpy,
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
        job.stop(t)


def live_section():
    """A smaller version of the NumPy experiment a student reruns here, with progress and Stop.

    It trains in the worker process like every training (rnn_core.jobs.worker kind "memory": memory.MemoryTraining),
    polled by a fragment; the charts are this page's own.
    """
    st.subheader(t("live.heading"), anchor=False)
    c = memory.LIVE
    st.markdown(t.md("live", n_train=c["n_train"], epochs=c["epochs"], cells=c["n_cells"],
                     distances=", ".join(map(str, c["distances"])), keras_train=memory.LIVE_KERAS["n_train"],
                     keras_epochs=memory.LIVE_KERAS["epochs"], seeds=c["seeds"]))
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
        job.poll(t)
        if job.done and active:
            st.rerun()                  # the whole page: buttons enabled again, no more automatic reruns
    r, h = job.report, job.report.history
    if job.problem:
        panel.problem(t, job)
    elif job.state == JobState.WAITING:
        st.info(t("live.waiting"), icon=":material/hourglass_top:")
    elif job.state == JobState.RUNNING:
        st.progress(min(r.fraction, 1.0),
                    text=t("live.running", done=len(h.get("distance", [])), total=len(memory.LIVE["distances"])))
    elif job.state == JobState.STOPPED:
        st.warning(t("live.stopped", done=len(h.get("distance", []))), icon=":material/stop_circle:")
    elif job.state == JobState.FINISHED:
        st.success(t("live.finished", seconds=r.seconds), icon=":material/check_circle:")
    if h.get("distance"):
        n_val = job.config.get("n_val", memory.LIVE["n_val"])
        live_band = memory.chance_band(n_val)
        label = {"live": t("live.label", model=labels[memory.live_model(job.config)])}
        df = charts.results_frame(h["distance"], {"live": h["accuracy"]}, {"live": h["gradient_reach"]}, label,
                                  {"live": memory.live_seeds(h)})
        left, right = (st.container(), st.container()) if big else st.columns(2)
        with left:
            chart(charts.accuracy_chart, df, names, job.config.get("truncation"), big, live_band, width="stretch",
                  height=charts.page_height(big))
        with right:
            chart(charts.reach_chart, df, names, job.config.get("truncation"), big, width="stretch",
                  height=charts.page_height(big))
        st.markdown(memory.live_claim(t, h, n_val))



# ----------------------------------------------------------------------------- the page

st.title(t("title"), anchor=False)
st.markdown(t.md("intro", steps=memory.STEPS, k=memory.WINDOW))
results = saved_results()

equations(r"\delta_{t-1} = \delta_t\, W_{1h}^{T} \odot (1 - H_{t-1}^2)",
          r"\frac{\partial L}{\partial X_{T-d}} = \delta_{T-d}\, W_{1x}^{T}",
          r"\text{TBPTT: } \delta_t = 0 \ \ (t \le T - k)")
show_code(memory.make_task, memory.numpy_input_gradients, RecurrentNetwork.backprop)

if results is None:
    st.warning(t("missing"), icon=":material/warning:")
else:
    st.subheader(t("question.heading"), anchor=False)
    if question(results):
        main_charts(results)
        keras_seeds = min(len(memory.seeds_of(results, k)[0]) for k in memory.KERAS_MODELS)
        keras = t("reading_keras.seeds" if keras_seeds >= memory.MIN_SEEDS else "reading_keras.few",
                  keras_seeds=keras_seeds,
                  live_seeds=memory.LIVE["seeds"], rnn=memory.largest_learned(results, "keras_simplernn"),
                  lstm=memory.largest_learned(results, "keras_lstm"))
        st.markdown(t.md("reading", tbptt=memory.largest_learned(results, "numpy_tbptt"),
                         full=memory.largest_learned(results, "numpy_full"),
                         clip=memory.largest_learned(results, "numpy_full_clip"), keras=keras, k=results["window"]))
        if not big:
            with st.expander(t("table.heading"), icon=":material/table:"):
                numbers_table(results)
        trace(results)
        explode(results)
        conditions(results)
        padding(results)
        if not big:
            with st.expander(t("measured"), icon=":material/science:"):
                st.caption(t("made", made=results["made"], seconds=results["seconds"]))
live_section()

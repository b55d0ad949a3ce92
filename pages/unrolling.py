"""Unrolling the hidden state: a trained model reads a curated review step by step; one bar drives every view."""
import time

import numpy as np
import streamlit as st

from rnn_core.assessment import quiz
from rnn_core.charts import unrolling as charts
from rnn_core.config import CHAPTER
from rnn_core.data.imdb import decode, same_reviews
from rnn_core.lessons import unrolling
from rnn_core.model.numpy_rnn import WEIGHT_NAMES, RecurrentNetwork
from ui import state
from ui.charts import chart
from ui.code import show_code
from ui.data import chapter_data, saved_runs, source_note
from ui.layout import announce, english, equations, lecture_mode, motion_interval
from ui.navigation import entry_point_only
from ui.question import ask
from ui.texts import texts

entry_point_only()

t = texts("unrolling")
big = lecture_mode()
ss = st.session_state
DATA_KEYS = ("num_words", "skip_top", "maxlen")     # what a run's config says about its data
MAX_CHARS = 1000          # typed reviews
PLAY_EVERY = 0.2          # seconds between redraws while playing
PLAY_RATE = 5             # steps per second of wall time: a slow redraw skips steps instead of slowing down
SAY_EVERY = 2.0           # seconds between two steps a screen reader is told while playing (one sentence's time)
ECHO = 1.0                # seconds after the redraw that stops Play in which a stale step from the browser is undone
TERMS = ("X_t W1x", "H_t-1 W1h", "b1", "Z1_t", "H_t")
PICKS = (*unrolling.PICKS, "number", "own")


@st.cache_data(show_spinner=False, max_entries=32)
def fresh(n_features, n_cells, seed):
    """The chapter's initial weights for a seed (pure, cached)."""
    return unrolling.fresh_weights(n_features, n_cells, seed)


@st.cache_data(show_spinner=False, max_entries=32)
def fresh_facts(n_features, n_cells, seed, data_key):
    """Fresh weights on the validation reviews: P(positive)'s range and accuracy (pure, cached)."""
    return unrolling.fresh_facts(n_features, n_cells, seed, data.x_val, data.y_val)


@st.cache_data(show_spinner=False, max_entries=16)
def curated(weights, num_words, skip_top, maxlen, source):
    """The curated validation reviews for these weights and data: {pick: index} (a fraction of a second, cached)."""
    data = chapter_data(num_words, skip_top, maxlen)
    net = RecurrentNetwork.from_weights(weights, dtype=np.float64)
    return unrolling.curated_reviews(net, data.val_reviews, data.y_val, maxlen)


@st.cache_data(show_spinner=False, max_entries=64)
def unrolled(weights, seq):
    """The unrolled terms of one review (m = 1), cached: Play only redraws."""
    return unrolling.unroll(RecurrentNetwork.from_weights(weights, dtype=np.float64), np.asarray(seq)[None, :])


def numpy_runs():
    """Saved NumPy runs, then the ones trained in this session: name -> Run."""
    found = {}
    mine = [r for r in ss.get(state.RUNS, []) if getattr(r, "kind", "") == "numpy"]
    for r in saved_runs("numpy") + mine:
        if all(k in r.weights for k in WEIGHT_NAMES):
            found[r.name if r.name not in found else f"{r.name}-{len(found)}"] = r
    return found


def step_to(value):
    ss[state.UNROLLING_STEP] = value


def stopping(value):
    """Play stops (Reset, Pause, the end) at `value`: until the redraw without the timer reaches the browser, its
    timer still ticks, and a tick sends back the step the browser shows, which Streamlit takes for a move of the
    slider (Reset then stopped there, not at 1). Remember the steps shown since Play started: moved() undoes those."""
    if ss.get(state.UNROLLING_PLAYING):
        shown = ss.get(state.UNROLLING_SHOWN, frozenset()) | {ss.get(state.UNROLLING_STEP, 1)}
        ss[state.UNROLLING_ECHO] = (value, shown - {value}, None)


def moved():
    """The slider moved: Play goes on from there. A step shown while playing, sent back just after Play stopped
    (stopping()), is the browser's stale one: undone."""
    value, stale, redrawn = ss.get(state.UNROLLING_ECHO) or (None, frozenset(), 0.0)
    if ss[state.UNROLLING_STEP] in stale and (redrawn is None or time.monotonic() - redrawn < ECHO):
        ss[state.UNROLLING_STEP] = value
        return
    ss[state.UNROLLING_CLOCK] = (time.monotonic(), ss[state.UNROLLING_STEP])


def toggle_play():
    stopping(ss.get(state.UNROLLING_STEP, 1))                              # (Pause: the step stays)
    if ss.get(state.UNROLLING_PLAYING):         # Pause: set the step, so the browser's slider is moved to it too (a
        step_to(ss.get(state.UNROLLING_STEP, 1))    # Play tick drawn after the click could have left it a step on)
    ss[state.UNROLLING_PLAYING] = not ss.get(state.UNROLLING_PLAYING, False)
    if ss[state.UNROLLING_PLAYING] and ss.get(state.UNROLLING_STEP, 1) >= ss.get(state.UNROLLING_STEPS, 1):
        ss[state.UNROLLING_STEP] = 1                                        # Play at the end starts over
    ss[state.UNROLLING_CLOCK] = (time.monotonic(), ss.get(state.UNROLLING_STEP, 1))   # when, where Play started
    if ss[state.UNROLLING_PLAYING]:
        ss[state.UNROLLING_SHOWN] = frozenset({ss.get(state.UNROLLING_STEP, 1)})
        ss.pop(state.UNROLLING_ECHO, None)


def next_step():
    """The step to show now while playing: PLAY_RATE steps per second since Play, and at least one more."""
    started, first = ss.get(state.UNROLLING_CLOCK, (time.monotonic(), ss.get(state.UNROLLING_STEP, 1)))
    due = first + int((time.monotonic() - started) * PLAY_RATE)
    return max(due, ss.get(state.UNROLLING_STEP, 1) + 1)


st.title(t("title"), anchor=False)
st.markdown(t.md("intro"))

# --- the model: a shipped trained run unless the learner asks for fresh weights (in the settings)
available = numpy_runs()
n_cells, seed, padded, m = CHAPTER.n_cells, CHAPTER.seed, False, 8
with st.expander(t("settings"), icon=":material/tune:"):
    c1, c2 = st.columns(2)
    trained = c1.toggle(t("trained"), True, key="unrolling_trained", bind="query-params", help=t("trained_help"))
    run = None
    if trained and available:
        run = available[c1.selectbox(t("run"), list(available), key="unrolling_run", bind="query-params")]
    elif trained:
        c1.info(t("no_runs"), icon=":material/info:")
    if not big:
        padded = c2.toggle(t("padding"), key="unrolling_pad", bind="query-params", help=t("padding_help"))
        m = c2.slider(t("batch"), 2, 16, 8, key="unrolling_batch", bind="query-params")
        if run is None:
            n_cells = c2.number_input(t("cells"), 2, 64, n_cells, key="unrolling_cells", bind="query-params")
            seed = c2.number_input(t("seed"), 0, 9999, seed, key="unrolling_seed", bind="query-params")

config = {k: int(run.config[k]) if run else v for k, v in zip(DATA_KEYS, CHAPTER.data_for("numpy"))}
data = chapter_data(**config)
weights = run.weights if run else fresh(config["num_words"], int(n_cells), int(seed))
net = RecurrentNetwork.from_weights(weights, dtype=np.float64)
if net.w1x.shape[0] < config["num_words"]:
    st.error(t("bad_weights"))
    st.stop()
if run and not same_reviews(run.data_source, data.source):
    st.warning(t("source_mismatch", trained=run.data_source, now=data.source), icon=":material/warning:")
picks = curated(weights, config["num_words"], config["skip_top"], config["maxlen"], data.source)
n_f, n_c = net.w1x.shape
playing = ss.get(state.UNROLLING_PLAYING, False)


def review_of(pick):
    """The tokens of the chosen review and the text that says what it is."""
    if pick == "own":
        with english("own"):
            text = st.text_area(t("text"), t("default_text"), max_chars=MAX_CHARS, height=90, key="unrolling_text",
                                bind="query-params")
        seq, tokens, _ = unrolling.text_tokens(text, data.word_index, config["num_words"], config["skip_top"],
                                            config["maxlen"])
        return seq, t("kept_words", kept=len(seq), total=len(tokens))
    if pick == "number":
        i = st.number_input(t("review"), 0, len(data.x_val) - 1, 0, key="unrolling_review", bind="query-params",
                            help=t("review_help"), width=220)
    else:
        i = picks[pick]
    seq, label = np.asarray(data.val_reviews[int(i)])[-config["maxlen"]:], int(data.y_val[int(i)])
    return seq, t("label", label=t("positive") if label else t("negative"), n=len(seq))


@st.fragment(run_every=motion_interval(PLAY_EVERY) if playing else None)
def explorer():
    """The bar (review, Play/Step/Reset, step) and every view it drives: only this reruns while playing."""
    if ss.get(state.UNROLLING_PLAYING, False) != playing:
        st.rerun()                                                    # start or stop the timer: the whole page
    offered = [p for p in PICKS if p in picks or p in ("number", "own")]
    with st.container(border=True, key="unrolling_bar"):
        pick = st.segmented_control(t("pick"), offered, format_func=lambda p: t(f"picks.{p}"), key="unrolling_pick",
                                    default=offered[0], required=True, bind="query-params",
                                    label_visibility="collapsed", width="stretch")
        seq, about = review_of(pick)
        if len(seq) == 0:
            st.warning(t("no_words", **config), icon=":material/warning:")
            return
        if padded:
            seq = unrolling.batch_tokens(seq, [], config["maxlen"])[0]    # zeros in front, as the model was fed
        steps = ss[state.UNROLLING_STEPS] = len(seq)
        if ss.get(state.UNROLLING_STEP, 1) > steps or ss.get(state.UNROLLING_STEP, 1) < 1:
            ss[state.UNROLLING_STEP] = min(max(int(ss.get(state.UNROLLING_STEP, 1)), 1), steps)
        if ss.get(state.UNROLLING_PLAYING):
            if ss.get(state.UNROLLING_STEP, 1) >= steps:
                stopping(steps)
                ss[state.UNROLLING_PLAYING] = False
                st.rerun()                                            # redraw without the timer
            ss[state.UNROLLING_STEP] = min(next_step(), steps)
            ss[state.UNROLLING_SHOWN] = ss.get(state.UNROLLING_SHOWN, frozenset()) | {ss[state.UNROLLING_STEP]}
        with st.container(horizontal=True, vertical_alignment="bottom", gap="small"):
            now_playing = ss.get(state.UNROLLING_PLAYING, False)
            st.button(t("pause") if now_playing else t("play"), key="unrolling_play_btn", on_click=toggle_play,
                      icon=":material/pause:" if now_playing else ":material/play_arrow:", type="primary")
            st.button(t("step"), icon=":material/skip_next:", key="unrolling_next",
                      on_click=lambda: step_to(min(ss.get(state.UNROLLING_STEP, 1) + 1, steps)))
            st.button(t("reset"), icon=":material/replay:", key="unrolling_reset",
                      on_click=lambda: (stopping(1), step_to(1), ss.update({state.UNROLLING_PLAYING: False})))
            step = st.slider(t("step_slider"), 1, max(steps, 2), key="unrolling_step", bind="query-params",
                             width="stretch", disabled=steps < 2, on_change=moved)
        st.caption(about)
    step = min(int(step), steps)
    words = decode(seq, data.index_to_word)
    u = unrolled(weights, tuple(int(x) for x in seq))
    k, token, prob = step - 1, int(seq[step - 1]), float(u.prob[step - 1, 0])
    with st.container(horizontal=True, gap="medium"):                # side by side on a phone too
        st.metric(t("word"), unrolling.plain_word(words[k]), width="content")
        st.metric(t("prob_now"), f"{prob:.3f}", f"{prob - float(u.prob[k - 1, 0]):+.3f}" if k else None,
                  width="content")
    announce("unrolling_step", t("step_said", step=step, steps=steps, word=unrolling.plain_word(words[k]), prob=prob),
             step, SAY_EVERY if ss.get(state.UNROLLING_PLAYING) and step < steps else 0)
    chart(charts.trajectory_chart, u.prob[:, 0], words, step, t.labels("time_chart"), big, width="stretch")
    moving = ss.get(state.UNROLLING_PLAYING, False)              # while playing the heatmap stays the same chart
    chart(charts.heatmap_chart, u.h[1:, 0], words, None if moving else step, t.labels("time_chart"), big,
          width="stretch")

    english("strip").markdown(unrolling.word_strip(words, u.prob[:, 0], step))
    st.subheader(t("step_heading", step=step), anchor=False)
    st.metric(t("index"), token, help=t("index_help"))
    settings = (run.name if run else None, int(n_cells), int(seed), n_f)
    if ask(quiz.input_term(u.xw[k, 0], net.w1x, token, settings), t, "input_term"):
        equations(*unrolling.step_latex(step, 1, n_f, n_c))
        st.caption(t("row_pick", token=token, step=step))
        parts = (u.xw[k, 0], u.hw[k, 0], u.b1, u.z1[k, 0], u.h[step, 0])
        limit = 1.5 * max(float(np.max(np.abs(v))) for v in parts) or 1.0      # one x range for all five panels
        for j, (col, term, values) in enumerate(zip(st.columns([1.3, 1, 1, 1, 1]), TERMS, parts)):
            with col:
                chart(charts.term_chart, values, term, limit, t.labels("step_chart"), big, first=j == 0,
                      width="stretch")
    return seq, step


shown = explorer()
show_code(unrolling.unroll, RecurrentNetwork.forpass, unrolling.curated_reviews)

# --- the same step for a batch of m reviews (redrawn on the next full run, not on every Play step)
if shown:
    seq, step = shown
    k = step - 1
    st.subheader(t("batch_heading", m=m), anchor=False)
    first = int(ss.get(state.UNROLLING_REVIEW, 0)) + 1 if ss.get(state.UNROLLING_PICK) == "number" else 0
    others = [np.asarray(data.val_reviews[j % len(data.x_val)]) for j in range(first, first + m - 1)]
    batch_seq = unrolling.batch_tokens(seq, others, len(seq))              # (m, T)
    ub = unrolling.unroll(net, batch_seq)
    if ask(quiz.recurrent_shape(ub.hw[k], m, n_f, n_c, (m, n_f, n_c)), t, "hw_shape"):
        equations(*unrolling.step_latex(step, m, n_f, n_c))
        labels = [t("this_review")] + [f"#{j % len(data.x_val)}" for j in range(first, first + m - 1)]
        rows = [f"{a}: {unrolling.plain_word(w)}" for a, w in zip(labels, decode(batch_seq[:, k], data.index_to_word))]
        bparts = dict(zip((TERMS[0], TERMS[1], TERMS[4]), (ub.xw[k], ub.hw[k], ub.h[step])))
        for col, (term, values) in zip(st.columns(len(bparts)), bparts.items()):     # (a phone stacks them)
            with col:
                chart(charts.batch_chart, values, term, rows, t.labels("batch_chart"), big,
                      height=charts.batch_height(m, big))
        st.markdown(t.md("batch"))

with st.expander(t("measured"), icon=":material/science:"):
    source_note(data)
    if run:
        acc = run.final_accuracy
        st.caption(t("run_info", name=run.name, epochs=run.epochs, cells=net.n_cells, acc="–" if acc is None else acc,
                     **config))
    else:
        st.caption(t("fresh_info", cells=net.n_cells, seed=seed))
    facts = fresh_facts(config["num_words"], int(n_cells), int(seed), (data.source, *config.values()))
    st.markdown(t.md("reading", fresh=t("fresh_facts", cells=int(n_cells), seed=int(seed), **facts)))

echo = ss.get(state.UNROLLING_ECHO)
if echo and echo[2] is None and not ss.get(state.UNROLLING_PLAYING):     # the redraw that stops Play is out: a stale
    ss[state.UNROLLING_ECHO] = (*echo[:2], time.monotonic())          # step can only come a moment longer (ECHO)

"""Unrolling the hidden state: step through a review and watch Z1 = X_t W1x + H_{t-1} W1h + b1 and H_t = tanh(Z1)."""
import numpy as np
import streamlit as st

from rnn_core.assessment import quiz
from rnn_core.charts import unrolling as charts
from rnn_core.config import CHAPTER
from rnn_core.data.imdb import decode, same_reviews
from rnn_core.lessons import unrolling
from rnn_core.model.numpy_rnn import WEIGHT_NAMES, RecurrentNetwork
from ui import i18n, state
from ui.charts import chart
from ui.code import show_code
from ui.data import chapter_data, saved_runs, source_note
from ui.layout import announce, lecture_mode, motion_interval
from ui.navigation import entry_point_only
from ui.question import ask
from ui.texts import texts

entry_point_only()

t = texts("unrolling")
names = lambda prefix: {k[len(prefix) + 1:]: v for k, v in i18n.table(t.lang, t.page).items()  # noqa: E731
                        if k.startswith(prefix + ".")}   # the labels of one chart: [prefix] in the toml
big = lecture_mode()
DATA_KEYS = ("num_words", "skip_top", "maxlen")     # what a run's config says about its data
MAX_CHARS = 1000          # typed reviews
PLAY_EVERY = 0.8          # seconds between steps while playing
TERMS = ("X_t W1x", "H_t-1 W1h", "b1", "Z1_t", "H_t")


@st.cache_data(show_spinner=False, max_entries=32)
def fresh(n_features, n_cells, seed):
    """The chapter's initial weights for a seed (pure, cached)."""
    return unrolling.fresh_weights(n_features, n_cells, seed)


def numpy_runs():
    """Saved NumPy runs, then the ones trained in this session: name -> Run."""
    found = {}
    mine = [r for r in st.session_state.get(state.RUNS, []) if getattr(r, "kind", "") == "numpy"]
    for r in saved_runs("numpy") + mine:
        if all(k in r.weights for k in WEIGHT_NAMES):
            found[r.name if r.name not in found else f"{r.name}-{len(found)}"] = r
    return found


def step_to(value):
    st.session_state[state.UNROLLING_STEP] = value


def toggle_play():
    st.session_state[state.UNROLLING_PLAYING] = not st.session_state.get(state.UNROLLING_PLAYING, False)


st.title(t("title"))
st.markdown(t.md("intro"))

# --- the weights and the review
available = numpy_runs()
with st.container(border=True):
    c1, c2, *c3 = st.columns([1, 1.4, 1] if not big else [1, 1.4])
    trained = c1.toggle(t("trained"), key="unrolling_trained", bind="query-params", help=t("trained_help"))
    run = None
    if trained and available:
        run = available[c1.selectbox(t("run"), list(available), key="unrolling_run", bind="query-params")]
    elif trained:
        c1.info(t("no_runs"), icon=":material/info:")
    n_cells, seed, padded, m = CHAPTER.n_cells, CHAPTER.seed, False, 8
    if not big:
        c3 = c3[0]                                                    # the technical controls
        padded = c3.toggle(t("padding"), key="unrolling_pad", bind="query-params", help=t("padding_help"))
        m = c3.slider(t("batch"), 2, 16, 8, key="unrolling_batch", bind="query-params")
        if run is None:
            n_cells = c3.number_input(t("cells"), 2, 64, n_cells, key="unrolling_cells", bind="query-params")
            seed = c3.number_input(t("seed"), 0, 9999, seed, key="unrolling_seed", bind="query-params")

    config = {k: int(run.config[k]) if run else v for k, v in zip(DATA_KEYS, CHAPTER.data_for("numpy"))}
    data = chapter_data(**config)
    weights = run.weights if run else fresh(config["num_words"], int(n_cells), int(seed))
    net = RecurrentNetwork.from_weights(weights, dtype=np.float64)

    own = c2.toggle(t("own"), key="unrolling_own", bind="query-params")
    if own:
        text = c2.text_area(t("text"), t("default_text"), max_chars=MAX_CHARS, height=110, key="unrolling_text",
                            bind="query-params")
        seq, tokens, _ = unrolling.text_tokens(text, data.word_index, config["num_words"], config["skip_top"],
                                            config["maxlen"])
        c2.caption(t("kept_words", kept=len(seq), total=len(tokens)))
    else:
        i = c2.number_input(t("review"), 0, len(data.x_val) - 1, 0, key="unrolling_review", bind="query-params",
                            help=t("review_help"))
        seq, label = np.asarray(data.val_reviews[int(i)])[-config["maxlen"]:], int(data.y_val[int(i)])
        c2.caption(t("label", label=t("positive") if label else t("negative"), n=len(seq)))

source_note(data)
if run:
    acc = run.final_accuracy
    st.caption(t("run_info", name=run.name, epochs=run.epochs, cells=net.n_cells, acc="–" if acc is None else acc,
                 **config))
    if not same_reviews(run.data_source, data.source):
        st.warning(t("source_mismatch", trained=run.data_source, now=data.source), icon=":material/warning:")
else:
    st.caption(t("fresh_info", cells=net.n_cells, seed=seed))
if net.w1x.shape[0] < config["num_words"]:
    st.error(t("bad_weights"))
    st.stop()
if len(seq) == 0:
    st.warning(t("no_words", **config), icon=":material/warning:")
    st.stop()

if padded:
    seq = unrolling.batch_tokens(seq, [], config["maxlen"])[0]           # zeros in front, as the model was fed
steps = len(seq)
u = unrolling.unroll(net, seq[None, :])                                  # m = 1
words = decode(seq, data.index_to_word)

# a batch: this review and the next m - 1 validation reviews, cut or padded to the same T
first = 0 if own else int(i) + 1
others = [np.asarray(data.val_reviews[j % len(data.x_val)]) for j in range(first, first + m - 1)]
batch_seq = unrolling.batch_tokens(seq, others, steps)                   # (m, T)
ub = unrolling.unroll(net, batch_seq)

st.latex(r"Z_{1,t} = X_t W_{1x} + H_{t-1} W_{1h} + b_1 \qquad H_t = \tanh(Z_{1,t}) \qquad "
         r"\hat{y}_t = \sigma(H_t W_2 + b_2)")
show_code(unrolling.unroll, RecurrentNetwork.forpass)

# --- step controls: Play / Step / Reset outside the fragment, everything that follows the step inside it
if state.UNROLLING_STEP in st.session_state:
    st.session_state[state.UNROLLING_STEP] = min(max(int(st.session_state[state.UNROLLING_STEP]), 1), steps)
playing = st.session_state.get(state.UNROLLING_PLAYING, False)
b1, b2, b3, _ = st.columns([1, 1, 1, 4])
b1.button(t("pause") if playing else t("play"), icon=":material/pause:" if playing else ":material/play_arrow:",
          on_click=toggle_play, key="unrolling_play_btn", width="stretch")
b2.button(t("step"), icon=":material/skip_next:", key="unrolling_next", width="stretch",
          on_click=lambda: step_to(min(st.session_state.get(state.UNROLLING_STEP, 1) + 1, steps)))
b3.button(t("reset"), icon=":material/replay:", key="unrolling_reset", width="stretch",
          on_click=lambda: (step_to(1), st.session_state.update({state.UNROLLING_PLAYING: False})))


@st.fragment(run_every=motion_interval(PLAY_EVERY) if playing else None)
def stepper():
    """The slider and every view of the current step; while playing it moves on by itself and stops at the end."""
    if st.session_state.get(state.UNROLLING_PLAYING):
        now = st.session_state.get(state.UNROLLING_STEP, 1)
        if now >= steps:
            st.session_state[state.UNROLLING_PLAYING] = False
            st.rerun()                                                # redraw without the timer
        st.session_state[state.UNROLLING_STEP] = now + 1
    step = st.slider(t("step_slider"), 1, steps, key=state.UNROLLING_STEP, bind="query-params")
    k = step - 1
    token = int(seq[k])
    prob = float(u.prob[k, 0])
    s1, s2, s3 = st.columns(3)
    s1.metric(t("word"), unrolling.plain_word(words[k]))
    s2.metric(t("index"), token, help=t("index_help"))
    s3.metric(t("prob_now"), f"{prob:.3f}", f"{prob - float(u.prob[k - 1, 0]):+.3f}" if k else None)
    announce("unrolling_step", t("step_said", step=step, steps=steps, word=unrolling.plain_word(words[k]), prob=prob),
             step // 5 if st.session_state.get("unrolling_playing") and step < steps else step)   # playing: every 5th
    n_f, n_c = net.w1x.shape
    st.latex(unrolling.step_latex(step, 1, n_f, n_c))
    settings = (run.name if run else None, int(n_cells), int(seed), n_f)
    if ask(quiz.input_term(u.xw[k, 0], net.w1x, token, settings), t, "input_term"):
        st.caption(t("row_pick", token=token, step=step))
        parts = (u.xw[k, 0], u.hw[k, 0], u.b1, u.z1[k, 0], u.h[step, 0])
        limit = 1.5 * max(float(np.max(np.abs(v))) for v in parts) or 1.0      # one x range for all five panels
        for j, (col, term, values) in enumerate(zip(st.columns([1.3, 1, 1, 1, 1]), TERMS, parts)):
            with col:
                chart(charts.term_chart, values, term, limit, names("step_chart"), big, first=j == 0,
                         width="stretch")

    st.subheader(t("time_heading"))
    st.markdown(unrolling.word_strip(words, u.prob[:, 0], step))
    chart(charts.trajectory_chart, u.prob[:, 0], words, step, names("time_chart"), big, width="stretch")
    chart(charts.heatmap_chart, u.h[1:, 0], words, step, names("time_chart"), big, width="stretch")

    st.subheader(t("batch_heading", m=m))
    if ask(quiz.recurrent_shape(ub.hw[k], m, n_f, n_c, (m, n_f, n_c)), t, "hw_shape"):
        st.latex(unrolling.step_latex(step, m, n_f, n_c))
        labels = [t("this_review")] + [f"#{j % len(data.x_val)}" for j in range(first, first + m - 1)]
        rows = [f"{a}: {unrolling.plain_word(w)}" for a, w in zip(labels, decode(batch_seq[:, k], data.index_to_word))]
        bparts = dict(zip((TERMS[0], TERMS[1], TERMS[4]), (ub.xw[k], ub.hw[k], ub.h[step])))
        chart(charts.batch_chart, bparts, rows, names("batch_chart"), big, width="content")
        st.markdown(t.md("batch"))


stepper()
st.markdown(t.md("reading"))

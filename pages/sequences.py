"""Sequences and time steps: word order, an order-blind dense network vs an RNN, a temperature series, the cell."""
import numpy as np
import streamlit as st

from rnn_core.assessment import quiz
from rnn_core.charts import sequences as charts
from rnn_core.data import timeseries as ts
from rnn_core.data.imdb import decode
from rnn_core.lessons import sequences as seq
from rnn_core.model.numpy_rnn import RecurrentNetwork
from ui import state
from ui.charts import chart
from ui.code import show_code
from ui.data import chapter_data, source_note
from ui.layout import lecture_mode, setting, show_table
from ui.navigation import entry_point_only
from ui.question import ask
from ui.texts import texts

entry_point_only()

t = texts("sequences")
big = lecture_mode()
CELLS = (2, 4, 8, 16)
NOISE = (0.0, 0.5, 1.0, 2.0, 4.0)


@st.cache_data(show_spinner=False, max_entries=64)
def order_outputs(words, n_cells, seed):
    """Both models on every order of the words: texts of the charted orders, their outputs, spreads over all."""
    orders = seq.distinct_orders(list(words))                       # (n_distinct, T): repeated words counted once
    tokens = seq.order_tokens(list(words), orders)                  # (n_distinct, T)
    rnn = seq.seeded_rnn(len(seq.vocabulary(words)), n_cells, seed)
    dense, recurrent = seq.dense_outputs(rnn, tokens), seq.rnn_outputs(rnn, tokens)
    shown = seq.sample_rows(len(orders), seq.n_orders(seq.MAX_LISTED))
    texts = [" ".join(words[i] for i in order) for order in orders[shown]]
    spread = (float(np.ptp(dense)), float(np.ptp(recurrent)))
    return texts, dense[shown], recurrent[shown], spread


@st.cache_data(show_spinner=False, max_entries=32)
def temperatures(noise, lag):
    """The series, its shuffled copy, their lag pairs and correlations."""
    series = ts.hourly_temperatures(days=7, noise=noise, seed=0)
    mixed = ts.shuffled(series, seed=1)
    return series, [(ts.lag_pairs(s, lag), ts.lag_correlation(s, lag)) for s in (series, mixed)]


st.title(t("title"), anchor=False)
st.markdown(t.md("intro"))

# 1. A sentence as time steps ------------------------------------------------------------------
st.header(t("steps.heading"), anchor=False)
sentence = st.text_input(t("steps.sentence", n=seq.MAX_WORDS), value=t("steps.default"), max_chars=80,
                         key="sequences_sentence", persist_state="session", help=t("steps.sentence_help"))
words = seq.split_words(sentence)
if len(sentence.split()) > seq.MAX_WORDS:
    st.warning(t("steps.too_many", n=seq.MAX_WORDS), icon=":material/content_cut:")
if not words:
    st.info(t("steps.empty"), icon=":material/edit:")
    words = seq.split_words(t("steps.default"))
words = tuple(words)
vocab = seq.vocabulary(words)
T, n_f = len(words), len(vocab)

st.markdown(t.md("steps", T=T, n_f=n_f))
show_table(
    [{t("steps.col_step"): f"t = {i}", t("steps.col_word"): w, t("steps.col_token"): vocab[w],
      t("steps.col_onehot"): str(np.eye(n_f, dtype=int)[vocab[w]])} for i, w in enumerate(words, start=1)],
    hide_index=True, width="content")

# 2. Every order, fed to two models -----------------------------------------------------------
st.header(t("orders.heading"), anchor=False)
n_total = seq.n_distinct_orders(words)          # different sentences: repeated words swapped give the same one
st.markdown(t.md("orders", T=T, n=f"{n_total:,}"))
with st.container(horizontal=True):
    n_cells = setting(st.select_slider, state.SEQUENCES_CELLS, 4, t("orders.cells"), options=CELLS,
                      help=t("orders.cells_help"), width=320)
    seed = setting(st.number_input, state.SEQUENCES_SEED, 42, t("orders.seed"), min_value=0, max_value=9999,
                   step=1, help=t("orders.seed_help"), width=200)
texts, dense, recurrent, spread = order_outputs(words, int(n_cells), int(seed))

question = quiz.word_order(*spread, n_total, settings=(words, n_cells, seed))
if ask(question, t, "orders"):
    chart(charts.orders_chart, texts, dense, recurrent, t.labels("orders"), big=big)
    if n_total > len(texts):
        st.caption(t("orders.sampled", shown=len(texts), n=f"{n_total:,}"))
    c1, c2 = st.columns(2)
    c1.metric(t("orders.spread_dense"), f"{spread[0]:.4f}")
    c2.metric(t("orders.spread_rnn"), f"{spread[1]:.4f}")
    st.markdown(t.md("orders_why"))

    if T <= seq.MAX_LISTED:
        with st.expander(t("orders.list", n=f"{n_total:,}"), icon=":material/list:", expanded=T <= 3):
            show_table([{"#": i + 1, t("orders.order"): text, t("orders.dense"): round(float(d), 4),
                         t("orders.rnn"): round(float(r), 4)}
                        for i, (text, d, r) in enumerate(zip(texts, dense, recurrent))],
                       hide_index=True, width="stretch")
    else:
        st.caption(t("orders.not_listed", max=seq.MAX_LISTED))

left, right = st.columns(2)
with left:
    st.markdown(t("orders.dense_eq"))
    st.latex(r"\begin{aligned} \mathbf{s} &= \textstyle\sum_{t=1}^{T} \mathbf{x}_t \\ "
             r"A_2 &= \sigma\big(\tanh(\mathbf{s}\,W_{1x} + b_1)\,W_2 + b_2\big) \end{aligned}")
with right:
    st.markdown(t("orders.rnn_eq"))
    st.latex(r"\begin{aligned} H_t &= \tanh(X_t W_{1x} + H_{t-1} W_{1h} + b_1) \\ H_0 &= 0 \\ "   # lines a phone fits
             r"A_2 &= \sigma(H_T W_2 + b_2) \end{aligned}")
show_code(seq.dense_outputs, seq.rnn_outputs, RecurrentNetwork.forpass, seq.seeded_rnn)

# 3. A time series: this hour and the next ---------------------------------------------------------
st.header(t("series.heading"), anchor=False)
with st.container(horizontal=True):
    lag = st.slider(t("series.lag"), 1, 24, 1, key="sequences_lag", persist_state="session",
                    help=t("series.lag_help"), width=320)
    noise = setting(st.select_slider, state.SEQUENCES_NOISE, 1.0, t("series.noise"), options=NOISE,
                    format_func=lambda v: f"{v:g} °C", help=t("series.noise_help"), width=320)
series, ((pairs, r), (mixed_pairs, r_mixed)) = temperatures(float(noise), int(lag))
chart(charts.series_chart, series, t.labels("series"), big=big)
domain = (float(np.floor(series.min())), float(np.ceil(series.max())))
c1, c2 = st.columns(2)
with c1:
    chart(charts.lag_chart, *pairs, lag, t.labels("series"), False, domain, big=big)
    st.metric(t("series.r_in_order", lag=lag), f"{r:+.3f}")
with c2:
    revealed = ask(quiz.shuffled_correlation(r, r_mixed, lag, len(pairs[0]), settings=(noise, lag)), t, "series")
    if revealed:
        chart(charts.lag_chart, *mixed_pairs, lag, t.labels("series"), True, domain, big=big)
        st.metric(t("series.r_shuffled", lag=lag), f"{r_mixed:+.3f}")
if revealed:
    profile = seq.lag_profile(series)
    st.markdown(t.md("series_after", lag=lag, r=f"{r:+.2f}", r_mixed=f"{r_mixed:+.2f}", k_min=profile["k_min"],
                     r_min=f"{profile['r_min']:+.2f}", r_day=f"{profile['r_day']:+.2f}", day=profile["day"]))
st.latex(r"r = \frac{\sum_t (x_t - \bar{x})(x_{t+k} - \bar{x}')}"
         r"{\sqrt{\sum_t (x_t - \bar{x})^2}\,\sqrt{\sum_t (x_{t+k} - \bar{x}')^2}}")
show_code(ts.hourly_temperatures, ts.shuffled, ts.lag_pairs, ts.correlation)

# 4. The cell, folded and unrolled ----------------------------------------------------------------
st.header(t("cell.heading"), anchor=False)
m = n_total
shapes = {"X": f"({m:,}, {T}, {n_f})", "X_t": f"({m:,}, {n_f})", "H": f"({m:,}, {n_cells})",
          "W1x": f"({n_f}, {n_cells})", "W1h": f"({n_cells}, {n_cells})", "A2": f"({m:,}, 1)", "n_c": str(n_cells)}
n_weights = sum(w.size for w in seq.seeded_rnn(n_f, int(n_cells), int(seed)).get_weights())   # the live model's
if ask(quiz.shared_weights(n_weights, n_f, int(n_cells), T, settings=(words, n_cells, seed)), t, "shared"):
    c1, c2 = st.columns([3, 2], vertical_alignment="center")
    with c1:
        st.markdown(t.md("cell", m=f"{m:,}", n_f=n_f, n_c=n_cells, T=T))
    with c2:
        chart(charts.folded_cell_chart, shapes, t.labels("cell"), big=big)
    chart(charts.unrolled_chart, list(words), shapes, t.labels("cell"), big=big, narrow=True)   # a phone: stacked
    st.latex(r"\underbrace{Z_{1,t}}_{(m,\,n_c)} = \underbrace{X_t}_{(m,\,n_f)}\underbrace{W_{1x}}_{(n_f,\,n_c)}"
             r" + \underbrace{H_{t-1}}_{(m,\,n_c)}\underbrace{W_{1h}}_{(n_c,\,n_c)} + \underbrace{b_1}_{(n_c,)}"
             r"\qquad H_t = \tanh(Z_{1,t})")
    show_code(RecurrentNetwork.init_weights, RecurrentNetwork.forpass)

# 5. The same idea on real reviews -----------------------------------------------------------------
st.header(t("reviews.heading"), anchor=False)
data = chapter_data()
source_note(data)
last = decode(data.x_train[0][-12:], data.index_to_word)            # the last 12 time steps of review 0
st.markdown(t.md("reviews", maxlen=data.maxlen, n=f"{len(data.x_train):,}"))
show_table([{f"t = {data.maxlen - len(last) + i + 1}": w for i, w in enumerate(last)}], hide_index=True)

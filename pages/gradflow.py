"""Gradient flow through time: the error signal going back step by step, vanishing or exploding; truncation;
a gradient check; the remedies."""
import numpy as np
import pandas as pd
import streamlit as st

from rnn_core.assessment import quiz
from rnn_core.charts import gradflow as charts
from rnn_core.config import CHAPTER
from rnn_core.lessons import gradflow
from rnn_core.model.numpy_rnn import RecurrentNetwork
from ui.charts import chart
from ui.code import show_code
from ui.data import chapter_data, source_note
from ui.layout import equations, lecture_mode, show_table
from ui.navigation import entry_point_only
from ui.question import ask
from ui.texts import texts

entry_point_only()

t = texts("gradflow")
big = lecture_mode()
MAX_STEPS = 200
RADII = np.array([0.5, 0.75, 1.0, 1.25, 1.5, 2.0])     # spectral radii of the clipping chart
SWEEP_BATCH = 16                                         # reviews for the clipping chart (it runs 6 networks)


@st.cache_data(max_entries=64, show_spinner=False)
def flow(_data, data_key, steps, radius, init, input_scale, n_cells, batch, seed, window):
    """Everything the charts need for one setting (pure, cached): norms per step, eigenvalues, truncation loss."""
    x, y = _data.x_val[:batch, -steps:], _data.y_val[:batch]          # (m, T) tokens: the last T of each review
    net = gradflow.make_network(_data.num_words, n_cells, init, radius, input_scale, seed)
    f = gradflow.backward_steps(net, x, y)
    return dict(delta=f.delta_norms(), contrib=f.contribution_norms(), eig=np.linalg.eigvals(net.w1h),
                radius=gradflow.spectral_radius(net.w1h), dropped=f.dropped_share(window))


@st.cache_data(max_entries=32, show_spinner=False)
def sweep(_data, data_key, steps, init, input_scale, n_cells, batch, seed, clip):
    """The gradient's norm for a range of spectral radii, before and after clipping (pure, cached)."""
    batch = min(batch, SWEEP_BATCH)
    x, y = _data.x_val[:batch, -steps:], _data.y_val[:batch]
    return gradflow.grad_norms(x, y, RADII, _data.num_words, n_cells, init, input_scale, seed, clip)


@st.cache_data(max_entries=32, show_spinner=False)
def check(seed, window):
    """The gradient check on a small network (pure, cached)."""
    return gradflow.gradient_check(seed=seed, window=window)


st.title(t("title"), anchor=False)
st.markdown(t.md("intro"))
data = chapter_data(num_words=CHAPTER.num_words, skip_top=CHAPTER.skip_top, maxlen=MAX_STEPS)
source_note(data)
data_key = (data.source, data.num_words, data.skip_top, data.maxlen)

equations(r"\delta_T = (A_2 - Y)\,W_2^{T} \odot (1 - H_T^2)",
          r"\delta_{t-1} = \delta_t\, W_{1h}^{T} \odot (1 - H_{t-1}^2)")
equations(r"\frac{\partial L}{\partial W_{1h}} = \frac{1}{m}\sum_{t=T-k+1}^{T} H_{t-1}^{T}\,\delta_t",
          r"\delta_t = \delta_T\, W_{1h}^{T} D_{T-1}\, W_{1h}^{T} D_{T-2} \cdots W_{1h}^{T} D_{t}",
          r"D_s = \mathrm{diag}(1 - H_s^2)")
show_code(gradflow.backward_steps, gradflow.make_network, gradflow.recurrent_weights)

# --- controls: the essential ones always, the technical ones outside lecture mode
with st.container(border=True):
    c1, c2, c3, c4 = st.columns(4)
    radius = c1.slider(t("radius"), 0.5, 2.0, 1.0, step=0.05, key="gradflow_radius", bind="query-params",
                       help=t("radius_help"))
    init = c2.selectbox(t("init"), gradflow.INITIALISERS, key="gradflow_init", bind="query-params",
                        help=t("init_help"))
    input_scale = c3.slider(t("input_scale"), 0.0, 3.0, 1.0, step=0.1, key="gradflow_input", bind="query-params",
                            help=t("input_scale_help"))
    steps = c4.slider(t("steps"), 10, MAX_STEPS, 100, step=10, key="gradflow_steps", bind="query-params",
                      help=t("steps_help"))
    n_cells, batch, seed, window = CHAPTER.n_cells, CHAPTER.batch_size, 0, CHAPTER.truncation
    if not big:
        d1, d2, d3, d4 = st.columns(4)
        n_cells = d1.number_input(t("cells"), 2, 64, n_cells, key="gradflow_cells", persist_state="session")
        batch = d2.number_input(t("batch"), 1, 64, batch, key="gradflow_batch", persist_state="session")
        seed = d3.number_input(t("seed"), 0, 9999, 0, key="gradflow_seed", persist_state="session")
        window = d4.number_input(t("window"), 1, MAX_STEPS, window, key="gradflow_window",
                                 persist_state="session", help=t("window_help"))

res = flow(data, data_key, steps, radius, init, input_scale, n_cells, batch, seed, window)

# --- 1. the error signal flowing back, and the eigenvalues of W1h
st.header(t("flow_heading"), anchor=False)
ratio = res["delta"][0] / res["delta"][-1] if res["delta"][-1] > 0 else float("nan")
settings = (data_key, steps, radius, init, input_scale, n_cells, batch, seed)
flow_shown = ask(quiz.delta_ratio(ratio, radius, steps, settings), t, "ratio")
if flow_shown:
    left, right = st.columns(2)    # halves: the square eigenvalue chart (362 px) did not fit a 2/5 column
    with left:
        chart(charts.delta_norm_chart, res["delta"], t.labels("delta_chart"), big)
    with right:
        chart(charts.eigen_chart, res["eig"], t.labels("eigen_chart"), big, width="content")
    m1, m2, m3 = st.columns(3)
    m1.metric(t("metric_radius"), f"{res['radius']:.3f}")
    m2.metric(t("metric_ratio", steps=steps), f"{ratio:.2e}")
    m3.metric(t("metric_verdict"), t(f"verdict.{gradflow.direction(ratio)}"))
    st.markdown(t.md("vanish_explode"))

# --- 2. each step's share of dL/dW1h, and what truncation keeps
st.header(t("truncation_heading"), anchor=False)
if flow_shown:                                  # this chart shows the same decay: not before the prediction
    chart(charts.contribution_chart, res["contrib"], window, t.labels("contrib_chart"), big, width="stretch")
    st.markdown(t("dropped", window=window, share=100 * res["dropped"]))
else:
    st.caption(texts("common")("quiz.answer_above"))
st.markdown(t.md("truncation"))
show_code(gradflow.Flow.w1h_grad, gradflow.Flow.dropped_share)

# --- 3. the gradient check
st.header(t("check_heading"), anchor=False)
check_seed = 0
if not big:
    check_seed = st.number_input(t("check_seed"), 0, 9999, 0, key="gradflow_check_seed", persist_state="session")
rows = check(int(check_seed), int(window))
errors = {r.method: r.error for r in rows}
if ask(quiz.textbook_line(errors, settings=(int(check_seed), int(window))), t, "textbook"):
    drops = "drops" if errors["truncated"] > gradflow.CHECK_TOLERANCE else "keeps_all"   # measured, not assumed
    st.markdown(t.md("gradcheck", steps=gradflow.CHECK_STEPS, full=f"{errors['full']:.1e}",
                     textbook=f"{errors['textbook']:.1e}",
                     truncation=t(f"check_truncation.{drops}", window=window, steps=gradflow.CHECK_STEPS,
                                  tolerance=f"{gradflow.CHECK_TOLERANCE:.0e}",
                                  truncated=f"{errors['truncated']:.1e}")))
    equations(r"\frac{\partial L}{\partial w_{ij}} \approx "
              r"\frac{L(w_{ij}+\varepsilon) - L(w_{ij}-\varepsilon)}{2\varepsilon}",
              rf"\text{{{t('latex.rel_error')}}} = \frac{{\lVert g_{{a}} - g_{{n}}\rVert}}"
              r"{\max(\lVert g_{a}\rVert, \lVert g_{n}\rVert)}",
              rf"a = \text{{{t('latex.analytic')}}},\ n = \text{{{t('latex.numeric')}}}")
    st.code("err_to_cell = np.dot(err_to_cell, self.w1h) * (1 - h ** 2)     # textbook\n"
            "err_to_cell = np.dot(err_to_cell, self.w1h.T) * (1 - h ** 2)   # correct: W1h^T", language="python")
    table = pd.DataFrame({
        t("check.method"): [t(f"method.{r.method}", window=window) for r in rows],
        t("check.error"): [f"{r.error:.2e}" for r in rows],
        t("check.verdict"): [t("check.ok") if r.error < gradflow.CHECK_TOLERANCE else t("check.approx")
                             if r.method == "truncated" else t("check.bad") for r in rows],
    })
    show_table(table, hide_index=True, width="stretch")
    st.caption(t("check_caption", window=window, m=gradflow.CHECK_REVIEWS, steps=gradflow.CHECK_STEPS,
                   eps=f"{gradflow.CHECK_EPS:g}"))
    show_code(gradflow.numerical_gradient, gradflow.gradient_check, RecurrentNetwork.backprop)

# --- 4. remedies
st.header(t("remedies_heading"), anchor=False)
st.markdown(t.md("remedies"))
clip = 1.0
if not big:
    clip = st.select_slider(t("clip"), [0.01, 0.1, 1.0, 10.0, 100.0], value=1.0, key="gradflow_clip",
                            persist_state="session")
raw, clipped = sweep(data, data_key, steps, init, input_scale, n_cells, batch, seed, clip)
chart(charts.clipping_chart, RADII, raw, clipped, radius, t.labels("clip_chart"), big)
st.caption(t("clip_caption", m=min(batch, SWEEP_BATCH), steps=steps))
show_code(gradflow.clip_by_norm, gradflow.grad_norms)

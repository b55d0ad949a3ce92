"""Try your own review: every trained model's prediction, what it read of the text, and P(positive) after each word."""
import numpy as np
import pandas as pd
import streamlit as st

from rnn_core.charts import try_review as charts
from rnn_core.data.imdb import same_reviews
from rnn_core.lessons import try_review
from rnn_core.model import keras_numpy
from ui import state
from ui.charts import chart
from ui.code import show_code
from ui.data import chapter_data, saved_runs, source_note
from ui.layout import english, lecture_mode, show_table
from ui.navigation import entry_point_only
from ui.texts import texts

entry_point_only()

t = texts("try_review")
big = lecture_mode()
MAX_PASTE = 200_000          # the text box's bound (the browser refuses a longer paste)
MAX_CHARS = 5_000            # what the models read: the last 5,000 characters
MAX_CHART_WORDS = 60         # the chart shows at most the last 60 words (their labels must stay readable)


def set_example(name):
    """Put one of the example reviews in the text box."""
    st.session_state[state.TRY_REVIEW_TEXT] = t(f"examples.{name}.text")


def add_model(models, run, origin, n):
    """Add a run under a short name: its kind and where it comes from (plus its run name if that is taken)."""
    label = t(f"model_label.{origin}", kind=t(f"kinds.{run.kind}"), n=n)
    models[label if label not in models else f"{label} ({run.name})"] = run


st.title(t("title"), anchor=False)
st.markdown(t.md("intro"))
source_note()   # the word list every model reads the text with

# --- the models: shipped with the app, and trained in this session
try:
    saved = saved_runs()
except Exception as e:       # a broken file must not take the page down
    saved = []
    st.error(t("saved_error", error=str(e)), icon=":material/error:")
session = [r for r in st.session_state.get(state.RUNS, []) if r.kind in try_review.STEPS and r.weights]
models = {}
for i, run in enumerate(saved):
    add_model(models, run, "saved", i + 1)
for i, run in enumerate(session):
    add_model(models, run, "session", i + 1)
if not models:
    st.warning(t("no_runs"), icon=":material/model_training:")
    st.page_link("pages/train_numpy.py", label=texts("train_numpy")("title"), icon=":material/model_training:")
    st.page_link("pages/keras.py", label=texts("keras")("title"), icon=":material/hub:")
    st.stop()

# --- the review: an example or the user's own text (bounded)
if state.TRY_REVIEW_TEXT not in st.session_state:
    set_example("negation")      # a first visit starts from a review whose sentiment turns; an emptied box stays empty
st.caption(t("examples_label"))
columns = st.columns(3)
for column, name in zip(columns, ("positive", "negative", "negation")):
    column.button(t(f"examples.{name}.label"), on_click=set_example, args=(name,), width="stretch",
                  key=f"try_review_example_{name}")
with english("review"):
    text = st.text_area(t("text_label"), key=state.TRY_REVIEW_TEXT, max_chars=MAX_PASTE, height=160 if big else 130,
                        placeholder=t("placeholder"), help=t("text_help", max=f"{MAX_PASTE:,}", read=f"{MAX_CHARS:,}"),
                        persist_state="session") or ""
was_cut = len(text) > MAX_CHARS
if was_cut:
    st.info(t("cut", n=f"{len(text):,}", read=f"{MAX_CHARS:,}"), icon=":material/content_cut:")
    text = try_review.keep_end(text, MAX_CHARS)
if not text.strip():
    st.info(t("no_words" if was_cut else "empty"), icon=":material/edit:")
    st.stop()

if not big and len(models) > 1:
    chosen = st.multiselect(t("models_label"), list(models), default=list(models))
    models = {label: models[label] for label in chosen}
    if not models:
        st.info(t("no_model_chosen"))
        st.stop()

# --- every model reads the text with its own settings
data = chapter_data()
readings = {}
other = [label for label, run in models.items() if not same_reviews(run.data_source, data.source)]
if other:
    st.warning(t("other_vocabulary", models=", ".join(other)), icon=":material/translate:")
for label, run in models.items():
    if label in other:
        continue
    try:
        readings[label] = try_review.read_review(run, text, data.word_index)
    except Exception as e:   # a session run with odd weights: say so, keep the others
        st.error(t("model_error", model=label, error=str(e)), icon=":material/error:")
if not readings:
    st.stop()
words = next(iter(readings.values())).tokens
if not words:
    st.warning(t("no_words"), icon=":material/text_fields:")
    st.stop()
if not any(r.n_read for r in readings.values()):
    st.warning(t("nothing_read"), icon=":material/translate:")

# --- 1. the predictions
st.header(t("predictions_heading"), anchor=False)
per_row = 2 if big else 4
labels = list(readings)
for row in range(0, len(labels), per_row):
    for column, label in zip(st.columns(per_row), labels[row:row + per_row]):
        r = readings[label]
        verdict = t("positive") if r.probability > 0.5 else t("negative")
        with column.container(border=True):
            st.metric(label, f"{r.probability:.1%}", help=t("metric_help"))
            st.caption(t("metric_caption", verdict=verdict, read=r.n_read, total=len(words),
                         maxlen=models[label].config["maxlen"]))

# --- 2. the trajectory: P(positive) after each word
st.header(t("trajectory_heading"), anchor=False)
first = max(0, len(words) - MAX_CHART_WORDS)
frame = charts.trajectory_frame(words, readings, t("chart.start"), first=first)
chart(charts.trajectory_chart, frame, t.labels("chart", "status"), big=big, width="stretch")
st.caption(t("chart_caption"))
if first > 0:
    st.caption(t("chart_window", shown=len(words) - first, total=len(words)))

# --- 3. which words could each model still learn from: the gradient of its output wrt each word's input
st.header(t("gradient_heading"), anchor=False)
st.markdown(t.md("gradient"))
gradients = {}
for label, r in readings.items():
    try:
        gradients[label] = try_review.word_gradients(models[label], r)
    except Exception as e:   # a session run with odd weights: say so, keep the others
        st.error(t("model_error", model=label, error=str(e)), icon=":material/error:")
if gradients:
    frame = charts.gradient_frame(words, gradients, first=first)
    chart(charts.gradient_chart, frame, t.labels("chart", "gradient_chart"), big=big, width="content")
    st.caption(t("gradient_caption"))

if big:
    st.stop()   # lecture mode: predictions and the charts only

# --- 4. each word, and what every model did with it
st.header(t("words_heading"), anchor=False)
st.markdown(t.md("words"))
table = pd.DataFrame({t("col_pos"): np.arange(1, len(words) + 1), t("col_word"): words})
for label, r in readings.items():
    table[label] = [t(f"status.{s}") for s in r.status]
show_table(table, hide_index=True, width="stretch", height=min(38 + 35 * len(words), 400))

summary = pd.DataFrame([
    {t("col_model"): label, **{t(f"status.{s}"): n for s, n in r.counts().items()},
     t("col_settings"): t("settings", **{k: models[label].config[k] for k in ("num_words", "skip_top", "maxlen")}),
     t("col_padding"): r.n_pad}
    for label, r in readings.items()])
show_table(summary, hide_index=True, width="stretch")

with st.expander(t("how_heading"), icon=":material/info:"):
    st.markdown(t.md("how"))
show_code(try_review.read_review, try_review.word_status, try_review.numpy_steps, try_review.keras_steps,
             keras_numpy.simple_rnn, keras_numpy.lstm, try_review.word_gradients, keras_numpy.lstm_backward)

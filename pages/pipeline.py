"""The IMDB pipeline: one review from raw indices to words, lengths and padding, one-hot memory, the split."""
import numpy as np
import streamlit as st

from rnn_core.assessment import quiz
from rnn_core.charts import pipeline as charts
from rnn_core.config import CHAPTER
from rnn_core.data import imdb
from rnn_core.lessons import pipeline as ps
from ui import state
from ui.charts import chart
from ui.code import show_code
from ui.data import chapter_data, source_note
from ui.layout import english, equations, lecture_mode, setting, show_table
from ui.navigation import entry_point_only
from ui.question import ask
from ui.texts import texts

entry_point_only()

t = texts("pipeline")
big = lecture_mode()
NUM_WORDS = (100, 1000, 10000)     # a bounded set: each (num_words, skip_top) pair is one cached data set
SKIP_TOP = (0, 20)
MAXLEN = (25, 50, 100, 200, 400)
N_ROWS = 8                          # reviews in the padded heatmap


def human(n):
    """Bytes as kB, MB, GB."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000


st.title(t("title"), anchor=False)
st.markdown(t.md("intro"))

with st.container(horizontal=True):
    num_words = setting(st.select_slider, state.PIPELINE_NUM_WORDS, CHAPTER.num_words, "num_words", NUM_WORDS,
                        help=t("controls.num_words_help"), width=260)
    skip_top = setting(st.select_slider, state.PIPELINE_SKIP_TOP, CHAPTER.skip_top, "skip_top", SKIP_TOP,
                       help=t("controls.skip_top_help"), width=200)
    maxlen = st.select_slider("maxlen", MAXLEN, value=CHAPTER.maxlen, key="pipeline_maxlen", persist_state="session",
                              help=t("controls.maxlen_help"), width=300)
data = chapter_data(num_words, skip_top)     # padded at maxlen=100; other maxlen values are padded here
source_note(data)
st.code(f"(x_train_all, y_train_all), _ = imdb.load_data(skip_top={skip_top}, num_words={num_words})",
        language="python")

# 1. One review, step by step --------------------------------------------------------------------
st.header(t("review.heading"), anchor=False)
last = len(data.raw) - 1
j = st.number_input(t("review.pick", last=last), min_value=0, max_value=last, value=0, step=1,
                    key="pipeline_review", persist_state="session", help=t("review.pick_help"), width=260)
steps = ps.review_steps(data, int(j))
words = imdb.decode(steps["cleaned"], data.index_to_word)
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("review.label"), t("review.positive") if steps["label"] else t("review.negative"),
          help=t("review.label_help"))
c2.metric(t("review.raw_len"), len(steps["raw"]))
c3.metric(t("review.clean_len"), len(steps["cleaned"]))
c4.metric(t(f"review.in_{steps['split']}"), f"#{steps['position']:,}", help=t("review.split_help"))
st.markdown(t.md("review"))
tab_raw, tab_clean, tab_words, tab_table = st.tabs(
    [t("review.tab_raw"), t("review.tab_clean"), t("review.tab_words"), t("review.tab_table")])
with tab_raw:
    st.code(str(steps["raw"].tolist()), language=None, wrap_lines=True, height=160)
with tab_clean:
    st.code(str(steps["cleaned"].tolist()), language=None, wrap_lines=True, height=160)
with tab_words, english("words"):
    st.code(" ".join(words), language=None, wrap_lines=True, height=160)
with tab_table:
    show_table({t("review.col_index"): steps["raw"],
                t("review.col_word"): imdb.decode(steps["raw"], data.index_to_word),
                t("review.col_kept"): steps["raw"] > 2}, height=240, width="stretch")
w = t.labels("latex")    # the words inside the formulas ([latex] table), in the page's language
equations(rf"\text{{{w['keep']} }} i > 2",
          rf"\text{{{w['word']}}}(i) = \texttt{{index\_to\_word}}[\,i - 3\,]",
          rf"0 = \text{{{w['pad']}}},\ 1 = \text{{{w['start']}}},\ 2 = \text{{{w['oov']}}}")
show_code(imdb.load_reviews, imdb.drop_special, imdb.decode)

# 2. Lengths and padding -------------------------------------------------------------------------------
st.header(t("lengths.heading"), anchor=False)
train_lengths = data.train_reviews.lengths                             # (20000,) after dropping <= 2
starts, ends, counts = ps.length_histogram(train_lengths, maxlen)
cut, padded = ps.share_cut(train_lengths, maxlen), ps.share_padded(train_lengths, maxlen)
padding_shown = ask(quiz.padding(steps["cleaned"], maxlen, (num_words, skip_top, int(j), maxlen)), t, "padding")
if padding_shown:                                  # the legend and the shares would give the answer away
    st.markdown(t.md("lengths", maxlen=maxlen))
    chart(charts.lengths_chart, starts, ends, counts, maxlen, t.labels("lengths"), big=big, width="stretch")
    c1, c2, c3 = st.columns(3)
    c1.metric(t("lengths.share_cut", maxlen=maxlen), f"{cut:.1%}")
    c2.metric(t("lengths.share_padded", maxlen=maxlen), f"{padded:.1%}")
    c3.metric(t("lengths.median"), f"{np.median(train_lengths):.0f}")
    st.caption(t("lengths.note", longest=int(train_lengths.max())))

st.subheader(t("padded.heading"), anchor=False)
if padding_shown:
    st.markdown(t.md("padded", n=min(N_ROWS, len(data.raw) - int(j)), first=int(j), maxlen=maxlen))
    block = ps.padded_block(data, int(j), N_ROWS, maxlen)                 # (N_ROWS, maxlen)
    block_words = [imdb.decode(row, data.index_to_word) for row in block]
    chart(charts.padded_chart, block, block_words, int(j), t.labels("padded"), num_words, big=big, width="stretch")
    st.latex(r"\mathrm{pad}(s_1,\dots,s_L) = \begin{cases}(\underbrace{0,\dots,0}_{T-L},\ s_1,\dots,s_L) & L \le T\\"
             r"(s_{L-T+1},\dots,s_L) & L > T\end{cases}\qquad T = \texttt{maxlen}")
    show_code(imdb.pad_sequences, ps.padded_block, ps.share_cut)

# 3. One-hot or tokens ---------------------------------------------------------------------------------
st.header(t("memory.heading"), anchor=False)
m = len(data.x_train)
rows = ps.input_formats(m, maxlen, num_words)
for r in rows:
    r["size"] = human(r["bytes"])
memory_q = quiz.onehot_memory(rows[0]["bytes"], rows[2]["bytes"], (num_words, maxlen, m), m=f"{m:,}", maxlen=maxlen,
                              num_words=f"{num_words:,}")
if ask(memory_q, t, "memory"):
    st.markdown(t.md("memory", m=f"{m:,}", maxlen=maxlen, num_words=f"{num_words:,}"))
    num = lambda n: f"{n:,}".replace(",", "{,}")   # noqa: E731  (thousands separators in LaTeX)
    size = [("float32", r"m \cdot T \cdot n_f \cdot 4", (m, maxlen, num_words, 4), rows[0]["bytes"]),
            ("float64", r"m \cdot T \cdot n_f \cdot 8", (m, maxlen, num_words, 8), rows[1]["bytes"]),
            (w["tokens"], r"m \cdot T \cdot 4", (m, maxlen, 4), rows[2]["bytes"])]
    equations(*(rf"\begin{{aligned}} \text{{{name}: }} & {formula} \\ &= " + r" \cdot ".join(num(n) for n in factors)
                + rf" \\ &= {num(total)}\ \text{{{w['bytes']}}} \end{{aligned}}"                # three lines: a phone
                for name, formula, factors, total in size))
    fmt_names = t.labels("memory")
    show_table([{t("memory.col_format"): fmt_names[r["key"]], t("memory.col_shape"): str(r["shape"]),
                 "dtype": r["dtype"], t("memory.col_bytes"): f"{r['bytes']:,}", t("memory.col_size"): r["size"]}
                for r in rows], hide_index=True, width="stretch")
    chart(charts.formats_chart, rows, fmt_names, big=big, width="stretch")
    st.markdown(t.md("memory_after", ratio=f"{rows[0]['bytes'] // rows[2]['bytes']:,}"))
    show_code(ps.onehot_bytes, ps.input_formats)

# 4. The split -------------------------------------------------------------------------------------------
st.header(t("split.heading"), anchor=False)
counts = {"train": ps.label_counts(data.y_train), "val": ps.label_counts(data.y_val)}
st.markdown(t.md("split", first=", ".join(str(i) for i in data.train_index[:8]), n_train=len(data.y_train),
                 n_val=len(data.y_val)))
split_names = t.labels("split")
chart(charts.split_chart, counts, split_names, big=big, width="stretch")
show_table([{t("split.part"): split_names[part], t("split.negative"): neg, t("split.positive"): pos,
             t("split.total"): neg + pos, t("split.share_pos"): f"{pos / (neg + pos):.1%}"}
            for part, (neg, pos) in counts.items()], hide_index=True, width="stretch")
show_code(imdb.chapter_split, ps.label_counts)

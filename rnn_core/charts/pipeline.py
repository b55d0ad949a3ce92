"""Charts of the IMDB pipeline page: review lengths against maxlen, the padded matrix, memory per format, the split."""
import altair as alt
import numpy as np
import pandas as pd

from rnn_core.charts.spec import pct
from rnn_core.charts.theme import BLUE, GREY, INK, LIGHT, PINK, SEQUENTIAL, font_size, style, title


def lengths_chart(starts, ends, counts, maxlen, names, big=False):
    """A histogram of review lengths with maxlen marked: bars right of the line are reviews that get cut."""
    df = pd.DataFrame({"start": starts, "end": ends, "count": counts, "zero": 0,
                       "part": np.where(starts >= maxlen, names["cut"], names["kept"])})   # bins are (start, end]
    bars = alt.Chart(df).mark_bar(stroke="white", strokeWidth=0.5).encode(
        x=alt.X("start:Q", title=names["length"], scale=alt.Scale(domain=[0, int(max(ends[-1], maxlen))])),
        x2=alt.X2("end:Q"),
        y=alt.Y("count:Q", title=names["reviews"]),
        y2=alt.Y2("zero:Q"),
        color=alt.Color("part:N", title=None, scale=alt.Scale(domain=[names["kept"], names["cut"]],
                                                               range=[GREY, PINK]),
                        legend=alt.Legend(orient="top", labelLimit=500, columns=1)),
        tooltip=[alt.Tooltip("start:Q", title=">"), alt.Tooltip("end:Q", title="≤"),
                 alt.Tooltip("count:Q", title=names["reviews"])],
    )
    rule = alt.Chart(pd.DataFrame({"x": [maxlen], "label": [f"maxlen = {maxlen}"]})).encode(x=alt.X("x:Q"))
    label = rule.mark_text(align="left", dx=6, dy=-6, y=0, baseline="top", fontSize=font_size(big),
                           fontWeight="bold").encode(text=alt.Text("label:N"))
    marks = rule.mark_rule(color=INK, strokeWidth=2, strokeDash=[6, 3]) + label
    return style((bars + marks).properties(height=350 if big else 285, title=title(names["title"], big=big)), big)


def padded_chart(block, words, first, names, num_words, big=False):
    """The padded matrix as a heatmap: one row per review, one column per time step; padding (0) in grey."""
    n_rows, maxlen = block.shape
    rows, cols = np.indices(block.shape)
    df = pd.DataFrame({"review": (rows + first).ravel().astype(str), "step": cols.ravel() + 1,
                       "index": block.ravel(), "word": np.asarray(words, dtype=object).ravel()})
    order = [str(first + i) for i in range(n_rows)]
    base = alt.Chart(df).encode(
        x=alt.X("step:O", title=names["step"],
                axis=alt.Axis(values=[1] + list(range(10, maxlen + 1, 10 if maxlen <= 100 else 50)), labelAngle=0)),
        y=alt.Y("review:N", title=names["review"], sort=order),
        tooltip=[alt.Tooltip("review:N", title=names["review"]), alt.Tooltip("step:O", title=names["step"]),
                 alt.Tooltip("index:Q", title=names["index"]), alt.Tooltip("word:N", title=names["word"])],
    )
    pad = base.transform_filter("datum.index == 0").mark_rect(color=LIGHT)
    tokens = base.transform_filter("datum.index > 0").mark_rect().encode(
        color=alt.Color("index:Q", title=names["index"],
                        scale=alt.Scale(type="log", domain=[3, max(int(num_words), 4)], scheme=SEQUENTIAL)))
    chart = (pad + tokens).properties(height=alt.Step(40 if big else 28), title=title(names["title"], big=big))
    return style(chart, big)


def formats_chart(rows, names, big=False):
    """Bytes of each input format on a log scale: the one-hot tensors dwarf the integer tokens."""
    df = pd.DataFrame({"format": [names[r["key"]] for r in rows], "bytes": [r["bytes"] for r in rows],
                       "label": [r["size"] for r in rows], "base": 1000})     # log scale: bars start at 1 kB
    order = list(df["format"])
    top = max(r["bytes"] for r in rows) * 200
    base = alt.Chart(df).encode(
        y=alt.Y("format:N", title=None, sort=order, axis=alt.Axis(labelLimit=360)),
        x=alt.X("bytes:Q", title=names["bytes"], scale=alt.Scale(type="log", domain=[1000, top]),
                axis=alt.Axis(values=[10 ** k for k in range(3, len(str(top)))], format="~s")),   # 1k, 10k, ... 1G
        tooltip=[alt.Tooltip("format:N", title=" "), alt.Tooltip("label:N", title=names["bytes"])],
    )
    bars = base.mark_bar(color=PINK).encode(x2=alt.X2("base:Q"))
    text = base.mark_text(align="left", dx=4, fontSize=font_size(big)).encode(text=alt.Text("label:N"))
    chart = (bars + text).properties(height=alt.Step(52 if big else 34), title=title(names["title"], big=big))
    return style(chart, big)


def split_chart(counts, names, big=False):
    """Negative and positive reviews in the training and validation parts of the split."""
    df = pd.DataFrame([{"part": names[part], "label": names[label], "count": n}
                       for part, pair in counts.items() for label, n in zip(("negative", "positive"), pair)])
    base = alt.Chart(df).encode(
        y=alt.Y("part:N", title=None, sort=[names[p] for p in counts], axis=alt.Axis(labelLimit=400)),
        x=alt.X("count:Q", title=names["reviews"], stack="zero"),
        color=alt.Color("label:N", title=None, scale=alt.Scale(domain=[names["negative"], names["positive"]],
                                                               range=[BLUE, PINK]), legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("part:N", title=" "), alt.Tooltip("label:N", title=" "),
                 alt.Tooltip("count:Q", title=names["reviews"], format=",")],
    )
    chart = base.mark_bar().properties(height=alt.Step(56 if big else 40), title=title(names["title"], big=big))
    return style(chart, big)


# --- text alternatives: one sentence per chart, from the chart's own inputs (ui.charts.chart finds f_summary)

def lengths_summary(starts, ends, counts, maxlen, names, big=False):
    """How many reviews the chosen maxlen cuts (the bars right of the line) and how many it pads."""
    counts = np.asarray(counts)
    total, cut = int(counts.sum()), int(counts[np.asarray(starts) >= maxlen].sum())
    return names["summary"].format(cut=f"{cut:,}", total=f"{total:,}", share=pct(cut / total if total else 0),
                                   maxlen=maxlen)


def padded_summary(block, words, first, names, num_words, big=False):
    """How much of the shown block is padding (index 0), in front of each review."""
    block = np.asarray(block)
    pad = int((block == 0).sum())
    return names["summary"].format(rows=block.shape[0], maxlen=block.shape[1], pad=f"{pad:,}",
                                   share=pct(pad / block.size if block.size else 0))


def formats_summary(rows, names, big=False):
    """The largest format against the smallest: how many times more memory one-hot needs."""
    large, small = max(rows, key=lambda r: r["bytes"]), min(rows, key=lambda r: r["bytes"])
    return names["summary"].format(large=names[large["key"]], large_size=large["size"], small=names[small["key"]],
                                   small_size=small["size"], ratio=f"{large['bytes'] / small['bytes']:,.0f}")


def split_summary(counts, names, big=False):
    """Each part's size and share of positive reviews: the split is balanced."""
    parts = [names["summary_part"].format(part=names[part], n=f"{neg + pos:,}", share=pct(pos / (neg + pos)))
             for part, (neg, pos) in counts.items() if neg + pos]
    return names["summary"].format(parts="; ".join(parts))

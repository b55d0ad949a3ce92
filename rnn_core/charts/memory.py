"""Charts of the memory lab: accuracy and gradient reach against the distance of the decisive token, padding."""
import altair as alt
import numpy as np
import pandas as pd

from rnn_core.charts.theme import BLUE, GREEN, GREY, ORANGE, PINK, SERIES, VIOLET, WINDOW, WINDOW_INK, font_size, style
from rnn_core.charts.theme import height as theme_height

COLORS = {"numpy_tbptt": PINK, "numpy_full": ORANGE, "numpy_full_clip": VIOLET, "keras_simplernn": BLUE,
          "keras_lstm": GREEN, "live": SERIES[5]}


def _size(big):
    """Label size and chart height, the theme's (bigger in lecture mode)."""
    return font_size(big), theme_height(big)


def page_height(big=False):
    """The height to give Streamlit for one of these charts: Streamlit fits title, legend and plot into it."""
    return _size(big)[1] + (230 if big else 170)


def _legend():
    """The model names above the plot, one per row (two columns of five names don't fit a phone)."""
    return alt.Legend(orient="top", columns=1, labelLimit=300)


def results_frame(distances, accuracy, reach, labels):
    """Long table: one row per (model, distance) with accuracy and gradient reach; labels: model key -> shown name."""
    rows = []
    for key, label in labels.items():
        if key not in accuracy:
            continue
        for k, d in enumerate(distances):
            r = reach.get(key, [None] * len(distances))[k]
            rows.append({"key": key, "model": label, "distance": int(d), "accuracy": float(accuracy[key][k]),
                         "reach": None if r is None else float(r)})
    return pd.DataFrame(rows)


def _color(df):
    keys = list(dict.fromkeys(df["key"]))
    labels = [df.loc[df.key == k, "model"].iloc[0] for k in keys]
    return alt.Color("model:N", title=None, sort=labels, legend=_legend(),
                     scale=alt.Scale(domain=labels, range=[COLORS.get(k, GREY) for k in keys]))


def _window(window, names, at, fs=12):
    """The shaded band d = 1..window (steps truncated BPTT still reaches), labelled at height `at` of the y scale."""
    band = pd.DataFrame({"start": [0.5], "end": [window + 0.5], "label": [names["window"]]})
    rect = alt.Chart(band).mark_rect(color=WINDOW, opacity=0.9).encode(x="start:Q", x2="end:Q")
    text = alt.Chart(band).mark_text(align="left", baseline="bottom", dx=4, dy=-4, color=WINDOW_INK,
                                     fontSize=fs).encode(x="start:Q", y=alt.datum(at), text="label:N")
    return rect, text


def accuracy_chart(df, names, window, big=False):
    """Validation accuracy against distance, one line per model; the truncation window shaded; chance at 0.5."""
    fs, height = _size(big)
    x = alt.X("distance:Q", title=names["distance"], scale=alt.Scale(domain=[0, 100], nice=False))
    y = alt.Y("accuracy:Q", title=names["accuracy"], scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    tooltip = [alt.Tooltip("model:N", title=names["model"]), alt.Tooltip("distance:Q", title=names["distance"]),
               alt.Tooltip("accuracy:Q", title=names["accuracy"], format=".1%")]
    lines = alt.Chart(df).mark_line(strokeWidth=3 if big else 2, point=True).encode(
        x=x, y=y, color=_color(df), tooltip=tooltip)
    rect, text = _window(window, names, 0.0, fs)
    chance = alt.Chart(pd.DataFrame({"accuracy": [0.5]})).mark_rule(color=GREY, strokeDash=[5, 4]).encode(
        y="accuracy:Q")
    chart = (rect + text + chance + lines).properties(height=height, title=names["acc_title"])
    return style(chart, big)


def reach_chart(df, names, window, big=False):
    """Gradient reach |dL/dx_{T-d}| vs distance on a log scale; exact zeros (cut by truncation) drawn at the floor."""
    height = _size(big)[1]
    df = df.dropna(subset=["reach"])
    positive = df[df.reach > 0]
    floor = float(10 ** (np.floor(np.log10(positive.reach.min())) - 1)) if len(positive) else 1e-8   # below all
    zeros = df[df.reach == 0].assign(reach=floor, shown=names["zero"])
    x = alt.X("distance:Q", title=names["distance"], scale=alt.Scale(domain=[0, 100], nice=False))
    y = alt.Y("reach:Q", title=names["reach"], scale=alt.Scale(type="log"), axis=alt.Axis(format=".0e"))
    color = _color(df)
    tooltip = [alt.Tooltip("model:N", title=names["model"]), alt.Tooltip("distance:Q", title=names["distance"]),
               alt.Tooltip("reach:Q", title=names["reach"], format=".2e")]
    lines = alt.Chart(positive).mark_line(strokeWidth=3 if big else 2, point=True).encode(
        x=x, y=y, color=color, tooltip=tooltip)
    layers = [lines]
    if len(zeros):
        layers.append(alt.Chart(zeros).mark_point(shape="triangle-down", size=120 if big else 70, filled=True).encode(
            x=x, y=y, color=color, tooltip=[alt.Tooltip("model:N", title=names["model"]),
                                            alt.Tooltip("distance:Q", title=names["distance"]),
                                            alt.Tooltip("shown:N", title=names["reach"])]))
    band = pd.DataFrame({"start": [0.5], "end": [window + 0.5]})
    rect = alt.Chart(band).mark_rect(color=WINDOW, opacity=0.9).encode(x="start:Q", x2="end:Q")
    return style(alt.layer(rect, *layers).properties(height=height, title=names["reach_title"]), big)


def padding_frame(padding, labels, where_names):
    """Rows (model, where, accuracy) of the padding experiment."""
    return pd.DataFrame([{"model": labels[m], "where": where_names[w], "accuracy": float(padding[m][w])}
                         for m in labels if m in padding for w in ("pre", "post")])


def padding_chart(df, names, big=False):
    """Validation accuracy with padding in front (the chapter) and behind, one panel per model."""
    fs, height = _size(big)
    order = list(dict.fromkeys(df["where"]))
    x = alt.X("where:N", title=None, sort=order, axis=alt.Axis(labelAngle=0))
    y = alt.Y("accuracy:Q", title=names["accuracy"], scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    bars = alt.Chart().mark_bar().encode(
        x=x, y=y, color=alt.Color("where:N", sort=order, scale=alt.Scale(range=[BLUE, GREY]), legend=None),
        tooltip=[alt.Tooltip("model:N", title=names["model"]), alt.Tooltip("where:N", title=names["where"]),
                 alt.Tooltip("accuracy:Q", title=names["accuracy"], format=".1%")])
    text = alt.Chart().mark_text(dy=-10, fontSize=fs).encode(x=x, y=y, text=alt.Text("accuracy:Q", format=".1%"))
    chance = alt.Chart().mark_rule(color=GREY, strokeDash=[5, 4]).encode(y=alt.datum(0.5))
    chart = alt.layer(bars, text, chance, data=df).properties(width=240 if big else 110, height=height - 60)
    return style(chart.facet(column=alt.Column("model:N", title=None, sort=list(dict.fromkeys(df["model"])),
                                                header=alt.Header(labelFontSize=fs))), big)


def training_series_chart(block, labels, names, what, big=False):
    """One number per training batch (gradient norm or W1h's spectral radius), one line per model."""
    df = pd.concat([pd.DataFrame({"batch": np.arange(1, len(v) + 1), "value": v, "key": m, "model": labels[m]})
                    for m, v in block.items() if m in labels])
    lines = alt.Chart(df).mark_line(strokeWidth=2 if big else 1).encode(
        x=alt.X("batch:Q", title=names["batch"]), y=alt.Y("value:Q", title=names[what]), color=_color(df),
        tooltip=[alt.Tooltip("model:N", title=names["model"]), alt.Tooltip("batch:Q", title=names["batch"]),
                 alt.Tooltip("value:Q", title=names[what], format=".3g")])
    return style(lines.properties(height=_size(big)[1]), big)

"""Charts of the memory lab: accuracy and gradient reach against the distance of the decisive token, padding."""
import altair as alt
import numpy as np
import pandas as pd

from rnn_core.charts.spec import num, pct
from rnn_core.charts.theme import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PINK,
    SERIES,
    VIOLET,
    WINDOW,
    WINDOW_INK,
    font_size,
    style,
    title,
)
from rnn_core.charts.theme import height as theme_height

COLORS = {"numpy_tbptt": PINK, "numpy_full": ORANGE, "numpy_full_clip": VIOLET, "keras_simplernn": BLUE,
          "keras_lstm": GREEN, "live": SERIES[5]}


def _size(big):
    """Label size and chart height, the theme's (bigger in lecture mode)."""
    return font_size(big), theme_height(big)


def page_height(big=False):
    """The height to give Streamlit for one of these charts: Streamlit fits title, legend and plot into it."""
    return _size(big)[1] + (260 if big else 190)


def _legend():
    """The model names above the plot, one per row (two columns of five names don't fit a phone)."""
    return alt.Legend(orient="top", columns=1, labelLimit=300)


def results_frame(distances, accuracy, reach, labels, seeds=None):
    """Long table: one row per (model, distance) with accuracy (mean, low, high over seeds) and gradient reach.

    labels: model key -> shown name; seeds: model key -> per distance every seed's accuracy (None: one run each).
    """
    rows = []
    for key, label in labels.items():
        if key not in accuracy:
            continue
        for k, d in enumerate(distances):
            r = reach.get(key, [None] * len(distances))[k]
            each = (seeds or {}).get(key, [[accuracy[key][k]]] * len(distances))[k]
            rows.append({"key": key, "model": label, "distance": int(d), "accuracy": float(accuracy[key][k]),
                         "low": float(min(each)), "high": float(max(each)), "n_seeds": len(each),
                         "reach": None if r is None else float(r)})
    return pd.DataFrame(rows)


def _title(names, what, big):
    """A chart's title (names[what_title]) with what to look at under it (names[what_look])."""
    return title(names[f"{what}_title"], names[f"{what}_look"], big)


def _color(df):
    keys = list(dict.fromkeys(df["key"]))
    labels = [df.loc[df.key == k, "model"].iloc[0] for k in keys]
    return alt.Color("model:N", title=None, sort=labels, legend=_legend(),
                     scale=alt.Scale(domain=labels, range=[COLORS.get(k, GREY) for k in keys]))


def _window(window, names, at, fs=12):
    """The shaded band d = 1..window (steps truncated BPTT still reaches), labelled at height `at` of the y scale."""
    band = pd.DataFrame({"start": [0.5], "end": [window + 0.5], "label": [names["window"]]})
    rect = alt.Chart(band).mark_rect(color=WINDOW, opacity=0.9, aria=False).encode(x="start:Q", x2="end:Q")
    text = alt.Chart(band).mark_text(align="left", baseline="bottom", dx=4, dy=-4, color=WINDOW_INK,
                                     fontSize=fs).encode(x="start:Q", y=alt.datum(at), text="label:N")
    return rect, text


def chance_layer(band, names, fs=12):
    """The coin-toss band (low, high) as a grey strip across the chart, labelled: no line, a band."""
    frame = pd.DataFrame({"low": [band[0]], "high": [band[1]], "label": [names["chance"]]})
    rect = alt.Chart(frame).mark_rect(color=GREY, opacity=0.25, aria=False).encode(y="low:Q", y2="high:Q")
    text = alt.Chart(frame).mark_text(align="right", baseline="top", dy=2, dx=-4, color=GREY, fontSize=fs).encode(
        x=alt.value("width"), y="low:Q", text="label:N")
    return rect + text


def accuracy_chart(df, names, window, big=False, band=(0.5, 0.5)):
    """Validation accuracy against distance, one line per model (the mean over seeds, a bar from the lowest to the
    highest seed); the truncation window shaded (none when `window` is None: a run without truncation); the
    coin-toss band `band` in grey."""
    fs, height = _size(big)
    x = alt.X("distance:Q", title=names["distance"], scale=alt.Scale(domain=[0, 100], nice=False))
    y = alt.Y("accuracy:Q", title=names["accuracy"], scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    tooltip = [alt.Tooltip("model:N", title=names["model"]), alt.Tooltip("distance:Q", title=names["distance"]),
               alt.Tooltip("accuracy:Q", title=names["accuracy"], format=".1%")]
    tooltip += [alt.Tooltip("low:Q", title=names["lowest"], format=".1%"),
                alt.Tooltip("high:Q", title=names["highest"], format=".1%"),
                alt.Tooltip("n_seeds:Q", title=names["seeds"])]
    lines = alt.Chart(df).mark_line(strokeWidth=3 if big else 2, point=True).encode(
        x=x, y=y, color=_color(df), tooltip=tooltip)
    bars = alt.Chart(df).mark_rule(strokeWidth=2).encode(x=x, y="low:Q", y2="high:Q", color=_color(df),
                                                         tooltip=tooltip)
    layers = [*(_window(window, names, 0.0, fs) if window else ()), chance_layer(band, names, fs), bars, lines]
    chart = alt.layer(*layers).properties(height=height, title=_title(names, "acc", big))
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
                                            alt.Tooltip("shown:N", title=names["zero"])]))
    if window:          # the steps truncation reaches (a run without truncation has no band)
        band = pd.DataFrame({"start": [0.5], "end": [window + 0.5]})
        layers.insert(0, alt.Chart(band).mark_rect(color=WINDOW, opacity=0.9, aria=False).encode(x="start:Q",
                                                                                                 x2="end:Q"))
    return style(alt.layer(*layers).properties(height=height, title=_title(names, "reach", big)), big)


def padding_frame(padding, labels, where_names):
    """Rows (model, where, accuracy, low, high) of the padding experiment: the mean and range over its seeds."""
    rows = []
    for m in labels:
        if m not in padding:
            continue
        for w in ("pre", "post"):
            each = padding.get(f"{m}_seeds", {}).get(w, [padding[m][w]])
            rows.append({"model": labels[m], "where": where_names[w], "accuracy": float(np.mean(each)),
                         "low": float(min(each)), "high": float(max(each)), "n_seeds": len(each)})
    return pd.DataFrame(rows)


def padding_chart(df, names, big=False, band=(0.5, 0.5)):
    """Validation accuracy with padding in front (the chapter) and behind, one panel per model, one above the other
    (side by side their names overlapped): the mean over seeds as a bar, a black line from the lowest to the highest
    seed, the coin-toss band in grey."""
    fs, width = font_size(big), 560 if big else 300
    order = list(dict.fromkeys(df["where"]))
    y = alt.Y("where:N", title=None, sort=order, axis=None)
    x = alt.X("accuracy:Q", title=names["accuracy"], scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    bars = alt.Chart().mark_bar().encode(
        y=y, x=x, color=alt.Color("where:N", title=None, sort=order, scale=alt.Scale(domain=order, range=[BLUE, GREY]),
                                  legend=alt.Legend(orient="top", labelLimit=width)),
        tooltip=[alt.Tooltip("model:N", title=names["model"]), alt.Tooltip("where:N", title=names["where"]),
                 alt.Tooltip("accuracy:Q", title=names["accuracy"], format=".1%"),
                 alt.Tooltip("low:Q", title=names["lowest"], format=".1%"),
                 alt.Tooltip("high:Q", title=names["highest"], format=".1%"),
                 alt.Tooltip("n_seeds:Q", title=names["seeds"])])
    ranges = alt.Chart().mark_rule(strokeWidth=2, color="black").encode(y=y, x="low:Q", x2="high:Q")
    text = alt.Chart().mark_text(align="left", dx=6, fontSize=fs).encode(y=y, x="high:Q",
                                                                         text=alt.Text("accuracy:Q", format=".1%"))
    chance = alt.Chart().mark_rect(color=GREY, opacity=0.25, aria=False).encode(x=alt.datum(band[0]),
                                                                              x2=alt.datum(band[1]))
    chart = alt.layer(chance, bars, ranges, text, data=df).properties(width=width, height=alt.Step(44 if big else 30))
    return style(chart.facet(row=alt.Row("model:N", title=None, sort=list(dict.fromkeys(df["model"])),
                                         header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start",
                                                           labelOrient="top",
                                                           labelFontSize=fs, labelFontWeight="bold",
                                                           labelLimit=width))
                             ).properties(title=title(names["padding_title"], big=big)), big)


def training_series_chart(block, labels, names, what, big=False):
    """One number per training batch (gradient norm or W1h's spectral radius), one line per model."""
    df = pd.concat([pd.DataFrame({"batch": np.arange(1, len(v) + 1), "value": v, "key": m, "model": labels[m]})
                    for m, v in block.items() if m in labels])
    lines = alt.Chart(df).mark_line(strokeWidth=2 if big else 1).encode(
        x=alt.X("batch:Q", title=names["batch"]), y=alt.Y("value:Q", title=names[what]), color=_color(df),
        tooltip=[alt.Tooltip("model:N", title=names["model"]), alt.Tooltip("batch:Q", title=names["batch"]),
                 alt.Tooltip("value:Q", title=names[what], format=".3g")])
    return style(lines.properties(height=_size(big)[1], title=title(names[f"{what}_title"], big=big)),
                 big)


def swap_chart(df, names, band, big=False):
    """The token-swap control beyond the window: accuracy as trained and with the two planted words swapped, mean
    over seeds with a bar from the lowest to the highest seed; the coin-toss band in grey."""
    fs, height = _size(big)
    long = pd.concat([pd.DataFrame({"distance": df.distance, "how": names[k], "accuracy": df[k],
                                    "low": df[f"{k}_low"], "high": df[f"{k}_high"]}) for k in ("kept", "swapped")])
    x = alt.X("distance:Q", title=names["distance"], scale=alt.Scale(domain=[0, 100], nice=False))
    y = alt.Y("accuracy:Q", title=names["accuracy"], scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    color = alt.Color("how:N", title=None, sort=[names["kept"], names["swapped"]], legend=_legend(),
                      scale=alt.Scale(range=[PINK, GREY]))
    tooltip = [alt.Tooltip("how:N"), alt.Tooltip("distance:Q", title=names["distance"]),
               alt.Tooltip("accuracy:Q", title=names["accuracy"], format=".1%"),
               alt.Tooltip("low:Q", format=".1%"), alt.Tooltip("high:Q", format=".1%")]
    lines = alt.Chart(long).mark_line(strokeWidth=3 if big else 2, point=True).encode(
        x=x, y=y, color=color, tooltip=tooltip)
    bars = alt.Chart(long).mark_rule(strokeWidth=2).encode(x=x, y="low:Q", y2="high:Q", color=color)
    chart = (chance_layer(band, names, fs) + bars + lines).properties(height=height, title=_title(names, "swap", big))
    return style(chart, big)


# --- text alternatives: one sentence per chart, from the chart's own inputs (ui.charts.chart finds f_summary)

def _at_farthest(df, column, fmt):
    """'model value' for each model at the largest distance it was measured at, and that distance."""
    far = int(df["distance"].max())
    rows = df[df["distance"] == far]
    return far, "; ".join(f"{m}: {fmt(v)}" for m, v in zip(rows["model"], rows[column]))


def accuracy_summary(df, names, window, big=False, band=(0.5, 0.5)):
    """Each model's mean accuracy at the farthest distance, against the coin-toss band."""
    if not len(df):
        return names["summary_none"]
    far, models = _at_farthest(df, "accuracy", pct)
    return names["summary_accuracy"].format(d=far, models=models, window=window, low=pct(band[0]), high=pct(band[1]))


def reach_summary(df, names, window, big=False):
    """Each model's gradient reach at the farthest distance (0 where truncation cuts it)."""
    df = df.dropna(subset=["reach"])
    if not len(df):
        return names["summary_none"]
    far, models = _at_farthest(df, "reach", lambda v: num(v, 2) if v > 0 else names["zero"])
    return names["summary_reach"].format(d=far, models=models, window=window)


def swap_summary(df, names, band, big=False):
    """Accuracy as trained and with the two words swapped, at each distance beyond the window."""
    said = [names["summary_swap_at"].format(d=int(d), kept=pct(k), swapped=pct(s))
            for d, k, s in zip(df["distance"], df["kept"], df["swapped"])]
    return names["summary_swap"].format(at="; ".join(said), low=pct(band[0]), high=pct(band[1]))


def padding_summary(df, names, big=False, band=(0.5, 0.5)):
    """Each model's mean accuracy with padding in front and behind."""
    said = [names["summary_padding_model"].format(model=model, parts=", ".join(
        f"{w} {pct(a)}" for w, a in zip(rows["where"], rows["accuracy"])))
        for model, rows in df.groupby("model", sort=False)]
    return names["summary_padding"].format(models="; ".join(said), low=pct(band[0]), high=pct(band[1]))


def training_series_summary(block, labels, names, what, big=False):
    """Each model's largest and last value over the training batches."""
    said = [names["summary_series_model"].format(model=labels[m], top=num(np.max(v)), last=num(v[-1]))
            for m, v in block.items() if m in labels and len(v)]
    return names["summary_series"].format(what=names[what], models="; ".join(said))

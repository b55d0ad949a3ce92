"""Charts of a review: each model's P(positive) after every word, and each word coloured by the gradient reaching it."""
import json

import altair as alt
import numpy as np
import pandas as pd

from rnn_core.charts.spec import pct
from rnn_core.charts.theme import GREY, INK, SERIES, font_size, style, title
from rnn_core.lessons.unrolling import plain_word

# A phone's column is 358 px wide: two legend names a row (four were cut off), five words of 66 px a line in the
# word grid (ten of 78 px made it 780 px wide).
LEGEND_COLUMNS = 2
PER_LINE, WORD_STEP = 5, 66


def trajectory_frame(words, readings, start_label, first=0):
    """Long table for the chart: one row per (model, position >= first), plus position -1: the start, before any word.

    words: the review's words; readings: {model label: predict.Reading}.
    """
    rows = []
    for label, r in readings.items():
        rows.append({"model": label, "position": -1, "word": start_label, "probability": float(r.start),
                     "read": True, "status": r.start_status})
        for k in range(first, len(words)):
            rows.append({"model": label, "position": k, "word": words[k], "probability": float(r.after_word[k]),
                         "read": r.status[k] == "read", "status": r.status[k]})
    return pd.DataFrame(rows)


def trajectory_chart(df, names, big=False):
    """Lines of P(positive) per model over the words (flat where a model skipped a word), dots where it read one.

    df: trajectory_frame rows; names: the page's [chart] and [status] labels; words no model read have grey labels.
    """
    df = df.assign(status=df["status"].map(names).fillna(df["status"]))
    positions = sorted(df.position.unique())
    words = df.drop_duplicates("position").set_index("position")["word"]
    unread = sorted(set(positions) - set(df[df.read].position))
    # Vega expressions: the word at each position as JSON string literals (every non-ASCII character a \uXXXX escape,
    # so no user text can end the string), and grey for the words nobody read
    label_expr = f"{json.dumps({int(p): str(words[p]) for p in positions})}[datum.value]"
    grey_expr = f"indexof({json.dumps([int(p) for p in unread])}, datum.value) >= 0 ? '{GREY}' : '{INK}'"
    x = alt.X("position:O", title=names["x"], sort=positions,
              axis=alt.Axis(labelExpr=label_expr, labelColor=alt.ExprRef(grey_expr), labelAngle=-90,
                            labelOverlap="greedy", labelLimit=110))   # upright: all on a laptop; a phone drops some
    y = alt.Y("probability:Q", title=names["y"], scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"))
    models = list(dict.fromkeys(df.model))
    color = alt.Color("model:N", title=None, sort=models,
                      scale=alt.Scale(domain=models, range=SERIES[:len(models)] or SERIES),
                      legend=alt.Legend(orient="top", labelLimit=140, columns=min(len(models), LEGEND_COLUMNS)))
    tooltip = [alt.Tooltip("model:N", title=names["model"]), alt.Tooltip("word:N", title=names["word"]),
               alt.Tooltip("probability:Q", title=names["y"], format=".1%"),
               alt.Tooltip("status:N", title=names["status"])]
    base = alt.Chart(df).encode(x=x, y=y, color=color, tooltip=tooltip)
    lines = base.mark_line(interpolate="step-after", strokeWidth=3 if big else 2, opacity=0.85)
    dots = base.transform_filter("datum.read").mark_point(filled=True, size=80 if big else 40, opacity=1)
    half = alt.Chart(pd.DataFrame({"probability": [0.5]})).mark_rule(color=GREY, strokeDash=[5, 4]).encode(
        y="probability:Q")
    chart = (half + lines + dots).properties(height=520 if big else 400, title=title(names["title"], big=big))
    return style(chart, big)


def gradient_frame(words, gradients, first=0, per_line=None):
    """Long table for the word chart: one row per (model, word >= first), the word's place in wrapped lines, and
    log10 of its gradient relative to the model's largest (0 = the word the output depends on most).

    gradients: {model label: (n,) array from try_review.word_gradients}, NaN where the model did not read the word.
    """
    per_line = per_line or PER_LINE
    rows = []
    for label, g in gradients.items():
        g = np.asarray(g, dtype=float)
        top = np.nanmax(g) if np.isfinite(g).any() and np.nanmax(g) > 0 else 1.0
        for k in range(first, len(words)):
            value = g[k]
            state = "unread" if np.isnan(value) else "zero" if value <= 0 else "read"
            rel = float(np.log10(value / top)) if state == "read" else None
            rows.append({"model": label, "position": k, "word": words[k], "line": (k - first) // per_line,
                         "column": (k - first) % per_line, "gradient": None if state == "unread" else float(value),
                         "relative": rel, "state": state})
    return pd.DataFrame(rows)


def gradient_chart(df, names, big=False, floor=-6):
    """Each model's words as text, coloured by log10 of the gradient reaching them (relative to the model's largest).

    The words are data drawn as text marks by Vega (never HTML). Unread words are grey, words no gradient reaches pale.
    names: the page's [chart] and [gradient_chart] labels (each state's name under state.<state>).
    """
    fs = font_size(big) + 1
    df = df.assign(shade=df["relative"].clip(lower=floor), shown="state." + df["state"])
    df = df.assign(shown=df["shown"].map(names))
    models = list(dict.fromkeys(df.model))
    base = alt.Chart().encode(
        x=alt.X("column:O", axis=None),
        y=alt.Y("line:O", axis=None),
        text="word:N",
        tooltip=[alt.Tooltip("word:N", title=names["word"]), alt.Tooltip("gradient:Q", title=names["gradient"],
                                                                         format=".2e"),
                 alt.Tooltip("relative:Q", title=names["relative"], format=".1f"),
                 alt.Tooltip("shown:N", title=names["status"])])
    read = base.transform_filter("datum.state == 'read'").mark_text(fontSize=fs, fontWeight="bold").encode(
        color=alt.Color("shade:Q", title=names["relative"],
                        scale=alt.Scale(scheme="inferno", domain=[floor, 0], reverse=True),
                        legend=alt.Legend(orient="top", gradientLength=260)))
    other = base.transform_filter("datum.state != 'read'").mark_text(fontSize=fs, fontStyle="italic").encode(
        color=alt.value(GREY), opacity=alt.condition("datum.state == 'zero'", alt.value(0.9), alt.value(0.45)))
    lines = int(df["line"].max()) + 1 if len(df) else 1
    chart = alt.layer(other, read, data=df).properties(width=alt.Step(95 if big else WORD_STEP),
                                                       height=(34 if big else 26) * lines)
    chart = chart.facet(row=alt.Row("model:N", title=None, sort=models,
                                   header=alt.Header(labelAngle=0, labelAlign="left", labelFontSize=fs,
                                                     labelOrient="top", labelFontWeight="bold")))
    return style(chart.properties(title=title(names["title"], big=big)), big)


# --- text alternatives: one sentence per chart, from the chart's own inputs (ui.charts.chart finds f_summary)

def trajectory_summary(df, names, big=False):
    """Each model's P(positive) before any word and after the last word it was shown."""
    said = [names["summary_model"].format(model=model, start=pct(rows.loc[rows.position.idxmin(), "probability"]),
                                          end=pct(rows.loc[rows.position.idxmax(), "probability"]))
            for model, rows in df.groupby("model", sort=False)]
    return names["summary_trajectory"].format(models="; ".join(said))


def gradient_summary(df, names, big=False, floor=-6):
    """For each model, the word the output depends on most (the largest gradient) and how many words it read."""
    said = []
    for model, rows in df.groupby("model", sort=False):
        read = rows[rows.state == "read"]
        if len(read):
            top = read.loc[read.gradient.idxmax()]
            said.append(names["summary_top"].format(model=model, word=plain_word(top.word), position=top.position + 1,
                                                    read=len(read)))
        else:
            said.append(names["summary_unread"].format(model=model))
    return names["summary"].format(models="; ".join(said))

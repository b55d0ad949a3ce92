"""Charts of training: learning curves, validation accuracy against the published value, confusion matrix, many runs."""
import altair as alt
import numpy as np
import pandas as pd

from rnn_core.charts.spec import num, pct
from rnn_core.charts.theme import BLUE, GREEN, GREY, INK, ORANGE, PINK, SERIES, VIOLET, font_size, height, style, title

REF_COLORS = [GREEN, ORANGE, VIOLET]        # the published accuracies
METRICS = ("loss", "val_loss", "val_accuracy")
def history_frame(history, keys):
    """Long table, one row per (epoch, series) for the given history keys (epochs counted from 1)."""
    rows = [{"epoch": i + 1, "key": k, "value": float(v)}
            for k in keys for i, v in enumerate(history.get(k, []))]
    return pd.DataFrame(rows, columns=["epoch", "key", "value"])


def _epoch_axis(n_epochs, title):
    return alt.X("epoch:Q", title=title, scale=alt.Scale(domain=[1, max(n_epochs, 2)], nice=False),
                 axis=alt.Axis(tickMinStep=1, format="d"))


def learning_curves(history, names, big=False):
    """Training and validation loss per epoch (drawn as epochs finish); names: the page's [chart] labels."""
    n = names
    df = history_frame(history, ["loss", "val_loss"])
    df["series"] = df["key"].map({"loss": n["loss"], "val_loss": n["val_loss"]})
    chart = alt.Chart(df).mark_line(point=True, strokeWidth=3 if big else 2).encode(
        x=_epoch_axis(int(df["epoch"].max()) if len(df) else 1, n["epoch"]),
        y=alt.Y("value:Q", title=n["value"], scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=n["series"] or None,
                        scale=alt.Scale(domain=[n["loss"], n["val_loss"]], range=[BLUE, PINK])),
        tooltip=[alt.Tooltip("epoch:Q", title=n["epoch"]), alt.Tooltip("series:N", title=n["series"] or " "),
                 alt.Tooltip("value:Q", title=n["value"], format=".4f")],
    ).properties(height=height(big), width="container", title=title(n["loss_title"], big=big))
    return style(chart, big)


def accuracy_chart(history, references, names, big=False):
    """Validation accuracy per epoch, with a dashed line for each published value (references: label -> accuracy)."""
    n = names
    references = references or {}
    df = history_frame(history, ["val_accuracy"])
    refs = pd.DataFrame([{"label": f"{label} {value:.4f}", "value": value} for label, value in references.items()],
                        columns=["label", "value"])
    values = list(df["value"]) + list(refs["value"])
    # from chance (0.5) or below, to a little above the best value
    domain = [max(0.0, min([0.5] + [v - 0.02 for v in values])), min(1.0, max([0.6] + values) + 0.04)]
    x = _epoch_axis(int(df["epoch"].max()) if len(df) else 1, n["epoch"])
    y = alt.Y("value:Q", title=n["val_accuracy"], scale=alt.Scale(domain=domain), axis=alt.Axis(format=".0%"))
    line = alt.Chart(df).mark_line(point=True, color=PINK, strokeWidth=3 if big else 2).encode(
        x=x, y=y, tooltip=[alt.Tooltip("epoch:Q", title=n["epoch"]),
                           alt.Tooltip("value:Q", title=n["val_accuracy"], format=".4f")])
    colors = alt.Scale(domain=list(refs["label"]), range=REF_COLORS[:len(refs)] or [GREY])
    rules = alt.Chart(refs).mark_rule(strokeDash=[6, 4], strokeWidth=2).encode(
        y=alt.Y("value:Q", scale=alt.Scale(domain=domain)),
        color=alt.Color("label:N", title=n["reference"] or None, scale=colors))
    chart = alt.layer(rules, line).properties(height=height(big), width="container",
                                              title=title(n["accuracy_title"], big=big))
    return style(chart, big)


def confusion_chart(matrix, names, big=False):
    """The 2x2 confusion matrix as a heat map with the counts written in (rows: true label, columns: prediction)."""
    n = names
    labels = [n["neg"], n["pos"]]
    df = pd.DataFrame([{"true": labels[i], "pred": labels[j], "count": int(matrix[i][j]), "right": i == j}
                       for i in range(2) for j in range(2)])
    fs = font_size(big)
    base = alt.Chart(df).encode(
        x=alt.X("pred:N", title=n["pred"], sort=labels, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("true:N", title=n["true"], sort=labels))
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="purplered"), legend=None),
        tooltip=[alt.Tooltip("true:N", title=n["true"]), alt.Tooltip("pred:N", title=n["pred"]),
                 alt.Tooltip("count:Q", title=n["count"])])
    text = base.mark_text(fontSize=fs + 10, fontWeight="bold").encode(
        text="count:Q",
        color=alt.condition(alt.datum.count > df["count"].max() / 2, alt.value("white"), alt.value(INK)))
    chart = alt.layer(cells, text).properties(height=int(height(big) * 0.8), width="container",
                                              title=title(n["confusion_title"], big=big))
    return style(chart, big)


def runs_frame(histories, metrics=METRICS):
    """Long table of many runs' histories ((name, history) pairs): one row per (run, metric, epoch)."""
    rows = [{"run": name, "metric": m, "epoch": i + 1, "value": float(v)}
            for name, history in histories for m in metrics for i, v in enumerate(history.get(m, []))]
    return pd.DataFrame(rows, columns=["run", "metric", "epoch", "value"])


def runs_chart(histories, names, metric, big=False):
    """One metric's curves over epochs, one coloured line per run; the chart takes its column's width.

    histories: (run name, history) pairs, e.g. [(r.name, r.history) for r in runs]. Pages put each metric in its own
    column (ui.charts.runs_panels), so a phone stacks them.
    """
    n = names
    df = runs_frame(histories, (metric,))
    run_names = list(dict.fromkeys(df["run"]))
    color = alt.Color("run:N", title=n["run"], scale=alt.Scale(
        domain=run_names, range=[SERIES[i % len(SERIES)] for i in range(len(run_names))]),
        legend=alt.Legend(columns=1, labelLimit=0))                       # a narrow column: one run a line
    y = alt.Y("value:Q", title=n.get(metric, metric), scale=alt.Scale(zero=False),
              axis=alt.Axis(format=".0%") if "accuracy" in metric else alt.Axis())
    panel = alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("epoch:Q", title=n["epoch"], axis=alt.Axis(tickMinStep=1, format="d")), y=y, color=color,
        tooltip=[alt.Tooltip("run:N", title=n["run"]), alt.Tooltip("epoch:Q", title=n["epoch"]),
                 alt.Tooltip("value:Q", title=n.get(metric, metric), format=".4f")],
    ).properties(height=int(height(big) * 0.7), title=title(n.get(metric, metric), big=big))
    return style(panel, big)


# --- text alternatives: one sentence per chart, from the chart's own inputs (ui.charts.chart finds f_summary)

def learning_curves_summary(history, names, big=False):
    """Where the training and validation loss start and end, and the epoch of the lowest validation loss."""
    loss, val = list(history.get("loss", [])), list(history.get("val_loss", []))
    if not loss:
        return names["summary_wait"]
    said = names["summary_loss"].format(n=len(loss), first=num(loss[0]), last=num(loss[-1]))
    if val:
        best = int(np.argmin(val))
        said += " " + names["summary_val_loss"].format(last=num(val[-1]), low=num(val[best]), epoch=best + 1)
    return said


def accuracy_summary(history, references, names, big=False):
    """Validation accuracy's first, last and best epoch, against the published values."""
    acc = list(history.get("val_accuracy", []))
    if not acc:
        return names["summary_wait"]
    best = int(np.argmax(acc))
    said = names["summary_accuracy"].format(n=len(acc), first=pct(acc[0]), last=pct(acc[-1]), best=pct(acc[best]),
                                            epoch=best + 1)
    if references:
        said += " " + names["summary_references"].format(
            values=", ".join(f"{label} {value:.1%}" for label, value in references.items()))
    return said


def confusion_summary(matrix, names, big=False):
    """How many validation reviews are right, and the two kinds of mistake."""
    (tn, fp), (fn, tp) = [[int(c) for c in row] for row in matrix]
    n = tn + fp + fn + tp
    return names["summary_confusion"].format(right=f"{tn + tp:,}", n=f"{n:,}", acc=f"{(tn + tp) / n:.1%}" if n else "–",
                                             fp=f"{fp:,}", fn=f"{fn:,}")


def runs_summary(histories, names, metric, big=False):
    """How many runs, and which one ends best on this metric: the highest accuracy, or the lowest loss."""
    m = metric
    last = [(h[m][-1], name) for name, h in histories if h.get(m)]
    if not last:
        return names["summary_runs_none"].format(k=len(histories))
    value, name = max(last) if "accuracy" in m else min(last)
    return names["summary_runs"].format(k=len(histories), metric=names.get(m, m), run=name,
                                        best=f"{value:.1%}" if "accuracy" in m else f"{value:.3f}")

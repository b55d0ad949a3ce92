"""Charts of the unrolling page: one step's terms as bars, the output trajectory, H over time, a batch at one step.

Each function returns a Vega-Lite spec (a dict) built from a cached Altair template (see charts/spec.py).
Streamlit fits a chart's whole drawing (titles and axes too) into its height. Charts that sit one above
the other reserve the same room for their y axis, so their time axes line up.
"""
import altair as alt
import numpy as np
import pandas as pd

from rnn_core.charts.spec import fill, named, template
from rnn_core.charts.theme import BLUE, DIVERGING, GREY, INK, ORANGE, PINK, font_size, style, title

SIGN = alt.Scale(domain=["+", "-"], range=[ORANGE, BLUE])      # positive orange, negative blue


def _cells(matrix, **labels):
    """Long form of a matrix (rows, n_c): one row per (row, cell) with its value; labels name each row."""
    matrix = np.asarray(matrix, dtype=float)
    n_rows, n_cells = matrix.shape
    df = pd.DataFrame({k: np.repeat(np.asarray(v), n_cells) for k, v in labels.items()})
    df["cell"] = np.tile(np.arange(n_cells), n_rows)
    df["value"] = matrix.ravel()
    return df


@template
def _term(title, names, big, n_cells, first):
    fs = font_size(big)
    y = alt.Y("cell:O", title=names["cell"] if first else None,
              axis=alt.Axis(labels=first, ticks=first, labelFontSize=fs - 2, values=list(range(0, n_cells, 2 if big
                                                                                                  else 1))))
    x = alt.X("value:Q", title=None, scale=alt.Scale(zero=True, nice=False), axis=alt.Axis(tickCount=3, grid=True))
    frame = named("frame").mark_point(opacity=0).encode(x=x)               # the same x range in every panel
    bars = named("values").transform_calculate(sign="datum.value >= 0 ? '+' : '-'").mark_bar().encode(
        y=y, x=x, color=alt.Color("sign:N", scale=SIGN, legend=None),
        tooltip=[alt.Tooltip("cell:O", title=names["cell"]), alt.Tooltip("value:Q", format=".4f", title=title)])
    labels = [named("values").mark_text(align=align, dx=dx, fontSize=fs - 4).encode(
        y=y, x=x, text=alt.Text("value:Q", format=".2f")).transform_filter(test)
        for align, dx, test in (("left", 3, "datum.value >= 0"), ("right", -3, "datum.value < 0"))]
    return style(alt.layer(frame, bars, *labels).properties(height=(22 if big else 15) * n_cells + 50,
                                                                 title=title), big)


def term_chart(values, title, limit, names, big=False, first=True):
    """One term of a step (e.g. Z1_t) as a bar per cell with its value; x runs over [-limit, limit] in every panel."""
    return fill(_term(title=title, names=names, big=big, n_cells=len(values), first=first),
                values=_cells(np.reshape(values, (1, -1))), frame=pd.DataFrame({"value": [-limit, limit]}))


def _time_axis(names):
    return alt.X("step:Q", title=names["step"], scale=alt.Scale(zero=False, nice=False),
                 axis=alt.Axis(tickMinStep=1, format="d"))


Y_ROOM = 64     # pixels for the y axis of both time charts, so that their time axes line up


@template
def _trajectory(names, big):
    x = _time_axis(names)
    line = named("prob").mark_line(color=PINK, strokeWidth=3 if big else 2, point=alt.OverlayMarkDef(
        color=PINK, size=40 if big else 20)).encode(
        x=x, y=alt.Y("prob:Q", title=names["prob"], scale=alt.Scale(domain=[0, 1]),
                     axis=alt.Axis(minExtent=Y_ROOM, maxExtent=Y_ROOM, tickCount=5)),
        tooltip=[alt.Tooltip("step:Q", title=names["step"]), alt.Tooltip("word:N", title=names["word"]),
                 alt.Tooltip("prob:Q", format=".3f", title=names["prob"])])
    frame = named("frame").mark_point(opacity=0).encode(x=x)
    half = named("half").mark_rule(color=GREY, strokeDash=[4, 4]).encode(y="prob:Q")
    now = named("now").mark_rule(color=INK, strokeWidth=2).encode(x="step:Q")
    here = named("now").mark_circle(size=220 if big else 120, color=INK).encode(x="step:Q", y="prob:Q")
    return style((frame + half + line + now + here).properties(height=420 if big else 330,
                                                                title=title(names["traj_title"], big=big)), big)


def _frame(n_steps):
    return pd.DataFrame({"step": [0.5, n_steps + 0.5]})


def trajectory_chart(prob, words, step, names, big=False):
    """The output if the review ended at each step, the current step marked: a sentiment trajectory over the words."""
    steps = np.arange(1, len(prob) + 1)
    return fill(_trajectory(names=names, big=big), prob=pd.DataFrame({"step": steps, "prob": prob, "word": words}),
                frame=_frame(len(prob)), half=pd.DataFrame({"prob": [0.5]}),
                now=pd.DataFrame({"step": [step], "prob": [prob[step - 1]]}))


@template
def _heatmap(names, big, n_cells):
    heat = named("h").transform_lookup(lookup="step", from_=alt.LookupData(alt.NamedData(name="words"), "step",
                                                                           ["word"])).mark_rect().encode(
        x=alt.X("x0:Q", title=names["step"], scale=alt.Scale(zero=False, nice=False),
                axis=alt.Axis(tickMinStep=1, format="d")), x2="x1:Q",
        y=alt.Y("cell:O", title=names["cell"], axis=alt.Axis(values=list(range(0, n_cells, 4)), minExtent=Y_ROOM,
                                                             maxExtent=Y_ROOM)),
        color=alt.Color("value:Q", title="H", scale=alt.Scale(scheme=DIVERGING, domain=[-1, 1], domainMid=0),
                        legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=160)),
        tooltip=[alt.Tooltip("step:Q", title=names["step"]), alt.Tooltip("word:N", title=names["word"]),
                 alt.Tooltip("cell:O", title=names["cell"]), alt.Tooltip("value:Q", format=".3f", title="H")])
    marker = named("now").mark_rect(fill=None, stroke=INK, strokeWidth=2).encode(x="x0:Q", x2="x1:Q")
    room = 190 if big else 160                                     # a title of up to three lines, time axis, legend
    return style((heat + marker).properties(height=(9 if big else 7) * n_cells + room,
                                            title=title(names["heat_title"], big=big)), big)


def heatmap_chart(h, words, step, names, big=False):
    """H as a heatmap, cells x time steps (h is H_1..H_T of one review, (T, n_c)), the current step framed (none:
    no frame, the same chart at every step)."""
    n_steps, n_cells = h.shape
    steps = np.arange(1, n_steps + 1)
    heat = _cells(h, step=steps)                                   # the words come in by a lookup on the step
    heat["x0"], heat["x1"] = heat["step"] - 0.5, heat["step"] + 0.5
    return fill(_heatmap(names=names, big=big, n_cells=n_cells), h=heat,
                words=pd.DataFrame({"step": steps, "word": words}),
                now=pd.DataFrame({"x0": [step - 0.5] if step else [], "x1": [step + 0.5] if step else []}))


@template
def _batch(term, names, big, m):
    heat = named("batch").mark_rect(stroke="white", strokeWidth=0.5).encode(
        x=alt.X("cell:O", title=names["cell"], axis=alt.Axis(values=list(range(0, 64, 8)), labelAngle=0)),
        y=alt.Y("row:N", title=None, sort=None, axis=alt.Axis(labelLimit=160)),
        color=alt.Color("value:Q", title=None, legend=alt.Legend(orient="bottom", gradientLength=160),
                        scale=alt.Scale(scheme=DIVERGING, domain=[-1, 1], domainMid=0, clamp=True)),
        tooltip=[alt.Tooltip("row:N", title=names["review"]), alt.Tooltip("cell:O", title=names["cell"]),
                 alt.Tooltip("value:Q", format=".3f", title=term)])
    return style(heat.properties(height=_row(big) * m, title=term), big)


def _row(big):
    return 36 if big else 20


def batch_height(m, big=False):
    """The height to give Streamlit for a batch chart of m rows: it fits title, axis, legend and rows into it."""
    return _row(big) * m + (280 if big else 210)


def batch_chart(values, term, rows, names, big=False):
    """One term of one step for a whole batch: an (m, n_c) matrix, one row per review (labelled by `rows`).

    The page draws one per term side by side in columns, which a phone stacks (a facet would not fit its width)."""
    return fill(_batch(term=term, names=names, big=big, m=len(rows)), batch=_cells(values, row=list(rows)))


# --- text alternatives: one sentence per chart, from the chart's own inputs (ui.charts.chart finds f_summary)

def term_summary(values, title, limit, names, big=False, first=True):
    """One term's range over the cells and how many cells are positive."""
    v = np.asarray(values, dtype=float).ravel()
    return names["summary"].format(term=title, n=len(v), low=f"{v.min():+.2f}", high=f"{v.max():+.2f}",
                                   positive=int((v > 0).sum()))


def trajectory_summary(prob, words, step, names, big=False):
    """The output at the current step, where it started and where it ends."""
    p = np.asarray(prob, dtype=float)
    return names["summary_trajectory"].format(step=step, steps=len(p), now=f"{p[step - 1]:.2f}",
                                              first=f"{p[0]:.2f}", last=f"{p[-1]:.2f}")


def heatmap_summary(h, words, step, names, big=False):
    """How many cells of H are saturated (|H| > 0.9) at the framed step (the last one while playing)."""
    h = np.asarray(h, dtype=float)
    at = step or h.shape[0]
    now = np.abs(h[at - 1])
    return names["summary_heat"].format(cells=h.shape[1], steps=h.shape[0], step=at, mean=f"{now.mean():.2f}",
                                        saturated=int((now > SATURATED).sum()))


SATURATED = 0.9     # |H| above this: the cell's tanh is close to its limit


def batch_summary(values, term, rows, names, big=False):
    """The term's range over the whole batch at this step: one row per review."""
    v = np.asarray(values, dtype=float)
    return names["summary"].format(m=len(rows), cells=v.shape[-1], term=term, low=f"{v.min():+.2f}",
                                   high=f"{v.max():+.2f}")

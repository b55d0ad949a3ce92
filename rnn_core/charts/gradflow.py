"""Charts of the gradient-flow page: |delta_t| per step, eigenvalues of W1h, each step's share of dL/dW1h, clipping.

Each function returns a Vega-Lite spec (a dict) built from a cached Altair template (see charts/spec.py).
"""
import altair as alt
import numpy as np
import pandas as pd

from rnn_core.charts.spec import fill, named, num, pct, template
from rnn_core.charts.theme import BLUE, GREY, PINK, height, style, title

ROOM = 60      # px on top of the theme's height: Streamlit fits a two-line title and the legend into a chart's height


def _positive(df):
    """The rows a log scale can show: norms that are exactly 0 (H_0 = 0, or underflow) are left out."""
    return df[df["norm"] > 0]


@template
def _delta(names, big):
    line = named("delta").mark_line(color=PINK, strokeWidth=3 if big else 2, point=alt.OverlayMarkDef(
        color=PINK, size=30 if big else 16)).encode(
        x=alt.X("step:Q", title=names["step"], scale=alt.Scale(zero=False, nice=False)),
        y=alt.Y("norm:Q", title=names["norm"], scale=alt.Scale(type="log")),
        tooltip=[alt.Tooltip("step:Q", title=names["step"]), alt.Tooltip("back:Q", title=names["back"]),
                 alt.Tooltip("norm:Q", title=names["norm"], format=".3e")],
    )
    start = named("start").mark_rule(color=GREY, strokeDash=[5, 4]).encode(y="norm:Q")
    return style((start + line).properties(height=height(big) + ROOM, title=title(names["title"], big=big)), big)


def delta_norm_chart(norms, names, big=False):
    """|delta_t| at every time step on a log scale; the error starts at the last step and flows to the left."""
    steps = np.arange(1, len(norms) + 1)
    df = pd.DataFrame({"step": steps, "norm": norms, "back": len(norms) - steps})
    return fill(_delta(names=names, big=big), delta=_positive(df), start=_positive(df.tail(1)))


def delta_norm_summary(norms, names, big=False):
    """One sentence from the live norms: what is left of the error signal after flowing back to the first step."""
    norms = np.asarray(norms, dtype=float)
    ratio = norms[0] / norms[-1] if norms[-1] > 0 else float("inf")
    return names["summary"].format(back=len(norms) - 1, ratio=f"{ratio:.3g}")


@template
def _eigen(names, big):
    frame = named("frame").mark_point(opacity=0).encode(
        x=alt.X("re:Q", title=names["re"], scale=alt.Scale(nice=False, zero=False)),
        y=alt.Y("im:Q", title=names["im"], scale=alt.Scale(nice=False, zero=False)))
    circle = named("circle").mark_line(color=GREY, strokeDash=[5, 4]).encode(x="re:Q", y="im:Q", order="i:Q")
    dots = named("eig").mark_circle(size=110 if big else 60, color=PINK, opacity=0.85).encode(
        x="re:Q", y="im:Q",
        tooltip=[alt.Tooltip("re:Q", format=".3f", title=names["re"]),
                 alt.Tooltip("im:Q", format=".3f", title=names["im"]),
                 alt.Tooltip("abs:Q", format=".3f", title="|λ|")],
    )
    # Streamlit fits title and axes into the size: add their room to keep a square. In lecture mode the chart's half
    # of a 1280 px window is ~440 px wide: a square of 330 px and its axes fit (the usual 420 was cut at the right).
    side = 330 if big else height(big)
    size = dict(width=side + (85 if big else 62), height=side + (110 if big else 85))
    return style((frame + circle + dots).properties(**size, title=title(names["title"], big=big)), big)


def eigen_chart(eigenvalues, names, big=False):
    """The eigenvalues of W1h in the complex plane against the unit circle |lambda| = 1."""
    r = max(1.25, float(np.max(np.abs(eigenvalues))) * 1.1)
    angle = np.linspace(0, 2 * np.pi, 181)
    return fill(_eigen(names=names, big=big),
                frame=pd.DataFrame({"re": [-r, r], "im": [-r, r]}),     # a square, symmetric view
                circle=pd.DataFrame({"re": np.cos(angle), "im": np.sin(angle), "i": np.arange(181)}),
                eig=pd.DataFrame({"re": eigenvalues.real, "im": eigenvalues.imag, "abs": np.abs(eigenvalues)}))


@template
def _contribution(names, big):
    parts = alt.Scale(domain=[names["kept"], names["dropped"]], range=[PINK, GREY])
    legend = alt.Legend(orient="top", symbolType="circle", symbolOpacity=1)   # not the band's pale 0.08
    band = named("band").mark_rect(opacity=0.08).encode(
        x=alt.X("a:Q", title=names["step"], scale=alt.Scale(zero=False, nice=False)), x2="b:Q",
        color=alt.Color("part:N", scale=parts, title=None, legend=legend))
    dots = named("points").mark_circle(size=70 if big else 36, opacity=0.9).encode(
        x="step:Q", y=alt.Y("norm:Q", title=names["norm"], scale=alt.Scale(type="log")),
        color=alt.Color("part:N", title=None, scale=parts, legend=legend),
        tooltip=[alt.Tooltip("step:Q", title=names["step"]), alt.Tooltip("norm:Q", format=".3e", title=names["norm"]),
                 alt.Tooltip("part:N", title=" ")],
    )
    return style((band + dots).properties(height=height(big) + ROOM, title=title(names["title"], big=big)), big)


def contribution_chart(norms, window, names, big=False):
    """Each step's share of dL/dW1h (log scale), the truncation window shaded: kept steps in colour, dropped in grey."""
    n = len(norms)
    steps = np.arange(1, n + 1)
    cut = max(n - window, 0) + 0.5                               # steps after `cut` are backpropagated
    part = np.where(steps > cut, names["kept"], names["dropped"])
    return fill(_contribution(names=names, big=big),
                band=pd.DataFrame({"a": [0.5, cut], "b": [cut, n + 0.5], "part": [names["dropped"], names["kept"]]}),
                points=_positive(pd.DataFrame({"step": steps, "norm": norms, "part": part})))


@template
def _clipping(names, big):
    kinds = [names["raw"], names["clipped"]]
    legend = alt.Legend(orient="top", columns=2, labelLimit=130, symbolType="stroke", symbolStrokeWidth=3)  # a phone
    lines = named("lines").mark_line(strokeWidth=3 if big else 2, point=True).encode(
        x=alt.X("radius:Q", title=names["radius"], scale=alt.Scale(zero=False)),
        y=alt.Y("norm:Q", title=names["norm"], scale=alt.Scale(type="log")),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=kinds, range=[PINK, BLUE]), legend=legend),
        strokeDash=alt.StrokeDash("kind:N", title=None, legend=legend,      # one legend: each name with its line
                                  scale=alt.Scale(domain=kinds, range=[[1, 0], [6, 3]])),
        tooltip=[alt.Tooltip("radius:Q", format=".2f", title=names["radius"]),
                 alt.Tooltip("norm:Q", format=".3e", title=names["norm"]), alt.Tooltip("kind:N", title=" ")],
    )
    here = named("here").mark_rule(color=GREY, strokeDash=[4, 4]).encode(x="radius:Q")
    return style((here + lines).properties(height=height(big) + ROOM, title=title(names["title"], big=big)), big)


def clipping_chart(radii, raw, clipped, current, names, big=False):
    """The gradient's norm as the spectral radius grows (log scale), before and after clipping."""
    lines = pd.DataFrame({"radius": np.concatenate([radii, radii]), "norm": np.concatenate([raw, clipped]),
                          "kind": [names["raw"]] * len(radii) + [names["clipped"]] * len(radii)})
    return fill(_clipping(names=names, big=big), lines=_positive(lines), here=pd.DataFrame({"radius": [current]}))


def eigen_summary(eigenvalues, names, big=False):
    """The spectral radius and how many eigenvalues lie inside the unit circle."""
    size = np.round(np.abs(np.asarray(eigenvalues)), 3)           # as written: 1.000 is on the circle, not inside
    inside = int((size < 1).sum())
    return names["summary"].format(n=len(size), radius=f"{size.max():.3f}", inside=inside, outside=len(size) - inside)


def contribution_summary(norms, window, names, big=False):
    """The share of the summed step contributions that the truncation window keeps."""
    norms = np.asarray(norms, dtype=float)
    kept = norms[max(len(norms) - window, 0):].sum()
    return names["summary"].format(n=len(norms), window=min(window, len(norms)),
                                   share=pct(kept / norms.sum() if norms.sum() > 0 else 1.0))


def clipping_summary(radii, raw, clipped, current, names, big=False):
    """The gradient's norm at the smallest and largest radius, before and after clipping."""
    raw, clipped = np.asarray(raw, dtype=float), np.asarray(clipped, dtype=float)
    return names["summary"].format(low=f"{radii[0]:g}", high=f"{radii[-1]:g}", raw_low=num(raw[0]),
                                   raw_high=num(raw[-1]), clipped_high=num(clipped[-1]),
                                   ratio=num(raw[-1] / raw[0] if raw[0] > 0 else float("inf")))

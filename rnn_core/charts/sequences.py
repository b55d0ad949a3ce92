"""Charts of the sequences page: outputs per word order, the temperature series, lag plots, the cell diagrams."""
import altair as alt
import numpy as np
import pandas as pd

from rnn_core.charts.theme import DARK, GREY, INK, PINK, TINTS, config, font_size, style, title

MODEL_COLORS = [GREY, PINK]     # dense (grey), RNN (the app's pink)
SUBSCRIPTS = str.maketrans("0123456789txh", "₀₁₂₃₄₅₆₇₈₉ₜₓₕ")


def sub(text):
    """Unicode subscripts for a symbol's index: sub('1x') -> '₁ₓ'."""
    return str(text).translate(SUBSCRIPTS)


def orders_chart(order_texts, dense, rnn, names, big=False):
    """Both models' outputs for every word order: a flat line for the dense network, a jagged one for the RNN."""
    n = len(order_texts)
    rows = [{"order": i + 1, "text": text, "model": model, "output": float(out)}
            for model, outs in ((names["dense"], dense), (names["rnn"], rnn))
            for i, (text, out) in enumerate(zip(order_texts, outs))]
    # Few orders: the orders themselves on the axis. Many: their numbers (the words are in the tooltip).
    x = (alt.X("text:N", sort=list(order_texts), title=names["order"], axis=alt.Axis(labelAngle=-20, labelLimit=220))
         if n <= 6 else alt.X("order:Q", title=names["order_number"], scale=alt.Scale(domain=[1, n])))
    base = alt.Chart(pd.DataFrame(rows)).encode(
        x=x,
        y=alt.Y("output:Q", title=names["output"], scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("model:N", title=None, scale=alt.Scale(range=MODEL_COLORS),
                        sort=[names["dense"], names["rnn"]],
                        legend=alt.Legend(orient="top", labelLimit=420, columns=1)),
        tooltip=[alt.Tooltip("order:Q", title="#"), alt.Tooltip("text:N", title=names["order"]),
                 alt.Tooltip("model:N", title=" "), alt.Tooltip("output:Q", format=".4f", title=names["output"])],
    )
    points = base.mark_circle(size=90 if big else 50, opacity=0.9) if n <= 200 else base.mark_circle(size=12)
    # Streamlit fits title, legend, slanted labels and plot into the height: with 280 px the plot kept about 80
    return style((base.mark_line(strokeWidth=2 if n <= 200 else 0.6, opacity=0.7) + points).properties(
        height=ORDERS_HEIGHT[big], title=title(names["title"], big=big)), big)


ORDERS_HEIGHT = {False: 420, True: 560}     # px: the whole chart (its plot: about 230 and 300)


def series_chart(series, names, big=False):
    """The hourly temperatures as a line over the hours."""
    df = pd.DataFrame({"hour": range(len(series)), "temp": series})
    chart = alt.Chart(df).mark_line(color=PINK, point=alt.OverlayMarkDef(size=14, color=PINK)).encode(
        x=alt.X("hour:Q", title=names["hour"], scale=alt.Scale(domain=[0, len(series) - 1], nice=False),
                axis=alt.Axis(values=list(range(0, len(series) + 1, 24)))),
        y=alt.Y("temp:Q", title=names["temp"], scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("hour:Q", title=names["hour"]), alt.Tooltip("temp:Q", format=".1f", title=names["temp"])],
    ).properties(height=340 if big else 250, title=title(names["series_title"], big=big))
    return style(chart, big)


def lag_chart(now, later, lag, names, shuffled, domain, big=False):
    """A lag plot: each point is (this hour, the hour `lag` later); a tight diagonal cloud means this hour tells that.

    shuffled: the series was shuffled (the chart's title says so).
    """
    df = pd.DataFrame({"now": now, "later": later})
    title, later_title = names["shuffled" if shuffled else "in_order"], names["later"].format(lag=lag)
    scale = alt.Scale(domain=list(domain))
    diagonal = alt.Chart(pd.DataFrame({"a": list(domain)})).mark_line(color=GREY, strokeDash=[4, 4]).encode(
        x=alt.X("a:Q", scale=scale), y=alt.Y("a:Q", scale=scale))
    dots = alt.Chart(df).mark_circle(size=30 if big else 20, opacity=0.55, color=PINK).encode(
        x=alt.X("now:Q", title=names["now"], scale=scale),
        y=alt.Y("later:Q", title=later_title, scale=scale),
        tooltip=[alt.Tooltip("now:Q", format=".1f", title=names["now"]),
                 alt.Tooltip("later:Q", format=".1f", title=later_title)],
    )
    return style((diagonal + dots).properties(title=title, height=340 if big else 280), big)


def _diagram(boxes, arrows, texts, x_domain, y_domain, height, big):
    """Boxes, arrows and labels on a blank canvas with fixed coordinates, as a Vega-Lite spec (a dict).

    Written as a plain spec rather than with Altair: Altair takes ~0.1 s to build and copy these
    seven layers, and the diagram is redrawn whenever the sentence or n_c changes.
    """
    heads = [a for a in arrows if a["head"]]
    groups = sorted({(t["align"], t["weight"]) for t in texts})
    rows = ([dict(b, part="box") for b in boxes] + [dict(a, part="arrow") for a in arrows]
            + [dict(a, part="head") for a in heads] + [dict(t, part=f"text-{t['align']}-{t['weight']}") for t in texts])

    def layer(part, mark, **encoding):
        x = {"field": "x", "type": "quantitative", "scale": {"domain": x_domain}, "axis": None}
        y = {"field": "y", "type": "quantitative", "scale": {"domain": y_domain}, "axis": None}
        return {"transform": [{"filter": {"field": "part", "equal": part}}], "mark": mark,
                "encoding": {"x": x, "y": y, **encoding}}

    ends = {"x2": {"field": "x2"}, "y2": {"field": "y2"}}
    box_colors = {"field": "kind", "type": "nominal", "legend": None,
                  "scale": {"domain": list(TINTS), "range": list(TINTS.values())}}
    layers = [
        layer("box", {"type": "rect", "stroke": DARK, "strokeWidth": 1.5, "cornerRadius": 6},
              color=box_colors, **ends),
        layer("arrow", {"type": "rule", "color": DARK, "strokeWidth": 2}, **ends),
        layer("head", {"type": "point", "shape": "triangle", "filled": True, "size": 260 if big else 150,
                       "color": DARK, "opacity": 1},
              angle={"field": "angle", "type": "quantitative", "scale": None}),
    ]
    layers[2]["encoding"]["x"]["field"], layers[2]["encoding"]["y"]["field"] = "x2", "y2"   # heads sit at the end
    layers += [layer(f"text-{align}-{weight}", {"type": "text", "fontSize": font_size(big) + 1, "color": INK,
                                                  "align": align, "fontWeight": weight},
                     text={"field": "text", "type": "nominal"}) for align, weight in groups]
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "data": {"values": rows},
            "height": height, "layer": layers, "config": config(big)}


def _arrow(x, y, x2, y2, head=True):
    """An arrow from (x, y) to (x2, y2), horizontal or vertical, its head turned the right way."""
    angle = 90 if x2 > x else 270 if x2 < x else 0 if y2 > y else 180
    return {"x": x, "y": y, "x2": x2, "y2": y2, "angle": angle, "head": head}


def _text(x, y, text, align="center", weight="normal"):
    return {"x": x, "y": y, "text": text, "align": align, "weight": weight}


def folded_cell_chart(shapes, names, big=False):
    """One recurrent cell with its loop (a Vega-Lite spec): X_t comes in through W1x, H_t goes out and back via W1h."""
    boxes = [
        {"x": 0.4, "x2": 2.6, "y": 0.1, "y2": 1.2, "kind": "input"},
        {"x": 0.4, "x2": 2.6, "y": 2.2, "y2": 3.6, "kind": "cell"},
        {"x": 0.4, "x2": 2.6, "y": 4.7, "y2": 5.8, "kind": "state"},
    ]
    arrows = [
        _arrow(1.1, 1.2, 1.1, 2.2),                                       # X_t -> cell
        _arrow(1.5, 3.6, 1.5, 4.7),                                       # cell -> H_t
        _arrow(1.5, 4.15, 3.3, 4.15, head=False),                         # the loop: out to the right,
        _arrow(3.3, 4.15, 3.3, 1.65, head=False),                         # down,
        _arrow(3.3, 1.65, 1.9, 1.65, head=False),                         # back left,
        _arrow(1.9, 1.65, 1.9, 2.2),                                      # and up into the cell: H_{t-1}
    ]
    texts = [
        _text(1.5, 0.85, f"X{sub('t')}", weight="bold"), _text(1.5, 0.45, shapes["X_t"]),
        _text(1.5, 3.15, names["cell"], weight="bold"), _text(1.5, 2.65, f"tanh · {shapes['n_c']}"),
        _text(1.5, 5.45, f"H{sub('t')}", weight="bold"), _text(1.5, 5.05, shapes["H"]),
        _text(1.0, 1.65, f"W{sub('1x')} {shapes['W1x']}", align="right"),
        _text(3.4, 2.9, f"W{sub('1h')} {shapes['W1h']}", align="left"),
        _text(3.4, 2.4, names["loop"], align="left"),
    ]
    return _diagram(boxes, arrows, texts, [-1.8, 6.2], [0, 5.9], 340 if big else 290, big)


def unrolled_chart(words, shapes, names, big=False):
    """The same cell copied once per time step (a Vega-Lite spec): step t reads X_t and H_{t-1}, passes H_t on."""
    T, step = len(words), 2.4
    cx = [1.8 + step * t for t in range(T)]                              # cell centres
    boxes, arrows, texts = [], [], []
    texts.append(_text(0.1, 2.9, f"H{sub(0)} = 0", align="left"))
    short = 12 if T <= 4 else 8 if T <= 6 else 6                       # longer words are cut to fit their box
    arrows.append(_arrow(0.7, 2.5, cx[0] - 0.7, 2.5))
    for t, (x, word) in enumerate(zip(cx, words), start=1):
        boxes.append({"x": x - 0.7, "x2": x + 0.7, "y": 0.3, "y2": 1.2, "kind": "input"})
        boxes.append({"x": x - 0.7, "x2": x + 0.7, "y": 1.9, "y2": 3.1, "kind": "cell"})
        label = word if len(word) <= short else word[:short - 1] + "…"
        texts += [_text(x, 0.95, f"X{sub(t)}"), _text(x, 0.55, label), _text(x, 2.5, f"t = {t}", weight="bold")]
        arrows.append(_arrow(x, 1.2, x, 1.9))
        if t < T:
            arrows.append(_arrow(x + 0.7, 2.5, x + step - 0.7, 2.5))
            texts.append(_text(x + step / 2, 2.8, f"H{sub(t)}"))
    end = cx[-1] + 0.7
    boxes.append({"x": end + 0.9, "x2": end + 2.5, "y": 1.9, "y2": 3.1, "kind": "output"})
    arrows.append(_arrow(end, 2.5, end + 0.9, 2.5))
    texts += [_text(end + 0.45, 2.8, f"H{sub(T)}"), _text(end + 1.7, 2.7, f"W{sub(2)}, b{sub(2)}", weight="bold"),
              _text(end + 1.7, 2.3, f"A{sub(2)} = σ(·)")]
    texts += [_text(0.1, 4.1, f"X {shapes['X']}   →   H{sub(T)} {shapes['H']}   →   A{sub(2)} {shapes['A2']}",
                    align="left"),
              _text(0.1, 3.6, names["shared"].format(w1x=shapes["W1x"], w1h=shapes["W1h"]), align="left")]
    spec = _diagram(boxes, arrows, texts, [0, end + 2.7], [0, 4.5], 300 if big else 250, big)
    unit = (60 if T <= 4 else 48 if T <= 6 else 42) * (1.4 if big else 1)   # pixels per unit: the words must fit
    spec["width"] = int(min(unit * (end + 2.7), 1250))
    return spec


# --- text alternatives: one sentence per chart, from the chart's own inputs (ui.charts.chart finds f_summary)

def orders_summary(order_texts, dense, rnn, names, big=False):
    """How far each model's output moves over the word orders: not at all for the dense network."""
    d, r = np.asarray(dense, dtype=float), np.asarray(rnn, dtype=float)
    return names["summary_orders"].format(n=len(order_texts), dense_low=f"{d.min():.3f}", dense_high=f"{d.max():.3f}",
                                          rnn_low=f"{r.min():.3f}", rnn_high=f"{r.max():.3f}")


def series_summary(series, names, big=False):
    """The series' length and range: a daily cycle of temperatures."""
    s = np.asarray(series, dtype=float)
    return names["summary_series"].format(hours=len(s), low=f"{s.min():.1f}", high=f"{s.max():.1f}")


def lag_summary(now, later, lag, names, shuffled, domain, big=False):
    """The lag plot's correlation: near 1 in time order, near 0 once shuffled."""
    r = float(np.corrcoef(np.asarray(now, dtype=float), np.asarray(later, dtype=float))[0, 1])
    return names["summary_lag"].format(title=names["shuffled" if shuffled else "in_order"], n=len(now), lag=lag,
                                       r=f"{r:+.2f}")


def folded_cell_summary(shapes, names, big=False):
    """The folded cell's shapes: X_t in through W1x, H_t out and back through W1h."""
    return names["summary_folded"].format(x=shapes["X_t"], w1x=shapes["W1x"], h=shapes["H"], w1h=shapes["W1h"])


def unrolled_summary(words, shapes, names, big=False):
    """The unrolled cell: one copy per word, the same weights, H_T to the output."""
    return names["summary_unrolled"].format(T=len(words), w1x=shapes["W1x"], w1h=shapes["W1h"], a2=shapes["A2"])

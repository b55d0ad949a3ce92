"""Charts of the sequences page: outputs per word order, the temperature series, lag plots, the cell diagrams."""
import altair as alt
import numpy as np
import pandas as pd

from rnn_core.charts.theme import DARK, GREY, INK, PINK, TINTS, config, font_size, style, text_width, title

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


def unrolled_chart(words, shapes, names, big=False, narrow=False):
    """The same cell copied once per time step (a Vega-Lite spec): step t reads X_t and H_{t-1}, passes H_t on.

    A fixed width, so that the words fit their boxes: the steps side by side (wide), or narrow=True one under the
    other, at most NARROW_WIDTH px wide (a phone's column; ui.charts.chart shows the one that fits).
    """
    if narrow:
        return _unrolled_narrow(words, shapes, names, big)
    T, step, fs = len(words), 2.4, font_size(big) + 1
    span = 3.4 + step * T                                                # the drawing's width in units
    # pixels per unit: as many as the words want, within a laptop's column; never so few that a box's text spills
    unit = max(min((60 if T <= 4 else 48 if T <= 6 else 42) * (1.4 if big else 1), WIDE_WIDTH[big] / span),
               2.4 * fs)
    cx = [2.2 + step * t for t in range(T)]                  # cell centres (H_0 = 0 written left of the first)
    boxes, arrows, texts = [], [], []
    texts.append(_text(0.1, 2.9, f"H{sub(0)} = 0", align="left"))
    arrows.append(_arrow(0.4, 2.5, cx[0] - 0.7, 2.5))
    for t, (x, word) in enumerate(zip(cx, words), start=1):
        boxes.append({"x": x - 0.7, "x2": x + 0.7, "y": 0.3, "y2": 1.2, "kind": "input"})
        boxes.append({"x": x - 0.7, "x2": x + 0.7, "y": 1.9, "y2": 3.1, "kind": "cell"})
        texts += [_text(x, 0.95, f"X{sub(t)}"), _text(x, 0.55, _fitted_word(word, 1.4 * unit - 8, fs)),
                  _text(x, 2.5, f"t = {t}", weight="bold")]
        arrows.append(_arrow(x, 1.2, x, 1.9))
        if t < T:
            arrows.append(_arrow(x + 0.7, 2.5, x + step - 0.7, 2.5))
            texts.append(_text(x + step / 2, 2.8, f"H{sub(t)}"))
    end = cx[-1] + 0.7
    boxes.append({"x": end + 0.9, "x2": end + 2.7, "y": 1.9, "y2": 3.1, "kind": "output"})
    arrows.append(_arrow(end, 2.5, end + 0.9, 2.5))
    texts += [_text(end + 0.45, 2.8, f"H{sub(T)}"), _text(end + 1.8, 2.7, f"W{sub(2)}, b{sub(2)}", weight="bold"),
              _text(end + 1.8, 2.3, f"A{sub(2)} = σ(·)")]
    texts += [_text(0.1, 4.1, "   →   ".join(_shapes_parts(shapes, T)), align="left"),
              _text(0.1, 3.6, names["shared"].format(w1x=shapes["W1x"], w1h=shapes["W1h"]), align="left")]
    spec = _diagram(boxes, arrows, texts, [0, span], [0, 4.5], 300 if big else 250, big)
    spec["width"] = int(unit * span)
    return spec


# px: the widest the steps side by side are drawn (the column at 1280 px with the sidebar open, 820 px and in lecture
# mode 916, less ui.charts.FIT_MARGIN); longer sentences get narrower boxes down to 2.4 font sizes per unit (the
# output box's text), beyond which the column shows the narrow drawing.
WIDE_WIDTH = {False: 800, True: 900}
NARROW_WIDTH = 340      # px: a phone's column (390 px window: 358 px), with room for Vega's padding


def _fitted_word(word, room, fs):
    """A word cut (…) to at most `room` px at font size fs, as theme estimates a text's width."""
    label = word
    while len(label) > 2 and text_width(label, fs) > room:
        label = label[:-2] + "…"
    return label


def _shapes_parts(shapes, T):
    """The shapes of the input, the last state and the output, as written over the diagram."""
    return [f"X {shapes['X']}", f"H{sub(T)} {shapes['H']}", f"A{sub(2)} {shapes['A2']}"]


def _unrolled_narrow(words, shapes, names, big):
    """unrolled_chart for a narrow column: X_t comes in from the left of cell t, H_t goes down to the next cell.

    Drawn in pixels of the normal size (domain = width, height), so text sizes and gaps are exact; lecture mode
    scales the whole drawing by its font size.
    """
    T, fs, W = len(words), font_size(False) + 1, NARROW_WIDTH
    xbox, cbox = (4, 134), (184, 304)                                     # the inputs' and the cells' columns
    xc, cc = sum(xbox) / 2, sum(cbox) / 2
    box, gap, line = 42, 30, fs + 6                                       # a box's height, between two, a text line
    parts = _shapes_parts(shapes, T)
    top = ["   →   ".join(parts)] if text_width("   →   ".join(parts), fs) <= W - 8 else [parts[0]] + [
        "→ " + p for p in parts[1:]]                                      # text lines above the steps, top first
    top.append(names["shared"].format(w1x=shapes["W1x"], w1h=shapes["W1h"]))
    y = 6 + line * len(top) + 8                                           # from the top: where H_0 is written
    boxes, arrows, rows = [], [], []
    for i, text in enumerate(top):
        rows.append((4, 6 + line * i + line / 2, text, "left", "normal"))
    rows.append((cc, y + line / 2, f"H{sub(0)} = 0", "center", "normal"))
    y += line
    arrows.append((cc, y, cc, y + 22))
    y += 22
    for t, word in enumerate(words, start=1):
        label = _fitted_word(word, xbox[1] - xbox[0] - 10, fs)
        boxes.append((*xbox, y, y + box, "input"))
        boxes.append((*cbox, y, y + box, "cell"))
        mid = y + box / 2
        rows += [(xc, mid - 9, f"X{sub(t)}", "center", "normal"), (xc, mid + 9, label, "center", "normal"),
                 (cc, mid, f"t = {t}", "center", "bold")]
        arrows.append((xbox[1], mid, cbox[0], mid))
        arrows.append((cc, y + box, cc, y + box + gap))
        rows.append((cc + 8, y + box + gap / 2, f"H{sub(t)}", "left", "normal"))
        y += box + gap
    out = (cc - 60, cc + 60)
    boxes.append((*out, y, y + box, "output"))
    rows += [(cc, y + box / 2 - 9, f"W{sub(2)}, b{sub(2)}", "center", "bold"),
             (cc, y + box / 2 + 9, f"A{sub(2)} = σ(·)", "center", "normal")]
    H = y + box + 4

    def flip(v):                                                          # Vega's y grows upwards
        return H - v
    spec = _diagram([{"x": x, "x2": x2, "y": flip(y2), "y2": flip(y1), "kind": k} for x, x2, y1, y2, k in boxes],
                    [_arrow(x, flip(y1), x2, flip(y2)) for x, y1, x2, y2 in arrows],
                    [_text(x, flip(yy), text, align=a, weight=w) for x, yy, text, a, w in rows],
                    [0, W], [0, H], round(H * (1.4 if big else 1)), big)
    spec["width"] = round(W * (1.4 if big else 1))
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


def unrolled_summary(words, shapes, names, big=False, narrow=False):
    """The unrolled cell: one copy per word, the same weights, H_T to the output (either drawing)."""
    return names["summary_unrolled"].format(T=len(words), w1x=shapes["W1x"], w1h=shapes["W1h"], a2=shapes["A2"])

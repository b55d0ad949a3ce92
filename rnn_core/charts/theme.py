"""The app's one chart theme: the palette, the sizes and the fonts every chart uses (lecture mode: bigger)."""

# palette: one of each. Marks >= 3:1 against white; PINK..TEAL stay apart under the common colour-vision
# deficiencies (tests/test_accessibility.py simulates them with colorspacious).
PINK = "#c2255c"      # the app's colour (.streamlit/config.toml primaryColor): the RNN, the current value, validation
BLUE = "#228be6"      # the second series (training loss, clipped), negative values
ORANGE = "#e8590c"    # positive values
GREEN = "#2f9e44"
VIOLET = "#7048e8"
GREY = "#868e96"      # references, the order-blind model, what is dropped
LIGHT = "#e9ecef"     # padding, backgrounds
DARK = "#495057"      # diagram lines
INK = "#212529"       # text, rules, the current step
WINDOW = "#fff3bf"    # the steps truncated BPTT reaches (a band)
WINDOW_INK = "#866a00"  # its label (text: >= 4.5:1)
TEAL = "#0b7285"
SERIES = [PINK, BLUE, GREEN, ORANGE, VIOLET, TEAL, "#5c940d", "#862e9c", "#c92a2a", DARK]   # many series
TINTS = {"input": "#e7f5ff", "cell": "#fff0f6", "state": "#f8f9fa", "output": "#ebfbee"}   # diagram boxes
DIVERGING = "blueorange"   # colour scheme for signed values: negative blue, 0 white, positive orange
SEQUENTIAL = "viridis"     # colour scheme for indices and counts


def labels(texts, *tables):
    """A chart's translated labels: the entries '<table>.<key>' of a page's flat texts, as {key: text}.

    Every chart function gets its axis, legend, tooltip and title texts this way, as one dict (its `names`);
    a page passes t.labels(table, ...). With several tables, a later one's key wins.
    """
    out = {}
    for table in tables:
        out.update({k[len(table) + 1:]: v for k, v in texts.items() if k.startswith(table + ".")})
    return out


def font_size(big):
    """Label size: bigger in lecture mode so a projector stays readable."""
    return 18 if big else 12


def height(big):
    """The usual height of a chart, in pixels."""
    return 420 if big else 300


def config(big):
    """The Vega-Lite config of every chart: fonts, sizes, legend on top, the palette for categories."""
    fs = font_size(big)
    return {
        # Screen readers meet a chart as its description (its summary) and its data table: Vega's own ARIA would add
        # every mark with its unrounded numbers and English axis sentences ("X-axis titled ...") on any page.
        "axis": {"labelFontSize": fs, "titleFontSize": fs, "aria": False},
        "legend": {"labelFontSize": fs, "titleFontSize": fs, "orient": "top", "labelLimit": 400, "aria": False},
        "mark": {"aria": False},
        "title": {"fontSize": fs + 2, "subtitleFontSize": fs},
        "header": {"labelFontSize": fs, "titleFontSize": fs},
        "view": {"stroke": None},
        "rule": {"aria": False},     # reference lines: the chart's description and data table carry them
        "range": {"category": SERIES},
    }


TITLE_WIDTH = {False: 280, True: 560}   # px a title line may take: a phone's column or a half-page column, less
#                                          the 40 px Streamlit keeps (it cuts a longer line off with an ellipsis)


def title(text, subtitle=None, big=False):
    """A chart's title at its left, and what to look at under it: each broken into lines that fit a phone's column
    (a Vega title never wraps)."""
    fs = font_size(big)
    out = {"text": _lines(text, fs + 2, TITLE_WIDTH[big]), "anchor": "start"}
    if subtitle:
        out["subtitle"] = _lines(subtitle, fs, TITLE_WIDTH[big])
    return out


def _width(text, fs):
    """A text's width in px, estimated: Hangul and other wide characters a font size, the rest half of one."""
    return sum(fs if ord(c) >= 0x1100 else 0.5 * fs for c in text)


def text_width(text, fs):
    """A text's width in px at font size fs, estimated a little generously for the app's sans-serif font (measured in
    Chromium: lower case about 0.45 of the size, capitals and digits 0.55-0.65, sub- and superscripts 0.4): Hangul
    and other wide characters (… too) a font size, capitals and digits 0.65, spaces and narrow marks 0.3, the rest
    0.5."""
    def one(c):
        if ord(c) >= 0x1100 and not 0x2070 <= ord(c) <= 0x209F:
            return 1.0
        return 0.65 if c.isupper() or c.isdigit() else 0.3 if c in " ,.:;!'|()[]·-" else 0.5
    return fs * sum(one(c) for c in str(text))


def _lines(text, fs, width):
    """text broken at spaces into lines at most `width` px wide (a longer word keeps its own line)."""
    lines = []
    for word in str(text).split(" "):
        if lines and _width(lines[-1] + " " + word, fs) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines if len(lines) > 1 else lines[0]


def style(chart, big):
    """An Altair chart with the theme's config (call it on the top-level chart)."""
    return chart.configure(**config(big))

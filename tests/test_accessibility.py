"""Accessibility without a browser: contrast of the app theme and the chart palette (WCAG 2.1 formula written out
here), the palette under simulated colour-vision deficiencies (colorspacious), and every chart's text alternative.

The browser side (axe-core, keyboard, <html lang>, screen reader view, reduced motion):
tests/browser/test_accessibility.py.
"""
import itertools
import re
import tomllib

import numpy as np
import pytest

from rnn_core.charts import gradflow, spec, theme
from tests.conftest import ROOT
from tests.test_chart_theme import CHARTS
from ui import i18n, layout

WHITE = "#ffffff"
SIDEBAR = "#f0f2f6"      # Streamlit's light secondary background (sidebar, code blocks)


def luminance(hex_colour):
    """WCAG 2.1 relative luminance of an sRGB colour."""
    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(c @ [0.2126, 0.7152, 0.0722])


def contrast(a, b):
    """WCAG 2.1 contrast ratio of two colours."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def over(colour, background, alpha):
    """`colour` at `alpha` opacity over `background` (how Streamlit tints a selected control)."""
    mix = [round(int(colour[i:i + 2], 16) * alpha + int(background[i:i + 2], 16) * (1 - alpha)) for i in (1, 3, 5)]
    return "#" + "".join(f"{v:02x}" for v in mix)


def test_contrast_formula_against_known_pairs():
    assert contrast("#000000", WHITE) == pytest.approx(21)
    assert contrast("#767676", WHITE) == pytest.approx(4.54, abs=0.01)       # the classic lightest AA grey


def test_primary_colour_is_the_charts_pink_and_readable():
    primary = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]["primaryColor"]
    assert primary.lower() == theme.PINK.lower()                    # one app colour
    assert contrast(WHITE, primary) >= 4.5                          # a primary button's label
    assert contrast(primary, over(primary, WHITE, 0.1)) >= 4.5      # a selected segment (axe checks the real one)


def test_chart_marks_and_texts_stand_out_from_white():
    for name in ("PINK", "BLUE", "ORANGE", "GREEN", "VIOLET", "TEAL", "GREY", "DARK", "INK"):
        assert contrast(getattr(theme, name), WHITE) >= 3, name     # marks: WCAG 1.4.11
    for colour in theme.SERIES:
        assert contrast(colour, WHITE) >= 3, colour
    assert contrast(theme.WINDOW_INK, WHITE) >= 4.5                 # a text label
    assert contrast(theme.WINDOW_INK, theme.WINDOW) >= 4.5          # ... also on its band
    assert contrast(theme.INK, theme.WINDOW) >= 4.5


def test_the_apps_own_css_colours_are_readable():
    colours = set(re.findall(r"(?<![-\w])color: (#[0-9a-f]{6})", layout._ACCESS_CSS))     # text (not background-)
    assert len(colours) >= 5
    for colour in colours:                                           # captions, inline code, code tokens
        assert min(contrast(colour, WHITE), contrast(colour, SIDEBAR)) >= 4.5, colour
    ring = re.search(r"outline: 3px solid (#[0-9a-f]{6})", layout._ACCESS_CSS).group(1)
    assert min(contrast(ring, WHITE), contrast(ring, SIDEBAR)) >= 3                   # the focus ring


def test_control_edges_stand_out():
    """WCAG 1.4.11: the theme's borderColor (every control's edge) and the app's fills for the toggle's off track
    and the slider's empty track (under Streamlit's 25 % tint of #bbbba5) >= 3:1 on white and on the sidebar. The
    browser measures the real controls: tests/browser/test_accessibility.py::test_control_boundaries_contrast."""
    edge = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]["borderColor"]
    fills = re.findall(r"background-color: (#[0-9a-f]{6})", layout._ACCESS_CSS)
    assert edge in fills and len(fills) == 3
    for colour in [*fills, over("#bbbba5", fills[-1], 0.25)]:
        assert min(contrast(colour, WHITE), contrast(colour, SIDEBAR)) >= 3, colour


CVD = ("deuteranomaly", "protanomaly", "tritanomaly")
TOGETHER = theme.SERIES[:6] + [theme.GREY]     # the colours that share a chart (the memory lab: six models, grey)


def _seen(hex_colour, cvd):
    """A colour as seen with a full colour-vision deficiency (None: typical vision), in CAM02-UCS."""
    from colorspacious import cspace_convert
    rgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    if cvd:
        rgb = np.clip(cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}, "sRGB1"), 0, 1)
    return cspace_convert(rgb, "sRGB1", "CAM02-UCS")


@pytest.mark.parametrize("cvd", (None,) + CVD)
def test_palette_stays_apart_under_colour_vision_deficiencies(cvd):
    """Every two colours that share a chart differ by at least 9 CAM02-UCS units (about 9 just-noticeable
    differences), for typical vision and simulated full deuteranomaly, protanomaly and tritanomaly."""
    seen = {c: _seen(c, cvd) for c in TOGETHER}
    gaps = {(a, b): float(np.linalg.norm(seen[a] - seen[b])) for a, b in itertools.combinations(TOGETHER, 2)}
    closest = min(gaps, key=gaps.get)
    assert gaps[closest] >= 9, (cvd, closest, gaps[closest])


WORDS = {lang: {k: i18n.table(lang, "common")[f"chart.{k}"] for k in ("summary", "summary_empty")}
         for lang in i18n.LANGS}


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_every_chart_has_a_summary_and_a_data_table(name, lang):
    built = CHARTS[name](False, lang)
    built = built if isinstance(built, dict) else built.to_dict(validate=False)
    table = spec.data_table(built)
    said = spec.describe(built, WORDS[lang])
    assert said.endswith(".") and spec.title(built) in said and not said.startswith(":")
    full = spec.data_table(built, limit=None)
    assert f"{len(full)}" in said                                    # how many points
    numeric = [full.iloc[:, i].to_numpy(dtype=float) for i in range(full.shape[1]) if full.dtypes.iloc[i].kind in "fiu"]
    ranges = [(f"{np.nanmin(v):.3g}", f"{np.nanmax(v):.3g}") for v in numeric]
    rest = said[len(spec.title(built)):]
    assert not ranges or any(lo in rest and hi in rest for lo, hi in ranges), (said, ranges)
    assert len(table) == min(len(full), 1000)


def test_delta_summary_comes_from_the_norms():
    names = {k.split(".", 1)[1]: v for k, v in i18n.table("en", "gradflow").items() if k.startswith("delta_chart.")}
    norms = np.array([0.03, 0.2, 0.7, 1.0])
    said = gradflow.delta_norm_summary(norms, names)
    assert "3 steps" in said and "0.03" in said       # (the ratio |δ_1| / |δ_T| = 0.03 / 1.0, over 3 steps)
    assert "2.5e+03" in gradflow.delta_norm_summary(np.array([5.0, 1.0, 0.002]), names)


def test_chart_element_carries_description_and_table(make_app):
    """Through the app: the gradient page's charts have a description (Vega-Lite) and an expander with a table."""
    at = make_app("ko", answers="true")
    at.switch_page("pages/gradflow.py").run()
    assert not at.exception
    charts = at.get("vega_lite_chart")
    assert charts
    label = i18n.table("ko", "common")["chart.data"]
    assert sum(e.label == label for e in at.expander) >= len(charts)
    for c in charts:
        assert re.search(r'"description":\s*"[^"]{20,}', c.proto.spec), c.proto.spec[:300]


@pytest.mark.parametrize("page", ["memory", "gradflow", "self_check"])
def test_answers_are_named_by_the_prompt_without_markdown_marks(make_app, page):
    """A question's collapsed label is its answers' accessible name (aria-label): the prompt as shown, never the
    Markdown source ("**100** steps", "`np.dot(...)`" read out mark by mark)."""
    at = make_app("en", answers="true")
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    names = [w.label for w in [*at.radio, *at.text_input] if w.key and ("quiz" in w.key or "self_check" in w.key)]
    assert names
    assert not [n for n in names if "**" in n.replace("h ** 2", "") or "`" in n], names


def test_plain_prompt_keeps_code_text():
    from ui.question import plain
    assert plain("Reads **100** steps, `h ** 2`?") == "Reads 100 steps, h ** 2?"


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_charts_leave_vegas_own_aria_out(name):
    """A screen reader meets a chart as its description and its data table: Vega's default ARIA (every mark with
    its unrounded numbers, English axis sentences on Korean pages) is off in every chart's config."""
    built = CHARTS[name](False, "ko")
    built = built if isinstance(built, dict) else built.to_dict(validate=False)
    config = built.get("config", theme.config(False))
    assert all(config[k]["aria"] is False for k in ("mark", "rule", "axis", "legend")), config

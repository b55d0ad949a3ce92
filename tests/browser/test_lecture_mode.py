"""Lecture mode at 1280x720 reads from the back of a room: the computed font size of every paragraph, caption,
metric value and radio label the page draws (each text-bearing element, not a container's nominal size) and nothing
wider than the viewport, and no table in st.dataframe's small canvas text. Two page loads: pipeline in Korean
(paragraphs, captions, metrics, a question, tables) and unrolling in English (metrics and the Play bar)."""
import pytest

from tests.browser import harness
from tests.browser.conftest import SHOTS

BODY, CAPTION, METRIC = 22, 22, 40       # px, the floor for a projector at 1280x720

# For each kind of text: the smallest font size among the visible elements that hold its text themselves (a text
# node of their own), KaTeX's inner boxes aside (they size formulas relative to the text around them).
_SIZES = """(kinds) => {
  const own = (el) => el.matches('input:not([type=checkbox], [type=radio]), textarea') ? el.value.trim() :
                      [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  const shown = (el) => el.getClientRects().length > 0 && !el.closest('[class*="st-key-announce_"]');
  const out = {};
  for (const [kind, sel] of Object.entries(kinds)) {
    const sizes = [];
    for (const root of document.querySelectorAll('[data-testid="stMain"] ' + sel)) {
      for (const el of [root, ...root.querySelectorAll('*')]) {
        if (own(el) && shown(el) && !el.closest('.katex')) {
          sizes.push([parseFloat(getComputedStyle(el).fontSize), (el.value || el.textContent).trim().slice(0, 40)]);
        }
      }
    }
    sizes.sort((a, b) => a[0] - b[0]);
    out[kind] = {n: sizes.length, smallest: sizes[0] || null};
  }
  return out;
}"""

# What sticks out past the viewport's right edge (outside a box that scrolls sideways on purpose), and text cut off
# inside its own box.
_OVERFLOW = """() => {
  const vw = document.documentElement.clientWidth;
  const main = document.querySelector('[data-testid="stMain"]');
  const name = (el) => (el.getAttribute('data-testid') || el.tagName.toLowerCase()) + ': ' +
                       (el.textContent || '').trim().slice(0, 40);
  const scrollsX = (el) => /(auto|scroll)/.test(getComputedStyle(el).overflowX);
  const out = [];
  if (document.documentElement.scrollWidth > vw + 1) out.push('the page scrolls sideways');
  if (main.scrollWidth > main.clientWidth + 1) out.push('the main area scrolls sideways');
  for (const el of main.querySelectorAll('*')) {
    if (el.closest('.katex-mathml, [class*="st-key-announce_"]')) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    let box = el.parentElement;
    while (box && box !== main && !scrollsX(box)) box = box.parentElement;
    if (r.right > vw + 1 && (!box || box === main)) out.push('past the edge ' + name(el));
    const s = getComputedStyle(el);
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const cut = /(hidden|clip)/.test(s.overflowX) && el.scrollWidth > el.clientWidth + 1;
    if (own && cut) out.push('cut off ' + name(el));
  }
  return out.slice(0, 8);
}"""

KINDS = {
    "paragraph": '[data-testid="stMarkdownContainer"] :is(p, li)',
    "caption": '[data-testid="stCaptionContainer"]',
    "metric value": '[data-testid="stMetricValue"]',
    "metric label": '[data-testid="stMetricLabel"]',
    "radio label": '[data-testid="stRadioOption"]',
    "widget label": '[data-testid="stWidgetLabel"]',
    "table cell": '[data-testid="stTable"] :is(td, th)',
    "input value": ':is([data-testid="stNumberInput"], [data-testid="stTextInput"], [data-testid="stTextArea"])',
    "button": 'button [data-testid="stMarkdownContainer"]',
}
FLOOR = {"paragraph": BODY, "caption": CAPTION, "metric value": METRIC, "metric label": CAPTION,
         "radio label": BODY, "widget label": BODY, "table cell": BODY,
         "input value": BODY, "button": BODY}


# Tables drawn on a canvas (st.dataframe: Streamlit's 14 px font, whatever the CSS) that are on screen: lecture mode
# shows tables as st.table (ui.layout.show_table); a chart's long data table stays collapsed under its chart.
_CANVAS_TABLES = """() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stDataFrame"]')]
  .filter(el => el.getClientRects().length > 0 && !el.closest('details:not([open])'))
  .map(el => (el.closest('details') ? 'in an open expander: ' : '') + el.innerText.slice(0, 60))"""


def measure(page):
    """{kind: {n, smallest: [px, text]}} and the overflow findings of the page as drawn."""
    return page.evaluate(_SIZES, KINDS), page.evaluate(_OVERFLOW)


@pytest.mark.parametrize("key, lang, kinds", [
    ("pipeline", "ko", ["paragraph", "caption", "metric value", "metric label", "radio label", "widget label",
                        "table cell", "input value", "button"]),
    ("unrolling", "en", ["paragraph", "caption", "metric value", "metric label", "widget label", "button"]),
])
def test_lecture_mode_reads_from_the_back(browser, server, key, lang, kinds):
    with harness.closing(browser.new_page(viewport={"width": 1280, "height": 720})) as page:
        harness.open_page(page, server, key, lang, lecture="true")
        harness.assert_clean(page, f"{key} {lang} in lecture mode")
        sizes, overflow = measure(page)
        harness.screenshot(page, SHOTS / f"lecture-{key}-{lang}.png")
        for kind in kinds:
            got = sizes[kind]
            assert got["n"], f"{key} {lang}: no {kind} drawn"
            px, text = got["smallest"]
            assert px >= FLOOR[kind], f"{key} {lang}: {kind} {text!r} at {px} px < {FLOOR[kind]} px"
        assert not overflow, f"{key} {lang} at 1280x720: {overflow}"
        assert not page.evaluate(_CANVAS_TABLES), f"{key} {lang}: small-text tables {page.evaluate(_CANVAS_TABLES)}"

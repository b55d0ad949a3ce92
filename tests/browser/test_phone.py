"""Every page on a phone (390 x 844 CSS px, touch, mobile viewport) in both languages: nothing scrolls sideways,
the sidebar starts closed, the question controls are big enough to tap. `pytest --shots`: artifacts/browser/phone/."""
import pytest

from tests.browser import conftest, harness
from tests.browser.conftest import SHOTS
from ui import i18n
from ui.site import PAGES

PHONE = conftest.PHONE   # (the `phone` fixture's tab, in tests/browser/conftest.py)
QUESTION_PAGES = {"sequences", "pipeline", "unrolling", "gradflow", "self_check"}
TAP = 40          # CSS px: the smallest height of a tappable answer (guidelines say 44-48 with spacing)

OVERFLOW = """() => {
  const main = document.querySelector('[data-testid="stMain"]'), wide = [];
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!(r.width > 0 && r.right > innerWidth + 1) || el.closest('.katex-display, .katex-mathml')) continue;
    // (equations: below; .katex-mathml is KaTeX's invisible copy for screen readers)
    if (el.matches('input[type="range"]')) continue;      // a slider's invisible input rides on its thumb
    let fate = 'sticks out';     // unless a box on screen scrolls it (a table, a chart) or cuts it off (lost)
    for (let p = el.parentElement; p && p !== main; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'visible' || p.getBoundingClientRect().right > innerWidth + 1) continue;
      fate = (o === 'auto' || o === 'scroll') ? '' : 'cut off';
      break;
    }
    const box = el.closest('[data-testid]');
    if (fate) wide.push(fate + ': ' + (box ? box.dataset.testid : '') + ' ' + el.tagName + ' ' + Math.round(r.right));
  }
  for (const k of main.querySelectorAll('.katex-display')) {      // a wide equation scrolls inside its own box
    const o = getComputedStyle(k).overflowX;
    if (k.scrollWidth > k.clientWidth + 1 && !(o === 'auto' || o === 'scroll')) wide.push('equation cut off');
  }
  return {scroll: document.documentElement.scrollWidth, inner: innerWidth, main: main.scrollWidth,
          main_client: main.clientWidth, wide: wide.slice(0, 8)};
}"""


def _fits(phone, info, lang, answers):
    """The phone checks of the page as it is now: no sideways scroll, sidebar closed, answers easy to tap."""
    sidebar = phone.locator('[data-testid="stSidebar"]')
    assert sidebar.get_attribute("data-collapsed") == "true"                # closed: it doesn't cover the page
    h1 = phone.locator('[data-testid="stMain"] h1').first.bounding_box()
    assert h1["x"] >= 0 and h1["x"] + h1["width"] <= 390 + 1                 # the title is on screen, not under it
    size = phone.evaluate(OVERFLOW)
    assert size["scroll"] <= size["inner"], (answers, size)                  # the page never scrolls sideways
    assert size["main"] <= size["main_client"], (answers, size)              # nor does the app's own scroller
    assert not size["wide"], (answers, size)                                 # nor does anything stick out of it
    taps = phone.locator('[class*="st-key-quizbox_"] [role="radiogroup"] label, '
                         '[class*="st-key-quizbox_"] input[type="text"]')
    taps = [x for x in taps.all() if x.is_visible()]             # (the self-check's other tabs are hidden)
    assert taps or info.key not in QUESTION_PAGES
    for tap in taps[:12]:
        box = tap.bounding_box()
        assert box["height"] >= TAP and box["width"] >= 200, (answers, box)  # answers are easy to tap
    harness.screenshot(phone, SHOTS / "phone" / f"{info.key}-{lang}-{answers}.png")


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("info", PAGES, ids=lambda p: p.key)
def test_page_fits_a_phone(phone, server, info, lang):
    """As opened (questions waiting), then with every answer and result shown (?answers=true), in one tab."""
    for answers, query in (("asked", {}), ("answered", {"answers": "true"})):
        phone.goto(harness.page_url(server, info.key, lang, **query))
        harness.wait_idle(phone, timeout=180, settle=800)
        assert not harness.exceptions(phone), harness.exceptions(phone)[0][:1500]
        _fits(phone, info, lang, answers)

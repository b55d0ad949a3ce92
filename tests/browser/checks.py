"""What the browser tests check on a page, as functions: the axe-core audit (WCAG 2.1 A/AA), the phone layout
(nothing wider than the window, answers easy to tap), the keyboard walk, the sidebar switches, answering every
question. tests/browser/test_pages.py runs them all in one tour of each page and language.

axe-core comes from the axe-playwright-python package (PyPI; it ships axe.min.js, MPL-2.0, injected into the page:
no network). Serious and critical findings fail; moderate and minor ones are printed and must be in ALLOWED.
"""
from tests.browser import harness
from tests.browser.conftest import SHOTS
from ui import i18n

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


# A chart drawn wide and narrow (ui.charts._fitted): exactly one of the two shown, and it fits its column.
FITTED = """() => {
  const bad = [], seen = [];
  for (const box of document.querySelectorAll('[data-testid="stMain"] [class*="st-key-fit_"]')) {
    const key = [...box.classList].find(c => c.startsWith('st-key-fit_'));
    if (/_(wide|narrow)$/.test(key)) continue;
    const shown = [...box.querySelectorAll(':scope [class*="st-key-fit_"]')].filter(
      el => getComputedStyle(el).display !== 'none');
    const right = box.getBoundingClientRect().right;
    const drawn = shown.map(el => el.querySelector('[data-testid="stVegaLiteChart"] svg, canvas'))
      .filter(Boolean).map(el => el.getBoundingClientRect());
    seen.push(key);
    if (shown.length !== 1 || drawn.length !== 1 || !drawn[0].width) bad.push(key + ': ' + shown.length + ' shown');
    else if (drawn[0].right > right + 1) bad.push(key + ': ' + Math.round(drawn[0].right) + ' > ' + Math.round(right));
  }
  return {seen, bad};
}"""


def fitted(page, what):
    """The page's wide-or-narrow charts: one of each pair shown, inside its column. Returns how many pairs."""
    from playwright.sync_api import TimeoutError as Timeout
    try:                                    # (Vega draws a chart a moment after Streamlit's run has ended)
        page.wait_for_function(f"() => ({FITTED})().bad.length === 0", timeout=5_000)
    except Timeout:                         # (the assertion below says what is wrong)
        pass
    found = page.evaluate(FITTED)
    assert not found["bad"], (what, found)
    return len(found["seen"])


def fits(phone, info, lang, answers):
    """The phone checks of the page as it is now: no sideways scroll, sidebar closed, answers easy to tap."""
    sidebar = phone.locator('[data-testid="stSidebar"]')
    assert sidebar.get_attribute("data-collapsed") == "true"                # closed: it doesn't cover the page
    h1 = phone.locator('[data-testid="stMain"] h1').first.bounding_box()
    assert h1["x"] >= 0 and h1["x"] + h1["width"] <= 390 + 1                 # the title is on screen, not under it
    size = phone.evaluate(OVERFLOW)
    assert size["scroll"] <= size["inner"], (answers, size)                  # the page never scrolls sideways
    assert size["main"] <= size["main_client"], (answers, size)              # nor does the app's own scroller
    assert not size["wide"], (answers, size)                                 # nor does anything stick out of it
    assert fitted(phone, answers) or info.key != "sequences"                 # the unrolled cell: its narrow drawing
    taps = phone.locator('[class*="st-key-quizbox_"] [role="radiogroup"] label, '
                         '[class*="st-key-quizbox_"] input[type="text"]')
    taps = [x for x in taps.all() if x.is_visible()]             # (the self-check's other tabs are hidden)
    assert taps or info.key not in QUESTION_PAGES
    for tap in taps[:12]:
        box = tap.bounding_box()
        assert box["height"] >= TAP and box["width"] >= 200, (answers, box)  # answers are easy to tap
    harness.screenshot(phone, SHOTS / "phone" / f"{info.key}-{lang}-{answers}.png")


WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"]}
SIZES = {"wide": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# The rules whose outcome depends on the window's size and the styles (what overflows, what covers what): the only
# ones run again at phone size, and in lecture mode, since names, roles and structure are the same markup there.
LAYOUT_RULES = {"runOnly": {"type": "rule", "values": ["color-contrast", "scrollable-region-focusable",
                                                        "meta-viewport"]},
                "resultTypes": ["violations"]}
ALLOWED = {   # moderate or minor findings accepted, with the reason (none today)
}
QUIZ = '[class*="st-key-quizbox_"]'


def axe_run(page, options=WCAG):
    """The WCAG findings of axe-core on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe
    return Axe().run(page, options=options).response["violations"]


ENGLISH_PARTS = {"unrolling": 1, "pipeline": 1, "try_review": 1}   # containers of ui.layout.english() as a page opens
STREAMLIT_NAMES = """names => { const english = (s) => names.some(n => n.includes('{}')
        ? s.startsWith(n.split('{}')[0]) && s.endsWith(n.split('{}')[1]) : s === n);
    return [...document.querySelectorAll('[aria-label]')].map(e => e.getAttribute('aria-label')).filter(english); }"""


def language_parts(page, key, lang):
    """The page's English review text is marked lang="en" (WCAG 3.1.2), whatever the page's language; on a Korean
    page no control keeps a Streamlit name in English (common.toml [streamlit])."""
    page.wait_for_function("""n => { const boxes = [...document.querySelectorAll('[class*="st-key-en_text_"]')];
        return boxes.length >= n && boxes.every(b => b.querySelector('[lang="en"]')); }""",
                           arg=ENGLISH_PARTS.get(key, 0), timeout=10_000)
    ours = i18n.table(lang, "common")
    names = [k.removeprefix("streamlit.") for k, v in i18n.table("en", "common").items()
             if k.startswith("streamlit.") and ours[k] != v]
    if names:
        page.wait_for_timeout(300)                       # the page renames them 150 ms after Streamlit draws
        left = page.evaluate(STREAMLIT_NAMES, names)
        assert not left, f"{key} ({lang}): Streamlit's names left in English: {sorted(set(left))}"


def switch(page, name):
    """Flip a sidebar switch (lecture mode, show all answers) by its label, with the keyboard (a phone-sized
    window may have closed the sidebar)."""
    toggle = page.get_by_role("switch", name=name, include_hidden=True).first   # (in a closed sidebar too)
    try:
        toggle.wait_for(state="attached", timeout=5000)
    except Exception:
        expand = page.locator('[data-testid="stExpandSidebarButton"]').first
        if expand.count():      # a sidebar that a narrow window closed may not hold its controls: open it
            expand.click()
        toggle.wait_for(state="attached", timeout=60000)       # (else only slow, under load)
    was = toggle.is_checked()
    toggle.press("Space")
    harness.wait_idle(page)
    assert toggle.is_checked() != was


def answer_all(page, key, lang):
    """Answer every question the page asks, including those that appear once an earlier one is answered."""
    if key == "self_check":
        box = page.locator(f'{QUIZ} [role="tabpanel"]:visible, [role="tabpanel"]:visible').first
        for field in box.locator(f'{QUIZ} input[type="text"]').all():
            field.fill("1")
        for group in box.locator(f'{QUIZ} [role="radiogroup"]').all():
            group.locator('[data-testid="stRadioOption"]').first.click()
        page.get_by_role("button", name=i18n.table(lang, "self_check")["check"]).first.click()
        harness.wait_idle(page)
        return
    for _ in range(12):
        open_ones = [g for g in page.locator(f'{QUIZ} [role="radiogroup"]').all()
                     if g.locator('input:checked').count() == 0]
        if not open_ones:
            return
        open_ones[0].locator('[data-testid="stRadioOption"]').first.click()
        harness.wait_idle(page)


def audit(page, what, found, rules=WCAG):
    """Run axe at both sizes (WCAG: every A/AA rule at 1280 px, the layout rules at 390 px; LAYOUT_RULES: those at
    both); collect every finding as (state, rule, impact, nodes, first node). (The phone layout itself is checked
    on a real phone tab, by fits(): a desktop tab made narrow does not redraw its charts.)"""
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.wait_for_timeout(250)
        page.evaluate("window.__rnnAccess && window.__rnnAccess.fix()")   # re-mark the boxes that scroll now
        for v in axe_run(page, rules if size == "wide" else LAYOUT_RULES):
            node = v["nodes"][0]
            found.append((f"{what} @{size}", v["id"], v["impact"], len(v["nodes"]),
                          f"{node['target']} {node['html'][:160]}"))
    page.set_viewport_size(SIZES["wide"])


FOCUS = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const s = getComputedStyle(e), box = e.closest('[data-baseweb], label, [data-testid="stSlider"]');
  const ring = (x) => x && ((x.outlineStyle !== 'none' && parseFloat(x.outlineWidth) > 0) || x.boxShadow !== 'none');
  return {tag: e.tagName, key: (e.closest('[class*="st-key-"]') || {}).className || '',
          text: (e.getAttribute('aria-label') || e.innerText || e.value || '').slice(0, 60),
          visible: ring(s) || ring(box && getComputedStyle(box)) ||
                   ring(e.parentElement && getComputedStyle(e.parentElement))}; }"""
CONTROLS = """() => [...document.querySelectorAll(`[data-testid="stMain"] :is(button, input, textarea, a[href],
  [role="slider"], summary)`)].filter(e => !e.disabled && e.offsetParent !== null && e.tabIndex >= 0
  && !(e.tagName !== 'SUMMARY' && e.closest('details:not([open])'))
  && !(e.type === 'radio' && e !== (e.closest('[role="radiogroup"]').querySelector('input:checked')
       || e.closest('[role="radiogroup"]').querySelector('input'))))
  .length"""


def tab_walk(page, limit=400):
    """Press Tab until focus comes back round; every stop's description, in order."""
    page.locator("body").focus()
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUS)
        if now is None or (stops and now == stops[0]):
            break
        stops.append(now)
    return stops


def keyboard_alone(page, key):
    """Tab reaches every control of the page with a visible focus ring; a question is answered by keyboard, and
    on the training page a training is started by keyboard."""
    stops = tab_walk(page)
    unseen = [s for s in stops if not s["visible"]]
    assert not unseen, unseen[:5]
    in_main = [s for s in stops if "stSidebar" not in s["key"]]
    assert len(stops) >= page.evaluate(CONTROLS), (len(stops), page.evaluate(CONTROLS))
    assert in_main
    radios = page.locator(f'{QUIZ} [role="radiogroup"] input')
    if radios.count() and key != "self_check":
        page.locator("body").focus()
        for _ in range(400):               # Tab to the first answer, then choose with the arrow keys
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.closest('[class*=\"st-key-quizbox_\"] [role=\"radiogroup\"]')"
                             " !== null"):
                break
        page.keyboard.press("ArrowDown")
        harness.wait_idle(page)
        assert page.locator(f'{QUIZ} [data-testid="stAlert"]').count() >= 1
    if key == "train_numpy":
        start = page.locator('.st-key-train_numpy_start button')
        page.locator("body").focus()
        for _ in range(400):
            page.keyboard.press("Tab")
            if start.evaluate("b => b === document.activeElement"):
                break
        page.keyboard.press("Enter")
        page.wait_for_timeout(1500)
        harness.wait_idle(page)
        assert page.locator('.st-key-train_numpy_stop button').is_enabled() or \
            page.locator('[data-testid="stProgress"], [data-testid="stAlert"]').count()
        stop = page.locator('.st-key-train_numpy_stop button')
        if stop.is_enabled():
            stop.click()
            harness.wait_idle(page)

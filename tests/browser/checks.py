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
        try:
            toggle.wait_for(state="attached", timeout=60000)   # (else only slow, under load)
        except Exception as e:  # never there (seen once in CI, not reproduced): say what the page showed
            raise AssertionError(f"no {name!r} switch on the page: {page.evaluate(GONE)}") from e
    was = toggle.is_checked()
    harness.rerun(page, lambda: toggle.press("Space"))
    try:
        now = toggle.is_checked()
    except Exception as e:      # gone after the rerun (seen twice in CI, not reproduced): the same
        raise AssertionError(f"the {name!r} switch is gone after pressing it: {page.evaluate(GONE)}") from e
    assert now != was


GONE = """() => ({url: location.href, sidebar: document.querySelectorAll('[data-testid="stSidebar"]').length,
  sidebar_px: [...document.querySelectorAll('[data-testid="stSidebar"]')].map(e => e.getBoundingClientRect().width),
  switches: [...document.querySelectorAll('[role="switch"]')]
    .map(e => [(e.closest('label') || e).innerText.slice(0, 40), e.checked]),
  status: (document.querySelector('[data-testid="stStatusWidget"]') || {}).innerText,
  state: (document.querySelector('[data-testid="stApp"]') || {}).dataset?.testScriptState,
  alerts: [...document.querySelectorAll('[role="alert"], [data-testid="stException"]')]
    .map(e => e.innerText.slice(0, 120)),
  text: (document.querySelector('[data-testid="stMain"]') || document.body).innerText.slice(0, 200)})"""


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
                   ring(e.parentElement && getComputedStyle(e.parentElement)) ||
                   !!e.closest('[data-testid="stDataFrame"] table')}; }"""
# (A cell of st.dataframe's hidden table takes the focus while the grid draws the ring on its canvas.)
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


def tab_to(page, target, key="Tab", limit=400):
    """Press Tab (or Shift+Tab) from where the focus is until it is on `target` (a locator)."""
    for _ in range(limit):
        page.keyboard.press(key)
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"{key} never reached {target}")


STEP = """([op, n]) => { const v = Number(document.querySelector('.st-key-unrolling_step input[type="range"]').value);
  return op === '=' ? v === n : v > n; }"""


def unrolling_keys(page):
    """The unrolling page's bar by keyboard alone: Tab to Step, Enter and Space each show the next step; Shift+Tab
    to Play, Enter plays on; Tab to Reset, Enter goes back to step 1 and stops (Play is offered again)."""
    bar = ".st-key-unrolling_bar"
    step = page.locator('.st-key-unrolling_step input[type="range"]').first
    first = int(step.evaluate("e => Number(e.value)"))
    page.locator("body").focus()
    tab_to(page, page.locator(f"{bar} .st-key-unrolling_next button"))
    for n, key in ((first + 1, "Enter"), (first + 2, "Space")):
        page.keyboard.press(key)
        page.wait_for_function(STEP, arg=["=", n], timeout=20_000)
    play = page.locator(f"{bar} .st-key-unrolling_play_btn button")
    tab_to(page, play, "Shift+Tab", limit=3)
    page.keyboard.press("Enter")
    page.wait_for_function(STEP, arg=[">", first + 2], timeout=20_000)    # it plays on by itself
    tab_to(page, page.locator(f"{bar} .st-key-unrolling_reset button"))
    page.keyboard.press("Enter")
    page.wait_for_function(STEP, arg=["=", 1], timeout=20_000)
    harness.wait_idle(page)
    lang = page.evaluate("document.documentElement.lang")
    assert i18n.table(lang, "unrolling")["play"] in play.inner_text()           # stopped: Play, not Pause
    assert int(step.evaluate("e => Number(e.value)")) == 1


def keyboard_alone(page, key):
    """Tab reaches every control of the page with a visible focus ring; a question is answered by keyboard, on the
    unrolling page Step, Play and Reset work by keyboard (unrolling_keys), and on the training page a training is
    started by keyboard."""
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
        harness.wait_idle(page)            # the answer's feedback comes with the rerun, which may start late
        page.locator(f'{QUIZ} [data-testid="stAlert"]').first.wait_for(timeout=15_000)
    if key == "unrolling":
        unrolling_keys(page)
    if key == "train_numpy":
        page.locator("body").focus()
        tab_to(page, page.locator('.st-key-train_numpy_start button'))
        page.keyboard.press("Enter")
        page.wait_for_timeout(1500)
        harness.wait_idle(page)
        assert page.locator('.st-key-train_numpy_stop button').is_enabled() or \
            page.locator('[data-testid="stProgress"], [data-testid="stAlert"]').count()
        stop = page.locator('.st-key-train_numpy_stop button')
        if stop.is_enabled():
            stop.click()
            harness.wait_idle(page)


# WCAG 1.4.11 (non-text contrast): what identifies each kind of control in its unselected / off state, as
# (CSS selector of the element, what to measure). "border": its border against the background outside it and its
# own fill inside; "fill": its fill against the background behind it; "knob": its fill against its parent's (the
# toggle's knob on its track); "track": the unfilled part of a slider's track (a gradient's stop that is not the
# primary colour) against the background. Disabled controls are left out (1.4.11 exempts them).
BOUNDARIES = {
    "radio": ('[data-testid="stRadioOption"]:has(input:not(:checked):not(:disabled)) > div > div:first-child',
              "border"),
    "checkbox": ('[data-testid="stCheckbox"] label:has(input[type="checkbox"]:not([role="switch"]):not(:checked)'
                 ':not(:disabled)) > span + div', "border"),
    "toggle track": ('[data-testid="stCheckbox"] label:has(input[role="switch"]:not(:checked):not(:disabled))'
                     ' > span + div', "fill"),
    "toggle knob": ('[data-testid="stCheckbox"] label:has(input[role="switch"]:not(:checked):not(:disabled))'
                    ' > span + div > div', "knob"),
    "slider track": ('[data-testid="stSlider"] [role="group"] > [data-orientation]:not(:has(input:disabled))'
                     ' > div:first-child:not(:has(input))', "track"),
    "slider thumb": ('[data-testid="stSlider"] [role="group"] > [data-orientation] > div:has(input[type="range"])'
                     ':not(:has(input:disabled))', "fill"),
    "segmented control": ('button[data-variant="segmented_control"]:not([aria-checked="true"]):not(:disabled)',
                          "border"),
    "pills": ('button[data-variant="pills"]:not([aria-checked="true"]):not(:disabled)', "border"),
    "selectbox": ('[data-testid="stSelectbox"] [role="group"]:has(> input[role="combobox"]:not(:disabled))',
                  "border"),
    "text area": ('[data-testid="stTextAreaRootElement"]:has(textarea:not(:disabled))', "border"),
    "text input": ('[data-testid="stTextInputRootElement"]:has(input:not(:disabled))', "border"),
    "number input": ('[data-testid="stNumberInputContainer"]:has(input:not(:disabled))', "border"),
}
CONTRASTS = """specs => {
  const parse = (c) => {      // rgb()/rgba() or color(srgb r g b / a), as [r, g, b, a] on 0-255
    let m = c.match(/^rgba?\\(([^)]*)\\)$/);
    if (m) { const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p[3] ?? 1]; }
    m = c.match(/^color\\(srgb ([^)]*)\\)$/);
    if (m) { const p = m[1].split(/[\\s\\/]+/).filter(Boolean).map(Number);
             return [p[0] * 255, p[1] * 255, p[2] * 255, p[3] ?? 1]; }
    throw new Error('unknown colour ' + c);
  };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const behind = (el) => {    // the opaque colour seen behind el: its ancestors' fills, composited
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    return layers.reverse().reduce((base, c) => over(c, base), [255, 255, 255, 1]);
  };
  const lum = (c) => { const f = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                       return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const hex = (c) => '#' + c.slice(0, 3).map(v => Math.round(v).toString(16).padStart(2, '0')).join('');
  const out = [];
  for (const [name, [selector, how]] of Object.entries(specs)) {
    for (const el of document.querySelectorAll(selector)) {
      const s = getComputedStyle(el), outside = behind(el.parentElement);
      let fg, bg = outside, inner = null;
      if (how === 'border') {
        fg = over(parse(s.borderTopColor), outside);
        inner = behind(el);
        if (s.borderTopStyle === 'none' || parseFloat(s.borderTopWidth) === 0) fg = outside;
      } else if (how === 'fill' || how === 'knob') {
        fg = behind(el);
      } else {                                   // track: the gradient's stop that is not the thumb's colour
        const thumb = el.parentElement.querySelector(':scope > div:has(input)');
        const primary = parse(getComputedStyle(thumb).backgroundColor).join();
        const stops = (s.backgroundImage.match(/rgba?\\([^)]*\\)|color\\(srgb [^)]*\\)/g) || []).map(parse)
          .filter(c => c.join() !== primary);
        fg = stops.length ? over(stops[0], behind(el)) : behind(el);
      }
      const value = Math.min(ratio(fg, bg), inner ? ratio(fg, inner) : Infinity);
      out.push({name, where: el.closest('[data-testid="stSidebar"]') ? 'sidebar' : 'main',
                ratio: Math.round(value * 100) / 100, fg: hex(fg), bg: hex(bg), inner: inner && hex(inner)});
    }
  }
  return out;
}"""


def control_contrasts(page, names=tuple(BOUNDARIES)):
    """The lowest contrast of each kind of control's boundary on the page as it is now (WCAG 1.4.11), per place:
    {(name, "main" | "sidebar"): (ratio, boundary colour, background, fill inside or None)}."""
    lowest = {}
    for m in page.evaluate(CONTRASTS, {n: BOUNDARIES[n] for n in names}):
        key = (m["name"], m["where"])
        if key not in lowest or m["ratio"] < lowest[key][0]:
            lowest[key] = (m["ratio"], m["fg"], m["bg"], m["inner"])
    return lowest

"""Accessibility in Chromium beyond the tour: the screen reader's view (aria_snapshot), reduced motion, the contrast of
the controls' edges (WCAG 1.4.11, which axe does not check), a chosen option under the pointer or focus. The axe-core
audit of every page in every state, the keyboard walk and <html lang> (as opened, and after the language switch)
run in each page's tour (tests/browser/test_pages.py, with the checks in tests/browser/checks.py).
"""
import pytest

from tests.browser import checks, harness
from tests.browser.checks import QUIZ, SIZES
from ui import i18n


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_screen_reader_view(page, server, lang):
    """Chromium's accessibility tree: the question is the radio group's name, the feedback sits in a live region,
    every chart is named by its one-sentence summary and has its data table."""
    harness.open_page(page, server, "gradflow", lang)
    box = page.locator(QUIZ).first
    prompt = box.locator('[data-testid="stMarkdownContainer"] strong').first.inner_text()
    group = box.get_by_role("radiogroup")
    assert group.get_attribute("aria-label") == prompt
    assert f'radiogroup "{prompt[:20]}' in box.aria_snapshot().replace("'", "")
    group.locator('[data-testid="stRadioOption"]').first.click()
    harness.wait_idle(page)
    live = box.locator('[aria-live="polite"]')
    assert live.count() == 1 and live.locator('[data-testid="stAlert"]').count() == 1
    print(box.aria_snapshot())
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    assert charts.count() >= 1
    words = i18n.table(lang, "common")
    for c in charts.all():
        name = c.get_attribute("aria-label")
        assert name and len(name) > 20, name
    main = page.locator('[data-testid="stMain"]').aria_snapshot()
    assert words["chart.data"] in main
    print(main[:4000])


SENT = """() => { window.rnnSent = []; const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    if (bytes) window.rnnSent.push([performance.now(), Array.from(bytes)]);
    return send.call(this, data); }; }"""


def _timer_ticks(page):
    """When the browser sent the reruns that a fragment's timer asks for (run_every), in ms of performance.now()."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    ticks = []
    for at, data in page.evaluate("window.rnnSent"):
        msg = BackMsg()
        msg.ParseFromString(bytes(data))
        if msg.WhichOneof("type") == "rerun_script" and msg.rerun_script.is_auto_rerun:
            ticks.append(at)
    return ticks


def test_reduced_motion(browser, server):
    """prefers-reduced-motion: Play moves at most once a second, nothing animates."""
    with harness.closing(browser.new_context(reduced_motion="reduce", viewport=SIZES["wide"])) as context:
        context.add_init_script(f"({SENT})()")      # the browser's own clock of Play: the timer's reruns it sends
        page = context.new_page()
        harness.open_page(page, server, "unrolling", "en")
        page.wait_for_timeout(1500)         # the page reports the setting back: a rerun
        harness.wait_idle(page)
        slider = page.locator('.st-key-unrolling_step input').first     # the thumb's range input
        page.locator('.st-key-unrolling_play_btn button').click()
        page.wait_for_timeout(500)
        seen, moves = slider.evaluate("e => e.value"), 0
        for _ in range(60):                        # 6 s, looked at every 0.1 s: Play moves the step
            page.wait_for_timeout(100)
            now = slider.evaluate("e => e.value")
            moves, seen = moves + (now != seen), now
        assert moves >= 3, moves
        ticks = _timer_ticks(page)      # (when each step shows also waits on the loaded server: it jitters)
        gaps = sorted(b - a for a, b in zip(ticks, ticks[1:]))
        assert len(gaps) >= 4 and gaps[len(gaps) // 2] >= 950, gaps     # once a second (without the setting: 0.2 s)
        page.locator('.st-key-unrolling_play_btn button').click()
        duration = page.evaluate("getComputedStyle(document.querySelector('[data-testid=\"stMain\"] button'))"
                                 ".transitionDuration")
        assert set(duration.replace("s", "").split(", ")) <= {"0"}, duration


# What the unrolling page shows (a review typed in: its text area; the settings' toggles, selectbox and batch
# slider, drawn in the closed expander; a question's radios; the sidebar's language and switches), then with a review
# picked by number (its number input). (st.select_slider is the same control as st.slider; st.checkbox, st.pills and
# st.text_input are measured wherever they show, here none but the text input on other pages.)
SEEN = {("radio", "main"), ("toggle track", "main"), ("toggle knob", "main"), ("toggle track", "sidebar"),
        ("toggle knob", "sidebar"), ("slider track", "main"), ("slider thumb", "main"), ("segmented control", "main"),
        ("segmented control", "sidebar"), ("selectbox", "main"), ("text area", "main"), ("number input", "main")}


def test_control_boundaries_contrast(page, server):
    """WCAG 1.4.11: the edge of every kind of control the app uses, unselected or off, has >= 3:1 against what is
    around it (the white page, the grey sidebar, a field's own fill), in the app's theme (light only: the theme's
    base is light and the viewer's menu offers no other)."""
    harness.open_page(page, server, "unrolling", "en", unrolling_pick="My own text")
    found = checks.control_contrasts(page)
    page.locator('.st-key-unrolling_pick button[role="radio"]', has_text="Review no.").first.click()
    harness.wait_idle(page)
    found |= checks.control_contrasts(page, ["number input"])
    for (name, where), (ratio, edge, around, inside) in sorted(found.items()):
        print(f"{name:18} {where:8} {ratio:5.2f}:1  {edge} on {around}" + (f", around {inside}" if inside else ""))
    assert SEEN <= set(found), sorted(SEEN - set(found))
    low = {k: v for k, v in found.items() if v[0] < 3}
    assert not low, low


def test_a_chosen_option_under_the_pointer_or_focus_keeps_its_contrast(page, server):
    """WCAG 1.4.3 in the states the tour's audit meets only by chance: the chosen option of a segmented control (the
    language, the memory lab's gradient) under the pointer, then with the keyboard's focus (Streamlit draws the
    primary colour on a darker tint there: 4.1:1 without ui.layout's rule)."""
    harness.open_page(page, server, "memory", "en")
    rule = {"runOnly": {"type": "rule", "values": ["color-contrast"]}}
    for chosen in (page.locator('[data-testid="stMain"] button[data-selected="true"]').first,
                   page.locator('[data-testid="stSidebar"] button[data-selected="true"]').first):
        chosen.scroll_into_view_if_needed()
        chosen.hover()
        page.wait_for_timeout(300)
        assert chosen.get_attribute("data-hovered") == "true"
        hovered = checks.axe_run(page, rule)
        page.mouse.move(1, 1)
        chosen.focus()
        page.wait_for_timeout(300)
        assert (chosen.get_attribute("data-hovered"), chosen.get_attribute("data-focused")) == (None, "true")
        assert not hovered and not checks.axe_run(page, rule), (hovered, checks.axe_run(page, rule))

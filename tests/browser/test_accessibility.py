"""Accessibility in Chromium beyond the tour: the screen reader's view (aria_snapshot), reduced motion. The axe-core
audit of every page in every state, the keyboard walk and <html lang> (as opened, and after the language switch)
run in each page's tour (tests/browser/test_pages.py, with the checks in tests/browser/checks.py).
"""
import pytest

from tests.browser import harness
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


def test_reduced_motion(browser, server):
    """prefers-reduced-motion: Play moves at most once a second, nothing animates."""
    context = browser.new_context(reduced_motion="reduce", viewport=SIZES["wide"])
    page = context.new_page()
    try:
        harness.open_page(page, server, "unrolling", "en")
        page.wait_for_timeout(1500)         # the page reports the setting back: a rerun
        harness.wait_idle(page)
        slider = page.locator('.st-key-unrolling_step input').first     # the thumb's range input
        page.locator('.st-key-unrolling_play_btn button').click()
        page.wait_for_timeout(500)
        seen, changes = slider.evaluate("e => e.value"), []
        for _ in range(60):                        # 6 s, looked at every 0.1 s: when does the step move?
            page.wait_for_timeout(100)
            now = slider.evaluate("e => e.value")
            if now != seen:
                seen = now
                changes.append(page.evaluate("performance.now()"))
        gaps = [b - a for a, b in zip(changes, changes[1:])]     # the timer runs on the server: single gaps jitter
        assert len(gaps) >= 3 and sum(gaps) / len(gaps) >= 900, gaps      # once a second (else every 0.8 s)
        page.locator('.st-key-unrolling_play_btn button').click()
        duration = page.evaluate("getComputedStyle(document.querySelector('[data-testid=\"stMain\"] button'))"
                                 ".transitionDuration")
        assert set(duration.replace("s", "").split(", ")) <= {"0"}, duration
    finally:
        context.close()

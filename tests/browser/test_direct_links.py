"""Every page's direct link (http://host/<key>?lang=xx), as the first request of a fresh server, in both languages.

Streamlit runs a pages/ folder in its legacy multipage mode until some script run of the process has called
st.navigation; ui.navigation.entry_point_only() keeps the served app out of that mode (the server calls it when it
imports the entry point) and leaves it in a run that started in it. This is where it would show: the very first
requests. A page fails on "Page not found", on a missing language switch or navigation, or on an exception.

One fresh server per page. Its first request is the page's direct link in one language (the languages alternate
over the pages). Every page's direct link in both languages, on a server that has run before, is
tests/browser/test_pages.py::test_page_tour; the legacy mode itself is met by every AppTest run (AppTest
sets the flag back before each run).
"""
import threading

import pytest

from tests.browser import harness
from tests.browser.conftest import SHOTS
from ui import i18n
from ui.site import PAGES

pytestmark = pytest.mark.browser


def _check_direct_link(page, url, info, lang):
    page.goto(harness.page_url(url, info.key, lang))
    harness.wait_idle(page, timeout=180)
    shown = page.locator("body").inner_text()
    harness.screenshot(page, SHOTS / f"direct-{info.key}-{lang}.png")
    assert "Page not found" not in shown and "페이지를 찾을 수 없" not in shown
    assert not harness.exceptions(page), harness.exceptions(page)[0][:1500]
    title = i18n.table(lang, info.key)["title_long" if info.key == "home" else "title"]
    assert title in page.locator("h1").first.inner_text()       # the page asked for, in its language
    sidebar = page.locator('[data-testid="stSidebar"]')
    for name in i18n.NAMES.values():                                  # the language switch
        assert sidebar.locator("button", has_text=name).count() >= 1, name
    nav = page.locator('[data-testid="stSidebarNav"]')           # the navigation, with every page
    assert nav.count() == 1
    for other in PAGES:
        assert i18n.table(lang, other.key)["title"] in nav.inner_text(), other.key
    if info.key != "home":
        assert f"/{info.key}" in page.url                        # the link stayed where it pointed


@pytest.mark.parametrize("info", PAGES, ids=lambda p: p.key)
def test_direct_link_on_a_fresh_server(browser, info):
    lang = i18n.LANGS[[p.key for p in PAGES].index(info.key) % len(i18n.LANGS)]   # pages alternate languages
    (harness.ROOT / "artifacts").mkdir(exist_ok=True)
    with harness.streamlit_server() as (url, _), \
            harness.closing(browser.new_context(viewport={"width": 1400, "height": 900})) as context:
        page = context.new_page()          # the server's first session (a context of its own; shot if it fails)
        try:
            _check_direct_link(page, url, info, lang)
        except AssertionError as e:
            raise AssertionError(f"{info.key} ({lang}, the first request of a fresh server): {e}") from e


def test_a_class_opening_direct_links_at_once_on_a_fresh_server():
    """Four students open direct links together as a fresh server's first sessions (a browser each, as in a room):
    each runs through the entry point. One session leaving Streamlit's legacy mode must not strand another whose
    run had already started in it: that page was drawn without the language switch and the navigation (4 of 4
    before the fix). Two first runs at once also parsed the code expanders' sources at once (ui/code.py), which
    once failed with a SystemError here."""
    (harness.ROOT / "artifacts").mkdir(exist_ok=True)
    wanted = [("keras", "ko"), ("keras", "en"), ("keras", "ko"), ("memory", "en")]
    keys = {p.key: p for p in PAGES}
    failures = []

    def student(url, key, lang):
        try:
            with harness.chromium() as browser, \
                    harness.closing(browser.new_context(viewport={"width": 1400, "height": 900})) as context:
                tab = context.new_page()
                _check_direct_link(tab, url, keys[key], lang)
                chosen = tab.locator('[data-testid="stSidebar"] button[data-selected="true"]')
                assert chosen.count() == 1 and i18n.NAMES[lang] in chosen.inner_text(), "no language chosen"
        except Exception as e:     # (AssertionError, or a timeout): reported by the test's own thread
            failures.append(f"{key} ({lang}): {e}"[:1500])

    with harness.streamlit_server() as (url, _):
        students = [threading.Thread(target=student, args=(url, *pair)) for pair in wanted]
        for s in students:
            s.start()
        for s in students:
            s.join()
    assert not failures, failures

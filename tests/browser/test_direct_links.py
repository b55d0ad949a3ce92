"""Every page's direct link (http://host/<key>?lang=xx), as the first request of a fresh server, in both languages.

Streamlit runs a pages/ folder in its legacy multipage mode until some script run of the process has called
st.navigation; ui.navigation.entry_point_only() leaves that mode. This is where it would show: the very first request.
A page fails on "Page not found", on a missing language switch or navigation, or on an exception.

One fresh server per page. Its first request is the page's direct link in one language (the languages alternate
over the pages, so each is a first request for half of them). The legacy mode is the same for either language (the
language is read after the entry point runs), so every page meets it once; every page's direct link in both
languages, on a server that has run before, is tests/browser/test_browser.py::test_page_in_browser.
"""
import pytest

from tests.browser import harness
from tests.browser.conftest import SHOTS
from ui import i18n
from ui.site import PAGES

pytestmark = pytest.mark.browser
NAMES = {"ko": "한국어", "en": "English"}       # the language switch's options (ui.texts.language_selector)


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
    for name in NAMES.values():                                  # the language switch
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

"""A page the flood guard slowed down comes back by itself, as its note says, with nothing lost (ui/flood.py).

Before, the slowed run finished having drawn only its note: the page went blank until a reload, and the widgets it
had not drawn lost their values (the language fell back to the browser's). The server here allows 1 run a second and
bursts of 2, so a few quick key presses on a switch are a flood; tests/test_flood.py covers the guard at its real
rate.
"""
import pytest

from tests.browser import harness
from ui import i18n

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_slowed_down_page_comes_back_by_itself(browser, lang):
    common, home = i18n.table(lang, "common"), i18n.table(lang, "home")
    note_text, title = common["guard.slow_down"].split(":")[0], home["title_long"]
    env = harness.app_env(RNN_FLOOD_RATE="1", RNN_FLOOD_BURST="2")
    with harness.streamlit_server(env=env) as (url, _), \
            harness.closing(browser.new_context(viewport={"width": 1280, "height": 800})) as context:
        page = context.new_page()
        harness.open_page(page, url, "home", lang)
        page.get_by_role("switch", name=common["lecture_mode"]).focus()
        note = page.get_by_text(note_text, exact=False)
        for _ in range(60):     # far quicker than anyone reads the page (presses apart: runs asked for at once merge)
            page.keyboard.press("Space")
            page.wait_for_timeout(200)
            if note.count():
                break
        note.first.wait_for(timeout=30000)
        assert page.get_by_role("switch", name=common["lecture_mode"]).count() == 1   # the page stays meanwhile

        note.first.wait_for(state="detached", timeout=30000)    # no click, no key: the page comes back
        harness.wait_idle(page)
        assert title in page.locator("h1").first.inner_text()
        assert page.get_by_role("switch", name=common["lecture_mode"]).count() == 1
        page.wait_for_timeout(3000)                 # and stays: the run it asked for passed, nothing asks again
        assert note.count() == 0 and title in page.locator("h1").first.inner_text()
        assert not harness.exceptions(page)

"""The app shell: navigation to every page in both languages, language choice, lecture mode, start-up imports."""
import subprocess
import sys
import textwrap

import pytest

from ui import i18n
from ui.site import PAGES

LIGHT_PAGES = [p for p in PAGES if not p.uses_tensorflow]


def _titles(at):
    return [t.value for t in at.title]


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_home_in_each_language(make_app, lang):
    at = make_app(lang).run()
    assert not at.exception
    assert i18n.table(lang, "home")["title_long"] in _titles(at)
    assert at.session_state["lang"] == lang


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("page", LIGHT_PAGES, ids=lambda p: p.key)
def test_every_page_runs_through_navigation(make_app, lang, page):
    at = make_app(lang).run()
    at.switch_page(page.path).run()
    assert not at.exception, [e.value for e in at.exception]
    title = i18n.table(lang, page.key)["title_long" if page.key == "home" else "title"]
    assert title in _titles(at)                                   # the page asked for, in its language


def test_language_switch_is_kept_across_pages(make_app):
    at = make_app("en").run()
    at.sidebar.button_group(key="lang").set_value("ko").run()
    assert at.query_params["lang"] == ["ko"] or at.query_params["lang"] == "ko"
    at.switch_page("pages/sequences.py").run()
    assert at.session_state["lang"] == "ko"
    assert i18n.table("ko", "sequences")["title"] in [t.value for t in at.title]


def test_browser_locale_sets_default_language():
    """Without ?lang=, the first run takes the browser's locale (checked at the function level)."""
    assert i18n.lang_from_locale("ko-KR") == "ko"


def test_lecture_mode_from_url(make_app):
    at = make_app("en", lecture="true").run()
    assert not at.exception
    assert at.session_state["lecture"] is True


# What each page's own test does, done here once more in a fresh Python (the one "no TensorFlow" check)
ACTIONS = {
    "pages/unrolling.py": 'at.button(key="unrolling_next").click().run()',
    "pages/gradflow.py": 'at.slider(key="gradflow_radius").set_value(1.4).run()',
}


def test_no_tensorflow_outside_the_keras_page():
    """Start-up stays fast: running every page but the Keras one (and a control on some) never imports TensorFlow."""
    pages = {p.path: ACTIONS.get(p.path, "pass") for p in LIGHT_PAGES}
    code = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, os.getcwd())
        os.environ["IMDB_OFFLINE"] = "1"
        from streamlit.testing.v1 import AppTest
        for lang in ("en", "ko"):
            at = AppTest.from_file("streamlit_app.py", default_timeout=120)
            at.query_params["lang"] = lang
            at.run()
            for path, action in {pages!r}.items():
                at.switch_page(path).run()
                exec(action)
                assert not at.exception, (path, [e.value for e in at.exception])
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
        print("HEAVY", heavy[:5])
        assert not heavy, heavy[:5]
    """)
    from tests.conftest import ROOT
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]

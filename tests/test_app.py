"""The app shell: every page through the navigation in both languages (no TensorFlow), language choice, lecture mode."""
import re
import subprocess
import sys
import textwrap
import tomllib

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


def test_language_switch_is_kept_across_pages(make_app):
    at = make_app("en").run()
    at.sidebar.button_group(key="lang").set_value("ko").run()
    assert at.query_params["lang"] == ["ko"] or at.query_params["lang"] == "ko"
    at.switch_page("pages/sequences.py").run()
    assert at.session_state["lang"] == "ko"
    assert i18n.table("ko", "sequences")["title"] in [t.value for t in at.title]


def test_the_language_switch_always_tells_the_browser_the_shown_language(make_app):
    """The browser draws the switch from the element the server sends: its default is the language shown, so a
    browser without the value (it missed the run that sent it) still shows the choice; a value lost on the server
    (None) is sent again on the next run."""
    at = make_app("en").run()
    for lang in ("ko", "en", "ko"):
        at.sidebar.button_group(key="lang").set_value(lang).run()
        sent = at.sidebar.button_group(key="lang").proto
        assert [sent.options[i].content for i in sent.default] == [i18n.NAMES[lang]]
    at.session_state["lang"] = None                       # as if the browser had sent an empty choice
    at.run()
    assert at.session_state["lang"] == "ko" and at.sidebar.button_group(key="lang").value == "ko"
    assert i18n.table("ko", "home")["title_long"] in _titles(at)


def test_browser_locale_sets_default_language():
    """Without ?lang=, the first run takes the browser's locale (checked at the function level)."""
    assert i18n.lang_from_locale("ko-KR") == "ko"


def test_lecture_mode_from_url(make_app):
    at = make_app("en", lecture="true").run()
    assert not at.exception
    assert at.session_state["lecture"] is True


# A control used on some pages after they open (what their own tests did in a fresh Python before)
FORMULA_WORDS = r"\\(?:text|mathrm|operatorname)\{([^{}]*)\}"    # the words KaTeX writes out

MATH_NAMES = {"diag", "pad", "float32", "float64", "int32"}    # operators and dtypes, the same in Korean

ACTIONS = {
    "pages/unrolling.py": 'at.button(key="unrolling_next").click().run()',
    "pages/gradflow.py": 'at.slider(key="gradflow_radius").set_value(1.4).run()',
}


def test_every_light_page_in_both_languages_without_tensorflow():
    """Through the navigation, in a fresh Python: every page but the Keras one runs in both languages with every
    answer shown, shows its title in that language, never imports TensorFlow (start-up stays fast), and writes no
    English word inside a Korean page's formulas (\\text{bytes} on a Korean page)."""
    pages = [(p.path, "title_long" if p.key == "home" else "title", p.key, ACTIONS.get(p.path, "pass"))
             for p in LIGHT_PAGES]
    generic = [re.sub(r"\\\{\w+\\\}", ".*", re.escape(i18n.table(g, "common")[k].removeprefix("{title}: ")))
               for g in ("en", "ko") for k in ("chart.summary", "chart.summary_empty")]   # spec.describe's sentence
    with open(i18n.LOCALES / "ko" / "glossary.toml", "rb") as f:
        names = tomllib.load(f)["names"]
    allowed = set(names["allowed"]) | set(names["code"]) | MATH_NAMES
    code = textwrap.dedent(f"""
        import json, os, re, sys
        sys.path.insert(0, os.getcwd())
        os.environ["IMDB_OFFLINE"] = "1"
        from streamlit.testing.v1 import AppTest
        from ui import i18n
        failed = []
        generic = [re.compile(g) for g in {generic!r}]
        allowed = {allowed!r}
        for lang in ("en", "ko"):
            at = AppTest.from_file("streamlit_app.py", default_timeout=120)
            at.query_params["lang"] = lang
            at.query_params["answers"] = "true"
            at.run()
            for path, title_key, key, action in {pages!r}:
                at.switch_page(path).run()
                exec(action)
                if at.exception:
                    failed.append((lang, path, [e.value for e in at.exception]))
                elif i18n.table(lang, key)[title_key] not in [t.value for t in at.title]:
                    failed.append((lang, path, "title missing", [t.value for t in at.title]))
                for c in at.get("vega_lite_chart"):          # every chart its own summary, none the generic one
                    said = json.loads(c.proto.spec).get("description", "")
                    if not said or any(g.search(said) for g in generic):
                        failed.append((lang, path, "generic chart summary", said))
                for e in at.latex if lang == "ko" else []:
                    words = re.findall({FORMULA_WORDS!r}, e.value)
                    english = set(re.findall(r"[A-Za-z][A-Za-z0-9]+", " ".join(words))) - allowed
                    if english:
                        failed.append((lang, path, "English in a formula", sorted(english), e.value))
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
        print("FAILED", failed, "HEAVY", heavy[:5])
        assert not failed and not heavy
    """)
    from tests.conftest import ROOT
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-4000:]

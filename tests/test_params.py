"""Hostile URLs: every query parameter of every page is checked before a widget sees it (ui/params.py).

On main before this, `/unrolling?unrolling_cells=inf` raised an OverflowError inside Streamlit, and an empty
`keras_model` left the Keras page without a model."""
import math
import re
from pathlib import Path

import pytest

from ui import params
from ui.site import PAGES

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ["inf", "-inf", "nan", "1e309", "99999999999999999999999", "-5", "-0.5", "abc", "", "x" * 5000,
           "１２", "0x10", "1_000", " 5", "true", "<script>alert(1)</script>", "%00", "\x00", "../../etc/passwd"]
REPEATED = ["1", "2"]


def _hostile_for(param):
    """The table's values that are not valid for this parameter (some are valid for one kind or another)."""
    return [v for v in HOSTILE if not param.accepts(v)]


def test_the_check_refuses_the_hostile_table_for_every_parameter():
    """The rule against an independent statement of it: finite, in range, right type, one value, short."""
    for key, param in params.PARAMS.items():
        for value in HOSTILE:
            refused = key in params.check({key: [value]})
            if param.kind == "int":
                valid = value.isascii() and value.lstrip("+-").isdigit() and param.lo <= int(value) <= param.hi
            elif param.kind == "float":
                try:
                    number = float(value) if value.isascii() and not set(value) & set(" _eEnN") else math.nan
                except ValueError:
                    number = math.nan
                valid = math.isfinite(number) and param.lo <= number <= param.hi
            elif param.kind == "bool":
                valid = value in ("true", "false")
            elif param.kind == "choice":
                valid = value in param.options
            else:
                valid = 0 < len(value) <= param.max_length and value.isprintable()
            assert refused != valid, (key, value[:30])
        assert key in params.check({key: REPEATED}), key
        assert key in params.check({key: [""]}), key


def test_unknown_parameters_are_left_alone_unless_too_long_or_too_many():
    assert params.check({"utm_source": ["class"]}) == []
    assert params.check({"utm_source": ["x" * 1000]}) == ["utm_source"]
    many = {f"k{i}": ["1"] for i in range(params.MAX_KEYS + 5)}
    assert len(params.check(many)) == 5


def _bound_keys():
    """Every widget key bound to the URL in the pages and ui/, read from the source."""
    keys = set()
    for path in [*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]:
        for call in re.findall(r"\((?:[^()]|\([^()]*\))*\)", path.read_text(encoding="utf-8")):
            if 'bind="query-params"' in call:
                keys |= set(re.findall(r'key="(\w+)"', call))
    return keys


def test_every_bound_widget_is_declared():
    keys = _bound_keys()
    assert {"unrolling_cells", "gradflow_radius", "keras_model"} <= keys
    assert keys <= set(params.PARAMS), keys - set(params.PARAMS)


def _page_params(key):
    return {**params.PAGES["common"], **params.PAGES.get(key, {})}


# Through the app: the values that crashed Streamlit or reached a widget, over every page with URL parameters
# (the check itself is tested over the whole table above). The Keras page is slow to run: three of them there.
THROUGH_APP = ["inf", "1e309", "nan", "", "-5", "x" * 5000, "abc", REPEATED]
CASES = [(p, v) for p in PAGES if p.key in params.PAGES or p.key == "home"
         for v in (THROUGH_APP if p.key != "keras" else ["", "x" * 5000, REPEATED])]


@pytest.mark.parametrize("page, value", CASES, ids=[f"{p.key}-{i}" for i, (p, _) in enumerate(CASES)])
def test_hostile_url_gives_defaults_and_a_note(make_app, page, value):
    """Every parameter of the page (and the shared ones) at once with one hostile value; languages alternate."""
    lang = "ko" if CASES.index((page, value)) % 2 else "en"
    at = make_app(lang)
    hostile = {key: value for key, param in _page_params(page.key).items()
               if key != "lang" and (value is REPEATED or not param.accepts(value))}
    for key, v in hostile.items():
        at.query_params[key] = v
    at.switch_page(page.path).run()
    assert not at.exception, (page.key, value[:20], [e.value for e in at.exception])
    for key in hostile:
        assert key not in at.query_params, key
        if key in at.session_state:
            v = at.session_state[key]
            assert v is not None and not (isinstance(v, float) and not math.isfinite(v)), (key, v)
    if hostile:
        from ui import i18n
        note = i18n.table(lang, "common")["guard.params_ignored"].split("{")[0]
        assert any(t.value.startswith(note) for t in at.toast), [t.value for t in at.toast]


def test_the_issue_url(make_app):
    at = make_app("en", unrolling_cells="inf", unrolling_trained="false")
    at.switch_page("pages/unrolling.py").run()
    assert not at.exception
    assert at.number_input(key="unrolling_cells").value == 32


def test_empty_keras_model_gives_model_a(make_app):
    at = make_app("ko", keras_model="")
    at.switch_page("pages/keras.py").run()
    assert not at.exception
    assert at.session_state["keras_model"] == "keras_a"


VALID = {"gradflow_radius": ("1.5", 1.5), "gradflow_steps": ("50", 50), "gradflow_init": ("glorot", "glorot"),
         "gradflow_input": ("2.5", 2.5), "unrolling_cells": ("5", 5), "unrolling_seed": ("9999", 9999),
         "unrolling_review": ("17", 17), "unrolling_trained": ("false", False),
         "unrolling_pick": ("Review no.", "number"), "unrolling_pad": ("true", True), "unrolling_batch": ("16", 16),
         "keras_model": ("C · Embedding + LSTM(8)", "keras_c")}


@pytest.mark.parametrize("page", ["gradflow", "unrolling", "keras"])
def test_valid_values_reach_the_widgets_and_bounds_agree(make_app, page):
    """A valid link still works; the table's bounds are the widgets' own."""
    at = make_app("en", **{k: v for k, (v, _) in VALID.items() if k.startswith(page)})
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception and not at.toast
    for key, (_, value) in VALID.items():
        if key.startswith(page):
            assert at.session_state[key] == value, key
    for key, param in params.PAGES[page].items():
        widget = next((w for w in (*at.slider, *at.number_input) if w.key == key), None)
        if widget is not None and param.kind in ("int", "float"):
            hi = param.hi if key != "unrolling_review" else widget.max      # the data's size, at most n_val - 1
            assert (widget.min, widget.max) == (param.lo, hi), key
            assert widget.max <= param.hi, key


# The same table against a real `streamlit run` server, over its websocket as a browser sends it: the URL reaches
# Streamlit's own query-parameter handling (where `unrolling_cells=inf` raised), not AppTest's mock runtime.
async def _through_server(url):
    import urllib.parse

    from scripts.wsclient import Session

    class Tab(Session):
        toasts = 0

        def seen(self, msg):
            if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self.toasts += msg.delta.new_element.WhichOneof("type") == "toast"

    failures = []
    for page, value in CASES:
        hostile = [(key, v) for key, param in _page_params(page.key).items() if key != "lang"
                   for v in (value if value is REPEATED else [value]) if value is REPEATED or not param.accepts(v)]
        async with Tab(url) as tab:                # one session per case: none of them is a flood
            await tab.run_page(page.key, urllib.parse.urlencode([("lang", "en"), *hostile]))
            if tab.exceptions or tab.elements <= 3 or (hostile and not tab.toasts):
                failures.append((page.key, str(value)[:20], tab.exceptions, tab.elements, tab.toasts))
    return failures


def test_hostile_urls_against_a_real_server():
    from tests.browser import harness
    with harness.streamlit_server(timeout=120) as (url, _proc):
        assert harness.run_async(_through_server(url)) == []

"""Streamlit helpers shared by the pages: language, texts, data, code display."""
import ast
import functools
import importlib.util
import inspect
import runpy
import threading
from pathlib import Path

import streamlit as st

from rnn_core.config import CHAPTER
from ui import i18n

ENTRY_POINT = i18n.LOCALES.parent / "streamlit_app.py"


def entry_point_only():
    """Leave Streamlit's legacy pages/ mode, in which a pages/*.py file runs without the entry point.

    Streamlit treats a pages/ folder as a legacy multipage app until some script run in the process has called
    st.navigation: on a fresh server a direct link to /unrolling would run pages/unrolling.py alone (no language
    switch, no navigation). The entry point and every page call this first: in that mode it runs the entry point
    as st.navigation expects, in the same script run (so a click that started the run is not lost).
    """
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        ctx = get_script_run_ctx()
        with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash):   # widgets get their usual ids
            runpy.run_path(str(ENTRY_POINT), run_name="__main__")
        st.stop()


def lang():
    """The language the user chose ('ko' or 'en')."""
    value = st.session_state.get("lang")
    return value if value in i18n.LANGS else i18n.lang_from_locale(st.context.locale)


def texts(page):
    """The texts of one page in the user's language."""
    return i18n.Texts(lang(), page)


def language_selector():
    """The sidebar language choice: from ?lang=, else the browser's locale; kept across pages and in the URL."""
    url = st.query_params.get("lang")
    if "lang" not in st.session_state:
        st.session_state.lang = url if url in i18n.LANGS else i18n.lang_from_locale(st.context.locale)
    elif url in i18n.LANGS and url != st.session_state.get("_lang_in_url"):
        st.session_state.lang = url  # someone edited the address bar
    names = {"ko": "한국어", "en": "English"}
    choice = st.sidebar.segmented_control(
        "Language / 언어", i18n.LANGS, format_func=names.get, key="lang", required=True)
    st.query_params["lang"] = st.session_state._lang_in_url = choice
    return choice


def lecture_mode():
    """True when the app is shown on a projector (bigger text, fewer technical controls)."""
    return bool(st.session_state.get("lecture"))


# Projector styling: larger text and widgets; the app's own CSS, never user text.
_LECTURE_CSS = """<style>
[data-testid="stMain"] { font-size: 1.3rem; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p, [data-testid="stMain"] li,
[data-testid="stMain"] [data-testid="stWidgetLabel"] p { font-size: 1.3rem !important; }
[data-testid="stMain"] [data-testid="stMetricValue"] div { font-size: 3rem !important; }
[data-testid="stMain"] h1 { font-size: 3.2rem !important; }
[data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 2.2rem !important; }
[data-testid="stMain"] .katex { font-size: 1.6em !important; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding-left: 2rem; padding-right: 2rem; }
</style>"""


def lecture_toggle():
    """The sidebar switch for lecture mode (also ?lecture=true), and its projector styling."""
    st.sidebar.toggle(texts("common")("lecture_mode"), key="lecture", bind="query-params",
                      help=texts("common")("lecture_help"))
    if lecture_mode():
        st.html(_LECTURE_CSS)


def chart(spec, *args, width=None, height=None, **kwargs):
    """Draw a chart of rnn_core.charts, an Altair chart or a Vega-Lite dict (charts/spec.py): the one way pages do it.

    Altair charts become their Vega-Lite dict without Altair's slow checks (the tests run them). A chart without
    the theme gets it, sized for lecture mode. width: "stretch", "content", or by default "content" for a chart
    that sets its own width (fixed, concatenated or faceted) and "stretch" for the others. height: pixels, when
    Streamlit must reserve more than the chart says (a legend above it).

    ui.chart(charts.f, *args, **kwargs) draws charts.f(*args, **kwargs) and keeps the drawn element: the same
    inputs replay it. Building a chart's data frames and Streamlit's conversion of them to Arrow cost a few ms per
    chart on every rerun, under the GIL that every session shares.
    """
    if callable(spec):
        _built_chart(spec.__module__, spec.__qualname__, args, kwargs, width, height, lecture_mode())
        return
    from rnn_core.charts import theme
    if not isinstance(spec, dict):
        import altair as alt
        with alt.theme.enable("none"):
            spec = spec.to_dict(validate=False)
    if "config" not in spec:
        spec = {**spec, "config": theme.config(lecture_mode())}
    if width is None:
        fixed = isinstance(spec.get("width"), int) or any(k in spec for k in ("hconcat", "vconcat", "facet"))
        width = "content" if fixed else "stretch"
    st.vega_lite_chart(spec=spec, width=width, **({"height": height} if height else {}))


@st.cache_data(show_spinner=False, max_entries=512)
def _built_chart(module, name, args, kwargs, width, height, big):
    """ui.chart of a chart function's output, cached with its element (big: the lecture mode it was sized for)."""
    chart(getattr(importlib.import_module(module), name)(*args, **kwargs), width=width, height=height)


# Phones and touch screens: the app's own CSS, never user text. Wide equations, charts and tables scroll inside
# their own box, and the answers of a question are rows big enough to tap.
_PHONE_CSS = """<style>
[data-testid="stMain"] .katex-display, [data-testid="stMain"] [data-testid="stVegaLiteChart"] {
  overflow-x: auto; overflow-y: hidden; max-width: 100%; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] :is(p, li, h1, h2, h3, h4) {
  overflow-wrap: anywhere; word-break: keep-all; }   /* Korean breaks between words, long tokens anywhere */
@media (max-width: 640px), (pointer: coarse) {
  [class*="st-key-quizbox_"] [data-testid="stRadioGroup"],
  [class*="st-key-quizbox_"] [data-testid="stRadioGroup"] > div {
    width: 100% !important; }
  [class*="st-key-quizbox_"] [data-testid="stRadioOption"] {
    min-height: 44px; width: 100% !important; align-items: center; padding: 2px 0; margin: 0; }
  [class*="st-key-quizbox_"] input { min-height: 44px; font-size: 16px; }   /* 16px: no zoom on focus */
  [data-testid="stMainBlockContainer"] { padding-left: 1rem; padding-right: 1rem; }
}
</style>"""


def phone_style():
    """Styling for narrow and touch screens (every page, every run; a style-only st.html takes no space)."""
    st.html(_PHONE_CSS)


@functools.cache
def _source(obj):
    """The source of a function or class; "module.name" is read from the module's file without importing it."""
    if not isinstance(obj, str):
        return f"{obj.__module__}.{obj.__qualname__}", inspect.getsource(obj)
    module, name = obj.rsplit(".", 1)
    text = Path(importlib.util.find_spec(module).origin).read_text(encoding="utf-8")
    node = next(n for n in ast.parse(text).body if getattr(n, "name", None) == name)
    return obj, ast.get_source_segment(text, node)


def show_code(*objects):
    """An expander with the real source of the rnn_core functions behind what the page shows.

    An object may be given as "module.name" (e.g. for rnn_core.keras_models, which the server must not import).
    """
    t = texts("common")
    with st.expander(t("show_code"), icon=":material/code:"):
        for obj in objects:
            name, source = _source(obj)
            st.caption(f"`{name}`")
            st.code(source, language="python")


@st.cache_resource(show_spinner=False, max_entries=8)
def _chapter_data(num_words, skip_top, maxlen):
    from rnn_core.data import prepare_chapter_data
    return prepare_chapter_data(num_words=num_words, skip_top=skip_top, maxlen=maxlen)


@st.cache_resource(show_spinner=False)
def warm_up(delay=2.0):
    """Once per server: send websocket messages without delay; load the default data in the background, after the
    first page has had time to draw."""
    from ui import server
    server.disable_nagle()
    timer = threading.Timer(delay, _chapter_data, args=(CHAPTER.num_words, CHAPTER.skip_top, CHAPTER.maxlen))
    timer.daemon = True
    timer.start()
    return True


_loaded = set()      # settings whose data this process has loaded: no spinner for them (a spinner costs a thread)


def chapter_data(num_words=CHAPTER.num_words, skip_top=CHAPTER.skip_top, maxlen=CHAPTER.maxlen):
    """The chapter's padded split (read-only, shared by all sessions), with a spinner while it loads."""
    from rnn_core.npz_safe import DataError
    settings = (int(num_words), int(skip_top), int(maxlen))
    try:
        if settings in _loaded:
            return _chapter_data(*settings)
        with st.spinner(texts("common")("loading_data")):
            data = _chapter_data(*settings)
        _loaded.add(settings)
        return data
    except DataError as e:
        st.error(texts("common")("data_error", error=reason(e)), icon=":material/error:")
        st.stop()


@st.cache_resource(show_spinner=False, max_entries=2)
def _saved_runs(directory, stamp):
    from rnn_core import runs
    loaded = runs.saved_runs(directory)
    for run in loaded:
        for w in run.weights.values():
            w.flags.writeable = False     # shared by every session: read-only
    return loaded


def saved_runs(kind=None):
    """The runs shipped in saved_runs/ (read once, again when the files change), optionally of one kind."""
    from rnn_core import runs
    folder = runs.SAVED_DIR
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.*")))
    return [r for r in _saved_runs(str(folder), stamp) if kind is None or r.kind == kind]


def training_limit():
    """How many trainings may run at once on this server: RNN_MAX_TRAININGS from the environment or secrets."""
    from rnn_core import slots
    try:
        secret = st.secrets.get("RNN_MAX_TRAININGS") if st.secrets.load_if_toml_exists() else None
    except Exception:   # an unreadable secrets file must not break the page
        secret = None
    return slots.max_trainings(secret)


@st.cache_resource(show_spinner=False, ttl=600)
def _located_source():
    from rnn_core.imdb_files import KERAS_FILES, locate_corpus
    source, folder, reasons = locate_corpus()
    detail = str(folder / next(iter(KERAS_FILES))) if source == "keras" else str(folder) if folder else ""
    return source, detail, reasons


def data_source():
    """(source, detail, reasons) of the reviews the app uses, from the files alone (pages that don't load them)."""
    return _located_source()


def reason(error):
    """A DataError in the user's language: its code's text in locales/<lang>/common.toml [reason]."""
    return texts("common")(f"reason.{error.code}", **error.params)


def source_note(data=None):
    """Say which data a page shows: the real IMDB reviews or the synthetic corpus (and why, in the user's language)."""
    t = texts("common")
    source, detail, reasons = ((data.source, data.source_detail, getattr(data, "source_reasons", ()))
                               if data is not None else data_source())
    if source == "synthetic":
        st.warning(t("source.synthetic"), icon=":material/science:")
        why = "; ".join(f"{t(f'source.where.{where}')}: {reason(e)}" for where, e in reasons)
        st.caption(t("source.why", detail=why or t("source.no_reason")))
    else:
        st.caption(t(f"source.{source}") + f" (`{detail}`)")

"""Layout for the screen at hand: lecture mode for a projector, and phones."""
import streamlit as st

from ui import state
from ui.texts import texts


def lecture_mode():
    """True when the app is shown on a projector (bigger text, fewer technical controls)."""
    return bool(st.session_state.get(state.LECTURE))


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
    st.sidebar.toggle(texts("common")("lecture_mode"), key=state.LECTURE, bind="query-params",
                      help=texts("common")("lecture_help"))
    if lecture_mode():
        st.html(_LECTURE_CSS)


def setting(widget, key, default, *args, **kwargs):
    """A technical control: shown normally, hidden in lecture mode (where its kept value, or the default, is used)."""
    if lecture_mode():
        return st.session_state.get(key, default)
    return widget(*args, value=default, key=key, persist_state="session", **kwargs)


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

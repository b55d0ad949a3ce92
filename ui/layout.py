"""Layout for the screen at hand: lecture mode for a projector, and phones."""
import re
import time

import streamlit as st

from ui import state
from ui.texts import texts


def lecture_mode():
    """True when the app is shown on a projector (bigger text, fewer technical controls)."""
    return bool(st.session_state.get(state.LECTURE))


# Projector styling: every text at least as large as on a laptop and readable from the back of a room (at
# 1280x720: body, labels, captions, table cells, buttons and what an input or a select box shows >= 22 px, metric values
# >= 40 px; tests/browser/test_lecture_mode.py measures them). Each rule names the element that holds the text:
# Streamlit puts a metric's value and a caption's text in a markdown paragraph of their own, so a rule for every
# paragraph would shrink them.
# Tables are st.table in lecture mode (show_table), their cells' sides a little narrower: the memory page's nine
# columns fit 1280 px with their numbers whole. The app's own CSS, never user text.
_LECTURE_CSS = """<style>
[data-testid="stMain"] { font-size: 1.5rem; }
[data-testid="stMain"] :is([data-testid="stMarkdownContainer"] :is(p, li, td, th), li, label, summary,
  [data-testid="stWidgetLabel"] *, [data-testid="stRadioOption"] *, [data-testid="stTable"] *,
  [data-baseweb="tab"] *, [data-testid="stExpander"] summary *):not(.katex, .katex *,
  [data-testid="stCaptionContainer"] *, [data-testid="stMetricValue"] *, [data-testid="stMetricLabel"] *,
  [data-testid="stMetricDelta"] *) {
  font-size: 1.5rem !important; line-height: 1.45; }
[data-testid="stMain"] :is([data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] *,
  [data-testid="stMetricLabel"] *, [data-testid="stMetricDelta"] *, [data-testid="stSliderThumbValue"],
  [data-testid="stSliderTickBarMin"], [data-testid="stSliderTickBarMax"], [data-testid="stCode"] *,
  code):not(.katex, .katex *) { font-size: 1.4rem !important; }
[data-testid="stMain"] :is([data-testid="stMetricValue"], [data-testid="stMetricValue"] *) {
  font-size: 3rem !important; line-height: 1.2; }
[data-testid="stMain"] :is(h1, h1 *):not(.katex, .katex *) { font-size: 3.2rem !important; }
[data-testid="stMain"] :is(h2, h3, h2 *, h3 *):not(.katex, .katex *) { font-size: 2.2rem !important; }
[data-testid="stMain"] :is(h4, h5, h6, h4 *, h5 *, h6 *):not(.katex, .katex *) { font-size: 1.8rem !important; }
[data-testid="stMain"] .katex { font-size: 1.3em !important; }
[data-testid="stMain"] :is([data-testid="stMetricDelta"], [data-testid="stMetricDelta"] *) {
  white-space: normal !important; flex-wrap: wrap; }
[data-testid="stMainBlockContainer"] { max-width: 100% !important; padding-left: 2rem; padding-right: 2rem; }
[data-testid="stMain"] [data-testid="stTable"] :is(td, th) { padding-left: 0.25rem; padding-right: 0.25rem; }
[data-testid="stMain"] :is(input, textarea, [data-baseweb="select"] *, button p) { font-size: 1.5rem !important; }
</style>"""


def lecture_toggle():
    """The sidebar switch for lecture mode (also ?lecture=true), and its projector styling."""
    st.sidebar.toggle(texts("common")("lecture_mode"), key=state.LECTURE, bind="query-params",
                      help=texts("common")("lecture_help"))
    if lecture_mode():
        st.html(_LECTURE_CSS)


# Tables in lecture mode. st.dataframe draws its cells on a canvas in a font fixed by Streamlit's theme (0.875rem:
# 14 px, whatever the page's CSS; a CSS zoom overflowed the page), so lecture mode draws a table as st.table, an
# HTML table that _LECTURE_CSS sizes like body text (24 px). Up to LECTURE_ROWS rows: every table a page shows (the
# longest, a review's words on the pipeline page, has a few hundred). A chart's own data table, collapsed under it,
# only up to CHART_ROWS: an HTML table is drawn even while its expander is closed, each cell a Markdown block, and
# the unrolling page's ten charts' tables as HTML (about 2,000 rows) took its lecture-mode load from about 6 s to
# 13 s on this (busy) 2-core machine.
# More than LECTURE_VISIBLE rows scroll inside a box LECTURE_HEIGHT px high, under a header that stays.
LECTURE_ROWS, CHART_ROWS, LECTURE_VISIBLE, LECTURE_HEIGHT = 1000, 60, 10, 520


def show_table(data, *, formats=None, hide_index=None, width="stretch", height="auto", lecture_rows=LECTURE_ROWS):
    """Show a table: st.dataframe, or in lecture mode an st.table in large text (lecture_rows rows at most).

    formats: {column: printf-style format or "scientific"}, numbers shown as st.column_config.NumberColumn would.
    The one way pages show a table of data (tests/test_lecture_tables.py).
    """
    formats = formats or {}
    if lecture_mode():
        import pandas as pd
        frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
        if len(frame) <= lecture_rows:
            st.table(lecture_frame(frame, formats, hide_index), hide_index=True, width=width,
                     height=LECTURE_HEIGHT if len(frame) > LECTURE_VISIBLE else "content")
            return
    config = {c: st.column_config.NumberColumn(format=f) for c, f in formats.items()}
    st.dataframe(data, hide_index=hide_index, width=width, height=height, column_config=config or None)


def lecture_frame(frame, formats, hide_index=None):
    """A data frame as st.table shows it in lecture mode: its index a column of its own (unless hidden or a plain
    0, 1, 2, ... as st.dataframe would hide it), numbers formatted, yes/no as ✓/✗, and every text shown as itself
    (st.table reads its cells as Markdown: each ASCII punctuation mark escaped)."""
    import pandas as pd
    plain_index = isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1
    out = frame if hide_index or (hide_index is None and plain_index) else frame.reset_index()
    out = out.reset_index(drop=True)
    columns = {}
    for name in out.columns:
        values = out[name]
        if name in formats:
            columns[name] = [_formatted(v, formats[name]) for v in values]
        elif pd.api.types.is_bool_dtype(values):
            columns[name] = ["✓" if v else "✗" for v in values]
        elif pd.api.types.is_numeric_dtype(values):
            columns[name] = values
        else:
            columns[name] = ["" if _missing(v) else markdown_plain(str(v)) for v in values]
    return pd.DataFrame({markdown_plain(str(name)): v for name, v in columns.items()})


def _formatted(value, fmt):
    """A number as st.column_config.NumberColumn(format=fmt) shows it ("%.4f", "%.1e", "scientific"), with a minus
    sign; blank if missing."""
    if _missing(value):
        return ""
    if fmt == "scientific":                                          # as Intl's scientific notation: 8.276E-1
        mantissa, exponent = f"{float(value):.3e}".split("e")
        text = f"{mantissa.rstrip('0').rstrip('.')}E{int(exponent)}"
    else:
        text = fmt % value
    return markdown_plain(text.replace("-", "−"))     # a minus sign: a line never breaks inside the number


def _missing(value):
    return value is None or (isinstance(value, float) and value != value)     # (NaN is not itself)


def markdown_plain(text):
    """Text shown as itself by Markdown: every ASCII punctuation mark escaped (a summary or a table can quote a
    typed word)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


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
[data-testid="stMain"] [data-testid="stTable"] :is(td, th) p {   /* a table's narrow column keeps whole words */
  overflow-wrap: break-word; word-break: keep-all; }   /* ("anywhere" broke 부정 into 부 / 정, 0.80 into 0.8 / 0) */
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


# Accessibility, every page: text contrast >= 4.5:1 (captions and code tokens: Streamlit draws them lighter than
# that with a custom primary colour), a focus ring on whatever the keyboard reaches, and no animation for people
# who asked their system for less motion. The app's own CSS, never user text.
# Non-text contrast (WCAG 1.4.11) where no theme option reaches: a toggle's off track (Streamlit: the text colour
# at 20 %, 1.5:1; its knob, the page's colour, shows on it) takes the theme's borderColor (.streamlit/config.toml,
# 3.6:1), darker under the pointer; a slider's empty track (Streamlit: a 25 % tint, 1.2:1) gets a fill under that
# tint that comes out as borderColor too. Disabled ones stay as Streamlit draws them. The chosen option of a
# segmented control under the pointer or the keyboard's focus (Streamlit: the primary colour on a 20 % tint of it,
# 4.1:1; 30 % while pressed) takes a darker pink (5.2:1 or more). Lines that only group
# (bordered containers, an open expander's rule, the sidebar's separator) keep Streamlit's light one.
_ACCESS_CSS = """<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * { color: #55575f !important; opacity: 1; }
[data-testid="stCaptionContainer"] code, [data-testid="stMarkdownContainer"] code:not(pre code) {
  color: #1f6b4f !important; }
[data-testid="stCode"] .token:is(.number, .boolean, .constant, .symbol, .property, .tag) { color: #0b7285 !important; }
[data-testid="stCode"] .token:is(.string, .char, .attr-value, .inserted, .regex) { color: #2b6a1f !important; }
[data-testid="stCode"] .token:is(.keyword, .atrule, .important, .selector, .attr-name, .builtin) {
  color: #5f3dc4 !important; }
[data-testid="stCode"] .token:is(.function, .class-name, .decorator, .deleted) { color: #a61e4d !important; }
[data-testid="stCode"] .token:is(.comment, .prolog, .doctype, .cdata) { color: #55575f !important; }
[data-testid="stCode"] .token:is(.operator, .punctuation, .entity, .url, .variable) { color: inherit !important; }
:is(a, button, input, textarea, select, summary, [tabindex], [role="radio"], [role="switch"], [role="slider"],
  [role="tab"], [role="option"]):focus-visible { outline: 3px solid #1c4f9c !important; outline-offset: 2px; }
[data-baseweb="radio"]:has(input:focus-visible), [data-baseweb="checkbox"]:has(input:focus-visible),
[data-testid="stSlider"] [role="slider"]:focus { outline: 3px solid #1c4f9c !important; outline-offset: 2px; }
[data-testid="stCheckbox"] label:has(> span > input[role="switch"]:not(:checked):not(:disabled)) > span + div {
  background-color: #8a8680 !important; }
[data-testid="stCheckbox"] label[data-hovered]:has(> span > input[role="switch"]:not(:checked):not(:disabled))
  > span + div { background-color: #6b6761 !important; }
button:is([data-variant="segmented_control"], [data-variant="pills"])[data-selected="true"]:is([data-hovered],
  [data-focused], [data-pressed]) :is(p, span) { color: #931b44 !important; }
[data-testid="stSlider"] [role="group"] > [data-orientation]:not(:has(input:disabled))
  > div:first-child:not(:has(input)) { background-color: #7a7474; }
:is([data-testid="stVerticalBlock"], [data-testid="stHorizontalBlock"], [data-testid="stExpanderDetails"],
  [data-testid="stSidebarNavSeparator"]) { border-color: rgba(47, 45, 43, 0.2) !important; }
[class*="st-key-announce_"] { position: absolute !important; width: 1px !important; height: 1px !important;
  overflow: hidden !important; clip-path: inset(50%) !important; white-space: nowrap; }
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation-duration: 0s !important; animation-iteration-count: 1 !important;
                           transition-duration: 0s !important; scroll-behavior: auto !important; }
}
</style>"""

# The page's language and the markup fixes no Streamlit option reaches, kept while Streamlit redraws: <html lang>
# is the language shown (WCAG 3.1.1), Streamlit's own English control names are said in it (common.toml
# [streamlit]), and English review words in a container of english() are marked English
# (3.1.2); the sidebar navigation's section groups are groups named by their heading,
# not malformed lists; a box that scrolls (a wide equation or chart, a fixed-height container) takes keyboard
# focus so it can be scrolled without a mouse. It reports prefers-reduced-motion back to Python.
_ACCESS_JS = """
export default function(component) {
  const { data, setStateValue } = component;
  const state = window.__rnnAccess || (window.__rnnAccess = {});
  state.lang = data && data.lang;
  const scrolls = (el) => {            // (sizes first: most boxes overflow nothing, and styles cost more)
    const x = el.scrollWidth > el.clientWidth + 1, y = el.scrollHeight > el.clientHeight + 1;
    if (!x && !y) return false;
    const s = getComputedStyle(el);
    return (x && /(auto|scroll)/.test(s.overflowX)) || (y && /(auto|scroll)/.test(s.overflowY));
  };
  const FOCUSABLE = 'a[href], button, input, textarea, select, summary, [tabindex]';
  const names = (data && data.names) || {};
  const patterns = Object.keys(names).filter(k => k.includes('{}')).map(k => [k.split('{}'), names[k]]);
  const named = (s) => {                // Streamlit's own English name of a control, in the page's language
    if (s in names) return names[s];
    for (const [[pre, post], to] of patterns)
      if (s.length > pre.length + post.length && s.startsWith(pre) && s.endsWith(post))
        return to.replace('{}', s.slice(pre.length, s.length - post.length));
    return s;
  };
  state.fix = () => {
    const root = document.documentElement;
    if (state.lang && root.lang !== state.lang) root.lang = state.lang;
    for (const el of document.querySelectorAll('[aria-label]')) {
      const now = el.getAttribute('aria-label');
      const was = el.dataset.rnnSet === now ? el.dataset.rnnLabel : now;    // Streamlit's own, before renaming
      const want = named(was);
      if (want !== now) el.setAttribute('aria-label', want);
      if (want !== was) { el.dataset.rnnLabel = was; el.dataset.rnnSet = want; }
      else { delete el.dataset.rnnLabel; delete el.dataset.rnnSet; }
    }
    for (const ul of document.querySelectorAll('[data-testid="stSidebarNavItems"]')) {
      if (!ul.querySelector(':scope > div')) continue;            // no sections: a well-formed list already
      ul.setAttribute('role', 'none');
      for (const group of ul.querySelectorAll(':scope > div')) {
        const head = group.querySelector(':scope > header');
        group.setAttribute('role', 'group');
        if (head) group.setAttribute('aria-label', head.innerText.trim());
      }
      for (const li of ul.querySelectorAll('li')) li.setAttribute('role', 'none');
    }
    for (const el of document.querySelectorAll(
        '[class*="st-key-en_text_"] :is(textarea, pre, [data-testid="stMarkdownContainer"])')) {
      if (el.lang !== 'en') el.lang = 'en';       // review words: English on a Korean page too (WCAG 3.1.2)
    }
    for (const el of document.querySelectorAll('[class*="st-key-quizsaid_"], [class*="st-key-announce_"]')) {
      if (!el.hasAttribute('aria-live')) {
        el.setAttribute('aria-live', 'polite'); el.setAttribute('aria-atomic', 'true');
      }
    }
    const main = document.querySelector('[data-testid="stApp"]');
    if (!main) return;
    for (const el of main.querySelectorAll('div, span, pre, section')) {
      if (el.hasAttribute('data-rnn-scroll') && !scrolls(el)) {
        el.removeAttribute('tabindex'); el.removeAttribute('data-rnn-scroll');
      } else if (!el.hasAttribute('tabindex') && scrolls(el) && !el.querySelector(FOCUSABLE)) {
        el.setAttribute('tabindex', '0'); el.setAttribute('data-rnn-scroll', '');
      }
    }
  };
  if (!state.observer) {
    let queued = false;
    const later = () => { if (!queued) { queued = true; setTimeout(() => { queued = false; state.fix(); }, 150); } };
    state.observer = new MutationObserver(later);
    state.observer.observe(document.body, { childList: true, subtree: true });
    window.addEventListener('resize', later);
  }
  state.fix();
  const motion = window.matchMedia('(prefers-reduced-motion: reduce)');
  setStateValue('reduced_motion', motion.matches);
  motion.onchange = () => setStateValue('reduced_motion', motion.matches);
}
"""

_access = None


def english(name):
    """A container for English review text (IMDB words, a typed review): its text, not its label, gets lang="en"."""
    return st.container(key=f"en_text_{name}")


def accessibility(lang):
    """Every page: contrast and focus CSS, <html lang> = the language shown, markup fixes, reduced motion."""
    global _access
    if _access is None:
        import streamlit.components.v2 as components
        _access = components.component("rnn_access", js=_ACCESS_JS, isolate_styles=True)
    st.html(_ACCESS_CSS)
    with st.sidebar:
        _access(data={"lang": lang, "names": texts("common").labels("streamlit")}, key=state.ACCESS,
                on_reduced_motion_change=lambda: None)


def reduced_motion():
    """True when the browser asks for less motion (prefers-reduced-motion), as reported by the page."""
    value = st.session_state.get(state.ACCESS)
    return bool(value.get("reduced_motion")) if hasattr(value, "get") else False


def motion_interval(seconds):
    """The interval of something that moves by itself: at least a second when the browser asks for less motion."""
    return max(seconds, 1.0) if reduced_motion() else seconds


def announce(key, text, topic, every=0.0):
    """Have a screen reader read `text` (a visually hidden polite live region, ui/layout.py's script marks it).

    It is read again only when `topic` changes (the step, the epoch, the state), and while something moves by
    itself (Play, a running training) at most once in `every` seconds: a view that redraws five times a second is
    announced at a rate a listener can follow, and the last word comes at once when it stops (every=0).
    The app's own texts only, shown as plain text.
    """
    last = st.session_state.get(state.announced(key))
    now = time.monotonic()
    if last is None or (last[0] != topic and now - last[2] >= every):
        last = st.session_state[state.announced(key)] = (topic, text, now)
    with st.container(key=f"announce_{key}"):
        st.text(last[1])


def equations(*bodies):
    """Formulas side by side, each moving to a line of its own where the screen is narrow (a phone)."""
    with st.container(horizontal=True, horizontal_alignment="center", vertical_alignment="center", gap="medium"):
        for body in bodies:
            st.latex(body, width="content")

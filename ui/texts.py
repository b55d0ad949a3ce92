"""The user's language and the texts of a page in it."""
import streamlit as st

from ui import i18n, state


def lang():
    """The language the user chose ('ko' or 'en')."""
    value = st.session_state.get(state.LANG)
    return value if value in i18n.LANGS else i18n.lang_from_locale(st.context.locale)


def texts(page):
    """The texts of one page in the user's language."""
    return i18n.Texts(lang(), page)


def language_selector():
    """The sidebar language choice: from ?lang=, else the browser's locale; kept across pages and in the URL."""
    url = st.query_params.get("lang")
    first = url if url in i18n.LANGS else i18n.lang_from_locale(st.context.locale)   # from the URL, else the browser
    if st.session_state.get(state.LANG) not in i18n.LANGS:
        st.session_state[state.LANG] = st.session_state.get(state.LANG_IN_URL, first)   # new, or lost: sent again
    elif url in i18n.LANGS and url != st.session_state.get(state.LANG_IN_URL):
        st.session_state[state.LANG] = url  # someone edited the address bar
    shown = st.session_state[state.LANG]
    # The default is the language shown too: a browser that drew the control without the value the server sent it
    # (once in CI: neither option chosen, on an English page) falls back to it, never to no choice.
    choice = st.sidebar.segmented_control(
        "Language / 언어", i18n.LANGS, format_func=i18n.NAMES.get, key=state.LANG, required=True, default=shown)
    if choice not in i18n.LANGS:          # never "lang=None" in the URL, whatever a callback did to the state
        choice = shown
    st.query_params["lang"] = st.session_state[state.LANG_IN_URL] = choice
    return choice


def reason(error):
    """A DataError in the user's language: its code's text in locales/<lang>/common.toml [reason]."""
    return texts("common")(f"reason.{error.code}", **error.params)

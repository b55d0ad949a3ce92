"""Every text exists in both languages; every page has its texts; language from locale."""
from pathlib import Path

import pytest

from ui import i18n
from ui.site import PAGES

ROOT = Path(__file__).resolve().parents[1]


GLOSSARY = i18n.LOCALES / "ko" / "glossary.toml"    # the Korean glossary: for tests, in Korean only


def _files(lang):
    base = i18n.LOCALES / lang
    return {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file() and p != GLOSSARY}


def test_same_files_in_both_languages():
    assert _files("en") == _files("ko")


@pytest.mark.parametrize("page", sorted({p.stem for p in (i18n.LOCALES / "en").glob("*.toml")}))
def test_same_keys_in_both_languages(page):
    en, ko = i18n.table("en", page), i18n.table("ko", page)
    assert set(en) == set(ko), f"only in one language: {set(en) ^ set(ko)}"
    for key in en:
        assert type(en[key]) is type(ko[key]), key
        if isinstance(en[key], str):
            assert bool(en[key].strip()) == bool(ko[key].strip()), key   # blank in one only


@pytest.mark.parametrize("page", sorted({p.stem for p in (i18n.LOCALES / "en").glob("*.toml")}))
def test_format_fields_match(page):
    """A {placeholder} used in one language is used in the other, so .format never fails."""
    import string

    def fields(s):
        try:
            return {f for _, f, _, _ in string.Formatter().parse(s) if f}
        except ValueError:   # literal braces (LaTeX): a text never passed to .format
            return "not a format string"
    en, ko = i18n.table("en", page), i18n.table("ko", page)
    for key, value in en.items():
        if isinstance(value, str):
            assert fields(value) == fields(ko[key]), key


def test_korean_texts_are_korean():
    """Catch untranslated copies: most Korean page titles contain Hangul."""
    hangul = lambda s: any("\uac00" <= ch <= "\ud7a3" for ch in s)  # noqa: E731
    for page in PAGES:
        assert hangul(i18n.table("ko", page.key)["title"]), page.key
        assert i18n.table("ko", page.key)["title"] != i18n.table("en", page.key)["title"]


def test_every_page_has_title_and_summary():
    for page in PAGES:
        for lang in i18n.LANGS:
            assert {"title", "summary"} <= set(i18n.table(lang, page.key)), (lang, page.key)
        assert (ROOT / page.path).exists()


@pytest.mark.parametrize("locale, lang", [("ko-KR", "ko"), ("ko", "ko"), ("en-US", "en"),
                                          ("de-DE", "en"), (None, "en"), ("", "en")])
def test_language_from_browser_locale(locale, lang):
    assert i18n.lang_from_locale(locale) == lang


def _reason_codes():
    """Every reason code rnn_core can raise a DataError with."""
    import re
    codes = set()
    for path in (ROOT / "rnn_core").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'DataError\("(\w+)"', text)) | set(re.findall(r'return "(offline_\w+)"', text))
    return codes


def test_every_data_error_has_a_reason_text_in_both_languages():
    codes = _reason_codes()
    assert {"not_found", "offline_set", "wrong_hash", "folder_incomplete"} <= codes
    for lang in i18n.LANGS:
        missing = {c for c in codes if f"reason.{c}" not in i18n.table(lang, "common")}
        assert not missing, (lang, missing)


def test_the_data_source_reason_is_in_korean():
    """The synthetic-data note says why in the page's language, with the file's name (not its path) in it."""
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st

        import ui.data
        from rnn_core.data.npz_safe import DataError

        class Data:
            source, source_detail = "synthetic", ""
            source_reasons = (("keras", DataError("offline_set", path="/k/imdb.npz")),
                              ("local", DataError("folder_incomplete", path="/d")))
        st.session_state.lang = "ko"
        ui.data.source_note(Data())

    at = AppTest.from_function(script).run()
    assert not at.exception, [e.value for e in at.exception]
    ko = i18n.table("ko", "common")
    caption = at.caption[0].value
    assert caption.startswith(ko["source.why"].split("{")[0])
    assert ko["source.where.keras"] in caption and ko["reason.offline_set"].format(path="imdb.npz") in caption
    assert ko["reason.folder_incomplete"].format(path="d") in caption
    assert "/k/" not in caption and "/d`" not in caption          # the server's folders are never shown
    assert not any(en in caption for en in ("no IMDB file", "not found", "does not hold", "Keras cache"))

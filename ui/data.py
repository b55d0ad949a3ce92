"""The review data and the shipped runs, shared read-only by every session."""
import streamlit as st

from rnn_core.config import CHAPTER
from ui.texts import reason, texts


@st.cache_resource(show_spinner=False, max_entries=8)
def _chapter_data(num_words, skip_top, maxlen):
    from rnn_core.data.imdb import prepare_chapter_data
    return prepare_chapter_data(num_words=num_words, skip_top=skip_top, maxlen=maxlen)


# settings whose data this process has loaded: no spinner for them (a spinner costs a thread)
_loaded: set[tuple[int, int, int]] = set()


def chapter_data(num_words=CHAPTER.num_words, skip_top=CHAPTER.skip_top, maxlen=CHAPTER.maxlen):
    """The chapter's padded split (read-only, shared by all sessions), with a spinner while it loads."""
    from rnn_core.data.npz_safe import DataError
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
    from rnn_core.jobs import runs
    loaded = runs.saved_runs(directory)
    for run in loaded:
        for w in run.weights.values():
            w.flags.writeable = False     # shared by every session: read-only
    return loaded


def saved_runs(kind=None):
    """The runs shipped in saved_runs/ (read once, again when the files change), optionally of one kind."""
    from rnn_core.jobs import runs
    folder = runs.SAVED_DIR
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.*")))
    return [r for r in _saved_runs(str(folder), stamp) if kind is None or r.kind == kind]


@st.cache_resource(show_spinner=False, ttl=600)
def _located_source():
    from rnn_core.data.files import KERAS_FILES, locate_corpus
    source, folder, reasons = locate_corpus()
    detail = str(folder / next(iter(KERAS_FILES))) if source == "keras" else str(folder) if folder else ""
    return source, detail, reasons


def data_source():
    """(source, detail, reasons) of the reviews the app uses, from the files alone (pages that don't load them)."""
    return _located_source()


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
        st.caption(t(f"source.{source}"))        # never the server's file path

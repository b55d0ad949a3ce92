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
    folder = runs.scan(directory)
    for run in folder.runs:
        for w in run.weights.values():
            w.flags.writeable = False     # shared by every session: read-only
    return folder


def saved_runs(kind=None):
    """The runs shipped in saved_runs/ (read once, again when the files change), optionally of one kind.

    A file that is not a loadable run is skipped; the page says which and why, once per script run."""
    from rnn_core.jobs import runs
    folder = _saved_runs(str(runs.SAVED_DIR), runs.stamp(runs.SAVED_DIR))
    if folder.skipped:
        skipped_note(folder.skipped)
    return [r for r in folder.runs if kind is None or r.kind == kind]


def skipped_note(skipped):
    """One warning per script run naming each skipped file of the runs folder and why, in the user's language."""
    from ui.params import once_per_run
    if not once_per_run("runs_skipped"):
        return
    t = texts("common")
    lines = [t("runs_skipped.file", file=s.file, why=t(f"runs_skipped.{s.code}", **dict(s.params)))
             for s in skipped[:20]]
    st.warning(t("runs_skipped.heading") + "\n\n" + "\n".join(f"- {line}" for line in lines),
               icon=":material/folder_off:")


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
    """Say which data a page shows: the real IMDB reviews or the synthetic corpus (and why, in the user's language).

    Only the kind of source and file names are shown, never a path of the server."""
    t = texts("common")
    source, reasons = ((data.source, getattr(data, "source_reasons", ())) if data is not None
                       else data_source()[::2])
    if source == "synthetic":
        st.warning(t("source.synthetic"), icon=":material/science:")
        why = "; ".join(f"{t(f'source.where.{where}')}: {reason(_without_folders(e))}" for where, e in reasons)
        st.caption(t("source.why", detail=why or t("source.no_reason")))
    else:
        st.caption(t(f"source.{source}"))


def _without_folders(error):
    """A DataError whose path parameter is only the file's or folder's own name."""
    from pathlib import PurePath
    if "path" not in error.params:
        return error
    return type(error)(error.code, error.params, path=PurePath(str(error.params["path"])).name)

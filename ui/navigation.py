"""Navigation plumbing: direct links to pages/*.py always run through the entry point."""
import contextlib
import runpy
import sys
import threading
from collections.abc import Iterator
from types import FrameType

import streamlit as st

from ui import i18n

ENTRY_POINT = i18n.LOCALES.parent / "streamlit_app.py"
_here = threading.local()       # .running: this thread's script run is inside the entry point (one run per thread)


@contextlib.contextmanager
def entry_point() -> Iterator[None]:
    """Mark this thread's run as one the entry point is running (streamlit_app.main, around the page it runs)."""
    outer = getattr(_here, "running", False)
    _here.running = True
    try:
        yield
    finally:
        _here.running = outer


def entry_point_only() -> None:
    """Leave Streamlit's legacy pages/ mode, in which a pages/*.py file runs without the entry point.

    Streamlit treats a pages/ folder as a legacy multipage app until some script run in the process has called
    st.navigation: on a fresh server a direct link to /unrolling would run pages/unrolling.py alone (no language
    switch, no navigation). The server calls this when it imports the entry point, before any session: no run
    starts in that mode. The entry point and every page call it too, and a page run without the entry point (the
    legacy mode, whoever started it) runs the entry point as st.navigation expects, in the same script run (so a
    click that started the run is not lost).

    Whether this run is the legacy one is this run's own fact (`_legacy_run`), never the process-wide flag: a
    class opening direct links at once on a fresh server had one session clear the flag while another's run had
    already started in the legacy mode, which then drew its page without the language switch or the navigation.
    """
    # The one place that touches Streamlit's internal PagesManager.uses_pages_directory (a class attribute, set from
    # "does pages/ exist" by the first PagesManager of the process unless already set, and cleared by st.navigation;
    # the script runner runs the page file alone, MPA v1, while it is true). Upstream calls it "a relic of v1 of
    # multipage apps" and saw direct URLs fall back to v1 with a pages/ folder next to st.navigation
    # (streamlit/streamlit#10276); direct links on a fresh st.navigation app: streamlit/streamlit#8860. Renaming
    # pages/ would break every published link. tests/test_internals.py fails if an upgrade removes or reshapes it.
    from streamlit.runtime.pages_manager import PagesManager
    PagesManager.uses_pages_directory = False
    if getattr(_here, "running", False) or not _legacy_run():
        return
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    if ctx is None:                # not inside a script run: nothing to run
        return
    with entry_point(), ctx.run_with_active_hash(ctx.pages_manager.main_script_hash):   # widgets get usual ids
        runpy.run_path(str(ENTRY_POINT), run_name="__main__")
    st.stop()


def _legacy_run() -> bool:
    """Whether Streamlit's script runner started this thread's run in the legacy mode (its _mpa_v1 is running)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "_mpa_v1" and frame.f_globals.get("__name__", "").startswith("streamlit."):
            return True
        frame = frame.f_back
    return False

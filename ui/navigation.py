"""Navigation plumbing: direct links to pages/*.py always run through the entry point."""
import runpy

import streamlit as st

from ui import i18n

ENTRY_POINT = i18n.LOCALES.parent / "streamlit_app.py"


def entry_point_only() -> None:
    """Leave Streamlit's legacy pages/ mode, in which a pages/*.py file runs without the entry point.

    Streamlit treats a pages/ folder as a legacy multipage app until some script run in the process has called
    st.navigation: on a fresh server a direct link to /unrolling would run pages/unrolling.py alone (no language
    switch, no navigation). The entry point and every page call this first: in that mode it runs the entry point
    as st.navigation expects, in the same script run (so a click that started the run is not lost).
    """
    # The one place that touches Streamlit's internal PagesManager.uses_pages_directory (a class attribute, set from
    # "does pages/ exist" by the first PagesManager of the process and cleared by st.navigation; the script runner
    # runs the page file alone, MPA v1, while it is true). Upstream calls it "a relic of v1 of multipage apps" and
    # saw direct URLs fall back to v1 with a pages/ folder next to st.navigation (streamlit/streamlit#10276);
    # direct links on a fresh st.navigation app: streamlit/streamlit#8860. Renaming pages/ would break every
    # published link. tests/test_internals.py fails if an upgrade removes or reshapes what is used here.
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        ctx = get_script_run_ctx()
        if ctx is None:            # not inside a script run (a bare import): nothing to re-run
            return
        with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash):   # widgets get their usual ids
            runpy.run_path(str(ENTRY_POINT), run_name="__main__")
        st.stop()

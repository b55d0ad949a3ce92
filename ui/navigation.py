"""Navigation plumbing: direct links to pages/*.py always run through the entry point."""
import runpy

import streamlit as st

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

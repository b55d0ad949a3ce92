"""Entry point: language, lecture mode and navigation; every page lives in pages/<key>.py at the URL /<key>.

`streamlit run streamlit_app.py` finds `app` below (an st.App) and imports this file once as a module to get it:
the server, with Streamlit's routes and the students' room poll (rnn_core.classroom.poll.routes). Every page run
then runs this file as the script, where __name__ is "__main__" (Streamlit's script runner, AppTest, and
ui.navigation.entry_point_only alike).
"""
import streamlit as st


def main():
    """One page run: the flood check, then the page when it is this run's turn."""
    from ui import flood
    from ui.navigation import entry_point, entry_point_only
    from ui.server import page_turn

    entry_point_only()      # never Streamlit's legacy pages/ mode
    with entry_point():     # the pages run inside it
        flood.guard()       # before anything else: a session asking for runs faster than a person gets a cheap one
        with page_turn():   # one full page run at a time (RNN_PAGE_RUNS): the votes and timers between stay quick
            page()


def page():
    """The checks before any widget, the sidebar, the banner, then the page."""
    from ui import classroom, keep, params, question
    from ui.layout import accessibility, lecture_toggle, phone_style
    from ui.server import warm_up
    from ui.site import PAGES
    from ui.texts import language_selector, texts

    params.new_run()
    params.clean()          # every URL parameter checked before a widget sees it
    st.set_page_config(page_title="RNN Explorer", page_icon=":material/cycle:", layout="wide")

    accessibility(language_selector())
    params.note()
    classroom.read_url()
    common = texts("common")

    sections = {}
    for info in PAGES:
        page = st.Page(
            info.path,
            title=texts(info.key)("title"),
            icon=info.icon,
            url_path=None if info.key == "home" else info.key,   # the file's name: direct links run through this
            default=info.key == "home",
        )
        sections.setdefault(common(f"sections.{info.section}"), []).append(page)

    current = st.navigation(sections)
    lecture_toggle()
    phone_style()
    question.answers_toggle()
    warm_up()
    classroom.banner(current.url_path or "home")
    keep.restore()
    keep.remember()
    try:
        current.run()
    finally:
        keep.remember()


if __name__ == "__main__":
    main()
else:                           # `streamlit run` importing the file for its server (no page module loaded)
    import os

    from rnn_core.classroom import poll
    from ui.navigation import entry_point_only
    from ui.server import disable_nagle, log_gc_pauses
    entry_point_only()          # before any session: no run starts in Streamlit's legacy pages/ mode
    disable_nagle()             # from the first connection (the students' polls too), not the first page run
    if os.environ.get("RNN_GC_LOG"):       # benchmarks/class_session.py: the replicas' GC pauses
        log_gc_pauses(os.environ["RNN_GC_LOG"])
    app = st.App(__file__, routes=poll.routes(st.get_option("server.baseUrlPath")))

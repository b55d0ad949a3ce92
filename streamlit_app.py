"""Entry point: language, lecture mode and navigation; every page lives in pages/<key>.py at the URL /<key>."""
import streamlit as st

from ui import classroom, flood, keep, params, question
from ui.layout import accessibility, lecture_toggle, phone_style
from ui.navigation import entry_point_only
from ui.server import warm_up
from ui.site import PAGES
from ui.texts import language_selector, texts

entry_point_only()
flood.guard()           # before anything else: a session asking for runs faster than a person gets a cheap one
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
        url_path=None if info.key == "home" else info.key,   # the file's name: direct links run through this script
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

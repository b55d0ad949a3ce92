"""Entry point: language, lecture mode and navigation; every page lives in pages/<key>.py at the URL /<key>."""
import streamlit as st

import ui
from ui import question
from ui.site import PAGES

ui.entry_point_only()
st.set_page_config(page_title="RNN Explorer", page_icon=":material/cycle:", layout="wide")

ui.language_selector()
common = ui.texts("common")

sections = {}
for info in PAGES:
    page = st.Page(
        info.path,
        title=ui.texts(info.key)("title"),
        icon=info.icon,
        url_path=None if info.key == "home" else info.key,   # the file's name: direct links run through this script
        default=info.key == "home",
    )
    sections.setdefault(common(f"sections.{info.section}"), []).append(page)

current = st.navigation(sections)
ui.lecture_toggle()
ui.phone_style()
question.answers_toggle()
ui.warm_up()
current.run()

"""Home: what the app teaches, the map from pages to the lecture, and the data in use."""
import streamlit as st

import ui
from ui.site import PAGES

ui.entry_point_only()

t = ui.texts("home")
st.title(t("title_long"))
st.markdown(t.md("intro"))

st.subheader(t("map_heading"))
cols = st.columns(2)
for i, info in enumerate(p for p in PAGES if p.key != "home"):
    page_texts = ui.texts(info.key)
    with cols[i % 2].container(border=True):
        st.page_link(info.path, label=page_texts("title"), icon=info.icon)
        st.caption(t("lecture_section", section=info.lecture) + " · " + page_texts("summary"))

st.subheader(t("data_heading"))
ui.source_note()

"""Home: what the app teaches, the map from pages to the lecture, and the data in use."""
import streamlit as st

import ui
from rnn_core.site import PAGES

t = ui.texts("home")
st.title(t("title_long"))
st.markdown(t.md("intro"))

st.subheader(t("map_heading"))
rows = [
    {t("col_page"): ui.texts(p.key)("title"), t("col_lecture"): p.lecture,
     t("col_what"): ui.texts(p.key)("summary")}
    for p in PAGES if p.key != "home"
]
st.dataframe(rows, hide_index=True, width="stretch")

st.subheader(t("data_heading"))
ui.source_note(ui.chapter_data())

"""Home: what the app teaches, the map from pages to the lecture, and the data in use."""
import streamlit as st

from rnn_core.assessment.self_check import SECTIONS
from ui import state
from ui.data import source_note
from ui.navigation import entry_point_only
from ui.site import PAGES
from ui.texts import texts

entry_point_only()

t = texts("home")
st.title(t("title_long"), anchor=False)
st.markdown(t.md("intro"))

st.subheader(t("map_heading"), anchor=False)
pages = [p for p in PAGES if p.key != "home"]
for i, info in enumerate(pages):
    if i % 2 == 0:
        cols = st.columns(2)           # one row per pair: on a phone the cards stack in the pages' order
    page_texts = texts(info.key)
    with cols[i % 2].container(border=True):
        st.page_link(info.path, label=page_texts("title"), icon=info.icon)
        lecture = t("lecture_section", section=info.lecture) + " · " if info.lecture else ""
        st.caption(lecture + page_texts("summary"))

st.subheader(t("self_check_heading"), anchor=False)
scores = st.session_state.get(state.SELF_CHECK_SCORES, {})
with st.container(horizontal=True, key="home_scores"):
    for section in SECTIONS:
        right, total = scores.get(section, (None, None))
        said = f"{right}/{total}" if total else t("self_check_none")
        st.metric(t("self_check_section", section=section), said, width="content")
st.page_link("pages/self_check.py", label=texts("self_check")("title"), icon=":material/quiz:")

st.subheader(t("data_heading"), anchor=False)
source_note()

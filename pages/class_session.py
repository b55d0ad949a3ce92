"""Class: the lecturer opens a room (code, join link, QR code) and runs the class self-check; students join."""
import io
import urllib.parse

import segno
import streamlit as st

from rnn_core.assessment.self_check import PER_ROUND, SECTIONS
from rnn_core.charts import class_session as charts
from rnn_core.classroom.keep import KEEP_TTL
from rnn_core.classroom.rooms import ROOM_TTL
from ui import classroom, state
from ui.charts import chart
from ui.layout import lecture_mode
from ui.navigation import entry_point_only
from ui.texts import texts

entry_point_only()

t = texts("class_session")
KEEP_DAYS = f"{KEEP_TTL / 86400:g}"      # how long the store keeps a learner's work (rnn_core.classroom.keep)
ss = st.session_state
st.title(t("title"), anchor=False)


def base_url():
    """The app's address as the browser sees it (scheme, host, base path), for the join link."""
    parts = urllib.parse.urlsplit(st.context.url or "")
    path = "/" + (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme or 'http'}://{parts.netloc or 'localhost'}{path.rstrip('/')}/"


def qr_png(text):
    """A QR code as PNG bytes, drawn here (segno), big modules for the back of a room."""
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=12, border=2)
    return buf.getvalue()


note = ss.pop(state.CLASS_NOTE, None)
if note:
    st.warning(t(f"note.{note}"), icon=":material/info:")

code, lec = classroom.room(), classroom.lecturer()
if lec is not None:
    join = base_url() + "?room=" + code
    left, right = st.columns([3, 2])
    with left:
        st.markdown(t("lecturer.code_label"))
        st.markdown(f"# `{code}`")
        st.markdown(t("lecturer.join_label"))
        st.code(join, language=None)
        if ss.pop(state.CLASS_SHOW_LINK, False):
            with st.container(border=True, key="class_host_link"):
                st.markdown(":material/key: " + t("lecturer.host_link"))
                st.code(join + "&host=" + ss[state.CLASS_SECRET], language=None)
        st.caption(t("lecturer.how"))
    with right:
        st.image(qr_png(join), caption=t("lecturer.qr_caption", code=code), alt=t("lecturer.qr_alt", code=code),
                 width=360 if lecture_mode() else 280)

    st.subheader(t("self_check.heading"), anchor=False)
    row = st.container(horizontal=True, vertical_alignment="bottom")
    section = row.selectbox(t("self_check.section"), SECTIONS, key="class_sc_section")
    row.button(t("self_check.start"), icon=":material/play_arrow:", on_click=lec.start_self_check, args=(section,))

    @st.fragment(run_every=2.0)
    def scores():
        """The room's score distribution in the section it is doing (counts only, no one's id)."""
        state = classroom.call(classroom.rooms.state, classroom.store(), code)
        if state is None or not state.self_check:
            st.caption(t("self_check.none"))
            return
        dist = classroom.call(lec.score_distribution, state.self_check)
        st.caption(t("self_check.count", section=state.self_check, n=sum(dist.values())))
        chart(charts.scores_chart, charts.scores_frame(dist, PER_ROUND), t.labels("chart"), lecture_mode())

    scores()
    st.divider()
    st.button(t("lecturer.close_room"), icon=":material/door_back:", on_click=classroom.close_room)
elif code:
    st.markdown(t("student.joined", code=code))
    st.caption(t("student.how"))
    st.button(t("student.leave"), icon=":material/logout:", on_click=classroom.leave)
else:
    left, right = st.columns(2)
    with left.container(border=True):
        st.subheader(t("join.heading"), anchor=False)
        typed = st.text_input(t("join.code"), max_chars=12, key=state.CLASS_CODE_TYPED, placeholder="K7P2Q")
        st.button(t("join.button"), icon=":material/login:",
                  on_click=lambda: classroom.join(ss[state.CLASS_CODE_TYPED]),
                  type="primary")
    with right.container(border=True):
        st.subheader(t("open.heading"), anchor=False)
        st.caption(t("open.how"))
        st.button(t("open.button"), icon=":material/co_present:", on_click=classroom.open_new)
if classroom.me() and lec is None:
    st.caption(":material/bookmark: " + t("keep.on", days=KEEP_DAYS))
elif lec is None:
    st.button(t("keep.button"), icon=":material/bookmark_add:", help=t("keep.help", days=KEEP_DAYS),
              on_click=lambda: ss.update({state.CLASS_ME: classroom.keep.new_me()}))
st.caption(t("private", hours=f"{ROOM_TTL / 3600:g}"))

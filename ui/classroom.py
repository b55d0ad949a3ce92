"""A class session in the app: the room and the anonymous id from the URL, the banner a student's page reruns when
its room changes (the store and the poll route: rnn_core.classroom.poll), the lecturer's controls, and `poll`, the
one call that makes a question a class vote."""
import time

import streamlit as st

from rnn_core.charts import class_session as charts
from rnn_core.classroom import keep, rooms
from rnn_core.classroom.poll import StoreDown, call, newly_revealed, polled_state, room_view, route_path, store
from ui import state
from ui.charts import chart
from ui.layout import lecture_mode
from ui.site import PAGES
from ui.texts import texts

STUDENT_POLL = 3.0      # seconds between two looks at the room by a student's page (never fewer: up to 10 % more)
LECTURER_TICK = 1.0     # seconds between two counts on the lecturer's screen

# --- the URL: ?room=CODE, ?me=ID, ?host=SECRET (the lecturer link, moved into the session at once) -------------

def read_url():
    """Take the room, the anonymous id and a lecturer link from the URL (validated), and keep them in the URL."""
    ss, qp = st.session_state, st.query_params
    code = rooms.check_code(qp.get("room"))
    if code and code != ss.get(state.CLASS_ROOM):
        ss[state.CLASS_ROOM] = code
    me = keep.check_me(qp.get("me"))
    if me:
        ss[state.CLASS_ME] = me
    elif "me" in qp:
        del qp["me"]
    host = qp.get("host")
    if host is not None:
        del qp["host"]
        if ss.get(state.CLASS_ROOM) and len(host) <= 64:
            try:
                call(rooms.Lecturer, store(), ss[state.CLASS_ROOM], host)
                ss[state.CLASS_SECRET] = host
            except (PermissionError, StoreDown):
                ss[state.CLASS_NOTE] = "bad_host"
    if ss.get(state.CLASS_ROOM) and not ss.get(state.CLASS_SECRET) and not ss.get(state.CLASS_ME):
        ss[state.CLASS_ME] = keep.new_me()           # a student in a class: a stable voter across reloads
    if ss.get(state.CLASS_ROOM):
        qp["room"] = ss[state.CLASS_ROOM]
    elif "room" in qp:
        del qp["room"]
    if ss.get(state.CLASS_ME):
        qp["me"] = ss[state.CLASS_ME]


def room():
    """The room code of this session, or None."""
    return st.session_state.get(state.CLASS_ROOM)


def me():
    """The anonymous id of this session (from ?me=), or None: without it nothing is stored."""
    return st.session_state.get(state.CLASS_ME)


def lecturer():
    """The room's controls when this session holds its secret, else None."""
    code, secret = room(), st.session_state.get(state.CLASS_SECRET)
    if not code or not secret:
        return None
    try:
        return call(rooms.Lecturer, store(), code, secret)
    except (PermissionError, StoreDown):
        return None


def open_new():
    """Open a room with this session as its lecturer (a button's callback)."""
    try:
        code, secret = call(rooms.open_room, store())
    except StoreDown:
        st.session_state[state.CLASS_NOTE] = "store_down"
        return
    ss = st.session_state
    ss[state.CLASS_ROOM], ss[state.CLASS_SECRET], ss[state.CLASS_SHOW_LINK] = code, secret, True
    ss.pop(state.CLASS_ME, None)


def join(code):
    """Join a room by its typed code (a callback); a note when there is no such room."""
    ss = st.session_state
    code = rooms.check_code(code)
    try:
        found = code and call(rooms.state, store(), code)
    except StoreDown:
        ss[state.CLASS_NOTE] = "store_down"
        return
    if not found:
        ss[state.CLASS_NOTE] = "no_room"
        return
    ss[state.CLASS_ROOM] = code
    ss.pop(state.CLASS_SECRET, None)


def leave():
    """Leave the room (a lecturer's room stays open until it expires, unless closed)."""
    for k in (state.CLASS_ROOM, state.CLASS_SECRET, state.CLASS_SEEN, state.CLASS_SHOW_LINK):
        st.session_state.pop(k, None)


def close_room():
    """End the room for everyone (the lecturer's callback)."""
    lec = lecturer()
    if lec:
        lec.close()
    leave()


# --- the banner on every page -----------------------------------------------------------------------------------

def page_title(key):
    return texts(key)("title") if any(p.key == key for p in PAGES) else key


def banner(page):
    """'Class K7P2Q' on every page while in a room. The lecturer's page tells the room where it is; a student's
    banner looks at the room every few seconds (see _student_banner)."""
    code = room()
    if not code:
        return
    st.session_state[state.CLASS_PAGE_RUNS] = st.session_state.get(state.CLASS_PAGE_RUNS, 0) + 1
    t = texts("class_session")
    lec = lecturer()
    if lec is not None:
        if st.session_state.get(state.CLASS_PAGE) != page:
            try:
                call(lec.follow, page)
                st.session_state[state.CLASS_PAGE] = page
            except StoreDown:
                pass
        st.info(t("banner.lecturer", code=code), icon=":material/co_present:")
        return
    try:
        s = call(rooms.state, store(), code)
    except StoreDown:
        st.warning(t("note.store_down"), icon=":material/cloud_off:")
        return
    if s is None:
        st.warning(t("banner.ended", code=code), icon=":material/door_back:")
        leave()
        return
    st.session_state[state.CLASS_SEEN] = room_view(s)
    st.session_state[state.CLASS_PAGE_NOW] = page
    st.session_state[state.CLASS_RUN] = "page"
    if st.session_state.get(state.CLASS_FOLLOW) and s.page and s.page != page and any(p.key == s.page for p in PAGES):
        st.switch_page(next(p.path for p in PAGES if p.key == s.page))
    _student_banner(code, page)


def _send(code, s, choice):
    """Send this session's answer as its vote in the open round (once per round); True when it is counted."""
    sent = st.session_state.setdefault(state.CLASS_SENT, {})
    mark = (code, s.question, s.round)
    if sent.get(mark) != choice and call(rooms.vote, store(), code, s.question, s.round, keep.voter(me(), code),
                                         choice, s):
        sent[mark] = choice
    return sent.get(mark) == choice


_POLL_JS = """
export default function(component) {
  const { data, key, setTriggerValue, parentElement } = component;
  const polls = window.__rnnRoomPoll || (window.__rnnRoomPoll = {});
  const own = polls[key] || (polls[key] = {});
  own.view = data.view; own.texts = data.texts; own.url = data.url; own.every = 1000 * data.every;
  own.trigger = setTriggerValue;
  let said = parentElement.querySelector('span');
  if (!said) {
    said = document.createElement('span'); said.setAttribute('role', 'status'); parentElement.appendChild(said);
  }
  said.textContent = data.status;
  own.said = said;
  // rnn_core/classroom/poll.py must_rerun: the same rule
  const answered = (box) => !!document.querySelector('.st-key-quizbox_' + box + ' input[type="radio"]:checked');
  const mustRerun = (drawn, room) => {
    if (drawn.fp === null) return true;
    if (room === null) return drawn.fp !== '';
    if (room.fp === drawn.fp) return false;
    if (room.page !== drawn.page || drawn.boxes === null) return true;
    const revealed = (room.rv === null || drawn.rv === null)
      ? (room.phase === 'revealed' ? [room.q] : []) : room.rv.filter((q) => !drawn.rv.includes(q));
    return revealed.some((q) => q in drawn.boxes)
      || (room.phase === 'open' && room.q in drawn.boxes && answered(drawn.boxes[room.q]));
  };
  const look = async () => {
    own.timer = setTimeout(look, own.every * (1 + 0.1 * Math.random()));   // at most one look per `every`
    if (document.hidden) return;
    own.last = Date.now();
    try {
      const r = await fetch(own.url, { cache: 'no-store', credentials: 'same-origin' });
      const room = r.ok ? await r.json() : r.status === 404 ? null : undefined;
      if (room === undefined) return;                                   // the store is down: look again later
      const fp = room === null ? '' : room.fp;
      if (!mustRerun(own.view, room)) {                  // the round's status, shown here: no rerun
        if (room !== null && fp !== own.view.fp) {
          const t = room.q && own.texts[room.phase];
          own.said.textContent = t ? t.replace('{round}', room.round) : '';
          own.view = Object.assign({}, own.view, { fp: fp, rv: room.rv });
        }
        return;
      }
      // once per change; again after two looks if no drawing with it came (a trigger can be lost in a rerun)
      if (fp !== own.asked || Date.now() - own.askedAt >= 2 * own.every) {
        own.asked = fp; own.askedAt = Date.now(); own.trigger('changed', fp);
      }
    } catch (e) { /* offline for a moment: the next look tries again */ }
  };
  if (!own.timer) {
    own.timer = setTimeout(look, own.every * Math.random());               // the class's pages not in step
    own.shown = () => {                    // back to the tab: look now, unless it looked less than `every` ago
      if (!document.hidden && !(Date.now() - own.last < own.every)) { clearTimeout(own.timer); look(); }
    };
    document.addEventListener('visibilitychange', own.shown);
  }
  return () => {
    clearTimeout(own.timer);
    document.removeEventListener('visibilitychange', own.shown);
    delete polls[key];
  };
}
"""
_poller = None


def _watch_room(code, view, status):
    """A student's page looks at the room (GET of room_poll, every STUDENT_POLL seconds, in the browser), shows
    the round's status (`status` as drawn, then the round's as the room moves on) and reruns the banner's
    fragment only when Python must act (rnn_core.classroom.poll.must_rerun on `view`, what this run drew)."""
    global _poller
    if _poller is None:
        import streamlit.components.v2 as components
        _poller = components.component("rnn_room_poll", js=_POLL_JS, css="span { font-size: 0.875rem; }",
                                       isolate_styles=True)
    t = texts("class_session")
    url = route_path(st.get_option("server.baseUrlPath")) + "/" + code
    said = {phase: t(f"student.{phase}", round="{round}") for phase in ("open", "closed")}   # {round} for the JS
    _poller(data={"url": url, "view": view, "every": STUDENT_POLL, "status": status, "texts": said},
            key=state.CLASS_POLL, on_changed_change=lambda: None, width="content")


@st.fragment
def _student_banner(code, page):
    """The student's banner and round status. It reads the room's state (polled_state), sends an answer
    given before the round opened, and reruns the whole page only when the page must change: a question of this
    page revealed, or the lecturer's page when following. The page reruns it when the room changes (_watch_room),
    not on a timer: a Streamlit rerun costs the server more than a poll may."""
    t = texts("class_session")
    try:
        s = polled_state(code)
        answers = st.session_state.get(state.CLASS_ANSWERS, {})          # question key -> (option, its label)
        # in a page run the question's box sends the answer (it may have just changed); between runs, the banner
        fragment_run = st.session_state.get(state.CLASS_RUN) == "fragment"
        counted = (s is not None and s.phase == "open" and s.question in answers
                   and (_send(code, s, answers[s.question][0]) if fragment_run else
                        st.session_state.get(state.CLASS_SENT, {}).get((code, s.question, s.round)) is not None))
        room = room_view(s) if s is not None else {"fp": "", "page": "", "rv": None}   # "": the route's 404
    except StoreDown:
        s, counted, room = None, False, {"fp": None, "page": "", "rv": None}  # None: any answer of the route differs
    boxes = st.session_state.get(state.CLASS_BOXES, {}).get(page)      # None until the page drew its boxes
    if s is not None:
        seen = st.session_state.get(state.CLASS_SEEN)
        if seen is not None and room["fp"] != seen["fp"]:
            st.session_state[state.CLASS_SEEN] = room
            follow = st.session_state.get(state.CLASS_FOLLOW)
            if newly_revealed(seen["rv"], room) & set(boxes or ()) or (follow and s.page != seen["page"]):
                st.rerun(scope="app")
    with st.container(horizontal=True, vertical_alignment="center", key="class_banner"):
        st.markdown(":material/groups: " + t("banner.student", code=code))
        status = ""
        if s is not None and s.phase in ("open", "closed") and s.question:
            if counted:
                status = t("student.counted", round=s.round, option=answers[s.question][1])
            else:
                status = t("student.open" if s.phase == "open" else "student.closed", round=s.round)
        _watch_room(code, {"fp": room["fp"], "page": room["page"], "rv": room["rv"], "boxes": boxes}, status)
        if s is not None and s.page and s.page != page and any(p.key == s.page for p in PAGES):
            st.page_link(next(p.path for p in PAGES if p.key == s.page), label=t("banner.lecturer_on",
                                                                                   page=page_title(s.page)))
        st.toggle(t("banner.follow"), key=state.CLASS_FOLLOW)
    st.session_state[state.CLASS_RUN] = "fragment"      # until banner() says a page run has started


# --- a question as a class poll ---------------------------------------------------------------------------------

def box(draw, question, t, key):
    """draw(question, t, key) as a fragment: a student's vote or a lecturer's click reruns this question's box
    only (a page run costs 10x more, paid by every voter at once); the page reruns when what draw returns (the
    page may show its result) changes."""
    ss = st.session_state
    ss[state.CLASS_BOX + key] = (ss.get(state.CLASS_PAGE_RUNS, 0), None)
    return _box(draw, question, t, key)


@st.fragment
def _box(draw, question, t, key):
    ss = st.session_state
    runs, saw = ss.get(state.CLASS_BOX + key, (None, None))
    shown = draw(question, t, key)
    if saw is None and runs == ss.get(state.CLASS_PAGE_RUNS, 0):
        ss[state.CLASS_BOX + key] = (runs, shown)            # what this page run's page got
    elif saw is not None:  # a fragment run: keep a changed vote now (a reload must not give back the old one);
        from ui import keep  # a page run keeps it after the page (ui.keep imports this module)
        keep.remember()
        if shown != saw:
            st.rerun(scope="app")                          # a fragment run changed it: the page must follow
    return shown


def poll(question, choice, say, box):
    """The class side of a predict-then-reveal question: None outside a class (the question behaves as usual);
    else True once the lecturer has revealed it in this room, False before (no feedback, no result yet).

    A student's answer is their vote while the round on this question is open. The lecturer gets the controls:
    start a round, the live count, close it and show the histogram, a second round, reveal.
    """
    code = room()
    if not code:
        return None
    t = texts("class_session")
    try:
        s = call(rooms.state, store(), code)
        if s is None:
            return None
        result = call(rooms.revealed, store(), code, question.key, s)
    except StoreDown:
        st.warning(t("note.store_down"), icon=":material/cloud_off:")
        return None
    labels = {o: say(f"opt.{o}") for o in question.options}
    if result is not None:
        _show_result(t, result, labels)
        return True
    lec = lecturer()
    if lec is not None:
        _lecturer_controls(t, lec, s, question, labels)
    else:
        _student_status(t, code, s, question, choice, labels, box)
    return False


def _student_status(t, code, s, question, choice, labels, box):
    ss = st.session_state
    ss.setdefault(state.CLASS_BOXES, {}).setdefault(ss.get(state.CLASS_PAGE_NOW, ""), {})[question.key] = box
    if choice is not None:
        ss.setdefault(state.CLASS_ANSWERS, {})[question.key] = (choice, labels[choice])   # the banner sends it later
    if s.question == question.key and s.phase == "open":
        if choice is None:
            st.caption(t("student.open", round=s.round))
            return
        try:
            counted = _send(code, s, choice)
        except StoreDown:
            st.warning(t("note.store_down"), icon=":material/cloud_off:")
            return
        st.caption(t("student.counted", round=s.round, option=labels[choice]) if counted
                   else t("student.closed", round=s.round))
    elif s.question == question.key and s.phase == "closed":
        st.caption(t("student.closed", round=s.round))
    elif s.qid == question.qid and s.question and s.question != question.key:
        st.caption(t("student.other_settings"))
    else:
        st.caption(t("student.waiting"))


def _lecturer_controls(t, lec, s, question, labels):
    mine = s.question == question.key
    args = (question.key, question.qid, question.options, question.correct)
    page = st.session_state.get(state.CLASS_PAGE, "")
    row = st.container(horizontal=True, vertical_alignment="center")
    if not mine or s.phase in ("idle", "revealed"):
        row.button(t("lecturer.start"), key=f"class_start_{question.qid}", type="primary",
                   icon=":material/how_to_vote:", on_click=lec.start_round, args=(*args, 1, page))
        return
    if s.phase == "open":
        with row:
            _live_count(room(), question.key, s.round)
        row.button(t("lecturer.close", round=s.round), key=f"class_close_{question.qid}",
                   icon=":material/bar_chart:", on_click=lec.close_round)
        return
    counts = [lec.tally(question.key, r) for r in range(1, s.round + 1)]
    chart(charts.rounds_chart, charts.votes_frame(labels, counts), _names(t), lecture_mode())
    if s.round == 1:
        row.button(t("lecturer.round2"), key=f"class_round2_{question.qid}", icon=":material/forum:",
                   on_click=lec.start_round, args=(*args, 2, page))
    row.button(t("lecturer.reveal"), key=f"class_reveal_{question.qid}", type="primary",
               icon=":material/visibility:", on_click=lec.reveal)


@st.fragment(run_every=LECTURER_TICK)
def _live_count(code, question, rnd):
    """How many have voted (not the split): reads one count, every second."""
    t = texts("class_session")
    try:
        n = call(store().hlen, rooms.votes_key(code, question, rnd))
    except StoreDown:
        st.warning(t("note.store_down"), icon=":material/cloud_off:")
        return
    st.metric(t("lecturer.votes", round=rnd), n)
    st.session_state[state.CLASS_COUNT_DRAWN] = (n, time.time())


def _names(t):
    return t.labels("chart")


def _show_result(t, result, labels):
    """Both rounds side by side, the right options marked, and how many moved to a right one."""
    chart(charts.rounds_chart, charts.votes_frame(labels, result.counts, result.correct), _names(t), lecture_mode())
    shares = [result.share_right(r) for r in rooms.ROUNDS]
    parts = [t("result.right", round=r, share=f"{v:.0%}") for r, v in zip(rooms.ROUNDS, shares) if v is not None]
    if result.both:
        parts.append(t("result.moved", moved=result.moved, both=result.both))
    if parts:
        st.caption(" · ".join(parts))


# --- self-check in a class --------------------------------------------------------------------------------------

def report_score(section, right, total):
    """A student's checked self-check round, counted in the room's distribution when the room is doing it."""
    code, who = room(), me()
    if code and who and lecturer() is None:
        try:
            call(rooms.submit_score, store(), code, section, keep.voter(who, code), right, total)
        except StoreDown:
            pass

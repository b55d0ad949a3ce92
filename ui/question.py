"""The predict-then-reveal widget every concept page uses: `if ask(question, t, key): <result views>`.

API (all a page or a poll needs):
- ask(question, t, key) -> bool: draws the question; True once it is answered or revealed, and from then on
  for the rest of the session (the page then draws its result views, which follow every setting live).
- answer(key) -> Answer | None: what this learner committed to (the option, the settings it was given for).
- forget(key): the question asks afresh (the "Ask me again" button does this).

A question is keyed by its concept (`key`), never by its settings. Its state lives in st.session_state under
`quiz_<key>` (the radio, kept across page switches) and `quiz_<key>_at` (the settings when it was answered or
revealed). The radio's accessible name is the prompt. After a setting change the feedback tells the answer for
the current settings, from the question's live numbers.
"""
import re
from dataclasses import dataclass

import streamlit as st

from ui import classroom, state
from ui.layout import lecture_mode
from ui.texts import texts


@dataclass(frozen=True)
class Answer:
    """A learner's committed prediction: the option (None when revealed without one) and its settings."""
    choice: object
    settings: tuple


def answers_toggle():
    """The sidebar switch 'show all answers' (also ?answers=true), for someone who only wants to read."""
    t = texts("common")
    st.sidebar.toggle(t("quiz.show_all"), key=state.ANSWERS, bind="query-params", help=t("quiz.show_all_help"))


def show_all():
    """True when every answer is shown without asking."""
    return bool(st.session_state.get(state.ANSWERS))


def plain(prompt):
    """A prompt as a screen reader's name for its answers: without the Markdown marks that its shown copy renders
    (**bold**, `code`), which an aria-label would read out as they are. A code span keeps its text (`h ** 2`)."""
    return re.sub(r"`([^`]*)`|\*\*", lambda m: m.group(1) or "", prompt)


def _wkey(key):
    return state.question(key)


def answer(key):
    """The learner's committed answer to question `key`, or None while it is unanswered."""
    at = st.session_state.get(state.question_at(key))
    if at is None:
        return None
    return Answer(st.session_state.get(_wkey(key)) if at[0] == "answered" else None, at[1])


def _commit(key, settings):
    choice = st.session_state.get(_wkey(key))
    st.session_state[state.question_at(key)] = None if choice is None else ("answered", settings)


def _reveal(key, settings):
    st.session_state[state.question_at(key)] = ("revealed", settings)


def forget(key):
    """Ask question `key` afresh: no answer, results hidden until the learner commits again."""
    st.session_state[_wkey(key)] = None
    for name in (state.question_at(key), state.question_locked(key)):
        st.session_state.pop(name, None)


def ask(question, t, key):
    """Ask a question before its result; True once it is answered (or revealed), so the page may show the result.

    Once answered the choice is locked and stays (also across a page switch); a later setting change keeps the
    result views and the feedback states the answer for the new settings. "Ask me again" asks afresh.
    In lecture mode the question is big and a button reveals the answer after the room has voted.
    In a class the question's box is a fragment: a vote reruns the box, not the page (ui.classroom.box).
    """
    if classroom.room():
        return classroom.box(_ask, question, t, key)
    return _ask(question, t, key)


def _ask(question, t, key):
    common = texts("common")
    base = f"quiz.{question.qid}"

    def say(k):
        return t(f"{base}.{k}").format(**question.params)   # always formatted: {{ }} -> { }

    wkey, locked = _wkey(key), state.question_locked(key)
    if st.session_state.get(wkey) not in (None, *question.options):
        forget(key)                                          # a stale value from another question's options
    done = st.session_state.get(state.question_at(key))
    if done is not None and done[0] == "answered" and st.session_state.get(wkey) is None:
        done = None                                          # answered, then the value was lost: ask again
    if done is None and st.session_state.get(wkey) is not None:
        done = ("answered", question.settings)               # a value set without the callback (URL, test)
        st.session_state[state.question_at(key)] = done
    with st.container(border=True, key=f"quizbox_{key}"):
        prompt = say("prompt")
        if lecture_mode():
            st.subheader(prompt, anchor=False)   # no icon: a screen reader would say "quiz icon"
        else:
            st.markdown("**" + prompt + "**")
        choice = st.radio(plain(prompt), question.options, index=None, key=wkey, persist_state="session",
                          format_func=lambda o: say(f"opt.{o}"), label_visibility="collapsed", width="stretch",
                          on_change=_commit, args=(key, question.settings),
                          disabled=done is not None and st.session_state.get(locked, False))
        in_class = classroom.poll(question, choice, say, key)   # None outside a class; False until the lecturer reveals
        if in_class is False:
            st.session_state[locked] = False                    # a student may change the vote until the round closes
            return False
        if in_class and done is None:
            done = ("revealed", question.settings)          # the lecturer revealed it to the room
        st.session_state[locked] = done is not None         # locked from the next run on (a disabled
        #                                                      radio would drop the value arriving now)
        if done is None and lecture_mode() and not show_all():
            st.button(common("quiz.reveal"), key=wkey + "_reveal", on_click=_reveal, args=(key, question.settings),
                      icon=":material/visibility:")
        right = [o for o in question.options if question.is_right(o)]
        answer_line = common("quiz.answer", answer=" / ".join(say(f"opt.{o}") for o in right))
        why_right = say(f"why.{question.feedback[right[0]]}")
        said = st.container(key=f"quizsaid_{key}")   # a live region (ui/layout.py): the feedback is read out
        if done is not None and choice is not None and done[1] == question.settings:
            why = say(f"why.{question.feedback[choice]}")
            if question.is_right(choice):
                said.success(f"{common('quiz.right')} {why}", icon=":material/check_circle:")
            else:
                said.error(f"{common('quiz.wrong')} {why}\n\n{answer_line}", icon=":material/cancel:")
        elif done is not None and choice is not None:                  # answered, then the settings moved
            said.info(f"{common('quiz.now')} {answer_line} {why_right}", icon=":material/tune:")
        elif done is not None or show_all():
            said.info(f"{answer_line} {why_right}", icon=":material/lightbulb:")
        else:
            said.caption(common("quiz.answer_first"))
        if done is not None:
            st.button(common("quiz.again"), key=wkey + "_again", on_click=forget, args=(key,),
                      icon=":material/refresh:", help=common("quiz.again_help"), type="tertiary")
    return done is not None or show_all()

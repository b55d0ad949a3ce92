"""The predict-then-reveal widget every concept page uses: ask(question, texts, key) -> revealed."""
import streamlit as st

from ui import classroom
from ui.layout import lecture_mode
from ui.texts import texts


def answers_toggle():
    """The sidebar switch 'show all answers' (also ?answers=true), for someone who only wants to read."""
    t = texts("common")
    st.sidebar.toggle(t("quiz.show_all"), key="answers", bind="query-params", help=t("quiz.show_all_help"))


def show_all():
    """True when every answer is shown without asking."""
    return bool(st.session_state.get("answers"))


def _reveal(key):
    st.session_state[key] = True


def ask(question, t, key):
    """Ask a question before its result; True once it is answered (or revealed), so the page may show the result.

    The answer starts empty and is keyed by the question's settings: other settings, a fresh question.
    In lecture mode the question is big and a button reveals the answer after the room has voted.
    """
    common = texts("common")
    base = f"quiz.{question.qid}"

    def say(k):
        return t(f"{base}.{k}").format(**question.params)   # always formatted: {{ }} -> { }

    wkey = f"quiz_{key}_{question.key}"
    with st.container(border=True, key=f"quizbox_{key}"):
        prompt = say("prompt")
        if lecture_mode():
            st.subheader(":material/quiz: " + prompt)
        else:
            st.markdown(":material/quiz: **" + prompt + "**")
        choice = st.radio(common("quiz.your_answer"), question.options, index=None, key=wkey,
                          format_func=lambda o: say(f"opt.{o}"), label_visibility="collapsed", width="stretch")
        in_class = classroom.poll(question, choice, say)   # None outside a class; False until the lecturer reveals
        if in_class is False:
            return False
        shown = bool(in_class) or show_all() or st.session_state.get(wkey + "_shown", False)
        if choice is None and not shown and lecture_mode():
            st.button(common("quiz.reveal"), key=wkey + "_reveal", on_click=_reveal, args=(wkey + "_shown",),
                      icon=":material/visibility:")
        right = [say(f"opt.{o}") for o in question.options if question.is_right(o)]
        answer = common("quiz.answer", answer=" / ".join(right))
        if choice is not None:
            why = say(f"why.{question.feedback[choice]}")
            if question.is_right(choice):
                st.success(f"{common('quiz.right')} {why}", icon=":material/check_circle:")
            else:
                st.error(f"{common('quiz.wrong')} {why}\n\n{answer}", icon=":material/cancel:")
        elif shown:
            o = next(o for o in question.options if question.is_right(o))
            st.info(f"{answer} {say(f'why.{question.feedback[o]}')}", icon=":material/lightbulb:")
        else:
            st.caption(common("quiz.answer_first"))
    return choice is not None or shown

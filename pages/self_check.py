"""Self-check: five questions per lecture section with fresh numbers, answered by the project's own code."""
import streamlit as st

from rnn_core.assessment import self_check as sc
from ui import classroom, state
from ui.navigation import entry_point_only
from ui.question import plain
from ui.texts import texts

entry_point_only()

t = texts("self_check")
rounds = st.session_state.setdefault(state.SELF_CHECK, {})             # section -> {"round", "items", "checked"}
scores = st.session_state.setdefault(state.SELF_CHECK_SCORES, {})      # section -> (right, total)
missed = st.session_state.setdefault(state.SELF_CHECK_MISSED, {})      # section -> templates to ask first


def new_questions(section):
    """A new round for a section: fresh numbers, the questions missed last time first."""
    number = rounds.get(section, {}).get("round", 0) + 1
    rounds[section] = {"round": number, "items": sc.new_round(section, missed=missed.get(section, ())),
                       "checked": False}


def check(section):
    """Score the round from the answers in the form (a callback: runs before the page redraws)."""
    r = rounds[section]
    answers = [st.session_state.get(state.self_check_answer(section, r["round"], i)) for i in range(len(r["items"]))]
    right, total, missed[section] = sc.score(r["items"], answers)
    scores[section] = (right, total)
    r["checked"] = True
    classroom.report_score(section, right, total)


def say(item, name):
    return t(f"q.{item.texts}.{name}").format(**item.params)


def shown_answer(item):
    if item.form == "choice":
        return say(item, f"opt.{item.answer}")
    if item.form == "shape":
        return "(" + ", ".join(map(str, item.answer)) + ")"
    return f"{item.answer:,}" if float(item.answer).is_integer() else f"{item.answer:.4g}"


def tolerance(item):
    """The tolerance of a typed number, stated with its question."""
    if item.form != "number":
        return ""
    return t("tolerance.relative", pct=f"{item.rel_tol:.0%}") if item.rel_tol else t("tolerance.exact")


def feedback(item, given):
    problem = item.problem(given)
    if problem is not None:                      # not read without guessing: ask again, the answer stays hidden
        st.warning(t(f"reject.{problem}", unit=item.unit or "-"), icon=":material/edit:")
        return
    ok = item.check(given)
    text = t("answer", answer=shown_answer(item)) + " " + say(item, "explain")
    if ok:
        st.success(t("right") + " " + text, icon=":material/check_circle:")
    elif ok is None:
        st.warning(t("unanswered") + " " + text, icon=":material/help:")
    else:
        st.error(t("wrong") + " " + text, icon=":material/cancel:")


st.title(t("title"), anchor=False)
st.markdown(t.md("intro"))

for section, tab in zip(sc.SECTIONS, st.tabs([t(f"sections.{s.replace('.', '_')}") for s in sc.SECTIONS])):
    with tab:
        if section not in rounds:
            new_questions(section)
        r = rounds[section]
        if section in scores:
            st.caption(t("score", right=scores[section][0], total=scores[section][1]))
        with st.form(f"self_check_form_{section}_{r['round']}", border=False):
            for i, item in enumerate(r["items"]):
                key = state.self_check_answer(section, r["round"], i)
                with st.container(border=True, key=f"quizbox_sc_{section.replace('.', '_')}_{i}"):
                    prompt = say(item, "prompt")    # also the answer's accessible name (its label is collapsed)
                    st.markdown(f"**{i + 1}.** {prompt} {tolerance(item)}".rstrip())
                    if item.form == "choice":
                        given = st.radio(f"{i + 1}. {plain(prompt)}", item.options, index=None, key=key,
                                         format_func=lambda o, item=item: say(item, f"opt.{o}"),
                                         label_visibility="collapsed", width="stretch")
                    else:
                        given = st.text_input(f"{i + 1}. {plain(prompt)}", max_chars=sc.MAX_CHARS, key=key,
                                              placeholder=t(f"placeholder.{item.form}"), label_visibility="collapsed")
                    if r["checked"]:
                        feedback(item, given)
            st.form_submit_button(t("check"), icon=":material/fact_check:", on_click=check, args=(section,),
                                  type="primary")
        st.button(t("new"), icon=":material/refresh:", key=f"self_check_new_{section}", on_click=new_questions,
                  args=(section,))
st.caption(t("private"))

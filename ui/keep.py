"""Nothing lost on reload: with ?me=<id> in the URL, a student's answers, self-check scores, typed review and
trained runs are kept in the class store and put back into a new session (a reload, another replica)."""
import logging

import streamlit as st

from rnn_core.classroom import keep
from ui import classroom, state

log = logging.getLogger(__name__)


def _answers(ss):
    """The predict-then-reveal answers of this session (ui.state.question): the options chosen, and 'revealed'
    for a question revealed without an answer."""
    out = {}
    for k, v in ss.items():
        if not (isinstance(k, str) and k.startswith("quiz_")):
            continue
        if isinstance(v, str) and not k.endswith(("_reveal", "_again")):
            out[k] = v
        elif k.endswith("_at") and isinstance(v, tuple) and v and v[0] == "revealed":
            out[k] = "revealed"
    return out


def _id(run):
    return run.name, run.created


def restore():
    """Before the page: load what this id kept (once per session), and put back answers the page may ask again."""
    who, ss = classroom.me(), st.session_state
    if not who:
        return
    try:
        if ss.get(state.KEPT_FOR) != who:
            values = classroom.call(keep.load, classroom.store(), who)
            kept_runs = classroom.call(keep.load_runs, classroom.store(), who)
            ss[state.KEPT] = {"answers": values.get("answers", {}), "scores": values.get("scores", {}),
                        "review": values.get("review")}
            ss[state.KEPT_FOR] = who
            ss[state.SELF_CHECK_SCORES] = {**{k: tuple(v) for k, v in ss[state.KEPT]["scores"].items()},
                                    **ss.get(state.SELF_CHECK_SCORES, {})}
            if ss[state.KEPT]["review"] is not None and state.TRY_REVIEW_TEXT not in ss:
                ss[state.TRY_REVIEW_TEXT] = ss[state.KEPT]["review"]
            mine = ss.setdefault(state.RUNS, [])
            have = {_id(r) for r in mine}
            mine[:0] = [r for r in kept_runs if _id(r) not in have]
            ss[state.KEPT_RUNS] = {_id(r) for r in kept_runs}
    except classroom.StoreDown:
        return
    for k, v in ss[state.KEPT]["answers"].items():     # a new session (reload, replica): give the answers back
        if k not in ss:
            ss[k] = ("revealed", ()) if k.endswith("_at") and v == "revealed" else v


def remember():
    """After the page (and before it): write what changed since the last write."""
    who, ss = classroom.me(), st.session_state
    if not who or ss.get(state.KEPT_FOR) != who:
        return
    kept, store = ss[state.KEPT], classroom.store()
    try:
        answers = {**kept["answers"], **_answers(ss)}
        if answers != kept["answers"]:
            classroom.call(keep.save, store, who, "answers", answers)
            kept["answers"] = answers
        scores = {k: list(v) for k, v in ss.get(state.SELF_CHECK_SCORES, {}).items()}
        if scores != kept["scores"]:
            classroom.call(keep.save, store, who, "scores", scores)
            kept["scores"] = scores
        review = ss.get(state.TRY_REVIEW_TEXT)
        if isinstance(review, str) and review != kept["review"]:
            classroom.call(keep.save, store, who, "review", review)
            kept["review"] = review
        for order, run in enumerate(ss.get(state.RUNS, [])):
            if _id(run) not in ss[state.KEPT_RUNS] and run.weights and not run.saved:
                classroom.call(keep.save_run, store, who, run, order)
                ss[state.KEPT_RUNS].add(_id(run))
    except classroom.StoreDown:
        pass
    except ValueError as e:         # a value over the store's bound: not kept, said in the log
        log.warning("keep: %s", e)

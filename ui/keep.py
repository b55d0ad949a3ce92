"""Nothing lost on reload: with ?me=<id> in the URL, a student's answers, self-check scores, typed review and
trained runs are kept in the class store and put back into a new session (a reload, another replica)."""
import logging

import streamlit as st

from rnn_core.classroom import keep
from ui import classroom

REVIEW_KEY = "try_review_text"      # pages/try_review.py's text box
log = logging.getLogger(__name__)


def _answers(ss):
    """The predict-then-reveal answers of this session: radio choices (quiz_*) and revealed flags (*_shown)."""
    return {k: v for k, v in ss.items() if isinstance(k, str) and k.startswith("quiz_")
            and ((isinstance(v, str) and not k.endswith("_reveal")) or (k.endswith("_shown") and v is True))}


def _id(run):
    return run.name, run.created


def restore():
    """Before the page: load what this id kept (once per session), and put back answers the page may ask again."""
    who, ss = classroom.me(), st.session_state
    if not who:
        return
    try:
        if ss.get("_kept_for") != who:
            values = classroom.call(keep.load, classroom.store(), who)
            kept_runs = classroom.call(keep.load_runs, classroom.store(), who)
            ss._kept = {"answers": values.get("answers", {}), "scores": values.get("scores", {}),
                        "review": values.get("review")}
            ss._kept_for = who
            ss.self_check_scores = {**{k: tuple(v) for k, v in ss._kept["scores"].items()},
                                    **ss.get("self_check_scores", {})}
            if ss._kept["review"] is not None and REVIEW_KEY not in ss:
                ss[REVIEW_KEY] = ss._kept["review"]
            mine = ss.setdefault("runs", [])
            have = {_id(r) for r in mine}
            mine[:0] = [r for r in kept_runs if _id(r) not in have]
            ss._kept_runs = {_id(r) for r in kept_runs}
    except classroom.StoreDown:
        return
    for k, v in ss._kept["answers"].items():     # a widget of another page lost its state: give it back
        if k not in ss:
            ss[k] = v


def remember():
    """After the page (and before it): write what changed since the last write."""
    who, ss = classroom.me(), st.session_state
    if not who or ss.get("_kept_for") != who:
        return
    kept, store = ss._kept, classroom.store()
    try:
        answers = {**kept["answers"], **_answers(ss)}
        if answers != kept["answers"]:
            classroom.call(keep.save, store, who, "answers", answers)
            kept["answers"] = answers
        scores = {k: list(v) for k, v in ss.get("self_check_scores", {}).items()}
        if scores != kept["scores"]:
            classroom.call(keep.save, store, who, "scores", scores)
            kept["scores"] = scores
        review = ss.get(REVIEW_KEY)
        if isinstance(review, str) and review != kept["review"]:
            classroom.call(keep.save, store, who, "review", review)
            kept["review"] = review
        for order, run in enumerate(ss.get("runs", [])):
            if _id(run) not in ss._kept_runs and run.weights and not run.saved:
                classroom.call(keep.save_run, store, who, run, order)
                ss._kept_runs.add(_id(run))
    except classroom.StoreDown:
        pass
    except ValueError as e:         # a value over the store's bound: not kept, said in the log
        log.warning("keep: %s", e)

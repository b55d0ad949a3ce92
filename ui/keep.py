"""Nothing lost on reload: with ?me=<id> in the URL, a student's answers, self-check scores, typed review and
trained runs are kept in the class store and put back into a new session (a reload, another replica); a training
still running is followed again by the new session while its replica's worker has it."""
import logging
import re

import streamlit as st

from rnn_core.classroom import keep
from ui import classroom, jobs, state

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


def _running(ss):
    """This session's jobs that are still running, by page prefix: what a new session needs to follow them."""
    out = {}
    for k, job in ss.items():
        prefix = k[:-4] if isinstance(k, str) else ""
        if isinstance(job, jobs.SessionJob) and k == state.job(prefix) and job.id and not job.done:
            out[prefix] = {"id": job.id, "name": job.name, "kind": job.kind, "config": job.config,
                           "owner": ss.get(state.owner(prefix), "")}
    return out


def _follow(ss, running):
    """A new session (a reload) follows the trainings the last one left running, while this replica's worker still
    has them (within a lease); a job it does not know is forgotten without a word."""
    if not running or not jobs.worker().alive:
        return
    for prefix, kept in running.items():
        if state.job(prefix) in ss or not isinstance(kept, dict):
            continue
        try:
            job = jobs.SessionJob(str(kept["id"]), str(kept["name"]), str(kept["kind"]), dict(kept["config"]))
        except (KeyError, TypeError, ValueError):
            continue
        job.poll(None)                  # the worker is up: no spinner (no texts needed)
        if job.problem:
            continue
        jobs.track(job.id)
        ss[state.job(prefix)], ss[state.owner(prefix)] = job, str(kept["owner"])
        count = re.search(r"(\d+)$", job.name)
        ss[state.job_count(prefix)] = max(ss.get(state.job_count(prefix), 0), int(count.group(1)) if count else 0)


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
                        "review": values.get("review"), "jobs": values.get("jobs", {})}
            ss[state.KEPT_FOR] = who
            ss[state.SELF_CHECK_SCORES] = {**{k: tuple(v) for k, v in ss[state.KEPT]["scores"].items()},
                                    **ss.get(state.SELF_CHECK_SCORES, {})}
            if ss[state.KEPT]["review"] is not None and state.TRY_REVIEW_TEXT not in ss:
                ss[state.TRY_REVIEW_TEXT] = ss[state.KEPT]["review"]
            mine = ss.setdefault(state.RUNS, [])
            have = {_id(r) for r in mine}
            mine[:0] = [r for r in kept_runs if _id(r) not in have]
            ss[state.KEPT_RUNS] = {_id(r) for r in kept_runs}
            _follow(ss, ss[state.KEPT]["jobs"])
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
        running = _running(ss)
        if running != kept.get("jobs", {}):
            classroom.call(keep.save, store, who, "jobs", running)
            kept["jobs"] = running
        for order, run in enumerate(ss.get(state.RUNS, [])):
            if _id(run) not in ss[state.KEPT_RUNS] and run.weights and not run.saved:
                classroom.call(keep.save_run, store, who, run, order)
                ss[state.KEPT_RUNS].add(_id(run))
    except classroom.StoreDown:
        pass
    except (ValueError, TypeError) as e:     # a value over the store's bound (or not JSON): not kept, logged
        log.warning("keep: %s", e)

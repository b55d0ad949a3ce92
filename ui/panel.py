"""The training panel of both training pages: Start and Stop, the run's live view from the worker, its record.

A page gives its key prefix (its page key: its texts and widget keys), the kind of job, the settings from its
own bounded controls, and a function for what only it shows about a run. The training itself runs in the
worker process (rnn_core/jobs/worker.py); this panel only asks it, about once a second while a run is active.
"""
import dataclasses
import uuid

import streamlit as st

from rnn_core.charts import training as charts
from rnn_core.jobs import runs
from rnn_core.jobs.protocol import JobState
from ui import jobs, state
from ui.charts import chart
from ui.data import source_note
from ui.layout import announce

TICK = 1.0          # seconds between two looks at a running job
SAY_EVERY = 2.0     # seconds between two epochs a screen reader is told while a run goes on (its end: at once)


def curves(history, references, t, big):
    """Learning curves and validation accuracy against the published values; stacked and bigger in lecture mode."""
    names = t.labels("chart")
    a, b = (st.container(), st.container()) if big else st.columns(2)
    with a:
        chart(charts.learning_curves, history, names, big, width="stretch")
    with b:
        chart(charts.accuracy_chart, history, references, names, big, width="stretch")


def duration(t, seconds):
    """'12 s' or '3 min 5 s'."""
    s = int(round(seconds))
    return t("time.seconds", s=s) if s < 60 else t("time.minutes", m=s // 60, s=s % 60)


def about(t, saved, kind, config):
    """How long a run with these settings takes at a saved run's pace ('12 s'), or None (runs.pace_seconds)."""
    seconds = runs.pace_seconds(saved, kind, config)
    return None if seconds is None else duration(t, seconds)

def problem(t, job):
    """Why the job ended without its run: its own message for each of jobs.PROBLEMS (the page's worker.* texts)."""
    if job.problem in ("failed", "error"):
        said = t(f"worker.{job.problem}", error=job.error)
        st.error(said, icon=":material/error:")
    else:
        said = t(f"worker.{job.problem}")
        st.warning(said, icon=":material/restart_alt:")
    return said


class Panel:
    """Start/Stop and the live view of one page's run; the page says what differs."""

    def __init__(self, prefix, t, big, references, extra=None, idle=None, diverged=None):
        self.prefix, self.t, self.big = prefix, t, big
        self.diverged = diverged or {}        # the format fields of the page's diverged.md
        self.idle = idle or {}                # the format fields of status.idle (the suggested first run)
        self.references = references        # kind -> {label: published accuracy}, drawn on the accuracy chart
        self.extra = extra                  # extra(job): what only this page shows about a run
        self.key = state.job(prefix)
        st.session_state.setdefault(state.RUNS, [])
        self.owner = st.session_state.setdefault(state.owner(prefix), f"{prefix}-{uuid.uuid4().hex}")

    @property
    def job(self):
        """This session's latest job on this page, or None."""
        return st.session_state.get(self.key)

    @property
    def active(self):
        """True while this session's job waits or trains."""
        job = self.job
        return job is not None and not job.done

    def show(self, kind, config):
        """The Start and Stop buttons and the live view."""
        t, active = self.t, self.active
        buttons = st.container(horizontal=True)
        if buttons.button(t("train.start"), type="primary", icon=":material/play_arrow:", disabled=active,
                          key=f"{self.prefix}_start"):
            self.start(kind, config)
            st.rerun()
        buttons.button(t("train.stop"), icon=":material/stop:", disabled=not active, key=f"{self.prefix}_stop",
                       on_click=self.stop)
        self.live(active)

    def start(self, kind, config):
        """Hand a new job to the worker (starting the worker first, with a spinner)."""
        ss = st.session_state
        count = ss[state.job_count(self.prefix)] = ss.get(state.job_count(self.prefix), 0) + 1
        ss[self.key] = jobs.start_job(self.t, self.owner, kind, config, f"{kind}-{count}")

    def stop(self):
        """Stop this session's run after the worker's current chunk (a callback: the page is drawn once, stopped)."""
        job = self.job
        if job is not None and not job.done:
            job.stop(self.t)
            self.record(job)

    def record(self, job):
        """Add a finished, stopped or diverged run with at least one epoch to the session's runs (once)."""
        run = job.report.run
        if job.claim_record() and run is not None and run.history.get("loss"):
            st.session_state[state.RUNS].append(dataclasses.replace(run, name=job.name,
                                                                    note=f"pages/{self.prefix}.py"))

    def live(self, active):
        """Ask the worker about this session's run and redraw; reruns by itself while the run is active."""

        @st.fragment(run_every=TICK if active else None)
        def live_view():
            job = self.job
            if job is None:
                st.info(self.t("status.idle", **self.idle))
                return
            if not job.done:
                job.poll(self.t)
                if job.done:
                    self.record(job)
                    if active:
                        st.rerun()      # the whole page: buttons, the list of runs, no more automatic reruns
            self.record(job)            # a job followed again after a reload may have ended before (once)
            self.draw(job)

        live_view()

    def draw(self, job):
        """Status, live curves, and what the page adds."""
        t, r = self.t, job.report
        self.status(job)
        if r.data is not None:
            source_note(r.data)
        if r.epochs_done:
            curves(r.history, self.references(job.kind), t, self.big)
        elif job.state == JobState.RUNNING:
            st.caption(t("status.first_epoch"))
        if self.extra is not None:
            self.extra(job)

    def status(self, job):
        """What the run is doing, or how it ended (a screen reader hears it at each new state or epoch)."""
        t, r, state = self.t, job.report, job.state
        e, epochs = r.progress, r.epochs_done
        topic = (state, e and e.epoch, job.problem)
        if job.problem:
            said = problem(t, job)
        elif state == JobState.WAITING:
            said = t("status.waiting", running=r.running, limit=r.limit, position=max(r.position, 1))
            st.info(said, icon=":material/hourglass_top:")
        elif state == JobState.STOPPED:
            said = t("status.stopped", epochs=epochs) if epochs else t("status.stopped_none")
            st.warning(said, icon=":material/stop_circle:")
        elif e is None:
            said = t("status.starting")
            st.info(said, icon=":material/hourglass_top:")
        elif state == JobState.RUNNING:
            where = dict(epoch=e.epoch + 1, epochs=e.epochs, batch=e.batch + 1, n_batches=e.n_batches)
            left = r.time_left
            said = t("status.running_early", **where)
            text = t("status.running", left=duration(t, left), **where) if left is not None else said
            st.progress(min(r.fraction, 1.0), text=text)
            st.caption(t("status.away"))
        elif state == JobState.FINISHED:
            acc = r.history.get("val_accuracy") or [float("nan")]
            said = t("status.finished", acc=acc[-1], epochs=epochs, seconds=r.seconds)
            st.success(said, icon=":material/check_circle:")
        elif state == JobState.DIVERGED:
            text = t("status.diverged", epoch=e.epoch + 1, loss=r.diverged_loss)
            said = text + (" " + t("status.diverged_kept", epochs=epochs) if epochs else "")
            st.error(said, icon=":material/warning:")
            st.markdown(t.md("diverged", **self.diverged))
        else:
            said = ""
        announce(f"train_{self.prefix}", said.replace("**", ""), topic, SAY_EVERY if state == JobState.RUNNING else 0)

"""What the worker and the server say to each other about a job: its state, its report, and how a call can fail.

The worker answers every request with one of: ("ok", value), ("unknown", message), ("lost", reason),
("failed", JobReport) or ("error", message); the server's client turns the last four into the errors below.
"""
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rnn_core.jobs.runs import Run


class JobState(StrEnum):
    """Where a job is: waiting for a slot, training, or over (and how it ended)."""
    WAITING = "waiting"
    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"
    DIVERGED = "diverged"
    FAILED = "failed"

    @property
    def over(self) -> bool:
        """True once the job can't change any more."""
        return self not in (JobState.WAITING, JobState.RUNNING)


@dataclass(frozen=True)
class Progress:
    """Where the training is inside its epochs (0-based epoch and batch)."""
    epoch: int
    epochs: int
    batch: int
    n_batches: int


@dataclass(frozen=True)
class DataSource:
    """Which reviews the job trained on (the fields ui.data.source_note reads)."""
    source: str                            # "keras", "local" or "synthetic"
    source_detail: str = ""
    source_reasons: tuple = ()


@dataclass(frozen=True)
class JobReport:
    """What the worker says about one job; `run` and `results` only once it is over."""
    id: str
    kind: str
    state: JobState = JobState.WAITING
    error: str = ""                        # why it failed
    position: int = 0                      # its place in the queue, from 1; 0 when not waiting
    running: int = 0                       # trainings running on the server now
    limit: int = 0                         # trainings allowed at once
    epochs_done: int = 0
    fraction: float = 0.0                  # share of all batches done, 0..1
    seconds: float = 0.0                   # training time so far
    time_left: float | None = None         # estimated seconds to go (None before the first batch)
    progress: Progress | None = None
    history: dict[str, list[float]] = field(default_factory=dict)   # per-epoch series, as Keras's History
    diverged_loss: float | None = None
    data: DataSource | None = None
    run: Run | None = None                 # the finished run with its weights
    results: dict[str, Any] = field(default_factory=dict)   # the trainer's results(): kind-specific plain data

    @property
    def done(self) -> bool:
        return self.state.over


class WorkerError(Exception):
    """A call failed inside the worker, or the worker could not be reached; the message says why."""


class WorkerRestarted(WorkerError):
    """The worker had died and was started again; the jobs it held are gone."""


class UnknownJob(WorkerError):
    """The worker never had a job with this id."""


class JobLost(WorkerError):
    """The worker had this job but no longer has it: `reason` is "restarted" (an earlier worker process held it)
    or "dropped" (its session went away, so the worker let it go)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class JobFailed(WorkerError):
    """The job ended with an error; `report` holds what it had done and report.error the message."""

    def __init__(self, report: JobReport):
        super().__init__(report.error)
        self.report = report

"""The scheduled jobs by name: one registry for the schedules, the local runner and the CLI."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from shared.jobs import JobResult, ProgressCallback


@dataclass(frozen=True)
class JobDefinition:
    name: str
    target: str  # "module:function", imported when the job runs
    schedule: str  # EventBridge expression: the deployed schedule, and the local runner's
    description: str

    def load(self) -> Callable[..., JobResult]:
        module, _, function = self.target.partition(":")
        return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


JOBS: dict[str, JobDefinition] = {
    job.name: job
    for job in (
        JobDefinition("trial-expiry", "functions.trial_expiry:run", "rate(1 hour)", "trial reminders and expiry"),
        JobDefinition(
            "lifecycle",
            "functions.lifecycle:run",
            "rate(1 hour)",
            "cancellations taking effect, deletion warnings, deletions, unverified signups",
        ),
        JobDefinition("billing", "functions.billing:run", "rate(1 day)", "close ended months: one invoice each"),
        JobDefinition(
            "sla-watch",
            "functions.sla_watch:run",
            "rate(5 minutes)",
            "escalate overdue first responses, status updates, close solved tickets",
        ),
        JobDefinition("mail", "functions.mail_delivery:run", "rate(1 minute)", "deliver the outbox"),
        JobDefinition(
            "dunning",
            "functions.dunning:run",
            "rate(1 day)",
            "reminders of unpaid invoices level by level, then the account's suspension",
        ),
    )
}


def run_job(name: str, now: datetime, progress: ProgressCallback | None = None) -> JobResult:
    if name not in JOBS:
        raise KeyError(f"unknown job {name!r}; known: {', '.join(sorted(JOBS))}")
    return JOBS[name].load()(now, progress=progress)

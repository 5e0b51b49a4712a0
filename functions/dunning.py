"""The dunning job: reminders of unpaid invoices level by level, then the account's suspension (issue 18)."""

from __future__ import annotations

from datetime import datetime

from shared.jobs import JobResult, ProgressCallback


def run(now: datetime, progress: ProgressCallback | None = None) -> JobResult:
    from shared.services.billing.dunning import run_dunning

    return run_dunning(now, progress)

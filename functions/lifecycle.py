"""The life-cycle job: cancellations taking effect, deletion warnings, deletions, unverified signups."""

from __future__ import annotations

from datetime import datetime

from functions.sweep import sweep_due
from shared.jobs import JobResult, ProgressCallback
from shared.services.accounts.life_cycle import act_on_life_cycle_action

JOB_NAME = "lifecycle"


def run(now: datetime, progress: ProgressCallback | None = None) -> JobResult:
    return sweep_due(JOB_NAME, act_on_life_cycle_action, now, progress)

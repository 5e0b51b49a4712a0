"""The trial-expiry job: reminder mails before the end, deactivation at the end of day 30."""

from __future__ import annotations

from datetime import datetime

from functions.sweep import sweep_due
from shared.jobs import JobResult, ProgressCallback
from shared.services.accounts.trial import act_on_trial_action

JOB_NAME = "trial-expiry"


def run(now: datetime, progress: ProgressCallback | None = None) -> JobResult:
    return sweep_due(JOB_NAME, act_on_trial_action, now, progress)

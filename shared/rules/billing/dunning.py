"""The dunning decision (SPEC §15, issue 18): what is due for one unpaid invoice today, and when to look again.

Pure: the levels (from the policy), the due date, today and what was done already are parameters. The
job acts on the answer under a condition on `levels_sent`, so a re-run or a second run decides the same
and the second commit is refused: each reminder goes out once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from shared.rules.billing.payments import DunningLevel, dunning_levels_reached

DunningAction = Literal["wait", "remind", "suspend", "done"]


@dataclass(frozen=True)
class DunningStep:
    """What to do now: `remind` with `level` (the `levels_sent` afterwards is `sent_after`), `suspend`,
    `wait`, or `done` (suspended already: nothing more until paid). `look_again_on`: the next day this
    invoice can need something (None when done)."""

    action: DunningAction
    sent_after: int
    level: DunningLevel | None
    look_again_on: date | None


def _day_of(index: int, levels: Sequence[DunningLevel], due_on: date, suspend_after_days: int) -> date:
    """The day step `index` falls due: a level's day, or (past the last level) the suspension's."""
    days = levels[index].days_after_due if index < len(levels) else suspend_after_days
    return due_on + timedelta(days=days)


def next_dunning_step(
    levels: Sequence[DunningLevel],
    suspend_after_days: int,
    due_on: date,
    today: date,
    *,
    levels_sent: int,
    suspended: bool,
) -> DunningStep:
    """The one thing to do for an unpaid invoice today.

    A run that comes late (the job was down) sends only the highest level reached: a first reminder
    after the final notice would contradict it. Suspension needs the final notice sent, and comes a
    day after it at the earliest, so the customer always had the last word before the service stops.
    """
    if suspended or levels_sent > len(levels):
        return DunningStep("done", levels_sent, None, None)
    reached = dunning_levels_reached(levels, due_on, today)
    if reached > levels_sent:
        look_again = max(_day_of(reached, levels, due_on, suspend_after_days), today + timedelta(days=1))
        return DunningStep("remind", reached, levels[reached - 1], look_again)
    if levels_sent == len(levels) and (today - due_on).days >= suspend_after_days:
        return DunningStep("suspend", levels_sent + 1, None, None)
    return DunningStep("wait", levels_sent, None, _day_of(levels_sent, levels, due_on, suspend_after_days))

"""What every scheduled job reports, and how it shows progress on a terminal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ProgressCallback = Callable[[int, int | None], None]  # (done, total or None)


@dataclass
class JobResult:
    job: str
    done: int = 0
    skipped: int = 0
    failed: int = 0
    details: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.details[what] = self.details.get(what, 0) + n

    def summary(self) -> str:
        extra = ", ".join(f"{k}: {v}" for k, v in sorted(self.details.items()))
        return f"{self.job}: {self.done} done, {self.skipped} skipped, {self.failed} failed" + (
            f" ({extra})" if extra else ""
        )

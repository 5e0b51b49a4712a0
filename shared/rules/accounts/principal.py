"""Who is calling: a value storage builds from a token and the HTTP edge checks, so it belongs to neither."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Principal:
    """Who is calling: a tenant (an account's token) or a staff member."""

    kind: str  # "tenant" | "staff"
    role: str
    account_id: str | None = None
    staff_id: str | None = None
    # The hash of the presented token: rotation revokes exactly the token that asked for it.
    token_hash: str | None = field(default=None, compare=False, repr=False)

    @property
    def scope(self) -> str:
        """A stable name for idempotency scoping: keys of two callers never collide."""
        return f"{self.kind}:{self.account_id or self.staff_id}"

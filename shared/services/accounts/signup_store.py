"""The signup use case's storage in DynamoDB: storage's functions, its refusals as the use case's errors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shared.mail.compose import ComposedMail
from shared.rules.signup import TrialPeriod
from shared.services.accounts.errors import EmailTaken, LinkInvalid


class SignupTable:
    def save_pending_signup(
        self,
        account_id: str,
        account_fields: Mapping[str, Any],
        link_hash: str,
        valid_until: datetime,
        link_expires_at: datetime,
        purge_at: datetime,
        mail: ComposedMail,
        now: datetime,
    ) -> None:
        from shared.storage.accounts import ReservationHeld, save_pending_signup

        try:
            save_pending_signup(
                account_id, account_fields, link_hash, valid_until, link_expires_at, purge_at, mail, now
            )
        except ReservationHeld as exc:
            raise EmailTaken(pending=exc.pending) from exc

    def verification_link(self, link_hash: str) -> Any:
        from shared.storage.accounts import verification_link

        return verification_link(link_hash)

    def save_verification(
        self, link: Any, address: str, trial: TrialPeriod, schedule: list[tuple[str, str, datetime]], now: datetime
    ) -> str:
        from shared.storage.accounts import save_verification
        from shared.storage.db import ConditionFailed

        try:
            return save_verification(link, address, trial, schedule, now)
        except ConditionFailed as exc:
            raise LinkInvalid("used") from exc

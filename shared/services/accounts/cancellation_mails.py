"""A cancellation's mails: its confirmation and its withdrawal, composed here, stored with the change."""

from __future__ import annotations

from datetime import date, datetime

from shared.mail.compose import ComposedMail, compose_mail
from shared.mail.context import AddressedAccount, mail_context
from shared.policy import Policy


def cancellation_confirmation(
    account: AddressedAccount, received_on: date, effective_on: date, channel: str, now: datetime, policy: Policy
) -> ComposedMail:
    # The moment in the id: a customer may cancel, withdraw and cancel again, each mailed once.
    return compose_mail(
        mail_id=f"cancellation-{account.account_id}-{now.strftime('%Y%m%dT%H%M%S%f')}",
        account_id=account.account_id,
        recipient=account.admin_email,
        template="cancellation_confirmation",
        language=account.language,
        context=mail_context(
            account, policy, received_on=received_on.isoformat(), effective_on=effective_on.isoformat(), channel=channel
        ),
        now=now,
    )


def cancellation_withdrawn(account: AddressedAccount, effective_on: str, now: datetime, policy: Policy) -> ComposedMail:
    return compose_mail(
        mail_id=f"cancellation-withdrawn-{account.account_id}-{now.strftime('%Y%m%dT%H%M%S%f')}",
        account_id=account.account_id,
        recipient=account.admin_email,
        template="cancellation_withdrawn",
        language=account.language,
        context=mail_context(account, policy, effective_on=effective_on),
        now=now,
    )

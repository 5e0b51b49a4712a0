"""Inbound mail we do not act on: unverified mail from contacts' addresses."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import PutError

from shared.storage.blobs import account_prefix, blob_store
from shared.storage.models import Account, UnverifiedMail, User, account_pk

UNVERIFIED_MAIL_LOOKUP = "UNVERIFIED_MAIL"
_SUBJECT_KEPT = 500  # a subject is for recognising the mail in a list; the raw mail has the rest


def _condition_failed(exc: PutError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


def keep_unverified_mail(
    account: Account,
    contact: User,
    *,
    subject: str,
    reason: str,
    quoted_ticket: str | None,
    raw: bytes,
    seen_key: str,
    now: datetime,
) -> bool:
    """Keep a mail that claims to be from `contact` but failed sender authentication. False: a redelivery.

    The raw mail is written first under a key derived from the mail, so a redelivery rewrites the
    same bytes rather than leaving a second blob; the item then must not exist yet.
    """
    raw_key = f"{account_prefix(account.account_id)}unverified/{seen_key}/raw.eml"
    blob_store().put(raw_key, raw, "message/rfc822")
    item = UnverifiedMail(
        account_pk(account.account_id),
        f"UNVERIFIED#{seen_key}",
        lookup_key=UNVERIFIED_MAIL_LOOKUP,
        account_id=account.account_id,
        user_id=contact.user_id,
        sender_email=contact.email,
        subject=subject[:_SUBJECT_KEPT],
        reason=reason,
        received_at=now,
        quoted_ticket=quoted_ticket,
        raw_key=raw_key,
    )
    try:
        item.save(condition=UnverifiedMail.sk.does_not_exist())
    except PutError as exc:
        if _condition_failed(exc):
            return False
        raise
    return True


def unverified_mails() -> list[UnverifiedMail]:
    """Every kept unverified mail, newest first (few: only contacts' addresses ever get here)."""
    items = [i for i in UnverifiedMail.lookup_index.query(UNVERIFIED_MAIL_LOOKUP) if isinstance(i, UnverifiedMail)]
    return sorted(items, key=lambda item: item.received_at, reverse=True)

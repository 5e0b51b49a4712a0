"""Which addresses a bounce from the inbox may stop mail to. Pure: the signature check is passed in.

Anyone can mail us a "bounce", so a report stops mail only when it can only be about one
mail we really sent, and says that mail's recipient does not exist:

* it returns exactly ONE message (or its headers, or quotes one Message-ID in its text, as
  non-standard bounces do). A report with several returned-message candidates is not about one
  mail of ours; reading each would let a stranger try a guessed Message-ID signature per part
  (256 parts, 256 guesses), so such a report is used for nothing at all;
* that message's Message-ID is one of ours, signed for the recipient the report names (the
  check is the caller's `sent_to`: the signing secret stays out of this module);
* what the report says about that recipient MEANS an address failure (user unknown, no such
  host or domain, moved or closed: `shared/rules/bounce_meaning.py`, for RFC 3464 reports and
  for the prose of non-standard formats alike). A full mailbox, a content, spam or policy
  refusal, a suspended mailbox, a rate limit, an expired queue or a 4.x.x never stops mail, and
  neither does a recipient named only in `X-Failed-Recipients` (nothing says why it failed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from shared.rules.bounce_meaning import ADDRESS_STATUS_CODES, status_code
from shared.rules.bounce_reports import BouncedRecipient

__all__ = ["ADDRESS_FAILURES", "addresses_stopped_by_bounce", "is_address_failure", "status_code", "suppression_reason"]

# The RFC 3463 codes that alone say the recipient's address is gone (5.1.1, 5.1.2, 5.1.3, 5.1.6,
# 5.1.10). 5.2.1 is not one: it stops mail only with the wording of an unknown user at RCPT TO.
ADDRESS_FAILURES = ADDRESS_STATUS_CODES


class BounceReport(Protocol):
    """What the rule reads of a parsed bounce (the inbound mail's value has these fields): rules import no mail."""

    @property
    def returned_message_count(self) -> int: ...

    @property
    def returned_message_ids(self) -> Sequence[str]: ...

    @property
    def bounced_recipients(self) -> Sequence[BouncedRecipient]: ...


def is_address_failure(status: str) -> bool:
    """True when a DSN status code alone says the address does not exist (or moved) for good."""
    return status_code(status) in ADDRESS_FAILURES


def suppression_reason(recipient: BouncedRecipient) -> str:
    """Why a suppression was made, for staff: "hard bounce 5.1.1", or the wording that decided."""
    verdict = recipient.verdict
    if verdict.code and verdict.code.split(".")[1] != "0":
        return f"hard bounce {verdict.code}"
    return f"hard bounce: {verdict.wording or 'address failure'}"[:120]


def addresses_stopped_by_bounce(
    mail: BounceReport, sent_to: Callable[[str, str], bool]
) -> tuple[BouncedRecipient, ...]:
    """The failed recipients whose address this bounce may stop mail to; usually none.

    `sent_to(message_id, address)` says whether the Message-ID (without <>) is one of ours,
    signed for that address.
    """
    if mail.returned_message_count != 1 or len(mail.returned_message_ids) != 1:
        return ()
    [returned] = mail.returned_message_ids
    stopped: dict[str, BouncedRecipient] = {}
    for recipient in mail.bounced_recipients:
        if recipient.address in stopped or not recipient.stops_mail:
            continue
        if sent_to(returned, recipient.address):
            stopped[recipient.address] = recipient
    return tuple(stopped.values())

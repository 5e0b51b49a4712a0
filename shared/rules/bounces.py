"""Which addresses a bounce from the inbox may stop mail to. Pure: the signature check is passed in.

Anyone can mail us a "bounce", so a report stops mail only when it can only be about one
mail we really sent, and says that mail's recipient does not exist:

* it returns exactly ONE message (or its headers). A report with several returned messages
  is not about one mail of ours; reading each would let a stranger try a guessed Message-ID
  signature per part (256 parts, 256 guesses), so such a report is used for nothing at all;
* that message's Message-ID is one of ours, signed for the recipient the report names (the
  check is the caller's `sent_to`: the signing secret stays out of this module);
* the status given for that recipient is a permanent address failure (RFC 3463): the
  mailbox or domain does not exist or has moved. A full mailbox (5.2.2), a policy or spam
  refusal (5.7.x), an unspecific 5.0.0 or a temporary 4.x.x never stops mail, and neither does
  a recipient named only in `X-Failed-Recipients` (no status says why it failed). Reading the
  free-text meaning of non-standard bounces is left to a bounce classifier (issue 13).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from shared.rules.inbound_mail import FailedDelivery, InboundMail

# RFC 3463 status codes that say the recipient's address itself is gone:
# 5.1.1 bad destination mailbox, 5.1.2 bad destination system, 5.1.3 bad destination address
# syntax, 5.1.6 mailbox has moved, 5.1.10 recipient domain has a null MX (RFC 7505).
# Not 5.1.0/5.1.4/5.1.7/5.1.8 (vague, ambiguous or about the sender) and not 5.2.1: real
# reports use it for suspended (come-back) mailboxes as often as for closed ones.
ADDRESS_FAILURES = frozenset({"5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10"})

_STATUS = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})(?!\d)")


def status_code(status: str) -> str | None:
    """The "x.y.z" code at the start of a DSN Status field ("5.1.1 (user unknown)" → "5.1.1"), or None."""
    match = _STATUS.match(status or "")
    if match is None:
        return None
    return ".".join(str(int(group)) for group in match.groups())


def is_address_failure(status: str) -> bool:
    """True when a DSN status says the address does not exist (or moved) for good."""
    return status_code(status) in ADDRESS_FAILURES


def addresses_stopped_by_bounce(mail: InboundMail, sent_to: Callable[[str, str], bool]) -> tuple[FailedDelivery, ...]:
    """The failed deliveries whose address this bounce may stop mail to; usually none.

    `sent_to(message_id, address)` says whether the Message-ID (without <>) is one of ours,
    signed for that address.
    """
    if mail.returned_message_count != 1 or len(mail.returned_message_ids) != 1:
        return ()
    [returned] = mail.returned_message_ids
    stopped: dict[str, FailedDelivery] = {}
    for failure in mail.failed_deliveries:
        if failure.address in stopped or not is_address_failure(failure.status):
            continue
        if sent_to(returned, failure.address):
            stopped[failure.address] = failure
    return tuple(stopped.values())

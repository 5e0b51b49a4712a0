"""Inbound e-mail: the signed raw-message webhook, and the SES → SNS notification (handler in app.py).

Both end in `take_in_mail`: automatic mail and strangers are dropped without a
trace, replies from a ticket's contacts are threaded, and the rest opens tickets
through the same path as the web form. Each entry point first decides whether the
sender is authentic (SES receipt verdicts, or our relay's Authentication-Results);
a contact's address on a mail that fails is kept for staff review and nothing more.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import ApiError
from shared.api.requests import raw_body
from shared.api.routing import Access, api_route, json_response
from shared.observability import logger, metrics

if TYPE_CHECKING:
    from shared.rules.inbound_mail import InboundMail
    from shared.rules.sender_trust import SenderTrust

bp = Blueprint(__name__)


def take_in_mail(raw: bytes, now: datetime, *, trust: SenderTrust) -> tuple[str, str | None]:
    """Decide what a raw mail becomes: (outcome, ticket number).

    `trust` says whether the From address is authentic; when it is not, the mail acts as
    nobody: no ticket, no message, no answer (kept for staff review if it names a contact).
    """
    from shared.policy import get_policy
    from shared.rules.bounces import addresses_stopped_by_bounce, suppression_reason
    from shared.rules.inbound_mail import parse_inbound_mail
    from shared.rules.signing import mail_id_from_message_id, message_was_sent_to
    from shared.rules.support.states import OPEN_STATES
    from shared.rules.tickets import RequestDetails, ticket_number_from_mail_id
    from shared.secrets import link_keyring
    from shared.storage.accounts import get_account
    from shared.storage.item_size import ItemTooLarge
    from shared.storage.tickets import (
        AlreadyTakenIn,
        IncomingAttachment,
        NewRequest,
        add_customer_message,
        already_seen,
        closed_ticket_notice,
        contact_of,
        find_requester,
        find_ticket,
        is_live,
        open_ticket,
        seen_key_for,
        suppress,
    )

    policy = get_policy()
    keyring = link_keyring()
    mail = parse_inbound_mail(raw, max_attachment_bytes=policy.support.max_attachment_bytes)
    if mail.automatic is not None:
        # A bounce stops mail to an address only if it returns exactly one mail of ours, signed for
        # that very address, and what it says MEANS the address does not exist (shared/rules/bounces.py).
        for failure in addresses_stopped_by_bounce(
            mail, lambda mid, address: message_was_sent_to(f"<{mid}>", address, keyring)
        ):
            suppress(failure.address, suppression_reason(failure), now, source="inbound-dsn")
        metrics.add_metric(name="InboundMailAutomatic", unit="Count", value=1)
        return "dropped", None
    if not mail.sender_address:
        return "dropped", None
    if mail.part_count > policy.support.max_mail_parts:
        # Refused before anything is stored (no blob, no SeenMail); 202 so a relay does not retry it for ever.
        metrics.add_metric(name="InboundMailRefused", unit="Count", value=1)
        return "refused_too_many_parts", None
    seen_key = seen_key_for(mail.message_id, raw)
    if already_seen(seen_key):
        return "duplicate", None
    attachments = tuple(IncomingAttachment(a.filename, a.content_type, a.content) for a in mail.attachments)

    number = mail.ticket_number
    if number is None:
        for reference in (*mail.in_reply_to, *mail.references):
            mail_id = mail_id_from_message_id(f"<{reference}>", keyring)
            if mail_id and (number := ticket_number_from_mail_id(mail_id)):
                break
    if not trust.trusted:
        return _hold_unverified(mail, raw, number, seen_key, trust, now)
    if number is not None:
        ticket = find_ticket(number)
        account = get_account(ticket.account_id) if ticket else None
        author = contact_of(account, mail.sender_address) if ticket and account and is_live(account) else None
        if ticket is not None and account is not None and author is not None:
            if ticket.state not in OPEN_STATES:
                closed_ticket_notice(ticket, account, mail.sender_address, now, policy)
                return "closed_notice", ticket.number
            try:
                add_customer_message(
                    ticket,
                    author,
                    mail.reply_text or mail.body_text,
                    "email",
                    now,
                    attachments=attachments,
                    raw_mail=raw,
                    seen_key=seen_key,
                )
            except AlreadyTakenIn:
                return "duplicate", ticket.number
            except ItemTooLarge:
                return "refused_too_large", ticket.number
            return "message_added", ticket.number
        # A stranger quoting a ticket number never gets into that ticket: treat it as a new request.

    requester = find_requester(mail.sender_address)
    if requester is None:
        metrics.add_metric(name="InboundMailFromStranger", unit="Count", value=1)
        return "dropped", None  # nothing stored: not the address, not the body
    request = NewRequest(
        subject=mail.subject,
        channel="email",
        details=RequestDetails(description=mail.reply_text or mail.body_text, attachments=len(attachments)),
        vague_subject=mail.vague_subject,
        attachments=attachments,
        oversized=tuple((o.filename, o.size) for o in mail.oversized_attachments),
        raw_mail=raw,
        seen_key=seen_key,
    )
    try:
        ticket = open_ticket(requester, request, now, policy)
    except AlreadyTakenIn:
        return "duplicate", None
    except ItemTooLarge:
        return "refused_too_large", None
    return "ticket_created", ticket.number


def _hold_unverified(
    mail: InboundMail, raw: bytes, number: str | None, seen_key: str, trust: SenderTrust, now: datetime
) -> tuple[str, str | None]:
    """A mail whose sender is not authentic: kept for staff review if its From is a contact, else nothing."""
    from shared.storage.accounts import get_account
    from shared.storage.mail_trust import keep_unverified_mail
    from shared.storage.tickets import contact_of, find_requester, find_ticket, is_live

    assert mail.sender_address is not None
    account, contact = None, None
    ticket = find_ticket(number) if number is not None else None
    if ticket is not None:
        account = get_account(ticket.account_id)
        contact = contact_of(account, mail.sender_address) if account is not None and is_live(account) else None
    if contact is None:
        requester = find_requester(mail.sender_address)
        account, contact = (requester.account, requester.user) if requester else (None, None)
    if account is None or contact is None:
        metrics.add_metric(name="InboundMailFromStranger", unit="Count", value=1)
        return "dropped", None  # a stranger's address: nothing stored, as for any stranger
    kept = keep_unverified_mail(
        account,
        contact,
        subject=mail.subject,
        reason=trust.reason,
        quoted_ticket=ticket.number if ticket is not None and ticket.account_id == account.account_id else None,
        raw=raw,
        seen_key=seen_key,
        now=now,
    )
    metrics.add_metric(name="InboundMailUnverifiedSender", unit="Count", value=1)
    logger.info("inbound mail from an unverified sender kept for review", extra={"reason": trust.reason})
    return ("unverified_sender" if kept else "duplicate"), None


def sender_trust_from_ses_notification(message: str) -> SenderTrust:
    """The trust decision from the receipt verdicts of an SES "Received" notification."""
    from shared.rules.sender_trust import SenderVerdicts, trust_from_verdicts, verdicts_from_ses_receipt

    try:
        notification = json.loads(message)
    except ValueError:
        return trust_from_verdicts(SenderVerdicts())
    receipt = notification.get("receipt") if isinstance(notification, dict) else None
    return trust_from_verdicts(verdicts_from_ses_receipt(receipt))


@api_route(
    bp,
    "/webhooks/inbound-email",
    "POST",
    access=Access.SIGNED_WEBHOOK,
    status=202,
    summary="A raw RFC 5322 message from a mail relay, signed with X-Cocoon-Signature",
    content_types=("message/rfc822", "application/octet-stream"),
    max_body_policy="support.max_mail_bytes",
    response_model="shared.contracts:InboundOutcome",
)
def inbound_email() -> Response:
    from shared.api.requests import check_webhook_signature_headers
    from shared.rules.sender_trust import webhook_sender_trust
    from shared.rules.signing import webhook_signature_problem
    from shared.secrets import inbound_email_keyring
    from shared.settings import get_settings

    request = bp.current_request
    body = raw_body(request)
    scope = current_scope()
    check_webhook_signature_headers(request.headers)
    problem = webhook_signature_problem(
        inbound_email_keyring(),
        request.headers.get("x-cocoon-timestamp"),
        request.headers.get("x-cocoon-signature"),
        body,
        now_epoch=scope.now.timestamp() if get_settings().time_travel_allowed else time.time(),
    )
    if problem:
        raise ApiError(401, "invalid_signature", f"Refused: {problem}.")
    settings = get_settings()
    trust = webhook_sender_trust(body, settings.inbound_authserv_id, may_go_unchecked=settings.time_travel_allowed)
    outcome, number = take_in_mail(body, scope.now, trust=trust)
    logger.info("inbound mail", extra={"outcome": outcome, "ticket": number})
    return json_response({"outcome": outcome, "ticket": number}, status=202)


def raw_mail_from_ses_notification(message: str) -> bytes | None:
    """The raw MIME mail inside an SES "Received" notification published to SNS (action type SNS)."""
    try:
        notification: dict[str, Any] = json.loads(message)
    except ValueError:
        return None
    if notification.get("notificationType") != "Received" or "content" not in notification:
        return None
    content = notification["content"]
    encoding = (notification.get("receipt", {}).get("action", {}) or {}).get("encoding", "UTF8")
    if str(encoding).upper() == "BASE64":
        return base64.b64decode(content)
    return str(content).encode("utf-8", errors="surrogateescape")

"""Staff review of mail: why an address is stopped (and lifting it), a mail's fate, unverified senders."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from shared.api.context import current_scope
from shared.api.errors import ApiError
from shared.api.requests import decode_body, raw_body, validate
from shared.api.routing import Access, api_route, json_response
from shared.observability import logger

bp = Blueprint(__name__)
AGENTS = ("agent",)


@api_route(
    bp,
    "/staff/suppressions/lift",
    "POST",
    access=Access.STAFF,
    staff_roles=AGENTS,
    summary="Mail an address again that a hard bounce had stopped",
    request_model="shared.contracts:SuppressionLiftRequest",
    response_model="shared.contracts:SuppressionLifted",
)
def lift_suppression() -> Response:
    from shared.contracts import SuppressionLiftRequest
    from shared.services.staff import account_actions

    request = bp.current_request
    form = validate(SuppressionLiftRequest, decode_body(raw_body(request), request.headers))
    principal = current_scope().principal
    try:  # the same staff service as the desk's account page
        staff_id = principal.staff_id if principal else None
        address = account_actions.lift_suppression(str(form.email), staff_id, current_scope().now)
    except account_actions.ActionRefused as exc:
        raise ApiError(404, "not_suppressed", exc.message, {"email": "not suppressed"}) from exc
    logger.info("suppression lifted", extra={"staff": principal.staff_id if principal else None})
    return json_response({"email": address, "lifted": True})


@api_route(
    bp,
    "/staff/suppressions/show",
    "POST",
    access=Access.STAFF,
    staff_roles=AGENTS,
    summary="Why mail to an address is stopped: the event, its time, the server's diagnostic and the source",
    request_model="shared.contracts:SuppressionShowRequest",
    response_model="shared.contracts:SuppressionView",
)
def show_suppression() -> Response:
    """A POST with the address in the body (not a GET): addresses do not belong in URLs or access logs."""
    from shared.contracts import SuppressionShowRequest
    from shared.rules.clock import utc_iso
    from shared.rules.identity import normalize_email
    from shared.storage.suppressions import is_in_force, stops_all_mail, suppression_of

    request = bp.current_request
    form = validate(SuppressionShowRequest, decode_body(raw_body(request), request.headers))
    address = normalize_email(str(form.email))
    item = suppression_of(address)
    if item is None:
        raise ApiError(404, "not_suppressed", "Mail to this address is not stopped.", {"email": "not suppressed"})
    now = current_scope().now
    return json_response(
        {
            "email": address,
            "scope": "all" if stops_all_mail(item) else "automatic",
            "in_force": is_in_force(item, now),
            "reason": item.reason,
            "source": item.source,
            "event_kind": item.event_kind,
            "since": utc_iso(item.since),
            "until": utc_iso(item.until) if item.until else None,
            "diagnostic": item.diagnostic,
            "mail_id": item.mail_id,
        }
    )


@api_route(
    bp,
    "/staff/mails/{mail_id}",
    "GET",
    access=Access.STAFF,
    staff_roles=AGENTS,
    summary="What became of one outgoing mail: its fate and every SES event (sent, delivered, bounced, ...)",
    response_model="shared.contracts:MailFateView",
)
def show_mail_fate(mail_id: str) -> Response:
    from shared.api.errors import not_found
    from shared.rules.clock import utc_iso
    from shared.storage.mail_fate import find_outbox_mail

    mail = find_outbox_mail(mail_id)
    if mail is None:
        raise not_found("Mail")

    def moment(value: Any) -> str | None:
        return utc_iso(value) if value else None

    return json_response(
        {
            "mail_id": mail.mail_id,
            "account_id": mail.account_id,
            "recipient": mail.recipient,
            "template": mail.template,
            "created_at": utc_iso(mail.created_at),
            "sent_at": moment(mail.sent_at),
            "fate": mail.fate,
            "fate_at": moment(mail.fate_at),
            "ses_message_id": mail.ses_message_id,
            "send_event_at": moment(mail.send_event_at),
            "history": [
                {"kind": entry.kind, "at": entry.at, "detail": entry.detail} for entry in mail.fate_history or []
            ],
        }
    )


@api_route(
    bp,
    "/staff/unverified-mail",
    "GET",
    access=Access.STAFF,
    staff_roles=AGENTS,
    summary="Mails from contacts' addresses that failed sender authentication (DMARC, virus, ...), newest first",
    response_model="shared.contracts:UnverifiedMailList",
)
def unverified_mail() -> Response:
    from shared.rules.clock import utc_iso
    from shared.storage.mail_trust import unverified_mails

    mails = [
        {
            "id": item.sk.removeprefix("UNVERIFIED#"),
            "account_id": item.account_id,
            "sender": item.sender_email,
            "subject": item.subject,
            "reason": item.reason,
            "received_at": utc_iso(item.received_at),
            "quoted_ticket": item.quoted_ticket,
        }
        for item in unverified_mails()
    ]
    return json_response({"mails": mails})

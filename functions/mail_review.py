"""Staff review of inbound mail we did not act on: lifted suppressions and unverified senders."""

from __future__ import annotations

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
    from shared.rules.identity import normalize_email
    from shared.storage.mail_trust import lift_suppression as lift

    request = bp.current_request
    form = validate(SuppressionLiftRequest, decode_body(raw_body(request), request.headers))
    address = normalize_email(str(form.email))
    if not lift(address):
        raise ApiError(404, "not_suppressed", "Mail to this address is not stopped.", {"email": "not suppressed"})
    principal = current_scope().principal
    logger.info("suppression lifted", extra={"staff": principal.staff_id if principal else None})
    return json_response({"email": address, "lifted": True})


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

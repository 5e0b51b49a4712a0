"""Inbound e-mail: the signed raw-message webhook, and the SES → SNS notification (handler in app.py).

Both end in `take_in_mail`, which hands the mail to the intake service
(shared/services/support/intake.py). Each entry point first decides whether the
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
from shared.observability import logger

if TYPE_CHECKING:
    from shared.rules.sender_trust import SenderTrust

bp = Blueprint(__name__)


def take_in_mail(raw: bytes, now: datetime, *, trust: SenderTrust) -> tuple[str, str | None]:
    """Decide what a raw mail becomes: (outcome, ticket number); the decision is the intake service's."""
    from shared.services.support.intake import take_in_mail as intake

    return intake(raw, now, trust=trust)


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

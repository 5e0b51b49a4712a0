"""The staff desk's HTTP edge shared by its blueprints: the calling agent, the ticket, the form, the answer."""

from __future__ import annotations

from typing import Any

from chalice.app import Request, Response

from shared.api.context import current_scope
from shared.api.errors import ApiError, not_found
from shared.api.requests import decode_body, raw_body, validate
from shared.api.routing import json_response

AGENTS = ("agent",)


def calling_agent() -> Any:
    """The staff member behind the token; a token without one is refused."""
    from shared.storage.support import staff_member

    principal = current_scope().principal
    member = staff_member(str(principal.staff_id)) if principal else None
    if member is None:
        raise ApiError(403, "staff_only", "This endpoint is for Cocoon staff.")
    return member


def ticket_or_404(number: str) -> Any:
    from shared.storage.tickets import find_ticket

    ticket = find_ticket(number)
    if ticket is None:
        raise not_found("ticket")
    return ticket


def staff_form(request: Request, model_name: str) -> Any:
    import shared.contracts as contracts

    return validate(getattr(contracts, model_name), decode_body(raw_body(request), request.headers))


def staff_view(ticket: Any, messages: list[Any] | None = None) -> dict[str, Any]:
    from shared.storage.views import ticket_view

    view = ticket_view(ticket, messages or [], include_notes=True)
    view.update(
        account_id=ticket.account_id,
        assignee=ticket.assignee_name,
        escalated=ticket.escalated_at is not None,
        enhancement=bool(ticket.enhancement),
        development_ticket=ticket.development_ticket,
        needs_authorization=bool(ticket.needs_authorization),
        authorized=ticket.authorized_at is not None,
    )
    return view


def show_staff_ticket(number: str, status: int = 200) -> Response:
    """The ticket as staff see it after a change: read again, with every message and note."""
    from shared.storage.tickets import ticket_messages

    ticket = ticket_or_404(number)
    return json_response(staff_view(ticket, ticket_messages(ticket)), status=status)

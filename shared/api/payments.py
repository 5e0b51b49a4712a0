"""The HTTP edge of the payment routes: their forms and how the service's refusals answer (a 4xx naming the field)."""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from shared.api.context import current_scope
from shared.api.errors import ApiError, conflict, not_found
from shared.api.requests import decode_body, raw_body, validate


def payment_form(bp: Any, model_name: str) -> Any:
    import shared.payment_contracts as contracts

    request = bp.current_request
    return validate(getattr(contracts, model_name), decode_body(raw_body(request), request.headers))


def staff_id() -> str:
    principal = current_scope().principal
    return str(principal.staff_id) if principal else ""


def refusals(call: Any) -> Any:
    from shared.rules.billing.payments import PaymentRefused
    from shared.services.billing import payments
    from shared.storage.payments import BookingRaced

    try:
        return call()
    except payments.InvoiceNotFound as exc:
        raise not_found("invoice") from exc
    except payments.CreditNotFound as exc:
        raise ApiError(
            404, "not_found", "No unassigned credit with this statement and entry.", {"entry": "unknown"}
        ) from exc
    except PaymentRefused as exc:
        raise ApiError(422, "payment_refused", str(exc), {exc.field: str(exc)}) from exc
    except BookingRaced as exc:
        raise conflict("busy", "The invoice is being booked by someone else: try again.") from exc


def idempotent(bp: Any, create: Any) -> Response:
    """Idempotency-Key as on every creating POST: bound to the caller, the method and the concrete path."""
    from shared.api.idempotency import run_idempotently

    request = bp.current_request
    return run_idempotently(request.headers, raw_body(request), create, bp.lambda_context)

"""The subscription page's invoices, export, apps, authorizers and admin token (issue 16 item 2), for the admin.

Every read and write is the JSON API's service on the viewer's own account: an invoice number of
another account is simply not found (the billing service looks it up within the account).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.services.account_pages.viewer import Viewer


class RotationRefused(Exception):
    """Another rotation won, or the account is no longer live: nothing changed."""


def invoices(viewer: Viewer, now: datetime) -> list[dict[str, Any]]:
    """The account's invoices, newest first, each with its payment state."""
    from shared.services.billing.invoices import invoice_documents

    viewer.must_be_admin()
    return invoice_documents(viewer.account_id, now)


def invoice(viewer: Viewer, number: str, now: datetime) -> dict[str, Any] | None:
    from shared.services.billing.invoices import invoice_document

    viewer.must_be_admin()
    return invoice_document(viewer.account_id, number, now)


def apps(viewer: Viewer, now: datetime) -> list[dict[str, Any]]:
    """Every app of the app store: its name, price, and whether the account has it (and until when)."""
    from shared.policy import get_policy
    from shared.storage.apps import current_subscription

    viewer.must_be_admin()
    shown = []
    for app_id, terms in get_policy().billing.apps.items():
        held = current_subscription(viewer.account_id, app_id, now)
        ends = held.cancelled_effective_at if held is not None else None
        shown.append({"id": app_id, "name": terms.name, "price": terms.monthly_price, "held": held is not None,
                      "ends_at": ends})
    return shown


def subscribe_app(viewer: Viewer, app_id: str, now: datetime) -> Any:
    from shared.services.accounts.apps import subscribe_app as subscribe

    viewer.must_be_admin()
    return subscribe(viewer.account_id, app_id, now)[0]


def cancel_app(viewer: Viewer, app_id: str, now: datetime) -> Any:
    from shared.services.accounts.apps import cancel_app as cancel

    viewer.must_be_admin()
    return cancel(viewer.account_id, app_id, now)


def authorizers(viewer: Viewer) -> list[Any]:
    from shared.storage.authorizations import authorizers as named

    viewer.must_be_admin()
    return named(viewer.account_id)


def add_authorizer(viewer: Viewer, name: str, email: str) -> None:
    from shared.services.support.links import name_authorizer

    viewer.must_be_admin()
    name_authorizer(viewer.account_id, name, email)


def remove_authorizer(viewer: Viewer, authorizer_id: str) -> bool:
    """False when the account names no such person (another account's id included)."""
    from shared.storage.customer_pages import remove_authorizer as remove

    viewer.must_be_admin()
    return remove(viewer.account_id, authorizer_id)


def rotate_admin_token(viewer: Viewer, now: datetime) -> str:
    """A new admin API token, answered once; every old one stops in the same transaction (the JSON route's
    storage). The signed-in admin stands for the token: the first listed one must still exist at commit."""
    from shared.storage.accounts import get_account
    from shared.storage.db import ConditionFailed, Contended
    from shared.storage.tokens import rotate_tenant_token

    viewer.must_be_admin()
    account = get_account(viewer.account_id)
    listed = sorted(account.token_hashes or []) if account is not None else []
    if not listed:
        raise RotationRefused()
    try:
        return rotate_tenant_token(viewer.account_id, listed[0], listed, now)
    except (ConditionFailed, Contended) as exc:
        raise RotationRefused() from exc

"""The account the API shows (shared/api/account_view.py) has the documented shape, contracts.AccountView.

One shape, checked: a trial, a customer with a pending downgrade and a cancelled customer are built as
storage keeps them (models in memory, no database: the view reads no table) and each view must
validate, carry exactly the documented fields and survive the model's round trip unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.api.account_view import account_view
from shared.contracts import AccountView
from shared.storage.models import Account, CancellationRecord, User

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _account(state: str, **fields: object) -> Account:
    return Account(
        "ACCOUNT#acc_view1",
        "ACCOUNT",
        account_id="acc_view1",
        state=state,
        company_name="Beispiel GmbH",
        organization_type="company",
        country="DE",
        vat_id="DE123456789" if state != "trial" else None,
        admin_name="Erika Mustermann",
        admin_email="erika@beispiel.example",
        language="de",
        dpa_version="2026-01",
        dpa_accepted_at=NOW,
        created_at=NOW,
        trial_started_on="2026-02-01",
        trial_ends_on="2026-03-02",
        **fields,
    )


def _users() -> list[User]:
    return [
        User("ACCOUNT#acc_view1", "USER#usr_a", account_id="acc_view1", user_id="usr_a",
             email="erika@beispiel.example", name="Erika Mustermann", role="admin", active=True, created_at=NOW),
        User("ACCOUNT#acc_view1", "USER#usr_b", account_id="acc_view1", user_id="usr_b",
             email="max@beispiel.example", name="Max Muster", role="user", active=False, created_at=NOW),
    ]


ACCOUNTS = {
    "trial": _account("trial"),
    "customer": _account(
        "customer", edition="business", paid_from="2026-03-03",
        pending_edition="starter", pending_edition_from=datetime(2026, 4, 1, tzinfo=UTC),
    ),
    "cancelled": _account(
        "customer", edition="business", paid_from="2026-03-03",
        cancellation=CancellationRecord(
            received_on="2026-03-09", effective_on="2026-06-30", channel="api", recorded_at=NOW.isoformat()
        ),
    ),
}


@pytest.mark.parametrize("kind", sorted(ACCOUNTS))
def test_the_account_view_is_the_documented_shape(kind: str) -> None:
    view = account_view(ACCOUNTS[kind], _users(), NOW)
    assert set(view) == set(AccountView.model_fields)  # no field more, none less
    checked = AccountView.model_validate(view)
    assert checked.model_dump(mode="json") == view  # every value already in its documented form
    assert len(checked.users) == 2 and {user.id for user in checked.users} == {"usr_a", "usr_b"}


def test_each_kind_of_account_shows_what_makes_it_that_kind() -> None:
    trial = AccountView.model_validate(account_view(ACCOUNTS["trial"], [], NOW))
    assert trial.state == "trial" and trial.paid_from is None and trial.cancellation is None
    customer = AccountView.model_validate(account_view(ACCOUNTS["customer"], [], NOW))
    assert customer.edition == "business"  # the downgrade is pending until April
    cancelled = AccountView.model_validate(account_view(ACCOUNTS["cancelled"], [], NOW))
    assert cancelled.cancellation is not None and str(cancelled.cancellation.effective_on) == "2026-06-30"

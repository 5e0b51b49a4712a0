"""A staff-recorded day of receipt cannot end a contract before it existed (SPEC §5, §11).

The day of receipt is the caller's word. Before the account was created there was no contract to
cancel: a day from then would make the contract end in the past and deactivate it at once (or,
out of the holiday calendar's years, break the request). Both are refused, naming the field.
"""

from __future__ import annotations

import pytest

from shared.storage.models import Account
from tests.functional.helpers import auth, body_of, now_header, post_json, signup_and_verify

NOW = "2026-11-16T10:00:00+01:00"


@pytest.fixture
def customer(client, outbox_dir):
    """A paying customer (signed up 1 September, team edition from 5 September): only they can cancel."""
    verified = signup_and_verify(client, outbox_dir, now="2026-09-01T10:00:00+02:00")
    converted = post_json(client, f"/accounts/{verified['account_id']}/subscription", {"edition": "team"},
                          {**auth(verified), **now_header("2026-09-05T10:00:00+02:00")})
    assert converted.status_code == 200
    return verified


@pytest.fixture
def staff_token(db, capsys):
    from functions.cli import main as cocoon

    assert cocoon(["staff", "add", "Sam", "sam@cocoon.example", "--role", "agent"]) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


def _record(client, customer, staff_token, received_on: str):
    return post_json(
        client,
        f"/staff/accounts/{customer['account_id']}/cancellation",
        {"received_on": received_on, "channel": "letter"},
        {"Authorization": f"Bearer {staff_token}", **now_header(NOW)},
    )


@pytest.mark.parametrize("received_on", ["2026-08-31", "2001-01-31", "1999-12-31", "0001-01-01"])
def test_a_letter_dated_before_the_account_existed_is_refused(client, customer, staff_token, received_on):
    response = _record(client, customer, staff_token, received_on)
    assert response.status_code == 400, response.body
    error = body_of(response)["error"]
    assert error["code"] == "invalid_request" and "received_on" in error["fields"]
    assert Account.get(f"ACCOUNT#{customer['account_id']}", "ACCOUNT").cancellation is None


def test_a_letter_received_after_the_account_began_is_still_recorded(client, customer, staff_token):
    response = _record(client, customer, staff_token, "2026-11-02")
    assert response.status_code == 201, response.body
    assert body_of(response)["effective_on"] == "2026-11-30"

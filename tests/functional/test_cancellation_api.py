"""Cancellation end to end with time travel: every channel, withdrawal, deactivation, the deadline table."""

from __future__ import annotations

from datetime import date

import pytest

from functions.cli import main as cocoon
from shared.storage.models import Account
from tests.functional.helpers import auth, body_of, mail_text, mails, now_header, post_json, run_day, signup_and_verify


@pytest.fixture
def team_customer(client, outbox_dir):
    """Signed up in September and on the team edition since 5 September (not the shared `customer`)."""
    verified = signup_and_verify(client, outbox_dir, now="2026-09-01T10:00:00+02:00")
    converted = post_json(
        client,
        f"/accounts/{verified['account_id']}/subscription",
        {"edition": "team"},
        {**auth(verified), **now_header("2026-09-05T10:00:00+02:00")},
    )
    assert converted.status_code == 200
    return verified


@pytest.fixture
def staff_token(db, capsys):
    assert cocoon(["staff", "add", "Sam", "sam@cocoon.example", "--role", "agent"]) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


def cancel(client, verified, now: str):
    return post_json(
        client, f"/accounts/{verified['account_id']}/cancellation", {}, {**auth(verified), **now_header(now)}
    )


def test_received_monday_16_november_ends_30_november(client, team_customer, outbox_dir):
    response = cancel(client, team_customer, "2026-11-16T15:00:00+01:00")
    assert response.status_code == 201, response.body
    answer = body_of(response)
    assert (answer["status"], answer["received_on"], answer["effective_on"]) == ("recorded", "2026-11-16", "2026-11-30")
    run_day("2026-11-16T16:00:00+01:00")
    confirmation = mails(outbox_dir, "cancellation-")
    assert len(confirmation) == 1 and "30. November 2026" in mail_text(outbox_dir / confirmation[0])
    view = body_of(client.http.get(f"/accounts/{team_customer['account_id']}", headers=auth(team_customer)))
    assert view["cancellation"] == {"received_on": "2026-11-16", "effective_on": "2026-11-30", "channel": "app"}


def test_received_tuesday_17_november_ends_31_december(client, team_customer):
    answer = body_of(cancel(client, team_customer, "2026-11-17T09:00:00+01:00"))
    assert answer["effective_on"] == "2026-12-31"


def test_a_second_cancellation_returns_the_pending_one(client, team_customer):
    cancel(client, team_customer, "2026-11-16T15:00:00+01:00")
    again = cancel(client, team_customer, "2026-11-20T15:00:00+01:00")
    assert again.status_code == 200
    assert body_of(again)["status"] == "pending" and body_of(again)["effective_on"] == "2026-11-30"
    shown = client.http.get(f"/accounts/{team_customer['account_id']}/cancellation", headers=auth(team_customer))
    assert body_of(shown)["effective_on"] == "2026-11-30"


def test_a_trial_needs_no_cancellation_and_nothing_is_recorded(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir)
    response = cancel(client, verified, "2026-02-02T10:00:00+01:00")
    assert response.status_code == 200
    assert body_of(response)["status"] == "not_needed" and "trial" in body_of(response)["message"]
    assert Account.get(f"ACCOUNT#{verified['account_id']}", "ACCOUNT").cancellation is None


def test_withdrawal_before_the_effective_date_keeps_the_contract(client, team_customer, outbox_dir):
    cancel(client, team_customer, "2026-11-16T15:00:00+01:00")
    withdrawn = client.http.delete(
        f"/accounts/{team_customer['account_id']}/cancellation",
        headers={**auth(team_customer), **now_header("2026-11-25T10:00:00+01:00")},
    )
    assert withdrawn.status_code == 200 and body_of(withdrawn)["status"] == "withdrawn"
    run_day("2026-12-01T00:00:00+01:00")
    view = body_of(client.http.get(f"/accounts/{team_customer['account_id']}", headers=auth(team_customer)))
    assert view["state"] == "customer" and view["cancellation"] is None
    assert (
        client.http.get(f"/accounts/{team_customer['account_id']}/cancellation", headers=auth(team_customer)).status_code == 404
    )


def test_the_life_cycle_job_deactivates_on_the_effective_date(client, team_customer, outbox_dir):
    cancel(client, team_customer, "2026-11-16T15:00:00+01:00")
    run_day("2026-11-30T23:59:00+01:00")
    assert Account.get(f"ACCOUNT#{team_customer['account_id']}", "ACCOUNT").state == "customer"
    run_day("2026-12-01T00:00:00+01:00")
    account = Account.get(f"ACCOUNT#{team_customer['account_id']}", "ACCOUNT")
    assert (account.state, account.deactivated_on) == ("deactivated", "2026-12-01")
    assert len(mails(outbox_dir, "deactivated")) == 1
    refused = client.http.get(f"/accounts/{team_customer['account_id']}", headers=auth(team_customer))
    assert body_of(refused)["error"]["code"] == "account_deactivated"


def test_staff_record_a_letter_with_its_day_of_receipt(client, team_customer, staff_token):
    response = post_json(
        client,
        f"/staff/accounts/{team_customer['account_id']}/cancellation",
        {"received_on": "2026-11-16", "channel": "letter"},
        {"Authorization": f"Bearer {staff_token}", **now_header("2026-11-18T10:00:00+01:00")},
    )
    assert response.status_code == 201, response.body
    assert body_of(response)["effective_on"] == "2026-11-30"
    assert body_of(response)["channel"] == "letter"


def test_staff_bad_input(client, team_customer, staff_token):
    headers = {"Authorization": f"Bearer {staff_token}", **now_header("2026-11-18T10:00:00+01:00")}
    path = f"/staff/accounts/{team_customer['account_id']}/cancellation"
    future = post_json(client, path, {"received_on": "2026-11-19", "channel": "letter"}, headers)
    assert future.status_code == 400 and "received_on" in body_of(future)["error"]["fields"]
    pigeon = post_json(client, path, {"received_on": "2026-11-16", "channel": "pigeon"}, headers)
    assert pigeon.status_code == 400 and "channel" in body_of(pigeon)["error"]["fields"]
    unknown = post_json(
        client, "/staff/accounts/acc_nope/cancellation", {"received_on": "2026-11-16", "channel": "fax"}, headers
    )
    assert unknown.status_code == 404


def test_auth_on_the_cancellation_routes(client, team_customer, outbox_dir):
    path = f"/accounts/{team_customer['account_id']}/cancellation"
    assert post_json(client, path, {}).status_code == 401
    other = signup_and_verify(client, outbox_dir, email="o@other.example")
    assert post_json(client, path, {}, auth(other)).status_code == 404
    staff_route = post_json(
        client,
        f"/staff/accounts/{team_customer['account_id']}/cancellation",
        {"received_on": "2026-11-16", "channel": "letter"},
        auth(team_customer),
    )
    assert staff_route.status_code == 403


def test_the_deadline_table(client):
    response = client.http.get("/cancellation-deadlines?year=2026")
    assert response.status_code == 200
    table = body_of(response)
    assert table["year"] == 2026 and len(table["months"]) == 12
    november = next(m for m in table["months"] if m["month"] == "2026-11")
    assert november["last_day_of_receipt"] == "2026-11-16"
    for month in table["months"]:
        assert date.fromisoformat(month["last_day_of_receipt"]).strftime("%Y-%m") <= month["month"]


def test_the_deadline_table_refuses_years_out_of_range(client):
    for year in ("1800", "2500", "abcd", ""):
        response = client.http.get(f"/cancellation-deadlines?year={year}")
        assert response.status_code == 400, year
        assert "year" in body_of(response)["error"]["fields"]

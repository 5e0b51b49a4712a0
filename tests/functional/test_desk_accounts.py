"""The desk's account search and account page against DynamoDB Local: the index, its ≤ 2 requests, the actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from functions.cli import main as cocoon
from tests.functional.helpers import (
    DESK_NOW,
    auth,
    body_of,
    deliver_mail,
    desk_member,
    desk_sign_in,
    mail_text,
    mails,
    now_header,
    post_form,
    post_json,
    record_dynamodb_requests,
    signup_fields,
)

DESK = now_header(DESK_NOW)


@pytest.fixture
def customer(client, outbox_dir):
    """"Müller & Söhne GmbH", a customer on the team edition since September."""
    response = post_json(
        client,
        "/signup",
        signup_fields(company_name="Müller & Söhne GmbH", admin_email="mara@mueller.example"),
        now_header("2026-09-01T10:00:00+02:00"),
    )
    assert response.status_code == 202
    from tests.functional.helpers import verification_token_from_outbox

    deliver_mail("2026-09-01T10:00:00+02:00")
    token = verification_token_from_outbox(outbox_dir, "mara@mueller.example")
    verified = body_of(post_json(client, "/signup/verify", {"token": token}, now_header("2026-09-01T10:00:00+02:00")))
    converted = post_json(
        client,
        f"/accounts/{verified['account_id']}/subscription",
        {"edition": "team"},
        {**auth(verified), **now_header("2026-09-05T10:00:00+02:00")},
    )
    assert converted.status_code == 200
    return verified


@pytest.fixture
def clerk(client, outbox_dir):
    desk_member("bea@cocoon.example", role="billing", name="Bea Billing")
    cookie, csrf = desk_sign_in(client, outbox_dir, "bea@cocoon.example")
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **DESK}


@pytest.fixture
def agent(client, outbox_dir):
    desk_member("ada@cocoon.example", role="agent", name="Ada Agent")
    cookie, csrf = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **DESK}


def _text(response: Any) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else str(response.body)




@pytest.mark.parametrize("typed", ["müller", "MULLER & so", "  Müller  &  Söhne", "mul"])
def test_a_company_name_prefix_finds_the_account_whatever_case_and_accents(client, customer, clerk, typed):
    page = post_form(client, "/desk/accounts/search", {"query": typed, "csrf_token": clerk["X-CSRF-Token"]}, clerk)
    assert page.status_code == 200
    assert f"/desk/accounts/{customer['account_id']}" in _text(page) and "found by company name" in _text(page)


@pytest.mark.parametrize(
    ("typed", "kind"),
    [("de136695976", "VAT ID"), ("MARA@mueller.example", "e-mail address")],
)
def test_vat_id_and_admin_email_find_the_account(client, customer, clerk, typed, kind):
    page = post_form(client, "/desk/accounts/search", {"query": typed, "csrf_token": clerk["X-CSRF-Token"]}, clerk)
    assert f"/desk/accounts/{customer['account_id']}" in _text(page) and f"found by {kind}" in _text(page)


def test_a_ticket_number_and_an_invoice_number_find_their_account(client, customer, db, monkeypatch):
    from shared.services.search.accounts import search_accounts

    ticket = post_json(
        client,
        "/tickets",
        {"subject": "Export", "description": "fails", "impact": "severe"},
        {**auth(customer), **now_header("2026-11-23T09:00:00+01:00")},
    )
    assert ticket.status_code == 201, ticket.body
    number = body_of(ticket)["number"]
    requests = record_dynamodb_requests(monkeypatch)
    kind, found = search_accounts(number)
    assert kind == "ticket" and [hit.account_id for hit in found] == [customer["account_id"]]
    assert requests == ["Query", "BatchGetItem"]  # never a Scan, at most 2 requests
    assert search_accounts("2026-999999") == ("invoice", [])


def test_a_name_search_costs_two_requests_and_an_unknown_name_one(customer, db, monkeypatch):
    from shared.services.search.accounts import search_accounts

    requests = record_dynamodb_requests(monkeypatch)
    assert [hit.account_id for hit in search_accounts("Müller")[1]] == [customer["account_id"]]
    assert requests == ["Query", "BatchGetItem"]
    requests.clear()
    assert search_accounts("Zebra")[1] == []
    assert requests == ["Query"]


def test_htmx_gets_only_the_results(client, customer, clerk):
    page = post_form(
        client, "/desk/accounts/search", {"query": "Müller", "csrf_token": clerk["X-CSRF-Token"]}, {**clerk, "HX-Request": "true"}
    )
    assert page.status_code == 200 and "<html" not in _text(page) and customer["account_id"] in _text(page)


def test_the_json_route_answers_scripts_of_any_staff_role(client, customer, db, capsys):
    assert cocoon(["staff", "add", "Sam", "sam@cocoon.example", "--role", "billing"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    answer = post_json(client, "/staff/accounts/search", {"query": "DE 136 695 976"}, {"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert body_of(answer) == {
        "kind": "vat",
        "accounts": [
            {"id": customer["account_id"], "company_name": "Müller & Söhne GmbH", "state": "customer", "country": "DE",
             "edition": "team"}
        ],
    }
    empty = post_json(client, "/staff/accounts/search", {"query": "   "}, {"Authorization": f"Bearer {token}"})
    assert empty.status_code == 400 and "query" in body_of(empty)["error"]["fields"]


def test_backfill_indexes_accounts_written_before_the_index(client, customer, db, capsys):
    from shared.services.search.accounts import search_accounts
    from shared.storage.models import SearchEntry, account_pk

    for entry in SearchEntry.query(account_pk(customer["account_id"]), SearchEntry.sk.startswith("SEARCH#")):
        entry.delete()
    assert search_accounts("Müller")[1] == []
    assert cocoon(["backfill-search"]) == 0
    assert "1 account(s)" in capsys.readouterr().out
    assert [hit.account_id for hit in search_accounts("Müller")[1]] == [customer["account_id"]]
    assert cocoon(["backfill-search"]) == 0  # a re-run changes nothing
    assert len(search_accounts("Müller")[1]) == 1


def test_the_account_page_shows_state_edition_users_seats_and_mails(client, customer, clerk):
    page = client.http.get(f"/desk/accounts/{customer['account_id']}", headers=clerk)
    text = _text(page)
    assert page.status_code == 200
    for shown in ("Müller &amp; Söhne GmbH", "customer", "Edition: team", "mara@mueller.example", "2026-11",
                  "signup_verification", "No cancellation is pending."):
        assert shown in text, shown


def test_a_clerk_records_a_letter_and_the_confirmation_names_the_effective_date(client, customer, clerk, outbox_dir):
    account = customer["account_id"]
    answer = post_form(
        client,
        f"/desk/accounts/{account}/cancellation",
        {"received_on": "2026-11-16", "channel": "letter", "csrf_token": clerk["X-CSRF-Token"]},
        clerk,
    )
    assert answer.status_code == 303, answer.body
    page = _text(client.http.get(answer.headers["Location"], headers=clerk))
    assert "the contract ends on <strong>2026-11-30</strong>" in page
    assert "cancellation_recorded by staff_" in page and "letter received 2026-11-16, effective 2026-11-30" in page
    deliver_mail(DESK_NOW)
    confirmation = mails(outbox_dir, "cancellation-")
    assert len(confirmation) == 1 and "30. November 2026" in mail_text(outbox_dir / confirmation[0])


def test_an_agent_lifts_a_suppression_from_the_account_page_and_it_is_recorded(client, customer, agent):
    from shared.storage.suppressions import suppress, suppression_of

    suppress("mara@mueller.example", "hard bounce 5.1.1", datetime.fromisoformat(DESK_NOW), source="ses-bounce")
    account = customer["account_id"]
    page = _text(client.http.get(f"/desk/accounts/{account}", headers=agent))
    assert "hard bounce 5.1.1" in page and "Lift the stop of mara@mueller.example" in page
    lifted = post_form(
        client,
        f"/desk/accounts/{account}/suppressions/lift",
        {"email": "mara@mueller.example", "csrf_token": agent["X-CSRF-Token"]},
        agent,
    )
    assert lifted.status_code == 303
    assert suppression_of("mara@mueller.example") is None
    after = _text(client.http.get(f"/desk/accounts/{account}", headers=agent))
    assert "suppression_lifted by staff_" in after and "No address of this account is stopped." in after
    again = post_form(
        client,
        f"/desk/accounts/{account}/suppressions/lift",
        {"email": "mara@mueller.example", "csrf_token": agent["X-CSRF-Token"]},
        agent,
    )
    assert again.status_code == 404 and body_of(again)["error"]["fields"] == {"email": "not_suppressed"}


def test_an_unknown_account_is_404(client, clerk, db):
    assert client.http.get("/desk/accounts/acc_nope", headers=clerk).status_code == 404


def test_search_entries_are_not_exported(client, customer):
    export = body_of(client.http.get(f"/accounts/{customer['account_id']}/export", headers=auth(customer)))
    assert not [item for item in export["items"] if item["type"] in ("search_entry", "staff_action")]

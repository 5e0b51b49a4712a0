"""Never a 500: the inputs found from outside that made Cocoon answer 500, each now a 4xx naming the field.

Each test is a stranger's (or a customer's, with a valid token) attempt to crash a route; the
expected answer is a refusal in our error shape that says which field was wrong.
"""

from __future__ import annotations

import pytest

from tests.functional.helpers import JSON, LONG_ID, auth, body_of, post_json, refused


def test_a_body_of_100000_brackets_is_a_400_not_a_recursion_error(client):
    response = client.http.post("/signup", headers=JSON, body="[" * 100_000)
    error = refused(response, 400, "body")
    assert error["code"] == "malformed_json"


def test_superscript_digits_as_the_year_are_a_400_naming_year(client):
    refused(client.http.get("/cancellation-deadlines?year=²²²²"), 400, "year")


def test_a_superscript_webhook_timestamp_is_a_401_naming_the_header(client):
    response = client.http.post(
        "/webhooks/inbound-email",
        headers={"Content-Type": "message/rfc822", "X-Cocoon-Timestamp": "²", "X-Cocoon-Signature": "v1=00"},
        body=b"From: someone@example.org\r\nSubject: hi\r\n\r\nhello",
    )
    assert refused(response, 401, "X-Cocoon-Timestamp")["code"] == "invalid_signature"


def test_a_webhook_timestamp_of_5000_digits_is_a_401_naming_the_header(client):
    # int() refuses strings of more than 4,300 digits with a ValueError.
    response = client.http.post(
        "/webhooks/inbound-email",
        headers={"Content-Type": "message/rfc822", "X-Cocoon-Timestamp": "9" * 5000, "X-Cocoon-Signature": "v1=00"},
        body=b"From: someone@example.org\r\n\r\nhello",
    )
    refused(response, 401, "X-Cocoon-Timestamp")


def test_a_time_travel_moment_before_year_one_in_utc_is_a_400_naming_the_header(client):
    response = client.http.get("/cancellation-deadlines?year=2026", headers={"X-Cocoon-Now": "0001-01-01T00:00+14:00"})
    refused(response, 400, "X-Cocoon-Now")


def test_a_time_travel_moment_beyond_the_calendars_is_a_400_naming_the_header(client, customer):
    # The holiday calendars end in 2100: a cancellation "received" in 9999 could not be computed.
    response = post_json(
        client,
        f"/accounts/{customer['account_id']}/cancellation",
        {},
        {**auth(customer), "X-Cocoon-Now": "9999-12-31T23:59:59+00:00"},
    )
    refused(response, 400, "X-Cocoon-Now")


def test_a_tenant_with_a_valid_token_cannot_crash_the_user_lookup_with_a_2000_character_id(client, customer):
    # The user id is part of a sort key, and DynamoDB refuses sort keys over 1,024 bytes.
    response = client.http.delete(f"/accounts/{customer['account_id']}/users/{LONG_ID}", headers=auth(customer))
    assert refused(response, 404, "user_id")["code"] == "not_found"


@pytest.mark.parametrize("action", ["reactivate", "cancellation"])
def test_staff_cannot_crash_the_account_lookup_with_a_3000_character_id(client, staff_admin, action):
    body = {"edition": "team", "received_on": "2026-11-02", "channel": "letter"}
    response = post_json(client, f"/staff/accounts/{'7' * 3000}/{action}", body, staff_admin)
    refused(response, 404, "id")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_non_ascii_service_report_link_is_a_401_naming_the_token(client, customer, method):
    url = "/service-reports/rpt_1?token=é"
    headers = auth(customer)
    response = (
        client.http.get(url, headers=headers)
        if method == "GET"
        else post_json(client, url, {"decision": "approve"}, headers)
    )
    assert refused(response, 401, "token")["code"] == "invalid_link"


def test_a_non_ascii_authorization_link_is_a_401_naming_the_token(client, customer):
    response = post_json(client, "/authorizations/2026110210001?authorizer=usr_1&token=ß", {}, auth(customer))
    assert refused(response, 401, "token")["code"] == "invalid_link"


def test_an_invoice_preview_of_a_day_before_the_subscription_is_a_409_not_a_500(client, customer):
    # Found by the route fuzzing: time travel to a day on which no edition was held yet.
    headers = {**auth(customer), "X-Cocoon-Now": "2026-11-03T10:00:00+01:00"}
    subscribed = post_json(client, f"/accounts/{customer['account_id']}/subscription", {"edition": "team"}, headers)
    assert subscribed.status_code == 200, subscribed.body
    the_day_before = {**auth(customer), "X-Cocoon-Now": "2026-11-02T12:00:00+01:00"}
    response = client.http.get(f"/accounts/{customer['account_id']}/invoice-preview", headers=the_day_before)
    assert refused(response, 409, "edition")["code"] == "nothing_to_preview"


def test_asking_twice_in_one_second_for_an_authorization_is_a_409_not_a_500(client, customer, staff_admin):
    # Found by the route fuzzing: the second request's mails have the ids of the first's.
    now = {"X-Cocoon-Now": "2026-11-03T10:00:00+01:00"}
    named = post_json(
        client,
        f"/accounts/{customer['account_id']}/authorizers",
        {"email": "boss@beispiel.example", "name": "Boss"},
        {**auth(customer), **now},
    )
    assert named.status_code == 201, named.body
    ticket = post_json(client, "/tickets", {"description": "Please change the plan"}, {**auth(customer), **now})
    number = body_of(ticket)["number"]
    first = post_json(client, f"/staff/tickets/{number}/authorization", {}, {**staff_admin, **now})
    assert first.status_code == 200, first.body
    again = post_json(client, f"/staff/tickets/{number}/authorization", {}, {**staff_admin, **now})
    assert again.status_code == 409, again.body
    assert body_of(again)["error"]["code"] == "authorization_just_requested"

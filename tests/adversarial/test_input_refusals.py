"""Inputs that did not crash Cocoon but were read wrongly or refused without naming the field.

Attempts a stranger (or a customer with a valid token) makes with input no client of ours sends:
non-ASCII digits read as numbers, identifiers that cannot be ours, JSON nested to exhaust the parser.
"""

from __future__ import annotations

import json

import pytest

from tests.functional.helpers import LONG_ID, auth, post_json, refused


def test_arabic_indic_digits_are_not_read_as_a_year(client):
    # int("٢٠٢٦") is 2026: str.isdigit() let it through and the table came back for 2026.
    refused(client.http.get("/cancellation-deadlines?year=٢٠٢٦"), 400, "year")


def test_a_body_nested_900_deep_is_refused_as_too_deep(client, customer):
    nested = {"name": "x", "email": "x@beispiel.example", "text": json.loads("[" * 900 + "]" * 900)}
    response = post_json(client, f"/accounts/{customer['account_id']}/users", nested, auth(customer))
    assert refused(response, 400, "body")["code"] == "malformed_json"


def test_arabic_indic_digits_are_not_read_as_worked_hours(client, staff_admin, customer):
    ticket = post_json(client, "/tickets", {"description": "Export fails"}, auth(customer))
    number = json.loads(ticket.body)["number"]
    response = post_json(client, f"/staff/tickets/{number}/time", {"hours": "١.٥", "description": "x"}, staff_admin)
    refused(response, 400, "hours")


@pytest.mark.parametrize("path", ["/tickets/{long}", "/tickets/{long}/messages"])
def test_a_2000_character_ticket_number_is_refused_naming_the_parameter(client, customer, path):
    url = path.format(long=LONG_ID)
    headers = auth(customer)
    if url.endswith("messages"):
        response = post_json(client, url, {"text": "hi"}, headers)
    else:
        response = client.http.get(url, headers=headers)
    assert refused(response, 404, "number")["code"] == "not_found"


def test_a_2000_character_invoice_number_is_refused_naming_the_parameter(client, customer):
    response = client.http.get(f"/accounts/{customer['account_id']}/invoices/{LONG_ID}", headers=auth(customer))
    refused(response, 404, "number")


def test_staff_get_a_2000_character_ticket_number_refused_naming_the_parameter(client, staff_admin):
    refused(client.http.get(f"/staff/tickets/{LONG_ID}", headers=staff_admin), 404, "number")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_non_ascii_service_report_id_answers_like_a_missing_report(client, method):
    url = "/service-reports/ré?token=0123456789abcdef"
    response = client.http.get(url) if method == "GET" else post_json(client, url, {"decision": "approve"})
    refused(response, 404, "id")


def test_a_non_ascii_authorization_number_answers_like_a_missing_ticket(client):
    response = post_json(client, "/authorizations/２０２６?authorizer=usr_1&token=0123456789abcdef", {})
    refused(response, 404, "number")


def test_a_ticket_tag_in_arabic_indic_digits_names_no_ticket():
    from shared.rules.mail_subjects import ticket_number_from_subject

    assert ticket_number_from_subject("Re: [Ticket#٢٠٢٦١١٢٢١٠٠٠١] Export") is None
    assert ticket_number_from_subject("Re: [Ticket#2026112210001] Export") == "2026112210001"

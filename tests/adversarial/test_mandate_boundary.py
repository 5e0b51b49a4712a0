"""What a caller of the SEPA direct debit routes may try, and the refusal (issue 18: a clear 4xx naming the
field, nothing half-written; another account's mandate out of reach; an invoice collected once)."""

from __future__ import annotations

import pytest

from shared.settings import get_settings
from tests.functional.helpers import an_invoice, auth, body_of, now_header, post_json, signup_and_verify, table_snapshot

APRIL_5 = now_header("2026-04-05T12:00:00+02:00")
GOOD = {"iban": "DE89370400440532013000", "bic": "COBADEFFXXX", "reference": "M-1", "signed_on": "2026-04-01"}


@pytest.mark.parametrize(("change", "field"), [
    ({"iban": "DE89370400440532013001"}, "iban"),  # a wrong check digit
    ({"iban": "BR1800360305000010009795493C1"}, "iban"),  # not a SEPA country
    ({"iban": "US64SVBKUS6S3300958879"}, "iban"),
    ({"bic": "BNPAFRPPXXX"}, "bic"),  # a French bank for a German IBAN
    ({"bic": "DEUTDEFFXXX"}, "bic"),  # a German bank, but not the one of the IBAN
    ({"bic": "COBA"}, "bic"),
    ({"reference": "M#1<script>"}, "reference"),  # outside the SEPA character set
    ({"reference": "M" * 36}, "reference"),
    ({"reference": "A//B"}, "reference"),
    ({"signed_on": "2026-04-06"}, "signed_on"),  # tomorrow
    ({"signed_on": "yesterday"}, "signed_on"),
])
def test_bad_mandate_data_is_a_4xx_naming_the_field_and_writes_nothing(client, outbox_dir, change, field):
    verified = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")
    headers = {**auth(verified), **APRIL_5}
    client.http.get(f"/accounts/{verified['account_id']}", headers=headers)  # the token's day of last use
    before = table_snapshot(get_settings().table_name)
    answer = post_json(client, f"/accounts/{verified['account_id']}/sepa-mandate", {**GOOD, **change}, headers)
    assert 400 <= answer.status_code < 500, answer.body
    assert field in body_of(answer)["error"]["fields"], body_of(answer)
    assert table_snapshot(get_settings().table_name) == before


def test_a_reference_of_another_account_is_refused(client, outbox_dir):
    first = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")
    second = signup_and_verify(client, outbox_dir, email="max@zweite.example", now="2026-01-30T09:00:00+01:00")
    assert post_json(client, f"/accounts/{first['account_id']}/sepa-mandate", GOOD,
                     {**auth(first), **APRIL_5}).status_code == 201
    taken = post_json(client, f"/accounts/{second['account_id']}/sepa-mandate", GOOD, {**auth(second), **APRIL_5})
    assert taken.status_code == 409 and "reference" in body_of(taken)["error"]["fields"]


def test_another_accounts_token_cannot_grant_or_revoke_and_a_tenant_cannot_use_the_staff_routes(client, outbox_dir):
    first = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")
    second = signup_and_verify(client, outbox_dir, email="max@zweite.example", now="2026-01-30T09:00:00+01:00")
    path = f"/accounts/{first['account_id']}/sepa-mandate"
    assert post_json(client, path, GOOD, {**auth(second), **APRIL_5}).status_code == 404
    assert client.http.delete(path, headers=auth(second)).status_code == 404
    staff_path = f"/staff/accounts/{first['account_id']}/sepa-mandate"
    assert post_json(client, staff_path, GOOD, {**auth(first), **APRIL_5}).status_code == 403
    assert post_json(client, "/staff/direct-debits", {"collection_on": "2026-04-15"}, auth(first)).status_code == 403


def test_two_collection_requests_collect_an_invoice_once(client, outbox_dir, billing_clerk):
    verified, number = an_invoice(client, outbox_dir)
    post_json(client, f"/accounts/{verified['account_id']}/sepa-mandate", GOOD, {**auth(verified), **APRIL_5})
    answers = [
        post_json(client, "/staff/direct-debits", {"collection_on": "2026-04-15"},
                  {**billing_clerk, **APRIL_5, "Idempotency-Key": key})
        for key in ("first", "second")
    ]
    assert [answer.status_code for answer in answers] == [201, 422]
    assert body_of(answers[0])["invoices"] == [number]
    unknown = client.http.get("/staff/direct-debits/2026-04-15/not-a-file", headers=billing_clerk)
    assert unknown.status_code == 404
    assert client.http.get("/staff/direct-debits/someday/x", headers=billing_clerk).status_code == 400

"""Signup end to end through the Chalice app against DynamoDB Local."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from functions import mail_delivery
from shared.policy import get_policy
from shared.services.accounts.errors import EmailTaken
from shared.services.accounts.signup import NewSignup, start_signup
from shared.storage.models import Account, CocoonItem, EmailReservation
from tests.functional.helpers import (
    VERIFIED_AT,
    body_of,
    deliver_mail,
    now_header,
    post_form,
    post_json,
    signup_and_verify,
    signup_fields,
    verification_token_from_outbox,
)


def test_signup_sends_a_verification_mail_and_records_a_pending_account(client, outbox_dir):
    response = post_json(client, "/signup", signup_fields(), now_header(VERIFIED_AT))
    assert response.status_code == 202
    assert body_of(response)["status"] == "verification_sent"
    accounts = [item for item in CocoonItem.scan() if isinstance(item, Account)]
    assert len(accounts) == 1
    account = accounts[0]
    assert account.state == "pending_verification"
    assert account.dpa_version and account.dpa_accepted_at == datetime(2026, 1, 30, 8, 0, tzinfo=UTC)
    assert account.vat_id == "DE136695976"

    result = mail_delivery.run(datetime.fromisoformat(VERIFIED_AT))
    assert result.done == 1
    mails = list(outbox_dir.glob("verify-*.eml"))
    assert len(mails) == 1
    text = mails[0].read_text()
    assert "Auto-Submitted: auto-generated" in text
    assert "/signup/verify?token=" in text
    # A second run delivers nothing again.
    assert mail_delivery.run(datetime.fromisoformat(VERIFIED_AT)).done == 0
    assert len(list(outbox_dir.glob("*.eml"))) == 1


def test_verification_page_changes_nothing_and_confirm_starts_the_trial(client, outbox_dir):
    post_json(client, "/signup", signup_fields(), now_header(VERIFIED_AT))
    deliver_mail()
    token = verification_token_from_outbox(outbox_dir)

    page = client.http.get(f"/signup/verify?token={token}")
    assert page.status_code == 200
    assert b'name="token"' in page.body and b"<form" in page.body
    page_again = client.http.get(f"/signup/verify?token={token}")
    assert page_again.status_code == 200  # a mail scanner's prefetch consumed nothing

    verified = post_json(client, "/signup/verify", {"token": token}, now_header(VERIFIED_AT))
    assert verified.status_code == 201
    result = body_of(verified)
    assert result["trial_ends_on"] == "2026-02-28"  # day 1 = 30 Jan, day 30 = 28 Feb
    assert result["admin_token"].startswith("ck_")

    account = client.http.get(
        f"/accounts/{result['account_id']}", headers={"Authorization": f"Bearer {result['admin_token']}"}
    )
    assert account.status_code == 200
    view = body_of(account)
    assert view["state"] == "trial"
    assert view["trial_ends_on"] == "2026-02-28"
    assert view["cancellation"] is None
    assert [user["email"] for user in view["users"]] == ["erika@beispiel.example"]

    # The link is single-use.
    again = post_json(client, "/signup/verify", {"token": token}, now_header(VERIFIED_AT))
    assert again.status_code == 404
    assert body_of(again)["error"]["fields"] == {"token": "unknown"}


def test_verification_link_expires_after_48_hours(client, outbox_dir):
    post_json(client, "/signup", signup_fields(), now_header("2026-03-01T10:00:00+01:00"))
    deliver_mail("2026-03-01T10:00:00+01:00")
    token = verification_token_from_outbox(outbox_dir)
    late = post_json(client, "/signup/verify", {"token": token}, now_header("2026-03-03T10:00:01+01:00"))
    assert late.status_code == 410
    assert body_of(late)["error"]["code"] == "link_expired"


def test_form_encoded_signup_is_accepted(client):
    fields = {k: str(v).lower() if isinstance(v, bool) else v for k, v in signup_fields().items()}
    response = post_form(client, "/signup", fields, now_header(VERIFIED_AT))
    assert response.status_code == 202, response.body


def test_live_accounts_email_is_refused_with_409(client, outbox_dir):
    signup_and_verify(client, outbox_dir)
    again = post_json(client, "/signup", signup_fields(company_name="Zweite GmbH"), now_header(VERIFIED_AT))
    assert again.status_code == 409
    error = body_of(again)["error"]
    assert error["code"] == "email_taken"
    assert "admin_email" in error["fields"]


def test_pending_signup_can_be_repeated_after_its_link_expired(client):
    first = post_json(client, "/signup", signup_fields(), now_header("2026-03-01T10:00:00+01:00"))
    assert first.status_code == 202
    soon = post_json(client, "/signup", signup_fields(), now_header("2026-03-02T10:00:00+01:00"))
    assert soon.status_code == 409
    assert body_of(soon)["error"]["code"] == "signup_pending"
    later = post_json(client, "/signup", signup_fields(), now_header("2026-03-03T10:00:01+01:00"))
    assert later.status_code == 202


def test_spam_trap_answers_like_success_and_stores_nothing(client):
    response = post_json(client, "/signup", signup_fields(website="http://spam.example"), now_header(VERIFIED_AT))
    assert response.status_code == 202
    assert list(CocoonItem.scan()) == []


def test_private_persons_and_bad_fields_are_refused_naming_the_field(client):
    cases = {
        "organization_type": signup_fields(organization_type="private_person"),
        "vat_id": signup_fields(vat_id="DE136695977"),  # wrong check digit
        "country": signup_fields(country="XX"),
        "accept_dpa": signup_fields(accept_dpa=False),
        "admin_email": signup_fields(admin_email="not-an-address"),
        "language": signup_fields(language="xx"),
    }
    for field, body in cases.items():
        response = post_json(client, "/signup", body, now_header(VERIFIED_AT))
        assert response.status_code == 400, (field, response.body)
        assert field in body_of(response)["error"]["fields"], (field, response.body)
    missing = post_json(client, "/signup", {"company_name": "X"}, now_header(VERIFIED_AT))
    assert missing.status_code == 400
    assert {"admin_email", "country", "accept_dpa"} <= set(body_of(missing)["error"]["fields"])
    assert list(CocoonItem.scan()) == []


def test_twenty_parallel_signups_with_one_email_make_exactly_one_account(db):
    # Threads call the storage layer directly: Chalice's test client shares one
    # current_request between threads, the transaction is what must hold the line.
    policy = get_policy()
    now = datetime.fromisoformat(VERIFIED_AT)

    def attempt(i: int) -> str:
        signup = NewSignup(
            company_name=f"Firma {i}",
            organization_type="company",
            country="DE",
            vat_id=None,
            admin_name="Erika",
            admin_email="Erika@Beispiel.example",
            language="de",
        )
        try:
            start_signup(signup, now, policy)
        except EmailTaken:
            return "refused"
        return "created"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(20)))
    assert outcomes.count("created") == 1
    assert outcomes.count("refused") == 19
    accounts = [item for item in CocoonItem.scan() if isinstance(item, Account)]
    reservations = [item for item in CocoonItem.scan() if isinstance(item, EmailReservation)]
    assert len(accounts) == 1 and len(reservations) == 1
    assert reservations[0].account_id == accounts[0].account_id

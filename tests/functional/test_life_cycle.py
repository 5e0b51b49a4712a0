"""Whole lives with time travel: trial, reminders, expiry, deletion; conversion; users; export."""

from __future__ import annotations

from datetime import datetime

from functions.cli import main as cocoon
from shared.storage.models import Account, CocoonItem, Tombstone
from tests.functional.helpers import (
    auth,
    body_of,
    mail_text,
    mails,
    now_header,
    post_json,
    run_day,
    signup_and_verify,
)


def test_a_trial_that_is_not_converted_is_reminded_deactivated_warned_and_deleted(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")
    account_id = verified["account_id"]
    assert verified["trial_ends_on"] == "2026-02-28"

    run_day("2026-02-20T12:00:00+01:00")  # before the 7-day reminder (due 21 Feb)
    assert mails(outbox_dir, "trial-reminder") == []
    run_day("2026-02-21T00:30:00+01:00")
    assert mails(outbox_dir, "trial-reminder") == [f"trial-reminder-7-{account_id}.eml"]
    run_day("2026-02-21T08:00:00+01:00")  # running again sends nothing twice
    assert len(mails(outbox_dir, "trial-reminder")) == 1
    run_day("2026-02-27T06:00:00+01:00")
    assert len(mails(outbox_dir, "trial-reminder")) == 2

    run_day("2026-02-28T23:59:00+01:00")  # still day 30: access continues
    me = client.http.get(
        f"/accounts/{account_id}", headers={**auth(verified), **now_header("2026-02-28T23:59:00+01:00")}
    )
    assert body_of(me)["state"] == "trial"

    run_day("2026-03-01T00:00:00+01:00")
    deactivated = mails(outbox_dir, "deactivated")
    assert len(deactivated) == 1
    assert "28. August 2026" in mail_text(outbox_dir / deactivated[0])  # 180 days after 1 March
    refused = client.http.get(f"/accounts/{account_id}", headers=auth(verified))
    assert refused.status_code == 403 and body_of(refused)["error"]["code"] == "account_deactivated"
    converting = post_json(client, f"/accounts/{account_id}/subscription", {"edition": "team"}, auth(verified))
    assert converting.status_code == 403
    assert "deactivated" in body_of(converting)["error"]["message"]

    run_day("2026-08-13T12:00:00+02:00")
    assert mails(outbox_dir, "deletion-warning") == []
    run_day("2026-08-14T00:00:00+02:00")  # 14 days before 28 August
    assert len(mails(outbox_dir, "deletion-warning")) == 1
    run_day("2026-08-27T23:00:00+02:00")
    assert Account.count(f"ACCOUNT#{account_id}") == 1

    run_day("2026-08-28T00:00:00+02:00")
    left = [item for item in CocoonItem.scan() if getattr(item, "account_id", None) == account_id]
    assert [type(item) for item in left] == [Tombstone]
    tombstone = left[0]
    assert tombstone.reason == "retention period ended"
    assert "Erika" not in str(tombstone.attribute_values) and "beispiel" not in str(tombstone.attribute_values)
    assert list(CocoonItem.query(f"ACCOUNT#{account_id}")) == []
    gone = client.http.get(f"/accounts/{account_id}", headers=auth(verified))
    assert gone.status_code == 401
    run_day("2026-08-29T00:00:00+02:00")  # nothing left to do, nothing fails


def test_conversion_on_trial_day_12_keeps_the_free_days(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")
    account_id = verified["account_id"]
    day_12 = now_header("2026-02-10T15:00:00+01:00")
    converted = post_json(
        client, f"/accounts/{account_id}/subscription", {"edition": "team"}, {**auth(verified), **day_12}
    )
    assert converted.status_code == 200, converted.body
    assert body_of(converted)["paid_from"] == "2026-03-01"  # day 31
    view = body_of(client.http.get(f"/accounts/{account_id}", headers=auth(verified)))
    assert (view["state"], view["edition"], view["paid_from"]) == ("customer", "team", "2026-03-01")
    # The trial's reminders and expiry are gone: nothing is sent, nothing deactivated.
    run_day("2026-03-02T00:00:00+01:00")
    assert mails(outbox_dir, "trial-reminder") == [] and mails(outbox_dir, "deactivated") == []
    assert len(mails(outbox_dir, "converted")) == 1


def test_unknown_edition_is_a_400_naming_the_field(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir)
    response = post_json(
        client, f"/accounts/{verified['account_id']}/subscription", {"edition": "platinum"}, auth(verified)
    )
    assert response.status_code == 400
    assert "edition" in body_of(response)["error"]["fields"]


def test_upgrade_at_once_downgrade_from_next_month(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")
    account_id, headers = verified["account_id"], auth(verified)
    post_json(
        client,
        f"/accounts/{account_id}/subscription",
        {"edition": "basic"},
        {**headers, **now_header("2026-02-01T10:00:00+01:00")},
    )
    up = post_json(
        client,
        f"/accounts/{account_id}/subscription",
        {"edition": "business"},
        {**headers, **now_header("2026-03-20T10:00:00+01:00")},
    )
    assert body_of(up)["effective_at"].startswith("2026-03-20")
    down = post_json(
        client,
        f"/accounts/{account_id}/subscription",
        {"edition": "team"},
        {**headers, **now_header("2026-03-25T10:00:00+01:00")},
    )
    assert datetime.fromisoformat(body_of(down)["effective_at"]) == datetime.fromisoformat("2026-04-01T00:00:00+02:00")
    march = body_of(
        client.http.get(f"/accounts/{account_id}", headers={**headers, **now_header("2026-03-31T12:00:00+02:00")})
    )
    april = body_of(
        client.http.get(f"/accounts/{account_id}", headers={**headers, **now_header("2026-04-01T00:00:01+02:00")})
    )
    assert (march["edition"], april["edition"]) == ("business", "team")
    history = [item.edition for item in CocoonItem.query(f"ACCOUNT#{account_id}") if item.sk.startswith("EDITION#")]
    assert history == ["basic", "business", "team"]


def test_users_activate_deactivate_and_come_back_as_the_same_user(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir)
    account_id, headers = verified["account_id"], auth(verified)
    added = post_json(
        client, f"/accounts/{account_id}/users", {"email": "Max@Beispiel.example", "name": "Max"}, headers
    )
    assert added.status_code == 201
    user_id = body_of(added)["id"]
    removed = client.http.delete(f"/accounts/{account_id}/users/{user_id}", headers=headers)
    assert removed.status_code == 200 and body_of(removed)["active"] is False
    back = post_json(client, f"/accounts/{account_id}/users", {"email": "max@beispiel.example", "name": "Max"}, headers)
    assert body_of(back)["id"] == user_id
    events = [item for item in CocoonItem.query(f"ACCOUNT#{account_id}") if item.sk.startswith("SEAT#")]
    assert [(e.user_id, e.activated) for e in events if e.user_id == user_id] == [
        (user_id, True),
        (user_id, False),
        (user_id, True),
    ]


def test_deleting_a_user_of_another_account_is_404(client, outbox_dir):
    first = signup_and_verify(client, outbox_dir, email="a@first.example")
    second = signup_and_verify(client, outbox_dir, email="b@second.example")
    other_user = post_json(
        client, f"/accounts/{second['account_id']}/users", {"email": "x@second.example", "name": "X"}, auth(second)
    )
    user_id = body_of(other_user)["id"]
    # Through the first account's own path: no such user there.
    assert (
        client.http.delete(f"/accounts/{first['account_id']}/users/{user_id}", headers=auth(first)).status_code == 404
    )
    # Through the other account's path: not this token's account.
    assert (
        client.http.delete(f"/accounts/{second['account_id']}/users/{user_id}", headers=auth(first)).status_code == 404
    )


def test_staff_endpoint_with_a_tenant_token_is_403_and_staff_can_reactivate(client, outbox_dir, capsys):
    verified = signup_and_verify(client, outbox_dir, now="2026-01-30T09:00:00+01:00")
    account_id = verified["account_id"]
    tenant = post_json(client, f"/staff/accounts/{account_id}/reactivate", {"edition": "team"}, auth(verified))
    assert tenant.status_code == 403 and body_of(tenant)["error"]["code"] == "staff_only"
    run_day("2026-03-01T00:00:00+01:00")
    assert cocoon(["staff", "add", "Bea Billing", "bea@cocoon.example", "--role", "billing"]) == 0
    staff_token = capsys.readouterr().out.strip().splitlines()[-1]
    back = post_json(
        client,
        f"/staff/accounts/{account_id}/reactivate",
        {"edition": "team"},
        {"Authorization": f"Bearer {staff_token}", **now_header("2026-03-10T10:00:00+01:00")},
    )
    assert back.status_code == 200, back.body
    assert body_of(back)["paid_from"] == "2026-03-10"
    view = body_of(client.http.get(f"/accounts/{account_id}", headers=auth(verified)))
    assert view["state"] == "customer"
    run_day("2026-08-28T00:00:00+02:00")  # the deletion was cancelled with the reactivation
    assert Account.count(f"ACCOUNT#{account_id}") == 1


def test_a_trial_ending_on_the_last_sunday_of_march_daylight_saving_day(client, outbox_dir):
    # Verified 28 Feb 2026 → day 30 is Sunday 29 March 2026, the day clocks go forward.
    verified = signup_and_verify(client, outbox_dir, now="2026-02-28T10:00:00+01:00")
    assert verified["trial_ends_on"] == "2026-03-29"
    run_day("2026-03-29T23:30:00+02:00")
    assert mails(outbox_dir, "deactivated") == []
    run_day("2026-03-30T00:00:00+02:00")
    assert len(mails(outbox_dir, "deactivated")) == 1


def test_a_trial_ending_on_the_last_sunday_of_october(client, outbox_dir):
    # Verified 26 Sep 2026 → day 30 is Sunday 25 Oct 2026, the day clocks go back.
    verified = signup_and_verify(client, outbox_dir, now="2026-09-26T10:00:00+02:00")
    assert verified["trial_ends_on"] == "2026-10-25"
    run_day("2026-10-25T23:59:00+01:00")
    assert mails(outbox_dir, "deactivated") == []
    run_day("2026-10-26T00:00:00+01:00")
    assert len(mails(outbox_dir, "deactivated")) == 1


def test_unverified_signups_are_deleted_after_seven_days(client, outbox_dir):
    post_json(
        client,
        "/signup",
        {
            "company_name": "Lost GmbH",
            "organization_type": "company",
            "country": "DE",
            "admin_name": "L",
            "admin_email": "lost@lost.example",
            "language": "en",
            "accept_dpa": True,
        },
        now_header("2026-05-01T10:00:00+02:00"),
    )
    run_day("2026-05-08T09:00:00+02:00")
    assert any(isinstance(i, Account) for i in CocoonItem.scan())
    run_day("2026-05-08T10:00:00+02:00")
    remaining = [type(i).__name__ for i in CocoonItem.scan()]
    assert remaining == ["Tombstone"], remaining


def test_export_returns_the_accounts_data_without_secrets(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir)
    account_id, headers = verified["account_id"], auth(verified)
    post_json(client, f"/accounts/{account_id}/users", {"email": "max@beispiel.example", "name": "Max"}, headers)
    response = client.http.get(f"/accounts/{account_id}/export", headers=headers)
    assert response.status_code == 200
    document = body_of(response)
    assert document["account"]["id"] == account_id
    types = {item["type"] for item in document["items"]}
    assert {"user", "seat_event"} <= types
    assert verified["admin_token"] not in response.body.decode()
    assert "token_hashes" not in response.body.decode()

"""The staff notifications' boundary: each test is an attacker's (or a crash's) attempt and its refusal."""

from __future__ import annotations

from tests.functional.helpers import (
    DESK_NOW,
    auth,
    body_of,
    desk_member,
    desk_sign_in,
    mail_text,
    mails,
    now_header,
    post_form,
    post_json,
    run_job,
    signup_and_verify,
)

OPENED = "2026-11-23T11:00:00+01:00"


def _member_mails_off(email: str) -> bool:
    from shared.storage.staff_notices import listener_by_email

    return bool(listener_by_email(email).notifications_off)


def test_a_forged_form_without_the_csrf_token_cannot_silence_an_agents_mails(client, outbox_dir):
    desk_member("ada@cocoon.example")
    cookie, _ = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    headers = {"Cookie": cookie, **now_header(DESK_NOW)}
    for token in ({}, {"csrf_token": "guessed"}):
        answer = post_form(client, "/desk/notifications", {**token, "mails": "off"}, headers)
        assert answer.status_code == 403 and "csrf_token" in answer.body.decode()
    assert not _member_mails_off("ada@cocoon.example")


def test_a_customer_token_or_no_cookie_never_reaches_the_setting(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir, now="2026-11-02T10:00:00+01:00")
    page = client.http.get("/desk/notifications", headers={**auth(verified), **now_header(DESK_NOW)})
    assert page.status_code == 303 and page.headers["Location"] == "/desk"
    posted = post_form(client, "/desk/notifications", {"mails": "off"}, {**auth(verified), **now_header(DESK_NOW)})
    assert posted.status_code == 401


def test_a_customer_cannot_use_the_assignees_mail_to_carry_their_text_to_staff(client, customer, agent, outbox_dir):
    created = post_json(
        client,
        "/tickets",
        {"subject": "Export fails", "description": "Error 500", "impact": "severe"},
        {**auth(customer), **now_header(OPENED)},
    )
    number = body_of(created)["number"]
    assert post_json(client, f"/staff/tickets/{number}/assign", {}, {**agent, **now_header(OPENED)}).status_code == 200
    lure = "Click https://evil.example/login to see the attachment"
    post_json(client, f"/tickets/{number}/messages", {"text": lure}, {**auth(customer), **now_header(OPENED)})
    run_job("mail", "2026-11-23T11:01:00+01:00")
    (told,) = mails(outbox_dir, "customer-replied-")
    assert "evil.example" not in mail_text(outbox_dir / told)


def test_re_running_the_sla_watch_never_mails_the_lead_twice_for_one_due_time(client, customer, outbox_dir):
    post_json(
        client,
        "/tickets",
        {"subject": "Export fails", "description": "Error 500", "impact": "severe"},
        {**auth(customer), **now_header(OPENED)},
    )
    for _ in range(3):
        run_job("sla-watch", "2026-11-24T10:15:00+01:00")
    run_job("mail", "2026-11-24T10:16:00+01:00")
    assert len(mails(outbox_dir, "at-risk-")) == 1

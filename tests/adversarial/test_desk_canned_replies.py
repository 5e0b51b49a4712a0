"""The canned replies' boundary: each test is an attacker's attempt and its refusal.

Only admins keep canned replies; a forged post changes nothing; a placeholder we do not know is
refused when saved, and a reply still holding a placeholder never goes to the customer.
"""

from __future__ import annotations

import pytest

from tests.functional.helpers import auth, body_of, desk_member, desk_sign_in, now_header, post_form, post_json

NOW = "2026-11-23T12:00:00+01:00"


def _desk(client, outbox_dir, role: str) -> dict[str, str]:
    email = f"{role}-c@cocoon.example"
    desk_member(email, role=role, name=f"{role.title()} Member")
    cookie, csrf = desk_sign_in(client, outbox_dir, email, NOW)
    return {"Cookie": cookie, "X-CSRF-Token": csrf, **now_header(NOW)}


def _fields(desk: dict[str, str], **extra: str) -> dict[str, str]:
    return {"language": "de", "title": "Neustart", "text": "Hallo {contact_name}", "csrf_token": desk["X-CSRF-Token"],
            **extra}


@pytest.mark.parametrize("role", ["agent", "billing"])
def test_only_an_admin_keeps_canned_replies(client, outbox_dir, role):
    from shared.storage.canned_replies import replies_in

    member = _desk(client, outbox_dir, role)
    added = post_form(client, "/desk/canned-replies", _fields(member), member)
    assert added.status_code == 403 and body_of(added)["error"]["code"] == "role_not_allowed"
    listed = client.http.get("/desk/canned-replies", headers=member)
    assert listed.status_code == 403 and body_of(listed)["error"]["code"] == "role_not_allowed"
    assert replies_in("de") == []


def test_adding_or_deleting_without_the_csrf_token_is_refused(client, outbox_dir):
    from shared.storage.canned_replies import replies_in

    admin = _desk(client, outbox_dir, "admin")
    no_token = {key: value for key, value in admin.items() if key != "X-CSRF-Token"}
    forged = post_form(client, "/desk/canned-replies", {**_fields(admin), "csrf_token": "A" * 43}, no_token)
    assert forged.status_code == 403 and body_of(forged)["error"]["code"] == "csrf_failed"
    assert replies_in("de") == []
    assert post_form(client, "/desk/canned-replies", _fields(admin), admin).status_code == 303
    (reply,) = replies_in("de")
    gone = post_form(client, f"/desk/canned-replies/de/{reply.reply_id}/delete", {}, no_token)
    assert gone.status_code == 403 and len(replies_in("de")) == 1


@pytest.mark.parametrize("text", ["Hallo {customer_password}", "Hallo {contact_name.__class__}", "{0}"])
def test_an_unknown_placeholder_is_refused_naming_the_text(client, outbox_dir, text):
    from shared.storage.canned_replies import replies_in

    admin = _desk(client, outbox_dir, "admin")
    refused = post_form(client, "/desk/canned-replies", _fields(admin, text=text), admin)
    assert refused.status_code == 400 and "text" in body_of(refused)["error"]["fields"]
    assert replies_in("de") == []


@pytest.mark.parametrize("language", ["xx", "../de", "DE#REPLY"])
def test_a_language_we_do_not_speak_is_refused(client, outbox_dir, language):
    admin = _desk(client, outbox_dir, "admin")
    listed = client.http.get(f"/desk/canned-replies?language={language}", headers=admin)
    assert listed.status_code == 400 and "language" in body_of(listed)["error"]["fields"]


def test_a_reply_still_holding_a_placeholder_never_reaches_the_customer(client, outbox_dir, customer, agent):
    body = {"subject": "Export fails", "description": "Error 500", "impact": "severe"}
    number = body_of(post_json(client, "/tickets", body, {**auth(customer), **now_header(NOW)}))["number"]
    desk = _desk(client, outbox_dir, "agent")
    sent = post_form(
        client, f"/desk/tickets/{number}/replies", {"text": "Hallo {contact_name}", "csrf_token": desk["X-CSRF-Token"]},
        desk,
    )
    assert sent.status_code == 400 and "text" in body_of(sent)["error"]["fields"]
    shown = body_of(client.http.get(f"/staff/tickets/{number}", headers=agent))
    assert [m["kind"] for m in shown["messages"]] == ["request"]

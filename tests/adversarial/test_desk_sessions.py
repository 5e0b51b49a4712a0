"""The desk's session boundary: each test is an attacker's attempt and the refusal it must meet."""

from __future__ import annotations

from tests.functional.helpers import (
    DESK_NOW,
    auth,
    desk_cookie_of,
    desk_member,
    desk_request_link,
    desk_sign_in,
    now_header,
    post_form,
    signup_and_verify,
)

LATER = "2026-11-23T10:10:00+01:00"


def test_a_used_link_never_opens_a_second_session(client, outbox_dir):
    desk_member("ada@cocoon.example")
    token = desk_request_link(client, outbox_dir, "ada@cocoon.example")
    assert post_form(client, "/desk/sign-in/confirm", {"token": token}, now_header(DESK_NOW)).status_code == 303
    again = post_form(client, "/desk/sign-in/confirm", {"token": token}, now_header(DESK_NOW))
    assert again.status_code in (404, 409) and "Set-Cookie" not in again.headers


def test_an_expired_link_is_refused(client, outbox_dir):
    desk_member("ada@cocoon.example")
    token = desk_request_link(client, outbox_dir, "ada@cocoon.example")
    late = post_form(client, "/desk/sign-in/confirm", {"token": token}, now_header("2026-11-23T10:15:00+01:00"))
    assert late.status_code == 410 and "Set-Cookie" not in late.headers


def test_a_forged_or_altered_link_is_refused(client, outbox_dir):
    desk_member("ada@cocoon.example")
    token = desk_request_link(client, outbox_dir, "ada@cocoon.example")
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "dl_" + "A" * 43):
        answer = post_form(client, "/desk/sign-in/confirm", {"token": forged}, now_header(DESK_NOW))
        assert answer.status_code == 404 and "Set-Cookie" not in answer.headers


def test_session_fixation_a_planted_cookie_is_never_adopted(client, outbox_dir):
    desk_member("ada@cocoon.example")
    planted = "__Host-cocoon_desk=" + "F" * 43
    token = desk_request_link(client, outbox_dir, "ada@cocoon.example")
    confirmed = post_form(
        client, "/desk/sign-in/confirm", {"token": token}, {"Cookie": planted, **now_header(DESK_NOW)}
    )
    assert confirmed.status_code == 303
    assert desk_cookie_of(confirmed) != planted  # a fresh id, whatever the browser brought
    assert client.http.get("/desk/home", headers={"Cookie": planted, **now_header(DESK_NOW)}).status_code == 303


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(client, outbox_dir):
    desk_member("ada@cocoon.example")
    cookie, csrf = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    headers = {"Cookie": cookie, **now_header(LATER)}
    for fields in ({}, {"csrf_token": "x" * len(csrf)}, {"csrf_token": csrf[:-1]}):
        answer = post_form(client, "/desk/sign-out-everywhere", fields, headers)
        assert answer.status_code == 403, fields
        assert answer.body and b"csrf_failed" in answer.body
    assert client.http.get("/desk/home", headers=headers).status_code == 200  # nothing was signed out


def test_a_csrf_token_of_another_session_is_refused(client, outbox_dir):
    desk_member("ada@cocoon.example")
    desk_member("eve@cocoon.example", name="Eve Agent")
    ada, _ = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    _, eve_csrf = desk_sign_in(client, outbox_dir, "eve@cocoon.example")
    answer = post_form(client, "/desk/sign-out", {"csrf_token": eve_csrf}, {"Cookie": ada, **now_header(LATER)})
    assert answer.status_code == 403


def test_a_removed_members_live_session_is_refused_at_once(client, outbox_dir):
    from shared.storage.staff import remove_staff_member

    staff_id = desk_member("ada@cocoon.example")
    cookie, _ = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    remove_staff_member(staff_id)
    assert client.http.get("/desk/home", headers={"Cookie": cookie, **now_header(LATER)}).status_code == 303


def test_a_deactivated_members_session_and_token_stop_at_once(client, outbox_dir):
    desk_member("root@cocoon.example", role="admin", name="Root Admin")
    ada_id = desk_member("ada@cocoon.example")
    root, root_csrf = desk_sign_in(client, outbox_dir, "root@cocoon.example")
    ada, _ = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    stop = post_form(
        client, f"/desk/staff/{ada_id}/deactivate", {"csrf_token": root_csrf}, {"Cookie": root, **now_header(LATER)}
    )
    assert stop.status_code == 303
    assert client.http.get("/desk/home", headers={"Cookie": ada, **now_header(LATER)}).status_code == 303
    # and no new link for a deactivated member
    post_form(client, "/desk/sign-in", {"email": "ada@cocoon.example"}, now_header(LATER))
    from tests.functional.helpers import deliver_mail

    deliver_mail(LATER)
    assert len([p for p in outbox_dir.glob("signin-*.eml") if "To: ada@cocoon.example" in p.read_text()]) == 1


def test_an_agent_is_refused_on_admin_pages(client, outbox_dir):
    desk_member("ada@cocoon.example")
    cookie, csrf = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    headers = {"Cookie": cookie, **now_header(LATER)}
    assert client.http.get("/desk/staff", headers=headers).status_code == 403
    fields = {"csrf_token": csrf, "name": "Mallory", "email": "mallory@evil.example", "role": "admin"}
    assert post_form(client, "/desk/staff", fields, headers).status_code == 403


def test_an_agent_cannot_promote_themselves(client, outbox_dir):
    ada_id = desk_member("ada@cocoon.example")
    cookie, csrf = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    answer = post_form(
        client,
        f"/desk/staff/{ada_id}/role",
        {"csrf_token": csrf, "role": "admin"},
        {"Cookie": cookie, **now_header(LATER)},
    )
    assert answer.status_code == 403


def test_a_customer_token_opens_no_desk_page(client, outbox_dir):
    customer = signup_and_verify(client, outbox_dir)
    for path in ("/desk/home", "/desk/staff"):
        answer = client.http.get(path, headers={**auth(customer), **now_header(DESK_NOW)})
        assert answer.status_code == 303 and answer.headers["Location"] == "/desk"


def test_a_staff_bearer_token_opens_no_desk_page(client, outbox_dir):
    import contextlib
    import io

    from functions.cli import main as cocoon

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert cocoon(["staff", "add", "Root", "root@cocoon.example", "--role", "admin"]) == 0
    token = printed.getvalue().strip().splitlines()[-1]
    answer = client.http.get("/desk/staff", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 303


def test_a_local_stage_cookie_is_never_read_by_a_deployed_stage(client, outbox_dir):
    desk_member("ada@cocoon.example")
    cookie, _ = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    value = cookie.split("=", 1)[1]
    local_named = f"cocoon_desk_local={value}"
    assert client.http.get("/desk/home", headers={"Cookie": local_named, **now_header(LATER)}).status_code == 303


def test_a_session_of_another_stage_is_refused_even_with_the_right_cookie_name(client, outbox_dir):
    from shared.rules.identity import token_hash
    from shared.storage.keys.sessions import SESSION_SK, session_key
    from shared.storage.session_items import WebSession

    desk_member("ada@cocoon.example")
    cookie, _ = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    session = WebSession.get(session_key("desk", token_hash(cookie.split("=", 1)[1])), SESSION_SK)
    session.update(actions=[WebSession.stage.set("local")])
    assert client.http.get("/desk/home", headers={"Cookie": cookie, **now_header(LATER)}).status_code == 303


def test_no_token_stays_in_the_url_after_sign_in(client, outbox_dir):
    desk_member("ada@cocoon.example")
    token = desk_request_link(client, outbox_dir, "ada@cocoon.example")
    confirmed = post_form(client, "/desk/sign-in/confirm", {"token": token}, now_header(DESK_NOW))
    assert "token" not in confirmed.headers["Location"]
    page = client.http.get(f"/desk/sign-in/confirm?token={token}", headers=now_header(DESK_NOW))
    assert page.headers.get("Referrer-Policy") == "no-referrer"

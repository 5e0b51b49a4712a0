"""The staff desk's sign-in against DynamoDB Local: link, confirm, session cookie, expiry, sign-out, TOTP."""

from __future__ import annotations

from tests.functional.helpers import (
    DESK_NOW,
    desk_cookie_of,
    desk_member,
    desk_request_link,
    desk_sign_in,
    now_header,
    post_form,
)

LATER = "2026-11-23T10:20:00+01:00"


def test_a_member_signs_in_through_the_mailed_link_and_gets_a_strict_cookie(client, outbox_dir):
    desk_member("ada@cocoon.example")
    token = desk_request_link(client, outbox_dir, "ada@cocoon.example")
    page = client.http.get(f"/desk/sign-in/confirm?token={token}", headers=now_header(DESK_NOW))
    assert page.status_code == 200 and "Sign in to the desk" in page.body.decode()
    assert "Set-Cookie" not in page.headers  # opening the link alone changes nothing
    confirmed = post_form(client, "/desk/sign-in/confirm", {"token": token}, now_header(DESK_NOW))
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == "/desk/home"
    cookie = confirmed.headers["Set-Cookie"]
    assert cookie.startswith("__Host-cocoon_desk=")
    for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"):
        assert attribute in cookie
    home = client.http.get("/desk/home", headers={"Cookie": desk_cookie_of(confirmed), **now_header(DESK_NOW)})
    assert home.status_code == 200 and "Ada Agent" in home.body.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, outbox_dir):
    answer = post_form(client, "/desk/sign-in", {"email": "nobody@example.org"}, now_header(DESK_NOW))
    assert answer.status_code == 200 and "Check your mail" in answer.body.decode()
    from tests.functional.helpers import deliver_mail

    deliver_mail(DESK_NOW)
    assert not list(outbox_dir.glob("signin-*.eml"))


def test_an_idle_session_ends_and_sends_the_browser_to_sign_in(client, outbox_dir):
    desk_member("ada@cocoon.example")
    cookie, _ = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    still = client.http.get("/desk/home", headers={"Cookie": cookie, **now_header("2026-11-23T10:25:00+01:00")})
    assert still.status_code == 200
    idle = client.http.get("/desk/home", headers={"Cookie": cookie, **now_header("2026-11-23T11:00:00+01:00")})
    assert idle.status_code == 303 and idle.headers["Location"] == "/desk"


def test_the_absolute_lifetime_ends_a_busy_session(client, outbox_dir):
    desk_member("ada@cocoon.example")
    cookie, _ = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    for minutes in range(20, 600, 20):  # a request every 20 minutes: never idle
        moment = f"2026-11-23T{10 + minutes // 60:02d}:{minutes % 60:02d}:00+01:00"
        answer = client.http.get("/desk/home", headers={"Cookie": cookie, **now_header(moment)})
        assert answer.status_code == 200, moment
    late = client.http.get("/desk/home", headers={"Cookie": cookie, **now_header("2026-11-23T20:00:00+01:00")})
    assert late.status_code == 303


def test_sign_out_ends_the_session(client, outbox_dir):
    desk_member("ada@cocoon.example")
    cookie, csrf = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    out = post_form(client, "/desk/sign-out", {"csrf_token": csrf}, {"Cookie": cookie, **now_header(LATER)})
    assert out.status_code == 303 and "Max-Age=0" in out.headers["Set-Cookie"]
    assert client.http.get("/desk/home", headers={"Cookie": cookie, **now_header(LATER)}).status_code == 303


def test_sign_out_everywhere_ends_every_session_of_the_member(client, outbox_dir):
    desk_member("ada@cocoon.example")
    first, _ = desk_sign_in(client, outbox_dir, "ada@cocoon.example")
    second, csrf = desk_sign_in(client, outbox_dir, "ada@cocoon.example", "2026-11-23T10:05:00+01:00")
    out = post_form(client, "/desk/sign-out-everywhere", {"csrf_token": csrf}, {"Cookie": second, **now_header(LATER)})
    assert out.status_code == 303
    for cookie in (first, second):
        assert client.http.get("/desk/home", headers={"Cookie": cookie, **now_header(LATER)}).status_code == 303


def test_a_member_with_totp_must_pass_the_code_and_gets_a_new_session_id(client, outbox_dir):
    from datetime import datetime

    import pyotp

    from shared.storage.models import StaffMember
    from shared.storage.staff_desk import get_member

    staff_id = desk_member("ada@cocoon.example")
    secret = pyotp.random_base32()
    member = get_member(staff_id)
    member.update(actions=[StaffMember.totp_secret.set(secret)])
    token = desk_request_link(client, outbox_dir, "ada@cocoon.example")
    confirmed = post_form(client, "/desk/sign-in/confirm", {"token": token}, now_header(DESK_NOW))
    assert confirmed.headers["Location"] == "/desk/second-factor"
    first = desk_cookie_of(confirmed)
    assert client.http.get("/desk/home", headers={"Cookie": first, **now_header(DESK_NOW)}).status_code == 303
    page = client.http.get("/desk/second-factor", headers={"Cookie": first, **now_header(DESK_NOW)})
    from tests.functional.helpers import desk_csrf_of

    csrf = desk_csrf_of(page)
    wrong = post_form(
        client, "/desk/second-factor", {"code": "000000", "csrf_token": csrf}, {"Cookie": first, **now_header(DESK_NOW)}
    )
    assert wrong.status_code == 400
    code = pyotp.TOTP(secret).at(datetime.fromisoformat(DESK_NOW))
    passed = post_form(
        client, "/desk/second-factor", {"code": code, "csrf_token": csrf}, {"Cookie": first, **now_header(DESK_NOW)}
    )
    assert passed.status_code == 303 and passed.headers["Location"] == "/desk/home"
    second = desk_cookie_of(passed)
    assert second != first
    assert client.http.get("/desk/home", headers={"Cookie": second, **now_header(DESK_NOW)}).status_code == 200
    assert client.http.get("/desk/home", headers={"Cookie": first, **now_header(DESK_NOW)}).status_code == 303


def test_static_files_are_fingerprinted_and_cached_for_a_year(client):
    from shared.api.static_assets import asset_url

    for name, kind in (("pico.css", "text/css"), ("htmx.js", "text/javascript"), ("desk.css", "text/css")):
        url = asset_url(name)
        assert url != f"/static/{name}", f"{name} not found (infra/node_modules?)"
        answer = client.http.get(url)
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(kind)
        assert "immutable" in answer.headers["Cache-Control"] and "max-age=31536000" in answer.headers["Cache-Control"]
    assert client.http.get("/static/pico.css").status_code == 404  # only the fingerprinted name


def test_an_admin_adds_a_member_who_gets_an_invitation(client, outbox_dir):
    desk_member("root@cocoon.example", role="admin", name="Root Admin")
    cookie, csrf = desk_sign_in(client, outbox_dir, "root@cocoon.example")
    headers = {"Cookie": cookie, **now_header(LATER)}
    fields = {"csrf_token": csrf, "name": "Bea Billing", "email": "bea@cocoon.example", "role": "billing"}
    added = post_form(client, "/desk/staff", fields, headers)
    assert added.status_code == 303, added.body
    from tests.functional.helpers import deliver_mail

    deliver_mail(LATER)
    invitations = [p for p in outbox_dir.glob("staff-invite-*.eml") if "To: bea@cocoon.example" in p.read_text()]
    assert len(invitations) == 1
    page = client.http.get("/desk/staff", headers=headers)
    assert "Bea Billing" in page.body.decode()
    bea_cookie, _ = desk_sign_in(client, outbox_dir, "bea@cocoon.example", "2026-11-23T10:30:00+01:00")
    assert bea_cookie

"""The attachment links' boundary: each test is an attacker's attempt and its refusal.

A link is signed for one ticket, message and file and expires after minutes: another ticket's or
file's path with it, an expired one, a forged one, or a customer's token gets no bytes.
"""

from __future__ import annotations

from tests.functional.helpers import (
    ADMIN,
    a_mail,
    attachment_link,
    auth,
    desk_sign_in,
    now_header,
    take_in,
    ticket_with_a_file,
)

NOW = "2026-11-23T11:00:00+01:00"
SECRET = b"<script>alert(1)</script> error log\n"


def _desk(client, outbox_dir, now: str = NOW) -> dict[str, str]:
    cookie, csrf = desk_sign_in(client, outbox_dir, "alex@cocoon.example", now)
    return {"Cookie": cookie, "X-CSRF-Token": csrf, "Accept": "*/*", **now_header(now)}


def test_a_link_of_one_ticket_never_opens_another_ticket_s_file(client, outbox_dir, agent):
    number = ticket_with_a_file(client, outbox_dir)
    second = take_in(client, a_mail(ADMIN, "Another problem").as_bytes())["ticket"]
    desk = _desk(client, outbox_dir)
    link = attachment_link(client, desk, number)
    borrowed = client.http.get(link.replace(f"/desk/tickets/{number}/", f"/desk/tickets/{second}/"), headers=desk)
    assert borrowed.status_code == 403 and SECRET not in borrowed.body
    other_file = client.http.get(link.replace("/0?token=", "/1?token="), headers=desk)
    assert other_file.status_code == 403 and SECRET not in other_file.body


def test_an_expired_link_is_refused(client, outbox_dir, agent):
    number = ticket_with_a_file(client, outbox_dir)
    link = attachment_link(client, _desk(client, outbox_dir), number)
    later = _desk(client, outbox_dir, "2026-11-23T11:06:00+01:00")  # the policy's 5 minutes have passed
    answer = client.http.get(link, headers=later)
    assert answer.status_code == 410 and SECRET not in answer.body


def test_a_forged_or_missing_token_is_refused(client, outbox_dir, agent):
    number = ticket_with_a_file(client, outbox_dir)
    desk = _desk(client, outbox_dir)
    link = attachment_link(client, desk, number)
    path, token = link.split("?token=")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for attempt in (f"{path}?token={forged}", path, f"{path}?token=" + "x" * 5000):
        answer = client.http.get(attempt, headers=desk)
        assert answer.status_code == 403 and SECRET not in answer.body, attempt


def test_a_customer_token_or_no_session_gets_no_bytes_even_with_a_genuine_link(client, outbox_dir, agent, customer):
    number = ticket_with_a_file(client, outbox_dir, sign_up=False)
    link = attachment_link(client, _desk(client, outbox_dir), number)
    token = {**auth(customer), "Accept": "*/*", **now_header(NOW)}
    forged = {"Cookie": "__Host-cocoon_desk=" + "A" * 43, "Accept": "*/*", **now_header(NOW)}
    for headers in ({"Accept": "*/*", **now_header(NOW)}, forged, token):
        answer = client.http.get(link, headers=headers)
        assert answer.status_code == 303 and SECRET not in answer.body

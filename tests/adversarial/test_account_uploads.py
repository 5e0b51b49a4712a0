"""Uploads on the account pages (issue 16): each test is an attacker's attempt and its refusal; nothing stored."""

from __future__ import annotations

import pytest

from shared.settings import get_settings
from tests.functional.account_helpers import ACCOUNT_NOW, account_sign_in, open_ticket
from tests.functional.helpers import ADMIN, now_header, signup_and_verify, ticket_messages

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BOUNDARY = "cocoon-attack-boundary"


def _body(csrf: str, filename: str, content: bytes) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).encode() + content + f"\r\n--{BOUNDARY}--\r\n".encode()


def _upload(client, cookie: str, number: str, csrf: str, filename: str, content: bytes):
    headers = {"Cookie": cookie, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}", **now_header(ACCOUNT_NOW)}
    return client.http.post(f"/account/tickets/{number}/attachments", headers=headers, body=_body(csrf, filename, content))


def _stored() -> int:
    root = get_settings().attachments_dir
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


@pytest.mark.parametrize(
    ("filename", "content", "field"),
    [
        ("huge.png", b"\x89PNG" + b"\x00" * 3_145_729, "file"),
        ("script.exe", b"MZ\x90\x00", "file"),
        ("page.html", b"<script>alert(1)</script>", "file"),
        ("empty.png", b"", "file"),
        ("../../etc/passwd.png", PNG, "filename"),
        ("..\\..\\boot.png", PNG, "filename"),
        ("/etc/shadow.txt", PNG, "filename"),
    ],
    ids=["oversized", "exe", "html", "empty", "dotdot", "backslashes", "absolute"],
)
def test_an_oversized_forbidden_empty_or_path_named_upload_is_refused(client, customer, outbox_dir, filename,
                                                                         content, field):
    number = open_ticket(client, customer, ACCOUNT_NOW)
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    before, files = len(ticket_messages()), _stored()
    answer = _upload(client, cookie, number, csrf, filename, content)
    assert answer.status_code in (400, 413), answer.body  # 413: over the body limit before any parsing
    if answer.status_code == 400:
        assert "upload_refused" in str(answer.body) and f'"{field}"' in str(answer.body)
    assert len(ticket_messages()) == before and _stored() == files


def test_an_upload_to_another_accounts_ticket_is_not_found(client, customer, outbox_dir):
    other = signup_and_verify(client, outbox_dir, email="olga@anders.example", now="2026-11-02T10:00:00+01:00")
    theirs = open_ticket(client, other, ACCOUNT_NOW)
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    before, files = len(ticket_messages()), _stored()
    answer = _upload(client, cookie, theirs, csrf, "screen.png", PNG)
    assert answer.status_code == 404
    assert len(ticket_messages()) == before and _stored() == files


def test_a_forged_upload_without_the_sessions_token_stores_nothing(client, customer, outbox_dir):
    number = open_ticket(client, customer, ACCOUNT_NOW)
    cookie, _ = account_sign_in(client, outbox_dir, ADMIN)
    before, files = len(ticket_messages()), _stored()
    answer = _upload(client, cookie, number, "forged", "screen.png", PNG)
    assert answer.status_code == 403 and "csrf_failed" in str(answer.body)
    assert len(ticket_messages()) == before and _stored() == files

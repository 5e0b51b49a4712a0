"""Screenshot and log uploads on my ticket's page (issue 16 item 3): stored like mail attachments."""

from __future__ import annotations

from shared.settings import get_settings
from tests.functional.account_helpers import ACCOUNT_NOW, account_sign_in, open_ticket, text_of
from tests.functional.helpers import ADMIN, now_header, ticket_messages

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "cocoon-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(client, cookie: str, number: str, fields: dict[str, str], filename: str, content: bytes):
    body, content_type = multipart(fields, filename, content)
    headers = {"Cookie": cookie, "Content-Type": content_type, **now_header(ACCOUNT_NOW)}
    return client.http.post(f"/account/tickets/{number}/attachments", headers=headers, body=body)


def stored_files() -> list[str]:
    root = get_settings().attachments_dir
    return [str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_screenshot_is_stored_with_the_ticket_like_a_mails_attachment(client, customer, outbox_dir):
    number = open_ticket(client, customer, ACCOUNT_NOW)
    cookie, csrf = account_sign_in(client, outbox_dir, ADMIN)
    assert 'enctype="multipart/form-data"' in text_of(
        client.http.get(f"/account/tickets/{number}", headers={"Cookie": cookie, **now_header(ACCOUNT_NOW)}))
    answer = upload(client, cookie, number, {"csrf_token": csrf, "text": "The error"}, "screen.png", PNG)
    assert answer.status_code == 303, answer.body
    (message,) = [m for m in ticket_messages() if m.text == "The error"]
    (stored,) = message.attachments
    assert stored["filename"] == "screen.png" and stored["content_type"] == "image/png" and stored["size"] == len(PNG)
    assert any(path.startswith(f"accounts/{customer['account_id']}/") for path in stored_files())

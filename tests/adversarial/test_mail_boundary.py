"""The mail boundary: a mail module cannot reach the database, and a stored mail cannot smuggle headers.

The attempts: a mail module that imports storage (so a transport could write items or read others'
mails), and an outgoing mail whose header value carries CR/LF to add a Bcc.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MAIL_PACKAGE = PROJECT_ROOT / "shared" / "mail"


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at module level, inside functions and under TYPE_CHECKING."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_mail_module_imports_storage() -> None:
    offenders = {
        str(path.relative_to(PROJECT_ROOT)): sorted(m for m in _imported_modules(path) if m.startswith("shared.storage"))
        for path in MAIL_PACKAGE.rglob("*.py")
    }
    assert {path: mods for path, mods in offenders.items() if mods} == {}


def test_the_mime_parsing_lives_in_mail_inbound_in_small_modules() -> None:
    modules = sorted((MAIL_PACKAGE / "inbound").glob("*.py"))
    assert len(modules) >= 6, "the inbound MIME parsing is split by concern"
    too_long = {p.name: n for p in modules if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert too_long == {}


def test_a_plain_outgoing_mail_cannot_inject_a_header() -> None:
    from shared.mail.transport import OutgoingMail, as_email_message

    mail = OutgoingMail(
        mail_id="attack-1",
        recipient="victim@example.com\r\nBcc: everyone@example.com",
        subject="Hello\nBcc: everyone@example.com",
        body_text="hi",
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        headers={"X-Note": "ok\r\nBcc: everyone@example.com"},
    )
    raw = as_email_message(mail, "no-reply@cocoon.example").as_bytes()
    header_block = raw.split(b"\n\n", 1)[0]
    assert b"\nBcc:" not in header_block and b"\r\nBcc:" not in header_block

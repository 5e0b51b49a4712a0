"""Delivery status notifications (RFC 3464) and non-standard bounces: who failed, and how badly."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from email.message import Message

from shared.mail.inbound.charsets import _fix_8bit_header, decode_bytes
from shared.mail.inbound.classification import _token
from shared.mail.inbound.html_text import html_to_text
from shared.mail.inbound.parts import _Collected
from shared.mail.inbound.values import FailedDelivery
from shared.rules.bounce_reports import BouncedRecipient, DsnFailure
from shared.rules.mail_subjects import normalize_space


def _status_blocks(part: Message) -> list[dict[str, str]]:
    """The header blocks of a message/delivery-status part (per-message, then per-recipient)."""
    payload = part.get_payload()
    blocks: list[dict[str, str]] = []
    if isinstance(payload, list):
        for block in payload:
            if isinstance(block, Message):
                blocks.append({k.lower(): _fix_8bit_header(str(v)) for k, v in block.raw_items()})
        return blocks
    data = part.get_payload(decode=True)
    text = decode_bytes(data if isinstance(data, bytes) else b"", None)
    for chunk in re.split(r"\r?\n\s*\r?\n", text):
        fields: dict[str, str] = {}
        for line in chunk.splitlines():
            if ":" in line and not line[:1].isspace():
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.strip()
        if fields:
            blocks.append(fields)
    return blocks


def _recipient(value: str) -> str | None:
    """The address of a "rfc822; someone@example.com" DSN field."""
    address = value.split(";", 1)[1] if ";" in value else value
    address = normalize_space(address).strip().strip("<>").lower()
    return address if "@" in address else None


def _failed_fields(status_parts: Sequence[Message]) -> Iterator[tuple[str, str, str]]:
    """(address, status, Diagnostic-Code) of every failed recipient of the reports: the one walk over
    the status blocks that failed deliveries, DSN failures and hard bounces all read."""
    for part in status_parts:
        try:
            blocks = _status_blocks(part)
        except Exception:  # an unreadable report names nobody
            blocks = []
        for fields in blocks:
            if _token(fields.get("action", "")) != "failed":
                continue
            status = normalize_space(fields.get("status", "")).strip()
            diagnostic = normalize_space(fields.get("diagnostic-code", ""))
            for key in ("final-recipient", "original-recipient"):
                address = _recipient(fields.get(key, ""))
                if address:
                    yield address, status, diagnostic


def _failed_deliveries(status_parts: Sequence[Message]) -> list[FailedDelivery]:
    """Each failed recipient of the reports (Final- and Original-Recipient) with the status given for it."""
    return list(dict.fromkeys(FailedDelivery(a, status) for a, status, _ in _failed_fields(status_parts)))


def _dsn_failures(status_parts: Sequence[Message]) -> list[DsnFailure]:
    """Each failed recipient of the reports with its status and the receiving server's Diagnostic-Code."""
    first: dict[str, DsnFailure] = {}
    for address, status, diagnostic in _failed_fields(status_parts):
        first.setdefault(address, DsnFailure(address, status, diagnostic))
    return list(first.values())


def _read_bounce(
    message: Message, found: _Collected, headers: dict[str, list[str]], sender_address: str | None
) -> tuple[tuple[BouncedRecipient, ...], list[str]]:
    """A bounce's failed recipients with their meaning, and the Message-IDs its text quotes."""
    from email.utils import getaddresses

    from shared.rules.bounce_reports import notice_text, quoted_message_ids, read_bounced_recipients

    body = "\n\n".join(found.plain) or "\n\n".join(html_to_text(markup) for markup in found.html)
    own = {sender_address or ""}
    try:
        own.update(address.lower() for _, address in getaddresses([_fix_8bit_header(v) for v in headers.get("to", [])]))
    except Exception:  # an unreadable To names nobody we must leave out
        own = {sender_address or ""}
    recipients = read_bounced_recipients(
        message, dsn_failures=_dsn_failures(found.status_parts), notice=notice_text(body), own_addresses=own
    )
    return recipients, quoted_message_ids(body)


def _hard_bounces(status_parts: Sequence[Message], failed_header: Sequence[str]) -> list[str]:
    """Recipients whose delivery failed permanently (Action: failed, Status 5.x.x)."""
    found = list(dict.fromkeys(a for a, status, _ in _failed_fields(status_parts) if status.startswith("5")))
    # Exim and Gmail name permanently failed recipients in a header.
    for value in failed_header:
        for token in re.split(r"[,\s]+", _fix_8bit_header(value)):
            address = token.strip().strip("<>").lower()
            if "@" in address and address not in found:
                found.append(address)
    return found

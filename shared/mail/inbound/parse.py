"""Inbound support mail: parse a raw message into a value the support desk can store.

Everything here is pure: bytes in, a frozen value out, no AWS, no database and no
clock. The I/O around it (S3 for the raw mail, tickets in DynamoDB) lives elsewhere.

Why it is written the way it is:

* Real-world mail is broken in every way imaginable (unknown charsets, raw 8-bit
  headers, missing boundaries, mbox ``From `` lines). A mail we cannot parse is a
  customer we cannot help, so :func:`parse_inbound_mail` never raises; every step
  falls back to something readable and records what went wrong in ``defects``.
* The spec (§6 "Mail hygiene") says automatic mail never creates a ticket and never
  gets an answer, otherwise two robots mail each other forever. :func:`classify`
  says *why* a mail is automatic, so the caller can log the reason without logging
  the mail.
* Privacy (§6, §8): CC recipients are neither stored nor written to, so CC is never
  read into the result at all.
"""


from __future__ import annotations

from collections.abc import Sequence
from email import policy as email_policy
from email.message import Message
from email.parser import BytesHeaderParser, BytesParser

from shared.mail.inbound.charsets import _decode_unstructured
from shared.mail.inbound.classification import _classify, _content_type, _report_type
from shared.mail.inbound.delivery_status import _failed_deliveries, _hard_bounces, _read_bounce
from shared.mail.inbound.headers import _first, _message_ids, _parse_sender, _raw_headers
from shared.mail.inbound.parts import _body_text, _collect, _Collected
from shared.mail.inbound.replies import latest_reply
from shared.mail.inbound.values import _MAX_REFERENCES, REPLY_LANGUAGES, AutomaticKind, FailedDelivery, InboundMail
from shared.rules.bounce_reports import BouncedRecipient
from shared.rules.mail_subjects import _FORWARD_PREFIX, is_vague_subject, normalize_space, ticket_number_from_subject


def _parse_message(raw: bytes) -> tuple[Message, list[str]]:
    """Parse bytes with the modern policy; if even that fails, read the headers and keep the rest as text."""
    try:
        return BytesParser(policy=email_policy.default).parsebytes(raw), []
    except Exception as exc:  # RecursionError on absurd nesting, or a parser bug
        message = BytesHeaderParser(policy=email_policy.default).parsebytes(raw)
        message.set_payload(
            message.get_payload() if isinstance(message.get_payload(), str) else "",
        )
        del message["content-type"]  # no header raises when missing
        del message["content-transfer-encoding"]
        return message, [type(exc).__name__]


def parse_inbound_mail(
    raw: bytes,
    *,
    max_attachment_bytes: int,
    reply_languages: Sequence[str] = REPLY_LANGUAGES,
) -> InboundMail:
    """Parse and classify one raw inbound mail. Never raises: broken input gives a best-effort value.

    ``max_attachment_bytes`` comes from policy (support.max_attachment_bytes); larger
    parts are listed in ``oversized_attachments`` without their bytes.
    """
    data = bytes(raw)
    try:
        message, defects = _parse_message(data)
    except Exception as exc:
        message = Message(policy=email_policy.default)
        message.set_payload(data.decode("utf-8", "replace"))
        defects = [type(exc).__name__]

    headers = _raw_headers(message)
    subject = normalize_space(_decode_unstructured(_first(headers, "subject")))
    sender_address, sender_name = _parse_sender(_first(headers, "from"))
    message_ids = _message_ids(_first(headers, "message-id"))
    in_reply_to = tuple(i for v in headers.get("in-reply-to", []) for i in _message_ids(v))
    references = tuple(i for v in headers.get("references", []) for i in _message_ids(v))
    references = references[-_MAX_REFERENCES:]

    found = _Collected()
    try:
        _collect(message, found, max_attachment_bytes)
    except Exception as exc:  # keep whatever was collected before the failure
        found.defects.append(type(exc).__name__)
    defects.extend(found.defects)

    try:
        body_text, from_html = _body_text(found)
    except Exception as exc:
        body_text, from_html = "", False
        defects.append(type(exc).__name__)

    try:
        kind, reason = _classify(
            headers,
            content_type=_content_type(message),
            report_type=_report_type(message),
            part_types=found.part_types,
            sender_address=sender_address,
            sender_name=sender_name,
            subject=subject,
        )
    except Exception as exc:
        kind, reason = None, None
        defects.append(type(exc).__name__)

    hard_bounces: list[str] = []
    returned_ids: list[str] = []
    failed: list[FailedDelivery] = []
    bounced: tuple[BouncedRecipient, ...] = ()
    returned_count = 0
    if kind is AutomaticKind.BOUNCE:
        hard_bounces = _hard_bounces(found.status_parts, headers.get("x-failed-recipients", []))
        returned_ids = list(dict.fromkeys(found.returned_ids))
        returned_count = found.returned_parts
        failed = _failed_deliveries(found.status_parts)
        try:
            bounced, quoted_ids = _read_bounce(message, found, headers, sender_address)
        except Exception as exc:  # an unreadable report stops nothing
            bounced, quoted_ids = (), []
            defects.append(type(exc).__name__)
        # A non-standard bounce quotes the original in its text: each Message-ID quoted there is one
        # more returned-message candidate, so a report quoting several is still used for nothing.
        extra_ids = [mid for mid in quoted_ids if mid not in returned_ids]
        returned_ids += extra_ids
        returned_count += len(extra_ids)

    # A forward's content is the request, not quoted history.
    reply_text = body_text if _FORWARD_PREFIX.match(subject) else latest_reply(body_text, languages=reply_languages)

    return InboundMail(
        message_id=message_ids[0] if message_ids else None,
        sender_address=sender_address,
        sender_name=sender_name,
        subject=subject,
        in_reply_to=in_reply_to,
        references=references,
        body_text=body_text,
        reply_text=reply_text,
        attachments=tuple(found.attachments),
        oversized_attachments=tuple(found.oversized),
        automatic=kind,
        automatic_reason=reason,
        hard_bounced_recipients=tuple(hard_bounces),
        returned_message_ids=tuple(returned_ids),
        body_from_html=from_html,
        ticket_number=ticket_number_from_subject(subject),
        vague_subject=is_vague_subject(subject),
        defects=tuple(dict.fromkeys(defects)),
        failed_deliveries=tuple(failed),
        returned_message_count=returned_count,
        part_count=len(found.part_types),
        bounced_recipients=bounced,
    )

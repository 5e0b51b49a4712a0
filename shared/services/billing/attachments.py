"""The PDFs the mail job attaches: an outbox mail holds references, the PDF is rendered when it leaves.

Rendering on demand keeps the nightly billing as fast as without PDFs (bench/bench_invoice_pdf.py) and
every outbox item far below DynamoDB's 400 KB. A document that is gone or a PDF over the policy's
limit is left off: the mail's link still reaches the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.mail.transport import Attachment
from shared.observability import logger
from shared.policy import get_policy
from shared.rules.billing.credit_notes import is_credit_note_number
from shared.storage.keys.billing import DOCUMENT_PDF


def mail_attachments(references: Sequence[Any] | None) -> tuple[Attachment, ...]:
    """The attachments of an outbox mail's references (unknown kinds and missing documents left off)."""
    from shared.services.billing.credit_notes import credit_note_document
    from shared.services.billing.invoices import invoice_pdf, issued_document

    attached: list[Attachment] = []
    room = get_policy().mail.max_attachment_bytes
    for reference in references or ():
        if not isinstance(reference, dict) or reference.get("kind") != DOCUMENT_PDF:
            continue
        account_id, number = str(reference.get("account_id", "")), str(reference.get("number", ""))
        credit = is_credit_note_number(number)
        document = credit_note_document(account_id, number) if credit else issued_document(account_id, number)
        if document is None:
            logger.warning("attached document not found", extra={"number": number})
            continue
        data = invoice_pdf(document)
        if len(data) > room:
            logger.warning("attachment left off: over the size limit", extra={"number": number, "bytes": len(data)})
            continue
        room -= len(data)
        name = f"{'credit-note' if credit else 'invoice'}-{number}.pdf"
        attached.append(Attachment(name, "application/pdf", data))
    return tuple(attached)

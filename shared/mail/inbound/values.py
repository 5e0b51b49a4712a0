"""The value an inbound mail is parsed into, and its parts: frozen, so nothing downstream edits a mail."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from shared.rules.bounce_reports import BouncedRecipient

# Languages whose "On … wrote:" headers and sign-offs the reply parser knows. These are
# the policy languages (shared/policy.toml) that mail-parser-reply supports; English is
# always included by the library.
REPLY_LANGUAGES: tuple[str, ...] = ("en", "de", "cs", "es", "fr", "it", "nl", "pl")

# Deeper MIME nesting than this is an attack or a loop, not a customer's mail.
_MAX_DEPTH = 40
# A References header can list a whole thread; the newest ids are the ones that matter.
_MAX_REFERENCES = 100


class AutomaticKind(StrEnum):
    """Why a mail was written by a machine: such mail creates no ticket and gets no reply."""

    BOUNCE = "bounce"  # delivery status notification / non-delivery report
    READ_RECEIPT = "read_receipt"  # message disposition notification (MDN)
    AUTO_REPLY = "auto_reply"  # vacation / out-of-office / autoresponder
    AUTO_GENERATED = "auto_generated"  # notifications from systems (RFC 3834 auto-generated …)
    MAILING_LIST = "mailing_list"  # List-Id / List-Unsubscribe / Precedence: list
    BULK = "bulk"  # Precedence: bulk or junk
    LOOP = "loop"  # X-Loop: already went through an automatic system


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the customer sent (inline images included), with its decoded bytes."""

    filename: str
    content_type: str
    size: int
    content: bytes = field(repr=False)
    inline: bool = False
    # Content-ID without <>, so an HTML body's cid: reference can be resolved.
    content_id: str | None = None


@dataclass(frozen=True, slots=True)
class OversizedAttachment:
    """An attachment over the size limit: named so the agent can ask for it another way."""

    filename: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class FailedDelivery:
    """One recipient a delivery status report says failed (Action: failed), with its status code."""

    address: str
    status: str


@dataclass(frozen=True, slots=True)
class InboundMail:
    """One inbound mail, parsed and classified. CC recipients are deliberately absent."""

    message_id: str | None
    sender_address: str | None
    sender_name: str
    subject: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    body_text: str
    reply_text: str
    attachments: tuple[Attachment, ...]
    oversized_attachments: tuple[OversizedAttachment, ...]
    automatic: AutomaticKind | None
    automatic_reason: str | None
    hard_bounced_recipients: tuple[str, ...]
    # Message-IDs of our mail that a bounce returns: lets the caller check the bounce
    # is about a mail we really sent before it stops mailing an address.
    returned_message_ids: tuple[str, ...]
    body_from_html: bool
    ticket_number: str | None
    vague_subject: bool
    # Names of the parser's complaints (no content): for logs and for spotting bad input.
    defects: tuple[str, ...] = ()
    # A bounce's failed recipients with their DSN status, so a rule can tell an address failure
    # (5.1.1 user unknown) from a full mailbox or a policy refusal before it stops any mail.
    failed_deliveries: tuple[FailedDelivery, ...] = ()
    # How many returned messages (or returned headers) a bounce carries: a report about one
    # mail of ours carries exactly one, so more is a report nobody may use to test guesses.
    returned_message_count: int = 0
    # How many MIME parts the mail has (multiparts included): the caller refuses more than the policy allows.
    part_count: int = 0
    # Every recipient a bounce reports as failed (RFC 3464 or not), each with what its failure
    # means (shared/rules/bounce_meaning.py): only an address failure may stop mail to it.
    bounced_recipients: tuple[BouncedRecipient, ...] = ()

    @property
    def is_automatic(self) -> bool:
        """True when the mail must create no ticket and get no reply."""
        return self.automatic is not None

"""PynamoDB models of Cocoon's single table.

One partition per account (`ACCOUNT#<id>`) holds the account and its whole
history, so export, deletion and billing read an account with one Query.
Items that a job must act on later carry `due_job`/`due_at` and appear in the
sparse `due` index; alternate keys (a contact's e-mail, a ticket number) carry
`lookup_key` and appear in the sparse `lookup` index.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import TableConnection
from pynamodb.models import Model

from shared.storage import table as desk_indexes
from shared.storage.attributes import CancellationRecord, FateEntry
from shared.storage.botocore_data import seed_connection
from shared.storage.table import DueIndex, LookupIndex, OpenIndex, QueueIndex, _TableMeta


class CocoonItem(Model):
    """Base of every item in the table; `item_type` tells PynamoDB which subclass to load."""

    Meta = _TableMeta  # type: ignore[assignment]  # a plain class is what PynamoDB reads

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = DiscriminatorAttribute()
    due_job = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    lookup_key = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)

    due_index = DueIndex()
    lookup_index = LookupIndex()
    queue_index = QueueIndex()
    open_index = OpenIndex()
    assignee_index = desk_indexes.AssigneeIndex()
    account_queue_index = desk_indexes.AccountQueueIndex()

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """One connection for every item type: PynamoDB caches one per class, and a cold request touching
        four item types paid botocore's DynamoDB model four times (~90 ms each). Same table and indexes."""
        if cls is CocoonItem:
            table = super()._get_connection()
            seed_connection(table.connection)  # the small botocore data folder (shared/storage/botocore_data.py)
            return table
        return CocoonItem._get_connection()


def account_pk(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


class Account(CocoonItem, discriminator="account"):
    """The tenant. sk = "ACCOUNT"."""

    account_id = UnicodeAttribute()
    state = UnicodeAttribute()
    company_name = UnicodeAttribute()
    organization_type = UnicodeAttribute()
    country = UnicodeAttribute()
    vat_id = UnicodeAttribute(null=True)
    admin_name = UnicodeAttribute()
    admin_email = UnicodeAttribute()
    language = UnicodeAttribute()
    dpa_version = UnicodeAttribute()
    dpa_accepted_at = UTCDateTimeAttribute()
    created_at = UTCDateTimeAttribute()
    verified_at = UTCDateTimeAttribute(null=True)
    trial_started_on = UnicodeAttribute(null=True)
    trial_ends_on = UnicodeAttribute(null=True)
    paid_from = UnicodeAttribute(null=True)
    edition = UnicodeAttribute(null=True)
    deactivated_on = UnicodeAttribute(null=True)
    cancellation = CancellationRecord(null=True)
    pending_edition = UnicodeAttribute(null=True)
    pending_edition_from = UTCDateTimeAttribute(null=True)
    verification_key = UnicodeAttribute(null=True)  # the pending signup's link, deleted with it
    support_hours_billable = BooleanAttribute(null=True)  # the support contract; None: the policy's default
    street = UnicodeAttribute(null=True)
    postcode = UnicodeAttribute(null=True)
    city = UnicodeAttribute(null=True)
    billing_email = UnicodeAttribute(null=True)
    buyer_reference = UnicodeAttribute(null=True)  # BT-10 on invoices: Leitweg-ID or order number (issue 17)
    token_hashes = ListAttribute[str](default=list)
    # The invoices unpaid past the last dunning level (issue 18): suspended while this set is not empty;
    # each invoice leaves it in the booking that pays it (DynamoDB drops an emptied set).
    suspended_by = UnicodeSetAttribute(null=True)


class User(CocoonItem, discriminator="user"):
    """A person of the account. sk = "USER#<user_id>"; lookup_key is set only while active."""

    account_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute(default="user")
    active = BooleanAttribute(default=True)
    created_at = UTCDateTimeAttribute()
    language = UnicodeAttribute(null=True)  # the contact's own choice of language (issue 16); None: the account's


class SeatEvent(CocoonItem, discriminator="seat_event"):
    """An activation or deactivation of a user, kept for billing. sk = "SEAT#<at>#<user_id>"."""

    account_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    activated = BooleanAttribute()
    at = UTCDateTimeAttribute()


class EditionChange(CocoonItem, discriminator="edition_change"):
    """An edition held from `effective_at` on, kept for billing. sk = "EDITION#<effective_at>"."""

    account_id = UnicodeAttribute()
    edition = UnicodeAttribute()
    effective_at = UTCDateTimeAttribute()
    requested_at = UTCDateTimeAttribute()


class EmailReservation(CocoonItem, discriminator="email_reservation"):
    """Makes an admin e-mail unique across live accounts. pk = "EMAIL#<hash>", sk = "EMAIL".

    `reserved_until` is set while the signup waits for verification: after it,
    a new signup with the same e-mail may take the reservation over.
    """

    account_id = UnicodeAttribute()
    reserved_until = UTCDateTimeAttribute(null=True)


class VerificationLink(CocoonItem, discriminator="verification_link"):
    """A single-use signup link. pk = "VERIFY#<token hash>", sk = "VERIFY"."""

    account_id = UnicodeAttribute()
    valid_until = UTCDateTimeAttribute()
    admin_name = UnicodeAttribute()
    admin_email = UnicodeAttribute()
    language = UnicodeAttribute()


class ApiToken(CocoonItem, discriminator="api_token"):
    """A bearer token, stored by hash only. pk = "TOKEN#<sha256>", sk = "TOKEN"."""

    kind = UnicodeAttribute()  # "tenant" or "staff"
    account_id = UnicodeAttribute(null=True)
    staff_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    last_used_on = UnicodeAttribute(null=True)  # ISO date (UTC day), written at most once a day


class StaffMember(CocoonItem, discriminator="staff_member"):
    """A support agent or billing clerk. pk = "STAFF#<id>", sk = "STAFF"; lookup_key "STAFF" lists them."""

    staff_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    token_hashes = ListAttribute[str](null=True)  # the member's tokens, so revoking finds them without a Scan
    tokens_revoked_at = UTCDateTimeAttribute(null=True)  # tokens created until then no longer authenticate
    sessions_revoked_at = UTCDateTimeAttribute(null=True)  # desk sessions opened until then no longer admit
    deactivated_at = UTCDateTimeAttribute(null=True)  # a deactivated member signs in and calls nothing
    totp_secret = UnicodeAttribute(null=True)  # the desk's optional second factor (base32, RFC 6238)
    notifications_off = BooleanAttribute(null=True)  # the member turned off the desk's notification mails
    desk_language = UnicodeAttribute(null=True)  # the desk's UI language the member chose (None: the browser's)


class ScheduledAction(CocoonItem, discriminator="scheduled_action"):
    """Something a job must do at `due_at`. sk = "DUE#<job>#<action>".

    The job deletes it in the same transaction as the action's effect (and its
    mail), conditioned on it still existing: a re-run finds nothing to do.
    """

    account_id = UnicodeAttribute()
    action = UnicodeAttribute()


class OutboxMail(CocoonItem, discriminator="outbox_mail"):
    """A mail waiting for (or past) delivery. sk = "MAIL#<mail_id>".

    Written in the transaction of the change that causes it. While undelivered
    it is in the due index under job "mail"; the mail id is derived from the
    event, so the same event can never queue a second mail. lookup_key = "MAIL#<mail_id>", so an SES
    event, which names only the mail id, finds it without a Scan. Stored unrendered (template, language,
    JSON context, subject_tag: a ticket's number); the mail job renders it and keeps the text it sent.
    """

    mail_id = UnicodeAttribute()
    account_id = UnicodeAttribute(null=True)
    recipient = UnicodeAttribute()
    subject, body_text = UnicodeAttribute(null=True), UnicodeAttribute(null=True)  # as sent (see above)
    language, subject_tag = UnicodeAttribute(null=True), UnicodeAttribute(null=True)
    context = JSONAttribute(null=True)
    headers = JSONAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    claimed_until = UTCDateTimeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    template = UnicodeAttribute(null=True)  # which mail it is: decides whether it counts against the hourly limit
    # Why a mail was never delivered: "rate_limited" (over the recipient's hourly limit), "suppressed" (the
    # address is stopped); or what SES said became of it (mail_fate.py): sent, delayed, delivered, bounced, ...
    fate = UnicodeAttribute(null=True)
    fate_at = UTCDateTimeAttribute(null=True)
    fate_history = ListAttribute[FateEntry](of=FateEntry, null=True)  # every SES event once: {kind, at, detail}
    # Sending once (functions/mail_delivery.py): the current send attempt, recorded with the claim before
    # SES is called, so a retry after a crash knows SES may already have the mail.
    send_started_at = UTCDateTimeAttribute(null=True)
    send_attempt_id = UnicodeAttribute(null=True)
    # SES's MessageId (from SendEmail's answer or its send event) and when SES's Send event came.
    ses_message_id = UnicodeAttribute(null=True)
    send_event_at = UTCDateTimeAttribute(null=True)
    attachments = JSONAttribute(null=True)  # document references the mail job renders (PDFs), never bytes


class Tombstone(CocoonItem, discriminator="tombstone"):
    """What remains of a deleted account: when and why, and how much, never who.

    pk = "TOMBSTONE#<account_id>", sk = "TOMBSTONE".
    """

    account_id = UnicodeAttribute()
    deleted_at = UTCDateTimeAttribute()
    reason = UnicodeAttribute()
    deactivated_on = UnicodeAttribute(null=True)
    items_deleted = JSONAttribute(default=dict)
    invoices_kept = NumberAttribute(default=0)


class AppSubscriptionItem(CocoonItem, discriminator="app_subscription"):
    """An add-on app held from `subscribed_at` until `cancelled_effective_at`. sk = "APP#<app_id>#<subscribed_at>"."""

    account_id = UnicodeAttribute()
    app_id = UnicodeAttribute()
    subscribed_at = UTCDateTimeAttribute()
    cancelled_effective_at = UTCDateTimeAttribute(null=True)


class BillableHoursEntry(CocoonItem, discriminator="billable_hours"):
    """Approved billable support hours, billed on the invoice of `month`. sk = "HOURS#<month>#<ref>".

    The ledger billing reads; the support desk writes it when a service report is approved.
    """

    account_id = UnicodeAttribute()
    month = UnicodeAttribute()
    hours = UnicodeAttribute()  # a Decimal as text: hours are money-relevant
    description = UnicodeAttribute()
    recorded_at = UTCDateTimeAttribute()


class InvoiceDocument(CocoonItem, discriminator="invoice"):
    """An issued invoice, never changed. sk = "INVOICE#<month>" (one per month); lookup_key = "INVOICE#<number>"."""

    account_id = UnicodeAttribute()
    number = UnicodeAttribute()
    month = UnicodeAttribute()
    issued_on = UnicodeAttribute()
    document = JSONAttribute()
    # Payment state (issue 18), beside the document that never changes: what was paid, a write-off, and
    # `payment_version`, the condition every booking writes under (two bookings never both count).
    paid_amount = UnicodeAttribute(null=True)  # a Decimal as text
    written_off_at = UTCDateTimeAttribute(null=True)
    payment_version = NumberAttribute(null=True)
    # Dunning (issue 18): how many levels were mailed (past the last: the account was suspended for it).
    dunning_level = NumberAttribute(null=True)
    collected_in = UnicodeAttribute(null=True)  # the pain.008 file that collects it (SEPA direct debit)


class CreditNoteDocument(CocoonItem, discriminator="credit_note"):
    """An issued credit note, never changed. sk = lookup_key = "CREDIT#<number>" (kept on deletion like invoices)."""

    account_id = UnicodeAttribute()
    number = UnicodeAttribute()
    invoice_number = UnicodeAttribute()  # the invoice it corrects (BG-3)
    issued_on = UnicodeAttribute()
    document = JSONAttribute()


class CreditLedger(CocoonItem, discriminator="credit_ledger"):
    """What an invoice's credit notes credited. sk = "CREDIT#LEDGER#<invoice>"; written if still `version`."""

    invoice_number = UnicodeAttribute()
    credited_lines = JSONAttribute(default=dict)  # line index → net credited, as a decimal string
    credited_vat = UnicodeAttribute(default="0.00")
    credit_notes = ListAttribute[str](default=list)  # their numbers, oldest first
    version = NumberAttribute(default=0)


class InvoiceCounter(CocoonItem, discriminator="invoice_counter"):
    """The year's last invoice number. pk = "COUNTER#INVOICE#<year>", sk = "COUNTER"."""

    year = NumberAttribute()
    last_sequence = NumberAttribute(default=0)


class Ticket(CocoonItem, discriminator="ticket"):
    """A support request. pk = account, sk = "TICKET#<number>", lookup_key = "TICKET#<number>".

    While a first response is owed, due_job = "sla" and due_at = first_response_due,
    so the SLA watch reads only tickets that can become overdue.
    """

    account_id = UnicodeAttribute()
    number = UnicodeAttribute()
    subject = UnicodeAttribute()
    state = UnicodeAttribute(default="new")
    priority = UnicodeAttribute()
    region = UnicodeAttribute()
    channel = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()
    first_response_due = UTCDateTimeAttribute()
    first_response_at = UTCDateTimeAttribute(null=True)
    requester_user_id = UnicodeAttribute()
    requester_email = UnicodeAttribute()
    requester_name = UnicodeAttribute(default="")
    impact = UnicodeAttribute(null=True)
    details = JSONAttribute(default=dict)
    missing = ListAttribute[str](default=list)
    vague_subject = BooleanAttribute(default=False)
    assignee_id = UnicodeAttribute(null=True)
    assignee_name = UnicodeAttribute(null=True)
    escalated_at = UTCDateTimeAttribute(null=True)
    last_public_update_at = UTCDateTimeAttribute(null=True)
    solved_at = UTCDateTimeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    waiting_since = UTCDateTimeAttribute(null=True)
    paused_hours = UnicodeAttribute(default="0")  # support hours spent waiting for the customer
    enhancement = BooleanAttribute(default=False)
    authorized_by = UnicodeAttribute(null=True)
    needs_authorization = BooleanAttribute(default=False)
    authorized_at = UTCDateTimeAttribute(null=True)
    # The pending authorization request: its links carry this id, so a new request's mail makes older links void.
    authorization_request_id = UnicodeAttribute(null=True)
    authorized_link_id = UnicodeAttribute(null=True)  # the request whose link decided it
    authorized_by_id = UnicodeAttribute(null=True)
    development_ticket = UnicodeAttribute(null=True)
    development_kind = UnicodeAttribute(null=True)
    message_count = NumberAttribute(default=0)
    queue_state = UnicodeAttribute(null=True)  # set while in the staff queue (open or solved)
    queue_due = UnicodeAttribute(null=True)
    open_queue = UnicodeAttribute(null=True)  # "OPEN#<region>" while open (not solved): the desk's open index
    assignee_queue = UnicodeAttribute(null=True)  # "ASSIGNEE#<staff id>" while open and assigned: "mine"
    account_queue = UnicodeAttribute(null=True)  # "ACCOUNT#<id>" while open: the queues' account filter
    at_risk_noticed_due = UnicodeAttribute(null=True)  # the due time the lead was told "at risk" for
    merged_into = UnicodeAttribute(null=True)  # closed by a merge: the ticket its thread was copied to
    rating = UnicodeAttribute(null=True)  # the customer's "good" or "bad" after solving (issue 16), once
    rating_comment = UnicodeAttribute(null=True)
    rated_at = UTCDateTimeAttribute(null=True)


class TicketMessage(CocoonItem, discriminator="ticket_message"):
    """One message of a ticket. sk = "TICKET#<number>#MSG#<moment>#<id>".

    kind: "request" (from the customer), "reply" (public, mailed), "note" (internal, never mailed).
    """

    account_id = UnicodeAttribute()
    ticket_number = UnicodeAttribute()
    message_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    channel = UnicodeAttribute()
    author = UnicodeAttribute()
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    raw_key = UnicodeAttribute(null=True)  # where the raw mail is kept (S3 / local directory)
    attachments = JSONAttribute(default=list)
    # The SeenMail key (Message-ID hash) of the mail this message came in: the account's purge deletes it.
    seen_key = UnicodeAttribute(null=True)


class SeenMail(CocoonItem, discriminator="seen_mail"):
    """A mail already taken in (by Message-ID hash): redeliveries have no second effect.

    pk = "SEEN#<hash>", sk = "SEEN". Written only for mails we kept, with the ticket they went to.
    """

    account_id = UnicodeAttribute()
    ticket_number = UnicodeAttribute()


class SuppressedAddress(CocoonItem, discriminator="suppressed_address"):
    """A hard bounce stops mail to the address. pk = "SUPPRESS#<email hash>", sk = "SUPPRESS".

    Staff can lift it (the item is deleted). `source` says who stopped the address: "inbound-dsn"
    (a bounce in the inbox), "ses-bounce" / "ses-complaint" (SES events) or "staff"; older items have none.
    `scope` says what stops: "all" mail (an address failure; also every item without a scope) or only
    "automatic" mail (a complaint: what the law or the contract needs still goes), the latter `until`
    a moment (renewed by a new complaint).
    """

    reason = UnicodeAttribute()
    since = UTCDateTimeAttribute()
    source = UnicodeAttribute(null=True)
    scope = UnicodeAttribute(null=True)
    until = UTCDateTimeAttribute(null=True)
    event_kind = UnicodeAttribute(null=True)  # bounce, complaint, dsn
    diagnostic = UnicodeAttribute(null=True)  # what the receiving server said, for staff
    mail_id = UnicodeAttribute(null=True)  # the mail whose event stopped the address


class UnverifiedMail(CocoonItem, discriminator="unverified_mail"):
    """A mail from a contact's address that failed sender authentication, kept for staff review.

    pk = "ACCOUNT#<id>" (purged with the account), sk = "UNVERIFIED#<seen key>" (a redelivery is the
    same item); lookup_key = "UNVERIFIED_MAIL" lists them all for staff in the sparse lookup index.
    """

    account_id = UnicodeAttribute()
    user_id = UnicodeAttribute()  # the contact whose address the mail claims
    sender_email = UnicodeAttribute()  # that contact's address (never a stranger's: those are not kept)
    subject = UnicodeAttribute()
    reason = UnicodeAttribute()  # why it is not trusted: "dmarc_fail", "virus", "unauthenticated", ...
    received_at = UTCDateTimeAttribute()
    quoted_ticket = UnicodeAttribute(null=True)  # the ticket number it quoted, if any
    raw_key = UnicodeAttribute(null=True)  # the raw mail (blob store)


class RateCounter(CocoonItem, discriminator="rate_counter"):
    """How often something happened to one address in one hour. pk = "RATE#<what>#<hash>#<yyyymmddhh>", sk = "RATE".

    Only a hash names the address (or client IP), and the item expires by TTL soon after its hour.
    """

    value = NumberAttribute(default=0)


class DailyCounter(CocoonItem, discriminator="daily_counter"):
    """Per-day sequences (ticket numbers). pk = "COUNTER#<name>#<yyyymmdd>", sk = "COUNTER"."""

    value = NumberAttribute(default=0)


class TimeEntry(CocoonItem, discriminator="time_entry"):
    """Worked time on a ticket. sk = "TICKET#<number>#TIME#<moment>#<id>"."""

    account_id = UnicodeAttribute()
    ticket_number = UnicodeAttribute()
    staff_id = UnicodeAttribute()
    hours = UnicodeAttribute()  # Decimal as text
    description = UnicodeAttribute()
    logged_at = UTCDateTimeAttribute()


class ServiceReport(CocoonItem, discriminator="service_report"):
    """The hours of a solved ticket, for the account's main contact to approve. sk = "REPORT#<id>"."""

    account_id = UnicodeAttribute()
    report_id = UnicodeAttribute()
    ticket_number = UnicodeAttribute()
    hours = UnicodeAttribute()
    entries = JSONAttribute(default=list)
    state = UnicodeAttribute(default="pending")  # pending | approved | disputed
    created_at = UTCDateTimeAttribute()
    decided_at = UTCDateTimeAttribute(null=True)
    comment = UnicodeAttribute(null=True)
    link_id = UnicodeAttribute(null=True)  # the one link mailed for it; its token carries this id
    decided_link_id = UnicodeAttribute(null=True)


class Authorizer(CocoonItem, discriminator="authorizer"):
    """A person whose approval a ticket marked "needs authorization" waits for. sk = "AUTHORIZER#<user id>"."""

    account_id = UnicodeAttribute()
    authorizer_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()


class SearchEntry(CocoonItem, discriminator="search_entry"):
    """The desk's index of an account's name or VAT ID (keys: storage/keys/search.py), written with the value."""

    account_id = UnicodeAttribute()


class StaffAction(CocoonItem, discriminator="staff_action"):
    """A staff action on the account: who, what, when. sk = "STAFFACTION#<moment>#<id>"; never an address."""

    account_id = UnicodeAttribute()
    action_id = UnicodeAttribute()
    staff_id = UnicodeAttribute()
    action = UnicodeAttribute()
    detail = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()

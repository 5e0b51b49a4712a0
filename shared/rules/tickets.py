"""Support-desk rules: ticket numbers and tags, region, priority, and what a request still lacks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from shared.rules.support.states import DEFAULT_PRIORITY

# "[Ticket#2026112210001]": the day of receipt and a per-day sequence from 10001.
_FIRST_OF_DAY = 10000

# SPEC §6 "What we ask for": the field and how the acknowledgement names it.
ASKED_FOR: tuple[tuple[str, str], ...] = (
    ("description", "what is not working"),
    ("steps", "the steps that lead to it"),
    ("since", "since when it happens"),
    ("others_affected", "whether other users are affected"),
    ("version", "the software version"),
    ("attachments", "logs or screenshots"),
    ("technical_contact", "a technical contact"),
)


def ticket_number(day: date, sequence: int) -> str:
    """Unique per day and sequence; sortable; readable on the phone."""
    if sequence < 1:
        raise ValueError("ticket sequences start at 1")
    return f"{day:%Y%m%d}{_FIRST_OF_DAY + sequence}"


def ticket_tag(number: str) -> str:
    """The tag every mail about the ticket carries in its subject, unchanged."""
    return f"[Ticket#{number}]"


def subject_with_tag(subject: str, number: str) -> str:
    tag = ticket_tag(number)
    return subject if tag in subject else f"{subject} {tag}".strip()


def region_for_country(country: str, region_by_country: Mapping[str, str], default_region: str) -> str:
    return region_by_country.get(country.upper(), default_region)


def priority_for_impact(impact: str | None, impact_priority: Mapping[str, str]) -> str:
    """The initial priority follows the stated impact; without one, a request is normal."""
    if impact and impact in impact_priority:
        return impact_priority[impact]
    return DEFAULT_PRIORITY


@dataclass(frozen=True)
class RequestDetails:
    description: str = ""
    steps: str = ""
    since: str = ""
    others_affected: bool | None = None
    version: str = ""
    technical_contact: str = ""
    attachments: int = 0


def missing_information(details: RequestDetails) -> list[str]:
    """What the acknowledgement asks for: every item of SPEC §6 the request did not give."""
    present = {
        "description": bool(details.description.strip()),
        "steps": bool(details.steps.strip()),
        "since": bool(details.since.strip()),
        "others_affected": details.others_affected is not None,
        "version": bool(details.version.strip()),
        "attachments": details.attachments > 0,
        "technical_contact": bool(details.technical_contact.strip()),
    }
    return [label for field, label in ASKED_FOR if not present[field]]


_NUMBER_IN_MAIL_ID = re.compile(r"(?:^|-)(\d{13})(?:-|$)")


def ticket_number_from_mail_id(mail_id: str) -> str | None:
    """Our ticket mails' ids name the ticket ("ticket-ack-2026112210001"): a reply to one threads to it."""
    match = _NUMBER_IN_MAIL_ID.search(mail_id)
    return match.group(1) if match else None

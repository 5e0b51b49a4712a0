"""Every customer mail in every offered language, complete, and formatted for its reader.

The templates are found, not listed: a mail added in English without its
translations, or a translation that drops or misspells a placeholder, fails
here. Needs no database: composing a mail only renders it.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.mail.render import (
    STAFF_MAILS,
    TEMPLATE_ROOT,
    RenderedMail,
    available_languages,
    placeholders,
    render_mail,
    template_names,
)
from shared.policy import get_policy

LANGUAGES = tuple(get_policy().languages)
ENGLISH_MAILS = tuple(template_names("en"))
CUSTOMER_MAILS = tuple(name for name in ENGLISH_MAILS if name not in STAFF_MAILS)

# One value per placeholder name, shaped as the callers pass it (shared/storage/*.py):
# dates as ISO days, moments as local text with zone, amounts as decimal strings.
SAMPLE: dict[str, Any] = {
    "account_id": "acc_4Fh2kQ",
    "admin_name": "Erika Mustermann",
    "agent_name": "Alex Agent",
    "app_url": "https://app.cocoon.example",
    "authorizer_name": "Boss",
    "bad_link": "https://app.cocoon.example/ticket-ratings/2026112300001?verdict=bad&token=abc",
    "channel": "letter",
    "company_name": "Müller & Söhne GmbH",
    "currency": "EUR",
    "days_left": 3,
    "deletion_on": "2026-11-30",
    "development_ticket": "DEV-42",
    "due_on": "2026-12-14",
    "edition": "team",
    "effective_on": "2026-11-30",
    "entries": [{"hours": "2.25", "description": "Fixed the CSV export"}],
    "fee": "5.00",
    "has_fee": True,
    "first_response_due": "2026-11-23 13:30 CET",
    "good_link": "https://app.cocoon.example/ticket-ratings/2026112300001?verdict=good&token=abc",
    "hours": "2.25",
    "invoice_number": "2026-000041",
    "limit_mb": 3,
    "debit_account_ending": "3000",
    "mandate_reference": "CCN-MANDATE-1",
    "link": "https://app.cocoon.example/service-reports/r1?token=abc",
    "missing": ["the steps that lead to it", "the software version", "a technical contact"],
    "month": "2026-11",
    "number": "2026112300001",
    "open_amount": "47.12",
    "oversized": [{"filename": "dump.bin", "size": 5242880}],
    "paid_from": "2026-12-01",
    "priority": "urgent",
    "received_on": "2026-11-16",
    "region": "DACH",
    "reopen_days": 7,
    "requester_name": "Erika Mustermann",
    "retention_days": 180,
    "state": "in progress",
    "subject": "Export to Excel fails",
    "support_closes": "18:00",
    "support_email": "support@cocoon.example",
    "support_hours": "Monday to Friday 10:00–18:00 (Europe/Berlin), except public holidays in Munich",
    "support_opens": "10:00",
    "support_time_zone": "Europe/Berlin",
    "tag": "[Ticket#2026112300001]",
    "text": "Please update to 5.3.",
    "total": "57.12",
    "trial_days": 30,
    "trial_ends_on": "2026-11-30",
    "unverified_days": 7,
    "vague_subject": True,
    "valid_until": "2026-11-23 13:30 CET",
    "name": "Erika Mustermann",  # the account pages' sign-in mail
    "sign_in_url": "https://cocoon.example/account/sign-in/confirm?token=dl_x",
    "verification_url": "https://app.cocoon.example/signup/verify?token=tok",
}
# The same mails with every optional paragraph switched off.
EMPTY_OPTIONALS = {"missing": [], "vague_subject": False, "development_ticket": "", "oversized": [], "entries": [], "has_fee": False,
                   "mandate_reference": ""}
# What must never reach a reader: unformatted dates, moments and months (ISO is for machines).
RAW_VALUES = ("2026-11-30", "2026-12-14", "2026-12-01", "2026-11-16", "2026-11-23 13:30", "2026-11-")
LEFTOVER_SYNTAX = ("{{", "}}", "{%", "%}", "{#", "#}")


def context_for(language: str, name: str, **overrides: Any) -> dict[str, Any]:
    names = placeholders(name, language)
    unknown = sorted(names - SAMPLE.keys())
    assert not unknown, f"{language}/{name}.txt reads {unknown}: add sample values for them to SAMPLE"
    return {key: overrides.get(key, SAMPLE[key]) for key in names}


def plain(text: str) -> str:
    """Babel separates amounts with (narrow) no-break spaces; compare with ordinary ones."""
    return "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in text)


def assert_complete(mail: RenderedMail, where: str) -> None:
    assert mail.subject.strip(), f"{where}: empty subject"
    assert "\n" not in mail.subject, f"{where}: the subject spans lines"
    for text in (mail.subject, mail.body_text):
        for syntax in LEFTOVER_SYNTAX:
            assert syntax not in text, f"{where}: {syntax!r} left in {text!r}"
        for raw in RAW_VALUES:
            assert raw not in text, f"{where}: unformatted {raw!r} in {text!r}"
        # A date format that ends in a dot ("2026. november 30.") must not meet the sentence's own.
        assert not re.search(r"(?<!\.)\.\.(?!\.)", text), f"{where}: doubled full stop in {text!r}"


# --- every mail, every language -------------------------------------------------------------------


def test_the_policy_languages_are_the_template_folders() -> None:
    assert set(LANGUAGES) <= set(available_languages())
    assert get_policy().fallback_language in LANGUAGES
    assert len(CUSTOMER_MAILS) >= 17  # verification … service report: the list and the ticket mails


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", CUSTOMER_MAILS)
def test_every_customer_mail_exists_in_every_language(language: str, name: str) -> None:
    assert (TEMPLATE_ROOT / language / f"{name}.txt").is_file(), f"{language}/{name}.txt is missing"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", CUSTOMER_MAILS)
def test_a_translation_keeps_the_placeholders_of_english(language: str, name: str) -> None:
    assert placeholders(name, language) == placeholders(name, "en")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", CUSTOMER_MAILS)
def test_every_mail_renders_completely_with_and_without_its_optional_parts(language: str, name: str) -> None:
    full = render_mail(name, language, context_for(language, name))
    assert_complete(full, f"{language}/{name}")
    bare = render_mail(name, language, context_for(language, name, **EMPTY_OPTIONALS))
    assert_complete(bare, f"{language}/{name} (no optional parts)")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_language_without_a_mail_gets_it_in_the_fallback_language(language: str) -> None:
    # The staff mail exists in English only; every account language gets it in English.
    mail = render_mail("escalation", language, context_for("en", "escalation"))
    assert mail.subject.startswith("Overdue first response")
    assert "November 23, 2026" in plain(mail.body_text)


def test_an_unknown_or_odd_language_code_falls_back_to_english() -> None:
    for code in ("ja", "", "../en", "EN"):
        mail = render_mail("invoice", code, context_for("en", "invoice"))
        assert mail.subject.startswith("Your Cocoon invoice"), code


# --- formatted for the reader ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "money", "due_on", "month"),
    [
        ("en", "€57.12", "December 14, 2026", "November 2026"),
        ("de", "57,12 €", "14. Dezember 2026", "November 2026"),
        ("fr", "57,12 €", "14 décembre 2026", "novembre 2026"),
        ("cs", "57,12 €", "14. prosince 2026", "listopad 2026"),
        ("hu", "57,12 EUR", "2026. december 14.", "2026. november"),
        ("pl", "57,12 €", "14 grudnia 2026", "listopad 2026"),
        ("tr", "€57,12", "14 Aralık 2026", "Kasım 2026"),
    ],
)
def test_amounts_dates_and_months_are_formatted_for_the_language(
    language: str, money: str, due_on: str, month: str
) -> None:
    mail = render_mail("invoice", language, context_for(language, "invoice"))
    body = plain(mail.body_text)
    assert money in body and due_on in body and month in body, body
    assert month in plain(mail.subject)


def test_moments_keep_their_zone_and_use_the_languages_clock() -> None:
    english = plain(render_mail("signup_verification", "en", context_for("en", "signup_verification")).body_text)
    german = plain(render_mail("signup_verification", "de", context_for("de", "signup_verification")).body_text)
    assert "November 23, 2026, 1:30 PM CET" in english
    assert "23. November 2026, 13:30 CET" in german


def test_moments_given_as_iso_with_offset_are_formatted_too() -> None:
    context = context_for("de", "ticket_acknowledgement", first_response_due="2026-11-23T13:30:00+01:00")
    body = plain(render_mail("ticket_acknowledgement", "de", context).body_text)
    assert "23. November 2026, 13:30" in body


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", {1: "1 day", 3: "3 days"}),
        ("de", {1: "1 Tag", 3: "3 Tagen"}),
        ("cs", {1: "1 den", 3: "3 dny", 7: "7 dní"}),
        ("pl", {1: "1 dzień", 3: "3 dni", 7: "7 dni"}),
        ("ro", {1: "1 zi", 3: "3 zile", 21: "21 de zile"}),
    ],
)
def test_counts_follow_the_languages_plural_rules(language: str, expected: dict[int, str]) -> None:
    for days, words in expected.items():
        mail = render_mail("trial_reminder", language, context_for(language, "trial_reminder", days_left=days))
        assert words in mail.subject, (days, mail.subject)


def test_words_the_code_passes_in_english_are_translated() -> None:
    body = render_mail("ticket_acknowledgement", "de", context_for("de", "ticket_acknowledgement")).body_text
    assert "den Schritten, die zum Fehler führen" in body and "the steps that lead to it" not in body
    assert "Mitteleuropäische Zeit" in body and "außer an Feiertagen in München" in body
    status = render_mail("ticket_status_update", "fr", context_for("fr", "ticket_status_update")).body_text
    assert "nous y travaillons" in status
    cancelled = render_mail("cancellation_confirmation", "es", context_for("es", "cancellation_confirmation"))
    assert "por carta" in cancelled.body_text


def test_customer_text_is_shown_as_written_never_evaluated() -> None:
    mail = render_mail("ticket_reply", "en", context_for("en", "ticket_reply", subject="{{ 7*7 }}", text="{% x %}"))
    assert mail.subject == "Re: {{ 7*7 }}" and "{% x %}" in mail.body_text
    amp = render_mail("invoice", "en", context_for("en", "invoice"))
    assert "Müller & Söhne GmbH" in amp.body_text  # plain text: no HTML escaping


# --- ticket mails through the real path: the tag stays -----------------------------------------------

TICKET_MAIL_EXTRAS: dict[str, dict[str, Any]] = {
    "ticket_acknowledgement": {"missing": ["the software version"], "vague_subject": True},
    "attachment_too_large": {"oversized": [{"filename": "dump.bin", "size": 5242880}], "limit_mb": 3},
    "ticket_reply": {"agent_name": "Alex Agent", "text": "Fixed."},
    "ticket_in_progress": {"agent_name": "Alex Agent"},
    "ticket_status_update": {"state": "waiting for customer", "development_ticket": ""},
    "ticket_closed_notice": {},
    "service_report": {"hours": "2.25", "link": "https://x.example/r", "entries": SAMPLE["entries"]},
    "authorization_request": {"link": "https://x.example/a", "authorizer_name": "Boss"},
    "ticket_solved": {"good_link": "https://x.example/g", "bad_link": "https://x.example/b", "reopen_days": 7},
}


def _ticket_and_account(language: str) -> tuple[Any, Any]:
    from shared.storage.models import Account, Ticket, account_pk

    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    account = Account(
        account_pk("acc_1"),
        "ACCOUNT",
        account_id="acc_1",
        state="customer",
        company_name="Beispiel GmbH",
        organization_type="company",
        country="DE",
        admin_name="Erika Mustermann",
        admin_email="erika@beispiel.example",
        language=language,
        dpa_version="1",
        dpa_accepted_at=now,
        created_at=now,
    )
    ticket = Ticket(
        account_pk("acc_1"),
        "TICKET#2026112300007",
        account_id="acc_1",
        number="2026112300007",
        subject="Drucker druckt nicht [wichtig]",
        priority="urgent",
        region="DACH",
        channel="form",
        received_at=now,
        first_response_due=now + timedelta(hours=4),
        requester_user_id="usr_1",
        requester_email="erika@beispiel.example",
        requester_name="Erika Mustermann",
    )
    return ticket, account


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_ticket_mail_subject_keeps_the_tag_unchanged(language: str, db: str) -> None:
    # db: a mail to the requester reads their own choice of language on their user record (issue 16).
    from shared.services.support.mails import ticket_mail

    assert set(TICKET_MAIL_EXTRAS) <= set(CUSTOMER_MAILS)
    ticket, account = _ticket_and_account(language)
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    for name, extra in TICKET_MAIL_EXTRAS.items():
        mail = ticket_mail(ticket, account, name, f"test-{name}", now, get_policy(), **extra)
        assert "[Ticket#2026112300007]" in mail.subject, (language, name, mail.subject)
        assert mail.subject.count("[Ticket#") == 1, (language, name, mail.subject)
        assert "{{" not in mail.subject + mail.body_text


# --- a thirteenth language is a folder of files --------------------------------------------------------


def test_adding_a_language_is_adding_files(tmp_path: Path) -> None:
    root = tmp_path / "mail"
    shutil.copytree(TEMPLATE_ROOT, root)
    shutil.copytree(TEMPLATE_ROOT / "en", root / "sv")  # a translator's first step: a copy to translate
    shutil.copytree(TEMPLATE_ROOT / "en", root / "xq")  # a code Babel does not know at all
    assert {"sv", "xq"} <= set(available_languages(root))
    assert template_names("sv", root) == list(ENGLISH_MAILS)

    swedish = render_mail("invoice", "sv", context_for("en", "invoice"), root=root)
    assert "14 december 2026" in plain(swedish.body_text) and "57,12 €" in plain(swedish.body_text)
    unknown = render_mail("invoice", "xq", context_for("en", "invoice"), root=root)
    assert "December 14, 2026" in plain(unknown.body_text)  # formatted like the fallback language
    (root / "sv" / "invoice.txt").write_text("Subject: Faktura {{ number }}\n\nHej {{ admin_name }}!\n")
    assert render_mail("invoice", "sv", context_for("en", "invoice"), root=root).subject == "Faktura 2026112300001"


def test_the_template_root_can_be_pointed_elsewhere_by_environment(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "hello.txt").write_text("Subject: Hi {{ name }}\n\nBody\n")
    monkeypatch.setenv("COCOON_MAIL_TEMPLATES", str(tmp_path))
    assert render_mail("hello", "de", {"name": "Ana"}).subject == "Hi Ana"


def test_an_unfilled_placeholder_is_an_error_not_an_empty_string() -> None:
    import jinja2

    context = context_for("en", "invoice")
    del context["total"]
    with pytest.raises(jinja2.UndefinedError):
        render_mail("invoice", "en", context)

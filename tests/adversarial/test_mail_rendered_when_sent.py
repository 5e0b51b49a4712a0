"""Mails are rendered when the mail job sends them, not in the request that causes them (issue 14, cold start).

The attempts: a request that pays for Jinja2, Babel and a template to render a mail that leaves seconds
later; a mail job that sends something other than what the reader's language and the event's values say;
a queued mail whose values reach the customer's data export as they are, rather than as the text they
become. The refusals: the request stores the template, the reader's language and plain values; the job
renders and sends exactly that (and keeps it as sent); a value that is not plain JSON is refused when
the mail is composed, never silently changed at sending.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from tests.functional.helpers import ADMIN, body_of, deliver_mail, fresh_interpreter, now_header, post_json

ROOT = Path(__file__).resolve().parents[2]
OPENED_AT = "2026-11-23T10:00:00+01:00"


def _stored_mails(account_id: str, template: str) -> list[Any]:
    from shared.storage.models import CocoonItem, OutboxMail

    return [item for item in CocoonItem.query(f"ACCOUNT#{account_id}")
            if isinstance(item, OutboxMail) and item.template == template]


def test_a_web_form_ticket_renders_no_mail_and_the_job_sends_it_in_the_requesters_language(
    client: Any, customer: dict[str, Any], outbox_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.mail import render
    from shared.rules.identity import user_id_for_email
    from shared.storage.contact_language import save_contact_language

    # The requester chose French for themselves (the account speaks German): read with the requester.
    assert save_contact_language(customer["account_id"], user_id_for_email(ADMIN), "fr")
    rendered: list[str] = []
    real_render = render.render_mail

    def recording(name: str, *args: Any, **kwargs: Any) -> Any:
        rendered.append(name)
        return real_render(name, *args, **kwargs)

    monkeypatch.setattr(render, "render_mail", recording)
    answer = post_json(client, "/tickets", {"email": ADMIN, "subject": "Export fails", "description": "Error 500"},
                       now_header(OPENED_AT))
    assert answer.status_code == 201, answer.body
    number = body_of(answer)["number"]
    assert rendered == []  # the request composed the acknowledgement and rendered nothing
    (queued,) = _stored_mails(customer["account_id"], "ticket_acknowledgement")
    assert (queued.language, queued.subject_tag, queued.subject, queued.body_text) == ("fr", number, None, None)
    assert queued.context["subject"] == "Export fails"

    deliver_mail(OPENED_AT)
    assert rendered == ["ticket_acknowledgement"]
    sent = message_from_bytes((outbox_dir / f"{queued.mail_id}.eml").read_bytes(), policy=policy.default)
    assert sent["Subject"] == f"Nous avons bien reçu votre demande : Export fails [Ticket#{number}]"
    body = sent.get_body(preferencelist=("plain",))
    assert body is not None and "Bonjour" in body.get_content()
    (kept,) = _stored_mails(customer["account_id"], "ticket_acknowledgement")
    assert (kept.subject, kept.body_text) == (str(sent["Subject"]), body.get_content().replace("\r\n", "\n"))


def test_a_queued_mail_reaches_the_export_as_its_text_never_as_its_values(
    client: Any, customer: dict[str, Any]
) -> None:
    from shared.services.accounts.export import export_account

    answer = post_json(client, "/tickets", {"email": ADMIN, "subject": "Export fails", "description": "Error 500"},
                       now_header(OPENED_AT))
    assert answer.status_code == 201, answer.body
    mails = [item for item in export_account(customer["account_id"]).items
             if item["type"] == "outbox_mail" and item["template"] == "ticket_acknowledgement"]
    assert len(mails) == 1 and "context" not in mails[0]
    assert "Export fails" in mails[0]["subject"] and mails[0]["body_text"].strip()


@pytest.mark.parametrize("value", [Decimal("57.12"), date(2026, 11, 30), float("nan"), {"a", "b"}])
def test_a_value_that_is_not_plain_json_is_refused_when_the_mail_is_composed(value: object) -> None:
    # Else the job would render str()/repr() of it, or the outbox write would fail later in the transaction.
    from shared.mail.compose import compose_mail

    with pytest.raises((TypeError, ValueError)):
        compose_mail(mail_id="m-1", account_id=None, recipient="ada@kunde.example", template="invoice",
                     language="de", context={"total": value}, now=datetime(2026, 11, 30, tzinfo=UTC))


def test_a_first_signup_loads_neither_jinja2_nor_babel_and_its_mail_still_goes_out_rendered(db: str) -> None:
    code = (
        "import json, sys\n"
        "from datetime import datetime\n"
        "from chalice.test import Client\n"
        "import app\n"
        "from functions import mail_delivery\n"
        "signup = {'company_name': 'Kalt GmbH', 'organization_type': 'company', 'country': 'DE',\n"
        "          'vat_id': 'DE136695976', 'admin_name': 'Erika Mustermann', 'admin_email': 'kalt@beispiel.example',\n"
        "          'language': 'de', 'accept_dpa': True, 'street': 'Hauptstraße 5', 'postcode': '70173',\n"
        "          'city': 'Stuttgart'}\n"
        "headers = {'Content-Type': 'application/json', 'X-Cocoon-Now': '2026-05-04T10:00:00+02:00'}\n"
        "with Client(app.app, stage_name='test') as client:\n"
        "    signed = client.http.post('/signup', body=json.dumps(signup), headers=headers).status_code\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'jinja2', 'babel'})\n"
        "sent = mail_delivery.run(datetime.fromisoformat('2026-05-04T10:00:05+02:00')).done\n"
        "print(json.dumps({'answer': signed, 'loaded': loaded, 'sent': sent}))\n"
    )
    result = json.loads(fresh_interpreter(code))
    assert result == {"answer": 202, "loaded": [], "sent": 1}

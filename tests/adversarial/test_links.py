"""Attacks on the signed links that decide something: service reports and authorizations.

Each test is what an attacker tries, and the refusal we expect: guessed and shortened tokens,
another report's token, an expired link, a second decision, an old authorization link on a new
request, a report token presented as an authorization token.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from shared.storage.models import Authorizer, BillableHoursEntry, CocoonItem, ServiceReport, Ticket
from tests.functional.helpers import auth, body_of, mail_text, now_header, post_json, run_job, signup_and_verify

OPENED = "2026-11-23T11:00:00+01:00"  # Monday, in support hours
SOLVED = "2026-11-23T12:00:00+01:00"
# Every character a one-character token can have: base64url (our signatures) and hex (the old ones).
ONE_CHARACTER_TOKENS = sorted(set(string.ascii_letters + string.digits + "-_"))


def as_staff(client: Any, agent: dict[str, str], path: str, body: Any = None, now: str = SOLVED) -> Any:
    return post_json(client, path, body or {}, {**agent, **now_header(now)})


def open_ticket(client: Any, customer: dict[str, Any], subject: str = "Export fails") -> str:
    response = post_json(
        client,
        "/tickets",
        {"subject": subject, "description": "Error 500", "impact": "severe"},
        {**auth(customer), **now_header(OPENED)},
    )
    assert response.status_code == 201, response.body
    return str(body_of(response)["number"])


def link_in_mail(outbox_dir: Path, name: str, marker: str) -> str:
    """The path and query of the link in a delivered mail."""
    text = mail_text(outbox_dir / name)
    link = next(line for line in text.splitlines() if marker in line).strip()
    return link[link.index(marker) :]


def solved_with_report(client: Any, customer: dict[str, Any], agent: dict[str, str], outbox_dir: Path,
                       subject: str = "Export fails") -> tuple[str, str]:
    """A solved ticket with logged hours: (report id, the report link's path) from the mail."""
    number = open_ticket(client, customer, subject)
    as_staff(client, agent, f"/staff/tickets/{number}/time", {"hours": "2.25", "description": "Fix"})
    assert as_staff(client, agent, f"/staff/tickets/{number}/state", {"state": "solved"}).status_code == 200
    run_job("mail", "2026-11-23T12:05:00+01:00")
    [mail] = [p.name for p in outbox_dir.glob(f"service-report-rep_{number}_*.eml")]
    path = link_in_mail(outbox_dir, mail, "/service-reports/")
    report_id = urlsplit(path).path.rsplit("/", 1)[1]
    return report_id, path


def token_of(path: str) -> str:
    return parse_qs(urlsplit(path).query)["token"][0]


def with_token(path: str, token: str) -> str:
    parts = urlsplit(path)
    query = "&".join(p for p in parts.query.split("&") if not p.startswith("token="))
    return f"{parts.path}?{query + '&' if query else ''}token={token}"


def report(report_id: str) -> ServiceReport:
    [item] = [i for i in CocoonItem.scan(consistent_read=True) if isinstance(i, ServiceReport)
              and i.report_id == report_id]
    return item


def ledger() -> list[BillableHoursEntry]:
    return [i for i in CocoonItem.scan(consistent_read=True) if isinstance(i, BillableHoursEntry)]


def ticket(number: str) -> Ticket:
    [item] = [i for i in CocoonItem.scan(consistent_read=True) if isinstance(i, Ticket) and i.number == number]
    return item


# --- service reports ------------------------------------------------------------------------------


def test_the_short_token_7_and_every_one_character_token_open_and_approve_nothing(
    client: Any, customer: dict[str, Any], agent: dict[str, str], outbox_dir: Path,
) -> None:
    report_id, path = solved_with_report(client, customer, agent, outbox_dir)
    for guess in ["7", *ONE_CHARACTER_TOKENS]:
        shown = client.http.get(with_token(path, guess))
        assert shown.status_code == 401 and body_of(shown)["error"]["code"] == "invalid_link", guess
        decided = post_json(client, with_token(path, guess), {"decision": "approve"}, now_header("2026-11-24T09:00:00+01:00"))
        assert decided.status_code == 401 and body_of(decided)["error"]["fields"] == {"token": "invalid"}, guess
    assert report(report_id).state == "pending" and ledger() == []


def test_every_shortened_version_of_the_real_token_is_refused(
    client: Any, customer: dict[str, Any], agent: dict[str, str], outbox_dir: Path,
) -> None:
    report_id, path = solved_with_report(client, customer, agent, outbox_dir)
    token = token_of(path)
    for length in (1, 2, 4, 8, 16, 32, len(token) - 1):
        assert client.http.get(with_token(path, token[:length])).status_code == 401, length
        assert post_json(client, with_token(path, token[:length]), {"decision": "approve"}).status_code == 401
    assert report(report_id).state == "pending"
    assert client.http.get(path).status_code == 200


def test_another_reports_token_does_not_open_or_approve_this_report(
    client: Any, customer: dict[str, Any], agent: dict[str, str], outbox_dir: Path,
) -> None:
    mine, my_path = solved_with_report(client, customer, agent, outbox_dir, "Export fails")
    other = signup_and_verify(client, outbox_dir, email="ops@andere.example", now="2026-11-02T10:00:00+01:00")
    theirs, their_path = solved_with_report(client, other, agent, outbox_dir, "Import fails")
    stolen = with_token(their_path, token_of(my_path))
    assert client.http.get(stolen).status_code == 401
    assert post_json(client, stolen, {"decision": "dispute"}).status_code == 401
    assert report(theirs).state == "pending" and report(mine).state == "pending"


def test_an_expired_report_link_is_refused_and_decides_nothing(
    client: Any, customer: dict[str, Any], agent: dict[str, str], outbox_dir: Path,
) -> None:
    report_id, path = solved_with_report(client, customer, agent, outbox_dir)
    late = now_header("2026-12-23T12:00:00+01:00")  # 30 days (support.decision_link_days) after it was mailed
    decided = post_json(client, path, {"decision": "approve"}, late)
    assert decided.status_code == 410 and body_of(decided)["error"]["code"] == "link_expired"
    assert body_of(decided)["error"]["fields"] == {"token": "expired"}
    assert client.http.get(path, headers=late).status_code == 410
    assert report(report_id).state == "pending" and ledger() == []
    in_time = post_json(client, path, {"decision": "approve"}, now_header("2026-12-23T11:59:00+01:00"))
    assert in_time.status_code == 200


def test_the_expiry_inside_a_report_link_cannot_be_extended(
    client: Any, customer: dict[str, Any], agent: dict[str, str], outbox_dir: Path,
) -> None:
    report_id, path = solved_with_report(client, customer, agent, outbox_dir)
    parts = token_of(path).split(".")
    assert len(parts) == 4, "the token names its key, link and expiry"
    parts[2] = str(int(parts[2]) + 365 * 86400)
    extended = with_token(path, ".".join(parts))
    assert post_json(client, extended, {"decision": "approve"}, now_header("2027-01-10T10:00:00+01:00")).status_code == 401
    assert report(report_id).state == "pending"


def test_a_report_link_decides_once_and_records_when_and_which_link(
    client: Any, customer: dict[str, Any], agent: dict[str, str], outbox_dir: Path,
) -> None:
    report_id, path = solved_with_report(client, customer, agent, outbox_dir)
    approved = post_json(client, path, {"decision": "approve"}, now_header("2026-11-24T09:00:00+01:00"))
    assert approved.status_code == 200 and body_of(approved)["state"] == "approved"
    again = post_json(client, path, {"decision": "dispute", "comment": "changed my mind"},
                      now_header("2026-11-24T10:00:00+01:00"))
    assert again.status_code == 409 and body_of(again)["error"]["code"] == "already_decided"
    decided = report(report_id)
    assert decided.state == "approved" and decided.comment is None
    assert decided.decided_at.isoformat() == "2026-11-24T08:00:00+00:00"
    assert decided.decided_link_id == token_of(path).split(".")[1]
    assert len(ledger()) == 1


# --- authorizations -------------------------------------------------------------------------------


def authorization_requested(client: Any, customer: dict[str, Any], agent: dict[str, str], outbox_dir: Path,
                            number: str, at: str) -> str:
    """Staff ask for authorization at `at`; the path of the link mailed to the authorizer."""
    before = set(outbox_dir.glob("authorize-*.eml")) if outbox_dir.exists() else set()
    assert as_staff(client, agent, f"/staff/tickets/{number}/authorization", now=at).status_code == 200
    run_job("mail", at)
    [new] = set(outbox_dir.glob("authorize-*.eml")) - before
    return link_in_mail(outbox_dir, new.name, "/authorizations/")


@pytest.fixture
def authorizer(client: Any, customer: dict[str, Any]) -> None:
    added = post_json(client, f"/accounts/{customer['account_id']}/authorizers",
                      {"email": "boss@beispiel.example", "name": "Boss"}, auth(customer))
    assert added.status_code == 201


def test_every_one_character_authorization_token_approves_nothing(
    client: Any, customer: dict[str, Any], agent: dict[str, str], outbox_dir: Path, authorizer: None,
) -> None:
    number = open_ticket(client, customer)
    path = authorization_requested(client, customer, agent, outbox_dir, number, "2026-11-23T12:00:00+01:00")
    for guess in ["7", *ONE_CHARACTER_TOKENS]:
        answer = post_json(client, with_token(path, guess), {})
        assert answer.status_code == 401 and body_of(answer)["error"]["code"] == "invalid_link", guess
    assert ticket(number).authorized_at is None


def test_an_old_authorization_link_does_not_approve_a_new_request(
    client: Any, customer: dict[str, Any], agent: dict[str, str], outbox_dir: Path, authorizer: None,
) -> None:
    number = open_ticket(client, customer)
    first = authorization_requested(client, customer, agent, outbox_dir, number, "2026-11-23T12:00:00+01:00")
    assert post_json(client, first, {}, now_header("2026-11-23T12:10:00+01:00")).status_code == 200
    # Later the ticket needs another approval (another change): a new request, a new mail, a new link.
    second = authorization_requested(client, customer, agent, outbox_dir, number, "2026-11-24T12:00:00+01:00")
    assert token_of(second) != token_of(first)
    replayed = post_json(client, first, {}, now_header("2026-11-24T12:10:00+01:00"))
    assert replayed.status_code == 410 and body_of(replayed)["error"]["code"] == "link_superseded"
    assert ticket(number).authorized_at is None
    assert post_json(client, second, {}, now_header("2026-11-24T12:20:00+01:00")).status_code == 200


def test_an_authorization_link_decides_once_and_records_when_and_which_link(
    client: Any, customer: dict[str, Any], agent: dict[str, str], outbox_dir: Path, authorizer: None,
) -> None:
    number = open_ticket(client, customer)
    path = authorization_requested(client, customer, agent, outbox_dir, number, "2026-11-23T12:00:00+01:00")
    assert post_json(client, path, {}, now_header("2026-11-23T12:10:00+01:00")).status_code == 200
    again = post_json(client, path, {}, now_header("2026-11-23T12:20:00+01:00"))
    assert again.status_code == 409 and body_of(again)["error"]["code"] == "already_decided"
    decided = ticket(number)
    assert decided.authorized_at.isoformat() == "2026-11-23T11:10:00+00:00"
    assert decided.authorized_link_id == token_of(path).split(".")[1] == decided.authorization_request_id
    boss = next(i for i in CocoonItem.scan() if isinstance(i, Authorizer))
    assert decided.authorized_by_id == boss.authorizer_id


def test_an_expired_authorization_link_is_refused(
    client: Any, customer: dict[str, Any], agent: dict[str, str], outbox_dir: Path, authorizer: None,
) -> None:
    number = open_ticket(client, customer)
    path = authorization_requested(client, customer, agent, outbox_dir, number, "2026-11-23T12:00:00+01:00")
    late = post_json(client, path, {}, now_header("2026-12-23T12:00:00+01:00"))
    assert late.status_code == 410 and body_of(late)["error"]["code"] == "link_expired"
    assert ticket(number).authorized_at is None


def test_a_report_token_is_no_authorization_token(
    client: Any, customer: dict[str, Any], agent: dict[str, str], outbox_dir: Path, authorizer: None,
) -> None:
    number = open_ticket(client, customer, "Grant admin rights")
    path = authorization_requested(client, customer, agent, outbox_dir, number, "2026-11-23T12:00:00+01:00")
    _, report_path = solved_with_report(client, customer, agent, outbox_dir, "Export fails")
    forged = with_token(path, token_of(report_path))
    answer = post_json(client, forged, {}, now_header("2026-11-23T12:30:00+01:00"))
    assert answer.status_code == 401 and body_of(answer)["error"]["code"] == "invalid_link"
    assert ticket(number).authorized_at is None

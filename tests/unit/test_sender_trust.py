"""The sender-trust rule: SES receipt verdicts and our relay's Authentication-Results, without a database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.rules.sender_trust import (
    NOT_CHECKED,
    SenderVerdicts,
    Verdict,
    authentication_results_of,
    trust_from_verdicts,
    verdicts_from_authentication_results,
    verdicts_from_ses_receipt,
    webhook_sender_trust,
)

RELAY = "mx.cocoon.example"
P, F, N, E = Verdict.PASS, Verdict.FAIL, Verdict.NONE, Verdict.ERROR


@pytest.mark.parametrize(("verdicts", "trusted", "reason"), [
    (SenderVerdicts(dmarc=P, spf=P, dkim=P, spam=P, virus=P), True, "dmarc_pass"),
    (SenderVerdicts(dmarc=P, spf=F, dkim=N), True, "dmarc_pass"),  # DMARC passed on DKIM alignment
    (SenderVerdicts(dmarc=F, spf=P, dkim=P), False, "dmarc_fail"),
    (SenderVerdicts(dmarc=E, spf=P, dkim=P), False, "dmarc_error"),
    (SenderVerdicts(dmarc=P, virus=F), False, "virus"),
    (SenderVerdicts(dmarc=P, virus=E), False, "virus"),  # a virus scan that failed says nothing good
    (SenderVerdicts(dmarc=P, spam=F), False, "spam"),
    (SenderVerdicts(dmarc=N, spf=P), True, "no_dmarc_policy_spf_or_dkim_pass"),
    (SenderVerdicts(dmarc=N, dkim=P, spf=F), True, "no_dmarc_policy_spf_or_dkim_pass"),
    (SenderVerdicts(dmarc=N, spf=F, dkim=F), False, "unauthenticated"),
    (SenderVerdicts(), False, "unauthenticated"),
])
def test_trust_from_verdicts(verdicts: SenderVerdicts, trusted: bool, reason: str) -> None:
    decision = trust_from_verdicts(verdicts)
    assert (decision.trusted, decision.reason) == (trusted, reason)


def _receipts(testdata_dir: Path) -> dict[str, object]:
    events = testdata_dir / "aws_events"
    found: dict[str, object] = {}
    for name in ("aws-lambda-go/ses-lambda-event.json", "aws-lambda-go/ses-sns-event.json",
                 "aws-lambda-go/ses-s3-event.json", "powertools/sesEvent.json"):
        found[name] = json.loads((events / name).read_text())["Records"][0]["ses"]["receipt"]
    found["awsdocs"] = json.loads((events / "awsdocs/ses_receiving_sns_action_notification.json").read_text())["receipt"]
    return found


def test_the_published_ses_receipts_are_trusted(testdata_dir: Path) -> None:
    receipts = _receipts(testdata_dir)
    for name, receipt in receipts.items():
        assert trust_from_verdicts(verdicts_from_ses_receipt(receipt)).trusted, name
    # The AWS docs' sample predates DMARC verdicts: SPF and DKIM passed, no DMARC result.
    assert verdicts_from_ses_receipt(receipts["awsdocs"]) == SenderVerdicts(spf=P, dkim=P, spam=P, virus=P)
    assert verdicts_from_ses_receipt(receipts["powertools/sesEvent.json"]) == SenderVerdicts(P, P, P, P, P)


@pytest.mark.parametrize(("changed", "reason"), [
    ({"dmarcVerdict": "FAIL"}, "dmarc_fail"),
    ({"dmarcVerdict": "PROCESSING_FAILED"}, "dmarc_error"),
    ({"virusVerdict": "FAIL"}, "virus"),
    ({"spamVerdict": "FAIL"}, "spam"),
    ({"dmarcVerdict": "GRAY", "spfVerdict": "FAIL", "dkimVerdict": "FAIL"}, "unauthenticated"),
    ({"dmarcVerdict": "GRAY", "spfVerdict": "GRAY", "dkimVerdict": "DISABLED"}, "unauthenticated"),
])
def test_failing_ses_receipts_are_not_trusted(testdata_dir: Path, changed: dict[str, str], reason: str) -> None:
    receipt = dict(_receipts(testdata_dir)["aws-lambda-go/ses-sns-event.json"])  # type: ignore[call-overload]
    receipt.update({name: {"status": status} for name, status in changed.items()})
    decision = trust_from_verdicts(verdicts_from_ses_receipt(receipt))
    assert (decision.trusted, decision.reason) == (False, reason)


@pytest.mark.parametrize("receipt", [None, "PASS", [], {"dmarcVerdict": "PASS"}, {"dmarcVerdict": {"status": 1}}])
def test_odd_receipts_vouch_for_nobody(receipt: object) -> None:
    assert not trust_from_verdicts(verdicts_from_ses_receipt(receipt)).trusted


def _mail(*auth_results: str) -> bytes:
    headers = "".join(f"Authentication-Results: {value}\r\n" for value in auth_results)
    return (headers + "From: erika@beispiel.example\r\nSubject: Hi\r\n\r\nbody\r\n").encode()


def test_only_the_topmost_header_of_our_authserv_id_counts() -> None:
    raw = _mail(
        "other.example; dmarc=fail",
        f"{RELAY}; spf=pass smtp.mailfrom=beispiel.example; dkim=fail header.d=x.example; "
        "dkim=pass header.d=beispiel.example; dmarc=pass (p=reject) header.from=beispiel.example",
        f"{RELAY}; dmarc=fail",  # below ours: came with the mail
    )
    verdicts = verdicts_from_authentication_results(authentication_results_of(raw), RELAY)
    assert verdicts == SenderVerdicts(spf=P, dkim=P, dmarc=P)


@pytest.mark.parametrize(("header", "reason"), [
    (f"{RELAY}; dmarc=fail header.from=beispiel.example", "dmarc_fail"),
    (f"{RELAY}; dmarc=pass; dmarc=fail", "dmarc_fail"),
    (f"{RELAY}; dmarc=temperror", "dmarc_error"),
    (f"{RELAY}; spf=softfail smtp.mailfrom=x.example; dkim=none; dmarc=none", "unauthenticated"),
    (f"{RELAY}; none", "unauthenticated"),
    (f"{RELAY.upper()} 1; dmarc=pass", "dmarc_pass"),  # authserv-ids compare case-insensitively; a version may follow
    (f"{RELAY}; spf=pass smtp.mailfrom=beispiel.example; dmarc=none", "no_dmarc_policy_spf_or_dkim_pass"),
])
def test_the_relays_verdict(header: str, reason: str) -> None:
    assert webhook_sender_trust(_mail(header), RELAY, may_go_unchecked=False).reason == reason


@pytest.mark.parametrize("raw", [
    _mail("mx.attacker.example; dmarc=pass"),
    _mail(f"{RELAY}.attacker.example; dmarc=pass"),
    _mail(f"{RELAY} dmarc=pass"),  # unparsable: no ";" after the authserv-id
    _mail(f"{RELAY}; dmarc=pass " + "x" * 10_000),  # far longer than any relay writes
    _mail(),
    b"\xff\xfe not a mail",
])
def test_without_the_relays_header_nobody_is_trusted(raw: bytes) -> None:
    decision = webhook_sender_trust(raw, RELAY, may_go_unchecked=True)
    assert (decision.trusted, decision.reason) == (False, "no_relay_verdict")


def test_without_a_configured_relay_only_local_and_test_take_mail_unchecked() -> None:
    raw = _mail("mx.attacker.example; dmarc=pass")
    assert webhook_sender_trust(raw, None, may_go_unchecked=True) is NOT_CHECKED
    assert webhook_sender_trust(raw, " ", may_go_unchecked=True) is NOT_CHECKED
    deployed = webhook_sender_trust(raw, None, may_go_unchecked=False)
    assert (deployed.trusted, deployed.reason) == (False, "relay_not_configured")

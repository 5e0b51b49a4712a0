"""Whether an inbound mail may be taken as coming from the address in its From header. Pure.

Anyone can write a contact's address into From. What tells a forged mail from a real one is
what the receiving side checked: on the SES path the receipt verdicts SES put into its
notification, on the webhook path the `Authentication-Results` header our relay added
(RFC 8601). Only the relay's own header counts: it is the topmost one carrying the configured
authserv-id. Any other Authentication-Results (another authserv-id, or one further down, which
came with the mail from outside) is ignored, since a sender can write those too.

The decision, in order:

1. a virus (or a virus scan that failed) → not trusted;
2. spam (SES spam verdict FAIL) → not trusted;
3. DMARC fail, or a DMARC check that errored → not trusted;
4. DMARC pass → trusted;
5. no DMARC result (the From domain publishes no DMARC policy: SES "GRAY", `dmarc=none`, or no
   verdict at all): trusted only if SPF or DKIM passed, else not trusted. Without a DMARC policy
   the domain owner has not said how its mail is authenticated; this is the most a receiver can
   check, and such a domain stays spoofable by a sender with its own SPF/DKIM (documented limit).

"Not trusted" does not drop the mail: the desk keeps it for staff review as an unverified sender.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email import policy as email_policy
from email.parser import BytesHeaderParser
from enum import StrEnum
from typing import Any

__all__ = [
    "NOT_CHECKED",
    "SenderTrust",
    "SenderVerdicts",
    "Verdict",
    "authentication_results_of",
    "trust_from_verdicts",
    "verdicts_from_authentication_results",
    "verdicts_from_ses_receipt",
    "webhook_sender_trust",
]


class Verdict(StrEnum):
    PASS = "pass"  # noqa: S105  (a verdict, not a password)
    FAIL = "fail"
    NONE = "none"  # nothing to say: no record/policy, neutral, check disabled, or no result given
    ERROR = "error"  # the check could not be made (temperror, permerror, SES PROCESSING_FAILED)


@dataclass(frozen=True, slots=True)
class SenderVerdicts:
    spf: Verdict = Verdict.NONE
    dkim: Verdict = Verdict.NONE
    dmarc: Verdict = Verdict.NONE
    spam: Verdict = Verdict.NONE
    virus: Verdict = Verdict.NONE


@dataclass(frozen=True, slots=True)
class SenderTrust:
    """The decision `take_in_mail` acts on; `reason` is a short code for the review list and logs."""

    trusted: bool
    reason: str


# Local and test stages without a configured relay: nobody checked, and that is allowed there only.
NOT_CHECKED = SenderTrust(True, "not_checked")


def trust_from_verdicts(verdicts: SenderVerdicts) -> SenderTrust:
    """Decide from the verdicts (see the module's docstring for the order)."""
    if verdicts.virus in (Verdict.FAIL, Verdict.ERROR):
        return SenderTrust(False, "virus")
    if verdicts.spam is Verdict.FAIL:
        return SenderTrust(False, "spam")
    if verdicts.dmarc is Verdict.FAIL:
        return SenderTrust(False, "dmarc_fail")
    if verdicts.dmarc is Verdict.ERROR:
        return SenderTrust(False, "dmarc_error")
    if verdicts.dmarc is Verdict.PASS:
        return SenderTrust(True, "dmarc_pass")
    if Verdict.PASS in (verdicts.spf, verdicts.dkim):
        return SenderTrust(True, "no_dmarc_policy_spf_or_dkim_pass")
    return SenderTrust(False, "unauthenticated")


# --------------------------------------------------------------------------------------
# SES receipt verdicts
# --------------------------------------------------------------------------------------

_SES_STATUS = {"PASS": Verdict.PASS, "FAIL": Verdict.FAIL, "PROCESSING_FAILED": Verdict.ERROR}


def _ses_verdict(receipt: Mapping[str, Any], key: str) -> Verdict:
    value = receipt.get(key)
    status = value.get("status") if isinstance(value, Mapping) else None
    # GRAY (no policy / not conclusive), DISABLED, an unknown status or none at all: nothing to say.
    return _SES_STATUS.get(str(status).upper(), Verdict.NONE) if status is not None else Verdict.NONE


def verdicts_from_ses_receipt(receipt: Any) -> SenderVerdicts:
    """The verdicts of an SES notification's `receipt` (`spfVerdict`, … each {"status": …})."""
    if not isinstance(receipt, Mapping):
        return SenderVerdicts()
    return SenderVerdicts(
        spf=_ses_verdict(receipt, "spfVerdict"),
        dkim=_ses_verdict(receipt, "dkimVerdict"),
        dmarc=_ses_verdict(receipt, "dmarcVerdict"),
        spam=_ses_verdict(receipt, "spamVerdict"),
        virus=_ses_verdict(receipt, "virusVerdict"),
    )


# --------------------------------------------------------------------------------------
# Authentication-Results (webhook path)
# --------------------------------------------------------------------------------------

# RFC 8601 result values per method, as far as trust is concerned (softfail counts as fail: the
# domain says the host is probably not allowed to send for it).
_RESULTS = {
    "pass": Verdict.PASS,
    "fail": Verdict.FAIL,
    "softfail": Verdict.FAIL,
    "temperror": Verdict.ERROR,
    "permerror": Verdict.ERROR,
}


# A relay's header is a few hundred characters; a longer one is not our relay's.
_MAX_HEADER_CHARS = 8192


def authentication_results_of(raw: bytes) -> list[str]:
    """The values of a raw mail's Authentication-Results headers, topmost (newest) first."""
    try:
        headers = BytesHeaderParser(policy=email_policy.compat32).parsebytes(raw)
        return [str(value) for key, value in headers.raw_items() if key.lower() == "authentication-results"]
    except Exception:  # unreadable headers carry no verdict
        return []


def _combined(results: Iterable[Verdict], *, one_pass_is_enough: bool) -> Verdict:
    found = set(results)
    # Several DKIM signatures: one that verifies authenticates the mail. Several DMARC results in
    # one header (should not happen): any failure decides.
    order = (Verdict.PASS, Verdict.FAIL, Verdict.ERROR) if one_pass_is_enough else (
        Verdict.FAIL, Verdict.ERROR, Verdict.PASS
    )
    return next((verdict for verdict in order if verdict in found), Verdict.NONE)


def _parsed_header(value: str) -> Any:
    """The header parsed by `authres`, or None for a value it cannot read (it counts for nothing)."""
    import authres

    if len(value) > _MAX_HEADER_CHARS:
        return None
    try:
        return authres.AuthenticationResultsHeader.parse_value(" ".join(value.split()))
    except Exception:  # authres raises its own SyntaxError family on malformed values
        return None


def verdicts_from_authentication_results(headers: Sequence[str], authserv_id: str) -> SenderVerdicts | None:
    """The verdicts of the topmost header whose authserv-id is ours; None when there is no such header.

    Our relay prepends its header (and per RFC 8601 §5 removes others claiming its id), so the
    topmost one with our id is the relay's; lower ones, and every other authserv-id, came from outside.
    """
    wanted = authserv_id.strip().lower()
    for value in headers:
        parsed = _parsed_header(value)
        if parsed is None or str(parsed.authserv_id or "").strip().lower() != wanted:
            continue
        by_method: dict[str, list[Verdict]] = {}
        for result in parsed.results:
            method = str(result.method or "").lower()
            by_method.setdefault(method, []).append(_RESULTS.get(str(result.result or "").lower(), Verdict.NONE))
        return SenderVerdicts(
            spf=_combined(by_method.get("spf", []), one_pass_is_enough=True),
            dkim=_combined(by_method.get("dkim", []), one_pass_is_enough=True),
            dmarc=_combined(by_method.get("dmarc", []), one_pass_is_enough=False),
        )
    return None


def webhook_sender_trust(raw: bytes, authserv_id: str | None, *, may_go_unchecked: bool) -> SenderTrust:
    """The trust decision for a mail that came through the relay webhook.

    Without a configured authserv-id nobody can tell our relay's header from a sender's: in the
    local and test stages (`may_go_unchecked`) the mail is then taken as it is, as before; a
    deployed stage trusts nobody (fail closed). With one configured, a mail without our relay's
    header is not trusted either.
    """
    if not authserv_id or not authserv_id.strip():
        return NOT_CHECKED if may_go_unchecked else SenderTrust(False, "relay_not_configured")
    verdicts = verdicts_from_authentication_results(authentication_results_of(raw), authserv_id)
    if verdicts is None:
        return SenderTrust(False, "no_relay_verdict")
    return trust_from_verdicts(verdicts)

"""Attacks on what billing prices with: the policy must pass its one validator before it becomes billing terms.

Before issue 14 the validated policy was dumped to a dict and re-parsed in the billing rules with
defaults of their own, and that parser took any mapping: a policy document that the validator
refuses (an unknown key, a missing time zone) still became billing terms through it. Now the only
way to billing terms is the typed policy (shared/derived.billing_terms_of), and the rules keep no
parser of their own - nor the JSON codec of stored documents, which is storage's.
"""

from __future__ import annotations

import contextlib
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

import shared.derived as derived
import shared.rules.billing as billing_rules
from shared.policy import Policy

POLICY_TOML = Path(__file__).resolve().parents[2] / "shared" / "policy.toml"


def _raw_policy() -> dict[str, Any]:
    return tomllib.loads(POLICY_TOML.read_text(encoding="utf-8"))


def _terms_by_every_parser(raw: dict[str, Any]) -> list[object]:
    """Every way the code base offers to turn a policy document into billing terms; each must refuse `raw`."""
    made: list[object] = []
    second_parser = getattr(billing_rules, "billing_terms_from_policy", None)
    if second_parser is not None:  # a parser beside shared/policy.py: the attacker's way around the validator
        with contextlib.suppress(ValueError, KeyError):
            made.append(second_parser(raw))
    typed = getattr(derived, "billing_terms_of", None)
    if typed is not None:
        with contextlib.suppress(ValidationError):
            made.append(typed(Policy.model_validate(raw)))
    return made


def test_an_unknown_price_key_smuggled_into_an_edition_is_refused() -> None:
    raw = _raw_policy()
    raw["billing"]["editions"]["team"]["discount_percent"] = "100"  # unknown keys are errors (the project rule)
    assert _terms_by_every_parser(raw) == []


def test_a_policy_without_its_time_zone_does_not_bill_in_a_default_one() -> None:
    raw = _raw_policy()
    del raw["company_time_zone"]  # months would silently be Berlin months whatever the policy meant
    assert _terms_by_every_parser(raw) == []


def test_an_unknown_vat_key_cannot_change_the_outside_eu_note() -> None:
    raw = _raw_policy()
    raw["billing"]["vat"]["outside_eu_note"] = "no VAT, no note"  # not a policy key: the legal text is fixed
    assert _terms_by_every_parser(raw) == []


def test_the_rules_cannot_decode_stored_documents() -> None:
    """A rule that read stored JSON would trust whatever the store holds; decoding is storage's job."""
    for codec in ("invoice_from_json", "invoice_to_json", "draft_to_json"):
        assert not hasattr(billing_rules, codec), codec


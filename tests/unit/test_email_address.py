"""EmailAddress (shared/contracts/email_address.py) answers exactly as pydantic's EmailStr: value and error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, EmailStr, ValidationError

from shared.contracts.email_address import EmailAddress

ROOT = Path(__file__).resolve().parents[2]


class _Ours(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    email: EmailAddress
    optional: EmailAddress | None = None


class _Pydantics(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    email: EmailStr
    optional: EmailStr | None = None


def _answer(model: type[BaseModel], value: Any) -> tuple[str, Any]:
    try:
        return "ok", model.model_validate({"email": value, "optional": value}).model_dump()
    except ValidationError as exc:
        return "refused", [(error["loc"], error["type"], error["msg"]) for error in exc.errors()]


CASES = [
    "erika@beispiel.example", "Erika@Beispiel.EXAMPLE", "  erika@beispiel.example  ", "erika.mustermann+billing@a.de",
    "Erika Mustermann <erika@beispiel.example>", '"Mustermann, Erika" <erika@beispiel.example>', "<erika@a.de>",
    "Erika <erika@a.de", "erika@", "@beispiel.example", "erika", "", " ", "erika@@a.de", "erika@a..de", ".erika@a.de",
    "erika.@a.de", "er..ika@a.de", "erika@localhost", "erika@test", "erika@a.invalid", "erika@[127.0.0.1]",
    '"erika"@a.de', "ërika@bëispiel.example", "erika@xn--bcher-kva.example", "erika@bücher.example",
    "erika@a.de\r\nBcc: x@y.de", "erika@a.de\n", "x" * 64 + "@a.de", "x" * 65 + "@a.de", "a@" + "b" * 63 + ".de",
    "a@" + "b" * 64 + ".de", "a@" + ("b" * 60 + ".") * 5 + "de", "x" * 3000, "erika@a.de, otto@b.de", "erika@a_b.de",
    "erika@-a.de", "erika@a-.de", "erika@a.123", "mailer-daemon", "redacted@redacted", 12, None, ["erika@a.de"],
]


@pytest.mark.parametrize("value", CASES)
def test_each_case_gets_pydantics_own_answer(value: Any) -> None:
    assert _answer(_Ours, value) == _answer(_Pydantics, value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ9._+-@<>\" ,\"'\\ü\u00e9[]:\t"), max_size=40))
def test_any_text_of_address_characters_gets_pydantics_own_answer(value: str) -> None:
    assert _answer(_Ours, value) == _answer(_Pydantics, value)


@settings(max_examples=200, deadline=None)
@given(st.emails())
def test_any_generated_address_gets_pydantics_own_answer(value: str) -> None:
    assert _answer(_Ours, value) == _answer(_Pydantics, value)


def test_the_json_schema_says_email_as_pydantics_does() -> None:
    ours, theirs = _Ours.model_json_schema()["properties"], _Pydantics.model_json_schema()["properties"]
    assert ours["email"] == {"format": "email", "title": "Email", "type": "string"}
    assert ours["email"] == theirs["email"]


def test_a_first_signup_contract_imports_no_pydantic_networks_and_looks_up_no_version() -> None:
    # Before: EmailStr imported pydantic.networks and looked email-validator's version up (~6 ms of a cold start).
    # -S: no site .pth files, as in a Lambda.
    code = (
        "import json, sys\n"
        f"sys.path[:0] = [{str(ROOT)!r}] + [p for p in {sys.path!r} if 'site-packages' in p]\n"
        "from shared.contracts import SignupRequest\n"
        "fields = {'company_name': 'Kalt GmbH', 'organization_type': 'company', 'country': 'DE', 'admin_name': 'E',\n"
        "          'admin_email': 'Erika <Erika@Beispiel.EXAMPLE>', 'language': 'de', 'accept_dpa': True}\n"
        "import importlib.metadata\n"
        "asked = []\n"
        "original = importlib.metadata.version\n"
        "importlib.metadata.version = lambda name: asked.append(name) or original(name)\n"
        "email = SignupRequest.model_validate(fields).admin_email\n"
        "print(json.dumps({'email': email, 'networks': 'pydantic.networks' in sys.modules, 'asked': asked}))\n"
    )
    answer = subprocess.run([sys.executable, "-S", "-c", code], cwd=ROOT, env=dict(os.environ), capture_output=True,
                            text=True, timeout=120)
    assert answer.returncode == 0, answer.stderr[-3000:]
    assert json.loads(answer.stdout.strip().splitlines()[-1]) == {
        "email": "Erika@beispiel.example", "networks": False, "asked": []}

"""An e-mail address field: pydantic's `EmailStr` check, without importing `pydantic.networks`.

Why: `pydantic.networks` is a module of all of pydantic's network types, and `EmailStr` looks up the
installed email-validator's version in the package metadata when its first model is built: together
~6 ms of each cold Lambda's first signup or ticket, for a version the lock file already pins.

The check itself is unchanged. email-validator's `validate_email` (syntax only, no DNS) runs on the
address, or on the address inside "Name <address>". The error is pydantic's ("value is not a valid
email address: ..."), and the value is email-validator's normalized address. The JSON schema is
`{"type": "string", "format": "email"}`. `tests/unit/test_email_address.py` checks both types on the
same inputs: this is a copy of pydantic 2.14's `validate_email`.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

MAX_EMAIL_LENGTH = 2048  # pydantic's own bound on the whole input, before email-validator's 254

_NAME_CHARS = r"[\w.!#$%&\'*+\-/=?^_`{|}~]"
# pydantic's "pretty" form: an optional unquoted or quoted name, then the address in angle brackets.
_PRETTY_ADDRESS = re.compile(
    rf'\s*(?:((?:{_NAME_CHARS}+\s+)*{_NAME_CHARS}+)|"((?:[^"]|\")+)")?\s*<(.+)>\s*'
)


def _invalid(reason: str) -> PydanticCustomError:
    return PydanticCustomError("value_error", "value is not a valid email address: {reason}", {"reason": reason})


def normalized_email_address(value: str) -> str:
    """The normalized address of `value` (an address or "Name <address>"), or pydantic's value error."""
    import email_validator  # imported with the first address: its regexes take ~20 ms to compile

    if len(value) > MAX_EMAIL_LENGTH:
        raise _invalid(f"Length must not exceed {MAX_EMAIL_LENGTH} characters")
    if "\r" in value or "\n" in value:
        raise _invalid("Carriage return and line feed characters are not allowed")
    pretty = _PRETTY_ADDRESS.fullmatch(value)
    address = (pretty.group(3) if pretty else value).strip()
    try:
        parts = email_validator.validate_email(address, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise _invalid(str(exc.args[0])) from exc
    return str(parts.normalized)


EmailAddress = Annotated[
    str, AfterValidator(normalized_email_address), WithJsonSchema({"type": "string", "format": "email"})
]

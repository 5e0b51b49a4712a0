"""A multipart/form-data post of the account pages (issue 16 item 3): its fields and its one file.

Read with the standard library's MIME parser (the same one the inbound mail uses), so there is
no hand-written boundary splitting; a body that is not such a form is a 400 naming `body`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.api.errors import bad_request

MULTIPART = "multipart/form-data"


@dataclass(frozen=True)
class UploadedForm:
    fields: dict[str, str]
    filename: str
    content: bytes


def is_multipart(headers: Any) -> bool:
    return str(headers.get("content-type", "")).split(";", 1)[0].strip().lower() == MULTIPART


def multipart_form(raw: bytes | None, headers: Any) -> UploadedForm:
    """The text fields and the part named `file` (its name as sent, unchecked: the rule judges it)."""
    from email import policy
    from email.parser import BytesParser

    content_type = str(headers.get("content-type", ""))
    if not is_multipart(headers) or "boundary=" not in content_type:
        raise bad_request("Send the file as multipart/form-data.", {"body": "multipart/form-data expected"})
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + (raw or b"")
    )
    if not message.is_multipart():
        raise bad_request("The form body cannot be read.", {"body": "not a multipart form"})
    fields: dict[str, str] = {}
    filename, content = "", b""
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == "file":
            filename, content = str(part.get_filename() or ""), data
        elif isinstance(name, str):
            fields[name] = data.decode("utf-8", "replace")
    if not filename:
        raise bad_request("Choose a file to upload.", {"file": "required"})
    return UploadedForm(fields, filename, content)

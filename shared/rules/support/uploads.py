"""What a customer may upload to a ticket (issue 16 item 3): screenshots and logs, within the policy's limits.

Decided from the name's extension against the policy's list, never from the browser's content type
(the stored type is the policy's for that extension); a name with path parts, an empty file or
one over the size limit is refused naming the field, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class UploadRefused(Exception):
    field: str
    reason: str


def upload_type(filename: str, size: int, max_bytes: int, types: Mapping[str, str]) -> str:
    """The content type to store the file with; UploadRefused(field, reason) when it may not be stored."""
    if not filename or filename != filename.strip() or any(ch in filename for ch in "/\\:") or filename[0] == ".":
        raise UploadRefused("filename", "a plain file name, without path parts")
    if any(not ch.isprintable() for ch in filename) or len(filename) > 200:
        raise UploadRefused("filename", "a plain file name, without path parts")
    extension = filename.rsplit(".", 1)[1].lower() if "." in filename else ""
    if extension not in types:
        raise UploadRefused("file", f"only these file types: {', '.join(sorted(types))}")
    if size == 0:
        raise UploadRefused("file", "the file is empty")
    if size > max_bytes:
        raise UploadRefused("file", f"at most {max_bytes} bytes")
    return types[extension]

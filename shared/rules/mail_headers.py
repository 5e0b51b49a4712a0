"""Values that go into a mail header: one line of printable text, whatever a caller sent.

A CR or LF in a header would start a new header (a Bcc: injected through a ticket subject), and
Python's email package refuses such values, so a mail carrying one failed on every attempt. Control
characters are stripped at the mail boundary (rendering and building headers) and from stored subjects.
"""

from __future__ import annotations

import re

# C0 controls (NUL..US, including TAB, CR, LF), DEL, C1 controls, and Unicode's line and paragraph
# separators, which some mail programs also treat as line breaks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s{2,}")


def header_safe(value: str) -> str:
    """The value on one line: each run of control characters becomes one space, the ends trimmed."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()

"""The cold start's garbage collector: no cyclic collection while the app's modules are imported.

Why: importing the app creates some hundred thousand long-lived objects (modules, classes, pydantic
schemas, policy values) and not one cycle of garbage among them, yet CPython's collector walks them
again and again as they pile up: measured, ~100 ms of CPU on the first signup or web-form ticket,
a quarter of the cold start. Importing this module pauses the collector; `imported()` (the last line
of app.py) moves everything alive into the permanent generation, which no collection walks again,
and turns the collector back on with its usual thresholds for the requests that follow.

It also installs the kept code of dataclasses (shared/dataclass_code.py) and of slow regular expressions
(shared/regex_code.py) before any module below app.py creates one.
"""

from __future__ import annotations

import gc

from shared import dataclass_code, regex_code

gc.disable()
dataclass_code.install()
regex_code.install()


def imported() -> None:
    """The app is imported: freeze what exists now (it lives as long as the process) and collect again."""
    gc.freeze()
    gc.enable()

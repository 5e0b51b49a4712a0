"""The kept code of slow regular expressions (shared/regex_code.py): a compile cache that must never change a pattern.

Each test is an attempt to make a process match with code that is not what Python's regex compiler makes of
the pattern at hand (a file of another Python, a damaged file or entry, a pattern kept although its code
differs) and the expected refusal: it is not used, or the pattern is exactly the standard library's. Fresh
interpreters check the cut: a second cold start compiles none of email-validator's patterns.
"""

from __future__ import annotations

import _sre
import json
import marshal
import re
from pathlib import Path
from typing import Any

import pytest

from shared import regex_code
from shared.regex_code import HEADER, read_kept, write_kept
from tests.functional.helpers import fresh_interpreter

ROOT = Path(__file__).resolve().parents[2]
SLOW = "[a-z\u0080-\U0010FFFF]+(?:\\.[a-z\u0080-\U0010FFFF]+)*\\Z"  # as slow as email-validator's own


def fresh(code: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(fresh_interpreter(code))
    return result


def test_a_second_cold_start_compiles_none_of_email_validators_patterns_and_they_are_the_stdlibs() -> None:
    code = (
        "import json, re._compiler\n"
        "import app\n"
        "import email_validator\n"
        "from shared import regex_code\n"
        "same = all(_sre.compile(key[1], *args) == regex_code._stdlib_compile(key[1], key[2])\n"
        "           for key, args in regex_code._stored.items())\n"
        "slow = {v.pattern for v in vars(email_validator.rfc_constants).values()\n"
        "        if isinstance(v, re.Pattern) and (chr(0x10FFFF) in v.pattern or '\\\\U0010FFFF' in v.pattern)}\n"
        "print(json.dumps({'compiled': [k[1] for k in regex_code.kept_here() if k[1] in slow],\n"
        "                  'kept': len(slow & {k[1] for k in regex_code._stored}), 'slow': len(slow),\n"
        "                  'hooked': re._compiler.compile is regex_code._kept_compile, 'same': same}))\n"
    ).replace("import json,", "import _sre, json, re,")
    fresh(code)  # may compile and keep what is new (.local/)
    second = fresh(code)
    # Only the four patterns over the whole Unicode range are certain to pass the 0.1 ms mark (each takes
    # milliseconds): whether a quick one passes depends on the machine's load, so it may be kept only later.
    assert second["compiled"] == [] and second["hooked"] is True and second["same"] is True
    assert second["kept"] == second["slow"] >= 4  # email-validator 2's four such patterns, all read from the file


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch) -> dict[Any, Any]:
    stored: dict[Any, Any] = {}
    monkeypatch.setattr(regex_code, "_stored", stored)
    monkeypatch.setattr(regex_code, "_kept_here", {})
    monkeypatch.setattr(regex_code, "_recording", True)
    return stored


def test_a_slow_pattern_is_kept_only_as_the_very_code_the_stdlib_compiles(isolated: dict[Any, Any]) -> None:
    compiled = regex_code._kept_compile(SLOW, 0)
    kept = regex_code.kept_here()
    assert list(kept) == [(False, SLOW, 0)]
    assert _sre.compile(SLOW, *kept[(False, SLOW, 0)]) == compiled == regex_code._stdlib_compile(SLOW, 0)
    assert compiled.match("ab.ü") and not compiled.match("ab..c")


class SteppingClock:
    """A compile's clock that shows each compile as taking `step` seconds, whatever the machine's load."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step  # read before and after each compile
        return self.now


@pytest.mark.parametrize(("seconds", "kept"), [(regex_code.SLOW_SECONDS * 0.9, False),
                                               (regex_code.SLOW_SECONDS * 1.1, True)])
def test_only_a_compile_over_the_mark_is_kept(isolated: dict[Any, Any], monkeypatch: pytest.MonkeyPatch,
                                      seconds: float, kept: bool) -> None:
    # A clock the test controls: on a loaded machine (the CI's) this quick pattern once took over 0.1 ms.
    monkeypatch.setattr(regex_code, "_clock", SteppingClock(seconds))
    assert regex_code._kept_compile(r"[a-z]+\d", 0).match("ab1")
    assert ((False, r"[a-z]+\d", 0) in regex_code.kept_here()) is kept


def test_the_kept_code_is_what_a_pattern_is_made_from(isolated: dict[Any, Any]) -> None:
    # A marker: the code of another pattern stored for this one shows which of the two runs.
    isolated[(False, "x", 0)] = regex_code._sre_arguments("y", 0)
    assert regex_code._kept_compile("x", 0).match("y")


@pytest.mark.parametrize("damaged", [(0, [1, 2, 3], 0, {}, ()), (0, "not code", 0, {}, ()), (0, [], -5, {}, ())])
def test_an_entry_that_does_not_load_is_compiled_afresh(isolated: dict[Any, Any], damaged: tuple[Any, ...]) -> None:
    isolated[(False, SLOW, 0)] = damaged
    assert regex_code._kept_compile(SLOW, 0) == regex_code._stdlib_compile(SLOW, 0)
    assert (False, SLOW, 0) in regex_code.kept_here()  # kept mended on exit


def test_a_process_that_saves_nothing_never_parses_a_slow_pattern_twice(
    isolated: dict[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Lambda reads the zip's file and cannot write one: keeping would only double a slow pattern's compile.
    monkeypatch.setattr(regex_code, "_recording", False)
    parsed: list[object] = []
    monkeypatch.setattr(regex_code, "_sre_arguments", lambda *args: parsed.append(args))
    assert regex_code._kept_compile(SLOW, 0) == regex_code._stdlib_compile(SLOW, 0)
    assert parsed == [] and regex_code.kept_here() == {}


def test_a_test_runners_process_keeps_no_pattern_for_the_cold_starts() -> None:
    # Before: the test runner kept every pattern of its dev tools that passed the 0.1 ms mark (160 after some
    # runs), and every local cold start read them. The app's own process still records what it keeps.
    code = "{first}\nimport json, app\nfrom shared import regex_code\nprint(json.dumps({{'recording': regex_code._recording}}))"
    assert fresh(code.format(first="import pytest")) == {"recording": False}
    assert fresh(code.format(first="")) == {"recording": True}


def test_a_file_of_another_python_is_not_used(tmp_path: Path) -> None:
    entry = {(False, SLOW, 0): regex_code._sre_arguments(SLOW, 0)}
    other = tmp_path / "other.marshal"
    other.write_bytes(HEADER.replace(b":", b":3.10.0 ", 1) + marshal.dumps(entry))
    assert read_kept(other) == {}
    assert write_kept(tmp_path / "ours.marshal", entry)
    assert read_kept(tmp_path / "ours.marshal") == entry


@pytest.mark.parametrize("payload", [b"", b"\x00garbage", marshal.dumps([1, 2]), marshal.dumps({"x": (1,)})])
def test_a_damaged_or_foreign_file_is_not_used(tmp_path: Path, payload: bytes) -> None:
    damaged = tmp_path / "damaged.marshal"
    damaged.write_bytes(HEADER + payload)
    assert read_kept(damaged) == {}


def test_a_pattern_object_still_compiles_the_stdlib_way(isolated: dict[Any, Any]) -> None:
    # re's scanner passes an already parsed pattern: nothing is kept for it, nothing changes.
    scanner = re.Scanner([(r"\d+", lambda s, t: int(t)), (r"\s+", None)])  # type: ignore[attr-defined]
    assert scanner.scan("1 22 333") == ([1, 22, 333], "")
    assert regex_code.kept_here() == {}

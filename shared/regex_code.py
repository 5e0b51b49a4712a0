"""The compiled code of slow regular expressions, kept beside the code as dataclasses' is (shared/dataclass_code.py).

Why: email-validator compiles four patterns over the Unicode range U+0080-U+10FFFF when it is imported, and
Python's regex compiler builds a charset map over that whole range for each: measured, ~20 ms of a cold
start's first signup or web-form ticket (every address is checked with it), for code that is the same in
every process of this Python.

How: `re` compiles a pattern it has not seen with `re._compiler.compile(pattern, flags)`; `install()` binds
that name to `_kept_compile`, which makes the pattern from the kept code with `_sre.compile`, the call with
which `re._compiler.compile` itself ends, or else compiles it the standard library's way. Only a pattern
whose compile took over `SLOW_SECONDS` is kept, and only once the pattern made from what would be kept
compares equal to the standard library's (a Pattern's equality compares its text, flags and code).
`infra/package.py` writes the zip's file (`regex_code.marshal`); a local run adds what it kept to
`.local/regex_code.marshal` when it exits.

Trust: as with dataclass_code, only files this project wrote are read, each stamped with this Python's
version and its regex engine's magic number; another stamp, or a file that does not load, is not used (the
patterns are then compiled: slower, the same).
"""

from __future__ import annotations

import _sre
import atexit
import marshal
import re._compiler as _regex_compiler
import re._parser as _regex_parser
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FILE_NAME = "regex_code.marshal"
PACKAGED_FILE = PROJECT_ROOT / FILE_NAME  # infra/package.py writes it at the zip's root
LOCAL_FILE = PROJECT_ROOT / ".local" / FILE_NAME
HEADER = f"cocoon-regex-code-2:{sys.version}:{_sre.MAGIC}:{_sre.CODESIZE}\n".encode()
# A pattern that compiles faster is not worth a file entry (making one from its entry takes ~3 µs).
SLOW_SECONDS = 0.0001
# How long a compile took: a name of its own so that a test can show the mark with a clock it controls.
_clock = time.perf_counter

# (is bytes, pattern, flags) -> the arguments `_sre.compile` takes after the pattern
Key = tuple[bool, str | bytes, int]
_stdlib_compile = _regex_compiler.compile
_stored: dict[Key, tuple[Any, ...]] = {}
_kept_here: dict[Key, tuple[Any, ...]] = {}  # what this process compiled slowly and kept: saved on exit
# Whether anything will keep what is compiled here (`.local/`'s file, or infra/package.py's recording with no
# files): a Lambda reading the zip's file never saves, so it never parses a slow pattern a second time.
_recording = False


def read_kept(path: Path) -> dict[Key, tuple[Any, ...]]:
    """The kept pattern code at `path`; empty when absent, of another Python, or not loadable."""
    from shared.snapshot import read_marshalled

    kept = read_marshalled(path, HEADER)
    if not isinstance(kept, dict):
        return {}
    return {key: value for key, value in kept.items()
            if isinstance(key, tuple) and len(key) == 3 and isinstance(value, tuple) and len(value) == 5}


def write_kept(path: Path, kept: dict[Key, tuple[Any, ...]]) -> bool:
    """Store `kept` at `path`, atomically; False where the folder cannot be written."""
    from shared.snapshot import write_atomically

    return write_atomically(path, HEADER + marshal.dumps(kept))


def _sre_arguments(pattern: str | bytes, flags: int) -> tuple[Any, ...]:
    """What `re._compiler.compile` passes to `_sre.compile` after the pattern (Python 3.11's own steps)."""
    parsed = _regex_parser.parse(pattern, flags)
    code = _regex_compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    # Plain ints: the compiler's opcodes are an int subclass, which marshal does not store.
    return (int(flags | parsed.state.flags), [int(word) for word in code], int(parsed.state.groups - 1),
            {str(name): int(index) for name, index in groupindex.items()}, tuple(indexgroup))


def _kept_compile(pattern: Any, flags: int = 0) -> Any:
    """`re._compiler.compile(pattern, flags)`, from the kept code when this pattern has some."""
    if not isinstance(pattern, (str, bytes)):
        return _stdlib_compile(pattern, flags)
    key: Key = (isinstance(pattern, bytes), pattern, int(flags))
    kept = _stored.get(key)
    if kept is not None:
        try:
            return _sre.compile(pattern, *kept)
        except (TypeError, ValueError, RuntimeError, OverflowError):
            pass  # not loadable: compiled afresh below, and kept mended
    started = _clock()
    compiled = _stdlib_compile(pattern, flags)
    if _recording and _clock() - started > SLOW_SECONDS:
        arguments = _sre_arguments(pattern, flags)
        if _sre.compile(pattern, *arguments) == compiled:  # the very same code, or nothing is kept
            _kept_here[key] = arguments
    return compiled


def kept_here() -> dict[Key, tuple[Any, ...]]:
    """The slow patterns this process compiled and kept (infra/package.py writes them for the zip)."""
    return dict(_kept_here)


def save(path: Path = LOCAL_FILE) -> bool:
    """Add what this process kept to the file at `path` (another process may have added its own)."""
    if not _kept_here:
        return True
    merged = read_kept(path)
    merged.update(_kept_here)
    return write_kept(path, merged)


def install(files: tuple[Path, ...] = (PACKAGED_FILE, LOCAL_FILE)) -> None:
    """Compile every pattern from now on through the kept code of `files` (the first that holds any); a local
    run adds what it kept to `.local/`'s file when it exits."""
    global _recording
    if _regex_compiler.compile is _kept_compile:
        return
    source, found = next(((path, kept) for path, kept in ((path, read_kept(path)) for path in files) if kept),
                         (None, {}))
    _stored.update(found)
    _regex_compiler.compile = _kept_compile
    from shared.snapshot import keeps_code_on_exit

    # A Lambda's code folder is read-only: no saving there; nor by the test runner (keeps_code_on_exit).
    saving = LOCAL_FILE in files and source != PACKAGED_FILE and keeps_code_on_exit()
    _recording = saving or not files  # no files: infra/package.py records for the zip (`kept_here`)
    if saving:
        atexit.register(save)

"""The code that dataclasses generate, compiled once and kept beside the code, as a .pyc keeps a module's.

Why: Python 3.11's `dataclasses` writes each class's `__init__`, `__repr__`, `__eq__`, `__hash__` (and a
frozen class's `__setattr__` and `__delattr__`) as source text and compiles it with `exec` as the class is
created: ~0.5 ms per frozen class, four fifths of it in the compiler. A cold start's first answer creates
60-90 dataclasses (ours, pydantic's, annotated_types'): measured, 25-45 ms of CPU. The text is the same in
every process, so its compiled code is too.

How: `dataclasses` calls the name `exec` of its own module; `install()` binds that name to `_cached_exec`,
which runs the code kept for the very same text (sha256 of it) or compiles it as `exec` would (no inherited
`__future__` flags) and keeps it. The same code then runs with the same globals and namespace: nothing else
changes. `infra/package.py` writes the zip's file (`dataclass_code.marshal`, read-only at runtime); a local
run adds what it compiled to `.local/dataclass_code.marshal` when it exits.

The same file keeps the code of forward references: `typing.ForwardRef` compiles the text of each string
annotation (`"int | None"`) with `compile(text, "<string>", "eval")`, and pydantic makes one for every field
of every model and TypedDict it imports or builds (pydantic_core's schema types alone have hundreds): ~970
compiles, measured ~12 ms of every first answer. `install()` binds the name `compile` of `typing` to
`_cached_compile`, which hands back the code kept for that text (keyed `eval` + the text itself) or compiles
it exactly as typing does (typing has no `__future__` flags) and keeps it; any other call is passed on.

Trust: marshal loads code, so only files this project wrote are read (the zip's, shipped with the code it
sits beside; `.local/`'s, written like its bytecode), each stamped with this Python's bytecode magic number;
another stamp, or a file that does not load, is not used (every class is then compiled: slower, the same).
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import hashlib
import marshal
import typing
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FILE_NAME = "dataclass_code.marshal"
PACKAGED_FILE = PROJECT_ROOT / FILE_NAME  # infra/package.py writes it at the zip's root
LOCAL_FILE = PROJECT_ROOT / ".local" / FILE_NAME
HEADER = b"cocoon-dataclass-code-3:" + MAGIC_NUMBER.hex().encode("ascii") + b"\n"

# Test code and test tools make dataclasses no Lambda creates: they are compiled, but not kept in `.local/`.
NOT_KEPT_FROM = frozenset({"tests", "conftest", "__main__", "_pytest", "pytest", "hypothesis", "pluggy", "xdist"})

_stored: dict[bytes, bytes] = {}  # read from the file, marshalled: loaded one by one as classes ask
# A forward reference's key: its text itself, behind a prefix no Python source can start with (NUL), so it can
# never be a class text's digest's twin in the one file.
_EVAL_KEY_PREFIX = b"eval\0"
_kept: dict[bytes, CodeType] = {}  # loaded or compiled in this process
_compiled: list[bytes] = []  # what this process compiled itself: saved on exit, and counted by tests


def read_kept(path: Path) -> dict[bytes, bytes]:
    """The code kept at `path` by text digest, each still marshalled (it is loaded when a class asks for it:
    loading all of it would cost a cold start ~9 ms for ~80 classes); empty when absent, of another Python,
    or not loadable."""
    from shared.snapshot import read_marshalled

    kept = read_marshalled(path, HEADER)
    if not isinstance(kept, dict):
        return {}
    return {key: code for key, code in kept.items() if isinstance(key, bytes) and isinstance(code, bytes)}


def write_kept(path: Path, kept: dict[bytes, bytes]) -> bool:
    """Store `kept` (marshalled code by text digest) at `path`, atomically; False where the folder cannot be
    written."""
    from shared.snapshot import write_atomically

    return write_atomically(path, HEADER + marshal.dumps(kept))


def _stored_code(key: bytes) -> CodeType | None:
    """The code read from the file for this digest, loaded now; None if there is none or it does not load."""
    blob = _stored.get(key)
    if blob is None:
        return None
    try:
        code = marshal.loads(blob)  # noqa: S302 - only our own files (see Trust)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _cached_exec(text: str, globals_: dict[str, Any] | None = None, locals_: dict[str, Any] | None = None) -> None:
    """`exec(text, globals_, locals_)`, with the text's code compiled once per text, not once per class."""
    key = hashlib.sha256(text.encode("utf-8")).digest()
    code = _kept.get(key) or _stored_code(key)
    if code is None:
        code = compile(text, "<string>", "exec", dont_inherit=True)  # what exec(text) compiles
        if str((globals_ or {}).get("__name__", "")).split(".")[0] not in NOT_KEPT_FROM:
            _compiled.append(key)
    _kept[key] = code
    builtins.exec(code, globals_, locals_)  # noqa: S102 - dataclasses' own generated code, as it ran it


def _cached_compile(source: Any, filename: Any = "<string>", mode: str = "eval", flags: int = 0,
                    dont_inherit: bool = False, optimize: int = -1) -> CodeType:
    """`compile` as `typing` calls it, for a forward reference's text: its code compiled once per text.

    typing.py has no `__future__` imports, so its calls inherit no flags: every call here compiles with
    `dont_inherit=True`, as it would have from typing's own frame."""
    if not (isinstance(source, str) and filename == "<string>" and mode == "eval" and not flags and optimize == -1):
        return compile(source, filename, mode, flags, True, optimize)  # type: ignore[no-any-return]
    key = _EVAL_KEY_PREFIX + source.encode("utf-8", "surrogatepass")
    code = _kept.get(key) or _stored_code(key)
    if code is None:
        code = compile(source, "<string>", "eval", dont_inherit=True)
        _compiled.append(key)
    _kept[key] = code
    return code


def compiled_here() -> int:
    """How many dataclass texts of the app and its libraries this process had to compile (0 on a cold start
    with a current file)."""
    return len(_compiled)


def save(path: Path = LOCAL_FILE) -> bool:
    """Add what this process compiled to the file at `path` (another process may have added its own)."""
    if not _compiled:
        return True
    merged = read_kept(path)
    merged.update({key: marshal.dumps(_kept[key]) for key in _compiled})
    return write_kept(path, merged)


def kept_code() -> dict[bytes, bytes]:
    """The code of every dataclass text this process ran, marshalled: loaded from a file or compiled here
    (infra/package.py writes it for the zip; texts no class asked for are left out)."""
    return {key: marshal.dumps(code) for key, code in _kept.items()}


def install(files: tuple[Path, ...] = (PACKAGED_FILE, LOCAL_FILE)) -> None:
    """Route the generated code of every dataclass created from now on through the kept code of `files`
    (the first that holds any); a local run adds what it compiled to `.local/`'s file when it exits."""
    if getattr(dataclasses, "exec", None) is _cached_exec:
        return
    source, found = next(((path, kept) for path, kept in ((path, read_kept(path)) for path in files) if kept),
                         (None, {}))
    _stored.update(found)
    vars(dataclasses)["exec"] = _cached_exec
    vars(typing)["compile"] = _cached_compile  # typing's only call of it makes a ForwardRef's code
    from shared.snapshot import keeps_code_on_exit

    # A Lambda's code folder is read-only: no saving there; nor by the test runner (keeps_code_on_exit).
    if LOCAL_FILE in files and source != PACKAGED_FILE and keeps_code_on_exit():
        atexit.register(save)

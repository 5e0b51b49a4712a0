"""A value validated once, kept as a pickle beside the code: a cold start's cache, never a second parser.

Why: the policy changes only with a deployment, yet validating policy.toml built pydantic validators for
its twenty models in every cold start (~30-40 ms, a quarter of an `import boto3`). The value is made once
by its own parser (`infra/package.py` writes it into the zip; a local run writes it under `.local/`) and
stored with a fingerprint of everything it was made from: the source files and the library versions. A
reader gets it back only when the fingerprint it computes now is the stored one. Any other file (missing,
half written, made from other sources or by another pydantic) is not used, and the caller parses afresh:
slower, with the same answer and the same errors.

Trust: loading a pickle can run code, so only files this project wrote are read: the zip's own (read-only,
shipped with the code it sits beside) and `.local/`'s (written by this project, like its bytecode). No path
here comes from a request, and nothing a caller sends is ever written to one.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import sys
from pathlib import Path

FORMAT = b"cocoon-snapshot-1"
PROTOCOL = 5
TEST_RUNNERS = ("pytest", "_pytest")


def keeps_code_on_exit() -> bool:
    """Whether this process may add the code it compiled to `.local/`'s files when it exits: not one that runs
    the tests. Besides the app's code (which the fresh interpreters the tests start keep too) such a process
    compiles that of every dev tool it loads (cfn-lint, moto, Selenium...): after some test runs, 1,800
    dataclass texts and 160 patterns no Lambda uses, which every local cold start then read (4-6 ms)."""
    return not any(name in sys.modules for name in TEST_RUNNERS)


def fingerprint(*sources: bytes) -> str:
    """The sha256 of the format, the Python version and each source (length-prefixed, so no two lists collide)."""
    digest = hashlib.sha256(FORMAT)
    for part in (f"{sys.version_info[0]}.{sys.version_info[1]}".encode(), *sources):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def read_snapshot(path: Path, expected: str) -> object | None:
    """The value stored at `path` if it was made from what `expected` fingerprints now; else None."""
    try:
        stored = path.read_bytes()
    except OSError:
        return None
    header, newline, payload = stored.partition(b"\n")
    if not newline or header != expected.encode("ascii"):
        return None
    try:
        value: object = pickle.loads(payload)  # noqa: S301 - only our own files, checked above (see Trust)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError, ValueError):
        return None  # half written, or made by code that has changed since: parse afresh
    return value


def read_marshalled(path: Path, header: bytes) -> object | None:
    """The marshalled value in our own file at `path` after `header` (the kept code of shared/dataclass_code.py
    and shared/regex_code.py, stamped with the Python that made it); None when absent, of another stamp, or
    not loadable."""
    try:
        stored = path.read_bytes()
    except OSError:
        return None
    if not stored.startswith(header):
        return None
    try:
        value: object = marshal.loads(stored[len(header):])  # noqa: S302 - only our own files (see Trust)
    except (EOFError, ValueError, TypeError):
        return None
    return value


def write_atomically(path: Path, data: bytes) -> bool:
    """Write `data` to `path` through a rename, so a reader sees all or none; False where the folder cannot be
    written (a Lambda's code folder: what it needs came in the zip)."""
    import tempfile  # only a process that writes pays for it

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        return False
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return True


def write_snapshot(path: Path, expected: str, value: object) -> bool:
    """Store `value` at `path` under `expected`, atomically; False where the folder is read-only."""
    return write_atomically(path, expected.encode("ascii") + b"\n" + pickle.dumps(value, protocol=PROTOCOL))

"""Compiled mail templates kept on disk: a cold start's cache, never a source of text.

Why: a fresh interpreter compiling a mail's subject and body (Jinja's parser, code generator and Python's
`compile`) spent ~35 ms of the first web-form ticket. Jinja's own bytecode cache only serves templates
loaded by name, and mails are compiled from strings (the subject apart from the body, shared/mail/render.py),
so each text's code is stored under the hash of that text. A bucket whose checksum, Jinja bytecode version
or Python version differs is ignored by Jinja and compiled afresh, so an edited template is never served
stale. `infra/package.py` fills the folder in the zip (`mail_bytecode/`, read-only at runtime: writes that
fail are skipped); a local run fills `.local/mail_bytecode/` as it renders.
"""

from __future__ import annotations

import contextlib
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PACKAGED_FOLDER = PROJECT_ROOT / "mail_bytecode"  # infra/package.py writes it at the zip's root
LOCAL_FOLDER = PROJECT_ROOT / ".local" / "mail_bytecode"


@cache
def bytecode_cache(folder: Path | None = None) -> Any:
    """Jinja's file cache over `folder` (default: the packaged one, else the local one); None: compile always."""
    import jinja2

    class TolerantCache(jinja2.FileSystemBytecodeCache):
        def dump_bytecode(self, bucket: Any) -> None:
            # A read-only folder (the Lambda's code): the next cold start compiles again.
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    chosen = folder or (PACKAGED_FOLDER if PACKAGED_FOLDER.is_dir() else LOCAL_FOLDER)
    try:
        chosen.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return TolerantCache(str(chosen))


def compiled_text(environment: Any, source: str, cache_: Any) -> Any:
    """`environment.from_string(source)`, with the compiled code from `cache_` when it holds this very text."""
    if cache_ is None:
        return environment.from_string(source)
    name = "mail-text-" + hashlib.sha256(source.encode("utf-8")).hexdigest()
    try:
        bucket = cache_.get_bucket(environment, name, None, source)
    except (OSError, ValueError, EOFError, TypeError):  # a damaged file: compile, as if it were absent
        return environment.from_string(source)
    if bucket.code is None:
        bucket.code = environment.compile(source)
        cache_.set_bucket(bucket)
    return environment.template_class.from_code(environment, bucket.code, environment.make_globals(None), None)


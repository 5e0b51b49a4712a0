"""A small botocore data folder for our one DynamoDB client: a cold start's cache, not a security check.

Why: creating the DynamoDB client made botocore's loader walk every service's data folder (~10 ms), parse
the 1.2 MB `endpoints.json` of every service (~20 ms) and look for models in every search path. The folder
built here holds only what a DynamoDB client loads (its service model, endpoint rule set, paginators and
waiters, the partitions, the retry and default configuration, and `endpoints.json` cut to DynamoDB's own
entries), copied from the installed botocore. It is never committed: `infra/package.py` builds it into the
zip (`botocore_dynamodb/`, read-only at runtime) and a local run builds it under `.local/` on first use.

Fail safe: a folder that is missing, half written or made by another botocore version is not used; the
session then keeps botocore's own loader (slower, same answers). Nothing here decides what is allowed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import botocore
import botocore.loaders
import botocore.session

SERVICE = "dynamodb"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
PACKAGED_FOLDER = PROJECT_ROOT / "botocore_dynamodb"  # infra/package.py writes it at the zip's root
LOCAL_FOLDER = PROJECT_ROOT / ".local" / "botocore_dynamodb"
VERSION_FILE = "BOTOCORE_VERSION"  # written last: its presence says the folder is whole
_COPIED_FILES = ("partitions.json", "sdk-default-configuration.json", "_retry.json")


class DynamoDBOnlyLoader(botocore.loaders.Loader):  # type: ignore[misc]  # botocore ships no types
    """botocore's loader over our folder alone; its data counts as built in, as the copied files are."""

    def __init__(self, folder: Path) -> None:
        super().__init__(extra_search_paths=[str(folder)], include_default_search_paths=False)
        self.BUILTIN_DATA_PATH = str(folder)


def _latest_model_folder(source: Path) -> Path:
    """The newest API version that has a service model (the one botocore itself would pick)."""
    versions = sorted(path for path in (source / SERVICE).iterdir() if (path / "service-2.json.gz").is_file()
                      or (path / "service-2.json").is_file())
    return versions[-1]


def _endpoints_of_dynamodb(endpoints: dict[str, Any]) -> dict[str, Any]:
    """Each partition with only DynamoDB's entries (and its streams'): the rest is never read by our client."""
    trimmed = dict(endpoints)
    trimmed["partitions"] = [
        {**partition, "services": {name: entry for name, entry in partition.get("services", {}).items()
                                   if name in (SERVICE, f"streams.{SERVICE}")}}
        for partition in endpoints["partitions"]
    ]
    return trimmed


def build_folder(target: Path, source: Path | None = None, version: str = botocore.__version__) -> Path:
    """Write the folder at `target` from botocore's data folder `source` (the installed one by default) of
    `version`; atomic (a rename), so readers see all or none."""
    source = source or Path(botocore.loaders.Loader.BUILTIN_DATA_PATH)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        model = _latest_model_folder(source)
        shutil.copytree(model, work / SERVICE / model.name, ignore=shutil.ignore_patterns("examples-*"))
        for name in _COPIED_FILES:
            shutil.copyfile(source / name, work / name)
        endpoints = json.loads((source / "endpoints.json").read_text(encoding="utf-8"))
        (work / "endpoints.json").write_text(json.dumps(_endpoints_of_dynamodb(endpoints)), encoding="utf-8")
        (work / VERSION_FILE).write_text(version, encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def is_current(folder: Path) -> bool:
    """Whole and made from this botocore: anything else is stale and not used."""
    try:
        return bool((folder / VERSION_FILE).read_text(encoding="utf-8") == botocore.__version__)
    except OSError:
        return False


def usable_folder() -> Path | None:
    """The packaged folder, else the local one (built when absent or stale), else None: botocore's own loader."""
    if is_current(PACKAGED_FOLDER):
        return PACKAGED_FOLDER
    if not is_current(LOCAL_FOLDER):
        try:
            build_folder(LOCAL_FOLDER)
        except OSError:  # a read-only code folder (a Lambda without the packaged folder): the slow way
            return None
    return LOCAL_FOLDER if is_current(LOCAL_FOLDER) else None


def restrict_session(session: botocore.session.Session) -> bool:
    """Give `session` the small loader when a current folder exists; False when it keeps botocore's own."""
    folder = usable_folder()
    if folder is None:
        return False
    session.register_component("data_loader", DynamoDBOnlyLoader(folder))
    return True


def seed_connection(connection: Any) -> None:
    """Before PynamoDB's `connection` makes its session, hand it one with the small loader (once per thread).

    PynamoDB keeps the session per thread (`_local.session`) and makes it with botocore's `get_session()`
    when absent; a session put there first is the one its client is created from. A thread that creates
    the client without it just gets botocore's own loader.
    """
    local = connection._local
    if getattr(local, "session", None) is None and getattr(connection, "_client", None) is None:
        session = botocore.session.get_session()
        restrict_session(session)
        local.session = session

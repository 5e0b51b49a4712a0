"""`cocoon`: run a job by hand (`run-job <name> --now <ISO 8601>`), manage staff and their tokens, and
feed an event file to a declared handler (`deliver-event <handler> <file>`, local and test stages)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from shared.rules.accounts.states import STAFF_ROLES


def _progress_printer(label: str) -> object:
    interactive = sys.stderr.isatty()

    def show(done: int, total: int | None) -> None:
        if not interactive and done % 1000:
            return
        text = f"{label}: {done}/{total}" if total else f"{label}: {done}"
        sys.stderr.write(("\r" if interactive else "") + text + ("" if interactive else "\n"))
        sys.stderr.flush()

    return show


def _parse_now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    from shared.api.errors import ApiError
    from shared.api.requests import parse_moment

    try:
        return parse_moment(text, field="--now")
    except ApiError as exc:
        raise SystemExit(f"--now: {exc.message}") from exc


def main(argv: list[str] | None = None) -> int:
    from functions.jobs import JOBS

    parser = argparse.ArgumentParser(prog="cocoon", description="Cocoon back office tools")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run-job", help="run a scheduled job once")
    run.add_argument("name", choices=sorted(JOBS))
    run.add_argument("--now", help="the moment to run at (ISO 8601 with offset); only in local and test stages")
    staff = commands.add_parser("staff", help="staff members")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_commands.add_parser("add", help="create a staff member and print their token once")
    add.add_argument("name")
    add.add_argument("email")
    add.add_argument("--role", choices=list(STAFF_ROLES), default="agent")
    staff_commands.add_parser("list", help="id, role, created, last used of every member (never tokens)")
    revoke = staff_commands.add_parser("revoke", help="stop all tokens of a member at once; the member stays")
    revoke.add_argument("staff_id")
    remove = staff_commands.add_parser("remove", help="delete a member and revoke their tokens")
    remove.add_argument("staff_id")
    commands.add_parser("backfill-search", help="index every account's name and VAT ID for the desk's search (once)")
    commands.add_parser("backfill-queues", help="put older tickets in the desk's queue indexes (re-run safe)")
    deliver = commands.add_parser(
        "deliver-event", help="feed an SNS/SES/SQS event file to a declared handler of app.py (local and test stages)"
    )
    deliver.add_argument("handler", help="the handler's name in app.py, e.g. mail_events_from_ses")
    deliver.add_argument("file", help="the event file (JSON)")
    args = parser.parse_args(argv)

    from shared.policy import get_policy
    from shared.secrets import MissingSecret, require_secrets
    from shared.settings import get_settings

    get_policy()  # a broken policy stops here, naming the key
    if args.command == "deliver-event" and not get_settings().time_travel_allowed:
        raise SystemExit(f"deliver-event is only allowed in the local and test stages (stage: {get_settings().stage})")
    try:
        require_secrets()  # and a missing or default secret here, naming the secret
    except MissingSecret as exc:
        raise SystemExit(f"Cannot start: {exc}") from exc
    settings = get_settings()
    if settings.stage == "local" and settings.dynamodb_endpoint is None:
        raise SystemExit("No local database: start `make run` first (cocoon works on its DynamoDB Local).")
    if args.command == "run-job":
        if args.now and not get_settings().time_travel_allowed:
            raise SystemExit(f"--now is only allowed in the local and test stages (stage: {get_settings().stage})")
        from functions.jobs import run_job

        result = run_job(args.name, _parse_now(args.now), progress=_progress_printer(args.name))  # type: ignore[arg-type]
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        print(result.summary())
        return 1 if result.failed else 0
    if args.command in ("deliver-event", "backfill-search", "backfill-queues"):
        return _deliver_event(args.handler, args.file) if args.command == "deliver-event" else _backfill(args.command)
    if args.staff_command != "add":
        return _manage_staff(args.staff_command, str(getattr(args, "staff_id", "")))
    from shared.services.staff.admin import add_member_with_token

    member, token = add_member_with_token(args.name, args.email, args.role, datetime.now(UTC))
    print(f"staff member {member.staff_id} ({args.role}) created. Token (shown once, store it now):\n{token}")
    return 0


def _deliver_event(handler: str, file: str) -> int:
    """What the handler answered for each event made from the file (its effects are in the database)."""
    import json
    from pathlib import Path

    from infra.local_invoke import EventFileError, deliver_event_file

    try:
        answers = deliver_event_file(handler, Path(file).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SystemExit(f"{file}: {exc.strerror or exc}") from exc
    except EventFileError as exc:
        raise SystemExit(str(exc)) from exc
    for answer in answers:
        print(f"{handler}: {json.dumps(answer, default=str)}")
    return 0


def _manage_staff(command: str, staff_id: str) -> int:
    """`staff list|revoke|remove`: no names, addresses or tokens in the output, only ids and dates."""
    from shared.services.staff.admin import StaffError, member_listings, remove_member, revoke_access

    if command == "list":
        print("id\trole\tcreated\tlast used\ttokens")
        for member in member_listings():
            revoked = f"revoked {member.tokens_revoked_at.date().isoformat()}" if member.tokens_revoked_at else "active"
            created = member.created_at.date().isoformat()
            print(f"{member.staff_id}\t{member.role}\t{created}\t{member.last_used_on or 'never'}\t{revoked}")
        return 0
    try:
        if command == "revoke":
            count = revoke_access(staff_id, datetime.now(UTC))
            print(f"staff member {staff_id}: tokens revoked ({count} deleted); the member is kept")
        else:
            count = remove_member(staff_id)
            print(f"staff member {staff_id} removed with {count} token(s)")
    except StaffError:
        print(f"no staff member {staff_id}", file=sys.stderr)
        return 1
    return 0


def _backfill(command: str) -> int:
    """Index data written before its index existed: the desk's search, its queues (idempotent)."""
    from functions.backfills import backfill
    return backfill(command)


if __name__ == "__main__":
    raise SystemExit(main())

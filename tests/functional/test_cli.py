"""The `cocoon` command: run-job with --now, and staff members and their tokens."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from functions.cli import main
from shared.api.context import Principal
from shared.storage.tokens import principal_for_token
from tests.functional.helpers import now_header, post_json, signup_fields

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_staff_add_prints_a_token_once_that_authenticates_as_staff(db, capsys):
    assert main(["staff", "add", "Sam Agent", "sam@cocoon.example", "--role", "agent"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("cs_")
    principal = principal_for_token(token)
    assert principal == Principal(kind="staff", role="agent", account_id=None, staff_id=principal.staff_id)


def test_staff_list_shows_id_role_created_and_last_used_never_a_token(client, capsys):
    assert main(["staff", "add", "Sam Agent", "sam@cocoon.example", "--role", "billing"]) == 0
    added = capsys.readouterr().out.strip().splitlines()
    staff_id, token = added[0].split()[2], added[-1]
    assert main(["staff", "list"]) == 0
    before = capsys.readouterr().out
    assert f"{staff_id}\tbilling\t" in before and "\tnever\tactive" in before
    client.http.get("/staff/tickets", headers={"Authorization": f"Bearer {token}", **now_header("2026-11-23T11:00Z")})
    assert main(["staff", "list"]) == 0
    listed = capsys.readouterr().out
    assert "\t2026-11-23\tactive" in listed
    assert token not in listed and token.split("_", 1)[1][:8] not in listed
    assert "Sam" not in listed and "sam@cocoon.example" not in listed  # ids and dates only

    assert main(["staff", "revoke", staff_id]) == 0
    capsys.readouterr()
    assert main(["staff", "list"]) == 0
    assert f"{staff_id}\tbilling\t" in capsys.readouterr().out.split("revoked")[0]
    assert main(["staff", "remove", staff_id]) == 0
    capsys.readouterr()
    assert main(["staff", "list"]) == 0
    assert staff_id not in capsys.readouterr().out


def test_staff_revoke_or_remove_of_an_unknown_member_fails_and_says_so(db, capsys):
    assert main(["staff", "revoke", "staff_nobody"]) == 1
    assert "no staff member staff_nobody" in capsys.readouterr().err
    assert main(["staff", "remove", "staff_nobody"]) == 1
    assert "no staff member staff_nobody" in capsys.readouterr().err


def test_run_job_mail_with_now_delivers_due_mails(client, outbox_dir, capsys):
    post_json(client, "/signup", signup_fields(), now_header("2026-05-04T10:00:00+02:00"))
    assert main(["run-job", "mail", "--now", "2026-05-04T10:00:00+02:00"]) == 0
    assert "mail: 1 done" in capsys.readouterr().out
    assert len(list(outbox_dir.glob("*.eml"))) == 1


def test_run_job_refuses_a_moment_without_offset(db):
    with pytest.raises(SystemExit, match="--now"):
        main(["run-job", "mail", "--now", "2026-05-04T10:00:00"])


def _clean_environment(local_dir: Path, **extra: str) -> dict[str, str]:
    """A newcomer's shell: none of this test run's COCOON_* or AWS_* settings."""
    keep = {name: value for name, value in os.environ.items() if not name.startswith(("COCOON_", "AWS_"))}
    return {**keep, "COCOON_LOCAL_DIR": str(local_dir), **extra}


def test_cocoon_in_another_terminal_works_on_the_data_of_make_run(tmp_path: Path) -> None:
    """`make run` in one terminal, `cocoon staff add` in another, then Ctrl-C: the README's Quick start."""
    from infra.dynamodb_local import free_port
    from shared.settings import LOCAL_ENDPOINT_FILE

    local_dir = tmp_path / "local"
    port = free_port()
    python = str(PROJECT_ROOT / ".venv" / "bin" / "python")
    cocoon = [python, "-c", "from functions.cli import main; raise SystemExit(main())"]
    refused = subprocess.run([*cocoon, "staff", "add", "Sam", "sam@cocoon.example"], cwd=PROJECT_ROOT,
                             env=_clean_environment(local_dir), capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "make run" in refused.stderr  # nothing running: says what to do

    stack = subprocess.Popen([python, "-m", "infra.local_stack"], cwd=PROJECT_ROOT,
                             env=_clean_environment(local_dir, PORT=str(port)),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while not (local_dir / LOCAL_ENDPOINT_FILE).exists() or not _serves(port):
            assert stack.poll() is None and time.monotonic() < deadline, "make run did not come up"
            time.sleep(0.5)
        added = subprocess.run([*cocoon, "staff", "add", "Sam", "sam@cocoon.example", "--role", "admin"],
                               cwd=PROJECT_ROOT, env=_clean_environment(local_dir), capture_output=True, text=True,
                               timeout=60)
        assert added.returncode == 0, added.stderr
        token = added.stdout.strip().splitlines()[-1]
        request = urllib.request.Request(f"http://127.0.0.1:{port}/staff/tickets",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the local server
            assert response.status == 200  # the server knows the staff member the CLI created
    finally:
        stack.send_signal(signal.SIGINT)  # Ctrl-C
        output, _ = stack.communicate(timeout=30)
    assert stack.returncode == 0, output
    assert not (local_dir / LOCAL_ENDPOINT_FILE).exists()


def _serves(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
            return True
    except (urllib.error.URLError, OSError):
        return False

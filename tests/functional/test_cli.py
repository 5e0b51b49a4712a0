"""The `cocoon` command: run-job with --now, and staff tokens."""

from __future__ import annotations

import pytest

from functions.cli import main
from shared.api.context import Principal
from shared.storage.tokens import principal_for_token
from tests.functional.helpers import now_header, post_json, signup_fields


def test_staff_add_prints_a_token_once_that_authenticates_as_staff(db, capsys):
    assert main(["staff", "add", "Sam Agent", "sam@cocoon.example", "--role", "agent"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("cs_")
    principal = principal_for_token(token)
    assert principal == Principal(kind="staff", role="agent", account_id=None, staff_id=principal.staff_id)


def test_run_job_mail_with_now_delivers_due_mails(client, outbox_dir, capsys):
    post_json(client, "/signup", signup_fields(), now_header("2026-05-04T10:00:00+02:00"))
    assert main(["run-job", "mail", "--now", "2026-05-04T10:00:00+02:00"]) == 0
    assert "mail: 1 done" in capsys.readouterr().out
    assert len(list(outbox_dir.glob("*.eml"))) == 1


def test_run_job_refuses_a_moment_without_offset(db):
    with pytest.raises(SystemExit, match="--now"):
        main(["run-job", "mail", "--now", "2026-05-04T10:00:00"])

"""The `cocoon` command: run-job with --now, and staff members and their tokens."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from functions.cli import main
from shared.rules.accounts.principal import Principal
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


# --- deliver-event: an event file to a declared handler (like `sam local invoke -e`) ----------------


def test_deliver_event_feeds_an_sqs_event_file_to_the_billing_consumer_and_prints_its_answer(db, testdata_dir, capsys):
    sqs_event = testdata_dir / "aws_events" / "chalice" / "test_app_sqs_event.json"
    assert main(["deliver-event", "bill_accounts_from_queue", str(sqs_event)]) == 0
    # "queue message body" is no billing work item: the real consumer sends it back to the queue.
    assert capsys.readouterr().out.strip() == (
        'bill_accounts_from_queue: {"batchItemFailures": [{"itemIdentifier": "message-id"}]}'
    )


def test_deliver_event_wraps_a_bare_ses_notification_into_one_signed_sns_message_on_the_handlers_topic(
    db, testdata_dir
):
    """The SNS handlers verify signatures: the command's message verifies (for the local stage's topic,
    with the command's own key), an altered one does not, and nothing trusts that key afterwards."""
    from app import app
    from infra.local_invoke import declared_sources, lambda_events, local_topic_arn, playing_sns
    from shared import sns_certificates
    from shared.local_sns import LocalSns
    from shared.rules.sns_signature import ForgedSnsMessage, verify_sns_message

    text = (testdata_dir / "ses_notifications" / "amazonses-01.json").read_text()
    signer = LocalSns()
    (event,) = lambda_events(declared_sources(app)["inbound_email_from_ses"], json.loads(text), signer)
    record = event["Records"][0]["Sns"]
    topic = local_topic_arn("cocoon-inbound-email")
    assert record["TopicArn"] == topic and json.loads(record["Message"]) == json.loads(text)
    real_source = sns_certificates.fetch_certificate
    with playing_sns(signer):
        assert verify_sns_message(record, topic_arn=topic, certificate=sns_certificates.fetch_certificate) == (
            record["Message"]
        )
        altered = {**record, "Message": record["Message"].replace("Permanent", "Transient")}
        with pytest.raises(ForgedSnsMessage):
            verify_sns_message(altered, topic_arn=topic, certificate=sns_certificates.fetch_certificate)
        other = LocalSns().envelope(record["Message"], topic)  # signed by another key than the command's
        with pytest.raises(ForgedSnsMessage):
            verify_sns_message(other, topic_arn=topic, certificate=sns_certificates.fetch_certificate)
    assert sns_certificates.fetch_certificate is real_source


def test_deliver_event_republishes_each_sns_record_of_a_lambda_event_file(db, testdata_dir, capsys):
    sns_event = testdata_dir / "aws_events" / "composed" / "snsEvent_with_ses_received_notification.json"
    assert main(["deliver-event", "inbound_email_from_ses", str(sns_event)]) == 0
    assert capsys.readouterr().out.strip() == "inbound_email_from_ses: null"  # a stranger's mail: nothing


def test_deliver_event_refuses_unknown_handlers_schedules_and_files_that_are_not_json(db, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(SystemExit, match=r"no handler 'nope' in app\.py; declared: .*inbound_email_from_ses"):
        main(["deliver-event", "nope", str(broken)])
    with pytest.raises(SystemExit, match="not JSON"):
        main(["deliver-event", "inbound_email_from_ses", str(broken)])
    broken.write_text("{}")
    with pytest.raises(SystemExit, match=r"job_mail is not an SNS or SQS handler.*run-job"):
        main(["deliver-event", "job_mail", str(broken)])


def test_deliver_event_is_refused_outside_the_local_and_test_stages(db, tmp_path, monkeypatch):
    import dataclasses

    from infra import local_invoke
    from shared import settings
    from shared.local_sns import LocalSns

    event_file = tmp_path / "event.json"
    event_file.write_text("{}")
    prod = dataclasses.replace(settings.get_settings(), stage="prod")
    monkeypatch.setattr(settings, "get_settings", lambda: prod)
    with pytest.raises(SystemExit, match=r"deliver-event is only allowed in the local and test stages \(stage: prod\)"):
        main(["deliver-event", "inbound_email_from_ses", str(event_file)])
    with pytest.raises(local_invoke.EventFileError, match="only allowed"):  # nor by calling the module
        local_invoke.deliver_event_file("inbound_email_from_ses", "{}")
    with pytest.raises(local_invoke.EventFileError, match="only allowed"), local_invoke.playing_sns(LocalSns()):
        pass


def test_deliver_event_of_an_ses_send_event_records_it_on_the_outbox_mail(client, tmp_path, capsys):
    """The local event path end to end: SES's Send event (as SES publishes it) → SNS → the declared handler."""
    from app import app
    from shared.mail.local_events import ses_event_message
    from shared.storage.models import OutboxMail
    from tests.functional.helpers import MAIL_RUN_START as START
    from tests.functional.helpers import queue_mails

    if "mail_events_from_ses" not in app.handler_map:
        pytest.skip("mail_events_from_ses is declared in app.py by the SES-events work")
    (mail_id,) = queue_mails(1, START)
    mail = OutboxMail.get(f"ACCOUNT#{mail_id.removeprefix('verify-')}", f"MAIL#{mail_id}")
    event_file = tmp_path / "send.json"
    event_file.write_text(ses_event_message("Send", mail.mail_id, "0100abc-000000", mail.recipient, "x@cocoon.example",
                                            mail.created_at))
    assert main(["deliver-event", "mail_events_from_ses", str(event_file)]) == 0
    mail.refresh()
    assert mail.ses_message_id == "0100abc-000000" and mail.send_event_at == mail.created_at


def _start_stack(local_dir: Path, port: int, **env: str) -> subprocess.Popen[str]:
    from shared.settings import LOCAL_ENDPOINT_FILE

    python = str(PROJECT_ROOT / ".venv" / "bin" / "python")
    stack = subprocess.Popen([python, "-m", "infra.local_stack"], cwd=PROJECT_ROOT,
                             env=_clean_environment(local_dir, PORT=str(port), **env),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 90
    while not (local_dir / LOCAL_ENDPOINT_FILE).exists() or not _serves(port):
        assert stack.poll() is None and time.monotonic() < deadline, "make run did not come up"
        time.sleep(0.5)
    return stack


def _stop_stack(stack: subprocess.Popen[str]) -> str:
    stack.send_signal(signal.SIGINT)
    output, _ = stack.communicate(timeout=30)
    assert stack.returncode == 0, output
    return output


def test_make_run_with_the_scheduler_off_fires_no_job_and_deliver_event_works_from_another_terminal(
    tmp_path: Path, testdata_dir: Path
) -> None:
    """A signup's mail waits in the outbox: with the scheduler on, the mail job would deliver it when the
    stack starts again (every job fires at start); off, only `cocoon run-job mail` does."""
    from infra.dynamodb_local import free_port

    local_dir, port = tmp_path / "local", free_port()
    python = str(PROJECT_ROOT / ".venv" / "bin" / "python")
    cocoon = [python, "-c", "from functions.cli import main; raise SystemExit(main())"]
    outbox_dir = local_dir / "outbox"
    stack = _start_stack(local_dir, port, COCOON_SCHEDULER="off")
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/signup", data=json.dumps(signup_fields()).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the local server
            assert response.status == 202
        # The console script the README names, from outside the project: app.py is no installed module.
        delivered = subprocess.run(
            [str(PROJECT_ROOT / ".venv" / "bin" / "cocoon"), "deliver-event", "inbound_email_from_ses",
             str(testdata_dir / "ses_notifications" / "amazonses-01.json")],
            cwd=tmp_path, env=_clean_environment(local_dir), capture_output=True, text=True, timeout=60)
        assert delivered.returncode == 0, delivered.stderr
        assert delivered.stdout.strip() == "inbound_email_from_ses: null"  # not a Received notification: nothing
    finally:
        first_output = _stop_stack(stack)
    assert "Scheduler off" in first_output
    stack = _start_stack(local_dir, port, COCOON_SCHEDULER="off")
    try:
        time.sleep(3)  # the scheduler's first round fires every job within a second of the start
        assert list(outbox_dir.glob("*.eml")) == []
        sent = subprocess.run([*cocoon, "run-job", "mail"], cwd=PROJECT_ROOT, env=_clean_environment(local_dir),
                              capture_output=True, text=True, timeout=60)
        assert sent.returncode == 0 and "mail: 1 done" in sent.stdout, sent.stdout + sent.stderr
        assert len(list(outbox_dir.glob("verify-*.eml"))) == 1
    finally:
        _stop_stack(stack)


def test_cocoon_scheduler_takes_on_or_off_only() -> None:
    from infra.local_stack import scheduler_on

    assert scheduler_on({}) and scheduler_on({"COCOON_SCHEDULER": "on"})
    assert not scheduler_on({"COCOON_SCHEDULER": "OFF "})
    with pytest.raises(ValueError, match="COCOON_SCHEDULER must be on or off"):
        scheduler_on({"COCOON_SCHEDULER": "0"})

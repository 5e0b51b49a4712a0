"""The deployed fan-out of nightly billing: the dispatcher fills the SQS queue, the consumer bills batches.

The consumer is app.py's `bill_accounts_from_queue` handler, called with SQS events shaped like
AWS's own sample (../shared/testdata/aws_events/powertools/sqsEvent.json), against DynamoDB Local.
SQS itself is not emulated: the dispatcher's sender is a function, and the tests hand what it
sent to the consumer, so the test checks that what one side writes the other side bills.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from functions import billing
from shared.services.billing import dispatch as fan_out
from tests.functional.helpers import BILLING_ACCOUNTS as ACCOUNTS
from tests.functional.helpers import BILLING_NOW as NOW
from tests.functional.helpers import (
    all_items,
    assert_billed_exactly_once,
    load_accounts,
    raw_items,
)

SAMPLE = "aws_events/powertools/sqsEvent.json"


def sqs_event(testdata_dir: Path, bodies: list[str]) -> dict[str, Any]:
    """An SQS event as Lambda delivers it: AWS's sample record, once per body, each with its own message id."""
    sample = json.loads((testdata_dir / SAMPLE).read_text(encoding="utf-8"))
    template = sample["Records"][0]
    records = []
    for number, body in enumerate(bodies):
        record = copy.deepcopy(template)
        record.update(body=body, messageId=f"message-{number:04d}", receiptHandle=f"handle-{number}")
        records.append(record)
    return {"Records": records}


def consume(event: dict[str, Any]) -> list[str]:
    """Invoke the deployed consumer's handler; the message ids it sends back to the queue."""
    import app as app_module

    answer = app_module.bill_accounts_from_queue(event, None)
    return sorted(failure["itemIdentifier"] for failure in answer["batchItemFailures"])


def work_items(account_ids: list[str]) -> list[str]:
    from shared.contracts import BillingWorkItem

    return [BillingWorkItem(account_id=account_id, now=NOW).model_dump_json() for account_id in account_ids]


class FlakyQueue:
    """Collects what the dispatcher sends; refuses each batch's first entry on the first try, as SQS may."""

    def __init__(self) -> None:
        self.bodies: list[str] = []
        self.requests = 0
        self.refused_once: set[str] = set()

    def send(self, bodies: list[str]) -> list[int]:
        self.requests += 1
        refused = [] if bodies[0] in self.refused_once else [0]
        self.refused_once.add(bodies[0])
        self.bodies += [body for index, body in enumerate(bodies) if index not in refused]
        return refused


@pytest.fixture
def accounts(db: str) -> dict[str, set[str]]:
    return load_accounts()


def test_dispatch_then_consume_bills_every_due_account_exactly_once(
    accounts: dict[str, set[str]], testdata_dir: Path
) -> None:
    queue = FlakyQueue()
    due = sorted(accounts)
    sent = fan_out.dispatch(due, NOW, queue.send, senders=2)
    assert (sent.done, sent.failed) == (ACCOUNTS, 0), sent.summary()
    assert sorted(json.loads(body)["account_id"] for body in queue.bodies) == due  # each once, none lost
    assert queue.requests == 2 * -(-ACCOUNTS // 10)  # every batch of ten needed its retry

    assert consume(sqs_event(testdata_dir, queue.bodies)) == []
    assert_billed_exactly_once(accounts)
    before = raw_items()
    assert consume(sqs_event(testdata_dir, queue.bodies)) == []  # SQS delivers at least once: again
    assert raw_items() == before


def test_the_nightly_run_dispatches_where_there_is_a_queue(
    accounts: dict[str, set[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.settings import get_settings

    queue = FlakyQueue()
    monkeypatch.setenv("COCOON_BILLING_QUEUE_URL", "https://sqs.eu-central-1.amazonaws.com/123456789012/cocoon-billing")
    monkeypatch.setattr(fan_out, "queue_sender", lambda url: queue.send)
    get_settings.cache_clear()
    try:
        result = billing.run(NOW)
    finally:
        monkeypatch.delenv("COCOON_BILLING_QUEUE_URL")
        get_settings.cache_clear()
    assert result.details == {"accounts queued": ACCOUNTS}
    assert sorted(json.loads(body)["account_id"] for body in queue.bodies) == sorted(accounts)
    assert [i for i in all_items() if type(i).__name__ == "InvoiceDocument"] == []  # the consumers bill, not the run


def test_messages_that_are_not_work_items_go_back_and_change_nothing(db: str, testdata_dir: Path) -> None:
    event = json.loads((testdata_dir / SAMPLE).read_text(encoding="utf-8"))  # AWS's sample, bodies as they are
    before = raw_items()
    assert consume(event) == sorted(record["messageId"] for record in event["Records"])
    assert raw_items() == before


def test_one_account_that_cannot_be_billed_does_not_send_the_others_back(
    accounts: dict[str, set[str]], testdata_dir: Path
) -> None:
    from shared.storage.models import Account, account_pk

    broken, *others = sorted(accounts)
    account = Account.get(account_pk(broken), "ACCOUNT")
    account.update(actions=[Account.paid_from.set("not a date")])  # a record billing cannot read
    bodies = [*work_items([broken, *others]), '{"account_id": "acc_1", "now": "2026-06-01"}']  # no zone
    assert consume(sqs_event(testdata_dir, bodies)) == ["message-0000", f"message-{len(bodies) - 1:04d}"]
    billed = {i.account_id for i in all_items() if type(i).__name__ == "InvoiceDocument"}
    assert billed == {account_id for account_id in others if accounts[account_id]}


def test_the_local_run_too_bills_the_rest_of_a_batch_around_a_broken_account(accounts: dict[str, set[str]]) -> None:
    from shared.storage.models import Account, account_pk

    broken, *others = sorted(accounts)
    Account.get(account_pk(broken), "ACCOUNT").update(actions=[Account.paid_from.set("not a date")])
    result = billing.run(NOW, workers=2)
    assert result.failed == 1, result.summary()
    billed = {i.account_id for i in all_items() if type(i).__name__ == "InvoiceDocument"}
    assert billed == {account_id for account_id in others if accounts[account_id]}


@pytest.fixture
def stubbed_sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stubber]:
    import boto3

    client = boto3.client("sqs", region_name="eu-central-1", aws_access_key_id="x", aws_secret_access_key="x")
    monkeypatch.setattr(boto3, "client", lambda *args, **kwargs: client)
    with Stubber(client) as stubber:
        yield stubber


def test_the_sender_speaks_sqs_send_message_batch(stubbed_sqs: Stubber) -> None:
    url = "https://sqs.eu-central-1.amazonaws.com/123456789012/cocoon-billing"
    bodies = work_items(["acc_0000000000000001", "acc_0000000000000002"])
    stubbed_sqs.add_response(
        "send_message_batch",
        {
            "Successful": [{"Id": "0", "MessageId": "m-0", "MD5OfMessageBody": "0" * 32}],
            "Failed": [{"Id": "1", "SenderFault": False, "Code": "InternalError"}],
        },
        {"QueueUrl": url, "Entries": [{"Id": "0", "MessageBody": bodies[0]}, {"Id": "1", "MessageBody": bodies[1]}]},
    )
    assert fan_out.queue_sender(url)(bodies) == [1]
    stubbed_sqs.assert_no_pending_responses()

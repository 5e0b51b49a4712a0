"""A failing DynamoDB (throttled, unavailable) read as someone else's win: attempts to get a mail
skipped silently, or a route to answer a 500 for a passing failure. Each test is the attempt and the
expected refusal. The fault is DynamoDB's answer (a throttle), injected at PynamoDB's request;
storage itself runs against DynamoDB Local.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.functional.helpers import body_of, post_json, queue_mails, signup_fields

START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def throttled(operation: str) -> ClientError:
    return ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
                        "ResponseMetadata": {"HTTPStatusCode": 400}}, operation)


class CountingSes:
    def __init__(self) -> None:
        self.deliveries: Counter[str] = Counter()

    def send(self, mail: Any, now: datetime | None = None) -> str:
        self.deliveries[mail.mail_id] += 1
        return f"0100-{mail.mail_id}"


def test_a_throttled_claim_is_not_taken_for_another_senders_claim(db, monkeypatch) -> None:
    """The claim's write is throttled: the job must fail loudly, not count the mail as "another sender has it"."""
    from pynamodb.exceptions import UpdateError

    from functions import mail_delivery
    from shared.storage.models import OutboxMail

    (mail_id,) = queue_mails(1, START)

    def throttled_update(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise UpdateError("Failed to update item", throttled("UpdateItem"))

    monkeypatch.setattr(OutboxMail, "update", throttled_update)
    ses = CountingSes()
    with pytest.raises(Exception, match="not updated") as raised:
        mail_delivery.run(START, transport=ses)
    assert type(raised.value).__name__ == "StorageUnavailable"
    assert ses.deliveries[mail_id] == 0
    monkeypatch.undo()
    assert mail_delivery.run(START, transport=ses).done == 1  # still queued: the next run sends it, once
    assert ses.deliveries[mail_id] == 1


def test_a_throttled_transaction_at_a_route_answers_503_with_retry_after_not_500(client, monkeypatch) -> None:
    """A signup while DynamoDB throttles its transaction: a passing failure, answered as one (nothing written)."""
    from pynamodb.connection import Connection
    from pynamodb.exceptions import TransactWriteError

    def throttled_transaction(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise TransactWriteError("Failed to write transaction items", throttled("TransactWriteItems"))

    monkeypatch.setattr(Connection, "transact_write_items", throttled_transaction)
    response = post_json(client, "/signup", signup_fields())
    assert response.status_code == 503
    assert response.headers.get("Retry-After") == "1"
    assert body_of(response)["error"]["code"] == "temporarily_unavailable"

"""Fan-out of the nightly billing run through SQS: one work item per due account, retrying what SQS refuses."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from threading import Lock

from shared.contracts import BillingWorkItem
from shared.jobs import JobResult, ProgressCallback
from shared.observability import logger
from shared.storage.schedule import BILLING_JOB

# Sends up to 10 message bodies; returns the indexes of those SQS did not take.
QueueSender = Callable[[list[str]], list[int]]
SEND_ATTEMPTS = 5
DISPATCH_THREADS = 16  # 1,000,000 accounts are 100,000 SendMessageBatch calls: about a minute from 16 threads


def dispatch(
    account_ids: list[str],
    now: datetime,
    send: QueueSender,
    progress: ProgressCallback | None = None,
    senders: int = DISPATCH_THREADS,
) -> JobResult:
    """Put one work item per account into the billing queue, ten per request, retrying what SQS refuses.

    Sending an account twice (a re-run of the night) costs a Query: its consumer finds the months
    billed. An account that could not be queued stays due and is billed the next night.
    """
    result = JobResult(BILLING_JOB)
    lock = Lock()
    total = len(account_ids)
    if progress:
        progress(0, total)

    def send_ten(start: int) -> None:
        bodies = [
            BillingWorkItem(account_id=account_id, now=now).model_dump_json()
            for account_id in account_ids[start : start + 10]
        ]
        queued = 0
        for _attempt in range(SEND_ATTEMPTS):
            refused = set(send(bodies))
            queued += len(bodies) - len(refused)
            bodies = [body for index, body in enumerate(bodies) if index in refused]
            if not bodies:
                break
        if bodies:
            logger.error("SQS refused billing work items", extra={"accounts": len(bodies)})
        with lock:
            result.done += queued
            result.failed += len(bodies)
            if queued:
                result.count("accounts queued", queued)
            if progress:
                progress(result.done + result.failed, total)

    with ThreadPoolExecutor(max_workers=max(1, senders)) as pool:
        list(pool.map(send_ten, range(0, total, 10)))
    return result


def queue_sender(queue_url: str) -> QueueSender:
    """The SQS client's SendMessageBatch as a QueueSender (boto3 imported on first use)."""
    import boto3
    from botocore.config import Config

    sqs = boto3.client("sqs", config=Config(max_pool_connections=DISPATCH_THREADS))

    def send(bodies: list[str]) -> list[int]:
        answer = sqs.send_message_batch(
            QueueUrl=queue_url, Entries=[{"Id": str(index), "MessageBody": body} for index, body in enumerate(bodies)]
        )
        return [int(entry["Id"]) for entry in answer.get("Failed", [])]

    return send

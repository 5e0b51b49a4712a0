"""The nightly billing run: which accounts are due, batches over threads, and the fallback to one account.

Deployed, the run fans out through the billing queue (shared/services/billing/dispatch.py) and the
queue's consumers bill batches (`bill_queued_accounts`, infra/BILLING_SCALE.md); locally `workers`
threads run the same batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from threading import Lock

from pydantic import ValidationError

from shared.contracts import BillingWorkItem
from shared.jobs import JobResult, ProgressCallback
from shared.observability import logger
from shared.services.billing import accounts
from shared.services.billing import dispatch as fan_out
from shared.services.billing.sizes import BATCH_SIZE
from shared.settings import get_settings
from shared.storage.billing import CounterCache
from shared.storage.schedule import BILLING_JOB, due_actions


def bill_batch(account_ids: list[str], now: datetime, counters: CounterCache) -> tuple[dict[str, list[str]], set[str]]:
    """Bill a batch in one commit; if that fails, each account alone, so one unreadable account fails alone.

    Returns the numbers issued per account and the accounts that could not be billed (they stay
    due: the next run, or the queue's next delivery, tries them again).
    """
    try:
        return accounts.bill_accounts_at(account_ids, now, counters), set()
    except Exception:
        logger.exception("billing a batch failed; billing each account alone", extra={"accounts": len(account_ids)})
    issued: dict[str, list[str]] = {}
    failed: set[str] = set()
    for account_id in account_ids:
        try:
            issued.update(accounts.bill_accounts_at([account_id], now, counters))
        except Exception:
            logger.exception("billing an account failed", extra={"account_id": account_id})
            failed.add(account_id)
    return issued, failed


def run(now: datetime, progress: ProgressCallback | None = None, workers: int = 4) -> JobResult:
    """The nightly job: bill every account whose cursor is due - through the queue where there is one."""
    account_ids = sorted({action.account_id for action in due_actions(BILLING_JOB, now)})
    queue_url = get_settings().billing_queue_url
    if queue_url:
        return fan_out.dispatch(account_ids, now, fan_out.queue_sender(queue_url), progress)
    return bill_in_process(account_ids, now, progress, workers)


def bill_in_process(
    account_ids: list[str], now: datetime, progress: ProgressCallback | None = None, workers: int = 4
) -> JobResult:
    """Bill the accounts here, in batches over `workers` threads (locally, and the CLI)."""
    batches = [account_ids[i : i + BATCH_SIZE] for i in range(0, len(account_ids), BATCH_SIZE)]
    result = JobResult(BILLING_JOB)
    lock = Lock()
    counters = CounterCache()  # shared: the workers take turns at the counter instead of racing for it
    total = len(account_ids)
    if progress:
        progress(0, total)

    def work(batch: list[str]) -> None:
        issued, failed = bill_batch(batch, now, counters)
        with lock:
            result.failed += len(failed)
            for numbers in issued.values():
                if numbers:
                    result.done += 1
                    result.count("invoices issued", len(numbers))
                else:
                    result.skipped += 1
            if progress:
                progress(result.done + result.skipped + result.failed, total)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(work, batches))
    return result


def bill_queued_accounts(messages: Sequence[tuple[str, str]]) -> list[str]:
    """The queue consumer: bill the accounts of (message id, body) pairs; return the ids that failed.

    The batch is billed together (one commit). If that fails, each account is billed alone, so one
    bad account does not send the other 24 back to the queue; what still fails - and any message
    that is not a work item - goes back to SQS and, after its retries, to the dead-letter queue.
    """
    failed: list[str] = []
    nights: dict[datetime, list[tuple[str, str]]] = {}
    for message_id, body in messages:
        try:
            item = BillingWorkItem.model_validate_json(body)
        except ValidationError as exc:
            logger.error("not a billing work item", extra={"message_id": message_id, "errors": exc.error_count()})
            failed.append(message_id)
            continue
        nights.setdefault(item.now, []).append((message_id, item.account_id))
    counters = CounterCache()  # per invocation: other consumers move the counter all the time
    for now, items in nights.items():
        _, unbilled = bill_batch(sorted({account_id for _, account_id in items}), now, counters)
        failed += [message_id for message_id, account_id in items if account_id in unbilled]
    return failed

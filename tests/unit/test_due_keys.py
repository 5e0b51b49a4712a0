"""Due index keys: busy jobs spread over shards, every shard is read (shared/storage/schedule.py). No database."""

from __future__ import annotations

from collections import Counter

from shared.storage.schedule import DUE_KEY_SHARDS, due_key, due_keys


def test_a_busy_jobs_items_spread_over_every_shard_and_stay_put() -> None:
    accounts = [f"acc_{number:016x}" for number in range(16_000)]
    for job, shards in DUE_KEY_SHARDS.items():
        counts = Counter(due_key(job, account_id) for account_id in accounts)
        assert set(counts) == set(due_keys(job)) and len(counts) == shards  # the job reads every key written
        assert max(counts.values()) < 1.2 * len(accounts) / shards  # no shard much hotter than the others
        assert due_key(job, accounts[7]) == due_key(job, accounts[7])  # the same item keeps its key


def test_other_jobs_keep_one_key() -> None:
    for job in ("trial-expiry", "lifecycle", "sla-first-response"):
        assert job not in DUE_KEY_SHARDS
        assert due_key(job, "acc_0000000000000001") == job
        assert due_keys(job) == [job]

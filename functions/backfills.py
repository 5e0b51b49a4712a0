"""The CLI's one-off backfills: index entries for data written before their index existed (each re-run safe)."""

from __future__ import annotations


def backfill(command: str) -> int:
    """Run the backfill the command names and print what it wrote."""
    if command == "backfill-queues":
        from shared.storage.queue_backfill import backfill_open_indexes

        done = backfill_open_indexes()
        print(
            f"queue index keys written for {done.written} of {done.read} ticket(s)"
            f" ({done.changed_meanwhile} changed meanwhile, keys written by their own update)"
        )
        return 0
    from shared.storage.search import backfill_search_entries

    print(f"search entries written for {backfill_search_entries()} account(s)")
    return 0

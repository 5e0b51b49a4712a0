"""bench/world.py writes every bulk item the capacity benches hand it (they compare capacity on that data)."""

from __future__ import annotations

from typing import Any

from bench import world


def _item(number: int) -> dict[str, Any]:
    return {"pk": {"S": f"BENCH#{number}"}, "sk": {"S": "ITEM"}}


def test_bulk_write_stores_every_item_across_chunks(db: str, monkeypatch: Any) -> None:
    from shared.settings import get_settings

    monkeypatch.setattr(world, "BATCHES_IN_FLIGHT", 3)  # 3 batches of 25 per chunk: 1,000 items are 14 chunks
    table = get_settings().table_name
    written = world.bulk_write(db, table, (_item(n) for n in range(1_000)), threads=2)
    client = world.raw_client(db)
    keys = {
        item["pk"]["S"]
        for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
        for item in page["Items"]
    }
    assert written == 1_000 and keys == {f"BENCH#{n}" for n in range(1_000)}

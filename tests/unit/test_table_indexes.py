"""The main table's indexes are declared twice (infra/tables.py for CloudFormation and DynamoDB Local,
shared/storage/table.py for PynamoDB's typed queries): the two must name the same keys."""

from __future__ import annotations

import inspect

from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from infra.tables import SPARSE_INDEXES
from shared.storage import table


def _declared_indexes() -> set[tuple[str, str, str]]:
    declared = set()
    for _, index in inspect.getmembers(table, inspect.isclass):
        if not issubclass(index, GlobalSecondaryIndex) or index is GlobalSecondaryIndex:
            continue
        assert isinstance(index.Meta.projection, AllProjection), index
        schema = index._get_schema()
        keys = {key["KeyType"]: key["AttributeName"] for key in schema["key_schema"]}
        declared.add((schema["index_name"], keys["HASH"], keys["RANGE"]))
    return declared


def test_every_pynamodb_index_is_a_table_index_with_the_same_keys() -> None:
    assert _declared_indexes() == set(SPARSE_INDEXES)

"""The one definition of Cocoon's DynamoDB tables.

`make package` merges these resources into the CloudFormation template, and the
local stack and the tests create the same tables in DynamoDB Local from them,
so the two can never drift apart.
"""

from __future__ import annotations

from typing import Any

# Logical CloudFormation ids, and the environment variable that tells the code each table's name.
MAIN_TABLE = "CocoonTable"
IDEMPOTENCY_TABLE = "IdempotencyTable"
TABLE_ENV = {MAIN_TABLE: "COCOON_TABLE", IDEMPOTENCY_TABLE: "COCOON_IDEMPOTENCY_TABLE"}


# The main table's global secondary indexes: (name, hash key, range key), each projecting all attributes and
# sparse (only items that carry both keys are in it). shared/storage/table.py declares the same for PynamoDB;
# tests/unit/test_table_indexes.py checks that the two agree.
SPARSE_INDEXES: tuple[tuple[str, str, str], ...] = (
    ("due", "due_job", "due_at"),  # what a job must do, by due moment: a sweep reads what is due, never a Scan
    ("lookup", "lookup_key", "sk"),  # alternate keys: a contact's e-mail hash, a ticket number
    ("queue", "queue_state", "queue_due"),  # open (and solved) tickets by state and due time: the staff queue
    ("open", "open_queue", "queue_due"),  # open tickets by region: the desk's "all open" in one Query per region
    ("assignee", "assignee_queue", "queue_due"),  # open tickets of one assignee: the desk's "mine" in one Query
    ("account_queue", "account_queue", "queue_due"),  # open tickets of one account: a queue filtered by account
)


def _main_table_attributes() -> list[str]:
    """pk, sk and every index key, each once, in the order first named."""
    names = ["pk", "sk"] + [key for _, hash_key, range_key in SPARSE_INDEXES for key in (hash_key, range_key)]
    return list(dict.fromkeys(names))


def _s(name: str) -> dict[str, str]:
    return {"AttributeName": name, "AttributeType": "S"}


def table_properties() -> dict[str, dict[str, Any]]:
    """CloudFormation `AWS::DynamoDB::Table` properties per logical id (without TableName)."""
    main: dict[str, Any] = {
        "BillingMode": "PAY_PER_REQUEST",
        # pk/sk: one partition per account holds its whole history, so export,
        # deletion and billing read an account with one Query.
        "AttributeDefinitions": [_s(name) for name in _main_table_attributes()],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": name,
                "KeySchema": [
                    {"AttributeName": hash_key, "KeyType": "HASH"},
                    {"AttributeName": range_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for name, hash_key, range_key in SPARSE_INDEXES
        ],
        "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
    }
    idempotency: dict[str, Any] = {
        "BillingMode": "PAY_PER_REQUEST",
        # The schema Powertools' DynamoDBPersistenceLayer expects by default.
        "AttributeDefinitions": [_s("id")],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "TimeToLiveSpecification": {"AttributeName": "expiration", "Enabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
    }
    return {MAIN_TABLE: main, IDEMPOTENCY_TABLE: idempotency}


def create_table_requests(names: dict[str, str]) -> list[tuple[dict[str, Any], str | None]]:
    """boto3 `create_table` arguments and TTL attribute for each table, named by `names[logical_id]`."""
    requests: list[tuple[dict[str, Any], str | None]] = []
    for logical_id, props in table_properties().items():
        request = {
            "TableName": names[logical_id],
            "BillingMode": props["BillingMode"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
        }
        if "GlobalSecondaryIndexes" in props:
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        ttl = props.get("TimeToLiveSpecification", {}).get("AttributeName")
        requests.append((request, ttl))
    return requests


def ensure_tables(client: Any, names: dict[str, str], *, recreate: bool = False) -> None:
    """Create the tables that do not exist yet (or all of them afresh with recreate=True)."""
    existing = set(client.list_tables()["TableNames"])
    for request, ttl_attribute in create_table_requests(names):
        name = request["TableName"]
        if name in existing:
            if not recreate:
                continue
            client.delete_table(TableName=name)
        client.create_table(**request)
        if ttl_attribute:
            client.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"AttributeName": ttl_attribute, "Enabled": True}
            )

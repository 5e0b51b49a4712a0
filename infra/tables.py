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


def _s(name: str) -> dict[str, str]:
    return {"AttributeName": name, "AttributeType": "S"}


def table_properties() -> dict[str, dict[str, Any]]:
    """CloudFormation `AWS::DynamoDB::Table` properties per logical id (without TableName)."""
    main: dict[str, Any] = {
        "BillingMode": "PAY_PER_REQUEST",
        # pk/sk: one partition per account holds its whole history, so export,
        # deletion and billing read an account with one Query.
        "AttributeDefinitions": [
            _s("pk"),
            _s("sk"),
            _s("due_job"),
            _s("due_at"),
            _s("lookup_key"),
            _s("queue_state"),
            _s("queue_due"),
            _s("open_queue"),
            _s("assignee_queue"),
            _s("account_queue"),
        ],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                # Sparse: only items that are due for a job carry due_job/due_at,
                # so a sweep reads what is due and nothing else (never a Scan).
                "IndexName": "due",
                "KeySchema": [
                    {"AttributeName": "due_job", "KeyType": "HASH"},
                    {"AttributeName": "due_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                # Sparse: alternate keys (a contact's e-mail hash, a ticket number).
                "IndexName": "lookup",
                "KeySchema": [
                    {"AttributeName": "lookup_key", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                # Sparse: open (and solved) tickets by state, sorted by their due time: the staff queue.
                "IndexName": "queue",
                "KeySchema": [
                    {"AttributeName": "queue_state", "KeyType": "HASH"},
                    {"AttributeName": "queue_due", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                # Sparse: open tickets by region, sorted by their due time: the desk's "all open" queue in
                # one Query per region (the queue index would need one per state).
                "IndexName": "open",
                "KeySchema": [
                    {"AttributeName": "open_queue", "KeyType": "HASH"},
                    {"AttributeName": "queue_due", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                # Sparse: open tickets of one assignee by due time: the desk's "mine" in one Query.
                "IndexName": "assignee",
                "KeySchema": [
                    {"AttributeName": "assignee_queue", "KeyType": "HASH"},
                    {"AttributeName": "queue_due", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                # Sparse: open tickets of one account by due time: any queue filtered by account in one Query.
                "IndexName": "account_queue",
                "KeySchema": [
                    {"AttributeName": "account_queue", "KeyType": "HASH"},
                    {"AttributeName": "queue_due", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            },
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

"""The table's settings and its sparse indexes (due, lookup, queue, open, assignee, account_queue)."""

from __future__ import annotations

import os
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from shared.settings import get_settings

_settings = get_settings()
if _settings.dynamodb_endpoint:
    # DynamoDB Local accepts any credentials, but botocore insists on having some.
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")


class _TableMeta:
    table_name = _settings.table_name
    host = _settings.dynamodb_endpoint
    region = _settings.region


class DueIndex(GlobalSecondaryIndex[Any]):
    """What a job must do, by job and due moment (ISO 8601 UTC strings sort by time)."""

    class Meta:
        index_name = "due"
        projection = AllProjection()

    due_job = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class LookupIndex(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "lookup"
        projection = AllProjection()

    lookup_key = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class QueueIndex(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "queue"
        projection = AllProjection()

    queue_state = UnicodeAttribute(hash_key=True)
    queue_due = UnicodeAttribute(range_key=True)


class OpenIndex(GlobalSecondaryIndex[Any]):
    """Open tickets by region (open_queue = "OPEN#<region>"), sorted by due time: the desk's "all open"."""

    class Meta:
        index_name = "open"
        projection = AllProjection()

    open_queue = UnicodeAttribute(hash_key=True)
    queue_due = UnicodeAttribute(range_key=True)


class AssigneeIndex(GlobalSecondaryIndex[Any]):
    """Open tickets of one assignee (assignee_queue = "ASSIGNEE#<staff id>") by due time: the desk's "mine"."""

    class Meta:
        index_name = "assignee"
        projection = AllProjection()

    assignee_queue = UnicodeAttribute(hash_key=True)
    queue_due = UnicodeAttribute(range_key=True)


class AccountQueueIndex(GlobalSecondaryIndex[Any]):
    """Open tickets of one account (account_queue = "ACCOUNT#<id>") by due time: every queue filtered by account."""

    class Meta:
        index_name = "account_queue"
        projection = AllProjection()

    account_queue = UnicodeAttribute(hash_key=True)
    queue_due = UnicodeAttribute(range_key=True)

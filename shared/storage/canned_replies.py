"""Canned replies per language: one partition per language (one Query lists them), one item per reply.

In their own module (models.py is the shared one, near its size limit); same table, same base item.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from shared.storage.keys.canned import CANNED_PREFIX, canned_pk, canned_sk
from shared.storage.models import CocoonItem


class CannedReply(CocoonItem, discriminator="canned_reply"):
    """A reply text an admin keeps for agents. pk = "CANNED#<language>", sk = "REPLY#<id>"."""

    reply_id = UnicodeAttribute()
    language = UnicodeAttribute()
    title = UnicodeAttribute()
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()


def replies_in(language: str) -> list[CannedReply]:
    found = CannedReply.query(canned_pk(language), CannedReply.sk.startswith(CANNED_PREFIX))
    return sorted((item for item in found if isinstance(item, CannedReply)), key=lambda r: (r.title, r.reply_id))


def save_reply(reply_id: str, language: str, title: str, text: str, staff_id: str, now: datetime) -> CannedReply:
    reply = CannedReply(
        canned_pk(language), canned_sk(reply_id), reply_id=reply_id, language=language, title=title, text=text,
        created_at=now, created_by=staff_id,
    )
    reply.save(condition=CannedReply.pk.does_not_exist())
    return reply


def delete_reply(language: str, reply_id: str) -> None:
    CannedReply(canned_pk(language), canned_sk(reply_id)).delete()


def account_language(account_id: str) -> str:
    from shared.storage.models import Account, account_pk

    try:
        return str(Account.get(account_pk(account_id), "ACCOUNT").language)
    except Account.DoesNotExist:
        return ""

"""The items of web sessions and sign-in links (their own partitions, outside every account's)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, UTCDateTimeAttribute

from shared.storage.models import CocoonItem


class WebSession(CocoonItem, discriminator="web_session"):
    """An open session. pk = "SESSION#<scope>#<hash of the id>", sk = "SESSION"; TTL at its absolute end.

    lookup_key = "SESSIONS#<scope>#<subject>" lists a member's sessions (sign out everywhere).
    """

    scope = UnicodeAttribute()  # "desk" (staff); the customer pages get their own
    subject_id = UnicodeAttribute()  # the staff member (or, later, the customer's user)
    stage = UnicodeAttribute()  # the stage that opened it: no other stage's cookie ever admits
    created_at = UTCDateTimeAttribute()
    last_seen_at = UTCDateTimeAttribute()
    csrf_token = UnicodeAttribute()  # sent in every form; compared in constant time
    second_factor_done = BooleanAttribute(default=False)


class SignInLink(CocoonItem, discriminator="sign_in_link"):
    """A mailed single-use sign-in link. pk = "SIGNIN#<scope>#<hash of the token>", sk = "LINK".

    Deleted in the transaction that opens the session, so it works once; TTL removes unused ones.
    """

    scope = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    valid_until = UTCDateTimeAttribute()

"""The pure rules behind the limits: header values, hour windows, which mails count, item sizes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.rules.limits import counts_against_mail_limit, hour_window, seconds_until_next_window
from shared.rules.mail_headers import header_safe


def test_header_values_lose_every_control_character_and_stay_on_one_line():
    assert header_safe("Export fails\r\nBcc: x@evil.example") == "Export fails Bcc: x@evil.example"
    assert header_safe("a\x00b\x1bc\x7fd\x85e\u2028f\tg") == "a b c d e f g"
    assert header_safe("  Müller & Söhne  ") == "Müller & Söhne"


def test_the_hour_window_is_the_utc_clock_hour_and_retry_after_points_at_its_end():
    moment = datetime.fromisoformat("2026-11-23T11:59:30+01:00")
    assert hour_window(moment) == "2026112310"
    assert seconds_until_next_window(moment) == 30
    assert seconds_until_next_window(datetime(2026, 11, 23, 10, 0, tzinfo=UTC)) == 3600


def test_automatic_mails_count_and_unknown_ones_count_too():
    assert counts_against_mail_limit("ticket_acknowledgement")
    assert counts_against_mail_limit("trial_reminder")
    assert counts_against_mail_limit(None)  # an item without a template name: fail closed
    assert not counts_against_mail_limit("invoice")


def test_item_size_follows_dynamodbs_reckoning():
    from shared.storage.item_size import ITEM_BUDGET, ItemTooLarge, item_bytes, refuse_if_too_large
    from shared.storage.models import RateCounter

    small = RateCounter("RATE#x", "RATE", value=3)
    # names + values: pk "RATE#x" (2+6), sk "RATE" (2+4), item_type "rate_counter" (9+12), value "3" (5+1)
    assert item_bytes(small) == 41
    big = RateCounter("RATE#" + "€" * (ITEM_BUDGET // 3), "RATE")
    with pytest.raises(ItemTooLarge) as refused:
        refuse_if_too_large(big, "pk")
    assert refused.value.field == "pk" and refused.value.size > ITEM_BUDGET

"""Who on the staff hears about a ticket: the assignee of a customer's message, the lead of a ticket at risk.

In-memory stores: no database. The decisions are the rules' (shared/rules/support/notifications.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from shared.policy import get_policy
from shared.rules.clock import utc_iso
from shared.rules.support.notifications import Listener, at_risk_mail_id, customer_replied_mail, is_at_risk
from shared.services.support.notifications import customer_replied_notices, tell_lead_of_risks, tickets_at_risk

BERLIN = ZoneInfo("Europe/Berlin")
TUESDAY_9_30 = datetime(2026, 11, 24, 9, 30, tzinfo=BERLIN)  # DACH opens at 10:00
DUE_TUESDAY_11 = datetime(2026, 11, 24, 11, 0, tzinfo=BERLIN)
LEAD = "support-lead@cocoon.example"


def a_ticket(number: str = "2026112300001", due: datetime = DUE_TUESDAY_11, **facts: Any) -> Any:
    fields = {
        "number": number,
        "account_id": "acc_1",
        "region": "DACH",
        "priority": "high",
        "first_response_due": due,
        "first_response_at": None,
        "assignee_id": None,
        "assignee_name": None,
        "at_risk_noticed_due": None,
    }
    return SimpleNamespace(**{**fields, **facts})


@dataclass
class FakeNotices:
    staff: dict[str, Listener] = field(default_factory=dict)
    due: list[Any] = field(default_factory=list)
    saved: list[tuple[str, Any]] = field(default_factory=list)
    asked: list[tuple[datetime, datetime]] = field(default_factory=list)

    def listener(self, staff_id: str | None) -> Listener | None:
        return self.staff.get(staff_id or "")

    def listener_by_email(self, email: str) -> Listener:
        return next((one for one in self.staff.values() if one.email == email), Listener(email))

    def account(self, ticket: Any) -> Any:
        return SimpleNamespace(account_id=ticket.account_id)

    def tickets_due_between(self, start: datetime, end: datetime) -> list[Any]:
        self.asked.append((start, end))
        return [t for t in self.due if start <= t.first_response_due <= end]

    def outbox_item(self, ticket: Any, account: Any, order: Any, now: datetime, policy: Any) -> Any:
        return order

    def save_at_risk_notice(self, ticket: Any, account: Any, order: Any, now: datetime, policy: Any) -> bool:
        due = utc_iso(ticket.first_response_due)
        if ticket.at_risk_noticed_due == due:
            return False  # as the conditional write refuses
        ticket.at_risk_noticed_due = due
        self.saved.append((ticket.number, order))
        return True


def test_the_assignee_hears_of_the_customers_message_without_its_text():
    store = FakeNotices(staff={"stf_1": Listener("alex@cocoon.example")})
    (order,) = customer_replied_notices(a_ticket(assignee_id="stf_1"), TUESDAY_9_30, get_policy(), store)
    assert order.recipient == "alex@cocoon.example" and order.template == "customer_replied"
    assert "text" not in order.extra


def test_an_assignee_who_turned_mails_off_or_left_hears_nothing():
    store = FakeNotices(
        staff={
            "off": Listener("off@cocoon.example", notifications_off=True),
            "gone": Listener("gone@cocoon.example", deactivated=True),
        }
    )
    for staff_id in ("off", "gone", "unknown"):
        assert customer_replied_notices(a_ticket(assignee_id=staff_id), TUESDAY_9_30, get_policy(), store) == ()
    assert customer_replied_mail("1", "m", None) is None


def test_each_customer_message_is_its_own_mail_event():
    store = FakeNotices(staff={"stf_1": Listener("alex@cocoon.example")})
    ticket = a_ticket(assignee_id="stf_1")
    first = customer_replied_notices(ticket, TUESDAY_9_30, get_policy(), store)[0]
    second = customer_replied_notices(ticket, TUESDAY_9_30, get_policy(), store)[0]
    assert first.mail_id != second.mail_id


def test_at_risk_means_owed_not_yet_overdue_and_within_the_policys_hours():
    now = TUESDAY_9_30
    assert is_at_risk(None, DUE_TUESDAY_11, now, Decimal(1), 2)
    assert not is_at_risk(None, DUE_TUESDAY_11, now, Decimal(3), 2)  # still time
    assert not is_at_risk(now, DUE_TUESDAY_11, now, Decimal(1), 2)  # answered
    assert not is_at_risk(None, now, now, Decimal(0), 2)  # overdue: the escalation's


def test_the_lead_hears_once_per_ticket_and_due_time():
    soon, later = a_ticket("A"), a_ticket("B", due=datetime(2026, 11, 24, 17, 0, tzinfo=BERLIN))
    store = FakeNotices(due=[soon, later])
    assert tell_lead_of_risks(TUESDAY_9_30, get_policy(), store) == 1
    assert tell_lead_of_risks(TUESDAY_9_30, get_policy(), store) == 0  # a re-run tells nobody twice
    assert [(number, order.recipient) for number, order in store.saved] == [("A", LEAD)]
    assert store.saved[0][1].mail_id == at_risk_mail_id("A", DUE_TUESDAY_11)
    soon.first_response_due = datetime(2026, 11, 24, 11, 30, tzinfo=BERLIN)  # priority changed: a new due time
    assert tell_lead_of_risks(TUESDAY_9_30, get_policy(), store) == 1


def test_support_hours_count_not_the_clock_overnight():
    # Monday 17:30: the ticket due Tuesday 11:00 has 0.5 + 1 = 1.5 support hours left: at risk already.
    store = FakeNotices(due=[a_ticket()])
    monday_evening = datetime(2026, 11, 23, 17, 30, tzinfo=BERLIN)
    assert [t.number for t in tickets_at_risk(monday_evening, get_policy(), store)] == ["2026112300001"]
    assert [t.number for t in tickets_at_risk(datetime(2026, 11, 23, 12, 0, tzinfo=BERLIN), get_policy(), store)] == []


def test_a_lead_who_turned_mails_off_gets_none():
    store = FakeNotices(staff={"lead": Listener(LEAD, notifications_off=True)}, due=[a_ticket()])
    assert tell_lead_of_risks(TUESDAY_9_30, get_policy(), store) == 0 and store.saved == []

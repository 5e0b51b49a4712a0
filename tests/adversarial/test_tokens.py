"""An attacker holding a token that should be dead: revoked, removed, rotated away, or another account's.

Each test is the attempt and the refusal we expect (SPEC §11: tokens can be
revoked and rotated; a removed member's tokens stop at once).
"""

from __future__ import annotations

import pytest

from functions.cli import main as cocoon
from shared.storage.models import ApiToken, StaffMember
from tests.functional.helpers import auth, body_of, now_header, post_json, signup_and_verify

MOMENT = now_header("2026-11-23T11:00:00+01:00")


def _add_staff(capsys, name: str = "Sam") -> tuple[str, dict[str, str]]:
    assert cocoon(["staff", "add", name, f"{name.lower()}@cocoon.example", "--role", "agent"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    staff_id = lines[0].split()[2]
    return staff_id, {"Authorization": f"Bearer {lines[-1]}"}


def _queue(client, headers: dict[str, str]) -> int:
    return int(client.http.get("/staff/tickets", headers={**headers, **MOMENT}).status_code)


def _rotate(client, verified: dict, token: str | None = None, extra: dict[str, str] | None = None):
    headers = {"Authorization": f"Bearer {token or verified['admin_token']}", **MOMENT, **(extra or {})}
    return post_json(client, f"/accounts/{verified['account_id']}/admin-token", {}, headers)


def test_a_revoked_staff_token_is_refused_at_the_next_request(client, capsys):
    staff_id, token = _add_staff(capsys)
    assert _queue(client, token) == 200
    assert cocoon(["staff", "revoke", staff_id]) == 0
    assert _queue(client, token) == 401


def test_a_revoked_member_stays_but_a_token_issued_before_the_revocation_never_works_again(client, capsys):
    """Even a token the revocation could not find (not listed on the member) is refused."""
    staff_id, token = _add_staff(capsys)
    member = StaffMember.get(f"STAFF#{staff_id}", "STAFF")
    member.update(actions=[StaffMember.token_hashes.set([])])  # as if the token had never been listed
    assert cocoon(["staff", "revoke", staff_id]) == 0
    assert StaffMember.get(f"STAFF#{staff_id}", "STAFF").staff_id == staff_id
    assert _queue(client, token) == 401


def test_a_removed_members_token_is_refused_and_deleted(client, capsys):
    staff_id, token = _add_staff(capsys)
    _, other = _add_staff(capsys, "Kim")
    assert cocoon(["staff", "remove", staff_id]) == 0
    assert _queue(client, token) == 401
    assert [item for item in ApiToken.scan() if item.staff_id == staff_id] == []
    assert _queue(client, other) == 200  # only that member's tokens stop


def test_a_staff_token_whose_member_item_is_gone_is_refused(client, capsys):
    staff_id, token = _add_staff(capsys)
    StaffMember(f"STAFF#{staff_id}", "STAFF").delete()  # the token item itself is left behind
    assert _queue(client, token) == 401


def test_the_old_admin_token_is_refused_after_rotation(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir)
    rotated = _rotate(client, verified)
    assert rotated.status_code == 201, rotated.body
    new_token = body_of(rotated)["admin_token"]
    assert new_token.startswith("ck_") and new_token != verified["admin_token"]
    account_path = f"/accounts/{verified['account_id']}"
    assert client.http.get(account_path, headers={**auth(verified), **MOMENT}).status_code == 401
    assert client.http.get(account_path, headers={"Authorization": f"Bearer {new_token}", **MOMENT}).status_code == 200


def test_another_tenant_cannot_rotate_someone_elses_admin_token(client, outbox_dir):
    victim = signup_and_verify(client, outbox_dir, email="v@victim.example")
    mallory = signup_and_verify(client, outbox_dir, email="m@mallory.example")
    attempt = _rotate(client, victim, token=mallory["admin_token"])
    assert attempt.status_code == 404, attempt.body
    assert "admin_token" not in body_of(attempt)
    victim_view = client.http.get(f"/accounts/{victim['account_id']}", headers={**auth(victim), **MOMENT})
    assert victim_view.status_code == 200  # the victim's token still works
    assert _rotate(client, mallory).status_code == 201  # the route exists: it refused the other account only


def test_a_replayed_rotation_never_hands_out_the_new_token_again(client, outbox_dir):
    """Idempotency-Key is not honoured here: replaying would mean storing the new token."""
    verified = signup_and_verify(client, outbox_dir)
    key = {"Idempotency-Key": "rotate-once"}
    first = _rotate(client, verified, extra=key)
    assert first.status_code == 201, first.body
    replay = _rotate(client, verified, extra=key)
    assert replay.status_code == 401
    assert body_of(first)["admin_token"] not in replay.body.decode()


def test_a_rotated_token_cannot_rotate_again(client, outbox_dir):
    verified = signup_and_verify(client, outbox_dir)
    new_token = body_of(_rotate(client, verified))["admin_token"]
    assert _rotate(client, verified).status_code == 401
    assert _rotate(client, verified, token=new_token).status_code == 201


@pytest.mark.parametrize(("scheme", "status", "code"), [("Bearer ", 403, "tenant_only"), ("Basic ", 401, None)])
def test_a_staff_token_rotating_an_admin_token_is_refused(client, outbox_dir, capsys, scheme, status, code):
    verified = signup_and_verify(client, outbox_dir)
    _, staff = _add_staff(capsys)
    staff_token = staff["Authorization"].removeprefix("Bearer ")
    attempt = post_json(
        client,
        f"/accounts/{verified['account_id']}/admin-token",
        {},
        {"Authorization": f"{scheme}{staff_token}", **MOMENT},
    )
    assert attempt.status_code == status, attempt.body
    assert code is None or body_of(attempt)["error"]["code"] == code
    assert "admin_token" not in attempt.body.decode()
    view = client.http.get(f"/accounts/{verified['account_id']}", headers={**auth(verified), **MOMENT})
    assert view.status_code == 200


def test_two_rotations_racing_with_one_token_leave_exactly_one_new_token(client, outbox_dir):
    from concurrent.futures import ThreadPoolExecutor

    verified = signup_and_verify(client, outbox_dir)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: _rotate(client, verified), range(4)))
    assert all(answer.status_code in (201, 401, 409) for answer in answers), [a.body for a in answers]
    winners = [body_of(answer)["admin_token"] for answer in answers if answer.status_code == 201]
    assert len(winners) == 1
    live = [item for item in ApiToken.scan(consistent_read=True) if item.account_id == verified["account_id"]]
    assert len(live) == 1
    view = client.http.get(f"/accounts/{verified['account_id']}", headers={"Authorization": f"Bearer {winners[0]}"})
    assert view.status_code == 200

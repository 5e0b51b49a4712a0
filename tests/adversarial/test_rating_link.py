"""The solved mail's rating links under attack (issue 16): each attempt is refused and writes nothing.

A link names the ticket and the verdict under a full-length HMAC, decides once and expires; the
GET behind it (which mail scanners follow) never records.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from tests.functional.account_helpers import text_of
from tests.functional.helpers import now_header
from tests.functional.rating_helpers import (
    FORM_PAGE,
    PAGE,
    RATED_AT,
    SOLVED_AT,
    rating_links,
    rating_of,
    solved_ticket,
    token_of,
)


def post(client, link: str, comment: str = "", now: str = RATED_AT, accept_json: bool = False):
    headers = {**FORM_PAGE, **now_header(now)}
    if accept_json:
        headers["Accept"] = "application/json"
    return client.http.post(link, headers=headers, body=urlencode({"comment": comment}))


def with_token(link: str, token: str) -> str:
    return link.replace(token_of(link), token)


def test_a_forged_signature_is_refused(client, customer, agent, outbox_dir):
    number = solved_ticket(client, customer, agent)
    link = rating_links(outbox_dir, number)["good"]
    kid, link_id, expires, sig = token_of(link).split(".")
    forged = f"{kid}.{link_id}.{expires}.{'A' * len(sig)}"
    answer = post(client, with_token(link, forged), accept_json=True)
    assert answer.status_code == 401 and '"invalid_link"' in text_of(answer)
    assert rating_of(customer, number) == (None, None)


def test_a_truncated_signature_is_refused(client, customer, agent, outbox_dir):
    number = solved_ticket(client, customer, agent)
    link = rating_links(outbox_dir, number)["good"]
    for cut in (1, 10, 42):
        answer = post(client, with_token(link, token_of(link)[:-cut]))
        assert answer.status_code == 401, (cut, answer.body)
    assert rating_of(customer, number) == (None, None)


def test_a_link_with_a_later_expiry_is_refused(client, customer, agent, outbox_dir):
    number = solved_ticket(client, customer, agent)
    link = rating_links(outbox_dir, number)["good"]
    kid, link_id, expires, sig = token_of(link).split(".")
    answer = post(client, with_token(link, f"{kid}.{link_id}.{int(expires) + 86400 * 365}.{sig}"))
    assert answer.status_code == 401
    assert rating_of(customer, number) == (None, None)


def test_another_tickets_link_is_refused(client, customer, agent, outbox_dir):
    mine = solved_ticket(client, customer, agent, "Export fails")
    other = solved_ticket(client, customer, agent, "Import fails")
    link = rating_links(outbox_dir, mine)["bad"]
    answer = post(client, link.replace(f"/ticket-ratings/{mine}", f"/ticket-ratings/{other}"), "from the wrong mail")
    assert answer.status_code == 401
    assert rating_of(customer, other) == (None, None) and rating_of(customer, mine) == (None, None)


def test_a_replayed_link_is_refused_and_the_first_rating_stays(client, customer, agent, outbox_dir):
    number = solved_ticket(client, customer, agent)
    links = rating_links(outbox_dir, number)
    assert post(client, links["good"], "Quick").status_code == 200
    again = post(client, links["good"], "changed my mind", accept_json=True)
    assert again.status_code == 409 and '"already_rated"' in text_of(again)
    other = post(client, links["bad"], "worse")
    assert other.status_code == 409
    assert rating_of(customer, number) == ("good", "Quick")


def test_an_expired_link_is_refused(client, customer, agent, outbox_dir):
    number = solved_ticket(client, customer, agent)
    link = rating_links(outbox_dir, number)["good"]
    late = (datetime.fromisoformat(SOLVED_AT) + timedelta(days=7, seconds=1)).isoformat()
    assert client.http.get(link, headers={**PAGE, **now_header(late)}).status_code == 410
    answer = post(client, link, now=late, accept_json=True)
    assert answer.status_code == 410 and '"link_expired"' in text_of(answer)
    assert rating_of(customer, number) == (None, None)


def test_a_flipped_verdict_is_refused(client, customer, agent, outbox_dir):
    number = solved_ticket(client, customer, agent)
    good = rating_links(outbox_dir, number)["good"]
    flipped = good.replace("verdict=good", "verdict=bad")
    assert client.http.get(flipped, headers={**PAGE, **now_header(RATED_AT)}).status_code == 401
    assert post(client, flipped, "flipped").status_code == 401
    assert rating_of(customer, number) == (None, None)


def test_following_the_links_alone_records_nothing(client, customer, agent, outbox_dir):
    number = solved_ticket(client, customer, agent)
    links = rating_links(outbox_dir, number)
    for link in (links["good"], links["bad"], links["good"]):  # a mail scanner opens every link, maybe twice
        for method in ("GET", "HEAD"):
            answer = client.http.request(method, link, headers={**PAGE, **now_header(RATED_AT)})
            assert answer.status_code in (200, 405), (method, answer.status_code)
    assert rating_of(customer, number) == (None, None)
    assert post(client, links["bad"], "after all").status_code == 200  # the link is still unused
    assert rating_of(customer, number) == ("bad", "after all")

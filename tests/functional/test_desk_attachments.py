"""Attachments on the desk's ticket page against DynamoDB Local: a signed link per file, served from .local/."""

from __future__ import annotations

from tests.functional.helpers import attachment_link, desk_sign_in, now_header, ticket_with_a_file

NOW = "2026-11-23T11:00:00+01:00"  # the intake's moment
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what a browser's link sends


def test_the_ticket_page_links_the_file_and_the_link_downloads_it_as_data(client, outbox_dir, agent):
    number = ticket_with_a_file(client, outbox_dir)
    cookie, csrf = desk_sign_in(client, outbox_dir, "alex@cocoon.example", NOW)
    desk = {"Cookie": cookie, "X-CSRF-Token": csrf, **now_header(NOW)}
    link = attachment_link(client, desk, number)
    assert f"/desk/tickets/{number}/attachments/" in link and "token=" in link
    download = client.http.get(link, headers={**desk, "Accept": BROWSER_ACCEPT})
    assert download.status_code == 200, download.body
    assert download.body == b"<script>alert(1)</script> error log\n"
    assert download.headers["Content-Type"] == "application/octet-stream"  # never rendered on our origin
    assert download.headers["Content-Disposition"] == 'attachment; filename="log.html"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"

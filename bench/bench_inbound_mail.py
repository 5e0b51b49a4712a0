"""How much parse_inbound_mail costs on top of the bare stdlib parse of the same ~1 MB mail.

Why: every inbound support mail goes through parse_inbound_mail in a Lambda; the rules
(charset fallbacks, body choice, HTML to text, quote stripping, classification, DSN
reading) must not multiply the cost of the parse itself. Target: at most 3x the bare
``email.message_from_bytes(raw, policy=policy.default)`` plus a walk calling
get_content() on every part, measured in the same run (median of several runs).
Storing the ticket and the raw mail (DynamoDB, S3) is added by others later and is not
measured here.

Run: ``python bench/bench_inbound_mail.py`` from the project root (~5 s).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import tomllib
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from shared.mail.inbound.parse import parse_inbound_mail  # noqa: E402

TARGET_RATIO = 3.0
RUNS = 15
MAIL_BYTES = 1_048_576


def build_mail() -> bytes:
    """A realistic ~1 MB support mail: a reply with quoted history, HTML alternative and attachments."""
    rng = random.Random(20261122)
    reply = "Hallo Support-Team,\n\nder Export nach Excel bricht bei 50 % ab. Schritte:\n"
    reply += "".join(f"{i}. Menü Berichte öffnen, Filter {i} setzen\n" for i in range(1, 30))
    quoted = "".join(f"> Zeile {i} der letzten Antwort des Supports.\n" for i in range(200))
    header = "Am 1. Juni 2026 schrieb Support <support@cocoon.example>:"
    text = f"{reply}\nViele Grüße\nErika\n\n{header}\n{quoted}"
    html = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.splitlines()) + "</body></html>"

    message = EmailMessage()
    message["From"] = "=?utf-8?Q?Erika_M=C3=BCller?= <erika@customer.example>"
    message["To"] = "support@cocoon.example"
    message["Cc"] = "kollege@customer.example"
    message["Subject"] = "Re: Export nach Excel bricht ab [Ticket#2026112210001]"
    message["Message-ID"] = "<reply.1@customer.example>"
    message["In-Reply-To"] = "<ours.1@cocoon.example>"
    message["References"] = "<first.1@customer.example> <ours.1@cocoon.example>"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    budget = MAIL_BYTES - len(message.as_bytes())
    # base64 grows data by 4/3: four attachments fill the rest of the ~1 MB.
    sizes = [budget * 3 // 4 // 4] * 4
    kinds = [("image", "png", "screenshot.png"), ("application", "pdf", "Rechnung März.pdf")]
    kinds += [("text", "plain", "export.log"), ("application", "zip", "logs.zip")]
    for size, (maintype, subtype, name) in zip(sizes, kinds, strict=True):
        data = rng.randbytes(size) if maintype != "text" else ("log line\n" * (size // 9)).encode()
        if maintype == "text":
            message.add_attachment(data.decode(), subtype=subtype, filename=name)
        else:
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def bare_parse(raw: bytes) -> None:
    """The floor: what the standard library alone needs to parse and decode every part."""
    message = message_from_bytes(raw, policy=policy.default)
    for part in message.walk():
        if not part.is_multipart():
            part.get_content()


def median_seconds(function: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> int:
    settings = tomllib.loads((PROJECT_ROOT / "shared" / "policy.toml").read_text(encoding="utf-8"))
    limit = int(settings["support"]["max_attachment_bytes"])
    raw = build_mail()
    mail = parse_inbound_mail(raw, max_attachment_bytes=limit)  # warm-up: lazy imports, regex cache
    bare_parse(raw)
    assert mail.reply_text.startswith("Hallo Support-Team"), mail.reply_text[:80]
    assert len(mail.attachments) == 4, mail.attachments

    # Interleave the two so machine noise hits both alike.
    bare_times: list[float] = []
    rules_times: list[float] = []
    for _ in range(RUNS):
        bare_times.append(median_seconds(lambda: bare_parse(raw), 1))
        rules_times.append(median_seconds(lambda: parse_inbound_mail(raw, max_attachment_bytes=limit), 1))
    bare = statistics.median(bare_times)
    rules = statistics.median(rules_times)
    ratio = rules / bare
    print(f"mail: {len(raw):,} bytes, {len(mail.attachments)} attachments, median of {RUNS} runs")
    print(f"bare email.message_from_bytes + walk + get_content: {bare * 1000:8.2f} ms")
    print(f"parse_inbound_mail (parse + rules):                 {rules * 1000:8.2f} ms")
    print(f"ratio: {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x)")
    print("note: storing the ticket and raw mail (DynamoDB, S3) is added by others later; not measured here")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())

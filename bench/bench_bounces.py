"""How well inbound bounces are understood: the real-bounce corpus, measured against sisimai's verdicts.

Why: a bounce that stops mail to a valid customer loses their invoices and notices; one that is
not understood keeps mailing a dead address. Every mail in ../shared/testdata/bounces/ is read
as the inbox reads it (parse_inbound_mail: the report's recipients and what each failure means),
and compared with expected.json (per recipient: hardbounce true only for user unknown, host
unknown, moved). The issue 12 guard (one returned mail of ours, signed for the address) is not
part of the figure: the corpus bounces are not of our mails, so this measures the CLASSIFICATION.

Figures: address failures found (hard recipients whose address is found as an address failure),
soft or policy bounces that wrongly would stop mail (reports whose every recipient is soft, yet
an address failure is found), and the time per bounce. Targets: 0 wrong, >= 90 % found.

Run: ``python bench/bench_bounces.py`` from the project root (COCOON_TESTDATA overrides where the
team test data is; ~2 s).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from shared.mail.inbound.parse import parse_inbound_mail  # noqa: E402

TARGET_FOUND = 0.90
TARGET_WRONG = 0
RUNS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def corpus_dir() -> Path:
    return Path(os.environ.get("COCOON_TESTDATA", PROJECT_ROOT.parent / "shared" / "testdata")) / "bounces"


def main() -> int:
    folder = corpus_dir()
    if not (folder / "expected.json").exists():
        print(f"bounce corpus not found at {folder} (set COCOON_TESTDATA)")
        return 1
    expected: dict[str, list[dict[str, Any]]] = json.loads((folder / "expected.json").read_text())
    mails = {name: (folder / name).read_bytes() for name in expected}

    hard = found = soft_reports = wrong = 0
    wrong_names: list[str] = []
    missed: list[str] = []
    for name, rows in expected.items():
        mail = parse_inbound_mail(mails[name], max_attachment_bytes=MAX_ATTACHMENT_BYTES)
        stopped = {r.address for r in mail.bounced_recipients if r.stops_mail}
        hard_here = sum(bool(row["hardbounce"]) for row in rows)
        hard += hard_here
        found += min(len(stopped), hard_here)
        if hard_here > len(stopped):
            missed.append(name)
        if hard_here == 0:
            soft_reports += 1
            if stopped:
                wrong += 1
                wrong_names.append(name)

    times: list[float] = []
    for _ in range(RUNS):
        started = time.perf_counter()
        for raw in mails.values():
            parse_inbound_mail(raw, max_attachment_bytes=MAX_ATTACHMENT_BYTES)
        times.append((time.perf_counter() - started) / len(mails))
    per_bounce = statistics.median(times)

    share = found / hard if hard else 0.0
    print(f"corpus: {len(mails)} real bounces, {hard} hard recipients, {soft_reports} soft or policy reports")
    print(f"address failures that stop mail: {found} of {hard} = {share:.1%} (target >= {TARGET_FOUND:.0%})")
    print(f"soft/policy bounces that wrongly would stop mail: {wrong} of {soft_reports} (target {TARGET_WRONG})")
    if wrong_names:
        print("  wrong:", ", ".join(wrong_names))
    if missed:
        print("  not found:", ", ".join(missed))
    print(f"time per bounce (parse + classification, median of {RUNS} runs): {per_bounce * 1000:.2f} ms")
    return 0 if wrong <= TARGET_WRONG and share >= TARGET_FOUND else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""The benches that can run small do: each runs end to end at tiny sizes and prints its figures.

Why: a bench is run by hand when someone needs its figures; compiling (tests/unit/test_bench_scripts.py)
does not catch a route, template or model it drives having changed under it. A subprocess, because a
bench points the storage models at its own DynamoDB Local before importing them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _run_bench(script: str, *sizes: str) -> str:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("COCOON_")}
    finished = subprocess.run(
        [sys.executable, f"bench/{script}", *sizes], cwd=PROJECT_ROOT, env=environment,
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert finished.returncode == 0, finished.stdout[-2000:] + finished.stderr[-4000:]
    return finished.stdout


def test_desk_bench_measures_queue_pages_and_searches_at_tiny_sizes() -> None:
    printed = _run_bench("bench_desk.py", "300", "120")
    assert "Desk at scale: 300 accounts, 120 open tickets" in printed, printed
    assert "/desk/tickets?view=open page 2 (cursor)" in printed, printed  # the cursor was followed
    for search in ("company name prefix", "VAT ID", "admin e-mail", "ticket number"):
        assert search in printed, printed
    # Every measured request's figures are there: the verdict line names the worst ratio.
    assert "worst server time" in printed and "target ≤ 1.5x" in printed, printed

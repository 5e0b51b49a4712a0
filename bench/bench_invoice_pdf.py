"""PDF rendering time per invoice as a ratio of the XML generation, and what PDFs would cost the nightly billing.

Why (issue 17): each invoice and credit note is also a PDF/A-3 with its CII XML embedded. Rendering it
inside the nightly run would add its CPU time to every account billed; the issue asks that billing with
PDFs stays >= 0.7 x the bare requests (bench/bench_billing.py) or that PDFs are rendered on demand.

What it measures (no database: rendering is pure CPU):
- XML: `invoice_to_en16931_xml` (factur-x, XSD-checked), per invoice;
- PDF: `invoice_pdf` (fpdf2 page with the embedded font, then factur-x's PDF/A-3 with the XML), per invoice;
  the invoices vary in language (all 12), line count (1-12) and VAT treatment, and each is rendered once
  after a warm-up (the first render of a process also parses the font: reported apart, a cold start's cost).
- With ``--billing ACCOUNTS``: runs bench/bench_billing.py with that many accounts, reads its real and bare
  rates, and projects the real job's rate if each invoice's PDF were rendered in the run
  (1 / (1/real + pdf seconds / workers), an upper bound: rendering holds the GIL, so threads barely help).

Decision: the nightly billing renders no PDF. The invoice mail's outbox item names the document and the
mail job renders the PDF when it sends (shared/services/billing/attachments.py); GET ?format=pdf renders on
demand. Run: ``python bench/bench_invoice_pdf.py`` (``--invoices N``, ``--billing 2000``).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.rules.billing import BillingMonth, Invoice, InvoiceDraft, InvoiceLine, Party, issue_invoice

LANGUAGES = ("de", "en", "fr", "es", "it", "nl", "pl", "pt", "cs", "hu", "ro", "tr")
SELLER = Party("Cocoon CRM GmbH", "Königstraße 1", "70173", "Stuttgart", "DE", "DE136695976", "billing@cocoon.example")
BILLING_WORKERS = 4  # bench_billing.py's default


def sample_invoice(number: int) -> Invoice:
    """The number-th invoice of the sample: its language, line count and VAT treatment vary with it."""
    language = LANGUAGES[number % len(LANGUAGES)]
    lines = tuple(
        InvoiceLine(
            "seats" if i == 0 else "app",
            f"{i + 2} users × Team: " + ", ".join(f"Użytkownik {j} Śmigło" for j in range(i + 2))
            if i == 0
            else f"App {i}",
            Decimal(i + 2 if i == 0 else 1),
            Decimal("24.00") if i == 0 else Decimal("9.90"),
            Decimal(24 * (i + 2)) if i == 0 else Decimal("9.90"),
            "MON",
            f"line {i}: why it is there",
        )
        for i in range(1 + number % 12)
    )
    net = sum((line.amount for line in lines), Decimal("0.00"))
    reverse = number % 3 == 0
    rate = Decimal("0.00") if reverse else Decimal("19.00")
    vat = (net * rate / 100).quantize(Decimal("0.01"))
    buyer = Party("Kunde & Söhne s.r.o.", "Náměstí 5", "11000", "Praha", "CZ" if reverse else "DE",
                  "CZ12345678" if reverse else None)  # fmt: skip
    draft = InvoiceDraft(
        f"acc_{number}", BillingMonth(2026, 3), date(2026, 3, 1), date(2026, 3, 31), lines, net, rate, vat,
        net + vat, "EUR", "reverse_charge" if reverse else "domestic", "AE" if reverse else "S",
        "Reverse charge" if reverse else None, "VATEX-EU-AE" if reverse else None,
        ("Steuerschuldnerschaft des Leistungsempfängers / reverse charge",) if reverse else (),
        SELLER, buyer, language, (),
    )  # fmt: skip
    return issue_invoice(draft, number=f"2026-{number + 1:06d}", issued_on=date(2026, 4, 1), payment_terms_days=14)


def billing_rates(accounts: int) -> tuple[float, float]:
    """bench_billing.py's real and bare accounts per second (it prints them on one line)."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("bench_billing.py")), "--accounts", str(accounts)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = re.search(r"billing throughput: real ([\d.]+) accounts/s, bare ([\d.]+) accounts/s", out)
    if found is None:
        raise SystemExit(f"bench_billing.py printed no throughput:\n{out}")
    return float(found.group(1)), float(found.group(2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--invoices", type=int, default=60)
    parser.add_argument("--billing", type=int, default=0, help="also run bench_billing.py with this many accounts")
    parser.add_argument("--real-rate", type=float, help="bench_billing.py's real rate, instead of running it")
    parser.add_argument("--bare-rate", type=float, help="bench_billing.py's bare rate, instead of running it")
    options = parser.parse_args()

    from shared.documents.invoice_pdf import invoice_pdf
    from shared.rules.billing.einvoice import invoice_to_en16931_xml

    invoices = [sample_invoice(n) for n in range(options.invoices)]
    started = time.perf_counter()
    first_xml = invoice_to_en16931_xml(invoices[0])
    first_pdf = invoice_pdf(invoices[0], first_xml)
    cold = time.perf_counter() - started
    xml_seconds = pdf_seconds = 0.0
    sizes = []
    for invoice in invoices:
        t0 = time.perf_counter()
        xml = invoice_to_en16931_xml(invoice)
        t1 = time.perf_counter()
        pdf = invoice_pdf(invoice, xml)
        t2 = time.perf_counter()
        xml_seconds += t1 - t0
        pdf_seconds += t2 - t1
        sizes.append(len(pdf))
    count = len(invoices)
    xml_ms, pdf_ms = 1000 * xml_seconds / count, 1000 * pdf_seconds / count
    print(f"Invoice PDF bench: {count} invoices (12 languages, 1-12 lines); first XML+PDF of the process "
          f"{1000 * cold:.0f} ms ({len(first_pdf):,} bytes)")  # fmt: skip
    print(f"  XML {xml_ms:.1f} ms per invoice, PDF {pdf_ms:.1f} ms per invoice (XML excluded), "
          f"PDF sizes {min(sizes) // 1024}-{max(sizes) // 1024} KB")  # fmt: skip
    print(f"pdf/xml ratio: {pdf_ms / xml_ms:.1f}x")

    real, bare = options.real_rate, options.bare_rate
    if (real is None or bare is None) and options.billing:
        real, bare = billing_rates(options.billing)
    if real is not None and bare is not None:
        with_pdfs = 1 / (1 / real + pdf_seconds / count / BILLING_WORKERS)
        print(f"billing: real {real:.1f} accounts/s, bare {bare:.1f} accounts/s (ratio {real / bare:.2f}); "
              f"with a PDF per invoice in the run at best {with_pdfs:.1f} accounts/s "
              f"(ratio {with_pdfs / bare:.2f} of the bare requests)")  # fmt: skip
        verdict = "meets" if with_pdfs / bare >= 0.7 else "misses"
        print(
            f"  rendering PDFs in the nightly run {verdict} the 0.7 target: PDFs are rendered on demand "
            "(GET ?format=pdf and the mail job), so billing keeps its ratio of {:.2f}".format(real / bare)
        )


if __name__ == "__main__":
    main()

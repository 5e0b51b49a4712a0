"""An issued invoice or credit note as PDF/A-3 with its EN 16931 CII XML embedded (ZUGFeRD / Factur-X).

Pure Python so it runs inside the Lambda zip: fpdf2 draws the page with an embedded TrueType font
(Source Sans Pro from the `font-source-sans-pro` wheel: no system font, subset-embedded as PDF/A
wants) and the sRGB output intent (the ICC profile fpdf2 ships); the `factur-x` library turns it
into PDF/A-3 - XMP metadata (pdfaid:part 3, the Factur-X extension schema) and the XML as associated file
"factur-x.xml". Labels come in the account's language (labels.py); money and dates are Babel's.
fpdf2, factur-x and Babel are imported inside the functions: a cold start that never renders a PDF
does not load them.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.documents.labels import labels_for
from shared.rules.billing.documents import Invoice
from shared.rules.billing.einvoice import FACTURX_LEVEL

if TYPE_CHECKING:
    from fpdf import FPDF

FONT = "SourceSans"
# Column widths in mm of the line table (A4 minus 20 mm margins = 170 mm).
_COLUMNS = (92.0, 20.0, 29.0, 29.0)


def _locale(language: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return "en"
    return language


def _money(amount: Decimal, currency: str, locale: str) -> str:
    from babel.numbers import format_currency

    return str(format_currency(amount, currency, locale=locale))


def _quantity(quantity: Decimal, locale: str) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(quantity, locale=locale))


def _date(day: date, locale: str) -> str:
    from babel.dates import format_date

    return str(format_date(day, format="medium", locale=locale))


@cache
def _lean_font(name: str) -> str:
    """The font without its OpenType layout tables, written once per process to the temp directory.

    fpdf2 drops GSUB/GPOS/GDEF from the embedded subset anyway; left in the source, fontTools decodes
    them again on every render, which was most of a PDF's time (bench/bench_invoice_pdf.py).
    """
    from font_source_sans_pro import font_files_ttf
    from fontTools.ttLib import TTFont

    font = TTFont(font_files_ttf[name])
    for table in ("GSUB", "GPOS", "GDEF"):
        if table in font:
            del font[table]
    target = Path(tempfile.gettempdir()) / f"cocoon-{name}-{os.getpid()}.ttf"
    font.save(str(target))
    return str(target)


def _fonts(pdf: FPDF) -> None:
    pdf.add_font(FONT, "", _lean_font("SourceSansPro"))
    pdf.add_font(FONT, "B", _lean_font("SourceSansProBold"))


def _srgb_output_intent(pdf: FPDF) -> None:
    """PDF/A's output intent: the sRGB ICC profile that ships with fpdf2 (factur-x adds none)."""
    from importlib.resources import files

    from fpdf.enums import OutputIntentSubType
    from fpdf.output import PDFICCProfile

    profile = (files("fpdf") / "data" / "color_profiles" / "sRGB2014.icc").read_bytes()
    pdf.add_output_intent(
        OutputIntentSubType.PDFA,
        output_condition_identifier="sRGB",
        output_condition="IEC 61966-2-1:1999",
        registry_name="http://www.color.org",
        dest_output_profile=PDFICCProfile(contents=profile, n=3, alternate="DeviceRGB"),
        info="sRGB2014 (v2)",
    )


def _party_lines(party: Any) -> list[str]:
    return [party.name, party.street, f"{party.postcode} {party.city}".strip(), party.country]


def _direct_debit_notice(invoice: Invoice, words: dict[str, str], locale: str) -> str:
    """The pre-notification printed on a direct-debit invoice: only the IBAN's last 4 characters, never all of it."""
    mandate = invoice.direct_debit
    assert mandate is not None
    return words["direct_debit"].format(
        amount=_money(invoice.draft.total, invoice.draft.currency, locale),
        ending=mandate.account_ending,
        due_on=_date(invoice.due_on, locale),
        mandate=mandate.mandate_reference,
        creditor_id=mandate.creditor_identifier,
    )


def render_invoice_page(invoice: Invoice) -> bytes:
    """The readable page(s) of the document as a plain PDF (factur-x makes it PDF/A-3 afterwards)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    draft = invoice.draft
    words = labels_for(draft.language)
    locale = _locale(draft.language)
    credit = invoice.document_type == "credit_note"
    title = words["credit_note" if credit else "invoice"]

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_lang(draft.language)
    pdf.set_title(f"{title} {invoice.number}")
    pdf.set_author(draft.seller.name)
    pdf.set_creator("Cocoon")
    _fonts(pdf)
    _srgb_output_intent(pdf)
    pdf.add_page()

    pdf.set_font(FONT, "B", 18)
    pdf.cell(0, 10, f"{title} {invoice.number}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 10)
    facts = [
        (words["issued_on"], _date(invoice.issued_on, locale)),
        (
            words["service_period"],
            f"{_date(draft.service_period_start, locale)} – {_date(draft.service_period_end, locale)}",
        ),
        (words["customer_number"], draft.account_id),
    ]
    if credit and invoice.corrects_number:
        corrected_on = f" ({_date(invoice.corrects_issued_on, locale)})" if invoice.corrects_issued_on else ""
        facts.append((words["corrects"], f"{invoice.corrects_number}{corrected_on}"))
    else:
        facts.append((words["due_on"], _date(invoice.due_on, locale)))
    for label, value in facts:
        pdf.cell(45, 5, label)
        pdf.cell(0, 5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    top = pdf.get_y()
    for x, heading, party in ((20.0, words["seller"], draft.seller), (110.0, words["buyer"], draft.buyer)):
        pdf.set_xy(x, top)
        pdf.set_font(FONT, "B", 10)
        pdf.cell(80, 5, heading, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 10)
        lines = _party_lines(party) + ([f"{words['vat_id']}: {party.vat_id}"] if party.vat_id else [])
        pdf.multi_cell(80, 5, "\n".join(line for line in lines if line), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_xy(20, max(pdf.get_y(), top + 35))
    pdf.ln(4)

    pdf.set_font(FONT, "B", 10)
    for width, heading, align in zip(
        _COLUMNS, (words["description"], words["quantity"], words["unit_price"], words["amount"]), "LRRR", strict=True
    ):
        pdf.cell(width, 7, heading, border="B", align=align)
    pdf.ln(7)
    pdf.set_font(FONT, "", 10)
    for line in draft.lines:
        text = line.description  # names the counted users already
        y = pdf.get_y()
        pdf.multi_cell(_COLUMNS[0], 5, text, new_x=XPos.RIGHT, new_y=YPos.TOP)
        height = max(5.0, pdf.get_y() - y) if pdf.get_y() > y else 5.0
        end = pdf.get_y()
        pdf.set_xy(20 + _COLUMNS[0], y)
        pdf.cell(_COLUMNS[1], 5, _quantity(line.quantity, locale), align="R")
        pdf.cell(_COLUMNS[2], 5, _money(line.unit_price, draft.currency, locale), align="R")
        pdf.cell(_COLUMNS[3], 5, _money(line.amount, draft.currency, locale), align="R")
        pdf.set_xy(20, max(end, y + height))
    pdf.ln(3)

    vat_label = f"{words['vat']} {_quantity(draft.vat_rate.normalize(), locale)} %"
    for label, amount, style in (
        (words["net"], draft.net, ""),
        (vat_label, draft.vat, ""),
        (words["total"], draft.total, "B"),
    ):
        pdf.set_font(FONT, style, 10)
        pdf.cell(_COLUMNS[0] + _COLUMNS[1] + _COLUMNS[2], 6, label, align="R")
        pdf.cell(_COLUMNS[3], 6, _money(amount, draft.currency, locale), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font(FONT, "", 9)
    for note in draft.notes:
        pdf.multi_cell(0, 4.5, note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if invoice.direct_debit is not None:
        pdf.ln(2)
        pdf.multi_cell(0, 4.5, _direct_debit_notice(invoice, words, locale), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.multi_cell(0, 4.5, words["embedded"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def invoice_pdf(invoice: Invoice, xml: bytes) -> bytes:
    """The PDF/A-3 of ``invoice`` with ``xml`` (its EN 16931 CII XML, as served) embedded by factur-x."""
    from facturx import generate_from_binary

    metadata = {
        "author": invoice.seller.name,
        "keywords": "Factur-X, ZUGFeRD, EN 16931",
        "title": f"{invoice.seller.name}: {invoice.number}",
        "subject": f"{invoice.document_type} {invoice.number}",
    }
    result: bytes = generate_from_binary(
        render_invoice_page(invoice),
        xml,
        flavor="factur-x",
        level=FACTURX_LEVEL,
        check_xsd=False,  # the XML was checked against the XSD when it was generated
        pdf_metadata=metadata,
        lang=invoice.draft.language,
        afrelationship="data",
    )
    return result

"""The words printed on an invoice or credit-note PDF, in each of the 12 languages accounts use.

Only the labels: amounts and dates are formatted by Babel in the account's locale (invoice_pdf.py).
A test checks every language has every label, as the mail templates are checked.
"""

from __future__ import annotations

LABEL_NAMES = (
    "invoice",
    "credit_note",
    "number",
    "issued_on",
    "due_on",
    "service_period",
    "customer_number",
    "seller",
    "buyer",
    "vat_id",
    "description",
    "quantity",
    "unit_price",
    "amount",
    "net",
    "vat",
    "total",
    "corrects",
    "embedded",
    "direct_debit",
    "page",
)

LABELS: dict[str, dict[str, str]] = {
    "de": {
        "invoice": "Rechnung",
        "credit_note": "Gutschrift (Rechnungskorrektur)",
        "number": "Nummer",
        "issued_on": "Rechnungsdatum",
        "due_on": "Fällig am",
        "service_period": "Leistungszeitraum",
        "customer_number": "Kundennummer",
        "seller": "Rechnungssteller",
        "buyer": "Rechnungsempfänger",
        "vat_id": "USt-IdNr.",
        "description": "Beschreibung",
        "quantity": "Menge",
        "unit_price": "Einzelpreis",
        "amount": "Betrag",
        "net": "Nettobetrag",
        "vat": "Umsatzsteuer",
        "total": "Gesamtbetrag",
        "corrects": "Korrektur der Rechnung",
        "embedded": "Die E-Rechnung (EN 16931, CII XML) ist eingebettet.",
        "direct_debit": (
            "Der Betrag von {amount} wird am {due_on} von Ihrem Konto"
            " mit der Endung {ending} per SEPA-Lastschrift eingezogen"
            " (Mandatsreferenz {mandate}, Gläubiger-ID {creditor_id})."
        ),
        "page": "Seite",
    },
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "number": "Number",
        "issued_on": "Date of issue",
        "due_on": "Due on",
        "service_period": "Service period",
        "customer_number": "Customer number",
        "seller": "Seller",
        "buyer": "Bill to",
        "vat_id": "VAT ID",
        "description": "Description",
        "quantity": "Quantity",
        "unit_price": "Unit price",
        "amount": "Amount",
        "net": "Net amount",
        "vat": "VAT",
        "total": "Total",
        "corrects": "Corrects invoice",
        "embedded": "The e-invoice (EN 16931, CII XML) is embedded in this PDF.",
        "direct_debit": (
            "The amount of {amount} will be debited from your account"
            " ending in {ending} on {due_on} by SEPA direct debit"
            " (mandate reference {mandate}, creditor identifier {creditor_id})."
        ),
        "page": "Page",
    },
    "fr": {
        "invoice": "Facture",
        "credit_note": "Avoir",
        "number": "Numéro",
        "issued_on": "Date d'émission",
        "due_on": "Échéance",
        "service_period": "Période de prestation",
        "customer_number": "Numéro client",
        "seller": "Vendeur",
        "buyer": "Facturé à",
        "vat_id": "N° TVA",
        "description": "Désignation",
        "quantity": "Quantité",
        "unit_price": "Prix unitaire",
        "amount": "Montant",
        "net": "Montant HT",
        "vat": "TVA",
        "total": "Total TTC",
        "corrects": "Rectifie la facture",
        "embedded": "La facture électronique (EN 16931, XML CII) est incorporée à ce PDF.",
        "direct_debit": (
            "Le montant de {amount} sera prélevé le {due_on} sur votre"
            " compte se terminant par {ending} par prélèvement SEPA"
            " (référence unique de mandat {mandate}, identifiant créancier {creditor_id})."
        ),
        "page": "Page",
    },
    "es": {
        "invoice": "Factura",
        "credit_note": "Factura rectificativa",
        "number": "Número",
        "issued_on": "Fecha de emisión",
        "due_on": "Vencimiento",
        "service_period": "Periodo de servicio",
        "customer_number": "Número de cliente",
        "seller": "Emisor",
        "buyer": "Facturar a",
        "vat_id": "NIF-IVA",
        "description": "Descripción",
        "quantity": "Cantidad",
        "unit_price": "Precio unitario",
        "amount": "Importe",
        "net": "Base imponible",
        "vat": "IVA",
        "total": "Total",
        "corrects": "Rectifica la factura",
        "embedded": "La factura electrónica (EN 16931, XML CII) está incrustada en este PDF.",
        "direct_debit": (
            "El importe de {amount} se cargará el {due_on} en su cuenta"
            " terminada en {ending} por adeudo directo SEPA"
            " (referencia de la orden {mandate}, identificador del acreedor {creditor_id})."
        ),
        "page": "Página",
    },
    "it": {
        "invoice": "Fattura",
        "credit_note": "Nota di credito",
        "number": "Numero",
        "issued_on": "Data di emissione",
        "due_on": "Scadenza",
        "service_period": "Periodo di servizio",
        "customer_number": "Codice cliente",
        "seller": "Fornitore",
        "buyer": "Intestatario",
        "vat_id": "Partita IVA",
        "description": "Descrizione",
        "quantity": "Quantità",
        "unit_price": "Prezzo unitario",
        "amount": "Importo",
        "net": "Imponibile",
        "vat": "IVA",
        "total": "Totale",
        "corrects": "Rettifica la fattura",
        "embedded": "La fattura elettronica (EN 16931, XML CII) è incorporata in questo PDF.",
        "direct_debit": (
            "L'importo di {amount} sarà addebitato il {due_on} sul suo conto"
            " che termina con {ending} tramite addebito diretto SEPA"
            " (riferimento del mandato {mandate}, identificativo del creditore {creditor_id})."
        ),
        "page": "Pagina",
    },
    "nl": {
        "invoice": "Factuur",
        "credit_note": "Creditnota",
        "number": "Nummer",
        "issued_on": "Factuurdatum",
        "due_on": "Vervaldatum",
        "service_period": "Leveringsperiode",
        "customer_number": "Klantnummer",
        "seller": "Leverancier",
        "buyer": "Factuur aan",
        "vat_id": "Btw-nummer",
        "description": "Omschrijving",
        "quantity": "Aantal",
        "unit_price": "Prijs per eenheid",
        "amount": "Bedrag",
        "net": "Nettobedrag",
        "vat": "Btw",
        "total": "Totaal",
        "corrects": "Correctie van factuur",
        "embedded": "De e-factuur (EN 16931, CII XML) is in deze pdf ingesloten.",
        "direct_debit": (
            "Het bedrag van {amount} wordt op {due_on} via SEPA-incasso"
            " afgeschreven van uw rekening eindigend op {ending}"
            " (machtigingskenmerk {mandate}, incassant-ID {creditor_id})."
        ),
        "page": "Pagina",
    },
    "pl": {
        "invoice": "Faktura",
        "credit_note": "Faktura korygująca",
        "number": "Numer",
        "issued_on": "Data wystawienia",
        "due_on": "Termin płatności",
        "service_period": "Okres świadczenia",
        "customer_number": "Numer klienta",
        "seller": "Sprzedawca",
        "buyer": "Nabywca",
        "vat_id": "NIP UE",
        "description": "Opis",
        "quantity": "Ilość",
        "unit_price": "Cena jednostkowa",
        "amount": "Kwota",
        "net": "Kwota netto",
        "vat": "VAT",
        "total": "Razem",
        "corrects": "Korekta faktury",
        "embedded": "E-faktura (EN 16931, CII XML) jest osadzona w tym pliku PDF.",
        "direct_debit": (
            "Kwota {amount} zostanie pobrana {due_on} z Państwa rachunku"
            " kończącego się na {ending} w ramach polecenia zapłaty SEPA"
            " (numer mandatu {mandate}, identyfikator wierzyciela {creditor_id})."
        ),
        "page": "Strona",
    },
    "pt": {
        "invoice": "Fatura",
        "credit_note": "Nota de crédito",
        "number": "Número",
        "issued_on": "Data de emissão",
        "due_on": "Vencimento",
        "service_period": "Período do serviço",
        "customer_number": "Número de cliente",
        "seller": "Fornecedor",
        "buyer": "Faturar a",
        "vat_id": "NIF/IVA",
        "description": "Descrição",
        "quantity": "Quantidade",
        "unit_price": "Preço unitário",
        "amount": "Valor",
        "net": "Valor líquido",
        "vat": "IVA",
        "total": "Total",
        "corrects": "Retifica a fatura",
        "embedded": "A fatura eletrónica (EN 16931, XML CII) está incorporada neste PDF.",
        "direct_debit": (
            "O montante de {amount} será debitado em {due_on} da sua"
            " conta terminada em {ending} por débito direto SEPA"
            " (referência da autorização {mandate}, identificador do credor {creditor_id})."
        ),
        "page": "Página",
    },
    "cs": {
        "invoice": "Faktura",
        "credit_note": "Opravný daňový doklad",
        "number": "Číslo",
        "issued_on": "Datum vystavení",
        "due_on": "Datum splatnosti",
        "service_period": "Období plnění",
        "customer_number": "Číslo zákazníka",
        "seller": "Dodavatel",
        "buyer": "Odběratel",
        "vat_id": "DIČ",
        "description": "Popis",
        "quantity": "Množství",
        "unit_price": "Jednotková cena",
        "amount": "Částka",
        "net": "Základ daně",
        "vat": "DPH",
        "total": "Celkem",
        "corrects": "Opravuje fakturu",
        "embedded": "Elektronická faktura (EN 16931, CII XML) je vložena do tohoto PDF.",
        "direct_debit": (
            "Částka {amount} bude dne {due_on} stržena z vašeho účtu končícího na {ending} inkasem SEPA"
            " (reference mandátu {mandate}, identifikátor věřitele {creditor_id})."
        ),
        "page": "Strana",
    },
    "hu": {
        "invoice": "Számla",
        "credit_note": "Helyesbítő számla",
        "number": "Sorszám",
        "issued_on": "Kiállítás dátuma",
        "due_on": "Fizetési határidő",
        "service_period": "Teljesítési időszak",
        "customer_number": "Ügyfélszám",
        "seller": "Eladó",
        "buyer": "Vevő",
        "vat_id": "Közösségi adószám",
        "description": "Megnevezés",
        "quantity": "Mennyiség",
        "unit_price": "Egységár",
        "amount": "Összeg",
        "net": "Nettó összeg",
        "vat": "ÁFA",
        "total": "Végösszeg",
        "corrects": "Helyesbített számla",
        "embedded": "Az e-számla (EN 16931, CII XML) be van ágyazva ebbe a PDF-be.",
        "direct_debit": (
            "A(z) {amount} összeget {due_on} napján SEPA csoportos"
            " beszedéssel terheljük a(z) {ending} végű számlájára"
            " (megbízás azonosítója {mandate}, hitelező azonosítója {creditor_id})."
        ),
        "page": "Oldal",
    },
    "ro": {
        "invoice": "Factură",
        "credit_note": "Factură de stornare",
        "number": "Număr",
        "issued_on": "Data emiterii",
        "due_on": "Scadență",
        "service_period": "Perioada serviciului",
        "customer_number": "Cod client",
        "seller": "Furnizor",
        "buyer": "Cumpărător",
        "vat_id": "Cod TVA",
        "description": "Descriere",
        "quantity": "Cantitate",
        "unit_price": "Preț unitar",
        "amount": "Valoare",
        "net": "Valoare netă",
        "vat": "TVA",
        "total": "Total",
        "corrects": "Corectează factura",
        "embedded": "Factura electronică (EN 16931, XML CII) este inclusă în acest PDF.",
        "direct_debit": (
            "Suma de {amount} va fi debitată la {due_on} din contul dumneavoastră"
            " care se termină în {ending} prin debitare directă SEPA"
            " (referința mandatului {mandate}, identificatorul creditorului {creditor_id})."
        ),
        "page": "Pagina",
    },
    "tr": {
        "invoice": "Fatura",
        "credit_note": "İade faturası",
        "number": "Numara",
        "issued_on": "Düzenleme tarihi",
        "due_on": "Vade tarihi",
        "service_period": "Hizmet dönemi",
        "customer_number": "Müşteri numarası",
        "seller": "Satıcı",
        "buyer": "Alıcı",
        "vat_id": "KDV numarası",
        "description": "Açıklama",
        "quantity": "Miktar",
        "unit_price": "Birim fiyat",
        "amount": "Tutar",
        "net": "Net tutar",
        "vat": "KDV",
        "total": "Toplam",
        "corrects": "Düzeltilen fatura",
        "embedded": "E-fatura (EN 16931, CII XML) bu PDF'e gömülüdür.",
        "direct_debit": (
            "{amount} tutarı {due_on} tarihinde sonu {ending} ile biten hesabınızdan"
            " SEPA otomatik ödeme talimatıyla tahsil edilecektir"
            " (talimat referansı {mandate}, alacaklı kimliği {creditor_id})."
        ),
        "page": "Sayfa",
    },
}


def labels_for(language: str) -> dict[str, str]:
    """The labels of ``language``; English for a language we do not print (never a missing word)."""
    return LABELS.get(language, LABELS["en"])

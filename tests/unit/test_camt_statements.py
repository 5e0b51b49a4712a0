"""Reading camt.053 statements: the values the matching needs, and refusals naming the element."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared.banking.camt import StatementRefused, parse_camt053

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def statement(entries: str, namespace: str = NS, statement_id: str = "S-1") -> bytes:
    return (
        f'<Document xmlns="{namespace}"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr>'
        f"<Stmt><Id>{statement_id}</Id>{entries}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


CREDIT = (
    '<Ntry><NtryRef>R1</NtryRef><Amt Ccy="EUR">57.12</Amt><CdtDbtInd>CRDT</CdtDbtInd>'
    "<BookgDt><Dt>2026-04-10</Dt></BookgDt><NtryDtls><TxDtls><Refs><EndToEndId>E2E-9</EndToEndId></Refs>"
    "<RmtInf><Ustrd>Rechnung 2026-000001</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
)
RETURN = (
    '<Ntry><Amt Ccy="EUR">57.12</Amt><CdtDbtInd>DBIT</CdtDbtInd><NtryDtls><TxDtls>'
    "<Refs><EndToEndId>2026-000001</EndToEndId></Refs><RtrInf><Rsn><Cd>AM04</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>"
)


def test_entries_carry_amount_reference_remittance_and_return_reason():
    parsed = parse_camt053(statement(CREDIT + RETURN))
    assert parsed.statement_id == "S-1"
    credit, debit = parsed.entries
    assert (credit.reference, credit.amount, credit.currency, credit.credit) == ("R1", Decimal("57.12"), "EUR", True)
    assert credit.remittance == "Rechnung 2026-000001" and credit.end_to_end_id == "E2E-9"
    assert (debit.reference, debit.credit, debit.return_reason) == ("#2", False, "AM04")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"<not-closed", "body"),
        (statement(CREDIT, namespace="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"), "Document"),
        (statement(CREDIT, statement_id=""), "Stmt/Id"),
        (statement(CREDIT.replace("57.12", "-1")), "Ntry[1]/Amt"),
        (statement(CREDIT.replace("CRDT", "XX")), "Ntry[1]/CdtDbtInd"),
        (statement(CREDIT + CREDIT), "Ntry/NtryRef"),
    ],
)
def test_what_is_not_a_bookable_camt053_is_refused_naming_the_element(raw, field):
    with pytest.raises(StatementRefused) as refused:
        parse_camt053(raw)
    assert refused.value.field == field


def test_an_external_entity_is_never_resolved():
    raw = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + statement(
        CREDIT.replace("Rechnung", "&x;")
    )
    try:
        parsed = parse_camt053(raw)
    except StatementRefused:
        return
    assert "root:" not in parsed.entries[0].remittance

"""What a mail's subject says: reply/forward prefixes, our ticket tag, and whether it says nothing.

Pure rules shared by the mail intake and the web form (a vague subject gets a question back)."""

from __future__ import annotations

import re

# No two adjacent optional whitespace runs: keeps the match linear on hostile subjects.
_TICKET_TAG = re.compile(r"\[\s*ticket\s*(?:[#:]\s*)?(?:#\s*)?([0-9]{1,30})\s*\]", re.IGNORECASE)

# Reply and forward prefixes of the mail programs our customers use (policy languages
# plus the usual suspects). "R:"/"I:" are Italian Outlook, "YNT"/"İLT" Turkish,
# "Odp"/"PD" Polish/Czech, "Vá"/"Továbbítás" Hungarian, "RES"/"ENC" Portuguese.
_REPLY_WORDS = (
    r"re|aw|antw|antwort|sv|vs|odp|odpověď|ynt|cevap|rif|r|res|resp|rv|vá|răspuns|ref|réf|"
    r"回复|答复|回覆|返信"
)
_FORWARD_WORDS = r"fwd?|wg|tr|pd|enc|i|rv|doorst|továbbítás|fs|vb|ilt|İlt|redirecționat|转发|轉寄|転送"
_COUNTER = r"(?:\s*(?:\[\d+\]|\(\d+\)|\^\d+))?"  # "Re[2]:", "Re (3):", "RE^2:"
_PREFIXES = re.compile(rf"^(?:\s*(?:{_REPLY_WORDS}|{_FORWARD_WORDS}){_COUNTER}\s*[:：])+", re.IGNORECASE)
_FORWARD_PREFIX = re.compile(rf"^\s*(?:{_FORWARD_WORDS}){_COUNTER}\s*[:：]", re.IGNORECASE)


def strip_reply_prefixes(subject: str) -> str:
    """Remove leading reply/forward prefixes ("Re:", "AW: WG:", "Fwd[2]:", …).

    Agents and the vagueness check care about what the customer wrote, not how many
    times the mail went back and forth.
    """
    return _PREFIXES.sub("", normalize_space(subject or ""), count=1).strip()


def ticket_number_from_subject(subject: str) -> str | None:
    """The number in our ``[Ticket#…]`` tag, tolerating the spacing and case mail programs make of it."""
    match = _TICKET_TAG.search(normalize_space(subject or ""))
    return match.group(1) if match else None


def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


def normalize_space(text: str) -> str:
    """Every run of whitespace (folded lines, tabs, NBSP) as one space: what a reader sees."""
    return " ".join(text.split())


# Words that alone say nothing about the problem, in the policy languages.
_VAGUE_WORDS = word_set(
    """
    error errors fehler fehlermeldung problem problems probleme issue issues bug bugs help hilfe
    question questions frage fragen urgent dringend wichtig important asap support request anfrage
    störung stoerung ticket info information test hallo hello hi hey no subject kein betreff
    chyba problém pomoc dotaz otázka naléhavé urgentní
    problema ayuda pregunta urgente consulta
    erreur problème aide urgence
    hiba probléma segítség kérdés sürgős
    errore aiuto domanda
    fout probleem hulp vraag
    błąd pytanie pilne
    erro dúvida duvida pergunta ajuda
    eroare problemă ajutor întrebare
    hata sorun yardım soru acil
    """
)
# Filler that does not add meaning to a vague word ("we have a problem", "bitte Hilfe").
_FILLER_WORDS = word_set(
    """
    a an the i we my our you me us is are have has need needed please pls plz with some small big
    new again still very any there here can could
    ich wir mein meine unser unsere haben habe ein eine einen bitte mit noch ganz kleines kleine
    großes großer dringend es gibt brauche brauchen
    je nous un une le la les avec besoin svp sil vous plait
    tengo tenemos un una el la con por favor necesito
    un una il lo la con ho abbiamo
    een de het met ik wij we hebben heb
    mam mamy z
    tenho temos um uma com por favor
    am avem un o cu vă rog
    var bir lütfen
    mám máme s prosím
    van egy kérem
    """
)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def is_vague_subject(subject: str) -> bool:
    """True when the subject says nothing about the problem ("Fehler", "Help!", "Re:", empty).

    Such mail is accepted but flagged, and the acknowledgement asks for a subject that
    describes the problem (spec §6). A word that is neither vague nor filler makes the
    subject specific enough ("Problem with invoice" is fine, "We have a problem" is not).
    """
    text = _TICKET_TAG.sub(" ", normalize_space(subject or ""))
    text = strip_reply_prefixes(text)
    words = _NON_WORD.sub(" ", text).casefold().split()
    meaningful = [w for w in words if w not in _VAGUE_WORDS and w not in _FILLER_WORDS]
    return not meaningful

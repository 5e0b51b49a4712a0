"""Mail texts from templates, in the account's language (fallback: the policy's).

A template is `templates/mail/<language>/<name>.txt`: the first line is
`Subject: …`, then a blank line, then the body. Adding a language is adding
files: a folder named by the language code with the same template names.

Callers pass plain values (ISO dates "2026-11-30", moments, decimal strings
"57.12"); the templates format them for the language with the filters below
(`date`, `moment`, `month`, `money`, `number`, `plural`, `zone`), so a German mail
says "30. November 2026" and "57,12 €" and callers never format for a reader.

Everything heavy (Jinja2, Babel, the policy) is imported inside functions:
this module is imported by every function that queues mail, and cold starts matter.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, Literal

from shared.rules.mail_headers import header_safe

TEMPLATE_ROOT = Path(__file__).resolve().parents[1] / "templates" / "mail"
# Tests (and a translator previewing a new language) may point at another folder.
TEMPLATE_ROOT_ENV = "COCOON_MAIL_TEMPLATES"
# Mails to our own staff (the support lead), not to a customer: written once, in the fallback
# language (English), whatever the ticket's account speaks; render_mail falls back to it by itself.
STAFF_MAILS = frozenset(
    {"escalation", "desk_sign_in", "staff_invitation", "customer_replied", "ticket_at_risk"}
)
# The key the filters read the mail's language from; not a placeholder any template uses.
LANGUAGE_KEY = "_mail_language"

# A language code as it may appear in a path: "de", "pt", "pt_BR", "zh-Hant". Nothing else reaches the file system.
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
# How callers pass moments today (ticket_mail_context, the signup's valid_until): local time and the
# zone's abbreviation, "2026-11-23 13:30 CET". ISO 8601 with an offset and aware datetimes work too.
_LOCAL_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(?::\d{2})?\s+([A-Za-z][A-Za-z0-9+\-/_]*)$")


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body_text: str


def template_root() -> Path:
    override = os.environ.get(TEMPLATE_ROOT_ENV)
    return Path(override) if override else TEMPLATE_ROOT


def available_languages(root: Path | None = None) -> list[str]:
    """The languages that have templates: the folders under the template root."""
    base = root or template_root()
    return sorted(entry.name for entry in base.iterdir() if entry.is_dir() and _LANGUAGE_CODE.match(entry.name))


def template_names(language: str = "en", root: Path | None = None) -> list[str]:
    """The mails a language has (partials, named "_…", are not mails)."""
    base = (root or template_root()) / language
    return sorted(path.stem for path in base.glob("*.txt") if not path.name.startswith("_"))


def placeholders(name: str, language: str, root: Path | None = None) -> frozenset[str]:
    """The variables a template reads (what its context must give), found by Jinja's own parser."""
    from jinja2 import meta

    base = root or template_root()
    source = (base / language / f"{name}.txt").read_text(encoding="utf-8")
    return frozenset(meta.find_undeclared_variables(_environment(str(base)).parse(source)))


@cache
def _environment(root: str) -> Any:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(root),
        undefined=jinja2.StrictUndefined,  # an unfilled placeholder is an error, not an empty string
        # HTML-escaping a plain-text mail would turn "Müller & Söhne" into "&amp;": only .html templates
        # (should HTML parts ever come) are escaped; the web pages have their own environment.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm"), default_for_string=False),
        keep_trailing_newline=True,
    )
    # Each filter reads the mail's language from the render context.
    filters: dict[str, Callable[..., str]] = {
        "date": _date_filter,
        "moment": _moment_filter,
        "month": _month_filter,
        "money": _money_filter,
        "number": _number_filter,
        "plural": _plural_filter,
        "zone": _zone_filter,
    }
    environment.filters.update({name: jinja2.pass_context(function) for name, function in filters.items()})
    return environment


def _fallback_language() -> str:
    from shared.policy import get_policy

    return get_policy().fallback_language


def render_mail(
    name: str,
    language: str,
    context: dict[str, Any],
    fallback_language: str | None = None,
    root: Path | None = None,
) -> RenderedMail:
    """Render mail `name` in `language`, or in the fallback language when that language lacks it."""
    base = root or template_root()
    fallback = fallback_language or _fallback_language()
    wanted = (language or "").strip()
    chosen = wanted if _LANGUAGE_CODE.match(wanted) and (base / wanted / f"{name}.txt").is_file() else fallback
    subject_template, body_template = _subject_and_body(str(base), chosen, name)
    values = {**context, LANGUAGE_KEY: chosen}
    # The subject line and the body are rendered apart: a value with line breaks (a subject typed
    # with CR/LF, a company name) can neither end the subject early nor start a header.
    subject = header_safe(subject_template.render(values).removeprefix("Subject: "))
    return RenderedMail(subject=subject, body_text=body_template.render(values).strip() + "\n")


def _subject_and_body(root: str, language: str, name: str) -> tuple[Any, Any]:
    """A mail template's subject line and body, compiled apart (the file: "Subject: …", blank line, body)."""
    environment = _environment(root)
    source, _, _ = environment.loader.get_source(environment, f"{language}/{name}.txt")
    head, _, body = source.partition("\n\n")
    if not head.startswith("Subject: "):
        raise ValueError(f"mail template {language}/{name}.txt must start with 'Subject: '")
    return _compiled(root, head), _compiled(root, body)


@cache
def _compiled(root: str, source: str) -> Any:
    """Compiled once per text: an edited template file is read afresh, an unchanged one costs a file read.
    The code comes from shared/mail/bytecode.py's cache when a run before compiled the same text."""
    from shared.mail.bytecode import bytecode_cache, compiled_text

    return compiled_text(_environment(root), source, bytecode_cache())


# --- formatting for the reader's language ---------------------------------------------------------


@cache
def _locale(language: str) -> Any:
    """Babel's locale for a language; a code Babel does not know formats like the fallback language."""
    from babel import Locale, UnknownLocaleError

    for candidate in (language, _fallback_language(), "en"):
        try:
            return Locale.parse(candidate.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            continue
    raise LookupError("no locale for formatting")  # pragma: no cover - "en" always exists


def _context_locale(context: Any) -> Any:
    return _locale(str(context.get(LANGUAGE_KEY) or "en"))


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip()[:10])


def _as_moment(value: Any) -> tuple[datetime, str | None]:
    """A moment and the zone name to show: an aware datetime, ISO 8601 with offset, or "2026-11-23 13:30 CET"."""
    if isinstance(value, datetime):
        return value, None
    text = str(value).strip()
    local = _LOCAL_MOMENT.match(text)
    if local:
        day, clock, zone = local.groups()
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock)), zone
    return datetime.fromisoformat(text.replace("Z", "+00:00")), None


def _as_decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def _date_filter(context: Any, value: Any, format: str = "long") -> str:
    """A calendar day: "30. November 2026" (de), "November 30, 2026" (en)."""
    from babel.dates import format_date

    return str(format_date(_as_date(value), format=format, locale=_context_locale(context)))


def _moment_filter(context: Any, value: Any, format: Literal["full", "long", "medium", "short"] = "long") -> str:
    """A moment with its zone: "23. November 2026 um 13:30 CET" (de), "November 23, 2026 at 1:30 PM CET" (en)."""
    from babel.dates import format_date, format_time, get_datetime_format

    locale = _context_locale(context)
    moment, zone = _as_moment(value)
    if zone is None and moment.tzinfo is not None:
        zone = moment.tzname()
    # Babel's own combination of a date and a time pattern ("{1} 'um' {0}"), with a short time: no seconds.
    pattern = str(get_datetime_format(format, locale=locale)).replace("'", "")
    day = str(format_date(moment.date(), format=format, locale=locale))
    clock = str(format_time(moment.replace(tzinfo=None).time(), format="short", locale=locale))
    text = pattern.replace("{0}", clock).replace("{1}", day)
    return f"{text} {zone}" if zone else text


def _month_filter(context: Any, value: Any) -> str:
    """A billing month "2026-11" as "November 2026" (de), "listopad 2026" (cs), "2026. november" (hu)."""
    from babel.dates import format_skeleton

    text = str(value).strip()
    month = date.fromisoformat(f"{text[:7]}-01")
    return str(format_skeleton("yMMMM", month, locale=_context_locale(context)))


def _money_filter(context: Any, value: Any, currency: str) -> str:
    """An amount with its currency: "57,12 €" (de), "€57.12" (en)."""
    from babel.numbers import format_currency

    return str(format_currency(_as_decimal(value), currency, locale=_context_locale(context)))


def _number_filter(context: Any, value: Any) -> str:
    """A plain number: "2,25" (de), "2.25" (en), "1 234 567" (fr)."""
    from babel.numbers import format_decimal

    return str(format_decimal(_as_decimal(value), locale=_context_locale(context)))


def _plural_filter(context: Any, count: Any, **forms: str) -> str:
    """The word for `count` by the language's plural rules: {{ n | plural(one="den", few="dny", other="dní") }}.

    `other` is required; a form the template does not give falls back to it.
    """
    if "other" not in forms:
        raise ValueError("plural needs at least other=")
    category = _context_locale(context).plural_form(_as_decimal(count))
    return forms.get(str(category), forms["other"])


def _zone_filter(context: Any, value: Any) -> str:
    """A time zone by its name in the language: "Europe/Berlin" → "Mitteleuropäische Zeit" (de)."""
    from babel.dates import get_timezone, get_timezone_name

    return str(get_timezone_name(get_timezone(str(value)), width="long", locale=_context_locale(context)))

"""Mail texts from templates, in the account's language (fallback: the policy's).

A template is `templates/mail/<language>/<name>.txt`: the first line is
`Subject: …`, then a blank line, then the body. Adding a language is adding files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

TEMPLATE_ROOT = Path(__file__).resolve().parents[1] / "templates" / "mail"


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    body_text: str


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_ROOT)),
        undefined=jinja2.StrictUndefined,  # an unfilled placeholder is an error, not an empty string
        autoescape=False,  # plain-text mails; HTML pages use their own autoescaping environment
        keep_trailing_newline=True,
    )


def render_mail(name: str, language: str, context: dict[str, Any], fallback_language: str = "en") -> RenderedMail:
    chosen = language if (TEMPLATE_ROOT / language / f"{name}.txt").is_file() else fallback_language
    text = _environment().get_template(f"{chosen}/{name}.txt").render(**context)
    head, _, body = text.partition("\n\n")
    if not head.startswith("Subject: "):
        raise ValueError(f"mail template {chosen}/{name}.txt must start with 'Subject: '")
    return RenderedMail(subject=head.removeprefix("Subject: ").strip(), body_text=body.strip() + "\n")

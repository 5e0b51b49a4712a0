"""HTML bodies to plain text: linear on any input, bounded in size, showing only what a reader would see."""

from __future__ import annotations

import re

from shared.rules.mail_subjects import word_set

_BLOCK_TAGS = word_set(
    "address article aside center dd div dl dt fieldset figcaption figure footer form header hr "
    "main nav section table thead tbody tfoot tr ul ol caption"
)
_PARAGRAPH_TAGS = word_set("p h1 h2 h3 h4 h5 h6 pre")
# Elements whose content is never shown: skipped up to their end tag.
_HEAD_TAGS = word_set("title meta link style script base noscript template")
_RAW_TEXT_TAGS = word_set("script style title noscript template xml textarea")
# One token at a time, each pattern stops at the next "<" or ">": linear on any input
# (the stdlib HTMLParser of Python 3.11 is quadratic on unterminated "<![" and "<!").
_HTML_TOKEN = re.compile(
    r"(?P<comment><!--)"
    r"|<(?P<close>/?)(?P<tag>[a-zA-Z][a-zA-Z0-9:-]*)(?P<rest>[^<>]*)>"
    r"|(?P<other><[!?][^<>]*>)"
    r"|(?P<text>[^<]+|<)"
)
_RAW_TEXT_END: dict[str, re.Pattern[str]] = {tag: re.compile(rf"</{tag}\s*>", re.IGNORECASE) for tag in _RAW_TEXT_TAGS}


# No support request needs more HTML than this; it bounds the time a hostile body can cost.
_MAX_HTML_CHARS = 2_000_000


class _HtmlText:
    """Collects the visible text of an HTML body, keeping line structure and quotes."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.line_depth = 0
        self.in_head = False
        self.pre_depth = 0

    def _break(self) -> None:
        text = "".join(self.current).strip(" ")
        self.lines.append("> " * self.line_depth + text if text else "")
        self.current = []
        self.line_depth = self.quote_depth

    def _blank_line(self) -> None:
        if self.current:
            self._break()
        if self.lines and self.lines[-1].strip("> "):
            self.lines.append("")

    def start_tag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = True
            return
        if tag not in _HEAD_TAGS:
            self.in_head = False  # body content without <body> (or without </head>)
        if tag == "br":
            self._break()
        elif tag in _PARAGRAPH_TAGS:
            self._blank_line()
            if tag == "pre":
                self.pre_depth += 1
        elif tag == "blockquote":
            self._blank_line()
            self.quote_depth += 1
            self.line_depth = self.quote_depth
        elif tag == "li":
            if self.current:
                self._break()
            self.current.append("- ")
        elif tag in _BLOCK_TAGS:
            if self.current:
                self._break()
        elif tag in ("td", "th") and self.current:
            self.current.append(" ")

    def end_tag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        elif tag in _PARAGRAPH_TAGS:
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
            self._blank_line()
        elif tag == "blockquote":
            self._blank_line()
            self.quote_depth = max(0, self.quote_depth - 1)
            self.line_depth = self.quote_depth
        elif (tag in _BLOCK_TAGS or tag == "li") and self.current:
            self._break()

    def data(self, data: str) -> None:
        if self.in_head:
            if not data.strip():
                return
            self.in_head = False  # text cannot stand in <head>: browsers start the body here
        if self.pre_depth:
            parts = data.replace("\xa0", " ").replace("\r\n", "\n").split("\n")
            for index, part in enumerate(parts):
                if index:
                    self._break()
                self.current.append(part)
            return
        text = " ".join(data.replace("\xa0", " ").split())
        if not text:
            if self.current and not self.current[-1].endswith(" "):
                self.current.append(" ")
            return
        if data[:1].isspace() and self.current and not self.current[-1].endswith(" "):
            text = " " + text
        if data[-1:].isspace():
            text += " "
        self.current.append(text)

    def feed(self, markup: str) -> None:
        from html import unescape

        position = 0
        end = len(markup)
        while position < end:
            match = _HTML_TOKEN.match(markup, position)
            if match is None:  # cannot happen: "<" alone always matches
                break
            position = match.end()
            if match.group("comment"):
                close = markup.find("-->", position)
                position = end if close < 0 else close + 3
            elif match.group("tag"):
                tag = match.group("tag").lower()
                if match.group("close"):
                    self.end_tag(tag)
                    continue
                self.start_tag(tag)
                if tag in _RAW_TEXT_TAGS and not match.group("rest").rstrip().endswith("/"):
                    raw_end = _RAW_TEXT_END[tag].search(markup, position)
                    position = end if raw_end is None else raw_end.end()
                elif match.group("rest").rstrip().endswith("/") and tag not in ("br",):
                    self.end_tag(tag)
            elif match.group("text"):
                self.data(unescape(match.group("text")))

    def text(self) -> str:
        if self.current:
            self._break()
        out: list[str] = []
        for line in self.lines:
            line = line.rstrip()
            if not line.strip("> ") and out and not out[-1].strip("> "):
                continue  # collapse runs of blank lines
            out.append(line)
        return "\n".join(out).strip("\n")


def html_to_text(markup: str) -> str:
    """Readable plain text of an HTML mail body: paragraphs, line breaks, lists and quotes kept.

    A small linear tokenizer is enough for mail bodies, keeps the Lambda package small and
    cannot be made slow by hostile markup; blockquotes become "> " lines so quoted
    history can be stripped like in plain-text mail.
    """
    converter = _HtmlText()
    converter.feed(markup[:_MAX_HTML_CHARS])
    return converter.text()

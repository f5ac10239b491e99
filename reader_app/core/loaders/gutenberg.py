"""Project Gutenberg's wrapping: the header, licence and credits around a book's text."""

from __future__ import annotations

import re

_PG_START = re.compile(
    r"^\s*\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK.*$", re.IGNORECASE | re.MULTILINE
)
_PG_END = re.compile(
    r"^\s*(?:\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK"
    r"|End of (?:the )?Project Gutenberg'?s? E-?Book)",
    re.IGNORECASE | re.MULTILINE,
)
_PG_FIELD = re.compile(r"^(Title|Author|Language):\s*(.+)$", re.MULTILINE)
_PRODUCED_BY = re.compile(r"^\s*(Produced by|E-text prepared by|Transcribed from)\b", re.I)


def strip_gutenberg(text: str) -> tuple[str, dict[str, str]]:
    """Keep the book between Project Gutenberg's START and END lines; read its header fields."""
    fields: dict[str, str] = {}
    start = _PG_START.search(text)
    if start is None:
        return text, fields
    for match in _PG_FIELD.finditer(text, 0, start.start()):
        fields.setdefault(match.group(1).lower(), match.group(2).strip())
    body_start = start.end()
    end = _PG_END.search(text, body_start)
    return text[body_start : end.start() if end else len(text)], fields

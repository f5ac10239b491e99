"""The spoken lines of a chapter: what is said aloud, found by its quotation marks or dashes.

A spoken line is one paragraph's speech, from its first opening mark to its last closing
one, with the dialogue tags between ("“My dear Mr. Bennet,” said his lady to him one day,
“have you heard…?”"): novels give each speaker a paragraph of their own, and the tag is
what tells the model who speaks. The marks of the languages the loaders read:

* “…” and "…" (English and most others), „…“ and „…” (German, Polish), «…» and »…«
  (French, Russian, Spanish, German), 「…」 and 『…』 (Japanese, Chinese);
* ‘…’ only in a chapter that has no double quotation marks at all (British books
  quote with single marks, and the closing one doubles as the apostrophe);
* a paragraph that opens with a dash (—, –, ―) is speech to its end, as Russian,
  Spanish and French print dialogue.

Speech that runs on over several paragraphs leaves its opening paragraphs unclosed: such
a paragraph's line runs to its end.
"""

from __future__ import annotations

import re

# Opening mark → the closing marks that end it.
_PAIRS = {
    "“": "”", '"': '"', "„": "“”", "«": "»", "»": "«", "「": "」", "『": "』",
}  # fmt: skip
_SINGLE_OPEN = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–]))‘")
_SINGLE_CLOSE = re.compile(r"’(?![^\W\d_])")
_DASH_START = re.compile(r"^\s*[—–―]\s*\S")
_LETTER = re.compile(r"[^\W\d_]")
MIN_LETTERS = 2  # "“Oh!”" is a line; "“”" is not


def spoken_lines(text: str) -> list[tuple[int, int]]:
    """Where each spoken line of ``text`` (a chapter, paragraphs split by newlines) is.

    Returns:
        (start, end) offsets into ``text``, in reading order, one per paragraph at most.
    """
    doubles = any(mark in text for mark in _PAIRS)
    lines: list[tuple[int, int]] = []
    offset = 0
    for paragraph in text.split("\n"):
        span = _speech_in(paragraph, single=not doubles)
        if span is not None:
            start, end = span
            lines.append((offset + start, offset + end))
        offset += len(paragraph) + 1
    return lines


def _speech_in(paragraph: str, *, single: bool) -> tuple[int, int] | None:
    if _DASH_START.match(paragraph):
        start = len(paragraph) - len(paragraph.lstrip())
        return _trimmed(paragraph, start, len(paragraph))
    spans = _single_spans(paragraph) if single else _double_spans(paragraph)
    spans = [s for s in spans if len(_LETTER.findall(paragraph[s[0] : s[1]])) >= MIN_LETTERS]
    if not spans:
        return None
    return _trimmed(paragraph, spans[0][0], spans[-1][1])


def _double_spans(paragraph: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    position = 0
    while position < len(paragraph):
        opened = _next_opening(paragraph, position)
        if opened is None:
            break
        closers = _PAIRS[paragraph[opened]]
        closed = min(
            (i for i in (paragraph.find(c, opened + 1) for c in closers) if i >= 0), default=-1
        )
        if closed < 0:  # speech that runs on into the next paragraph
            spans.append((opened, len(paragraph)))
            break
        spans.append((opened, closed + 1))
        position = closed + 1
    return spans


def _next_opening(paragraph: str, start: int) -> int | None:
    found = [i for i in (paragraph.find(mark, start) for mark in _PAIRS) if i >= 0]
    return min(found) if found else None


def _single_spans(paragraph: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    position = 0
    while True:
        opened = _SINGLE_OPEN.search(paragraph, position)
        if opened is None:
            return spans
        closed = _SINGLE_CLOSE.search(paragraph, opened.end())
        if closed is None:
            spans.append((opened.start(), len(paragraph)))
            return spans
        spans.append((opened.start(), closed.end()))
        position = closed.end()


def _trimmed(paragraph: str, start: int, end: int) -> tuple[int, int] | None:
    while end > start and paragraph[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None

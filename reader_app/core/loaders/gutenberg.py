"""Project Gutenberg's wrapping: the header, licence and credits around a book's text.

A Project Gutenberg file wraps the book in a header (title fields, the "for the use of
anyone anywhere" note), a START line, often a producer's credit, and at the end an END
line followed by the licence. None of that is the book: it is taken out of the reading
flow and kept in a last, non-linear chapter, "About this file", listed at the end of the
contents. A file without the START line (or one of its older forms) is left as it is,
and prose that merely mentions Project Gutenberg stays where it is.

Plain text is sorted here by lines and paragraphs (:func:`split_gutenberg`); HTML and
EPUB documents by blocks (:class:`GutenbergSorter`). Both give the removed text, which
:func:`about_chapter` turns into the chapter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reader_app.core.book import Chapter, TocEntry
from reader_app.core.loaders.blocks import Block, Break, Inline, Mark, Run, render_blocks

ABOUT_TITLE = "About this file"
ABOUT_KEY = "about-this-file"

# Where the book begins: the START line, or the end of the older "small print" header.
_PG_START = re.compile(
    r"^[ \t]*(?:\*+[ \t]*)?START OF (?:THE|THIS) PROJECT GUTENBERG\b.*$"
    r"|^[ \t]*\*+[ \t]*END\b\W*THE SMALL PRINT\b.*$",
    re.IGNORECASE | re.MULTILINE,
)
# Where it ends: the END line (strong), or a line that only ever stands after the book.
_PG_END_STRONG = re.compile(
    r"^[ \t]*(?:\*+[ \t]*)?END OF (?:THE|THIS) PROJECT GUTENBERG\b", re.IGNORECASE | re.MULTILINE
)
_PG_END_WEAK = re.compile(
    r"^[ \t]*(?:End of (?:the |this )?Project Gutenberg\b"
    r"|\*+[ \t]*START: FULL LICEN[CS]E"
    r"|THE FULL PROJECT GUTENBERG LICEN[CS]E)",
    re.IGNORECASE | re.MULTILINE,
)
# The header of a file without a START line, at its very top.
_PG_HEADER = re.compile(
    r"This e-?(?:Book|text) is for the use of anyone anywhere|^[ \t]*The Project Gutenberg"
    r" e-?(?:Book|text)\b",
    re.IGNORECASE | re.MULTILINE,
)
_PG_FIELD = re.compile(r"^(Title|Author|Language):\s*(.+)$", re.MULTILINE)
_HEADER_LINE = re.compile(
    r"^[ \t]*(?:Title|Author|Editor|Translator|Illustrator|Release Date|Posting Date"
    r"|Last Updated|First Posted|Language|Character set encoding|\[?E-?(?:Book|text) #)",
    re.IGNORECASE | re.MULTILINE,
)
# A producer's or transcriber's credit, by how it begins or by the words only PG uses.
_PRODUCED_BY = re.compile(
    r"^\s*(?:Produced (?:by|from)|E-?text (?:was )?prepared by|Transcribed (?:from|by)"
    r"|Typed by|Scanned (?:and proofread )?by|Digiti[sz]ed by|Proofread by|HTML version by"
    r"|Special thanks\b|Transcriber'?’?s? (?:Notes?|Credits?)\s*:"
    r"|This (?:e-?text|e-?book|file|text|edition) (?:was|has been|is) (?:produced|prepared"
    r"|created|made|transcribed|scanned)\b)",
    re.IGNORECASE,
)
_PG_WORDS = re.compile(
    r"Project Gutenberg|\be-?texts?\b|\be-?books?\b|proofread|\bpgdp\b|Internet Archive"
    r"|Anonymous Volunteers?|gutenberg\.(?:org|net)|\bPG-?DE\b",
    re.IGNORECASE,
)
# A transcriber's note left between the book's last line and the END line.
_TRAILING_NOTE = re.compile(
    r"^[ \t]*(?:Transcriber'?’?s? Notes?|Nota del? (?:trascrittore|transcriptor)"
    r"|Notes? d[ue] (?:la )?transcript(?:eur|rice|ion)|Anmerkungen? (?:des|der|zur) Transkri)",
    re.IGNORECASE | re.MULTILINE,
)

MAX_HEADER_CHARS = 100_000  # the old "small print" header is about 20,000
MAX_TRAILER_CHARS = 100_000  # the licence is about 20,000; more is the book itself
_CREDIT_SCAN = 6  # paragraphs at the book's start that may be credits
_MAX_CREDIT_CHARS = 600
_MAX_NOTE_CHARS = 3_000
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_FIELD_LINE = re.compile(r"^[A-Z][A-Za-z .-]{0,30}: \S")


@dataclass(slots=True)
class GutenbergParts:
    """A plain-text file sorted into the book and Project Gutenberg's wrapping.

    Attributes:
        body: the book's text; credits at its start are replaced by blank lines.
        fields: the header's Title, Author and Language (lower-case keys).
        about: the header, credits and trailer, in file order ("" for a file without them).
    """

    body: str
    fields: dict[str, str]
    about: str


def header_fields(text: str) -> dict[str, str]:
    """The Title, Author and Language fields of a Project Gutenberg header, if any."""
    fields: dict[str, str] = {}
    start = _find_start(text)
    header_end = start[0] if start else _bare_header_end(text)
    for match in _PG_FIELD.finditer(text, 0, header_end):
        fields.setdefault(match.group(1).lower(), match.group(2).strip())
    return fields


def split_gutenberg(text: str) -> GutenbergParts:
    """Sort a plain-text file (with LF line ends) into the book and its wrapping."""
    fields = header_fields(text)
    start = _find_start(text)
    if start is not None:
        body_start = start[1]
    else:
        body_start = _bare_header_end(text)
        if not body_start:
            return GutenbergParts(text, fields, "")
    end = _find_end(text, body_start)
    header = text[:body_start]
    body = text[body_start:end]
    trailer = text[end:]
    body, credit_lines = _take_credits(body)
    body, note = _take_trailing_note(body)
    about = "\n\n".join(part for part in (header, *credit_lines, note, trailer) if part.strip())
    return GutenbergParts(body, fields, about)


def _find_start(text: str) -> tuple[int, int] | None:
    match = _PG_START.search(text, 0, MAX_HEADER_CHARS)
    return (match.start(), match.end()) if match else None


def _bare_header_end(text: str) -> int:
    """Where a header with no START line ends: after its last field line; 0 if none."""
    top = text[:5_000]
    if _PG_HEADER.search(top) is None:
        return 0
    fields = list(_HEADER_LINE.finditer(top))
    if not fields:
        return 0
    line_end = top.find("\n", fields[-1].end())
    return len(top) if line_end < 0 else line_end


def _find_end(text: str, body_start: int) -> int:
    """Where the wrapping after the book begins (the length of the text if nowhere)."""
    # Only the tail is searched: a long stretch after an "end" is more of the book (a
    # collection of files), and a search through all of War and Peace took 30 ms.
    tail = max(body_start, len(text) - MAX_TRAILER_CHARS)
    strong = _PG_END_STRONG.search(text, tail)
    if strong is not None:
        weak = _PG_END_WEAK.search(text, max(tail, strong.start() - 5_000), strong.start())
        return weak.start() if weak else strong.start()
    weak = _PG_END_WEAK.search(text, tail)
    return weak.start() if weak else len(text)


def _take_credits(body: str) -> tuple[str, list[str]]:
    """Blank out the credits among the first paragraphs; return them, in order."""
    head = body[:20_000]
    found: list[str] = []
    pieces: list[str] = []
    last = 0
    teller = _Credits()
    for start, end in _paragraph_spans(head)[:_CREDIT_SCAN]:
        paragraph = head[start:end].strip()
        if teller.stop(paragraph):
            break
        if teller.take(paragraph):
            found.append(paragraph)
            # Blank lines keep the gaps around it: headings are told by their gaps.
            pieces += [body[last:start], "\n" * head.count("\n", start, end)]
            last = end
    pieces.append(body[last:])
    return "".join(pieces), found


@dataclass(slots=True)
class _Credits:
    """Tells the credits among the paragraphs at a book's start, read in order.

    A paragraph that begins as credits do ("Produced by") is one; one that merely uses
    Project Gutenberg's words is one only before the book's first paragraph (the title),
    so that prose mentioning an e-book stays.
    """

    leading: bool = True

    def stop(self, paragraph: str) -> bool:
        """Whether the credits cannot go on past this paragraph."""
        return (
            len(paragraph) > _MAX_CREDIT_CHARS
            or _PG_END_STRONG.search(paragraph) is not None
            or _PG_END_WEAK.search(paragraph) is not None
        )

    def take(self, paragraph: str) -> bool:
        """Whether this paragraph is a credit."""
        if _PRODUCED_BY.match(paragraph) or (self.leading and _PG_WORDS.search(paragraph)):
            return True
        self.leading = False
        return False


def _take_trailing_note(body: str) -> tuple[str, str]:
    """A transcriber's note after the book's last line, as its own paragraphs."""
    for note in _TRAILING_NOTE.finditer(body, max(0, len(body.rstrip()) - _MAX_NOTE_CHARS)):
        before = body[: note.start()].rstrip(" \t")
        if not before.endswith("\n\n"):
            continue
        return before, body[note.start() :].strip()
    return body, ""


# -- HTML and EPUB documents, by blocks ------------------------------------------------


@dataclass
class GutenbergSorter:
    """Takes Project Gutenberg's wrapping out of a book's documents, read in order.

    Before the START line is found, documents pass unchanged (a cover page comes first);
    the document holding it loses everything up to it and the credits after it. The
    document holding the END line loses everything from it, and so do the documents after
    it that speak of Project Gutenberg at their start (the licence in a file of its own).

    Attributes:
        about: the text taken out, one string per block, in reading order.
        moved_ids: the element ids that were in the text taken out (a contents entry
            pointing at one points into "About this file", not into the book).
    """

    about: list[str] = field(default_factory=list)
    moved_ids: set[str] = field(default_factory=set)
    _state: str = "before"  # "before" the START line, in the "book", "after" the END, "none"
    _seen_chars: int = 0

    def sort(self, blocks: list[Block]) -> list[Block]:
        """The blocks of the next document that belong to the book."""
        taken = len(self.about)
        kept = self._sort(blocks)
        if len(self.about) > taken:
            ids = {i.name for b in blocks for i in b.items if isinstance(i, Mark)}
            if ids:
                ids.difference_update(i.name for b in kept for i in b.items if isinstance(i, Mark))
                self.moved_ids.update(ids)
        return kept

    def _sort(self, blocks: list[Block]) -> list[Block]:
        if self._state == "before":
            blocks = self._take_header(blocks)
        if self._state == "book":
            return self._take_trailer(blocks)
        if self._state == "after" and any(_PG_WORDS.search(b.plain()) for b in blocks[:3]):
            self.about.extend(b.plain() for b in blocks)
            return []
        return blocks

    def _take_header(self, blocks: list[Block]) -> list[Block]:
        for index, block in enumerate(blocks):
            plain = block.plain()
            match = _PG_START.search(plain)
            if match is None and self._seen_chars < 5_000 and _bare_header_end(plain):
                match = re.search(r"\Z", plain)  # a header with no START line: all of it
            self._seen_chars += len(plain)
            if match is None:
                continue
            self.about.extend(b.plain() for b in blocks[:index])
            self.about.append(plain[: match.end()])
            self._state = "book"
            rest = _cut_block(block, match.end(), len(plain))
            return self._take_credits([rest, *blocks[index + 1 :]])
        if self._seen_chars > MAX_HEADER_CHARS:
            self._state = "none"
        return blocks

    def _take_credits(self, blocks: list[Block]) -> list[Block]:
        kept: list[Block] = []
        seen = 0
        teller = _Credits()
        for index, block in enumerate(blocks):
            plain = block.plain()
            cut = 0
            stop = False
            for start, end in _paragraph_spans(plain):
                paragraph = plain[start:end].strip()
                seen += 1
                stop = seen > _CREDIT_SCAN or teller.stop(paragraph)
                # Only the credits at the start of a block can be cut from it.
                if stop or not teller.take(paragraph):
                    break
                self.about.append(paragraph)
                cut = end
            if not cut:
                kept.append(block)
            elif plain[cut:].strip():
                kept.append(_cut_block(block, cut, len(plain)))
            if stop:
                return kept + blocks[index + 1 :]
        return kept

    def _take_trailer(self, blocks: list[Block]) -> list[Block]:
        for index, block in enumerate(blocks):
            plain = block.plain()
            # A look for the words first: the patterns cost 10 ms per million characters.
            if not any(word in plain for word in ("utenberg", "UTENBERG", "icen", "ICEN")):
                continue
            match = _PG_END_STRONG.search(plain) or _PG_END_WEAK.search(plain)
            if match is None:
                continue
            self._state = "after"
            self.about.append(plain[match.start() :])
            self.about.extend(b.plain() for b in blocks[index + 1 :])
            before = _cut_block(block, 0, match.start())
            return [*blocks[:index], before] if before.plain().strip() else blocks[:index]
        return blocks


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Where the paragraphs (text between blank lines) of a text start and end."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for gap in _BLANK_LINES.finditer(text):
        if text[pos : gap.start()].strip():
            spans.append((pos, gap.start()))
        pos = gap.end()
    if text[pos:].strip():
        spans.append((pos, len(text)))
    return spans


def _cut_block(block: Block, start: int, end: int) -> Block:
    """The part of a block between two offsets into its plain text, trimmed."""
    items: list[Inline] = []
    pos = 0
    for item in block.items:
        if isinstance(item, Run):
            piece = item.text[max(0, start - pos) : max(0, end - pos)]
            if piece:
                items.append(Run(piece, item.flags, item.href))
            pos += len(item.text)
            continue
        if start <= pos < end:
            items.append(item)
        pos += 0 if isinstance(item, Mark) else 1
    # Leading and trailing line breaks and spaces go, as the view would drop them.
    while items and (isinstance(items[0], Break) or _blank_run(items[0])):
        items.pop(0)
    while items and (isinstance(items[-1], Break) or _blank_run(items[-1])):
        items.pop()
    if items and isinstance(items[0], Run):
        items[0] = Run(items[0].text.lstrip(), items[0].flags, items[0].href)
    if items and isinstance(items[-1], Run):
        items[-1] = Run(items[-1].text.rstrip(), items[-1].flags, items[-1].href)
    return Block(block.kind, block.indent, block.align, items, block.toc_level)


def _blank_run(item: Inline) -> bool:
    return isinstance(item, Run) and not item.text.strip()


# -- the chapter -------------------------------------------------------------------------


def about_chapter(texts: list[str]) -> Chapter | None:
    """The "About this file" chapter made of the wrapping's text; None if there is none.

    Hard-wrapped lines are joined into paragraphs, so the licence reads as text rather
    than as a block of fixed-width lines.
    """
    blocks = [Block(kind="h1", items=[Run(ABOUT_TITLE)])]
    for raw in texts:
        text = raw.replace("\r\n", "\n").replace("\r", "\n")
        for start, end in _paragraph_spans(text):
            lines = [" ".join(line.split()) for line in text[start:end].split("\n")]
            lines = [line for line in lines if line]
            if not any(_FIELD_LINE.match(line) for line in lines):
                blocks.append(Block(kind="p", items=[Run(" ".join(lines))]))
                continue
            # Header fields ("Title: …", "Release Date: …") keep a line each.
            items: list[Inline] = []
            for line in lines:
                items += [Break(), Run(line)] if items else [Run(line)]
            blocks.append(Block(kind="p", items=items))
    if len(blocks) == 1:
        return None
    rendered = render_blocks(blocks)
    return Chapter(
        ABOUT_TITLE, rendered.html, rendered.text, rendered.anchors, ABOUT_KEY, linear=False
    )


def with_about(
    chapters: list[Chapter], toc: list[TocEntry], texts: list[str]
) -> tuple[list[Chapter], list[TocEntry]]:
    """The chapters and contents with "About this file" added at their end, if any."""
    about = about_chapter(texts)
    if about is None:
        return chapters, toc
    return [*chapters, about], [*toc, TocEntry(ABOUT_TITLE, len(chapters))]

"""How much of a book Tone Reader will read, parse and show, and why.

Every loader works inside these limits so that any file up to 64 MB is opened or refused
within seconds and well under 1 GB of memory, whatever its shape. The limits are counts
and sizes, never clocks, so the same file always gives the same result.

The numbers are chosen from real books: War and Peace is 3.2 million characters in 366
chapters with 380 contents entries; the largest single-file works on Project Gutenberg
(complete works, encyclopaedias) are 15–25 million characters.
"""

from __future__ import annotations

import re

from reader_app.core.errors import UnsafeBookError

# A book's whole text. 24 million characters is seven War and Peaces. The limit is set by
# time: the plain-text loader spends about 15 µs on each paragraph, and a file of short
# paragraphs near the limit opens in about 7 s on a busy two-core machine; at 32 million
# it took 9 s, too close to the 10 s budget. The chapters, their HTML and the cache entry
# then stay under 300 MB.
MAX_BOOK_CHARS = 24_000_000
# All bytes unpacked from an EPUB, counted as they are read: the same chapter listed a
# thousand times in the spine must not unpack a thousand times without limit.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
# Tags ("<" counted, so an element with its end tag is two) in one document, and in all
# the documents of a book. Each element costs the loader about 15 µs and 1 KB on its way
# to the page; the most markup-heavy book in the test corpus (Lyrical Ballads) has 21,000
# tags in all, Moby-Dick 8,700.
MAX_DOCUMENT_TAGS = 500_000
MAX_BOOK_TAGS = 800_000
# Spine items (chapters) and manifest entries of an EPUB, and chapters of any book.
MAX_CHAPTERS = 5_000
MAX_MANIFEST_ITEMS = 10_000
# Entries shown in the table of contents: beyond this a list is no longer something a
# reader scrolls through, and each entry costs the window a widget row.
MAX_TOC_ENTRIES = 2_000
# Titles and names are shown on one line; longer ones are cut.
MAX_TITLE_CHARS = 300
MAX_AUTHORS = 20
# One paragraph handed to the view. Qt lays out a paragraph as a whole, and a run with no
# break opportunity costs it time that grows faster than the run; 10,000 characters (about
# three printed pages) lay out in milliseconds.
MAX_BLOCK_CHARS = 10_000
# Elements nested deeper than this are flattened before parsing: libxml2 stops at 256 and
# drops the rest of the document without a word.
MAX_NESTING = 180
# An SVG image is rendered on the GUI thread; its cost grows with its size and elements.
MAX_SVG_BYTES = 512 * 1024
MAX_SVG_ELEMENTS = 5_000


class TextBudget:
    """Counts the characters of a book as its chapters are made, refusing past the limit.

    Attributes:
        chars: characters counted so far.
    """

    def __init__(self, name: str, limit: int = MAX_BOOK_CHARS) -> None:
        self._name = name
        self._limit = limit
        self.chars = 0

    def spend(self, chars: int) -> None:
        """Count ``chars`` more characters.

        Raises:
            UnsafeBookError: the book's text is now over the limit.
        """
        self.chars += chars
        if self.chars > self._limit:
            raise UnsafeBookError(too_much_text(self._name, self._limit))


def too_much_text(name: str, limit: int = MAX_BOOK_CHARS) -> str:
    """The message for a book whose text is over ``limit`` characters."""
    return (
        f"“{name}” holds more than {limit // 1_000_000} million characters of text,"
        " more than Tone Reader opens; it was not opened."
    )


def toc_note(limit: int) -> str:
    """The note for a table of contents cut at ``limit`` entries."""
    return (
        f"The table of contents has more than {limit:,} entries; only the first {limit:,}"
        " are listed. All the text is there."
    )


# Characters a terminal acts on instead of printing (C0 and C1 controls, DEL) and the
# bidirectional overrides that reorder a line: a name from inside a book must not carry
# them into a message that the command line prints.
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    r"""``text`` with every control character shown as an escape (``\x1b``, ``\u202e``)."""
    return CONTROL_CHARS.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inner_name(name: str) -> str:
    """A file name from inside a book, safe to put in a one-line message."""
    return one_line(escape_controls(name), 120)


def one_line(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """``text`` on one line and at most ``limit`` characters, cut with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

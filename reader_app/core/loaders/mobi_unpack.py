"""Unpack a Kindle book with KindleUnpack (the ``mobi`` package) inside fixed limits.

The loader runs this module as a child process::

    python -I -m reader_app.core.loaders.mobi_unpack BOOK OUTDIR

KindleUnpack is pure Python written for well-formed books: on a damaged one it can loop
for a long time or build very large strings, and a call in a thread cannot be stopped.
A process can: the parent waits with a timeout and kills it, and the child caps its own
memory, CPU time and the size of each file it writes. The exit status is all the parent
reads; the unpacker's log is switched off.
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

# Address space of the child: the unpacker holds the book's whole text (a few MB for a
# novel, 24 million characters at Tone Reader's limit) several times over.
MAX_MEMORY_BYTES = 1536 * 1024 * 1024
# Any one file written: the book's text as HTML, or one image.
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_CPU_SECONDS = 120

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_MEMORY = 3


def _limit(kind: int, value: int) -> None:
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard))


def unpack(book: Path, outdir: Path) -> None:
    """Unpack ``book`` into ``outdir``: mobi8/<stem>.epub for KF8, mobi7/book.html for MOBI 6."""
    from loguru import logger

    # KindleUnpack logs every record at debug level; nobody reads it.
    logger.remove()
    from mobi.kindleunpack import unpackBook  # type: ignore[import-untyped]

    # EPUB 2 or 3 as the book says ("A"); the EPUB loader reads both.
    unpackBook(str(book), str(outdir), epubver="A")


def main(argv: list[str]) -> int:
    """Unpack BOOK into OUTDIR under the limits; the exit status says how it went."""
    _limit(resource.RLIMIT_AS, MAX_MEMORY_BYTES)
    _limit(resource.RLIMIT_FSIZE, MAX_FILE_BYTES)
    _limit(resource.RLIMIT_CPU, MAX_CPU_SECONDS)
    try:
        unpack(Path(argv[0]), Path(argv[1]))
    except MemoryError:
        return EXIT_MEMORY
    except Exception:  # any failure of the unpacker means "damaged" to the parent
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

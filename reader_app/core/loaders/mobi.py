"""MOBI 6, AZW3 (KF8) and combined Kindle books without DRM.

The book's headers are read and checked here (mobi_header): the record list, DRM, the
metadata. The text is unpacked by KindleUnpack, through the ``mobi`` package on PyPI
(0.4.1, GPL-3.0, maintained; the reference unpacker for these formats): it turns KF8
into an EPUB, and MOBI 6 into one HTML file with an NCX. Both are handed to the EPUB
loader, so chapters, contents, links, sanitising and images work as they do for EPUB.
A combined file holds MOBI 6 and KF8; the KF8 part is read, as it keeps the book's own
chapter files and styles.

Why this library, and why in a child process. Writing a KF8 reader (PalmDOC and HUFF/CDIC
decompression, skeleton and fragment tables, INDX records for the NCX) is thousands of
lines; KindleUnpack is the one maintained implementation. It is pure Python and fast on
real books (Pride and Prejudice: 0.27 s for MOBI 6, 0.37 s for AZW3, 0.59 s combined,
on this two-core machine; 0.12 s to import), but it writes files to disk and was written
for well-formed books: it reads records by offsets it trusts and cannot be interrupted
in a thread. So the headers are checked first (offsets rising and inside the file, DRM,
compression), then it runs in its own process (mobi_unpack) with a timeout, a memory cap
and a cap on file sizes, writing only into a private temporary directory that is removed
afterwards. Nothing is read back from that directory but the files KindleUnpack names
itself (book.html, toc.ncx, the EPUB), never a name taken from the book. Starting the
process costs about 0.15 s, paid once per book: the parse is cached.

In a frozen bundle there is no Python interpreter to start: the bundle's own executable is
started with the unpacker's flag, and packaging/launcher.py hands it to this same child.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from reader_app.core.book import BookFormat
from reader_app.core.errors import BookError, UnsafeBookError
from reader_app.core.files import read_regular
from reader_app.core.loaders.epub import load_epub
from reader_app.core.loaders.mobi7 import mobi6_epub
from reader_app.core.loaders.mobi_header import read_info
from reader_app.core.loaders.mobi_unpack import EXIT_MEMORY, EXIT_OK, UNPACK_FLAG

if TYPE_CHECKING:
    from reader_app.core.loaders.content import BookContent
    from reader_app.core.loaders.mobi_header import MobiInfo

# Seconds for the unpacker: a novel takes under one; a hostile file that loops is stopped
# after this. The allowance grows with the file (real books take 0.7 s per MB of
# compressed text, far less for images), up to a minute.
BASE_SECONDS = 3.0
SECONDS_PER_MB = 2.0
MAX_SECONDS = 60.0
# Files read back from the unpacker: the EPUB it built, or the MOBI 6 text as HTML.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
_NCX_BYTES = 16 * 1024 * 1024


def load_mobi(path: Path, data: bytes) -> BookContent:
    """Read a MOBI 6, AZW3 or combined book (the bytes of ``path``) into chapters.

    Raises:
        BookError: not a Kindle book, damaged, protected by DRM, or too large.
    """
    info = read_info(data, path.name)
    with tempfile.TemporaryDirectory(prefix="tone-reader-mobi-") as tmp:
        book = Path(tmp) / ("book.azw3" if info.is_kf8 else "book.mobi")
        book.write_bytes(data)
        out = Path(tmp) / "out"
        _unpack(book, out, path.name, len(data))
        book.unlink()
        content = _kf8(path, out) if info.is_kf8 else _mobi6(path, out, info)
    return dataclasses.replace(
        content,
        title=info.title or content.title,
        # calibre names an unnamed author "Unknown"; it is no author.
        authors=info.authors or tuple(a for a in content.authors if a != "Unknown"),
        language=info.language or content.language,
        format=BookFormat.AZW3 if info.is_kf8 else BookFormat.MOBI,
    )


def _unpack(book: Path, out: Path, name: str, size: int) -> None:
    # -I: the interpreter's own packages only (no PYTHONPATH, user site or current folder).
    # A frozen bundle has no interpreter to start: its own executable takes the unpacker's
    # flag as its first argument instead (packaging/launcher.py).
    if getattr(sys, "frozen", False):
        command = [sys.executable, UNPACK_FLAG, str(book), str(out)]
    else:
        command = [sys.executable, "-I", "-m", "reader_app.core.loaders.mobi_unpack"]
        command += [str(book), str(out)]
    timeout = min(BASE_SECONDS + SECONDS_PER_MB * size / 2**20, MAX_SECONDS)
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=book.parent,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UnsafeBookError(
            f"“{name}” could not be unpacked in {timeout:.0f} seconds; it may be damaged."
        ) from None
    except OSError as exc:
        raise BookError(f"“{name}” could not be unpacked: {exc.strerror or exc}.") from exc
    # Killed for writing a file over its cap, or for its CPU time: a book too large.
    if done.returncode in (EXIT_MEMORY, -signal.SIGXFSZ, -signal.SIGXCPU):
        raise UnsafeBookError(f"“{name}” is too large to open.")
    if done.returncode != EXIT_OK:
        raise _damaged(name)


def _damaged(name: str) -> BookError:
    return BookError(f"“{name}” is damaged: its text could not be unpacked.")


def _kf8(path: Path, out: Path) -> BookContent:
    epub = out / "mobi8" / "book.epub"
    if not epub.is_file():
        raise _damaged(path.name)
    return load_epub(path, _read(epub, path.name))


def _mobi6(path: Path, out: Path, info: MobiInfo) -> BookContent:
    folder = out / "mobi7"
    book_html = folder / "book.html"
    if not book_html.is_file():
        raise _damaged(path.name)
    ncx = folder / "toc.ncx"
    images = folder / "Images"
    epub = mobi6_epub(
        _read(book_html, path.name),
        _read(ncx, path.name, _NCX_BYTES) if ncx.is_file() else b"",
        sorted(os.listdir(images)) if images.is_dir() else [],
        info.title or path.stem,
    )
    return load_epub(path, epub)


def _read(file: Path, name: str, limit: int = MAX_UNPACKED_BYTES) -> bytes:
    try:
        return read_regular(file, limit, BookError, what="unpacked book")
    except BookError as exc:
        raise UnsafeBookError(f"“{name}” is too large to open.") from exc

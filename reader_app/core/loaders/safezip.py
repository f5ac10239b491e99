"""Read EPUB archives without trusting them.

An EPUB is a zip made by someone else. Limits on entry count, sizes and compression
ratio stop zip bombs; names that climb out of the archive are refused; every read is
capped even when the archive lies about an entry's size.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from typing import BinaryIO

from reader_app.core.errors import BookError, UnsafeBookError
from reader_app.core.loaders.limits import MAX_UNPACKED_BYTES, inner_name

MAX_ENTRIES = 10_000
MAX_TOTAL_SIZE = 1024 * 1024 * 1024  # what all entries claim to unpack to
MAX_ENTRY_SIZE = 64 * 1024 * 1024  # one document or image
MAX_RATIO = 150  # real XHTML compresses 4–10×; bombs compress thousands of times
RATIO_FLOOR = 4 * 1024 * 1024  # small entries may compress well without harm


class SafeZip:
    """A read-only view of a zip archive with limits.

    The archive comes as bytes already read or as an open file, never as a path: a path
    would be opened again here, after the checks that it names a regular file.

    Attributes:
        names: entry names (as zipfile decodes them) mapped to their info.
        unpacked: bytes unpacked so far by :meth:`read`, all entries together.
    """

    def __init__(self, source: bytes | BinaryIO, name: str) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
        except (zipfile.BadZipFile, ValueError, EOFError) as exc:
            raise BookError(
                f"“{name}” is not a readable EPUB: the archive is damaged or incomplete."
            ) from exc
        except OSError as exc:
            raise BookError(f"“{name}” could not be read: {exc.strerror or exc}.") from exc
        self.unpacked = 0
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            self.close()
            raise UnsafeBookError(
                f"“{name}” holds {len(infos):,} files, more than a real book does;"
                " it was not opened."
            )
        total = 0
        self.names: dict[str, zipfile.ZipInfo] = {}
        self._folded: dict[str, str] = {}
        for info in infos:
            if _escapes(info.filename):
                self.close()
                raise UnsafeBookError(
                    f"“{name}” contains a file path that points outside the book;"
                    " it was not opened."
                )
            total += info.file_size
            if total > MAX_TOTAL_SIZE:
                self.close()
                raise UnsafeBookError(f"“{name}” unpacks to more than 1 GB; it was not opened.")
            if info.is_dir():
                continue
            self.names[info.filename] = info
            self._folded.setdefault(info.filename.casefold(), info.filename)

    def close(self) -> None:
        """Release the archive."""
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def find(self, name: str) -> str | None:
        """The archive's own spelling of ``name``, matched exactly or ignoring case."""
        if name in self.names:
            return name
        return self._folded.get(name.casefold())

    def read(self, name: str, limit: int = MAX_ENTRY_SIZE) -> bytes:
        """Read one entry, refusing bombs and entries larger than ``limit``."""
        info = self.names[name]
        # An entry may be named with blanks only: then no "()" in the messages below.
        inner = inner_name(name)
        shown = f"A file inside the book ({inner})" if inner else "A file inside the book"
        if info.file_size > limit:
            raise UnsafeBookError(f"{shown} is too large to open.")
        if (
            info.file_size > RATIO_FLOOR
            and info.compress_size > 0
            and info.file_size / info.compress_size > MAX_RATIO
        ):
            raise UnsafeBookError(
                f"{shown} is compressed suspiciously well (a “zip bomb”); it was not opened."
            )
        try:
            with self._zip.open(info) as stream:
                # Read one byte past the limit: the header may understate the real size.
                data = stream.read(limit + 1)
        # zipfile lets zlib's own error through when deflated data is corrupt.
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            ValueError,
            NotImplementedError,
        ) as exc:
            reason = f": {exc}" if str(exc).strip() else ""
            raise BookError(f"{shown} is damaged{reason}.") from exc
        except RuntimeError as exc:  # encrypted entries
            raise BookError(f"{shown} is encrypted.") from exc
        if len(data) > limit:
            raise UnsafeBookError(f"{shown} is too large to open.")
        self.unpacked += len(data)
        if self.unpacked > MAX_UNPACKED_BYTES:
            raise UnsafeBookError(
                f"The book unpacks to more than {MAX_UNPACKED_BYTES >> 20} MB of files"
                " (a chapter may be listed many times); it was not opened."
            )
        return data


def _escapes(name: str) -> bool:
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return True
    parts = name.replace("\\", "/").split("/")
    return ".." in parts


def resolve_href(base_dir: str, href: str) -> str | None:
    """Join an href to the directory of the document that holds it.

    Returns None when the result would leave the archive.
    """
    if not href:
        return None
    joined = posixpath.normpath(posixpath.join(base_dir, href)) if base_dir else href
    joined = posixpath.normpath(joined)
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    return joined

"""Hypothesis strategies that damage real files: byte edits, hostile fragments, bad zips.

Seeds come from the shared corpus, so every input starts close to a real book and the
mutations reach the parser's deeper paths instead of failing at the first byte.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path
from typing import Final, TypeVar

from hypothesis import strategies as st

T = TypeVar("T")

CORPUS: Final = Path(__file__).resolve().parents[3] / "shared" / "corpus"
BOOKS: Final = CORPUS / "books"
SAMPLES: Final = CORPUS / "epub-samples"

# Fragments that have broken readers elsewhere: entity expansion, external entities,
# deep nesting, scripts, NULs, invalid UTF-8, byte-order marks, odd declarations.
HOSTILE: Final[tuple[bytes, ...]] = (
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    b"<x>&d;&d;&d;&d;</x>",
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><p>&e;</p>',
    b"<div>" * 3000 + b"deep" + b"</div>" * 3000,
    b"<b><i>" * 500,
    b"<script>alert(1)</script>",
    b"<style>body{display:none}</style>",
    b"<img src='../../../../etc/passwd'/><a href='javascript:alert(1)'>x</a>",
    b"\x00",
    b"\x00" * 64,
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\x00\x00\xfe\xff",
    b"\xc3\x28\xa0\xa1\xed\xa0\x80\xf8\x88\x80\x80\x80",
    b'<?xml version="1.0" encoding="utf-16"?>',
    b'<?xml version="1.0" encoding="bogus-8"?>',
    b'<meta charset="x-no-such-charset">',
    b'<meta http-equiv="Content-Type" content="text/html; charset=utf-32">',
    b"<![CDATA[ ]]> ]]> <!-- -- --> <?pi ?>",
    b"&#0; &#xD800; &#99999999; &#x110000; &bogus; &",
    b"a" * 100_000,
    b"\r" * 2000 + b"\n\r" * 2000,
    "\u2028\u2029".encode() * 200,
    b"# " * 400 + b"\n" + b"> " * 400 + b"\n" + b"- " * 400,
    b"[x](javascript:alert(1)) ![i](file:///etc/passwd) <http://a>",
    b"CHAPTER I.\n\n\n\nCHAPTER II.\n\n\n\n" * 200,
    b"*** START OF THE PROJECT GUTENBERG EBOOK X ***\n*** END OF THE PROJECT GUTENBERG",
)


class Seeds(tuple[T, ...]):
    """Seeds with a short repr, so Hypothesis does not print whole books in reports."""

    def __repr__(self) -> str:
        return f"<{len(self)} seeds>"


def seed_bytes(path: Path, limit: int) -> bytes:
    """The start of a corpus file, kept small so each input parses in milliseconds."""
    with path.open("rb") as handle:
        return handle.read(limit)


@st.composite
def mutated(draw: st.DrawFn, seeds: tuple[bytes, ...], max_edits: int = 4) -> bytes:
    """A seed after a few random edits: flips, cuts, splices, hostile inserts."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, max_edits))):
        op = draw(st.sampled_from(("flip", "truncate", "splice", "hostile", "delete", "dup")))
        pos = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            i = min(pos, len(data) - 1)
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[pos:]
        elif op == "splice":
            other = draw(st.sampled_from(seeds))
            start = draw(st.integers(0, len(other)))
            data[pos:pos] = other[start : start + draw(st.integers(0, 4096))]
        elif op == "hostile":
            data[pos:pos] = draw(st.sampled_from(HOSTILE))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 256))]
        elif op == "dup":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 512))]
    if draw(st.booleans()):
        data[0:0] = draw(st.sampled_from((b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")))
    return bytes(data)


def generated_text(pieces: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[bytes]:
    """Text of format-specific pieces (or any characters), encoded as a book may be."""
    text = (
        st.lists(pieces, max_size=400).map("".join)
        if pieces is not None
        else st.text(max_size=2000)
    )
    return st.tuples(text, st.sampled_from(("utf-8", "utf-16", "latin-1", "cp1252"))).map(
        lambda pair: pair[0].encode(pair[1], errors="replace")
    )


def zip_members(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """Every entry of a seed EPUB, in order, with its bytes."""
    with zipfile.ZipFile(path) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


_TEXT_SUFFIXES: Final = (".xhtml", ".html", ".htm", ".opf", ".ncx", ".xml")


@st.composite
def rebuilt_epub(draw: st.DrawFn, seeds: tuple[list[tuple[zipfile.ZipInfo, bytes]], ...]) -> bytes:
    """A seed EPUB rebuilt with damaged members and hostile archive structure."""
    members = [(info.filename, data) for info, data in draw(st.sampled_from(seeds))]
    text_indexes = [i for i, (name, _) in enumerate(members) if name.endswith(_TEXT_SUFFIXES)]
    for _ in range(draw(st.integers(1, 3))):
        if not text_indexes:
            break
        i = draw(st.sampled_from(text_indexes))
        name, data = members[i]
        members[i] = (name, draw(mutated(Seeds((data,)))))
    names = [name for name, _ in members]
    extras = draw(
        st.lists(
            st.sampled_from(
                (
                    "drop-container",
                    "drop-opf",
                    "traversal",
                    "duplicate",
                    "bomb",
                    "encrypted",
                    "bad-method",
                    "drop-mimetype",
                    "wrong-mimetype",
                    "absolute",
                    "many-dirs",
                )
            ),
            max_size=2,
            unique=True,
        )
    )
    if "drop-container" in extras:
        members = [(n, d) for n, d in members if n != "META-INF/container.xml"]
    if "drop-opf" in extras:
        members = [(n, d) for n, d in members if not n.endswith(".opf")]
    if "drop-mimetype" in extras:
        members = [(n, d) for n, d in members if n != "mimetype"]
    if "wrong-mimetype" in extras:
        members = [(n, b"text/plain" if n == "mimetype" else d) for n, d in members]
    if "traversal" in extras:
        members.append(("../../evil.xhtml", b"<html/>"))
    if "absolute" in extras:
        members.append(("/etc/evil.xhtml", b"<html/>"))
    if "duplicate" in extras and names:
        target = draw(st.sampled_from(names))
        members.append((target, b"<html><body><p>second copy</p></body></html>"))
    if "many-dirs" in extras:
        members.extend((f"d{i}/", b"") for i in range(200))
    buffer = io.BytesIO()
    bomb = "bomb" in extras
    flag_entry = draw(st.sampled_from(names)) if names else ""
    # Duplicate entries are the point here; zipfile warns when writing them.
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as archive:
        warnings.simplefilter("ignore", UserWarning)
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            payload = data
            if bomb and name.endswith((".xhtml", ".html")):
                # A few MB of one byte behind a real name: large ratio, small file.
                payload = b"<p>" + b"A" * (8 * 1024 * 1024) + b"</p>"
                bomb = False
            if name.endswith("/"):
                archive.writestr(info, b"")
                continue
            archive.writestr(info, payload)
    raw = bytearray(buffer.getvalue())
    if "encrypted" in extras or "bad-method" in extras:
        # 99 is unknown; 12 and 14 (bzip2, LZMA) make other decompressors read deflate data.
        method = draw(st.sampled_from((99, 12, 14, 1)))
        raw = bytearray(_patch_entry(bytes(raw), flag_entry, extras, method))
    return bytes(raw)


def _patch_entry(raw: bytes, name: str, extras: list[str], method: int) -> bytes:
    """Set the encryption flag or another compression method on one entry, in both headers."""
    encoded = name.encode("utf-8")
    out = bytearray(raw)
    for signature, flag_at, method_at, name_at in (
        (b"PK\x03\x04", 6, 8, 30),
        (b"PK\x01\x02", 8, 10, 46),
    ):
        start = 0
        while (start := out.find(signature, start)) >= 0:
            if out[start + name_at : start + name_at + len(encoded)] == encoded:
                if "encrypted" in extras:
                    out[start + flag_at] |= 0x01
                if "bad-method" in extras:
                    out[start + method_at : start + method_at + 2] = method.to_bytes(2, "little")
            start += 4
    return bytes(out)

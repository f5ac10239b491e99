"""SVG images that refer to anything, or cost too much to draw, never reach the view."""

from __future__ import annotations

import gzip
import struct
import zlib
from typing import TYPE_CHECKING

import pytest

from reader_app.core.loaders import load_book
from reader_app.core.loaders.epub import SVG_NOTE
from reader_app.core.loaders.svg import image_is_safe, svg_is_safe
from tests.core.test_book_limits import build_epub
from tests.core.test_hostile_books import xhtml

if TYPE_CHECKING:
    from pathlib import Path

SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def use_bomb(levels: int = 30) -> bytes:
    """Each level draws the one below twice: 2**30 copies from 1.5 KB."""
    parts = [f'{SVG_HEAD} width="100" height="100"><defs><rect id="l0" width="1" height="1"/>']
    for n in range(1, levels + 1):
        parts.append(
            f'<g id="l{n}"><use xlink:href="#l{n - 1}"/><use xlink:href="#l{n - 1}" x="1"/></g>'
        )
    parts.append(f'</defs><use xlink:href="#l{levels}"/></svg>')
    return "".join(parts).encode()


def reading(target: str) -> bytes:
    return (
        f'{SVG_HEAD} width="10" height="10"><image xlink:href="{target}" width="10"'
        ' height="10"/></svg>'
    ).encode()


SAFE = f'{SVG_HEAD} width="40" height="20"><rect width="40" height="20" fill="#c33"/></svg>'


def png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0\xff\0\0")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "svg",
    [use_bomb(), reading("/etc/passwd"), reading("/dev/stdin"), reading("file:///etc/hostname")],
    ids=["use-bomb", "etc-passwd", "dev-stdin", "file-url"],
)
def test_referring_svg_images_are_replaced_by_their_alt_text(tmp_path: Path, svg: bytes) -> None:
    body = '<p>Before <img src="pic.svg" alt="a picture"/> after.</p>'
    path = build_epub(tmp_path / "svg.epub", [("c.xhtml", xhtml(body))], files={"pic.svg": svg})
    book = load_book(path)
    chapter = book.chapters[0]
    assert "res:" not in chapter.html
    assert chapter.text == "Before [a picture] after."
    assert book.read_resource("OEBPS/pic.svg") is None
    assert SVG_NOTE in book.warnings


def test_a_plain_svg_image_is_shown(tmp_path: Path) -> None:
    body = '<p><img src="pic.svg" alt="flag"/></p>'
    path = build_epub(
        tmp_path / "ok.epub", [("c.xhtml", xhtml(body))], files={"pic.svg": SAFE.encode()}
    )
    book = load_book(path)
    assert 'src="res:OEBPS/pic.svg"' in book.chapters[0].html
    assert book.read_resource("OEBPS/pic.svg") == SAFE.encode()
    assert SVG_NOTE not in book.warnings


def test_inline_svg_is_never_passed_on(tmp_path: Path) -> None:
    inline = (
        f'{SVG_HEAD}><defs><g id="a"><text>label</text></g></defs><use xlink:href="#a"/>'
        '<image xlink:href="/etc/hostname"/><image xlink:href="cover.png"/></svg>'
    )
    path = build_epub(
        tmp_path / "inline.epub",
        [("c.xhtml", xhtml(f"<p>Text</p><div>{inline}</div>"))],
        files={"cover.png": png()},
    )
    html = load_book(path).chapters[0].html
    for banned in ("<svg", "<use", "xlink", "/etc/", "hostname"):
        assert banned not in html
    # The raster image inside the SVG is still shown, read from the book itself.
    assert 'src="res:OEBPS/cover.png"' in html


def test_an_svg_chapter_that_refers_to_files_shows_nothing(tmp_path: Path) -> None:
    path = build_epub(
        tmp_path / "spine-svg.epub",
        [("c.xhtml", xhtml("<p>Words.</p>"))],
        manifest_extra='<item id="s" href="pic.svg" media-type="image/svg+xml"/>',
        spine_extra='<itemref idref="s"/>',
        files={"pic.svg": reading("/dev/stdin")},
    )
    book = load_book(path)
    assert len(book.chapters) == 2
    assert book.chapters[1].html == ""
    assert book.read_resource("OEBPS/pic.svg") is None
    assert SVG_NOTE in book.warnings


@pytest.mark.parametrize(
    ("data", "safe"),
    [
        (png(), True),
        (SAFE.encode(), True),
        (use_bomb(), False),
        (use_bomb(2), False),
        (reading("/etc/passwd"), False),
        (gzip.compress(SAFE.encode()), False),  # svgz: Qt unpacks it and draws it
        (SAFE.replace("<rect", '<rect fill="u&#114;l(#x)"').encode(), False),
        (SAFE.replace("<rect", '<rect style="fill:\\75rl(#x)"').encode(), False),
        (SAFE.replace("<rect", '<rect x&#58;href="x"').encode(), False),
        (f'<!DOCTYPE svg [<!ENTITY e SYSTEM "/etc/passwd">]>{SAFE}'.encode(), False),
        (SAFE.replace('width="40"', 'width="200000"', 1).encode(), False),
        (f'{SVG_HEAD} viewBox="0 0 1e9 1e9"/>'.encode(), False),
        (SAFE.replace("<rect", "<rect/>" * 6000 + "<rect").encode(), False),
        (SAFE.encode("utf-16"), False),  # NUL bytes: a disguise for the byte checks
        (b"not an image at all", False),
    ],
)
def test_image_bytes_judged_before_qt_decodes_them(data: bytes, safe: bool) -> None:
    assert image_is_safe(data) is safe


def test_an_svg_over_the_size_limit_is_refused() -> None:
    padding = "<!--" + " " * (600 * 1024) + "-->"
    assert not svg_is_safe(SAFE.replace("<rect", padding + "<rect").encode())

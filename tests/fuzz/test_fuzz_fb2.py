"""Fuzz the FB2 loader: every input opens or gives a BookError, in time and memory.

Seeds are the FB2 test books (made from the corpus, see tests/data/fb2): damaged as raw
bytes, zipped after damage as ``.fb2.zip``, and written from FictionBook's own pieces.
Each book that opens has its pictures read again, as the view would.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader_app.core.errors import BookError
from reader_app.core.loaders import load_book
from tests.fuzz.harness import assert_rss_bounded, run_bounded
from tests.fuzz.mutations import Seeds, generated_text, mutated
from tests.fuzz.test_fuzz_loaders import fuzz_settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from reader_app.core.book import Book

FB2 = Path(__file__).resolve().parents[1] / "data" / "fb2"
_RES = re.compile(r'src="res:([^"]+)"')


def _novel_start() -> bytes:
    # The start of the novel up to a paragraph's end, closed again: small enough that
    # each input parses in milliseconds, with calibre's real markup.
    data = (FB2 / "pride-and-prejudice_calibre.fb2").read_bytes()
    cut = data.index(b"</p>", 20_000) + 4
    return data[:cut] + b"</section></body></FictionBook>"


FB2_SEEDS = Seeds(
    (
        (FB2 / "russian-library.fb2").read_bytes(),
        (FB2 / "russian-library-koi8.fb2").read_bytes(),
        (FB2 / "no-namespace.fb2").read_bytes(),
        (FB2 / "bad-base64.fb2").read_bytes(),
        _novel_start(),
    )
)

FB2_ALPHABET = st.sampled_from(
    [
        '<?xml version="1.0" encoding="windows-1251"?>',
        '<?xml version="1.0" encoding="koi8-r"?>',
        '<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0"'
        ' xmlns:l="http://www.w3.org/1999/xlink">',
        "</FictionBook>",
        "<body>",
        '<body name="notes">',
        "</body>",
        "<section>",
        '<section id="n1">',
        "</section>",
        "<title><p>Глава</p></title>",
        "<p>",
        "</p>",
        "<poem><stanza><v>строка</v></stanza></poem>",
        "<epigraph>",
        "</epigraph>",
        "<cite>",
        "</cite>",
        "<empty-line/>",
        "<subtitle>*</subtitle>",
        '<a l:href="#n1" type="note">[1]</a>',
        '<a l:href="#missing">x</a>',
        '<image l:href="#i.png"/>',
        '<binary id="i.png" content-type="image/png">iVBORw0KGgo=</binary>',
        '<binary id="i.png" content-type="image/png">@@@</binary>',
        "<strong>",
        "</strong>",
        "<emphasis>",
        "</emphasis>",
        "<table><tr><td>",
        "word ",
        "слово ",
        "&amp;",
        "\x00",
        "<!DOCTYPE FictionBook>",
    ]
)


def _zipped(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("book.fb2", data)
    return out.getvalue()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("fuzz-fb2")
    assert_rss_bounded()


def _open_and_draw(path: Path) -> Book:
    book = load_book(path)
    if book.read_resource is not None:
        for chapter in book.chapters:
            for name in _RES.findall(chapter.html):
                book.read_resource(name)
    return book


def _load(workdir: Path, data: bytes, suffix: str) -> None:
    path = workdir / f"book{suffix}"
    path.write_bytes(data)
    book = run_bounded("fb2", lambda: _open_and_draw(path), (BookError,), data, suffix)
    if book is not None:
        assert any(chapter.text.strip() for chapter in book.chapters)


@fuzz_settings(600)
@given(data=mutated(FB2_SEEDS))
def test_fb2_mutated(workdir: Path, data: bytes) -> None:
    _load(workdir, data, ".fb2")


@fuzz_settings(200)
@given(data=mutated(FB2_SEEDS, max_edits=2).map(_zipped))
def test_fb2_zip_mutated(workdir: Path, data: bytes) -> None:
    _load(workdir, data, ".fb2.zip")


@fuzz_settings(400)
@given(data=generated_text(FB2_ALPHABET))
def test_fb2_generated(workdir: Path, data: bytes) -> None:
    _load(workdir, data, ".fb2")

"""Damaged and hostile FB2 files: one human line, or opened leniently, always quickly."""

from __future__ import annotations

import base64
import time
import zipfile
from pathlib import Path

import pytest

from reader_app.core.errors import BookError, UnsafeBookError
from reader_app.core.loaders import load_book
from reader_app.core.loaders.fb2 import TRUNCATED_NOTE
from reader_app.core.loaders.xmlsafe import DEEP_NOTE

FB2 = Path(__file__).resolve().parents[1] / "data" / "fb2"
HEAD = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<FictionBook'
    b' xmlns="http://www.gribuser.ru/xml/fictionbook/2.0"'
    b' xmlns:l="http://www.w3.org/1999/xlink"><body>'
)
TAIL = b"</body></FictionBook>"


def refused(path: Path) -> BookError:
    start = time.perf_counter()
    with pytest.raises(BookError) as caught:
        load_book(path)
    assert time.perf_counter() - start < 5
    message = str(caught.value)
    assert "\n" not in message
    assert "Traceback" not in message
    assert path.name in message or "A file inside the book" in message
    return caught.value


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("entities.fb2", "declares XML entities"),
        ("external-entity.fb2", "declares XML entities"),
        ("zip-bomb.fb2.zip", "zip bomb"),
        ("not-fictionbook.fb2", "not an FB2 book"),
    ],
)
def test_hostile_fixtures_are_refused_in_one_line(name: str, words: str) -> None:
    assert words in str(refused(FB2 / name))


def test_a_remote_dtd_is_not_fetched() -> None:
    start = time.perf_counter()
    book = load_book(FB2 / "external-dtd.fb2")  # names http://127.0.0.1:9/…: nothing listens
    assert time.perf_counter() - start < 2
    assert book.chapters[0].text == "Only\nThe text is here."


def test_a_cut_file_opens_with_what_it_has() -> None:
    book = load_book(FB2 / "truncated.fb2")
    assert TRUNCATED_NOTE in book.warnings
    assert "Я помню чудное мгновенье" in "".join(c.text for c in book.chapters)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_deep_sections_are_flattened_not_lost(tmp_path: Path) -> None:
    data = HEAD + b"<section><title><p>T</p></title>" * 5000 + b"<p>deep words</p>"
    data += b"</section>" * 5000 + TAIL
    start = time.perf_counter()
    book = load_book(_write(tmp_path, "deep.fb2", data))
    assert time.perf_counter() - start < 5
    assert DEEP_NOTE in book.warnings
    assert "deep words" in "".join(c.text for c in book.chapters)


def test_deep_inline_markup(tmp_path: Path) -> None:
    data = HEAD + b"<section><p>" + b"<emphasis>" * 20000 + b"x" + b"</emphasis>" * 20000
    data += b"</p></section>" + TAIL
    book = load_book(_write(tmp_path, "deep-inline.fb2", data))
    assert "x" in book.chapters[0].text


def test_huge_tree_is_refused(tmp_path: Path) -> None:
    data = HEAD + b"<section><p>a</p>" + b"<empty-line/>" * 600_000 + b"</section>" + TAIL
    assert isinstance(refused(_write(tmp_path, "huge-tree.fb2", data)), UnsafeBookError)


def test_a_paragraph_over_the_parsers_limit_is_refused(tmp_path: Path) -> None:
    data = HEAD + b"<section><p>" + b"word " * 2_200_000 + b"</p></section>" + TAIL
    assert "too long" in str(refused(_write(tmp_path, "long.fb2", data)))


def test_a_picture_larger_than_a_text_node_may_be(tmp_path: Path) -> None:
    # 12 MB of base64 in one <binary>: libxml2 would refuse it as text; it is cut out first.
    image = b"\xff\xd8\xff" + bytes(9_000_000)
    data = HEAD + b'<section><p>pic <image l:href="#big"/></p></section></body>'
    data += b'<binary id="big" content-type="image/jpeg">' + base64.encodebytes(image)
    data += b"</binary></FictionBook>"
    book = load_book(_write(tmp_path, "big.fb2", data))
    assert book.read_resource is not None
    assert book.read_resource("big") == image


def test_many_sections_stay_within_the_limits(tmp_path: Path) -> None:
    sections = b"".join(
        b"<section><title><p>S%d</p></title><p>t</p></section>" % i for i in range(20_000)
    )
    start = time.perf_counter()
    book = load_book(_write(tmp_path, "many.fb2", HEAD + sections + TAIL))
    assert time.perf_counter() - start < 5
    assert sum(1 for top in book.toc for _ in top.walk()) <= 2000
    assert len(book.chapters) <= 5000


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00" * 300,
        b"<FictionBook",
        HEAD + TAIL,
        HEAD + b"<section><title><p>\xc2\xa0</p></title><empty-line/></section>" + TAIL,
        b"\xef\xbb\xbf<FictionBook><body><section><p>\xc3\x28</p></section></body></FictionBook>",
    ],
)
def test_damaged_files_give_one_line(tmp_path: Path, data: bytes) -> None:
    refused(_write(tmp_path, "damaged.fb2", data))


def test_a_zip_without_an_fb2_inside(tmp_path: Path) -> None:
    path = tmp_path / "empty.fb2.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "no book here")
    assert "no FB2 book inside" in str(refused(path))


def test_a_zip_that_climbs_out_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "escape.fb2.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../../book.fb2", (FB2 / "no-namespace.fb2").read_bytes())
    assert isinstance(refused(path), UnsafeBookError)


def test_unknown_declared_encoding_falls_back_to_detection(tmp_path: Path) -> None:
    text = "<FictionBook><body><section><p>Привет, мир. Это проверка кодировки текста.</p>"
    text += "</section></body></FictionBook>"
    data = b'<?xml version="1.0" encoding="no-such-8"?>' + text.encode("cp1251")
    book = load_book(_write(tmp_path, "odd.fb2", data))
    assert "Привет, мир." in book.chapters[0].text
    assert any("no-such-8" in w for w in book.warnings)

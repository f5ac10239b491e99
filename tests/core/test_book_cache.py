"""Parsed books come back from the cache identical, and a bad cache is only a miss."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader_app.core.book_cache import PARSER_VERSION, BookCache
from reader_app.core.loaders import load_book

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@pytest.mark.parametrize(
    "name",
    ["books/moby-dick_idpf_epub3.epub", "books/war-and-peace_pg2600_utf8-bom.txt",
     "epub-samples/idpf-cole-voyage-of-life.epub"],
)  # fmt: skip
def test_cached_book_equals_parsed_book(tmp_path: Path, name: str) -> None:
    cache = BookCache(tmp_path / "cache")
    parsed = load_book(CORPUS / name, cache)
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1
    cached = load_book(CORPUS / name, cache)
    assert cached.chapters == parsed.chapters
    assert cached.toc == parsed.toc
    assert (cached.title, cached.authors, cached.format) == (
        parsed.title,
        parsed.authors,
        parsed.format,
    )
    images = [
        c.html.split('src="res:')[1].split('"')[0] for c in parsed.chapters if 'src="res:' in c.html
    ]
    if images:
        assert cached.read_resource(images[0]) == parsed.read_resource(images[0])
        assert cached.read_resource(images[0]) is not None


def test_moved_file_keeps_identity_and_new_path(tmp_path: Path) -> None:
    cache = BookCache(tmp_path / "cache")
    original = CORPUS / "books" / "frankenstein_pg84_ascii.txt"
    first = load_book(original, cache)
    moved = tmp_path / "renamed.txt"
    moved.write_bytes(original.read_bytes())
    second = load_book(moved, cache)
    assert second.book_id == first.book_id
    assert second.path == str(moved)


def test_damaged_or_stale_entries_are_misses(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    cache = BookCache(folder)
    book = load_book(CORPUS / "books" / "die-verwandlung_pg22367_latin1_de.txt", cache)
    entry = folder / f"{book.book_id}.json"
    entry.write_text("{not json", encoding="utf-8")
    assert cache.get(book.book_id, Path(book.path)) is None
    again = load_book(book.path, cache)  # parsed afresh and cached again
    assert again.chapters == book.chapters
    header, *chapters = entry.read_text("utf-8").splitlines()
    assert len(chapters) == len(book.chapters)  # a header, then a line per chapter
    data = json.loads(header)
    data["version"] = PARSER_VERSION + 1
    entry.write_text("\n".join([json.dumps(data), *chapters]), encoding="utf-8")
    assert cache.get(book.book_id, Path(book.path)) is None
    # An entry cut short (a full disk, a killed process) is a miss too.
    data["version"] = PARSER_VERSION
    entry.write_text("\n".join([json.dumps(data), *chapters[:-1]]), encoding="utf-8")
    assert cache.get(book.book_id, Path(book.path)) is None
    entry.write_text("\n".join([json.dumps(data), *chapters]), encoding="utf-8")
    assert cache.get(book.book_id, Path(book.path)) is not None


def test_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    book = load_book(CORPUS / "books" / "frankenstein_pg84_ascii.txt", BookCache(blocker))
    assert book.title == "Frankenstein"

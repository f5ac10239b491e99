"""Plain-text chapters match the hand-checked lists of real Project Gutenberg books.

``books-extra/truth.json`` in the shared corpus gives, for each book, its parts, its
chapters (or scenes, letters, poems) and its first three headings as they stand in the
file. The loader must find exactly those, with no rule written for any one book.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from reader_app.core.loaders import load_book
from reader_app.core.loaders.encoding import decode_text
from reader_app.core.loaders.plaintext import read_plain_text

if TYPE_CHECKING:
    from reader_app.core.book import Book

# tests/core/test_text_chapters.py -> parents[3] holds the repository and shared/.
EXTRA = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "books-extra"


def _truth() -> list[dict[str, Any]]:
    path = EXTRA / "truth.json"
    if not path.is_file():
        pytest.fail(f"the chapter ground truth is missing: expected it at {path}")
    books: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return books


TRUTH = {book["file"]: book for book in _truth()}


def _lines(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


@cache
def _headings(name: str) -> tuple[list[int], list[str]]:
    """Every heading's level in the contents tree and its text, in reading order."""
    path = EXTRA / name
    text = decode_text(path.read_bytes(), path.name)[0]
    blocks = read_plain_text(text, path.stem).blocks
    found = [(b.toc_level or 0, _lines(b.plain())) for b in blocks if b.toc_level is not None]
    return [level for level, _ in found], [title for _, title in found]


def test_every_book_of_the_ground_truth_is_there() -> None:
    names = sorted(p.name for p in EXTRA.glob("*.txt"))
    assert names == sorted(TRUTH)
    assert len(names) == 16


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_parts_and_chapters_match_the_hand_checked_list(name: str) -> None:
    truth = TRUTH[name]
    levels, titles = _headings(name)
    deepest = max(levels, default=0)
    chapters = [t for level, t in zip(levels, titles, strict=True) if level == deepest and level]
    parts = [t for level, t in zip(levels, titles, strict=True) if level == 1 and deepest > 1]
    assert (len(parts), len(chapters)) == (truth["parts"], truth["chapters"])
    assert chapters[:3] == [_lines(h) for h in truth["first_headings"]]


@pytest.fixture(scope="module")
def karamazov() -> Book:
    return load_book(EXTRA / "the-brothers-karamazov_pg28054_utf8.txt")


def test_three_levels_in_the_contents(karamazov: Book) -> None:
    parts = [e for e in karamazov.toc if e.children]
    assert [e.title for e in parts] == ["PART I", "PART II", "PART III", "PART IV", "EPILOGUE"]
    books = parts[0].children
    assert books[0].title == "Book I. The History Of A Family"
    assert books[0].children[0].title == "Chapter I. Fyodor Pavlovitch Karamazov"
    assert len(parts[-1].children) == 3  # the epilogue's chapters, with no book
    first = books[0].children[0]
    assert (
        karamazov.chapters[first.chapter]
        .text[first.offset :]
        .startswith("Chapter I. Fyodor Pavlovitch Karamazov\n")
    )
    # The contents list at the top is text, not headings.
    assert "CONTENTS" in karamazov.chapters[0].text


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("anna-karenina_pg1399_utf8-bom.txt", 8),
        ("madame-bovary_pg14155_latin1_fr.txt", 3),
        ("romeo-and-juliet_pg1513_utf8.txt", 5),
        ("treasure-island_pg120_utf8-bom.txt", 6),
        ("leaves-of-grass_pg1322_ascii.txt", 35),
        ("little-women_pg514_latin1.txt", 2),
    ],
)
def test_parts_hold_their_chapters_in_the_contents_tree(name: str, parts: int) -> None:
    book = load_book(EXTRA / name)
    holding = [e for e in book.toc if e.children]
    assert len(holding) == parts
    leaves = sum(len(e.children) for e in holding)
    assert leaves == TRUTH[name]["chapters"]
    # Every chapter opens at its heading.
    for part in holding:
        for entry in part.children:
            text = book.chapters[entry.chapter].text[entry.offset :]
            assert text.startswith(entry.title.split(" ")[0]), entry.title


def test_a_part_named_only_in_the_contents_is_found_in_the_text() -> None:
    # The contents list PART 1 and PART 2; the text heads part 2 "LITTLE WOMEN PART 2".
    book = load_book(EXTRA / "little-women_pg514_latin1.txt")
    parts = [e for e in book.toc if e.children]
    assert [(e.title, len(e.children)) for e in parts] == [
        ("PART 1", 23),
        ("LITTLE WOMEN PART 2", 24),
    ]
    assert parts[1].children[0].title == "CHAPTER TWENTY-FOUR GOSSIP"

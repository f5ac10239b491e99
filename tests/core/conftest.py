"""Fixtures for the core tests: real books from the shared corpus, split into chapters."""

from __future__ import annotations

from pathlib import Path

import pytest

# tests/core/conftest.py -> parents[3] is the directory that holds the repository and shared/.
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "books"


def read_corpus_book(name: str, encoding: str) -> str:
    """Read a corpus book; a missing corpus fails the test (the suite needs it)."""
    path = CORPUS / name
    if not path.is_file():
        pytest.fail(f"corpus book {name} not available")
    return path.read_text(encoding=encoding)


def split_chapters(text: str, count: int) -> list[str]:
    """Cut ``text`` into about ``count`` fake chapters at paragraph breaks, losing nothing."""
    size = max(1, len(text) // count)
    chapters: list[str] = []
    start = 0
    while start < len(text):
        cut = text.find("\n\n", start + size)
        end = len(text) if cut < 0 else cut + 2
        chapters.append(text[start:end])
        start = end
    return chapters


@pytest.fixture(scope="session")
def war_and_peace() -> list[str]:
    """War and Peace (UTF-8 with BOM, 3.3 MB) as about 365 chapters."""
    text = read_corpus_book("war-and-peace_pg2600_utf8-bom.txt", "utf-8-sig")
    return split_chapters(text, 365)


@pytest.fixture(scope="session")
def verwandlung() -> list[str]:
    """Kafka's Die Verwandlung (Latin-1, German) as about 20 chapters."""
    text = read_corpus_book("die-verwandlung_pg22367_latin1_de.txt", "latin-1")
    return split_chapters(text, 20)

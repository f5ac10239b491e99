"""Fuzz the book loaders: every input opens or gives a BookError, in time and memory.

Seeds are real corpus files. EPUBs are damaged twice over: as raw bytes, and member by
member with the archive rebuilt around a mutated XHTML, OPF or NCX.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader_app.core.errors import BookError
from reader_app.core.loaders import load_book
from tests.fuzz.harness import assert_rss_bounded, run_bounded
from tests.fuzz.mutations import (
    BOOKS,
    SAMPLES,
    Seeds,
    generated_text,
    mutated,
    rebuilt_epub,
    seed_bytes,
    zip_members,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# Small EPUBs keep each input in the millisecond range; the large books add nothing a
# mutation of a small one does not reach.
EPUB_SEEDS = Seeds(
    (SAMPLES / name).read_bytes()
    for name in (
        "epubcheck-epub2-minimal-valid.epub",
        "epubcheck-epub3-minimal-valid.epub",
        "epubcheck-filename-utf8-valid.epub",
        "idpf-hefty-water.epub",
        "broken/epubcheck-mimetype-missing-error.epub",
        "broken/epubcheck-filename-not-utf8-error.epub",
        "broken/epubcheck-package-document-missing-fatal.epub",
    )
)
EPUB_MEMBER_SEEDS = Seeds(
    zip_members(SAMPLES / name)
    for name in (
        "epubcheck-epub2-minimal-valid.epub",
        "epubcheck-epub3-minimal-valid.epub",
        "idpf-hefty-water.epub",
        "idpf-wasteland.epub",
    )
)
TEXT_SEEDS = Seeds(
    seed_bytes(BOOKS / name, 12_000)
    for name in (
        "lyrical-ballads-1798_pg9622_latin1.txt",
        "pride-and-prejudice_pg1342_utf8-bom.txt",
        "frankenstein_pg84_ascii.txt",
        "die-verwandlung_pg22367_latin1_de.txt",
    )
)
HTML_SEEDS = Seeds((seed_bytes(BOOKS / "lyrical-ballads-1798_pg9622_latin1.html", 16_000),))
MD_SEEDS = Seeds((seed_bytes(BOOKS / "songs-of-innocence-and-of-experience_blake.md", 12_000),))

HTML_ALPHABET = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<h1>",
        "</h1>",
        "<div>",
        "</div>",
        "<br/>",
        "<a href='#x'>",
        "</a>",
        "&amp;",
        "<img src='a.png'>",
        "<table><tr><td>",
        "<script>",
        "</script>",
        "<pre>",
        "\n",
        " ",
        "é",
        "<meta charset='latin-1'>",
        "<title>",
        "</title>",
        "<!--",
        "-->",
        "word",
        "\x00",
        "&#0;",
    ]
)
MD_ALPHABET = st.sampled_from(
    [
        "# ",
        "## ",
        "### ",
        "\n",
        "\n\n",
        "-------",
        "> ",
        "- ",
        "1. ",
        "*",
        "_",
        "`",
        "```",
        "[a](#b)",
        "![i](x.png)",
        "<div>",
        "</div>",
        "<script>",
        "|a|b|\n|-|-|",
        "word ",
        "é",
        "Title: T\n",
        "Author: A\n",
        "\\",
        "<!--",
        "&",
        "\r",
        "\t",
    ]
)
TXT_ALPHABET = st.sampled_from(
    [
        "CHAPTER I.",
        "Chapter 2",
        "\n",
        "\r\n",
        "\n\n\n\n",
        "    ",
        "word ",
        "“",
        "”",
        "—",
        "é",
        "*** START OF THE PROJECT GUTENBERG EBOOK X ***",
        "Title: T",
        "Author: A",
        "\x00",
        "I.",
        "II.",
        "CONTENTS",
        "_",
        "*",
        "\ufeff",
        "\u2028",
        "\x0c",
    ]
)


def fuzz_settings(examples: int) -> settings:
    """Reproducible runs: a fixed derandomized seed and no example database."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("fuzz-books")
    assert_rss_bounded()


def _load(target: str, workdir: Path, data: bytes, suffix: str) -> None:
    path = workdir / f"book{suffix}"
    path.write_bytes(data)
    book = run_bounded(target, lambda: load_book(path), (BookError,), data, suffix)
    if book is not None:
        assert any(chapter.text.strip() for chapter in book.chapters)


@fuzz_settings(600)
@given(data=mutated(EPUB_SEEDS, max_edits=3))
def test_epub_bytes(workdir: Path, data: bytes) -> None:
    _load("epub-bytes", workdir, data, ".epub")


@fuzz_settings(600)
@given(data=rebuilt_epub(EPUB_MEMBER_SEEDS))
def test_epub_members(workdir: Path, data: bytes) -> None:
    _load("epub-members", workdir, data, ".epub")


@fuzz_settings(700)
@given(data=mutated(TEXT_SEEDS))
def test_txt_mutated(workdir: Path, data: bytes) -> None:
    _load("txt", workdir, data, ".txt")


@fuzz_settings(400)
@given(data=generated_text(TXT_ALPHABET) | generated_text())
def test_txt_generated(workdir: Path, data: bytes) -> None:
    _load("txt", workdir, data, ".txt")


@fuzz_settings(700)
@given(data=mutated(HTML_SEEDS))
def test_html_mutated(workdir: Path, data: bytes) -> None:
    _load("html", workdir, data, ".html")


@fuzz_settings(400)
@given(data=generated_text(HTML_ALPHABET) | generated_text())
def test_html_generated(workdir: Path, data: bytes) -> None:
    _load("html", workdir, data, ".html")


@fuzz_settings(700)
@given(data=mutated(MD_SEEDS))
def test_markdown_mutated(workdir: Path, data: bytes) -> None:
    _load("markdown", workdir, data, ".md")


@fuzz_settings(400)
@given(data=generated_text(MD_ALPHABET) | generated_text())
def test_markdown_generated(workdir: Path, data: bytes) -> None:
    _load("markdown", workdir, data, ".md")

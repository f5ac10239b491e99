"""Anchoring through the book's index: the same places as a scan, and the same every time."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

from benchmarks.clippings_corpus import Passage, make_passages
from reader_app.core.anchors import _INDEXED, AnchorResolver, Placement, TextAnchor, make_anchor

if TYPE_CHECKING:
    from collections.abc import Iterator


def scan_first(chapters: list[str], quote: str) -> Placement | None:
    """The first copy in reading order, found by scanning every chapter (the old way)."""
    for chapter, text in enumerate(chapters):
        start = text.find(quote)
        if start >= 0:
            return Placement(chapter, start, start + len(quote), exact=True)
    return None


def scan_all(text: str, needle: str) -> list[int]:
    found, position = [], text.find(needle)
    while position >= 0:
        found.append(position)
        position = text.find(needle, position + 1)
    return found


def place_all(resolver: AnchorResolver, passages: list[Passage]) -> list[Placement | None]:
    return [resolver.find_quote(p.quote) for p in passages]


def test_index_finds_what_a_scan_of_the_book_finds(war_and_peace: list[str]) -> None:
    passages = [p for p in make_passages(war_and_peace, 600, seed=3) if not p.edited]
    resolver = AnchorResolver(war_and_peace)
    for passage in passages:
        # Also the prefix of each passage, 15 to 40 characters: often found more than once.
        for quote in (passage.quote, passage.quote[: 15 + len(passage.quote) % 26]):
            assert resolver.find_quote(quote) == scan_first(war_and_peace, quote), quote


def test_every_copy_of_a_repeated_phrase_is_found(war_and_peace: list[str]) -> None:
    joined = "\x00".join(war_and_peace)
    resolver = AnchorResolver(war_and_peace)
    for phrase in ("said Prince Andrew", "Natásha Rostóva", "the Emperor Napoleon", "Moscow",
                   "said Prince Andrew to"):  # fmt: skip
        expected = scan_all(joined, phrase)
        assert expected, phrase
        if len(phrase) >= _INDEXED:
            found = resolver._indexed_occurrences(phrase, 0, len(expected) + 1)
            assert sorted(found) == expected, phrase
        # With a hint, the copy nearest the old place in that chapter wins, as before.
        chapter = max(range(len(war_and_peace)), key=lambda i: war_and_peace[i].count(phrase))
        copies = scan_all(war_and_peace[chapter], phrase)
        stale = copies[-1] + 3
        placed = resolver.resolve(TextAnchor(chapter, stale, stale + len(phrase), phrase, "", ""))
        assert placed == Placement(chapter, copies[-1], copies[-1] + len(phrase), True)


def test_edited_clippings_are_placed_where_they_came_from(war_and_peace: list[str]) -> None:
    passages = [p for p in make_passages(war_and_peace, 1000, seed=5) if p.edited]
    resolver = AnchorResolver(war_and_peace)
    close = 0
    for passage, placed in zip(passages, place_all(resolver, passages), strict=True):
        if placed is not None and placed.chapter == passage.chapter:
            close += abs(placed.start - passage.start) <= 2 and abs(placed.end - passage.end) <= 2
    assert close >= 0.95 * len(passages)


@contextmanager
def busy_cpu() -> Iterator[None]:
    """Another thread burning CPU, as a busy machine would: it takes the GIL and the core."""
    stop = threading.Event()

    def burn() -> None:
        total = 0
        while not stop.is_set():
            total += sum(i * i for i in range(2000))

    thread = threading.Thread(target=burn, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def test_the_same_quotes_are_placed_the_same_while_the_cpu_is_busy(
    war_and_peace: list[str],
) -> None:
    passages = make_passages(war_and_peace, 400, seed=7, edited_share=3)  # a third edited
    quiet = place_all(AnchorResolver(war_and_peace), passages)
    with busy_cpu():
        busy = place_all(AnchorResolver(war_and_peace), passages)
        again = place_all(AnchorResolver(war_and_peace), passages)
    assert busy == quiet
    assert again == quiet
    assert sum(p is not None for p in quiet) >= 0.98 * len(passages)


def test_reanchoring_moved_and_edited_passages_is_deterministic(war_and_peace: list[str]) -> None:
    # Each passage is edited and moved to another chapter: the slowest kind of search.
    anchors = [
        make_anchor(war_and_peace, c, 200, 320) for c in range(5, len(war_and_peace) - 5, 25)
    ]
    book = list(war_and_peace)
    for n, anchor in enumerate(anchors):
        text = book[anchor.chapter]
        book[anchor.chapter] = text[: anchor.start] + text[anchor.end :]
        target = (anchor.chapter + 100 + n) % len(book)
        edited = anchor.quote[:60] + "—revised—" + anchor.quote[64:]
        book[target] = book[target][:500] + edited + book[target][500:]
    quiet = [AnchorResolver(book).resolve(a) for a in anchors]
    with busy_cpu():
        busy = [AnchorResolver(book).resolve(a) for a in anchors]
    assert busy == quiet
    assert all(p is not None and not p.exact for p in quiet)


def test_an_anchor_without_context_at_a_stale_place_is_still_found(
    war_and_peace: list[str],
) -> None:
    # A clipping adopted from a placeholder book: no prefix, no suffix, no real position.
    quote = war_and_peace[40][300:420]
    edited = quote[:50] + quote[51:]
    placed = AnchorResolver(war_and_peace).resolve(TextAnchor(0, 0, 0, edited, "", ""))
    assert placed is not None
    assert (placed.chapter, placed.start) == (40, 300)


def test_a_fuzzily_placed_quote_holds_where_it_was_placed(war_and_peace: list[str]) -> None:
    quote = war_and_peace[12][1000:1150]
    edited = quote[:70] + "the" + quote[75:]
    resolver = AnchorResolver(war_and_peace)
    placed = resolver.find_quote(edited)
    assert placed is not None
    assert resolver.holds(TextAnchor(12, placed.start, placed.end, edited, "", ""))
    assert not resolver.holds(TextAnchor(12, placed.start + 400, placed.end + 400, edited, "", ""))

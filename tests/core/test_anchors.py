"""Highlight anchors: making them, and placing them again after the text changed."""

from __future__ import annotations

import pytest

from reader_app.core.anchors import (
    CONTEXT_CHARS,
    AnchorResolver,
    Placement,
    TextAnchor,
    find_quote,
    make_anchor,
    resolve_anchor,
)


def replaced(chapters: list[str], index: int, text: str) -> list[str]:
    changed = list(chapters)
    changed[index] = text
    return changed


def passage(chapters: list[str], chapter: int, needle: str, length: int) -> tuple[int, int]:
    start = chapters[chapter].index(needle)
    return start, start + length


# -- making anchors -----------------------------------------------------------------------


def test_make_anchor_takes_quote_and_context() -> None:
    text = "x" * 50 + "THE QUOTE" + "y" * 50
    anchor = make_anchor(["other", text], 1, 50, 59)
    assert anchor == TextAnchor(1, 50, 59, "THE QUOTE", "x" * 32, "y" * 32)
    assert CONTEXT_CHARS == 32


def test_make_anchor_context_stops_at_chapter_edges() -> None:
    anchor = make_anchor(["abcdef"], 0, 2, 4, context=10)
    assert (anchor.prefix, anchor.quote, anchor.suffix) == ("ab", "cd", "ef")
    assert make_anchor(["abcdef"], 0, 2, 4, context=0).prefix == ""


@pytest.mark.parametrize(
    ("chapter", "start", "end", "context"),
    [
        (-1, 0, 1, 32),
        (2, 0, 1, 32),
        (0, 3, 3, 32),
        (0, 4, 2, 32),
        (0, -1, 2, 32),
        (0, 0, 7, 32),
        (0, 0, 1, -1),
    ],
)
def test_make_anchor_rejects_bad_ranges(chapter: int, start: int, end: int, context: int) -> None:
    with pytest.raises(ValueError, match=r"chapter|range|context"):
        make_anchor(["abcdef", "ghi"], chapter, start, end, context)


# -- exact placement ----------------------------------------------------------------------


@pytest.mark.parametrize(("chapter", "start", "length"), [(0, 0, 5), (10, 100, 40), (364, 0, 1)])
def test_round_trip_on_unchanged_text(
    war_and_peace: list[str], chapter: int, start: int, length: int
) -> None:
    chapter = min(chapter, len(war_and_peace) - 1)
    anchor = make_anchor(war_and_peace, chapter, start, start + length)
    assert resolve_anchor(anchor, war_and_peace) == Placement(chapter, start, start + length, True)


def test_text_inserted_before_the_passage(war_and_peace: list[str]) -> None:
    start, end = passage(war_and_peace, 100, " ", 150)
    anchor = make_anchor(war_and_peace, 100, start, end)
    extra = "A new foreword paragraph for the second edition.\n\n" * 20
    book = replaced(war_and_peace, 100, extra + war_and_peace[100])
    assert resolve_anchor(anchor, book) == Placement(
        100, start + len(extra), end + len(extra), True
    )


def test_passage_moved_to_another_chapter(war_and_peace: list[str]) -> None:
    start, end = passage(war_and_peace, 50, "\n\n", 200)
    anchor = make_anchor(war_and_peace, 50, start, end)
    book = replaced(war_and_peace, 50, war_and_peace[50][:start] + war_and_peace[50][end:])
    book[200] = book[200][:300] + anchor.quote + book[200][300:]
    assert resolve_anchor(anchor, book) == Placement(200, 300, 300 + len(anchor.quote), True)


def test_book_lost_chapters_but_still_has_the_passage(war_and_peace: list[str]) -> None:
    last = len(war_and_peace) - 1
    anchor = make_anchor(war_and_peace, last, 10, 90)
    book = [*war_and_peace[:-3], war_and_peace[last]]
    assert resolve_anchor(anchor, book) == Placement(len(book) - 1, 10, 90, True)


def test_duplicates_are_told_apart_by_context() -> None:
    quote = "It was a dark and stormy night."
    gap = "filler text " * 20
    text = f"The first time. {quote} Then rain. {gap}The second time. {quote} Then snow. {gap}"
    first = text.index(quote)
    second = text.index(quote, first + 1)
    anchor = make_anchor([text], 0, second, second + len(quote))
    # Insert text in front so that the first copy now lies just past the old offset.
    edited = "x" * (second - first + 7) + text
    first_new, second_new = edited.index(quote), edited.rindex(quote)
    assert abs(first_new - second) < abs(second_new - second)
    assert resolve_anchor(anchor, [edited]) == Placement(
        0, second_new, second_new + len(quote), True
    )


def test_equal_context_prefers_the_nearest_copy_and_the_anchor_chapter() -> None:
    unit = "and so on, and so forth. "
    chapters = [unit * 40, unit * 40, unit * 40]
    anchor = TextAnchor(1, 503, 513, "so forth. ", "", "")  # stale offset, no context
    placed = resolve_anchor(anchor, chapters)
    assert placed is not None
    assert (placed.chapter, placed.exact) == (1, True)
    copies = [i for i in range(len(unit) * 40) if chapters[1].startswith("so forth. ", i)]
    assert placed.start == min(copies, key=lambda i: abs(i - 503)) == 515


# -- fuzzy placement ----------------------------------------------------------------------


def test_a_few_characters_of_the_quote_changed(war_and_peace: list[str]) -> None:
    start, end = passage(war_and_peace, 120, "\n\n", 180)
    anchor = make_anchor(war_and_peace, 120, start, end)
    quote = anchor.quote
    new_quote = quote[:50] + "XYZ" + quote[53:120] + quote[121:]  # three changed, one deleted
    text = war_and_peace[120]
    book = replaced(war_and_peace, 120, text[:start] + new_quote + text[end:])
    placed = resolve_anchor(anchor, book)
    assert placed == Placement(120, start, start + len(new_quote), exact=False)


def test_edited_passage_moved_to_another_chapter(war_and_peace: list[str]) -> None:
    start, end = passage(war_and_peace, 30, "\n\n", 120)
    anchor = make_anchor(war_and_peace, 30, start, end)
    new_quote = anchor.quote[:60] + "—revised—" + anchor.quote[64:]
    book = replaced(war_and_peace, 30, war_and_peace[30][:start] + war_and_peace[30][end:])
    book[250] = book[250][:777] + new_quote + book[250][777:]
    assert resolve_anchor(anchor, book) == Placement(250, 777, 777 + len(new_quote), False)


def test_edit_at_the_very_start_and_end_of_a_short_quote() -> None:
    text = "Some words before. The quick brown fox jumps over it. Some words after."
    start = text.index("The")
    end = text.index(" Some words after")
    anchor = make_anchor([text], 0, start, end)
    edited = text.replace(
        "The quick brown fox jumps over it.", "the quick brown fox jumps over it!"
    )
    placed = resolve_anchor(anchor, [edited])
    assert placed == Placement(0, start, end, exact=False)


def test_long_quote_with_edits_inside(war_and_peace: list[str]) -> None:
    text = war_and_peace[200]
    start, end = 100, min(len(text) - 100, 4100)
    anchor = make_anchor(war_and_peace, 200, start, end)
    middle = (start + end) // 2
    new_text = text[:middle] + "[an inserted editorial note]" + text[middle + 10 :]
    placed = resolve_anchor(anchor, replaced(war_and_peace, 200, "Preface.\n" + new_text))
    shift = len("Preface.\n")
    assert placed == Placement(200, start + shift, end + shift + 28 - 10, exact=False)


def test_latin1_kafka_reanchors_after_spelling_modernised(verwandlung: list[str]) -> None:
    chapter = next(i for i, t in enumerate(verwandlung) if "unruhigen Träumen" in t)
    start, end = passage(verwandlung, chapter, "Als Gregor Samsa", 200)
    anchor = make_anchor(verwandlung, chapter, start, end)
    assert "ungeheueren" in anchor.quote
    modern = anchor.quote.replace("ungeheueren", "ungeheuren").replace("daß", "dass")
    text = verwandlung[chapter]
    book = replaced(verwandlung, chapter, "Neues Vorwort.\n\n" + text[:start] + modern + text[end:])
    shift = len("Neues Vorwort.\n\n")
    placed = resolve_anchor(anchor, book)
    assert placed == Placement(chapter, start + shift, start + shift + len(modern), False)


# -- orphans ------------------------------------------------------------------------------


def test_quote_removed_is_orphaned(war_and_peace: list[str]) -> None:
    start, end = passage(war_and_peace, 77, "\n\n", 150)
    anchor = make_anchor(war_and_peace, 77, start, end)
    text = war_and_peace[77]
    assert resolve_anchor(anchor, replaced(war_and_peace, 77, text[:start] + text[end:])) is None


def test_quote_rewritten_beyond_recognition_is_orphaned() -> None:
    text = "Before the quote. " + "The rain in Spain stays mainly in the plain." + " After it."
    start = text.index("The rain")
    anchor = make_anchor([text], 0, start, start + 43)
    edited = text.replace(
        "The rain in Spain stays mainly in the plain.", "Snow fell on Oslo all day."
    )
    assert resolve_anchor(anchor, [edited]) is None


def test_short_quote_is_never_placed_fuzzily() -> None:
    anchor = make_anchor(["one cat here"], 0, 4, 7)
    assert resolve_anchor(anchor, ["one car here"]) is None


def test_nothing_to_resolve_against() -> None:
    anchor = TextAnchor(0, 0, 3, "abc", "", "")
    assert resolve_anchor(anchor, []) is None
    assert resolve_anchor(TextAnchor(0, 0, 0, "", "", ""), ["abc"]) is None


def test_garbage_offsets_do_not_crash() -> None:
    anchor = TextAnchor(0, -5, 10**9, "needle", "hay ", " stack")
    assert resolve_anchor(anchor, ["hay needle stack"]) == Placement(0, 4, 10, True)


# -- quotes without a position (Kindle clippings) ----------------------------------------


def test_find_quote_without_context_takes_the_first_copy() -> None:
    chapters = ["nothing", "a b a b", "a b"]
    assert find_quote(chapters, "a b") == Placement(1, 0, 3, True)
    assert find_quote(chapters, "a b", chapter_hint=2) == Placement(2, 0, 3, True)
    assert find_quote(chapters, "a b", chapter_hint=99) == Placement(1, 0, 3, True)
    assert find_quote(chapters, "") is None


def test_find_quote_uses_context_when_given() -> None:
    chapters = ["x said yes. y said yes."]
    assert find_quote(chapters, "said yes", prefix="y ") == Placement(0, 14, 22, True)


def test_find_quote_with_kindle_whitespace(war_and_peace: list[str]) -> None:
    start, end = passage(war_and_peace, 300, "\n", 200)
    original = war_and_peace[300][start:end]
    # Kindle collapses line breaks, and the clipping has no surrounding white space.
    start += len(original) - len(original.lstrip())
    end -= len(original) - len(original.rstrip())
    clipping = " ".join(original.split())
    assert "\n" in original.strip()
    placed = find_quote(war_and_peace, clipping)
    assert placed is not None
    assert (placed.chapter, placed.exact) == (300, False)
    assert abs(placed.start - start) <= 1
    assert abs(placed.end - end) <= 1


def test_resolver_reuse_gives_the_same_answers(war_and_peace: list[str]) -> None:
    resolver = AnchorResolver(war_and_peace)
    anchors = [make_anchor(war_and_peace, c, 20, 80) for c in range(0, 360, 40)]
    for anchor in anchors:
        assert resolver.resolve(anchor) == resolve_anchor(anchor, war_and_peace)
        assert resolver.find_quote(anchor.quote, anchor.prefix, anchor.suffix) == Placement(
            anchor.chapter, 20, 80, True
        )


# -- short quotes that also occur elsewhere ------------------------------------------------


def short_quote_book() -> tuple[list[str], TextAnchor]:
    chapters = [
        "Filler. " * 50
        + "At dawn the Cossacks rode by the river, singing loudly. "
        + "More. " * 50,
        "Filler. " * 60,
        "Filler. " * 60,
        "Later, far away, the Cossacks rode by again. " + "End. " * 20,
    ]
    start = chapters[0].index("Cossacks rode by")
    return chapters, make_anchor(chapters, 0, start, start + len("Cossacks rode by"))


def test_short_quote_edited_in_place_beats_an_exact_copy_elsewhere() -> None:
    chapters, anchor = short_quote_book()
    edited = replaced(chapters, 0, chapters[0].replace("Cossacks rode by", "Cossaks rode by"))
    placed = resolve_anchor(anchor, edited)
    assert placed == Placement(0, anchor.start, anchor.start + len("Cossaks rode by"), False)


def test_short_quote_gone_from_its_chapter_falls_back_to_the_exact_copy() -> None:
    chapters, anchor = short_quote_book()
    removed = replaced(chapters, 0, chapters[0].replace("the Cossacks rode by the river", "rain"))
    start = chapters[3].index("Cossacks rode by")
    assert resolve_anchor(anchor, removed) == Placement(3, start, start + 16, True)


def test_a_similar_sentence_nearby_does_not_capture_a_shifted_passage() -> None:
    quote = "Mary Hendríkhovna smiled at him"
    text = (
        "Opening. " * 10 + "Mary Hendríkhovna smiled at them, " + "Words. " * 70
        + "He turned; " + quote + " and left the room. " + "Closing. " * 10
    )  # fmt: skip
    start = text.index(quote)
    anchor = make_anchor([text], 0, start, start + len(quote))
    # After the new preface the look-alike sits near the old offset, the passage 600 further on.
    new_quote = quote.replace("smiled", "smild")
    edited = "A new preface. " * 40 + text.replace(quote, new_quote)
    new_start = edited.index(new_quote)
    assert abs(edited.index("smiled at them") - start) < 100 < new_start - start
    placed = resolve_anchor(anchor, [edited])
    assert placed == Placement(0, new_start, new_start + len(new_quote), False)

"""Full-text search: case, whole words, line breaks, limits, snippets and Unicode offsets."""

from __future__ import annotations

import dataclasses
import re

import pytest

from reader_app.core.search import SNIPPET_CONTEXT, _compile, _matches, search_book


def spans(chapters: list[str], query: str, **options: bool) -> list[tuple[int, int, int]]:
    hits, _ = search_book(chapters, query, **options)
    return [(h.chapter, h.start, h.end) for h in hits]


def test_case_insensitive_by_default_and_exact_with_match_case() -> None:
    chapters = ["The Prince spoke.", "a PRINCE and a prince"]
    assert spans(chapters, "prince") == [(0, 4, 10), (1, 2, 8), (1, 15, 21)]
    assert spans(chapters, "prince", match_case=True) == [(1, 15, 21)]
    assert spans(chapters, "Prince", match_case=True) == [(0, 4, 10)]


def test_whole_words() -> None:
    chapters = ["prince princess Prince_x princely (prince) prince's"]
    found = [chapters[0][s:e] for _, s, e in spans(chapters, "prince", whole_words=True)]
    assert found == ["prince", "prince", "prince"]
    assert len(spans(chapters, "prince")) == 6


def test_whole_words_with_punctuation_at_the_query_edge() -> None:
    # A boundary after "." would demand a word character next; only word edges get one.
    text = "Mr. Darcy and Mrs. Bennet; Mr.Collins"
    assert [text[s:e] for _, s, e in spans([text], "Mr.", whole_words=True)] == ["Mr.", "Mr."]
    assert spans([text], "Mr", whole_words=True) == [(0, 0, 2), (0, 27, 29)]


def test_whole_words_finds_a_match_overlapping_a_rejected_one() -> None:
    # "ab ab" first matches at 1, which follows "x" and is rejected; the valid one starts at 4.
    assert spans(["xab ab ab"], "ab ab", whole_words=True) == [(0, 4, 9)]


def test_query_matches_across_line_breaks_and_runs_of_spaces() -> None:
    text = "said Prince\nAndrew, and then prince  \n\t andrew again"
    found = spans([text], "prince andrew")
    assert [text[s:e] for _, s, e in found] == ["Prince\nAndrew", "prince  \n\t andrew"]
    assert spans([text], "  Prince    Andrew ") == found


def test_regex_characters_are_literal() -> None:
    text = "a (b+c)* d [x] e.f"
    assert spans([text], "(b+c)*") == [(0, 2, 8)]
    assert spans([text], "[x]") == [(0, 11, 14)]
    assert spans([text], "e.f") == [(0, 15, 18)]
    assert spans(["eXf"], "e.f") == []


@pytest.mark.parametrize("query", ["", " ", "\n\t  "])
def test_blank_query_finds_nothing(query: str) -> None:
    assert search_book(["some text"], query) == ([], 0)


def test_limit_caps_hits_but_not_the_total() -> None:
    chapters = ["la " * 30, "la " * 30]
    hits, total = search_book(chapters, "la", limit=10)
    assert (len(hits), total) == (10, 60)
    assert all(h.chapter == 0 for h in hits)
    hits, total = search_book(chapters, "la", limit=0)
    assert (hits, total) == ([], 60)


def test_negative_limit_is_an_error() -> None:
    with pytest.raises(ValueError, match="limit"):
        search_book(["x"], "x", limit=-1)


def test_matches_never_cross_chapters() -> None:
    assert spans(["ends with prince", "andrew starts"], "prince andrew") == []


def test_snippet_collapses_whitespace_and_locates_the_match() -> None:
    before = "word " * 20
    text = before + "Prince\n\nAndrew" + "\n  said  the other" * 5
    hit = search_book([text], "prince andrew")[0][0]
    assert hit.snippet[hit.snippet_start : hit.snippet_end] == "Prince Andrew"
    assert "\n" not in hit.snippet
    assert "  " not in hit.snippet
    # About SNIPPET_CONTEXT characters either side, trimmed to whole words.
    assert SNIPPET_CONTEXT - 15 <= hit.snippet_start <= SNIPPET_CONTEXT
    assert hit.snippet.startswith("word ")
    assert len(hit.snippet) - hit.snippet_end <= SNIPPET_CONTEXT


def test_snippet_at_chapter_edges() -> None:
    hit = search_book(["Gregor woke"], "gregor")[0][0]
    assert (hit.snippet, hit.snippet_start, hit.snippet_end) == ("Gregor woke", 0, 6)
    hit = search_book(["\n\n  it was Gregor\n"], "gregor")[0][0]
    assert (hit.snippet, hit.snippet_start, hit.snippet_end) == ("it was Gregor", 7, 13)


def test_offsets_stay_exact_after_characters_whose_lowercase_is_longer() -> None:
    # "İ".lower() is two code points; searching a lower-cased copy would shift these offsets.
    text = "İİİ İstanbul. Die Straße ist groß, STRASSE nicht."
    hits, total = search_book([text], "straße")
    assert total == 1
    assert text[hits[0].start : hits[0].end] == "Straße"
    assert hits[0].start == text.index("Straße")
    for hit in search_book([text], "i")[0]:
        assert text[hit.start : hit.end] in {"i", "İ"}
    found = [text[s:e] for _, s, e in spans([text], "istanbul")]
    assert found == ["İstanbul"]


def test_hit_text_equals_the_matched_text_for_varied_unicode() -> None:
    text = "ǅemal, ǆ, Σίσυφος ΣΊΣΥΦΟΣ, ﬁne fine, Ꭰ ꭰ, 😀 after emoji"
    for query in ["σίσυφος", "ǆ", "ꭰ", "after", "fine"]:
        for chapter, start, end in spans([text], query):
            assert chapter == 0
            assert text[start:end].casefold() == query.casefold()


def test_war_and_peace(war_and_peace: list[str]) -> None:
    whole = "".join(war_and_peace)
    hits, total = search_book(war_and_peace, "prince")
    assert total == len(re.findall("prince", whole, re.IGNORECASE))
    assert total > 2000
    assert len(hits) == total
    order = [(h.chapter, h.start) for h in hits]
    assert order == sorted(order)
    for hit in hits[::97]:
        assert war_and_peace[hit.chapter][hit.start : hit.end].lower() == "prince"
        assert hit.snippet[hit.snippet_start : hit.snippet_end].lower() == "prince"

    words = search_book(war_and_peace, "prince", whole_words=True)[1]
    assert words == len(re.findall(r"\bprince\b", whole, re.IGNORECASE))
    assert words < total  # "princess" no longer counts

    # "Prince Andrew" is often broken across lines in the Gutenberg text.
    phrase = search_book(war_and_peace, "Prince Andrew", match_case=True)[1]
    assert phrase == len(re.findall(r"Prince\s+Andrew", whole))
    assert phrase > len(re.findall("Prince Andrew", whole))


def test_latin1_kafka(verwandlung: list[str]) -> None:
    hits, total = search_book(verwandlung, "GREGOR", whole_words=True)
    assert total > 100
    assert all(verwandlung[h.chapter][h.start : h.end] == "Gregor" for h in hits)
    hits, _ = search_book(verwandlung, "unruhigen träumen")
    assert len(hits) == 1
    assert "Gregor Samsa eines Morgens aus unruhigen Träumen" in hits[0].snippet


def _scanned(chapters: list[str], query: str, **options: bool) -> list[tuple[int, int, int]]:
    """The matches the pattern finds by scanning each chapter, without the quick path."""
    compiled = _compile(
        query,
        match_case=options.get("match_case", False),
        whole_words=options.get("whole_words", False),
    )
    assert compiled is not None
    scan = dataclasses.replace(compiled, literal="", unsafe=frozenset())
    return [(i, s, e) for i, text in enumerate(chapters) for s, e in _matches(scan, text)]


TRICKY = [
    "Straße, STRASSE, ſtraße and ſoup; the Kelvin sign K and k; µ and μ.",
    "İstanbul, ISTANBUL, ıstanbul and istanbul: offsets after İ move in a lower copy.",
    "ΟΔΟΣ and οδος and ΣΟΦΙΑ; Σ at a word's end is ς in a lower copy.",
    "xab ab ab, abab, ab-ab, AB ab. Mr. Darcy; mr.darcy. naïve NAÏVE Naïve.",
]


@pytest.mark.parametrize(
    "query",
    ["s", "ab", "AB", "k", "i", "istanbul", "ı", "µ", "οδος", "σοφια", "naïve", "mr.", "ſ", "ß"],
)
@pytest.mark.parametrize(
    "options",
    [{}, {"match_case": True}, {"whole_words": True}, {"whole_words": True, "match_case": True}],
)
def test_the_quick_path_finds_exactly_what_the_pattern_finds(
    query: str, options: dict[str, bool]
) -> None:
    assert spans(TRICKY, query, **options) == _scanned(TRICKY, query, **options)


def test_the_quick_path_on_a_whole_novel(war_and_peace: list[str]) -> None:
    for query in ("prince", "Natásha", "the", "Moscow", "zzzz", "s", "is", "ANNA"):
        for options in ({}, {"whole_words": True}, {"match_case": True}):
            found, total = search_book(war_and_peace, query, limit=10**6, **options)
            assert [(h.chapter, h.start, h.end) for h in found] == _scanned(
                war_and_peace, query, **options
            ), (query, options)
            assert total == len(found)


def test_a_search_stops_when_told_it_is_no_longer_wanted(war_and_peace: list[str]) -> None:
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 3  # a newer query came in during the fourth chapter

    hits, total = search_book(war_and_peace, "the", cancelled=cancelled)
    assert len(asked) == 4
    assert {h.chapter for h in hits} <= {0, 1, 2}
    assert total == len(hits)

"""Composing analysis requests without Qt or a window: a real library, real books."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from reader_app.ai.models import DEFAULT_MODEL
from reader_app.ai.prompt import DEFAULT_OBJECTIVE, OBJECTIVE_PRESETS
from reader_app.core.examples import Example
from reader_app.core.records import NewAnalysis
from reader_app.usecases.analysis import (
    EARLIER_LIMIT,
    MAX_TOGETHER,
    AnalysisComposer,
    earlier_in_chapter,
    groups_of,
    passage_context,
    place_of,
)
from tests.usecases.analysis_library import (
    ENOUGH,
    MEDDLING,
    MURDER,
    SWEET,
    Library,
    ballads,
    open_library,
    place_in,
    pride,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from reader_app.ai.request import ToneRequest
    from reader_app.core.records import Highlight

POEM = "The Tables Turned"
VOLUME_TWO = "which monuments do now exist"  # a later chapter than the poem


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    made = open_library(tmp_path / "library.sqlite3")
    made.seed_examples()
    yield made
    made.conn.close()


def _composer(library: Library, listed: str | None = None) -> AnalysisComposer:
    return AnalysisComposer(library.examples, library.current, lambda: listed, library.analyses)


def _user_turn(request: ToneRequest) -> str:
    return str(request.messages[0]["content"])


def _system_text(request: ToneRequest) -> str:
    return "\n".join(str(block["text"]) for block in request.system)


def _analysed(library: Library, item: Highlight, tone: str, emotion: str) -> None:
    library.analyses.add(
        NewAnalysis(item.id, "ok", tone=tone, dominant_emotion=emotion, result={"tone": tone})
    )


# -- one passage ---------------------------------------------------------------------------


def test_a_passage_request_carries_the_book_the_chapter_the_context_and_the_passage(
    library: Library,
) -> None:
    book = ballads()
    place = place_in(book, MURDER, POEM)
    request = _composer(library).for_passage(book, place)
    turn = _user_turn(request)
    assert turn.startswith(
        "Book: Lyrical Ballads by William Wordsworth, Samuel Taylor Coleridge\n"
        "Chapter: The Tables Turned\n"
    )
    assert f"<passage>\n{MURDER}\n</passage>" in turn
    # The lines around it are its context, inside the chapter.
    before = turn[turn.index("<context_before>") : turn.index("</context_before>")]
    after = turn[turn.index("<context_after>") : turn.index("</context_after>")]
    assert MEDDLING in before
    assert ENOUGH in after
    assert request.passage == MURDER
    assert "<earlier_analyses>" not in turn


def test_the_request_uses_the_objective_level_and_language_in_force(library: Library) -> None:
    library.change(objective=OBJECTIVE_PRESETS["Translator"], level="C1", language="French")
    request = _composer(library).for_passage(pride(), place_in(pride(), "It is a truth"))
    system = _system_text(request)
    assert OBJECTIVE_PRESETS["Translator"] in system
    assert DEFAULT_OBJECTIVE not in system
    assert "CEFR level C1" in system
    assert "in French" in system


def test_the_settings_are_read_for_each_request(library: Library) -> None:
    composer = _composer(library)
    place = place_in(ballads(), MURDER, POEM)
    first = composer.for_passage(ballads(), place)
    library.change(level="A2")
    second = composer.for_passage(ballads(), place)
    assert "CEFR level B1" in _system_text(first)
    assert "CEFR level A2" in _system_text(second)
    assert first.prompt_version != second.prompt_version


def test_context_paragraphs_come_from_the_settings(library: Library) -> None:
    book = pride()
    place = place_in(book, "Mr. Bingley was good-looking")
    library.change(context_paragraphs=8)
    wide = _composer(library).for_passage(book, place)
    library.change(context_paragraphs=0)
    narrow = _composer(library).for_passage(book, place)
    assert len(_user_turn(narrow)) < len(_user_turn(wide))
    assert passage_context(book, place, 0).before in _user_turn(narrow)


@pytest.mark.parametrize(
    ("chosen", "listed", "expected"),
    [
        ("", None, DEFAULT_MODEL),  # the command line: nothing chosen, nothing listed
        ("", "claude-haiku-5-5", "claude-haiku-5-5"),  # the window, once models are listed
        ("claude-opus-4-6", "claude-haiku-5-5", "claude-opus-4-6"),  # the reader's choice
    ],
)
def test_the_model_is_the_choice_else_the_listed_default_else_the_built_in_one(
    library: Library, chosen: str, listed: str | None, expected: str
) -> None:
    library.change(model=chosen)
    composer = _composer(library, listed)
    place = place_in(ballads(), MURDER, POEM)
    assert composer.prompt().model == expected
    assert composer.for_passage(ballads(), place).model == expected
    assert composer.for_group(ballads(), [place]).model == expected


def test_the_seeded_examples_sit_in_the_cached_prefix(library: Library) -> None:
    request = _composer(library).for_passage(pride(), place_in(pride(), "It is a truth"))
    last = request.system[-1]
    assert last["cache_control"] == {"type": "ephemeral"}
    assert "Scornful and Disapproving" in str(last["text"])  # the first Wordsworth pair
    assert str(last["text"]).count("<example>") == len(library.examples.all()) >= 45


def test_a_book_with_an_active_set_uses_only_that_set(library: Library) -> None:
    book = ballads()
    mine = library.examples.add(Example("He smiled, and the room grew warm.", "Warm and Fond"))
    chosen = library.examples.create_set("warm ones")
    library.examples.set_members(chosen, [mine])
    library.examples.set_active(book.book_id, chosen)
    request = _composer(library).for_passage(book, place_in(book, MURDER, POEM))
    examples = str(request.system[-1]["text"])
    assert "Warm and Fond" in examples
    assert "Scornful and Disapproving" not in examples
    # Another book still has the whole library.
    other = _composer(library).for_passage(pride(), place_in(pride(), "It is a truth"))
    assert "Scornful and Disapproving" in str(other.system[-1]["text"])


def test_the_fixed_strategy_takes_the_named_set(library: Library) -> None:
    mine = library.examples.add(Example("Go away at once!", "Curt and Hostile"))
    fixed = library.examples.create_set("curt")
    library.examples.set_members(fixed, [mine])
    library.change(example_strategy="fixed", fixed_set="curt")
    request = _composer(library).for_passage(pride(), place_in(pride(), "It is a truth"))
    examples = str(request.system[-1]["text"])
    assert examples.count("<example>") == 1
    assert "Curt and Hostile" in examples


def test_similar_examples_come_after_the_cache_marker(library: Library) -> None:
    library.change(example_strategy="similar", example_k=2)
    request = _composer(library).for_passage(ballads(), place_in(ballads(), MURDER, POEM))
    marked = [i for i, block in enumerate(request.system) if "cache_control" in block]
    assert marked == [len(request.system) - 2]
    similar = str(request.system[-1]["text"])
    assert similar.startswith("More examples, chosen because they resemble this passage:")
    assert similar.count("<example>") == 2
    # "We murder to dissect." is itself a seeded example: the most similar one.
    assert "We murder to dissect." in similar


# -- a highlight ---------------------------------------------------------------------------


def test_a_highlight_recalls_the_analyses_made_nearby_in_its_chapter(library: Library) -> None:
    book = ballads()
    sweet = library.highlight(book, SWEET, POEM)
    meddling = library.highlight(book, MEDDLING, POEM)
    murder = library.highlight(book, MURDER, POEM)
    elsewhere = library.highlight(book, VOLUME_TWO)
    _analysed(library, sweet, "Gentle and Inviting", "joy")
    _analysed(library, meddling, "Regretful", "sadness")
    _analysed(library, elsewhere, "Hopeful", "anticipation")
    library.analyses.add(NewAnalysis(murder.id, "failed", error_kind="schema"))
    highlights = library.highlights.list_for_book(book.book_id)
    request = _composer(library).for_highlight(book, murder, highlights)
    turn = _user_turn(request)
    recalled = turn[turn.index("<earlier_analyses>") : turn.index("</earlier_analyses>")]
    lines = recalled.splitlines()[1:]
    # Nearest first; the other chapter's analysis and the highlight's own attempt are not.
    assert lines == [
        f"- “{MEDDLING}” → Regretful (sadness)",
        f"- “{SWEET}” → Gentle and Inviting (joy)",
    ]
    assert f"<passage>\n{MURDER}\n</passage>" in turn


def test_a_highlight_request_matches_the_passage_request_when_nothing_is_recalled(
    library: Library,
) -> None:
    """The window (a highlight) and the command line (a passage) send the same request."""
    book = ballads()
    item = library.highlight(book, MURDER, POEM)
    composer = _composer(library)
    from_window = composer.for_highlight(book, item, [item])
    from_command_line = composer.for_passage(book, place_of(item))
    assert from_window == from_command_line


def test_without_the_analyses_nothing_is_recalled(library: Library) -> None:
    book = ballads()
    sweet = library.highlight(book, SWEET, POEM)
    murder = library.highlight(book, MURDER, POEM)
    _analysed(library, sweet, "Gentle", "joy")
    composer = AnalysisComposer(library.examples, library.current)
    assert composer.earlier(murder, [sweet, murder]) == []
    assert "<earlier_analyses>" not in _user_turn(composer.for_highlight(book, murder, [sweet]))


def test_earlier_lines_are_limited_and_shortened(library: Library) -> None:
    book = pride()
    chapter_one = book.chapters[0].text
    items = []
    start = 0
    for _ in range(EARLIER_LIMIT + 3):
        start = chapter_one.index(". ", start + 200) + 2
        place = (0, start, start + 120)
        items.append(library.highlight(book, chapter_one[place[1] : place[2]]))
    latest = {}
    for item in items[1:]:
        _analysed(library, item, "Dry", "joy")
        latest[item.id] = library.analyses.history(item.id)[0]
    lines = earlier_in_chapter(items[0], items, latest)
    assert len(lines) == EARLIER_LIMIT
    assert lines[0].startswith(f"“{' '.join(items[1].quote.split())[:79]}…”")
    assert all(line.endswith("→ Dry (joy)") for line in lines)
    assert earlier_in_chapter(items[0], items, latest, limit=2) == lines[:2]


# -- several highlights together -----------------------------------------------------------


def test_a_group_request_numbers_the_passages_in_the_given_order(library: Library) -> None:
    book = ballads()
    places = [place_in(book, text, POEM) for text in (SWEET, MEDDLING, MURDER)]
    request = _composer(library).for_group(book, places)
    turn = _user_turn(request)
    assert request.passages == (SWEET, MEDDLING, MURDER)
    assert turn.count("<passage id=") == 3
    assert turn.index('<passage id="1">') < turn.index(SWEET) < turn.index('<passage id="2">')
    assert f'<passage id="3">\n{MURDER}\n</passage>' in turn
    assert "Passage 2 is from: The Tables Turned" in turn
    # Room for each answer, and the single-passage prefix (so the cache is shared).
    single = _composer(library).for_passage(book, places[0])
    assert request.max_tokens > single.max_tokens
    assert request.system == single.system
    assert request.prompt_version == single.prompt_version


def test_a_group_across_books_chapters_keeps_each_chapter_title(library: Library) -> None:
    book = pride()
    places = [place_in(book, "It is a truth"), place_in(book, "Mr. Bingley was good-looking")]
    turn = _user_turn(_composer(library).for_group(book, places))
    assert "Passage 1 is from: Chapter 1" in turn
    assert f"Passage 2 is from: {book.section_title(places[1][0], places[1][1])}" in turn
    assert places[1][0] != places[0][0]


def test_a_group_needs_a_passage(library: Library) -> None:
    with pytest.raises(ValueError, match="no passages"):
        _composer(library).for_group(ballads(), [])


def test_groups_are_in_reading_order_without_orphans_and_cut_to_size(library: Library) -> None:
    book = ballads()
    murder = library.highlight(book, MURDER, POEM)
    sweet = library.highlight(book, SWEET, POEM)
    first = library.highlight(book, "It is the first mild day of March:")
    later = library.highlight(book, VOLUME_TWO)
    lost = replace(library.highlight(book, MEDDLING, POEM), orphaned=True)
    assert [[h.id for h in g] for g in groups_of([later, murder, lost, first, sweet])] == [
        [sweet.id, murder.id, first.id, later.id]
    ]
    many = [replace(sweet, id=n, start=n) for n in range(MAX_TOGETHER * 2 + 1)]
    sizes = [len(group) for group in groups_of(many)]
    assert sizes == [MAX_TOGETHER, MAX_TOGETHER, 1]
    assert groups_of([lost]) == []

"""Next and Previous step through the contents: chapters, poems, or the files as a fallback."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from reader_app.core.book import Book, BookFormat, Chapter, TocEntry
from reader_app.core.loaders import load_book
from reader_app.core.toc_steps import NEAR_START, TocSteps

BOOKS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "books"
PRIDE = BOOKS / "pride-and-prejudice_pg1342_epub2.epub"
BALLADS = BOOKS / "lyrical-ballads_standardebooks_epub3.epub"
MOBY = BOOKS / "moby-dick_idpf_epub3.epub"
WAR = BOOKS / "war-and-peace_pg2600_utf8-bom.txt"


@pytest.fixture(scope="module")
def pride() -> Book:
    return load_book(PRIDE)


@pytest.fixture(scope="module")
def ballads() -> Book:
    return load_book(BALLADS)


def _titles(book: Book) -> list[str]:
    return [step.title for step in book.steps().steps]


def _walk_next(book: Book) -> list[str]:
    """The titles Next lands on, pressed from the very beginning until it stops."""
    steps = book.steps()
    place = (0, 0)
    at_start = steps.index_at(*place)
    seen = [steps.steps[at_start].title] if at_start >= 0 else []
    while (index := steps.next_index(*place)) is not None:
        step = steps.steps[index]
        assert steps.index_at(step.chapter, step.offset) == index
        seen.append(step.title)
        place = (step.chapter, step.offset)
        assert len(seen) <= len(steps), "Next went round in a circle"
    return seen


def test_pride_and_prejudice_steps_chapter_by_chapter(pride: Book) -> None:
    steps = pride.steps()
    assert steps.from_toc
    titles = _titles(pride)
    chapters = [t for t in titles if t.startswith("Chapter")]
    assert chapters == [f"Chapter {n}" for n in range(1, 62)]
    first = titles.index("Chapter 1")
    assert titles[first : first + 61] == chapters  # one after another, nothing between
    assert _walk_next(pride) == titles
    # 14 files cut "on div", each holding four to seven chapters; every chapter is a step.
    files = [s.chapter for s in steps.steps if s.title.startswith("Chapter")]
    assert len(set(files)) == 14
    # Each step starts on its own heading, inside the file that holds it.
    for step in steps.steps:
        text = pride.chapters[step.chapter].text
        assert text[step.offset :].startswith(step.title), step
    # Chapter 11 → 12 stays in one file; the old spine stepping jumped to Chapter 17.
    eleven = steps.steps[titles.index("Chapter 11")]
    after = steps.steps[steps.next_index(eleven.chapter, eleven.offset + 5000) or 0]
    assert after.title == "Chapter 12"
    assert after.chapter == eleven.chapter


def test_lyrical_ballads_steps_poem_by_poem_through_both_volumes(ballads: Book) -> None:
    steps = ballads.steps()
    assert steps.from_toc
    volumes = {e.title: e for _depth, e in ballads.toc_entries() if e.title.startswith("Volume")}
    poems = [c.title for c in volumes["Volume I"].children] + [
        c.title for c in volumes["Volume II"].children
    ]
    assert len(poems) == 58
    assert poems[0] == "Expostulation and Reply"
    assert poems[-1] == "Michael"
    titles = _titles(ballads)
    first = titles.index(poems[0])
    # Every poem of both volumes, in order, one step each.
    assert titles[first : first + len(poems)] == poems
    assert _walk_next(ballads) == titles
    # The numbered stanzas of The Thorn and the parts of the Ancient Mariner are inside
    # their poems, not steps of their own.
    assert "I" not in titles
    assert "XXIII" not in titles
    assert "Part Second" not in titles
    # "Volume I" has only its heading before the first poem: one step, headed by it.
    expostulation = steps.steps[first]
    text = ballads.chapters[expostulation.chapter].text
    assert text[expostulation.offset :].startswith("Volume I\nExpostulation and Reply")
    assert text[expostulation.named_at :].startswith("Expostulation and Reply")
    # The front and back matter stay reachable.
    assert titles[:4] == ["Titlepage", "Imprint", "Preface", "Epigraph"]
    assert titles[-1] == "Uncopyright"


def test_moby_dick_one_file_per_chapter() -> None:
    book = load_book(MOBY)
    steps = book.steps()
    assert steps.from_toc
    titles = _titles(book)
    numbered = [t for t in titles if t.startswith("Chapter ")]
    assert [int(re.match(r"Chapter (\d+)\.", t).group(1)) for t in numbered] == list(  # type: ignore[union-attr]
        range(1, 136)
    )
    for step in steps.steps:
        assert step.offset == 0
    assert titles[titles.index("Chapter 135. The Chase.—Third Day.") + 1] == "Epilogue"
    # The cover (outside the reading order) comes before the first step.
    assert steps.index_at(0, 0) == -1
    assert steps.next_index(0, 0) == 0
    assert steps.steps[0].chapter == 1


def test_the_same_chapter_title_in_every_book_is_told_apart() -> None:
    book = load_book(WAR)
    titles = _titles(book)
    assert len(titles) == len(set(titles))
    assert any(t.endswith("› CHAPTER I") and t.startswith("BOOK ONE") for t in titles)
    # The title and author above the first entry belong to it: Next from the opening
    # goes to the first chapter, not two lines down.
    steps = book.steps()
    assert steps.index_at(0, 0) == 0
    following = steps.steps[steps.next_index(0, 0) or 0]
    assert following.title.endswith("CHAPTER I")
    assert following.chapter > 0
    assert book.chapters[following.chapter].text[following.named_at :].startswith("CHAPTER I\n")


def test_previous_goes_to_the_start_then_to_the_section_before(pride: Book) -> None:
    steps = pride.steps()
    titles = _titles(pride)
    twelve = steps.steps[titles.index("Chapter 12")]
    eleven = steps.steps[titles.index("Chapter 11")]
    # Well into Chapter 12: back to its heading.
    inside = (twelve.chapter, twelve.offset + NEAR_START + 1000)
    assert steps.previous_place(*inside) == (twelve.chapter, twelve.offset)
    # At (or just below) its heading: Chapter 11.
    assert steps.previous_place(twelve.chapter, twelve.offset) == (eleven.chapter, eleven.offset)
    assert steps.previous_place(twelve.chapter, twelve.offset + 30) == (
        eleven.chapter,
        eleven.offset,
    )
    # From the first chapter of a file to the last one of the file before.
    assert steps.previous_place(eleven.chapter, eleven.offset) == (
        1,
        steps.steps[titles.index("Chapter 10")].offset,
    )
    assert steps.previous_place(0, 0) is None
    last = steps.steps[-1]
    assert steps.next_index(last.chapter, last.offset + 100) is None


def test_progress_is_by_characters_of_the_whole_book(pride: Book) -> None:
    steps = pride.steps()
    read = [len(c.text) if c.linear else 0 for c in pride.chapters]
    assert steps.progress(0, 0) == 0.0
    assert steps.progress(7, 0) == pytest.approx(sum(read[:7]) / sum(read))
    last = max(i for i, c in enumerate(pride.chapters) if c.linear)
    assert last == 13
    assert steps.progress(last, len(pride.chapters[last].text)) == 1.0


def _book(texts: list[str], toc: tuple[TocEntry, ...], linear: list[bool] | None = None) -> Book:
    flags = linear or [True] * len(texts)
    chapters = tuple(
        Chapter(f"File {i + 1}", "", text, key=str(i), linear=flags[i])
        for i, text in enumerate(texts)
    )
    return Book("id", "book.epub", "Book", (), "en", BookFormat.EPUB3, chapters, toc)


TEXTS = ["Cover\n", "Part One\nSome words.\n" * 40, "More words.\n" * 80, "", "End words.\n" * 60]


def test_a_book_without_contents_steps_through_its_files() -> None:
    book = _book(TEXTS, (), linear=[False, True, True, True, True])
    steps = book.steps()
    assert not steps.from_toc
    # The files in the reading order that have text; the cover is outside it.
    assert [(s.title, s.chapter, s.offset) for s in steps.steps] == [
        ("File 2", 1, 0),
        ("File 3", 2, 0),
        ("File 5", 4, 0),
    ]
    # From the cover, before the first step: Next goes to it, Previous to the beginning.
    assert steps.index_at(0, 3) == -1
    assert steps.next_index(0, 3) == 0
    assert steps.previous_place(0, 3) == (0, 0)
    assert steps.previous_place(1, 0) == (0, 0)
    assert steps.next_index(1, 50) == 1
    assert steps.previous_place(2, 300) == (2, 0)
    assert steps.previous_place(2, 0) == (1, 0)


def test_contents_entries_outside_the_reading_order_are_not_steps() -> None:
    toc = (
        TocEntry("Part One", 1, 0),
        TocEntry("More", 2, 0),
        TocEntry("The end", 4, 0),
        TocEntry("About this file", 5, 0),
    )
    texts = [*TEXTS, "The licence.\n" * 400]
    book = _book(texts, toc, linear=[True, True, True, True, True, False])
    steps = book.steps()
    assert [s.title for s in steps.steps] == ["Part One", "More", "The end"]
    assert not steps.in_reading_order(5)
    # The percentage runs through the reading order: its end is 100 %.
    assert steps.progress(4, len(texts[4])) == 1.0
    assert steps.progress(5, 100) == 1.0


def test_contents_that_do_not_describe_the_book_give_way_to_the_files() -> None:
    # Fragments that did not resolve all land on the start of the first file.
    unresolved = tuple(TocEntry(f"Chapter {n}", 1, 0) for n in range(1, 9))
    assert not _book(TEXTS, unresolved).steps().from_toc
    # Entries only in the first file, though the book has four with text.
    first_only = tuple(TocEntry(f"Section {n}", 1, n * 100) for n in range(5))
    steps = _book(TEXTS, first_only).steps()
    assert not steps.from_toc
    assert [s.chapter for s in steps.steps] == [0, 1, 2, 4]


def test_one_long_file_of_chapters_beside_short_ones_keeps_its_contents() -> None:
    # The IDPF sample: a cover, the contents page and one 338 KB file of sections.
    book = load_book(BOOKS.parent / "epub-samples" / "idpf-childrens-literature.epub")
    steps = book.steps()
    assert steps.from_toc
    titles = _titles(book)
    # Story by story; an author's entry and the story under it at one place are one step.
    assert "198 THE UGLY DUCKLING" in titles
    assert "Hans Christian Andersen" not in titles
    assert len(steps) == len([t for t in titles if t[:3].isdigit()]) + 2
    assert {s.chapter for s in steps.steps} == {2}


def test_entries_at_one_place_or_a_heading_apart_are_one_step() -> None:
    text = "Part One\nChapter 1\n" + "Words of the first chapter.\n" * 30
    second = text.index("Words") + 400
    toc = (
        TocEntry(
            "Part One",
            0,
            0,
            (
                TocEntry("Chapter 1", 0, len("Part One\n")),
                TocEntry("Chapter 2", 0, second),
                TocEntry("Chapter 2, the letter", 0, second),
            ),
        ),
    )
    steps = TocSteps([text], ["File 1"], [True], ((0, "Part One", 0, 0, True),))
    assert [s.title for s in steps.steps] == ["Part One"]
    book = _book([text], toc)
    assert [(s.title, s.offset) for s in book.steps().steps] == [
        ("Chapter 1", 0),
        ("Chapter 2, the letter", second),
    ]


def test_the_step_list_is_made_once_and_looked_up_fast(ballads: Book) -> None:
    assert ballads.steps() is ballads.steps()
    started = time.perf_counter()
    for offset in range(0, 130_000, 13):
        ballads.steps().index_at(6, offset)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"10,000 look-ups took {elapsed:.3f} s"


@pytest.mark.parametrize("path", [PRIDE, BALLADS], ids=["pride", "ballads"])
def test_every_contents_entry_lands_on_its_own_line_in_reading_order(path: Path) -> None:
    book = load_book(path)
    places = []
    for _depth, entry in book.toc_entries():
        text = book.chapters[entry.chapter].text
        # A fragment that did not resolve would land on the file's start instead.
        assert entry.offset == 0 or text[entry.offset - 1] == "\n", entry.title
        # Its words open the place (a poem without a heading opens with its note or line).
        tokens = re.findall(r"\w+", entry.title.casefold())
        words = [w for w in tokens if len(w) > 3] or tokens[:1]
        opening = text[entry.offset : entry.offset + 200].casefold()
        if entry.offset:
            assert any(w in opening for w in words), entry.title
        places.append((entry.chapter, entry.offset))
    assert places == sorted(places)

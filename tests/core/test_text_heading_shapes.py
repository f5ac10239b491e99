"""Plain-text headings of every common shape, in five languages, on books built here.

Each test writes a small book the way Project Gutenberg lays one out (headings alone
between blank lines, prose paragraphs of wrapped lines) and opens it with ``load_book``,
then reads the contents tree the reader shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.core.loaders import load_book

if TYPE_CHECKING:
    from pathlib import Path

PROSE = (
    "The morning came grey over the hills, and the road lay long before them; they walked\n"
    "on without a word, each thinking of the house they had left and of what was to come.\n"
)


def _chapter(heading: str, gap: int = 3, paragraphs: int = 3) -> str:
    return "\n" * gap + heading + "\n\n" + "\n".join(PROSE for _ in range(paragraphs))


def _tree(tmp_path: Path, text: str) -> list[tuple[int, str]]:
    path = tmp_path / "book.txt"
    path.write_text(text, encoding="utf-8")
    book = load_book(path)
    return [(depth, entry.title) for depth, entry in book.toc_entries()]


def _titles(tree: list[tuple[int, str]], depth: int) -> list[str]:
    return [title for d, title in tree if d == depth]


TITLE_PAGE = "A TALE\n\nby Somebody\n\n\n"


def test_chapter_keyword_with_roman_numbers(tmp_path: Path) -> None:
    text = TITLE_PAGE + "".join(_chapter(f"CHAPTER {n}") for n in ("I", "II", "III", "IV"))
    tree = _tree(tmp_path, text)
    assert _titles(tree, 0)[-4:] == ["CHAPTER I", "CHAPTER II", "CHAPTER III", "CHAPTER IV"]


def test_title_case_chapter_with_arabic_number_and_full_stop(tmp_path: Path) -> None:
    text = TITLE_PAGE + "".join(_chapter(f"Chapter {n}.") for n in range(1, 6))
    assert _titles(_tree(tmp_path, text), 0)[-5:] == [f"Chapter {n}." for n in range(1, 6)]


def test_roman_numeral_and_title_under_books_the_first_and_second(tmp_path: Path) -> None:
    text = (
        TITLE_PAGE
        + _chapter("Book the First--Recalled to Life", paragraphs=0)
        + _chapter("I. The Period")
        + _chapter("II. The Mail")
        + _chapter("III. The Night Shadows")
        + _chapter("Book the Second--the Golden Thread", paragraphs=0)
        + _chapter("I. Five Years Later")
        + _chapter("II. A Sight")
    )
    tree = _tree(tmp_path, text)
    assert _titles(tree, 0)[-2:] == [
        "Book the First--Recalled to Life",
        "Book the Second--the Golden Thread",
    ]
    assert _titles(tree, 1) == [
        "I. The Period",
        "II. The Mail",
        "III. The Night Shadows",
        "I. Five Years Later",
        "II. A Sight",
    ]


def test_adventures_with_titles_on_the_line(tmp_path: Path) -> None:
    names = ["A SCANDAL IN BOHEMIA", "THE RED-HEADED LEAGUE", "A CASE OF IDENTITY"]
    text = TITLE_PAGE + "".join(
        _chapter(f"ADVENTURE {n}. {name}")
        for n, name in zip(("I", "II", "III"), names, strict=True)
    )
    assert _titles(_tree(tmp_path, text), 0)[-3:] == [
        "ADVENTURE I. A SCANDAL IN BOHEMIA",
        "ADVENTURE II. THE RED-HEADED LEAGUE",
        "ADVENTURE III. A CASE OF IDENTITY",
    ]


def test_volumes_and_parts_hold_chapters_that_restart(tmp_path: Path) -> None:
    text = TITLE_PAGE
    for volume in ("ONE", "TWO"):
        text += _chapter(f"PART {volume}", paragraphs=0)
        text += "".join(_chapter(f"Chapter {n}") for n in range(1, 4))
    tree = _tree(tmp_path, text)
    assert _titles(tree, 0)[-2:] == ["PART ONE", "PART TWO"]
    assert _titles(tree, 1) == ["Chapter 1", "Chapter 2", "Chapter 3"] * 2


def test_volume_keyword(tmp_path: Path) -> None:
    text = TITLE_PAGE
    for volume in ("I", "II"):
        text += _chapter(f"VOLUME {volume}", paragraphs=0)
        text += "".join(_chapter(f"CHAPTER {n}") for n in ("I", "II"))
    tree = _tree(tmp_path, text)
    assert _titles(tree, 0)[-2:] == ["VOLUME I", "VOLUME II"]
    assert len(_titles(tree, 1)) == 4


def test_a_play_in_acts_and_scenes_with_speaker_labels(tmp_path: Path) -> None:
    speech = "ROMEO.\nIs the day so young?\n\nBENVOLIO.\nBut new struck nine.\n\n"
    text = TITLE_PAGE + "Dramatis Personae\n\nROMEO, son to Montague.\n\n\n"
    for act, scenes in (("I", ("I", "II", "III")), ("II", ("I", "II"))):
        text += f"\n\nACT {act}\n\n"
        for scene in scenes:
            text += f"SCENE {scene}. A public place.\n\n" + speech * 4
    tree = _tree(tmp_path, text)
    assert _titles(tree, 0)[-2:] == ["ACT I", "ACT II"]
    assert _titles(tree, 1) == [
        "SCENE I. A public place.",
        "SCENE II. A public place.",
        "SCENE III. A public place.",
        "SCENE I. A public place.",
        "SCENE II. A public place.",
    ]


def test_letters(tmp_path: Path) -> None:
    text = TITLE_PAGE + "".join(_chapter(f"LETTER {n}") for n in ("I", "II", "III"))
    assert _titles(_tree(tmp_path, text), 0)[-3:] == ["LETTER I", "LETTER II", "LETTER III"]


def test_bare_roman_numerals(tmp_path: Path) -> None:
    text = TITLE_PAGE + "".join(_chapter(n) for n in ("I", "II", "III", "IV", "V"))
    assert _titles(_tree(tmp_path, text), 0)[-5:] == ["I", "II", "III", "IV", "V"]


def test_dashed_and_bracketed_numerals(tmp_path: Path) -> None:
    dashed = TITLE_PAGE + "".join(_chapter(f"— {n} —") for n in ("I", "II", "III", "IV"))
    assert _titles(_tree(tmp_path, dashed), 0)[-4:] == ["— I —", "— II —", "— III —", "— IV —"]
    bracketed = TITLE_PAGE + "".join(_chapter(f"[ {n} ]") for n in range(1, 5))
    assert _titles(_tree(tmp_path, bracketed), 0)[-4:] == [f"[ {n} ]" for n in range(1, 5)]


def test_dashed_parts_hold_bracketed_episodes(tmp_path: Path) -> None:
    text = TITLE_PAGE
    episode = 0
    for part in ("I", "II", "III"):
        text += _chapter(f"— {part} —", paragraphs=0)
        for _ in range(3):
            episode += 1
            text += _chapter(f"[ {episode} ]")
    tree = _tree(tmp_path, text)
    assert _titles(tree, 0)[-3:] == ["— I —", "— II —", "— III —"]
    assert _titles(tree, 1) == [f"[ {n} ]" for n in range(1, 10)]


def test_numbered_list_inside_a_chapter_is_not_chapters(tmp_path: Path) -> None:
    listing = "\n1. Salt\n\n2. Flour\n\n3. Water\n\n4. Yeast\n\n"
    text = TITLE_PAGE + _chapter("CHAPTER I") + listing + PROSE + _chapter("CHAPTER II")
    assert _titles(_tree(tmp_path, text), 0)[-2:] == ["CHAPTER I", "CHAPTER II"]
    assert len(_tree(tmp_path, text)) <= 3


def test_title_under_the_number_belongs_to_the_heading(tmp_path: Path) -> None:
    names = ["The Period", "The Mail", "The Night Shadows"]
    text = TITLE_PAGE + "".join(
        _chapter(f"CHAPTER {n}.\n\n{name}\n")
        for n, name in zip(("I", "II", "III"), names, strict=True)
    )
    assert _titles(_tree(tmp_path, text), 0)[-3:] == [
        "CHAPTER I. The Period",
        "CHAPTER II. The Mail",
        "CHAPTER III. The Night Shadows",
    ]


def test_contents_list_is_a_guide_not_chapters(tmp_path: Path) -> None:
    names = ["CHAPTER I. The Start", "CHAPTER II. The Middle", "CHAPTER III. The End"]
    contents = "CONTENTS\n\n" + "".join(f"{name}\n\n" for name in names) + "\n\n"
    text = TITLE_PAGE + contents + "".join(_chapter(name) for name in names)
    tree = _tree(tmp_path, text)
    assert [title for _d, title in tree if title.startswith("CHAPTER")] == names


def test_contents_with_parts_on_two_lines_and_page_numbers(tmp_path: Path) -> None:
    contents = (
        "     CONTENTS\n\n     PART ONE\n     The Voyage\n\n"
        "     1.  THE SHIP . . . . . 11\n     2.  THE STORM  . . . . 17\n\n"
        "     PART TWO\n     The Island\n\n"
        "     3.  THE SHORE . . . . . 24\n     4.  THE CAVE . . . . . 30\n\n\n"
    )
    text = TITLE_PAGE + contents
    for part, name, chapters in (("ONE", "The Voyage", (1, 2)), ("TWO", "The Island", (3, 4))):
        text += _chapter(f"PART {part}--{name}", paragraphs=0)
        text += "".join(_chapter(f"{n}\n\nThe Chapter Title {n}") for n in chapters)
    tree = _tree(tmp_path, text)
    assert _titles(tree, 0)[-2:] == ["PART ONE--The Voyage", "PART TWO--The Island"]
    assert _titles(tree, 1) == [f"{n} The Chapter Title {n}" for n in range(1, 5)]


def test_essay_without_headings_gets_none(tmp_path: Path) -> None:
    text = "ON THINGS\n\n" + "\n".join(PROSE for _ in range(200))
    tree = _tree(tmp_path, text)
    assert all(not title.startswith(("Chapter", "CHAPTER")) for _d, title in tree)
    assert len(tree) <= 2


def test_french_chapters_books_and_parts(tmp_path: Path) -> None:
    text = TITLE_PAGE
    for part in ("PREMIÈRE PARTIE", "DEUXIÈME PARTIE"):
        text += _chapter(part, paragraphs=0)
        text += "".join(_chapter(f"CHAPITRE {n}") for n in ("PREMIER", "II", "III"))
    tree = _tree(tmp_path, text)
    assert _titles(tree, 0)[-2:] == ["PREMIÈRE PARTIE", "DEUXIÈME PARTIE"]
    assert _titles(tree, 1)[:3] == ["CHAPITRE PREMIER", "CHAPITRE II", "CHAPITRE III"]
    livres = TITLE_PAGE + "".join(
        _chapter(f"LIVRE {n}") for n in ("PREMIER", "DEUXIÈME", "TROISIÈME")
    )
    assert _titles(_tree(tmp_path, livres), 0)[-3:] == [
        "LIVRE PREMIER",
        "LIVRE DEUXIÈME",
        "LIVRE TROISIÈME",
    ]


def test_german_ordinal_chapters_books_and_letters(tmp_path: Path) -> None:
    ordinals = ["Erstes", "Zweites", "Drittes", "Sechsunddreißigstes"]
    text = TITLE_PAGE + "".join(_chapter(f"{o} Kapitel") for o in ordinals)
    assert _titles(_tree(tmp_path, text), 0)[-4:] == [f"{o} Kapitel" for o in ordinals]
    text = TITLE_PAGE
    for book in ("ERSTES BUCH", "ZWEITES BUCH"):
        text += _chapter(book, paragraphs=0)
        text += "".join(_chapter(f"{n}. Brief") for n in ("Erster", "Zweiter"))
    tree = _tree(tmp_path, text.replace(". Brief", " Brief"))
    assert _titles(tree, 0)[-2:] == ["ERSTES BUCH", "ZWEITES BUCH"]
    assert _titles(tree, 1) == ["Erster Brief", "Zweiter Brief"] * 2
    teile = TITLE_PAGE + "".join(_chapter(f"{t} TEIL") for t in ("ERSTER", "ZWEITER", "DRITTER"))
    assert _titles(_tree(tmp_path, teile), 0)[-3:] == [
        "ERSTER TEIL",
        "ZWEITER TEIL",
        "DRITTER TEIL",
    ]


def test_spanish_chapters_with_wrapped_titles_and_parts(tmp_path: Path) -> None:
    text = TITLE_PAGE
    for part in ("Primera parte del ingenioso hidalgo", "Segunda parte del ingenioso hidalgo"):
        text += _chapter(part, paragraphs=0)
        text += _chapter(
            "Capítulo primero. Que trata de la condición y ejercicio del famoso\n"
            "hidalgo don Quijote de la Mancha"
        )
        text += _chapter("Capítulo II. Que trata de la primera salida")
        text += _chapter("Capítulo III. Donde se cuenta la graciosa manera")
    tree = _tree(tmp_path, text)
    assert _titles(tree, 0)[-2:] == [
        "Primera parte del ingenioso hidalgo",
        "Segunda parte del ingenioso hidalgo",
    ]
    chapters = _titles(tree, 1)
    assert len(chapters) == 6
    assert chapters[0] == (
        "Capítulo primero. Que trata de la condición y ejercicio del famoso"
        " hidalgo don Quijote de la Mancha"
    )
    libros = TITLE_PAGE + "".join(_chapter(f"LIBRO {n}") for n in ("PRIMERO", "SEGUNDO"))
    libros += "".join(_chapter(f"CAPÍTULO {n}") for n in ("I", "II"))
    assert "LIBRO PRIMERO" in _titles(_tree(tmp_path, libros), 0)
    partes = TITLE_PAGE + "".join(_chapter(f"PARTE {n}") for n in ("PRIMERA", "SEGUNDA", "TERCERA"))
    assert _titles(_tree(tmp_path, partes), 0)[-3:] == [
        "PARTE PRIMERA",
        "PARTE SEGUNDA",
        "PARTE TERCERA",
    ]


def test_italian_chapters_books_and_parts(tmp_path: Path) -> None:
    text = TITLE_PAGE
    for part in ("PARTE PRIMA", "PARTE SECONDA"):
        text += _chapter(part, paragraphs=0)
        text += "".join(_chapter(f"CAPITOLO {n}") for n in ("PRIMO", "II", "III"))
    tree = _tree(tmp_path, text)
    assert _titles(tree, 0)[-2:] == ["PARTE PRIMA", "PARTE SECONDA"]
    assert _titles(tree, 1)[:3] == ["CAPITOLO PRIMO", "CAPITOLO II", "CAPITOLO III"]
    libri = TITLE_PAGE + "".join(_chapter(f"LIBRO {n}") for n in ("PRIMO", "SECONDO", "TERZO"))
    assert _titles(_tree(tmp_path, libri), 0)[-3:] == [
        "LIBRO PRIMO",
        "LIBRO SECONDO",
        "LIBRO TERZO",
    ]


def test_spelled_out_numbers(tmp_path: Path) -> None:
    numbers = ["ONE", "TWO", "TWENTY-ONE", "FORTY-SEVEN"]
    text = TITLE_PAGE + "".join(_chapter(f"CHAPTER {n}") for n in numbers)
    assert _titles(_tree(tmp_path, text), 0)[-4:] == [f"CHAPTER {n}" for n in numbers]


def test_a_prose_line_starting_with_chapter_is_no_heading(tmp_path: Path) -> None:
    text = (
        TITLE_PAGE
        + _chapter("CHAPTER I")
        + "\n\nA chapter having been read through twice, the books were closed.\n\n"
        + _chapter("CHAPTER II")
    )
    titles = [t for _d, t in _tree(tmp_path, text) if "chapter" in t.casefold()]
    assert titles == ["CHAPTER I", "CHAPTER II"]


def test_tale_of_two_cities_layout_with_its_contents(tmp_path: Path) -> None:
    contents = (
        "CONTENTS\n\n\n     Book the First--Recalled to Life\n\n"
        "     Chapter I      The Period\n     Chapter II     The Mail\n\n"
        "     Book the Second--the Golden Thread\n\n"
        "     Chapter I      Five Years Later\n     Chapter II     A Sight\n\n\n"
    )
    text = (
        TITLE_PAGE
        + contents
        + _chapter("Book the First--Recalled to Life", paragraphs=0)
        + _chapter("I. The Period")
        + _chapter("II. The Mail")
        + _chapter("Book the Second--the Golden Thread", paragraphs=0)
        + _chapter("I. Five Years Later")
        + _chapter("II. A Sight")
    )
    tree = _tree(tmp_path, text)
    parts = [title for d, title in tree if d == 0 and title.startswith("Book")]
    assert parts == ["Book the First--Recalled to Life", "Book the Second--the Golden Thread"]
    assert _titles(tree, 1) == [
        "I. The Period",
        "II. The Mail",
        "I. Five Years Later",
        "II. A Sight",
    ]


def test_act_and_scene_on_one_line(tmp_path: Path) -> None:
    speech = "HAMLET.\nWho's there?\n\nFRANCISCO.\nNay, answer me.\n\n"
    text = TITLE_PAGE
    for act, scenes in (("I", ("1", "2", "3")), ("II", ("1", "2"))):
        for scene in scenes:
            text += f"\n\nACT {act}. SCENE {scene}. Elsinore. A room in the Castle.\n\n"
            text += speech * 4
    titles = [t for _d, t in _tree(tmp_path, text) if t.startswith("ACT")]
    assert len(titles) == 5
    assert titles[0] == "ACT I. SCENE 1. Elsinore. A room in the Castle."


def test_titled_stories_with_numbered_sections_inside(tmp_path: Path) -> None:
    text = TITLE_PAGE
    names = ["A SCANDAL IN BOHEMIA", "THE RED-HEADED LEAGUE", "A CASE OF IDENTITY"]
    for n, name in zip(("I", "II", "III"), names, strict=True):
        text += _chapter(f"{n}. {name}", paragraphs=1)
        text += "".join(_chapter(section) for section in ("I.", "II.", "III."))
    tree = _tree(tmp_path, text)
    assert _titles(tree, 0)[-3:] == [
        "I. A SCANDAL IN BOHEMIA",
        "II. THE RED-HEADED LEAGUE",
        "III. A CASE OF IDENTITY",
    ]
    assert not _titles(tree, 1)


def test_two_quoted_letter_lines_do_not_hide_numbered_chapters(tmp_path: Path) -> None:
    text = TITLE_PAGE
    for n in range(1, 7):
        text += _chapter(str(n))
        if n in (2, 4):
            text += f"\n\nLetter {'I' * (n // 2)}.\n\n" + PROSE
    titles = [t for _d, t in _tree(tmp_path, text)]
    assert titles[-6:] == [str(n) for n in range(1, 7)]


def test_contents_with_a_summary_under_each_entry(tmp_path: Path) -> None:
    summary = (
        "In which the family comes to the house, and the reader learns\n"
        "who they are, where they have come from and what they fear most\n"
        "of all on the first night.\n"
    )
    contents = "CONTENTS\n\n" + "".join(
        f"CHAPTER {n}.\n\n{summary}\n" for n in ("I", "II", "III", "IV", "V")
    )
    text = (
        TITLE_PAGE
        + contents
        + "".join(_chapter(f"CHAPTER {n}.", paragraphs=8) for n in ("I", "II", "III", "IV", "V"))
    )
    titles = [t for _d, t in _tree(tmp_path, text) if t.startswith("CHAPTER")]
    assert titles == ["CHAPTER I.", "CHAPTER II.", "CHAPTER III.", "CHAPTER IV.", "CHAPTER V."]
    book = load_book(tmp_path / "book.txt")
    entry = next(e for _d, e in book.toc_entries() if e.title == "CHAPTER I.")
    assert book.chapters[entry.chapter].text[entry.offset :].startswith("CHAPTER I.\nThe morning")


def test_letters_headed_by_their_dates(tmp_path: Path) -> None:
    dates = ["MAY 4.", "MAY 10.", "THE SAME EVENING.", "November 26.", "JANUARY 8, 1772."]
    text = TITLE_PAGE + "".join(_chapter(d, gap=1, paragraphs=2) for d in dates)
    assert _titles(_tree(tmp_path, text), 0)[-5:] == dates
    # A time of day alone is no heading where no letter is dated.
    times = TITLE_PAGE + "".join(_chapter(t, gap=1) for t in ("Night.", "Morning.", "Later."))
    assert not {"Night.", "Morning.", "Later."} & set(_titles(_tree(tmp_path, times), 0))

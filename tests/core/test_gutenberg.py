"""Project Gutenberg's header, licence and credits are out of the reading, and kept."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reader_app.core.loaders import load_book
from reader_app.core.loaders.blocks import Block, Break, Run
from reader_app.core.loaders.gutenberg import (
    ABOUT_KEY,
    ABOUT_TITLE,
    GutenbergSorter,
    split_gutenberg,
)
from reader_app.core.loaders.xhtml import tree_to_blocks
from reader_app.core.loaders.xmlsafe import parse_xhtml
from tests.core.test_book_limits import build_epub

if TYPE_CHECKING:
    from reader_app.core.book import Book

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
BOOKS = CORPUS / "books"
EXTRA = CORPUS / "books-extra"
TRUTH = {entry["file"]: entry for entry in json.loads((EXTRA / "truth.json").read_text("utf-8"))}

# Hand-checked: the line of the file where the book really begins (after the credits) and
# the line where it ends (before "End of the Project Gutenberg EBook…" and any
# transcriber's note), and the START / END lines for the files truth.json does not cover.
OPENINGS = {
    "die-verwandlung_pg22367_latin1_de.txt": ("DIE VERWANDLUNG", "ihren jungen Körper dehnte."),
    "frankenstein_pg84_ascii.txt": ("Frankenstein,", "lost in darkness and distance."),
    "lyrical-ballads-1798_pg9622_latin1.txt": ("LYRICAL BALLADS,", "END."),
    "moby-dick_pg2701_utf8-bom.txt": ("MOBY-DICK;", "children, only found another orphan."),
    "pride-and-prejudice_pg1342_utf8-bom.txt": ("PRIDE AND PREJUDICE", "the means of uniting them."),
    "war-and-peace_pg2600_utf8-bom.txt": ("WAR AND PEACE", "conscious."),
    "anna-karenina_pg1399_utf8-bom.txt": ("ANNA KARENINA", "the power to put into it.”"),
    "civil-disobedience_pg71_utf8.txt": ("On the Duty of Civil Disobedience", "anywhere seen."),
    "crime-and-punishment_pg2554_utf8-bom.txt": ("CRIME AND PUNISHMENT", "ended."),
    "effi-briest_pg5323_latin1_de.txt": ("Effi Briest", "zu weites Feld.«"),
    "jane-eyre_pg1260_ascii.txt": ("JANE EYRE", "even so come, Lord Jesus!'\""),
    "leaves-of-grass_pg1322_ascii.txt": ("LEAVES OF GRASS", "Good-bye--and hail! my Fancy."),
    "little-women_pg514_latin1.txt": ("LITTLE WOMEN", "greater happiness than this!\""),
    "madame-bovary_pg14155_latin1_fr.txt": ("Gustave Flaubert", "la croix d'honneur."),
    "pinocchio_pg52484_utf8-bom_it.txt": ("C. COLLODI", "e diventa un ragazzo 276"),
    "romeo-and-juliet_pg1513_utf8.txt": ("THE TRAGEDY OF ROMEO AND JULIET", "[Exeunt.]"),
    "sense-and-sensibility_pg161_ascii.txt": ("SENSE AND SENSIBILITY", "THE END"),
    "the-brothers-karamazov_pg28054_utf8.txt": ("The Brothers Karamazov", "9 Gogol is meant."),
    "the-scarlet-letter_pg33_ascii.txt": ("THE SCARLET LETTER", "THE LETTER A, GULES\""),
    "the-sorrows-of-young-werther_pg2527_ascii.txt": (
        "THE SORROWS OF YOUNG WERTHER", "No priest attended."),
    "the-time-machine_pg35_utf8.txt": ("The Time Machine", "still lived on in the heart of man."),
    "treasure-island_pg120_utf8-bom.txt": ("TREASURE ISLAND", "Pieces of eight! Pieces of eight!”"),
}  # fmt: skip
MARKERS = {  # pg_start_line, pg_end_line, counted as truth.json counts them
    "die-verwandlung_pg22367_latin1_de.txt": (19, 1960),
    "frankenstein_pg84_ascii.txt": (20, 7293),
    "lyrical-ballads-1798_pg9622_latin1.txt": (23, 3876),
    "moby-dick_pg2701_utf8-bom.txt": (22, 21972),
    "pride-and-prejudice_pg1342_utf8-bom.txt": (21, 13069),
    "war-and-peace_pg2600_utf8-bom.txt": (24, 65703),
}
# Credits that stood between the START line and the book, now in "About this file".
CREDITS = {
    "war-and-peace_pg2600_utf8-bom.txt": "An Anonymous Volunteer, and David Widger",
    "civil-disobedience_pg71_utf8.txt": "Typed by Sameer Parekh.",
    "romeo-and-juliet_pg1513_utf8.txt": "This etext was produced by the PG Shakespeare Team,",
    "sense-and-sensibility_pg161_ascii.txt": "Special thanks are due to Sharon Partridge",
    "jane-eyre_pg1260_ascii.txt": "Transcribed from the 1897 Service & Paton edition",
    "effi-briest_pg5323_latin1_de.txt": "Produced by This eBook was prepared by Gunther Olesch",
}


def _path(name: str) -> Path:
    return BOOKS / name if (BOOKS / name).exists() else EXTRA / name


def _lines(name: str) -> list[str]:
    """The file's lines, decoded as its name (or truth.json) says, split at LF."""
    data = _path(name).read_bytes()
    encoding = TRUTH[name]["encoding"] if name in TRUTH else "utf-8-sig"
    if name not in TRUTH:
        encoding = "latin-1" if "latin1" in name else "ascii" if "ascii" in name else encoding
    return data.decode(encoding).split("\n")


def _flat(text: str) -> str:
    """Text as compared here: one space between words, no _italic_ marks."""
    return " ".join(text.replace("_", "").split())


def _reading(book: Book) -> str:
    return "\n".join(c.text for c in book.chapters if c.linear)


def test_every_gutenberg_text_is_listed() -> None:
    texts = {p.name for p in [*BOOKS.glob("*_pg*.txt"), *EXTRA.glob("*.txt")]}
    assert texts == set(OPENINGS)


@pytest.mark.parametrize("name", sorted(OPENINGS))
def test_reading_starts_and_ends_where_the_book_does(name: str) -> None:
    book = load_book(_path(name))
    opening, closing = OPENINGS[name]
    start_line, end_line = MARKERS[name] if name in MARKERS else (
        TRUTH[name]["pg_start_line"], TRUTH[name]["pg_end_line"])  # fmt: skip
    lines = _lines(name)
    assert "START OF" in lines[start_line - 1].upper()
    assert "END OF" in lines[end_line - 1].upper()
    first = next(i for i in range(start_line, end_line) if lines[i].strip() == opening)
    last = max(i for i in range(first, end_line) if _flat(lines[i]).endswith(closing))

    reading = [c for c in book.chapters if c.linear]
    assert _flat(reading[0].text).startswith(_flat(opening))
    assert _flat(reading[-1].text).endswith(closing)
    # What was left out is in the last chapter, out of the reading order and in the contents.
    about = book.chapters[-1]
    assert (about.key, about.title, about.linear) == (ABOUT_KEY, ABOUT_TITLE, False)
    assert book.toc[-1].title == ABOUT_TITLE
    assert book.toc[-1].chapter == len(book.chapters) - 1
    kept = _flat(about.text)
    for line in [*lines[:first], *lines[last + 1 :]]:
        assert _flat(line) in kept, line
    assert re.search("Project Gutenberg(-tm|™)", about.text)  # the licence
    if name in CREDITS:
        assert CREDITS[name] in about.text
        assert CREDITS[name] not in _reading(book)

    # Nothing of the book is lost: every line between is read, in order.
    text = _flat(_reading(book))
    at = 0
    for line in lines[first : last + 1]:
        if line.strip():
            found = text.find(_flat(line), at)
            assert found >= 0, line
            at = found


def test_lyrical_ballads_html_opens_on_its_title_page() -> None:
    book = load_book(BOOKS / "lyrical-ballads-1798_pg9622_latin1.html")
    first = book.chapters[0]
    assert first.linear
    assert first.text.startswith("LYRICAL BALLADS,\nWITH A FEW OTHER POEMS.")
    assert "Gutenberg" not in first.html
    assert "<pre" not in first.html
    assert "Gutenberg" not in _reading(book)
    assert _reading(book).endswith("END.")
    about = book.chapters[-1]
    assert (about.title, about.linear) == (ABOUT_TITLE, False)
    assert "Title: Lyrical Ballads 1798" in about.text
    assert "Produced by Jonathan Ingram and PG Distributed Proofreaders" in about.text
    assert "*** END OF THIS PROJECT GUTENBERG EBOOK LYRICAL BALLADS 1798 ***" in about.text
    assert "Project Gutenberg-tm" in about.text
    # Read as paragraphs, not as the file's fixed-width lines.
    assert "<pre" not in about.html
    assert "License included\nwith this eBook" not in about.text
    assert "License included with this eBook" in about.text
    # Header fields keep a line each, as in the file.
    assert "[EBook #9622]\nRelease Date: January, 2006\nFirst Posted:" in about.text
    assert book.title == "Lyrical Ballads 1798"


def test_pride_and_prejudice_epub_opens_on_its_title_page() -> None:
    book = load_book(BOOKS / "pride-and-prejudice_pg1342_epub2.epub")
    first = book.chapters[0]
    assert first.linear
    assert first.text.startswith("PRIDE AND PREJUDICE\nBy Jane Austen")
    assert "Gutenberg" not in first.html
    reading = _reading(book)
    assert "Gutenberg" not in reading
    assert reading.endswith("had been the means of uniting them.")
    # The contents still lead to every chapter, and the title page's heading is first.
    assert book.toc[0].title == "PRIDE AND PREJUDICE"
    assert (book.toc[0].chapter, book.toc[0].offset) == (0, 0)
    about = book.chapters[-1]
    assert (about.title, about.linear) == (ABOUT_TITLE, False)
    assert book.toc[-1].title == ABOUT_TITLE
    assert "This eBook is for the use of anyone anywhere" in about.text
    assert "Produced by Anonymous Volunteers, and David Widger" in about.text
    assert "Project Gutenberg-tm" in about.text
    assert about.text.index("START OF THIS") < about.text.index("END OF THIS")


NOT_GUTENBERG = [
    BOOKS / "frankenstein_standardebooks_epub3.epub",
    BOOKS / "lyrical-ballads_standardebooks_epub3.epub",
    BOOKS / "moby-dick_idpf_epub3.epub",
    BOOKS / "songs-of-innocence-and-of-experience_blake.md",
    *sorted(p for p in (CORPUS / "epub-samples").glob("*.epub")),
]


@pytest.mark.parametrize("path", NOT_GUTENBERG, ids=lambda p: p.name)
def test_a_book_without_gutenberg_wrapping_is_untouched(path: Path) -> None:
    book = load_book(path)
    assert all(c.key != ABOUT_KEY for c in book.chapters)
    assert all(e.title != ABOUT_TITLE for e in book.toc)
    if path.suffix != ".epub":
        return
    # Every document's blocks pass through the sorter as they are.
    sorter = GutenbergSorter()
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if not name.endswith((".xhtml", ".html", ".htm")):
                continue
            root = parse_xhtml(archive.read(name), name, [])
            blocks = tree_to_blocks(root, lambda href: href, lambda src: src)
            assert sorter.sort(list(blocks)) == blocks
    assert sorter.about == []


def test_moby_dick_epub_keeps_its_own_copyright_page() -> None:
    # Text taken from Project Gutenberg, without its wrapping: the publisher's page stays.
    book = load_book(BOOKS / "moby-dick_idpf_epub3.epub")
    page = next(c for c in book.chapters if c.title == "Copyright Page")
    assert "Produced by Daniel Lazarus and Jonesey" in page.text


# -- the forms of the wrapping, one by one ----------------------------------------------

LICENCE = (
    "*** START: FULL LICENSE ***\n\nTHE FULL PROJECT GUTENBERG LICENSE\n"
    "PLEASE READ THIS BEFORE YOU DISTRIBUTE OR USE THIS WORK\n"
)
STORY = "CHAPTER I\n\nIt was a dark and stormy night; the rain fell in torrents.\n"


def test_modern_header_credit_and_licence() -> None:
    text = (
        "The Project Gutenberg EBook of A Story, by A. Writer\n\n"
        "This eBook is for the use of anyone anywhere at no cost and with\n"
        "almost no restrictions whatsoever.\n\n"
        "Title: A Story\n\nAuthor: A. Writer\n\nLanguage: English\n\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK A STORY ***\n\n\n\n"
        "Produced by Anonymous Volunteers\n\n\n\n"
        "A STORY\n\n\n\n" + STORY + "\n\n\n"
        "End of the Project Gutenberg EBook of A Story, by A. Writer\n\n"
        "*** END OF THIS PROJECT GUTENBERG EBOOK A STORY ***\n\n" + LICENCE
    )
    parts = split_gutenberg(text)
    assert parts.body.strip() == "A STORY\n\n\n\n" + STORY.strip()
    assert parts.fields == {"title": "A Story", "author": "A. Writer", "language": "English"}
    for kept in ("for the use of anyone anywhere", "Produced by Anonymous Volunteers",
                 "End of the Project Gutenberg EBook", "*** END OF THIS", "FULL LICENSE"):  # fmt: skip
        assert kept in parts.about
    assert parts.about.index("START OF") < parts.about.index("Produced by")


@pytest.mark.parametrize(
    "credit",
    [
        "E-text prepared by Jane Doe\nand the Project Gutenberg Online Distributed\n"
        "Proofreading Team",
        "Transcribed from the 1854 edition by David Price",
        "This etext was produced by the PG Shakespeare Team,\na team of volunteers.",
        "Transcriber's Note: obvious printer's errors have been corrected.",
        "Scanned by Judy Boss, HTML version by Al Haines.",
    ],
)
def test_credits_after_the_start_line_go(credit: str) -> None:
    text = "Title: A\n\n*** START OF THE PROJECT GUTENBERG EBOOK A ***\n\n" + credit
    parts = split_gutenberg(text + "\n\n\n\n" + STORY)
    assert parts.body.strip() == STORY.strip()
    assert " ".join(credit.split()) in " ".join(parts.about.split())


def test_old_small_print_header_and_etext_end() -> None:
    text = (
        "**The Project Gutenberg Etext of Old Story**\n\n"
        "***START**THE SMALL PRINT!**FOR PUBLIC DOMAIN ETEXTS**START***\n"
        'Why is this "Small Print!" statement here?  You know: lawyers.\n\n'
        "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\n\n\n"
        + STORY
        + "\n\nEnd of the Project Gutenberg Etext of Old Story\n\n"
    )
    parts = split_gutenberg(text)
    assert parts.body.strip() == STORY.strip()
    assert "lawyers" in parts.about
    assert "End of the Project Gutenberg Etext" in parts.about


def test_header_without_a_start_line() -> None:
    text = (
        "The Project Gutenberg EBook of A Story\n\n"
        "This eBook is for the use of anyone anywhere at no cost.\n\n"
        "Title: A Story\n\nRelease Date: May 1, 2001 [EBook #1]\n\n\n\n" + STORY
    )
    parts = split_gutenberg(text)
    assert parts.body.strip() == STORY.strip()
    assert parts.fields["title"] == "A Story"
    assert "[EBook #1]" in parts.about


def test_prose_that_mentions_gutenberg_stays() -> None:
    # No START line: a book about printing is a book, whatever it says.
    text = (
        "Produced by the Author\n\n" + STORY + "\nEnd of Project Gutenberg's first year, "
        "the volunteers typed on.\n\nThis eBook is for the use of anyone anywhere, he said.\n"
    )
    parts = split_gutenberg(text)
    assert (parts.body, parts.about, parts.fields) == (text, "", {})
    # Inside a wrapped book, a mention in the middle of a paragraph stays too.
    middle = "He had read it on Project Gutenberg, in an eBook of his own.\n"
    wrapped = "*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\n" + STORY + "\n" + middle
    assert middle in split_gutenberg(wrapped).body


def test_an_end_line_far_from_the_end_is_part_of_the_book() -> None:
    # A collection of files: more than a licence follows the first one's END line.
    first = "*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\n" + STORY
    rest = "\n\nEnd of the Project Gutenberg EBook of X\n\n" + STORY * 2_000
    assert split_gutenberg(first + rest).body.endswith(STORY * 2_000)


def _pre(text: str) -> Block:
    items: list[Run | Break] = []
    for n, line in enumerate(text.split("\n")):
        if n:
            items.append(Break())
        if line:
            items.append(Run(line))
    return Block(kind="p", items=list(items))


def test_blocks_of_a_document_header_credits_and_licence() -> None:
    header = _pre(
        "The Project Gutenberg EBook of A Story\n\nTitle: A Story\n\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK A STORY ***\n\n\n\n"
        "Produced by Anonymous Volunteers\n\n\n"
    )
    title = Block(kind="h1", items=[Run("A STORY")])
    story = Block(kind="p", items=[Run("It was a dark and stormy night.")])
    credit = Block(kind="p", items=[Run("HTML version by Al Haines.")])
    end = _pre(
        "End of the Project Gutenberg EBook of A Story\n\n"
        "*** END OF THIS PROJECT GUTENBERG EBOOK A STORY ***\n\nUpdated editions will replace"
    )
    licence = Block(
        kind="p", items=[Run("Section 1. General Terms of Use of Project Gutenberg-tm")]
    )
    sorter = GutenbergSorter()
    cover = [Block(kind="p", items=[Run("A cover page")])]
    assert sorter.sort(cover) == cover  # before the START line: as it is
    assert sorter.sort([header, title, credit, story, end]) == [title, story]
    # A file of its own after the END line that is Project Gutenberg's: all of it goes.
    assert sorter.sort([licence]) == []
    about = "\n".join(sorter.about)
    for kept in ("Title: A Story", "Produced by Anonymous", "HTML version", "END OF THIS",
                 "General Terms"):  # fmt: skip
        assert kept in about
    # A later file that is not Project Gutenberg's stays.
    note = [Block(kind="p", items=[Run("A note by the editor.")])]
    assert sorter.sort(note) == note


def test_a_start_line_inside_a_block_keeps_the_text_after_it() -> None:
    # A whole book in one <pre>: the header and licence go, the text between stays.
    block = Block(
        kind="pre",
        items=[
            Run(
                "Title: A\n\n*** START OF THE PROJECT GUTENBERG EBOOK A ***\n\n\n"
                "A STORY\n\nIt was night.\n\n*** END OF THE PROJECT GUTENBERG EBOOK A ***\n"
                "licence"
            )
        ],
    )
    kept = GutenbergSorter().sort([block])
    assert [b.plain() for b in kept] == ["A STORY\n\nIt was night."]
    assert [b.kind for b in kept] == ["pre"]


def test_about_chapter_is_listed_last_and_out_of_the_reading_order() -> None:
    book = load_book(BOOKS / "war-and-peace_pg2600_utf8-bom.txt")
    about = book.chapters[-1]
    assert [c.title for c in book.chapters if not c.linear] == [ABOUT_TITLE]
    assert book.toc[-1].title == ABOUT_TITLE
    assert not book.toc[-1].children
    assert about.text.startswith(ABOUT_TITLE + "\nThe Project Gutenberg EBook of War and Peace")
    # The header fields keep a paragraph each.
    assert re.search(r"^Title: War and Peace$", about.text, re.MULTILINE)


def test_current_gutenberg_html_with_a_header_section(tmp_path: Path) -> None:
    # Today's HTML: the header fields, START line and licence in elements of their own.
    page = tmp_path / "pg-new.html"
    page.write_text(
        '<html><head><meta charset="utf-8"><title>A Story</title></head><body>'
        '<section class="pg-boilerplate pgheader" id="pg-header">'
        "<h2>The Project Gutenberg eBook of A Story</h2>"
        "<div>This ebook is for the use of anyone anywhere in the United States.</div>"
        "<p><strong>Title</strong>: A Story</p><p><strong>Author</strong>: A. Writer</p>"
        '<div id="pg-start-separator"><span>*** START OF THE PROJECT GUTENBERG EBOOK'
        " A STORY ***</span></div></section>"
        "<h1>A STORY</h1><h2>CHAPTER I</h2><p>It was a dark and stormy night.</p>"
        "<h2>CHAPTER II</h2><p>The rain fell.</p><h2>CHAPTER III</h2><p>It stopped.</p>"
        '<section class="pg-boilerplate pgheader" id="pg-footer">'
        '<div id="pg-end-separator"><span>*** END OF THE PROJECT GUTENBERG EBOOK'
        " A STORY ***</span></div><div>Updated editions will replace the previous one.</div>"
        "<h2>START: FULL LICENSE</h2><p>THE FULL PROJECT GUTENBERG LICENSE</p></section>"
        "</body></html>",
        "utf-8",
    )
    book = load_book(page)
    reading = _reading(book)
    assert reading.startswith("A STORY\nCHAPTER I")
    assert reading.endswith("It stopped.")
    assert "Gutenberg" not in reading
    assert [e.title for e in book.toc][-1] == ABOUT_TITLE
    assert "CHAPTER I" in [e.title for _d, e in book.toc_entries()]
    about = book.chapters[-1].text
    assert "Title: A Story" in about
    assert "START: FULL LICENSE" in about


def test_markdown_with_gutenberg_wrapping(tmp_path: Path) -> None:
    # Markdown reads "*** START … ***" as emphasis: the line is known without its stars.
    text = (
        "The Project Gutenberg EBook of Songs\n\nTitle: Songs\n\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK SONGS ***\n\n"
        "Produced by Anonymous Volunteers\n\n# SONGS\n\n## THE LAMB\n\nLittle lamb, who made thee?\n\n"
        "## THE TYGER\n\nTyger, tyger, burning bright\n\n## THE FLY\n\nLittle fly\n\n"
        "*** END OF THIS PROJECT GUTENBERG EBOOK SONGS ***\n\nUpdated editions will replace\n"
    )
    path = tmp_path / "songs.md"
    path.write_text(text, "utf-8")
    book = load_book(path)
    reading = _reading(book)
    assert reading.startswith("SONGS")
    assert reading.endswith("Little fly")
    assert "Gutenberg" not in reading
    assert "Produced by Anonymous Volunteers" in book.chapters[-1].text
    assert book.chapters[-1].title == ABOUT_TITLE


def _doc(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>A Story</title></head><body>{body}</body></html>"
    ).encode()


def test_current_gutenberg_epub_contents_lead_to_the_book(tmp_path: Path) -> None:
    # Today's EPUB 3: the contents list the header and the licence too; they lead to
    # "About this file", not to the first and last pages of the book.
    first = _doc(
        '<section id="pg-header"><h2>The Project Gutenberg eBook of A Story</h2>'
        "<p>This ebook is for the use of anyone anywhere in the United States.</p>"
        "<p>Title: A Story</p><p>*** START OF THE PROJECT GUTENBERG EBOOK A STORY ***</p>"
        '</section><h1 id="title">A STORY</h1><h2 id="ch1">CHAPTER I</h2>'
        "<p>It was a dark and stormy night.</p>"
    )
    last = _doc(
        '<h2 id="ch2">CHAPTER II</h2><p>The rain fell, and it stopped.</p>'
        '<section id="pg-footer"><p>*** END OF THE PROJECT GUTENBERG EBOOK A STORY ***</p>'
        '<h2 id="pg-footer-heading">THE FULL PROJECT GUTENBERG LICENSE</h2>'
        "<p>Section 1. General Terms of Use of Project Gutenberg-tm</p></section>"
    )
    links = [
        ("one.xhtml#pg-header", "The Project Gutenberg eBook of A Story"),
        ("one.xhtml#ch1", "CHAPTER I"),
        ("two.xhtml#ch2", "CHAPTER II"),
        ("two.xhtml#pg-footer-heading", "THE FULL PROJECT GUTENBERG LICENSE"),
    ]
    items = "".join(f'<li><a href="{href}">{title}</a></li>' for href, title in links)
    nav = (
        '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml" '
        'xmlns:epub="http://www.idpf.org/2007/ops"><body>'
        f'<nav epub:type="toc"><ol>{items}</ol></nav></body></html>'
    ).encode()
    book = load_book(
        build_epub(tmp_path / "a.epub", [("one.xhtml", first), ("two.xhtml", last)], nav=nav)
    )
    assert [(e.title, e.chapter) for e in book.toc] == [
        ("CHAPTER I", 0), ("CHAPTER II", 1), (ABOUT_TITLE, 2)]  # fmt: skip
    reading = _reading(book)
    assert reading.startswith("A STORY\nCHAPTER I")
    assert reading.endswith("The rain fell, and it stopped.")
    assert "General Terms of Use" in book.chapters[2].text
    assert book.steps().progress(1, len(book.chapters[1].text)) == 1.0

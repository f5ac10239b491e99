"""The PDF layout rules on line records shaped like other producers' pages.

These pages are not the fixtures' layout: A4 with feet instead of heads, heads naming the
chapter, block paragraphs separated by space, columns listed row by row. The rules must
hold for them all.
"""

from __future__ import annotations

from reader_app.core.loaders.pdf_layout import (
    Line,
    Page,
    Para,
    join_lines,
    normalise,
    paragraphs,
    reading_order,
    remove_furniture,
    vocabulary,
)

WIDTH, HEIGHT = 595.0, 842.0
SIZE = 11.0
PITCH = 14.0


def body(
    texts: list[str],
    *,
    top: float = 90.0,
    left: float = 72.0,
    indent: set[int] | None = None,
    width: float = 450.0,
    gaps: set[int] | None = None,
) -> list[Line]:
    """Lines of body text: full width, except last lines of paragraphs (ending in '.')."""
    lines: list[Line] = []
    y = top
    for n, text in enumerate(texts):
        if gaps and n in gaps:
            y += PITCH
        x0 = left + (18 if indent and n in indent else 0)
        x1 = left + (width * 0.5 if text.endswith(".") else width)
        lines.append(Line(text, x0, x1, y, y + SIZE, SIZE))
        y += PITCH
    return lines


def test_heads_naming_the_chapter_and_feet_counting_up_are_removed() -> None:
    pages = []
    for number in range(1, 9):
        head = "The Storm" if number < 5 else "After the Storm"  # changes with the chapter
        lines = [Line(head, 250, 345, 40, 49, 9.0)]
        lines += body([f"text of page {number} goes on", "and on"], top=90)
        lines.append(Line(f"– {number} –", 290, 305, 800, 809, 9.0))
        pages.append(Page(WIDTH, HEIGHT, lines))
    removed = remove_furniture(pages)
    assert removed == 16
    assert all(len(page.lines) == 2 for page in pages)
    assert pages[0].lines[0].text == "text of page 1 goes on"


def test_a_first_line_of_text_near_the_top_is_kept() -> None:
    # Body text starting high on a page, with no running head: nothing repeats there.
    pages = [
        Page(WIDTH, HEIGHT, body([f"Words {n} of a paragraph", "end."], top=60)) for n in range(5)
    ]
    pages[0].lines[0].text = "Chapter One"
    assert remove_furniture(pages) == 0


def test_paragraphs_by_indent_by_gap_and_across_pages() -> None:
    first = Page(WIDTH, HEIGHT, body(["First paragraph starts", "and ends here."], indent={0}))
    first.lines += body(["Second paragraph", "runs on to the next page"], indent={0}, top=118)
    second = Page(
        WIDTH, HEIGHT, body(["and finishes.", "Block paragraph after space", "ends."], gaps={1})
    )
    paras = paragraphs([first, second])
    assert [p.text for p in paras] == [
        "First paragraph starts\nand ends here.",
        "Second paragraph\nruns on to the next page\nand finishes.",
        "Block paragraph after space\nends.",
    ]
    assert paras[1].page == 0
    assert paras[1].page_starts == [(len("Second paragraph\nruns on to the next page\n"), 1)]


def test_headings_are_found_by_font_size() -> None:
    page = Page(WIDTH, HEIGHT, [Line("Part One", 200, 380, 80, 104, 24.0)])
    page.lines += body(["Text set in the body size, which", "most characters use."], top=130)
    page.lines.append(Line("A Section", 72, 200, 170, 186, 15.0))
    page.lines += body(["More text in the body size again", "to the end."], top=200)
    paras = paragraphs([page])
    assert [(p.text, p.level) for p in paras] == [
        ("Part One", 1),
        ("Text set in the body size, which\nmost characters use.", 0),
        ("A Section", 2),
        ("More text in the body size again\nto the end.", 0),
    ]


def test_columns_listed_row_by_row_are_read_column_by_column() -> None:
    lines = []
    for row in range(10):
        y = 100 + row * PITCH
        lines.append(Line(f"left {row}", 50, 280, y, y + SIZE, SIZE))
        lines.append(Line(f"right {row}", 310, 545, y, y + SIZE, SIZE))
    title = Line("A Title Across Both Columns", 150, 450, 60, 80, 18.0)
    page = Page(WIDTH, HEIGHT, [*lines, title])
    order = [line.text for group in reading_order(page) for line in group]
    assert order == [
        "A Title Across Both Columns",
        *(f"left {row}" for row in range(10)),
        *(f"right {row}" for row in range(10)),
    ]


def test_hyphens_at_line_ends_by_the_books_own_vocabulary() -> None:
    paras = [
        Para("an excessively known and well known word, a merchant, a man of all work", 0, 0, 0.0),
        Para(
            "it was exces\ufffe\nsively well\ufffe\nknown to the Anglo-\nSaxon merchant-\nman",
            0,
            0,
            0.0,
        ),
        Para("a well-known fact and a co-\noperative, by-\nways", 0, 1, 0.0),
    ]
    words, compounds = vocabulary(paras)
    assert "exces" not in words
    assert "sively" not in words
    for para in paras:
        join_lines(para, words, compounds)
    # "excessively" is a word of the book: joined. "wellknown" is not, and "well-known" is
    # a compound of the book: the hyphen stays. A capital after the break keeps it too, and
    # so do two words of the book whose joined form is not one.
    assert paras[1].text == "it was excessively well-known to the Anglo-Saxon merchant-man"
    # Neither "cooperative" nor "operative" is known: a word's middle; "by" and "ways"
    # are not words of this little book either.
    assert paras[2].text == "a well-known fact and a cooperative, byways"


def test_page_starts_follow_the_joined_text() -> None:
    para = Para(
        "the first page ends in a bro\ufffe\nken word and\nthe next",
        0,
        3,
        0.0,
        [
            (len("the first page ends in a bro\ufffe\n"), 4),
            (len("the first page ends in a bro\ufffe\nken word and\n"), 5),
        ],
    )
    join_lines(para, {"broken"}, set())
    assert para.text == "the first page ends in a broken word and the next"
    assert [para.text[offset:] for offset, _ in para.page_starts] == [
        "ken word and the next",
        "the next",
    ]


def test_ligatures_odd_spaces_and_controls_are_normalised() -> None:
    assert normalise("e\ufb03cient\xa0o\ufb00er\x01 \ufb02ow") == "efficient offer flow"
    assert normalise("line end\x02") == "line end\x02"  # pdfium's hyphen marker is kept


def test_an_outline_of_parts_and_chapters_cuts_at_chapters() -> None:
    from reader_app.core.loaders.pdf_chapters import OutlineEntry, build_chapters

    long_text = "word " * 13_000  # each part far longer than a chapter the view lays out well
    paras = [
        Para("Part One", 1, 0, 100.0),
        Para("Chapter 1", 2, 1, 100.0),
        Para(long_text.strip(), 0, 1, 140.0),
        Para("Chapter 2", 2, 5, 100.0),
        Para(long_text.strip(), 0, 5, 140.0),
        Para("Part Two", 1, 9, 100.0),
        Para("Chapter 3", 2, 10, 100.0),
        Para(long_text.strip(), 0, 10, 140.0),
    ]
    outline = [
        OutlineEntry("Part One", 0, 0, 90.0),
        OutlineEntry("Chapter 1", 1, 1, 90.0),
        OutlineEntry("Chapter 2", 1, 5, 90.0),
        OutlineEntry("Part Two", 0, 9, 90.0),
        OutlineEntry("Chapter 3", 1, 10, 90.0),
    ]
    labels = [str(n + 1) for n in range(12)]
    chapters, toc = build_chapters(paras, labels, outline, [])
    # A part's title page holds only its heading: it opens its first chapter.
    assert [c.title for c in chapters] == ["Chapter 1", "Chapter 2", "Chapter 3"]
    assert chapters[0].text.startswith("Part One\nChapter 1\nword")
    assert [c.pages[0][1] for c in chapters] == ["1", "6", "10"]
    assert [(e.title, [c.title for c in e.children]) for e in toc] == [
        ("Part One", ["Chapter 1", "Chapter 2"]),
        ("Part Two", ["Chapter 3"]),
    ]

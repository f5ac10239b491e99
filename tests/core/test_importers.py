"""Reading Kindle clippings and W3C annotation JSON into importable annotations."""

from __future__ import annotations

import json

import pytest

from reader_app.core.importers import KINDLE, W3C, detect_format
from reader_app.core.importers.clippings import (
    parse_clippings,
    parse_date,
    split_title_author,
    to_annotations,
)
from reader_app.core.importers.w3c import parse_w3c

SEP = "=========="


def _record(title: str, details: str, text: str) -> str:
    return f"{title}\n{details}\n\n{text}\n{SEP}\n"


# --- Kindle: layouts -------------------------------------------------------------------


def test_bom_crlf_and_the_current_layout_with_a_page() -> None:
    text = (
        "\ufeffPride and Prejudice (Jane Austen)\r\n"
        "- Your Highlight on page 12 | Location 170-172 | Added on Monday, April 21, 2014"
        " 10:08:07 PM\r\n\r\nIt is a truth universally acknowledged.\r\n==========\r\n"
    )
    report = parse_clippings(text)
    assert report.problems == []
    (clip,) = report.clippings
    assert clip.title == "Pride and Prejudice"
    assert clip.author == "Jane Austen"
    assert clip.kind == "highlight"
    assert clip.text == "It is a truth universally acknowledged."
    assert clip.page == "12"
    assert clip.location == (170, 172)
    assert clip.added == "2014-04-21T22:08:07"  # the device's local time, no zone
    assert (clip.record, clip.line) == (1, 1)


def test_location_without_a_page() -> None:
    text = _record(
        "Book (Author)",
        "- Your Highlight on Location 170-172 | Added on Monday, April 21, 2014 10:08:07 AM",
        "Words.",
    )
    (clip,) = parse_clippings(text).clippings
    assert clip.page == ""
    assert clip.location == (170, 172)
    assert clip.added == "2014-04-21T10:08:07"


def test_the_old_layout_with_a_zone_and_a_two_digit_year() -> None:
    text = _record(
        "Book (Author)",
        "- Highlight Loc. 13169 | Added on Saturday, 26 July 14 21:37:48 GMT+01:00",
        "Old words.",
    )
    (clip,) = parse_clippings(text).clippings
    assert clip.location == (13169, 13169)
    assert clip.added == "2014-07-26T21:37:48+01:00"  # the zone the file gives is kept


def test_the_old_layout_with_a_page_and_a_shortened_range() -> None:
    text = _record(
        "Book (Author)",
        "- Highlight on Page 134 | Loc. 2045-47 | Added on Thursday, February 24, 2011, 08:43 PM",
        "Older words.",
    )
    (clip,) = parse_clippings(text).clippings
    assert clip.page == "134"
    assert clip.location == (2045, 2047)
    assert clip.added == "2011-02-24T20:43:00"


@pytest.mark.parametrize(
    ("details", "page"),
    [
        (
            "- Ihre Markierung bei Position 170-172 | Hinzugefügt am Montag, 21. April 2014 22:08:07",
            "",
        ),
        (
            "- Ihre Markierung auf Seite 12 | Position 170-172 | Hinzugefügt am Montag, 21. April 2014 22:08:07",
            "12",
        ),
        (
            "- Votre surlignement sur la page 12 | emplacement 170-172 | Ajouté le lundi 21 avril 2014 22:08:07",
            "12",
        ),
        (
            "- Tu subrayado en la página 12 | posición 170-172 | Añadido el lunes, 21 de abril de 2014 22:08:07",
            "12",
        ),
        ("- 您在第 12 页（位置 #170-172）的标注 | 添加于 2014年4月21日星期一 下午10:08:07", "12"),
        ("- 您在位置 #170-172的标注 | 添加于 2014年4月21日星期一 下午10:08:07", ""),
    ],
)
def test_localized_highlights(details: str, page: str) -> None:
    (clip,) = parse_clippings(_record("Das Buch (Autor)", details, "Ein Satz.")).clippings
    assert clip.kind == "highlight"
    assert clip.page == page
    assert clip.location == (170, 172)
    assert clip.added == "2014-04-21T22:08:07"  # the device's local time, no zone


@pytest.mark.parametrize(
    ("note", "bookmark"),
    [
        (
            "- Ihre Notiz bei Position 172 | Hinzugefügt am Montag, 21. April 2014 22:09:00",
            "- Ihr Lesezeichen bei Position 180 | Hinzugefügt am Montag, 21. April 2014 22:10:00",
        ),
        (
            "- Votre note sur la page 12 | emplacement 172 | Ajouté le lundi 21 avril 2014 22:09:00",
            "- Votre signet sur la page 12 | emplacement 180 | Ajouté le lundi 21 avril 2014 22:10:00",
        ),
        (
            "- Tu nota en la página 12 | posición 172 | Añadido el lunes, 21 de abril de 2014 22:09:00",
            "- Tu marcador en la página 12 | posición 180 | Añadido el lunes, 21 de abril de 2014 22:10:00",
        ),
        (
            "- 您在位置 #172的笔记 | 添加于 2014年4月21日星期一 下午10:09:00",
            "- 您在位置 #180的书签 | 添加于 2014年4月21日星期一 下午10:10:00",
        ),
    ],
)
def test_localized_notes_pair_and_bookmarks_are_skipped(note: str, bookmark: str) -> None:
    highlight = "- Your Highlight on Location 170-172 | Added on Monday, April 21, 2014 10:08:07 PM"
    text = (
        _record("B (A)", highlight, "The passage.")
        + _record("B (A)", note, "My thought.")
        + _record("B (A)", bookmark, "")
    )
    report = parse_clippings(text)
    assert report.problems == []
    (clip,) = report.clippings
    assert (clip.text, clip.note) == ("The passage.", "My thought.")


def test_titles_with_parentheses_keep_them() -> None:
    assert split_title_author("The Hobbit (Illustrated) (Tolkien, J. R. R.)") == (
        "The Hobbit (Illustrated)",
        "Tolkien, J. R. R.",
    )
    assert split_title_author("Essays (Smith, John (Ed.))") == ("Essays", "Smith, John (Ed.)")
    assert split_title_author("No Author Here") == ("No Author Here", "")
    assert split_title_author("(Only Parentheses)") == ("(Only Parentheses)", "")


def test_a_bom_before_every_title_and_several_authors() -> None:
    details = "- Your Highlight on Location 1-2 | Added on Monday, April 21, 2014 10:08:07 PM"
    text = _record("\ufeffOne (A)", details, "x y z") + _record("\ufeffTwo (B; C)", details, "q")
    first, second = parse_clippings(text).clippings
    assert (first.title, second.title) == ("One", "Two")
    assert second.authors == ("B", "C")


def test_a_note_pairs_with_the_highlight_it_ends() -> None:
    details = "- Your {} on Location {} | Added on Monday, April 21, 2014 10:0{}:00 PM"
    text = (
        _record("B (A)", details.format("Highlight", "170-172", 1), "First passage.")
        + _record("B (A)", details.format("Highlight", "172-175", 2), "Second passage.")
        + _record("B (A)", details.format("Note", "175", 3), "On the second.")
        + _record("Other (A)", details.format("Note", "172", 4), "Another book's note.")
    )
    clips = parse_clippings(text).clippings
    assert [(c.kind, c.text, c.note) for c in clips] == [
        ("highlight", "First passage.", ""),
        ("highlight", "Second passage.", "On the second."),
        ("note", "Another book's note.", ""),  # no highlight of that book: kept on its own
    ]
    lone = to_annotations(clips)[2]
    assert (lone.quote, lone.note, lone.source) == ("", "Another book's note.", KINDLE)


def test_a_redone_highlight_keeps_the_last_and_neighbours_survive() -> None:
    details = "- Your Highlight on Location {} | Added on Monday, April 21, 2014 10:0{}:00 PM"
    text = (
        _record("B (A)", details.format("170-171", 1), "It is a truth universally")
        + _record("B (A)", details.format("171-172", 2), "A different sentence nearby.")
        + _record("B (A)", details.format("170-172", 3), "It is a truth universally acknowledged")
        + _record("Other (A)", details.format("170-172", 4), "It is a truth universally")
    )
    report = parse_clippings(text)
    assert report.duplicates == 1
    assert [c.text for c in report.clippings] == [
        "A different sentence nearby.",
        "It is a truth universally acknowledged",
        "It is a truth universally",  # the same words in another book are another highlight
    ]
    assert report.clippings[1].added == "2014-04-21T22:03:00"


def test_a_highlight_moved_over_the_same_place_is_a_duplicate() -> None:
    details = "- Your Highlight on Location {} | Added on Monday, April 21, 2014 10:0{}:00 PM"
    text = _record(
        "B (A)", details.format("170-172", 1), "the quick brown fox jumps over the lazy"
    ) + _record("B (A)", details.format("171-173", 2), "brown fox jumps over the lazy dog today")
    report = parse_clippings(text)
    assert [c.text for c in report.clippings] == ["brown fox jumps over the lazy dog today"]
    assert report.duplicates == 1


def test_a_malformed_record_is_reported_and_the_others_kept() -> None:
    good = "- Your Highlight on Location 1-2 | Added on Monday, April 21, 2014 10:08:07 PM"
    text = (
        _record("B (A)", good, "Kept one.")
        + "B (A)\n- Something odd happened here\n\nLost.\n==========\n"
        + "Lonely line only\n==========\n"
        + _record("B (A)", good.replace("1-2", "9-9"), "")
        + _record("B (A)", good.replace("1-2", "20-21"), "Kept two.")
    )
    report = parse_clippings(text)
    assert [c.text for c in report.clippings] == ["Kept one.", "Kept two."]
    assert report.problems == [
        "record 2 (line 6): “Something odd happened here” is not a highlight, note or bookmark",
        "record 3 (line 11): it has no details line (kind, location, date)",
        "record 4 (line 13): the highlight has no text",
    ]


def test_the_clipping_limit_message_is_not_a_quote() -> None:
    details = "- Your Highlight on Location 1-2 | Added on Monday, April 21, 2014 10:08:07 PM"
    text = _record("B (A)", details, " <You have reached the clipping limit for this item>")
    report = parse_clippings(text)
    assert report.clippings == []
    assert "clipping limit" in report.problems[0]


def test_an_unreadable_date_is_kept_as_text() -> None:
    details = "- Your Highlight on Location 1-2 | Added on Someday, sometime"
    (clip,) = parse_clippings(_record("B (A)", details, "Words.")).clippings
    assert clip.added == "Someday, sometime"
    assert parse_date("Added on 31 February 2014 10:00") is None


def test_multiline_text_and_blank_tail() -> None:
    details = "- Your Highlight on Location 1-3 | Added on Monday, April 21, 2014 10:08:07 PM"
    text = (
        _record("Poems (Blake)", details, "Tyger Tyger, burning bright,\nIn the forests") + "\n\n"
    )
    (clip,) = parse_clippings(text).clippings
    assert clip.text == "Tyger Tyger, burning bright,\nIn the forests"


# --- format detection ------------------------------------------------------------------


def test_detect_format() -> None:
    details = "- Your Highlight on Location 1-2 | Added on Monday, April 21, 2014 10:08:07 PM"
    assert detect_format(_record("[Series] Book (A)", details, "x")) == KINDLE
    assert detect_format('\ufeff  {"type": "AnnotationCollection"}') == W3C
    assert detect_format("[]") == W3C
    assert detect_format("[tool.ruff]\nline-length = 100\n") is None
    assert detect_format("Just some notes.\n") is None


# --- W3C -------------------------------------------------------------------------------

BOOK = "ab" * 32


def _item(**overrides: object) -> dict[str, object]:
    item: dict[str, object] = {
        "id": "urn:tone-reader:highlight:1",
        "type": "Annotation",
        "motivation": "describing",
        "created": "2024-05-01T12:00:01.000Z",
        "modified": "2024-05-01T12:00:05.000Z",
        "tone:color": "joy",
        "body": [
            {
                "type": "TextualBody",
                "purpose": "describing",
                "value": "Tone: Wry",
                "tone:analysis": {"tone": "Wry", "emotions": [{"name": "joy", "intensity": 0.5}]},
            },
            {"type": "TextualBody", "purpose": "tagging", "value": "joy", "tone:intensity": 0.5},
            {"type": "TextualBody", "purpose": "commenting", "value": "My note"},
        ],
        "tone:provenance": {
            "model": "claude-x",
            "prompt_version": "p3",
            "analysed_at": "2024-05-01T12:00:03.000Z",
            "input_tokens": 120,
            "output_tokens": 30,
            "cost_usd": 0.0021,
            "corrected": True,
        },
        "target": {
            "source": f"urn:sha256:{BOOK}",
            "tone:bookTitle": "Pride and Prejudice",
            "tone:bookAuthors": ["Jane Austen"],
            "tone:chapter": 3,
            "tone:section": "Chapter 4",
            "tone:orphaned": False,
            "selector": [
                {"type": "TextQuoteSelector", "exact": "quote", "prefix": "a ", "suffix": " b"},
                {"type": "TextPositionSelector", "start": 10, "end": 15},
            ],
        },
    }
    item.update(overrides)
    return item


def _collection(items: list[object]) -> str:
    return json.dumps(
        {"type": "AnnotationCollection", "first": {"type": "AnnotationPage", "items": items}}
    )


def test_w3c_reads_everything_our_export_writes() -> None:
    report = parse_w3c(_collection([_item()]))
    assert report.problems == []
    (item,) = report.items
    assert item.book_id == BOOK
    assert (item.book_title, item.book_authors) == ("Pride and Prejudice", ("Jane Austen",))
    assert (item.chapter, item.section, item.start, item.end) == (3, "Chapter 4", 10, 15)
    assert (item.quote, item.prefix, item.suffix) == ("quote", "a ", " b")
    assert (item.color, item.note, item.orphaned) == ("joy", "My note", False)
    assert (item.created, item.modified) == ("2024-05-01T12:00:01.000Z", "2024-05-01T12:00:05.000Z")
    assert item.analysis == {"tone": "Wry", "emotions": [{"name": "joy", "intensity": 0.5}]}
    p = item.provenance
    assert (p.model, p.prompt_version, p.analysed_at) == (
        "claude-x",
        "p3",
        "2024-05-01T12:00:03.000Z",
    )
    assert (p.input_tokens, p.output_tokens, p.cost_usd, p.corrected) == (120, 30, 0.0021, True)
    assert item.source == W3C


def test_w3c_a_bare_list_a_single_annotation_and_import_ids() -> None:
    placeholder = _item(
        target={"source": "import:0123", "selector": {"type": "TextQuoteSelector", "exact": "x"}}
    )
    assert parse_w3c(json.dumps([placeholder])).items[0].book_id == "import:0123"
    single = parse_w3c(json.dumps(_item(body={"purpose": "commenting", "value": "n"})))
    (item,) = single.items
    assert (item.note, item.analysis) == ("n", None)


def test_w3c_bad_items_are_reported_and_good_ones_kept() -> None:
    no_quote = _item(body=[])
    no_quote["target"] = {"source": "urn:sha256:" + BOOK, "selector": []}
    bad_position = _item()
    bad_position["target"] = dict(
        _item()["target"],  # type: ignore[arg-type]
        selector=[
            {"type": "TextQuoteSelector", "exact": "kept"},
            {"type": "TextPositionSelector", "start": 9, "end": 3},
        ],
    )
    note_only = _item(body=[{"purpose": "commenting", "value": "only a note"}])
    note_only["target"] = {
        "source": "import:ab",
        "selector": {"type": "TextQuoteSelector", "exact": ""},
    }
    items: list[object] = [_item(), 42, {"type": "Annotation"}, no_quote, bad_position, note_only]
    report = parse_w3c(_collection(items))
    assert [i.quote for i in report.items] == ["quote", "kept", ""]
    assert report.items[1].start is None  # a broken position is only a lost hint
    assert report.items[2].note == "only a note"
    assert report.problems == [
        "item 2: not an annotation object",
        "item 3: it has no target",
        "item 4: it has no TextQuoteSelector",
    ]


def test_w3c_broken_or_foreign_json() -> None:
    broken = parse_w3c('{"type": ')
    assert broken.items == []
    assert broken.problems[0].startswith("not valid JSON: line 1")
    assert parse_w3c('{"hello": 1}').problems == [
        "no W3C annotations found (expected an AnnotationCollection)"
    ]


def test_w3c_times_in_another_zone_become_utc() -> None:
    (item,) = parse_w3c(json.dumps([_item(created="2024-05-01T14:00:00+02:00")])).items
    assert item.created == "2024-05-01T12:00:00.000Z"

"""The English details line is read in one match, with the same result as the keyword reading."""

from __future__ import annotations

import re

import pytest

from reader_app.core.importers import clippings
from reader_app.core.importers.clippings import parse_clippings

DETAILS = [
    "- Your Highlight on page 12 | Location 170-172 | Added on Monday, April 21, 2014 10:08:07 PM",
    "- Your Highlight on Location 2045-47 | Added on Saturday, July 26, 2014 12:00:00 AM",
    "- Your Highlight at Location 9 | Added on Friday, January 1, 2016 12:30:59 PM",
    "- Your Note on page xii | Location 171 | Added on Monday, April 21, 2014 10:09:00 AM",
    "- Your Bookmark on page 3 | Location 40 | Added on Monday, April 21, 2014 1:00:00 AM",
    "- Your Highlight on Location 5-6 | Added on Monday, February 30, 2014 1:00:00 AM",
    "- Your Highlight on Location 5-6 | Added on Monday, April 21, 2014 13:00:00 PM",
    "- Your Highlight on Location 5-6 | Added on Monday, April 21, 2014 0:05:00 AM",
    "- Your Highlight on Location 5-6 | Added on Monday, Sept 21, 2014 1:05:00 AM",
    "- Your Highlight on Location 5-6 | Added on Monday, Foo 21, 2014 1:05:00 AM",
]
BODIES = ["It was the best of times.", "", "<You have reached the clipping limit for this item>"]


def file_text(details: str, body: str) -> str:
    record = "Pride and Prejudice (Austen, Jane)\n{}\n\n{}\n==========\n"
    # A highlight and its note at the same place, so that attaching notes is compared too.
    return record.format(details, body) + record.format(details.replace("Highlight", "Note"), "n")


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("details", DETAILS)
def test_one_match_reads_as_the_keywords_do(
    details: str, body: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = file_text(details, body)
    fast = parse_clippings(text)
    monkeypatch.setattr(clippings, "_ENGLISH_DETAILS", re.compile(r"(?!)"))
    assert parse_clippings(text) == fast


def test_the_one_match_is_taken_for_the_usual_line() -> None:
    assert clippings._ENGLISH_DETAILS.fullmatch(DETAILS[0]) is not None
    report = parse_clippings(file_text(DETAILS[0], BODIES[0]))
    (clip,) = report.clippings
    assert (clip.page, clip.location, clip.added, clip.note) == (
        "12",
        (170, 172),
        "2014-04-21T22:08:07",
        "n",
    )

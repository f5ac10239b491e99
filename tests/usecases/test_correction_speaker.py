"""A corrected answer kept as an example keeps who speaks, unless nobody could tell."""

from __future__ import annotations

from reader_app.core.records import Highlight
from reader_app.usecases.correction import example_from


def _highlight() -> Highlight:
    return Highlight(
        id=1, book_id="b", chapter=0, chapter_key="c0", start=0, end=11, quote='"Nonsense!"',
        prefix="", suffix="", color="anger", note="", orphaned=False,
        created_at="2026-12-05T00:00:00.000Z", updated_at="2026-12-05T00:00:00.000Z",
    )  # fmt: skip


def _result(speaker: str, addressee: str) -> dict[str, object]:
    return {
        "tone": "Dismissive", "polarity": "negative",
        "emotions": [{"name": "anger", "intensity": 0.6}], "explanation": "Short and sharp.",
        "speaker": speaker, "addressee": addressee,
    }  # fmt: skip


def test_the_speaker_and_addressee_go_into_the_example() -> None:
    example = example_from(_highlight(), _result(" Lady  Catherine ", "Elizabeth"), "P&P, Ch 56")
    assert (example.speaker, example.addressee) == ("Lady Catherine", "Elizabeth")
    assert example.tags == ("corrected",)


def test_an_unknown_speaker_teaches_nothing_and_is_left_out() -> None:
    example = example_from(_highlight(), _result("unknown", "Unknown"), "")
    assert (example.speaker, example.addressee) == ("", "")

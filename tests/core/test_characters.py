"""Speaker names gathered into characters (reader_app/core/characters.py)."""

from __future__ import annotations

from reader_app.core.annotations import Annotation
from reader_app.core.characters import character_names, characters_of


def test_one_person_in_several_forms_is_one_character() -> None:
    names = character_names(
        ["Mr. Darcy", "Darcy", "Fitzwilliam Darcy", "Mr Darcy", "mr. darcy", "Mr. Darcy"]
    )
    assert set(names.values()) == {"Mr. Darcy"}  # the form met most often is shown


def test_titles_keep_a_family_apart() -> None:
    names = character_names(
        ["Mr. Bennet", "Mrs. Bennet", "Elizabeth Bennet", "Elizabeth", "Jane Bennet", "Bennet"]
    )
    assert names["Mr. Bennet"] == "Mr. Bennet"
    assert names["Mrs. Bennet"] == "Mrs. Bennet"
    assert names["Elizabeth"] == "Elizabeth Bennet"
    # "Bennet" fits four people: it stays on its own.
    assert names["Bennet"] == "Bennet"
    assert len(set(names.values())) == 5


def test_a_titled_name_joins_the_only_full_name_of_its_family() -> None:
    names = character_names(["Mr. Collins", "William Collins", "Collins"])
    assert set(names.values()) == {"William Collins"}


def test_narrator_and_unknown_join_nobody() -> None:
    names = character_names(["narrator", "Narrator", "The Narrator", "unknown", "Unknown"])
    assert names["Narrator"] == names["narrator"]
    assert names["unknown"] == names["Unknown"]
    assert names["The Narrator"] == "The Narrator"


def test_names_in_other_scripts_and_languages() -> None:
    names = character_names(["Пьер", "Пьер Безухов", "Monsieur Grandet", "Grandet", "señora Ana"])
    assert names["Пьер"] == "Пьер Безухов"
    assert names["Grandet"] == "Monsieur Grandet"


def _annotation(
    hid: int, chapter: int, speaker: str, emotion: str, tone: str, addressee: str = ""
) -> Annotation:
    analysis = {
        "tone": tone,
        "polarity": "negative",
        "emotions": [{"name": emotion, "intensity": 0.8}, {"name": "fear", "intensity": 0.2}],
        "evidence": [],
        "explanation": "",
        "confidence": 0.7,
        "speaker": speaker,
        "addressee": addressee,
    }
    return Annotation(
        highlight_id=hid, book_id="b", book_title="Book", book_authors=(), chapter=chapter,
        section=f"Chapter {chapter + 1}", start=hid * 10, end=hid * 10 + 5, quote=f"q{hid}",
        analysis=analysis,
    )  # fmt: skip


def test_characters_of_a_book_count_emotions_tones_and_addressees() -> None:
    annotations = [
        _annotation(1, 0, "Mrs. Bennet", "anger", "Exasperated", "Mr. Bennet"),
        _annotation(2, 2, "Mrs Bennet", "anger", "Exasperated", "Mr Bennet"),
        _annotation(3, 1, "Mrs. Bennet", "joy", "Delighted", "Jane"),
        _annotation(4, 0, "Mr. Bennet", "joy", "Dry", "Mrs. Bennet"),
        _annotation(5, 0, "unknown", "joy", "Dry"),
        _annotation(6, 0, "", "joy", "Dry"),
    ]
    found = characters_of(annotations)
    assert [(c.name, c.passages) for c in found] == [("Mrs. Bennet", 3), ("Mr. Bennet", 1)]
    wife = found[0]
    assert wife.aliases == ("Mrs Bennet",)
    assert wife.dominant_emotion == "anger"
    assert wife.emotions[0] == ("anger", round(1.6 / 3.0, 3))
    assert wife.tones == (("Exasperated", 2), ("Delighted", 1))
    assert wife.addressees[0] == ("Mr. Bennet", 2)  # "Mr Bennet" is the same person
    # The timeline runs in reading order.
    assert [p.chapter for p in wife.points] == [0, 1, 2]
    assert [p.emotion for p in wife.points] == ["anger", "joy", "anger"]


def test_analyses_from_before_speakers_give_no_characters() -> None:
    old = _annotation(1, 0, "", "joy", "Dry")
    assert characters_of([old]) == []


def test_speaker_labels_match_as_the_same_person() -> None:
    from reader_app.core.evaluation import match_label

    assert match_label("Darcy", "Mr. Darcy", "speaker")
    assert match_label("Narrator", "narrator", "speaker")
    assert not match_label("Mr. Bennet", "Mrs. Bennet", "speaker")
    assert not match_label("", "Elizabeth", "speaker")
    assert match_label("Lizzy", "Elizabeth | Lizzy", "speaker")  # alternatives

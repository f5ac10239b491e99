"""The tone glossary as Markdown and as an Anki deck: word → definition, with the passage.

The Anki deck is "Tone Reader — Tone words (B1, English)" with the note type "Tone Reader
tone word" (fields Word, Definition, Passage, Label, Book): the front asks what the word
means, the back gives the definition and the passage it was met in. Ids are derived from
names and words, so a newer export updates the cards already in Anki.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from reader_app.core.exporters.anki import MODEL_TIME, package_bytes, stable_id
from reader_app.core.exporters.common import APP_NAME
from reader_app.core.exporters.markdown import escape as md_escape

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.glossary import MetWord

MODEL_NAME = f"{APP_NAME} tone word"
FIELDS = ("Word", "Definition", "Passage", "Label", "Book")
FRONT = '<div class="word">{{Word}}</div>\n<div class="ask">What does this tone word mean?</div>'
BACK = """{{FrontSide}}
<hr id="answer">
<div class="definition">{{Definition}}</div>
<div class="passage">{{Passage}}</div>
<div class="book">“{{Label}}” — {{Book}}</div>"""
CSS = """.card { font-family: Georgia, serif; font-size: 20px; color: #222; background: #fff;
  text-align: left; max-width: 40em; margin: 0 auto; }
.word { font-size: 1.6em; font-weight: bold; }
.ask { color: #666; font-size: .8em; margin-top: .6em; }
.passage { font-style: italic; border-left: 4px solid #bbb; padding-left: .6em; margin: .8em 0; }
.book { color: #666; font-size: .8em; }
.nightMode .card, .night_mode .card { color: #eee; background: #222; }"""


def glossary_markdown(entries: Sequence[tuple[MetWord, str]], level: str, language: str) -> str:
    """The glossary as Markdown: one section per word, its definition and first passage."""
    lines = [f"# Tone words ({level}, {language})", ""]
    for met, definition in entries:
        lines.append(f"## {md_escape(met.word)}")
        lines.append("")
        lines.append(md_escape(definition) if definition else "*Not defined yet.*")
        lines.append("")
        where = f"{met.book_title}, {met.section}" if met.section else met.book_title
        lines.append("> " + md_escape(met.quote).replace("\n", "\n> "))
        lines.append("")
        lines.append(f"— “{md_escape(met.label)}”, {md_escape(where)}; met {met.count}×")
        lines.append("")
    return "\n".join(lines)


def glossary_anki(entries: Sequence[tuple[MetWord, str]], level: str, language: str) -> bytes:
    """The defined words as an Anki package; words without a definition are left out."""
    import genanki

    label = f"{APP_NAME} — Tone words ({level}, {language})"
    deck = genanki.Deck(stable_id(label), label)
    model: Any = genanki.Model(
        stable_id(MODEL_NAME),
        MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "What does it mean?", "qfmt": FRONT, "afmt": BACK}],
        css=CSS,
    )
    for met, definition in entries:
        if not definition:
            continue
        where = f"{met.book_title}, {met.section}" if met.section else met.book_title
        fields = [escape(met.word), escape(definition), escape(met.quote).replace("\n", "<br>"),
                  escape(met.label), escape(where)]  # fmt: skip
        guid = genanki.guid_for(label, met.word)
        deck.add_note(genanki.Note(model=model, fields=fields, guid=guid, tags=["tone-word"]))
    # Notes stamped with the note type's fixed time: the same glossary, the same deck.
    return package_bytes(genanki.Package(deck), {}, MODEL_TIME)

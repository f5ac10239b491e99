"""An Anki package (.apkg): one card per analysed highlight, "how does this sound?".

The deck is "Tone Reader — <book title>" (or "— Library"), the note type "Tone Reader tone
card" with the fields Excerpt, Tone, Emotions, Explanation, Book, Section, Provenance.
The front shows the excerpt and asks how it sounds; the back adds the tone, the emotions
(with Plutchik colour swatches), the explanation and evidence (the Explanation field also
carries the reader's note), the book and section, and where the analysis came from.

Ids are derived, never random, so importing a newer export updates the cards already in
Anki instead of adding copies: deck and note-type ids hash their names, and a note's guid
is the highlight's stable key (``common.stable_keys``: book, creation time and quote).

Times are derived too. Anki updates a note on import when the note in the package is newer
than its own, so a note's modification time is when its content last changed in the
library: the latest of the highlight's creation and last change (a note, a colour, a
correction, a new analysis all change it) and its analysis's time, never the export time.
Re-importing an unchanged deck then updates nothing, and the reader's own edits in Anki
stay until the highlight really changes. The note type's time is fixed with its templates,
and note and card ids count up from the earliest highlight's time, so the same library
gives the same package byte for byte whenever it is exported.

Highlights without an analysis have nothing to ask about and are left out; use
:func:`anki_card_count` to tell the reader how many cards there are (and so how many
highlights were skipped).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import sqlite3
import zipfile
from html import escape
from typing import TYPE_CHECKING, Any

from reader_app.core.exporters.common import (
    APP_NAME,
    emotion_color,
    export_label,
    group_by_book,
    guess_text,
    parse_time,
    percent,
    provenance_text,
    section_label,
    stable_keys,
)
from reader_app.core.tone_result import speaker_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.annotations import Annotation

MODEL_NAME = f"{APP_NAME} tone card"
FIELDS: tuple[str, ...] = (
    "Excerpt", "Tone", "Emotions", "Explanation", "Book", "Section", "Provenance"
)  # fmt: skip
FRONT = '<div class="excerpt">{{Excerpt}}</div>\n<div class="ask">How does this sound?</div>'
BACK = """{{FrontSide}}
<hr id="answer">
<div class="tone">{{Tone}}</div>
<div class="emotions">{{Emotions}}</div>
<div class="explanation">{{Explanation}}</div>
<div class="book">{{Book}}{{#Section}} — {{Section}}{{/Section}}</div>
<div class="provenance">{{Provenance}}</div>"""
CSS = """.card { font-family: Georgia, serif; font-size: 20px; color: #222; background: #fff;
  text-align: left; max-width: 40em; margin: 0 auto; }
.excerpt { font-style: italic; border-left: 4px solid #bbb; padding-left: .6em; }
.ask { color: #666; font-size: .8em; margin-top: .8em; }
.tone { font-weight: bold; font-size: 1.1em; }
.emotions, .book { margin-top: .4em; }
.explanation { margin-top: .6em; }
.book, .provenance { color: #666; font-size: .75em; }
.swatch { font-size: 1.1em; }"""
# For a generated_at that is not a time: still deterministic, and ids far from zero.
_FALLBACK_TIME = 1_704_067_200.0  # 2024-01-01T00:00:00Z
# The note type's modification time: change it together with FIELDS, FRONT, BACK or CSS,
# so that Anki takes the new templates and leaves them alone otherwise.
MODEL_TIME = 1_717_200_000  # 2024-06-01T00:00:00Z


def stable_id(name: str) -> int:
    """A deterministic Anki id in [2**30, 2**31), the range genanki recommends."""
    digest = hashlib.sha256(name.encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def anki_card_count(annotations: Sequence[Annotation]) -> int:
    """How many cards :func:`export_anki` makes: one per analysed annotation."""
    return sum(a.analysis is not None for a in annotations)


def content_time(annotation: Annotation) -> int | None:
    """When an annotation's card content last changed, in whole Unix seconds (None: unknown).

    The latest of the highlight's creation, its last change and its analysis's time; the
    export time never enters, so an unchanged highlight keeps its time from export to export.
    """
    a = annotation
    moments = [parse_time(t) for t in (a.created_at, a.updated_at, a.provenance.analysed_at)]
    known = [int(m.timestamp()) for m in moments if m is not None]
    return max(known) if known else None


def _html(text: str) -> str:
    # Anki fields are HTML: escape the book's text, keep its line breaks.
    return escape(text, quote=False).replace("\n", "<br>")


def _fields(a: Annotation) -> list[str]:
    result = a.tone_result
    polarity = result.polarity
    tone = _html(result.tone or "(no label)") + (f" ({_html(polarity)})" if polarity else "")
    if speaker_text(result):
        tone += f"<br><small>Speaker: {_html(speaker_text(result))}</small>"
    if guess_text(a):
        tone += f"<br><small>Your guess: {_html(guess_text(a))}</small>"
    emotions = ", ".join(
        f'<span class="swatch" style="color: {emotion_color(e.name)}">●</span> '
        f"{_html(e.name)} {percent(e.intensity)}"
        for e in result.emotions
    )
    explanation = _html(result.explanation)
    if result.evidence:
        items = "".join(
            f"<li>“{_html(e.quote)}”{f' — {_html(e.why)}' if e.why else ''}</li>"
            for e in result.evidence
        )
        explanation += f"<ul>{items}</ul>"
    if a.note:
        explanation += f"<p><b>Note:</b> {_html(a.note)}</p>"
    authors = ", ".join(a.book_authors)
    book = _html(a.book_title) + (f" — {_html(authors)}" if authors else "")
    return [
        _html(a.quote),
        tone,
        emotions,
        explanation,
        book,
        _html(section_label(a)),
        _html(provenance_text(a.provenance)),
    ]


def _model(genanki: Any) -> Any:
    return genanki.Model(
        stable_id(MODEL_NAME),
        MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "How does it sound?", "qfmt": FRONT, "afmt": BACK}],
        css=CSS,
    )


def export_anki(annotations: Sequence[Annotation], *, generated_at: str, app_version: str) -> bytes:
    """Build an Anki package of the analysed annotations.

    Args:
        annotations: what to export; those without an analysis are skipped.
        generated_at: the export time (ISO 8601); only a fallback for a note whose
            highlight carries no time at all (see the module docstring).
        app_version: the app's version, in the deck description.

    Returns:
        The .apkg bytes.
    """
    # Imported here: genanki pulls in yaml and chevron, which only this export needs.
    import genanki

    groups = group_by_book(annotations)
    ordered = [a for group in groups for a in group.annotations]
    label = export_label(groups) if groups else f"{APP_NAME} — Library"
    cards = anki_card_count(ordered)
    deck = genanki.Deck(
        stable_id(label),
        label,
        description=escape(
            f"Tone analyses exported by {APP_NAME} {app_version}: {cards} cards; "
            f"{len(ordered) - cards} highlights without an analysis were left out."
        ),
    )
    model = _model(genanki)
    moment = parse_time(generated_at)
    fallback = int(moment.timestamp()) if moment else int(_FALLBACK_TIME)
    times: dict[str, int] = {}
    for a, key in zip(ordered, stable_keys(ordered), strict=True):
        if a.analysis is None:
            continue
        dominant = a.tone_result.dominant_emotion
        tags = ["tone-reader", *((dominant,) if dominant and " " not in dominant else ())]
        deck.add_note(genanki.Note(model=model, fields=_fields(a), guid=key, tags=tags))
        changed = content_time(a)
        times[key] = fallback if changed is None else changed
    first = min(times.values(), default=fallback)
    return package_bytes(genanki.Package(deck), times, first)


def package_bytes(package: Any, times: dict[str, int], first: int) -> bytes:
    """Zip the package in memory.

    genanki's own ``write_to_file`` leaves its temporary database behind in the system
    temp folder and stamps the zip entries with the current time; this builds the same
    two entries (the collection and an empty media map) without either problem.

    Args:
        package: the genanki package.
        times: each note's modification time (Unix seconds), by guid.
        first: the earliest of them; note and card ids count up from it in milliseconds.
    """
    conn = sqlite3.connect(":memory:")
    try:
        cursor = conn.cursor()
        # genanki stamps everything with one time: the note type gets its fixed time, and
        # each note and its cards get the time its content last changed.
        package.write_to_db(cursor, MODEL_TIME, itertools.count(first * 1000))
        cursor.executemany(
            "UPDATE notes SET mod = ? WHERE guid = ?", [(t, g) for g, t in times.items()]
        )
        cursor.execute("UPDATE cards SET mod = (SELECT n.mod FROM notes n WHERE n.id = cards.nid)")
        conn.commit()
        collection = conn.serialize()
    finally:
        conn.close()
    buffer = io.BytesIO()
    stamp = (1980, 1, 1, 0, 0, 0)  # the zip epoch: the entries carry no real time
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("collection.anki2", collection), ("media", b"{}")):
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return buffer.getvalue()

"""``tone-reader characters FILE [--json]``: who speaks in a book, from its saved analyses.

FILE is identified by the SHA-256 of its bytes, as the library does. Each character is a
group of the speaker names the analyses gave (``core/characters.py``: "Mr. Darcy",
"Darcy" and "Fitzwilliam Darcy" count once; renames, merges and splits made in the
Characters window apply), with the number of analysed passages they
speak, their dominant emotions, their most frequent tone labels and to whom they speak.

``--json`` prints ``{"book": …, "characters": [{"name", "aliases", "passages",
"dominant_emotion", "emotions": [{"name", "share"}], "tones": [{"tone", "count"}],
"addressees": [{"name", "count"}], "passages_by_chapter": [{"chapter", "section",
"highlight_id", "tone", "emotion", "intensity", "addressee"}]}]}``.

Exit codes: 0 done (also when no analysis names a speaker: the list is empty); 1 the
library could not be read; 2 an unreadable FILE or bad arguments.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader_app.cli.common import command_parser, fail
from reader_app.cli.exit_codes import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.config.paths import AppPaths
    from reader_app.core.characters import Character, VoicePoint


def cmd_characters(argv: Sequence[str], paths: AppPaths) -> int:
    """Run the command; returns the exit code."""
    parser = command_parser("characters", "List who speaks in a book, from its saved analyses.")
    parser.add_argument("file", help="the book")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)

    from reader_app.core.characters import characters_of
    from reader_app.core.errors import ReaderError
    from reader_app.core.loaders import book_id_of
    from reader_app.storage.annotations import AnnotationQuery
    from reader_app.storage.db import open_database
    from reader_app.storage.speaker_names import SpeakerNameRepository

    book = Path(args.file)
    try:
        book_id = book_id_of(book)
    except OSError as exc:
        return fail(f"Cannot read “{book}”: {exc.strerror or exc}.", EXIT_BAD_INPUT)
    except ReaderError as exc:
        return fail(exc.message, EXIT_BAD_INPUT)
    try:
        annotations = []
        mine: dict[str, str] = {}
        if paths.database.exists():
            conn = open_database(paths.database)
            try:
                annotations = AnnotationQuery(conn).for_book(book_id)
                mine = SpeakerNameRepository(conn).for_book(book_id)
            finally:
                conn.close()
    except ReaderError as exc:
        return fail(str(exc), EXIT_FAILURE)
    found = characters_of(annotations, mine)
    title = annotations[0].book_title if annotations else book.name
    if args.json:
        report = {"book": title, "characters": [_as_json(c) for c in found]}
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(_as_text(title, found, analysed=sum(1 for a in annotations if a.analysis)))
    return EXIT_OK


def _as_json(character: Character) -> dict[str, Any]:
    return {
        "name": character.name,
        "aliases": list(character.aliases),
        "passages": character.passages,
        "dominant_emotion": character.dominant_emotion,
        "emotions": [{"name": n, "share": s} for n, s in character.emotions],
        "tones": [{"tone": t, "count": c} for t, c in character.tones],
        "addressees": [{"name": n, "count": c} for n, c in character.addressees],
        "passages_by_chapter": [_point(p) for p in character.points],
    }


def _point(point: VoicePoint) -> dict[str, Any]:
    return {
        "chapter": point.chapter, "section": point.section, "highlight_id": point.highlight_id,
        "tone": point.tone, "emotion": point.emotion, "intensity": point.intensity,
        "addressee": point.addressee,
    }  # fmt: skip


def _as_text(title: str, found: Sequence[Character], *, analysed: int) -> str:
    if not found:
        if not analysed:
            return f"{title}: no analysed passages yet, so no speakers."
        return f"{title}: none of the {analysed} analysed passages names a speaker."
    lines = [f"{title}: {len(found)} speaker{'s' if len(found) != 1 else ''}", ""]
    for character in found:
        also = f" (also {', '.join(character.aliases)})" if character.aliases else ""
        count = f"{character.passages} passage{'s' if character.passages != 1 else ''}"
        lines.append(f"{character.name}{also}: {count}")
        if character.emotions:
            shares = ", ".join(f"{n} {s:.0%}" for n, s in character.emotions)
            lines.append(f"  emotions: {shares}")
        if character.tones:
            lines.append("  tones:    " + ", ".join(f"{t} ({c})" for t, c in character.tones))
        if character.addressees:
            to = ", ".join(f"{n} ({c})" for n, c in character.addressees)
            lines.append(f"  speaks to: {to}")
    return "\n".join(lines)

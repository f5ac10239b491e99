"""Read annotations (highlights with book, note and latest analysis) for browsing and export."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from reader_app.core.annotations import Annotation, Provenance
from reader_app.core.guesses import Guess

if TYPE_CHECKING:
    import sqlite3

_QUERY = """
SELECT h.id, h.book_id, b.title, b.authors, h.chapter, h.section, h.start, h.end, h.quote,
       h.prefix, h.suffix, h.color, h.note, h.orphaned, h.created_at, h.updated_at, h.source,
       h.chapter_key, b.format AS book_format, b.language AS book_language,
       a.result_json, a.model, a.prompt_version, a.created_at AS analysed_at, a.input_tokens,
       a.output_tokens, a.cost_usd,
       (SELECT c.result_json FROM corrections c WHERE c.analysis_id = a.id
        ORDER BY c.id DESC LIMIT 1) AS corrected_json,
       (SELECT json_array(g.polarity, g.emotions_json, g.tone) FROM guesses g
        WHERE g.highlight_id = h.id ORDER BY g.id DESC LIMIT 1) AS guess_json
FROM highlights h
JOIN books b ON b.id = h.book_id
LEFT JOIN analyses a ON a.id = (
    SELECT MAX(x.id) FROM analyses x WHERE x.highlight_id = h.id AND x.status = 'ok'
)
"""


def _json(raw: object) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        value = json.loads(str(raw))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _annotation(row: sqlite3.Row) -> Annotation:
    corrected = _json(row["corrected_json"])
    analysis = corrected or _json(row["result_json"])
    try:
        authors = tuple(str(a) for a in json.loads(row["authors"] or "[]"))
    except ValueError:
        authors = ()
    return Annotation(
        highlight_id=int(row["id"]),
        book_id=str(row["book_id"]),
        book_title=str(row["title"]),
        book_authors=authors,
        chapter=int(row["chapter"]),
        section=str(row["section"]),
        start=int(row["start"]),
        end=int(row["end"]),
        quote=str(row["quote"]),
        prefix=str(row["prefix"]),
        suffix=str(row["suffix"]),
        color=str(row["color"]),
        note=str(row["note"]),
        orphaned=bool(row["orphaned"]),
        created_at=str(row["created_at"]),
        updated_at=str(row["updated_at"]),
        analysis=analysis,
        provenance=Provenance(
            model=str(row["model"] or ""),
            prompt_version=str(row["prompt_version"] or ""),
            analysed_at=str(row["analysed_at"] or ""),
            input_tokens=int(row["input_tokens"] or 0),
            output_tokens=int(row["output_tokens"] or 0),
            cost_usd=float(row["cost_usd"] or 0.0),
            corrected=corrected is not None,
        ),
        source=str(row["source"]),
        chapter_key=str(row["chapter_key"]),
        book_format=str(row["book_format"]),
        book_language=str(row["book_language"] or ""),
        guess=_guess(row["guess_json"]),
    )


def _guess(raw: object) -> Guess | None:
    """The latest guess, stored as [polarity, emotions as JSON, tone]; None if none."""
    if not raw:
        return None
    try:
        polarity, emotions, tone = json.loads(str(raw))
        names = json.loads(emotions)
    except (ValueError, TypeError):
        return None
    picked = tuple(str(n) for n in names if isinstance(n, str)) if isinstance(names, list) else ()
    return Guess(str(polarity), picked, str(tone))


class AnnotationQuery:
    """Annotations of one book, or of the whole library, in reading order."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def for_book(self, book_id: str) -> list[Annotation]:
        """A book's annotations, in reading order (orphans last)."""
        rows = self._conn.execute(
            _QUERY + " WHERE h.book_id = ? ORDER BY h.orphaned, h.chapter, h.start, h.id",
            (book_id,),
        ).fetchall()
        return [_annotation(r) for r in rows]

    def all(self) -> list[Annotation]:
        """Every annotation, book by book (by title), each in reading order."""
        rows = self._conn.execute(
            _QUERY + " ORDER BY b.title, h.book_id, h.orphaned, h.chapter, h.start, h.id"
        ).fetchall()
        return [_annotation(r) for r in rows]

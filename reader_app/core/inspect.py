"""What ``tone-reader inspect`` reports about a book, as data and as text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reader_app.core.loaders.limits import escape_controls

if TYPE_CHECKING:
    from reader_app.core.book import Book, TocEntry


def _toc(entry: TocEntry) -> dict[str, Any]:
    return {
        "title": entry.title,
        "chapter": entry.chapter,
        "offset": entry.offset,
        "children": [_toc(c) for c in entry.children],
    }


def describe(book: Book) -> dict[str, Any]:
    """The stable JSON shape documented in the README."""
    return {
        "path": book.path,
        "sha256": book.book_id,
        "title": book.title,
        "authors": list(book.authors),
        "language": book.language,
        "format": book.format.value,
        "chars": book.char_count,
        "chapters": [
            {"index": i, "title": book.chapter_label(i), "chars": len(c.text), "linear": c.linear}
            for i, c in enumerate(book.chapters)
        ],
        "toc": [_toc(e) for e in book.toc],
        "warnings": list(book.warnings),
    }


def printable(text: str) -> str:
    """``text`` safe to print to a terminal: control characters are shown as escapes."""
    return escape_controls(text)


def render_text(info: dict[str, Any]) -> str:
    """A human-readable report; text from the book is escaped, never sent raw to a terminal."""
    lines = [
        f"Title:     {printable(info['title'])}",
        f"Authors:   {printable(', '.join(info['authors'])) or '—'}",
        f"Language:  {printable(info['language']) or '—'}",
        f"Format:    {info['format']}",
        f"Size:      {info['chars']:,} characters in {len(info['chapters'])} chapters",
        "",
        "Chapters:",
    ]
    width = len(str(len(info["chapters"])))
    for chapter in info["chapters"]:
        lines.append(
            f"  {chapter['index'] + 1:>{width}}  {printable(chapter['title'])[:60]:<60}"
            f" {chapter['chars']:>9,}"
        )
    lines.append("")
    lines.append("Contents:")

    def walk(entries: list[dict[str, Any]], depth: int) -> None:
        for entry in entries:
            where = f"(chapter {entry['chapter'] + 1})"
            lines.append(f"  {'  ' * depth}{printable(entry['title'])[:70]}  {where}")
            walk(entry["children"], depth + 1)

    walk(info["toc"], 0)
    for warning in info["warnings"]:
        lines.append(f"Note: {printable(warning)}")
    return "\n".join(lines) + "\n"

"""Markdown in KOReader's layout (its exporter's ``md`` template), for readers coming from it.

Layout, per book, books in order of first appearance and annotations in reading order::

    # <title>
    ##### <authors, joined with ", ">

    ## <chapter>                         when the chapter changes
    ### Page <chapter number> @ <01 May 2024 12:00:00 PM>
    *<quote>*                            KOReader's "lighten" style; one line per paragraph

    ---                                  only when there is a note or an analysis
    <note>
    Tone: … (emotions) — explanation

and at the end ``_Generated at: <time>_``. KOReader's page is the device's page; a book
here has no pages, so the chapter's number stands in for it. Book text is escaped like the
Markdown export's, so it shows as written. Dates are shown as stored: UTC, or the device's
local time for clippings that gave no zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from reader_app.core.exporters.common import group_by_book, section_label, tone_summary
from reader_app.core.exporters.markdown import escape

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.annotations import Annotation

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def export_koreader_markdown(
    annotations: Sequence[Annotation], *, generated_at: str, app_version: str
) -> str:
    r"""Render annotations as KOReader's Markdown export.

    Args:
        annotations: what to export, in any order.
        generated_at: the export's time, written in its last line.
        app_version: unused (KOReader's layout has no place for it); kept for the
            exporters' common signature.

    Returns:
        The Markdown text, with ``\n`` line ends.
    """
    del app_version
    lines: list[str] = []
    for group in group_by_book(annotations):
        lines.append(f"# {escape(_one_line(group.title))}")
        authors = ", ".join(_one_line(a) for a in group.authors) or "N/A"
        lines += [f"##### {escape(authors)}", ""]
        chapter: str | None = None
        for annotation in group.annotations:
            heading = section_label(annotation)
            if heading != chapter:
                chapter = heading
                lines.append(f"## {escape(_one_line(heading))}")
            lines.append(f"### Page {annotation.chapter + 1} @ {_date(annotation.created_at)}")
            lines += [f"*{escape(p.strip())}*" for p in annotation.quote.splitlines() if p.strip()]
            after = [p for p in (annotation.note.strip(), tone_summary(annotation)) if p]
            if after:
                lines += ["", "---", *(escape(p) for p in after)]
            lines.append("")
    lines.append(f"_Generated at: {_date(generated_at) or generated_at}_")
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _date(value: str) -> str:
    """``2024-05-01T12:00:00Z`` as KOReader writes dates: ``01 May 2024 12:00:00 PM``."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return ""
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return (
        f"{moment.day:02d} {_MONTHS[moment.month - 1]} {moment.year}"
        f" {hour:02d}:{moment.minute:02d}:{moment.second:02d} {half}"
    )

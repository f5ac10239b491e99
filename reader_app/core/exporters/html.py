"""One self-contained, printable HTML page.

The page must open the same anywhere, offline, years from now, and must never run or fetch
anything: the CSS is inline, there is no script, no link, no font or image from elsewhere,
and every piece of text (book text included: a quote may well contain ``<script>``) is
escaped. The markup is also well-formed XML, so XML tools can read it.

Emotions show as swatches in the colours of Plutchik's wheel; the quote's left border takes
the colour of the dominant emotion.

Book text is marked with the book's language (``lang``) and direction (``dir``): ``rtl`` for
a language written right to left, otherwise ``auto``, so the browser picks the direction
from the text itself; hyphenation, fonts and screen readers then follow the book's language
rather than the page's English. A long unbroken string (a URL, a word in a script without
spaces) wraps instead of running off the page or the printed sheet.
"""

from __future__ import annotations

from html import escape as _escape
from typing import TYPE_CHECKING

from reader_app.core.exporters.common import (
    APP_NAME,
    display_time,
    emotion_color,
    export_label,
    group_by_book,
    guess_text,
    percent,
    provenance_text,
    section_label,
    usage_summary,
)
from reader_app.core.tone_result import speaker_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.annotations import Annotation

# No ">" or "&" here: the page stays well-formed XML with a plain <style> element.
_CSS = """
body { font-family: Georgia, "Times New Roman", serif; color: #222; line-height: 1.5;
       max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       overflow-wrap: anywhere; word-break: break-word; }
header { border-bottom: 2px solid #444; margin-bottom: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 0; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; color: #444; }
.meta, .authors { color: #555; font-size: .9rem; margin: .25rem 0; }
.annotation { margin: 0 0 1.5rem; break-inside: avoid; page-break-inside: avoid; }
blockquote { margin: 0 0 .5rem; padding: .25rem .75rem; border-left: 4px solid #bbb;
             white-space: pre-wrap; font-style: italic; }
blockquote[dir="rtl"] { border-left: 0; border-right: 4px solid #bbb; }
.annotation p, .annotation ul { margin: .25rem 0; }
.explanation, .note { white-space: pre-wrap; }
.note { background: #fff8dc; padding: .25rem .5rem; }
.emotions { list-style: none; padding: 0; display: flex; gap: 1rem; flex-wrap: wrap; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 50%;
          margin-right: .3em; vertical-align: -.05em; border: 1px solid rgba(0, 0, 0, .25);
          -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.evidence { padding-left: 1.25rem; }
.muted, .provenance { color: #666; font-size: .8rem; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .note { background: none; border-left: 2px solid #999; }
}
"""


# Languages written right to left (ISO 639 codes, the first part of a language tag).
_RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ps", "sd", "syr", "ug", "ur", "yi"}
)
# Scripts written right to left, for a tag that names its script ("az-Arab", "pa-Arab").
_RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg", "mand", "samr"})


def _e(text: str) -> str:
    return _escape(text, quote=True)


def text_direction(language: str) -> str:
    """``rtl`` for a language tag written right to left, else ``auto`` (the text decides)."""
    parts = language.replace("_", "-").casefold().split("-")
    if parts[0] in _RTL_LANGUAGES or any(p in _RTL_SCRIPTS for p in parts[1:]):
        return "rtl"
    return "auto"


def _book_text(a: Annotation) -> str:
    """The ``lang`` and ``dir`` attributes of text quoted from the annotation's book.

    An unknown language is ``lang=""`` (HTML's "unknown"), not the page's English.
    """
    language = a.book_language.strip()
    return f' lang="{_e(language)}" dir="{text_direction(language)}"'


def _annotation(a: Annotation) -> list[str]:
    result = a.tone_result
    emotions = result.emotions
    dominant = result.dominant_emotion
    side = "right" if text_direction(a.book_language) == "rtl" else "left"
    border = f' style="border-{side}-color: {emotion_color(dominant)}"' if emotions else ""
    book_text = _book_text(a)
    out = [
        '<article class="annotation">',
        f"<blockquote{book_text}{border}>{_e(a.quote)}</blockquote>",
    ]
    if a.analysis is None:
        out.append('<p class="muted">Not analysed.</p>')
    else:
        polarity = result.polarity
        tone = f"<strong>{_e(result.tone or '(no label)')}</strong>"
        out.append(f'<p class="tone">{tone}{f" · {_e(polarity)}" if polarity else ""}</p>')
        if speaker_text(result):
            out.append(f'<p class="speaker">Speaker: {_e(speaker_text(result))}</p>')
        if guess_text(a):
            out.append(f'<p class="guess">Your guess: {_e(guess_text(a))}</p>')
        if emotions:
            out.append('<ul class="emotions">')
            out.extend(
                f'<li><span class="swatch" aria-hidden="true"'
                f' style="background-color: {emotion_color(e.name)}">'
                f"</span>{_e(e.name)} {percent(e.intensity)}</li>"
                for e in emotions
            )
            out.append("</ul>")
        if result.explanation:
            out.append(f'<p class="explanation">{_e(result.explanation)}</p>')
        if result.evidence:
            out.append('<ul class="evidence">')
            out.extend(
                f"<li>“<span{book_text}>{_e(e.quote)}</span>”"
                f"{f' — {_e(e.why)}' if e.why else ''}</li>"
                for e in result.evidence
            )
            out.append("</ul>")
    if a.note:
        out.append(f'<p class="note"><strong>Note:</strong> {_e(a.note)}</p>')
    if a.analysis is not None:
        out.append(f'<p class="provenance">{_e(provenance_text(a.provenance))}</p>')
    out.append("</article>")
    return out


def _header(
    annotations: Sequence[Annotation], label: str, generated_at: str, app_version: str
) -> list[str]:
    analysed = sum(a.analysis is not None for a in annotations)
    out = [
        "<header>",
        f"<h1>{_e(label)}</h1>",
        f'<p class="meta">Exported {_e(display_time(generated_at))} by {APP_NAME}'
        f" {_e(app_version)} · {len(annotations)} annotations, {analysed} analysed</p>",
    ]
    models, prompts, usage = usage_summary(annotations)
    if analysed:
        by = ", ".join(models) or "unknown model"
        versions = f" (prompt {', '.join(prompts)})" if prompts else ""
        out.append(f'<p class="meta">Analyses by {_e(by)}{_e(versions)} · {_e(usage)}</p>')
    out.append("</header>")
    return out


def export_html(annotations: Sequence[Annotation], *, generated_at: str, app_version: str) -> str:
    """Render annotations as one standalone HTML page.

    Args:
        annotations: what to export, from one book or many.
        generated_at: the export time (ISO 8601), shown in the header.
        app_version: the app's version, shown in the header.

    Returns:
        The page, ending with a newline.
    """
    groups = group_by_book(annotations)
    label = export_label(groups) if groups else f"{APP_NAME} — Library"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f'<meta name="generator" content="{APP_NAME} {_e(app_version)}"/>',
        f"<title>{_e(label)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        *_header(annotations, label, generated_at, app_version),
        "<main>",
    ]
    for group in groups:
        out.append("<section>")
        out.append(f"<h2>{_e(group.title)}</h2>")
        if group.authors:
            out.append(f'<p class="authors">{_e(", ".join(group.authors))}</p>')
        heading: tuple[bool, int, str] | None = None
        for a in group.annotations:
            current = (True, 0, "") if a.orphaned else (False, a.chapter, a.section)
            if current != heading:
                heading = current
                out.append(f"<h3>{_e(section_label(a))}</h3>")
            out.extend(_annotation(a))
        out.append("</section>")
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"

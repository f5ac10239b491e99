"""Markdown for Obsidian and other notes apps: one file, books → sections → annotations.

Layout::

    ---                                  YAML front matter (JSON-quoted strings)
    title: "Tone Reader — <book>"        "Tone Reader — Library" for several books
    authors: [...]
    exported: "<generated_at>"
    app: "Tone Reader"
    app_version: "<version>"
    annotations: N
    models: [...]                        the models behind the analyses
    tags: [tone-reader, emotion/<name>…]
    ---
    # <book title>
    *<authors>*
    ## <section title, or "Chapter N"; orphans last under "Not found in the current text">
    > <quote>
    - **Tone:** … (polarity)
    - **Emotions:** disgust 70%, anger 40%
    - **Explanation:** …
    - **Evidence:** nested items “quote” — why
    - **Note:** …
    - *Analysis:* model · prompt · analysed … · tokens · cost · corrected by you

Book text (quotes, notes, titles) is escaped so that it reads as text: no stray emphasis,
links, tags (Obsidian reads ``#word`` as a tag), HTML (``<script>`` stays visible text),
maths (``$``), highlights (``==``) or lists. Indentation at the start of a quoted line is
dropped, because four spaces would turn the line into a code block.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from reader_app.core.emotions import EMOTIONS
from reader_app.core.exporters.common import (
    APP_NAME,
    emotions_text,
    export_label,
    group_by_book,
    guess_text,
    provenance_text,
    section_label,
    usage_summary,
)
from reader_app.core.tone_result import speaker_text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.core.annotations import Annotation

# Characters that mean something anywhere in a line, in CommonMark or in Obsidian.
_INLINE = re.compile(r"[\\`*_\[\]<>|~#$]")
# Marks that only mean something at the start of a line (lists, setext underlines).
_BULLET_START = re.compile(r"^([-+=])", re.MULTILINE)
_NUMBER_START = re.compile(r"^(\d+)([.)])", re.MULTILINE)
_LINE_MARKS = frozenset("-+=0123456789")
# Each "=" or "%" in a run of two or more: Obsidian's ==highlights== and %%comments%%.
_RUN = re.compile(r"(?<==)=|=(?==)|(?<=%)%|%(?=%)")
_ENTITY = re.compile(r"&(?=#?\w+;)")  # "&amp;" in a book must not become "&"
# What YAML does not allow raw in a document (outside its printable set: DEL, the C1
# controls, surrogates, U+FFFE/U+FFFF), plus what it would read as something else: NEL,
# U+2028 and U+2029 are line breaks to YAML and would fold to a space, and a BOM inside a
# document is not allowed either. ``json.dumps`` already escapes the C0 controls.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def escape(text: str) -> str:
    """Escape Markdown in book or reader text so it shows as written."""
    # Template substitutions and the cheap "in" checks keep 10,000 annotations well
    # inside the export budget (callbacks in Python cost three times as much).
    text = _INLINE.sub(r"\\\g<0>", text)
    if "==" in text or "%%" in text:
        text = _RUN.sub(r"\\\g<0>", text)
    if "&" in text:
        text = _ENTITY.sub(r"\\&", text)
    if "\n" in text or text[:1] in _LINE_MARKS:
        text = _BULLET_START.sub(r"\\\1", text)
        text = _NUMBER_START.sub(r"\1\\\2", text)
    return text


def _yaml(value: str) -> str:
    r"""A YAML double-quoted scalar that reads back as exactly ``value``.

    A JSON string is a valid YAML double-quoted scalar (no quoting rules to get wrong); the
    characters YAML would refuse or reinterpret are written as ``\uXXXX`` escapes, which
    JSON and YAML both read, so U+2028 comes back as U+2028 and not as a space.
    """
    text = json.dumps(value, ensure_ascii=False)
    if not _YAML_UNSAFE.search(text):
        return text
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _yaml_list(key: str, values: Sequence[str]) -> list[str]:
    if not values:
        return [f"{key}: []"]
    return [f"{key}:", *(f"  - {_yaml(v)}" for v in values)]


def _front_matter(
    annotations: Sequence[Annotation], label: str, generated_at: str, app_version: str
) -> list[str]:
    authors: list[str] = []
    for a in annotations:
        authors.extend(name for name in a.book_authors if name not in authors)
    used = {e.name for a in annotations for e in a.tone_result.emotions}
    tags = ["tone-reader", *(f"emotion/{name}" for name in EMOTIONS if name in used)]
    models, _prompts, _usage = usage_summary(annotations)
    return [
        "---",
        f"title: {_yaml(label)}",
        *_yaml_list("authors", authors),
        f"exported: {_yaml(generated_at)}",
        f"app: {_yaml(APP_NAME)}",
        f"app_version: {_yaml(app_version)}",
        f"annotations: {len(annotations)}",
        *_yaml_list("models", models),
        *_yaml_list("tags", tags),
        "---",
    ]


def _blockquote(text: str) -> str:
    lines = [line.lstrip(" \t") for line in escape(text).split("\n")]
    out = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        # Two trailing spaces keep the book's line breaks (verse) as hard breaks.
        out.append(f"> {line}  " if line and following else f"> {line}" if line else ">")
    return "\n".join(out)


def _item(label: str, text: str) -> str:
    # Continuation lines are indented so they stay inside the list item.
    return f"- **{label}:** " + escape(text).replace("\n", "\n  ")


def _annotation(a: Annotation) -> str:
    lines = [_blockquote(a.quote), ""]
    if a.analysis is None:
        lines.append("- **Tone:** *not analysed*")
    else:
        result = a.tone_result
        polarity = result.polarity
        tone = _item("Tone", result.tone or "(no label)")
        lines.append(tone + (f" ({escape(polarity)})" if polarity else ""))
        if speaker_text(result):
            lines.append(_item("Speaker", speaker_text(result)))
        if guess_text(a):
            lines.append(_item("Your guess", guess_text(a)))
        if result.emotions:
            lines.append(_item("Emotions", emotions_text(result)))
        if result.explanation:
            lines.append(_item("Explanation", result.explanation))
        if result.evidence:
            lines.append("- **Evidence:**")
            for e in result.evidence:
                detail = f" — {escape(e.why)}" if e.why else ""
                lines.append(f"  - “{escape(e.quote)}”{detail}".replace("\n", "\n    "))
    if a.note:
        lines.append(_item("Note", a.note))
    if a.analysis is not None:
        lines.append(f"- *Analysis:* {escape(provenance_text(a.provenance))}")
    return "\n".join(lines)


def export_markdown(
    annotations: Sequence[Annotation], *, generated_at: str, app_version: str
) -> str:
    """Render annotations as one Markdown document.

    Args:
        annotations: what to export, from one book or many.
        generated_at: the export time (ISO 8601), written into the front matter.
        app_version: the app's version, written into the front matter.

    Returns:
        The document, ending with a newline.
    """
    groups = group_by_book(annotations)
    label = export_label(groups) if groups else f"{APP_NAME} — Library"
    blocks = ["\n".join(_front_matter(annotations, label, generated_at, app_version))]
    for group in groups:
        blocks.append(f"# {escape(group.title)}")
        if group.authors:
            blocks.append(f"*{escape(', '.join(group.authors))}*")
        heading: tuple[bool, int, str] | None = None
        for a in group.annotations:
            # A new heading whenever the section changes, so repeated sections after an
            # untitled stretch still read in book order.
            current = (True, 0, "") if a.orphaned else (False, a.chapter, a.section)
            if current != heading:
                heading = current
                blocks.append(f"## {escape(section_label(a))}")
            blocks.append(_annotation(a))
    return "\n\n".join(blocks) + "\n"

"""``tone-reader glossary [--json] [--define] [--export md|anki -o OUT]``: the tone words met.

Every tone word in the library's analyses ("Scornful and Disapproving" gives "scornful"
and "disapproving"), most met first, with its definition at the reader's CEFR level and in
their explanation language (Settings), the passage it was first met in, and whether the
reader marked it known. ``--define`` first asks Claude for the words not yet defined at
that level (one request for up to 40 words), and stores the answers.

``--json`` prints ``{"level", "language", "words": [{"word", "definition", "known",
"count", "label", "quote", "book", "section", "highlight_id"}]}``.

Exit codes: 0 done; 1 the library could not be read, a request failed, or OUT could not be
written; 2 bad arguments; 3 ``--define`` with no key.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reader_app.cli.common import command_parser, fail
from reader_app.cli.exit_codes import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

    from reader_app.config.paths import AppPaths
    from reader_app.config.settings import Settings
    from reader_app.usecases.glossary import GlossaryEntry


def cmd_glossary(argv: Sequence[str], paths: AppPaths) -> int:
    """Run the command; returns the exit code."""
    parser = command_parser("glossary", "List the tone words met, defined at your level.")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--define", action="store_true", help="ask Claude for the definitions still missing"
    )
    parser.add_argument("--export", choices=("md", "anki"), help="write the glossary to OUT")
    parser.add_argument("-o", "--output", metavar="OUT", help="the file --export writes")
    parser.add_argument("--model", help="the model that defines (default: the settings')")
    args = parser.parse_args(argv)
    if bool(args.export) != bool(args.output):
        return fail("--export and -o go together.", EXIT_BAD_INPUT)

    from reader_app.config.settings import load_settings
    from reader_app.core.errors import ReaderError
    from reader_app.storage.db import open_database

    settings, _warning = load_settings(paths.settings_file)
    try:
        conn = open_database(paths.database)
    except ReaderError as exc:
        return fail(str(exc), EXIT_FAILURE)
    try:
        if args.define:
            code = _define(conn, settings, paths, args.model)
            if code != EXIT_OK:
                return code
        entries = _entries(conn, settings)
    except ReaderError as exc:
        return fail(str(exc), EXIT_FAILURE)
    finally:
        conn.close()
    if args.export:
        return _export(entries, settings, args.export, Path(args.output))
    if args.json:
        print(json.dumps(_as_json(entries, settings), ensure_ascii=False, indent=2))
    else:
        print(_as_text(entries, settings))
    return EXIT_OK


def _entries(conn: sqlite3.Connection, settings: Settings) -> list[GlossaryEntry]:
    from reader_app.storage.annotations import AnnotationQuery
    from reader_app.storage.glossary import GlossaryRepository
    from reader_app.usecases.glossary import glossary_entries

    annotations = AnnotationQuery(conn).all()
    return glossary_entries(
        annotations, GlossaryRepository(conn), settings.level, settings.language
    )


def _define(
    conn: sqlite3.Connection, settings: Settings, paths: AppPaths, model: str | None
) -> int:
    import functools

    from reader_app.ai.client import ClaudeToneAnalyzer
    from reader_app.ai.definitions import MAX_WORDS, define_words
    from reader_app.ai.errors import AiError
    from reader_app.ai.models import model_to_use
    from reader_app.cli.common import ai_exit_code, api_key
    from reader_app.cli.exit_codes import EXIT_NO_KEY
    from reader_app.storage.glossary import GlossaryRepository
    from reader_app.usecases.glossary import define_missing, undefined
    from reader_app.usecases.models import known_default_model

    entries = _entries(conn, settings)
    missing = undefined(entries)
    if not missing:
        return EXIT_OK
    try:
        key = api_key()
    except AiError as exc:
        return fail(str(exc), EXIT_NO_KEY)
    chosen = model_to_use(model or settings.model, known_default_model(paths.cache_dir))
    print(f"Defining {len(missing)} new tone words with {chosen}…", file=sys.stderr)
    ask = functools.partial(
        define_words, ClaudeToneAnalyzer(key), level=settings.level,
        language=settings.language, model=chosen,
    )  # fmt: skip
    try:
        define_missing(entries, GlossaryRepository(conn), ask, settings.level,
                       settings.language, chunk=MAX_WORDS)  # fmt: skip
    except AiError as exc:
        return fail(str(exc), ai_exit_code(exc))
    return EXIT_OK


def _export(entries: Sequence[GlossaryEntry], settings: Settings, kind: str, out: Path) -> int:
    from reader_app.core.exporters import ExportError, write_export
    from reader_app.core.exporters.glossary import glossary_anki, glossary_markdown

    pairs = [(e.met, e.definition) for e in entries]
    if kind == "anki":
        defined = sum(1 for _met, text in pairs if text)
        if not defined:
            return fail(
                "No tone word is defined yet; run 'tone-reader glossary --define' first.",
                EXIT_BAD_INPUT,
            )
        data: str | bytes = glossary_anki(pairs, settings.level, settings.language)
        count = defined
    else:
        data = glossary_markdown(pairs, settings.level, settings.language)
        count = len(pairs)
    try:
        write_export(out, data)
    except ExportError as exc:
        return fail(str(exc), EXIT_FAILURE)
    print(f"Exported {count} tone word{'s' if count != 1 else ''} to {out}.")
    return EXIT_OK


def _as_json(entries: Sequence[GlossaryEntry], settings: Settings) -> dict[str, object]:
    return {
        "level": settings.level,
        "language": settings.language,
        "words": [
            {
                "word": e.word,
                "definition": e.definition,
                "known": e.known,
                "count": e.met.count,
                "label": e.met.label,
                "quote": e.met.quote,
                "book": e.met.book_title,
                "section": e.met.section,
                "highlight_id": e.met.highlight_id,
            }
            for e in entries
        ],
    }


def _as_text(entries: Sequence[GlossaryEntry], settings: Settings) -> str:
    if not entries:
        return "No tone words yet: analyse a passage, and the words of its tone appear here."
    lines = [f"{len(entries)} tone words ({settings.level}, {settings.language})", ""]
    for entry in entries:
        known = "  (known)" if entry.known else ""
        lines.append(f"{entry.word}{known}: {entry.definition or '(not defined yet)'}")
        lines.append(f"  met {entry.met.count}×, first in “{entry.met.label}”")
    undefined = sum(1 for e in entries if not e.definition)
    if undefined:
        lines += ["", f"{undefined} not defined yet: run 'tone-reader glossary --define'."]
    return "\n".join(lines)

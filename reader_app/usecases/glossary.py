"""The tone glossary: the words met in the library's analyses, with their definitions.

Definitions are stored per word, CEFR level and language; the words met are read from the
analyses each time (a corrected label counts as the reader left it). Defining asks Claude
only for the words that have no definition at the reader's level yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core.glossary import MetWord, words_met

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from reader_app.ai.definitions import Definitions
    from reader_app.core.annotations import Annotation
    from reader_app.storage.glossary import GlossaryRepository


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """A tone word met, with its definition at the reader's level ("" until defined)."""

    met: MetWord
    definition: str
    known: bool

    @property
    def word(self) -> str:
        """The word."""
        return self.met.word


def glossary_entries(
    annotations: Sequence[Annotation], repo: GlossaryRepository, level: str, language: str
) -> list[GlossaryEntry]:
    """Every tone word met, most met first, with what the glossary holds for it."""
    stored = repo.for_level(level, language)
    entries = []
    for met in words_met(annotations):
        found = stored.get(met.word)
        entries.append(
            GlossaryEntry(met, found.definition if found else "", found.known if found else False)
        )
    return entries


def undefined(entries: Sequence[GlossaryEntry]) -> list[str]:
    """The words that still need a definition."""
    return [e.word for e in entries if not e.definition]


def define_missing(
    entries: Sequence[GlossaryEntry],
    repo: GlossaryRepository,
    ask: Callable[[Sequence[str]], Definitions],
    level: str,
    language: str,
    *,
    chunk: int,
) -> int:
    """Ask for the definitions the glossary lacks, ``chunk`` words a request; store each answer.

    Returns:
        How many words were defined.

    Raises:
        AiError: a request failed; the definitions stored before it stay.
    """
    missing = undefined(entries)
    done = 0
    for first in range(0, len(missing), chunk):
        answer = ask(missing[first : first + chunk])
        repo.save(answer.by_word.items(), level, language, answer.model)
        done += len(answer.by_word)
    return done

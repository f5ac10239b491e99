"""The tone glossary for the window: its entries, "known" marks, and defining new words.

Definitions are asked on a worker thread (the network, and the key, stay off the GUI
thread); the answers are stored on the GUI thread, which owns the library connection.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from reader_app.ai.errors import AiError
from reader_app.core.errors import StorageError
from reader_app.storage.annotations import AnnotationQuery
from reader_app.storage.glossary import GlossaryRepository
from reader_app.usecases.glossary import GlossaryEntry, glossary_entries, undefined

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Sequence

    from reader_app.ai.definitions import Definitions
    from reader_app.config.settings import Settings
    from reader_app.services.tasks import TaskRunner

MAX_DEFINED_AT_ONCE = 200  # words one press of "Define" asks for, in requests of 40


class GlossaryService(QObject):
    """Reads and changes the glossary at the reader's level and language.

    Signals:
        changed(): definitions or marks changed.
        failed(str): defining failed; one line.
    """

    changed = Signal()
    failed = Signal(str)

    def __init__(
        self,
        conn: sqlite3.Connection,
        tasks: TaskRunner,
        settings: Callable[[], Settings],
        analyzer: Callable[[], object],
        model: Callable[[], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._query = AnnotationQuery(conn)
        self._repo = GlossaryRepository(conn)
        self._tasks = tasks
        self._settings = settings
        self._analyzer = analyzer
        self._model = model
        self.busy = False

    def level(self) -> tuple[str, str]:
        """The CEFR level and the language definitions are written at."""
        settings = self._settings()
        return settings.level, settings.language

    def entries(self) -> list[GlossaryEntry]:
        """Every tone word met in the library, with its definition at the reader's level."""
        level, language = self.level()
        return glossary_entries(self._query.all(), self._repo, level, language)

    def set_known(self, word: str, known: bool) -> None:
        """Mark a word known, or not."""
        level, language = self.level()
        try:
            self._repo.set_known(word, level, language, known)
        except StorageError as exc:
            self.failed.emit(exc.message)
            return
        self.changed.emit()

    def define_missing(self) -> int:
        """Ask for the definitions still missing, in the background; returns how many."""
        if self.busy:
            return 0
        missing = undefined(self.entries())[:MAX_DEFINED_AT_ONCE]
        if not missing:
            return 0
        level, language = self.level()
        work = functools.partial(
            _define_all, self._analyzer, missing, level, language, self._model()
        )
        self.busy = True
        self._tasks.submit(work, functools.partial(self._store, level, language), self._failed)
        return len(missing)

    def _store(self, level: str, language: str, answers: object) -> None:
        self.busy = False
        assert isinstance(answers, list)
        try:
            for answer in answers:
                self._repo.save(answer.by_word.items(), level, language, answer.model)
        except StorageError as exc:
            self.failed.emit(exc.message)
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        if isinstance(exc, AiError):
            self.failed.emit(str(exc))
            return
        raise exc


def _define_all(
    analyzer: Callable[[], object], words: Sequence[str], level: str, language: str, model: str
) -> list[Definitions]:
    # On a worker thread: the key and the network stay off the GUI thread.
    from reader_app.ai.definitions import MAX_WORDS, define_words
    from reader_app.ai.judge import SdkProvider

    provider = analyzer()
    assert isinstance(provider, SdkProvider)
    return [
        define_words(
            provider, words[i : i + MAX_WORDS], level=level, language=language, model=model
        )
        for i in range(0, len(words), MAX_WORDS)
    ]

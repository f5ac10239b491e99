"""Composing tone-analysis requests: one passage, a highlight, several highlights together.

The tone panel, the group and batch analyses of the window and ``tone-reader analyze`` all
compose here, so they send the same request for the same passage: the same context, the
same objective and level, the same model (the reader's choice, else the default the API
listed, else the built-in one: :func:`reader_app.ai.models.model_to_use`) and the same
examples (the book's active set or the library, picked by the settings' strategy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.ai.multi import compose_many
from reader_app.ai.passage import request_for_passage
from reader_app.ai.prompt import PassageContext, extract_context, prompt_settings, summarise
from reader_app.ai.selection import choose_examples
from reader_app.core.errors import StorageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from reader_app.ai.prompt import PromptSettings
    from reader_app.ai.request import ToneRequest
    from reader_app.config.settings import Settings
    from reader_app.core.book import Book
    from reader_app.core.records import AnalysisRecord, Highlight
    from reader_app.storage.analyses import AnalysisRepository
    from reader_app.storage.examples import ExampleRepository

# A passage of a book: (chapter index, start, end) in the chapter's plain text.
Place = tuple[int, int, int]

# Earlier analyses a request recalls: the nearest few keep sessions connected without
# making every request longer.
EARLIER_LIMIT = 5
# Passages per request when several are read together: more would make one answer very
# long.
MAX_TOGETHER = 20


def place_of(item: Highlight) -> Place:
    """Where a highlight is in its book."""
    return item.chapter, item.start, item.end


def earlier_in_chapter(
    item: Highlight,
    highlights: Iterable[Highlight],
    latest: Mapping[int, AnalysisRecord],
    limit: int = EARLIER_LIMIT,
) -> list[str]:
    """Short lines about the analyses already made in the highlight's chapter, nearest first.

    Args:
        item: the highlight about to be analysed.
        highlights: the book's highlights.
        latest: the newest successful analysis of each highlight, by highlight id.
        limit: at most this many lines.
    """
    others = [
        (h, latest[h.id])
        for h in highlights
        if h.id != item.id and h.chapter == item.chapter and h.id in latest
    ]
    others.sort(key=lambda pair: abs(pair[0].start - item.start))
    return [summarise(h.quote, r.tone, r.dominant_emotion) for h, r in others[:limit]]


def passage_context(book: Book, place: Place, context_paragraphs: int) -> PassageContext:
    """A passage with its book, chapter and surrounding text, as a request shows it."""
    chapter, start, end = place
    text = book.chapters[chapter].text
    before, after = extract_context(text, start, end, context_paragraphs)
    return PassageContext(
        book.title,
        ", ".join(book.authors),
        book.section_title(chapter, start),
        text[start:end],
        before,
        after,
    )


def groups_of(items: Sequence[Highlight], size: int = MAX_TOGETHER) -> list[list[Highlight]]:
    """Highlights to read together, in reading order, cut into requests of ``size``.

    Orphaned highlights have no passage in the book any more, so they are left out.
    """
    chosen = sorted((h for h in items if not h.orphaned), key=lambda h: (h.chapter, h.start))
    return [chosen[first : first + size] for first in range(0, len(chosen), size)]


def _no_listed_model() -> str | None:
    return None


class AnalysisComposer:
    """Composes requests from the settings in force and the library's examples.

    Each request reads the settings once, so a change in Settings counts from the next
    request on and never half-way through one.
    """

    def __init__(
        self,
        examples: ExampleRepository,
        settings: Callable[[], Settings],
        listed_default: Callable[[], str | None] = _no_listed_model,
        analyses: AnalysisRepository | None = None,
    ) -> None:
        """Keep what requests are made from.

        Args:
            examples: the example library (and each book's active set).
            settings: the settings in force.
            listed_default: the default model found by listing the API's models, or
                None when they were not listed (the command line never lists them).
            analyses: where earlier analyses are read from, for a highlight's request
                to recall them; without it requests recall none.
        """
        self._examples = examples
        self._settings = settings
        self._listed_default = listed_default
        self._analyses = analyses

    def prompt(self) -> PromptSettings:
        """The prompt-shaping settings in force, with the model requests go to."""
        return prompt_settings(self._settings(), self._listed_default())

    def for_passage(self, book: Book, place: Place, earlier: Sequence[str] = ()) -> ToneRequest:
        """The request for one passage of a book.

        Args:
            book: the open book.
            place: the passage.
            earlier: lines about earlier analyses to recall (see :func:`earlier_in_chapter`).
        """
        settings = self._settings()
        pool, fixed = self._examples.for_request(book.book_id, settings.fixed_set)
        prompt = prompt_settings(settings, self._listed_default())
        return request_for_passage(book, *place, prompt, pool, earlier, fixed)

    def for_highlight(
        self, book: Book, item: Highlight, highlights: Iterable[Highlight]
    ) -> ToneRequest:
        """The request for a highlight, recalling the analyses made nearby in its chapter.

        This is also what a Message Batches job sends for each of its highlights.

        Args:
            book: the highlight's book.
            item: the highlight.
            highlights: the book's highlights (the earlier analyses are theirs).
        """
        return self.for_passage(book, place_of(item), self.earlier(item, highlights))

    def earlier(self, item: Highlight, highlights: Iterable[Highlight]) -> list[str]:
        """The lines about earlier analyses a highlight's request recalls.

        A library that cannot be read gives none: the request is still worth sending.
        """
        if self._analyses is None:
            return []
        try:
            latest = self._analyses.latest_ok_for_book(item.book_id)
        except StorageError:
            return []
        return earlier_in_chapter(item, highlights, latest)

    def for_group(self, book: Book, places: Sequence[Place]) -> ToneRequest:
        """One request for several passages, read together and then labelled each.

        The examples are chosen for the passages as a whole.

        Raises:
            ValueError: ``places`` is empty.
        """
        settings = self._settings()
        contexts = [passage_context(book, place, settings.context_paragraphs) for place in places]
        pool, fixed = self._examples.for_request(book.book_id, settings.fixed_set)
        joined = " ".join(c.passage for c in contexts)
        choice = choose_examples(
            pool, settings.example_strategy, joined, k=settings.example_k, fixed=fixed
        )
        return compose_many(
            prompt_settings(settings, self._listed_default()),
            choice.static,
            contexts,
            similar=choice.dynamic,
            notes=choice.notes,
        )

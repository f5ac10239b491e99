"""The request for a passage of a book: shared by the tone panel and the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.ai.prompt import PassageContext, PromptSettings, compose, extract_context
from reader_app.ai.selection import choose_examples

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reader_app.ai.request import ToneRequest
    from reader_app.core.book import Book
    from reader_app.core.examples import Example


def request_for_passage(
    book: Book,
    chapter: int,
    start: int,
    end: int,
    settings: PromptSettings,
    examples: Sequence[Example],
    earlier: Sequence[str] = (),
    fixed: Sequence[Example] = (),
) -> ToneRequest:
    """Compose the request for ``book.chapters[chapter].text[start:end]``.

    ``examples`` is the pool in use (the active set, or the library); the settings'
    strategy picks from it, or takes ``fixed``.
    """
    text = book.chapters[chapter].text
    before, after = extract_context(text, start, end, settings.context_paragraphs)
    ctx = PassageContext(
        book_title=book.title,
        author=", ".join(book.authors),
        chapter_title=book.section_title(chapter, start),
        passage=text[start:end],
        before=before,
        after=after,
        earlier=tuple(earlier),
    )
    choice = choose_examples(
        examples, settings.example_strategy, ctx.passage, k=settings.example_k, fixed=fixed
    )
    return compose(settings, choice.static, ctx, similar=choice.dynamic, notes=choice.notes)

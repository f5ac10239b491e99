"""Several passages in one request: the model reads them all first, then labels each.

This is the seed's method for batch labelling. The answer is one JSON object with an
``items`` list, one analysis per passage, each naming its passage by number. Items are
checked one by one, so a bad item costs only itself, and while the answer streams each
item is handed over as soon as the next one begins.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from reader_app.ai.output_schema import output_schema
from reader_app.ai.prompt import fence, prompt_version, system_blocks
from reader_app.ai.request import ToneRequest
from reader_app.ai.thinking import controls_for
from reader_app.core import jsonsafe

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable, Sequence

    from reader_app.ai.prompt import PassageContext, PromptSettings
    from reader_app.ai.request import RawAnswer
    from reader_app.ai.schema import CheckedAnalysis
    from reader_app.core.examples import Example

READ_FIRST = (
    "Read all the passages below first, each with its context, to understand the scene and "
    "the voices. Then label each passage on its own, in order."
)


def many_schema() -> dict[str, Any]:
    """The schema of a multi-passage answer: ``{"items": [analysis + "passage" number]}``."""
    item = copy.deepcopy(output_schema())
    item["properties"] = {"passage": {"type": "integer"}, **item["properties"]}
    item["required"] = ["passage", *item["required"]]
    return {
        "type": "object",
        "properties": {"items": {"type": "array", "items": item}},
        "required": ["items"],
        "additionalProperties": False,
    }


def many_user_turn(contexts: Sequence[PassageContext]) -> str:
    """The user turn: where the passages are from, then each with its context."""
    first = contexts[0]
    lines = [f"Book: {first.book_title}" + (f" by {first.author}" if first.author else "")]
    earlier = [s for ctx in contexts for s in ctx.earlier]
    if earlier:
        lines.append("<earlier_analyses>")
        lines.extend(f"- {fence(s)}" for s in dict.fromkeys(earlier))
        lines.append("</earlier_analyses>")
    lines.append(READ_FIRST)
    for number, ctx in enumerate(contexts, start=1):
        if ctx.chapter_title:
            lines.append(f"Passage {number} is from: {ctx.chapter_title}")
        if ctx.before.strip():
            lines.append(
                f'<context_before passage="{number}">\n{fence(ctx.before)}\n</context_before>'
            )
        lines.append(f'<passage id="{number}">\n{fence(ctx.passage)}\n</passage>')
        if ctx.after.strip():
            lines.append(
                f'<context_after passage="{number}">\n{fence(ctx.after)}\n</context_after>'
            )
    lines.append(
        f"Answer with one item for each of the {len(contexts)} passages, in order, each giving"
        " its passage number."
    )
    return "\n".join(lines)


def compose_many(
    settings: PromptSettings,
    examples: Sequence[Example],
    contexts: Sequence[PassageContext],
    *,
    similar: Sequence[Example] = (),
    notes: Sequence[str] = (),
) -> ToneRequest:
    """One request for several passages; the system prefix is the single-passage one."""
    if not contexts:
        raise ValueError("no passages")
    system = system_blocks(settings, examples)
    version = prompt_version(system, settings, similar=bool(similar))
    if similar:
        text = "\n".join(f"<example><excerpt>{fence(e.excerpt)}</excerpt><tone>{e.tone}</tone>"
                         "</example>" for e in similar)  # fmt: skip
        system = [
            *system,
            {"type": "text", "text": f"More examples:\n<examples>\n{text}\n</examples>"},
        ]
    # Room for every answer (each is a few hundred tokens), and for thinking once.
    answers = min(32_000, 300 + settings.max_tokens * len(contexts))
    controls = controls_for(settings.model, answers, think_more=settings.think_more)
    return ToneRequest(
        model=settings.model,
        system=system,
        messages=[{"role": "user", "content": many_user_turn(contexts)}],
        max_tokens=controls.max_tokens,
        prompt_version=version,
        passage="\n\n".join(ctx.passage for ctx in contexts),
        output_schema=many_schema(),
        notes=tuple(notes),
        passages=tuple(ctx.passage for ctx in contexts),
        thinking=controls.thinking,
        effort=controls.effort,
    )


@dataclass
class ItemResults:
    """What a multi-passage answer gave for each passage (0-based index)."""

    done: dict[int, CheckedAnalysis] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)


class Numbering:
    """How an answer numbers its passages, told from the answer itself.

    The request numbers the passages from 1, but a model may count from 0, and then its
    item "1" is about the *second* passage. The first item settles it: "0" can only mean
    counting from 0, "1" (first, as the request asks the items to be in order) from 1;
    any other first number cannot tell, and that item is not used. A "0" after counting
    from 1 was settled makes the answer inconsistent, and no later item is used.
    """

    def __init__(self, count: int) -> None:
        self._count = count
        self.base: int | None = None
        self.inconsistent = False

    def index(self, number: object) -> int:
        """The 0-based passage index an item's number means.

        Raises:
            SchemaMismatch: the number names no passage that was sent, or cannot be told.
        """
        from reader_app.ai.schema import SchemaMismatch

        if not isinstance(number, int) or isinstance(number, bool):
            raise SchemaMismatch(f"an item names no passage of this request ({number!r})")
        if self.inconsistent:
            raise SchemaMismatch("the answer numbers its passages inconsistently")
        if self.base is None:
            if number not in (0, 1):
                raise SchemaMismatch(f"the first item is for passage {number}, not the first")
            self.base = number
        elif number == 0 and self.base == 1:
            self.inconsistent = True
            raise SchemaMismatch("the answer numbers its passages inconsistently")
        index = number - self.base
        if not 0 <= index < self._count:
            raise SchemaMismatch(f"an item names no passage of this request ({number!r})")
        return index


def check_item(
    item: Any, passages: Sequence[str], numbering: Numbering
) -> tuple[int, CheckedAnalysis]:
    """Validate one item; returns its 0-based index and the checked analysis.

    Raises:
        SchemaMismatch: the item is not a valid analysis of a passage that was sent.
    """
    from reader_app.ai.schema import SchemaMismatch

    if not isinstance(item, dict):
        raise SchemaMismatch("an item is not an object")
    index = numbering.index(item.get("passage"))
    return index, check_body(item, passages[index], index)


def check_body(item: dict[str, Any], passage: str, index: int) -> CheckedAnalysis:
    """Validate an item as the analysis of ``passage`` (the one at ``index``).

    Besides the schema, the item's evidence must come from the passage it names: when
    none of its quotes is in that passage, it was written about another one.

    Raises:
        SchemaMismatch: the item is not of the schema, or not about this passage.
    """
    from reader_app.ai.schema import SchemaMismatch, validate_answer

    body = {k: v for k, v in item.items() if k != "passage"}
    checked = validate_answer(json.dumps(body), passage)
    given = body.get("evidence")
    if isinstance(given, list) and given and checked.dropped_evidence == len(given):
        raise SchemaMismatch(f"none of its quotes is in passage {index + 1}")
    return checked


class _ItemScanner:
    """Finds the items of the ``items`` array as the answer's text grows, in one pass.

    The text so far is given again on every delta; scanning it whole each time would
    cost the square of its length. A partial parse cannot tell a finished item from one
    whose last string is still being written; the brackets can. Strings are skipped with
    their escapes.
    """

    def __init__(self) -> None:
        self._pos = -1  # where scanning resumes; -1 until the array has begun
        self._depth = 0
        self._in_string = False
        self._escaped = False
        self._item_start = -1
        self._ended = False

    def feed(self, snapshot: str) -> list[str]:
        """The JSON text of each item completed since the last call."""
        if self._ended:
            return []
        if self._pos < 0:
            start = snapshot.find('"items"')
            start = snapshot.find("[", start) if start >= 0 else -1
            if start < 0:
                return []
            self._pos = start + 1
        items: list[str] = []
        depth, in_string, escaped, item_start = (
            self._depth, self._in_string, self._escaped, self._item_start
        )  # fmt: skip
        pos = self._pos
        for pos in range(self._pos, len(snapshot)):
            char = snapshot[pos]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "{[":
                if depth == 0:
                    item_start = pos
                depth += 1
            elif char in "}]":
                if depth == 0:
                    self._ended = True  # the end of the items array
                    break
                depth -= 1
                if depth == 0 and item_start >= 0:
                    items.append(snapshot[item_start : pos + 1])
                    item_start = -1
        else:
            pos = len(snapshot)
        self._pos = max(pos, self._pos)
        self._depth, self._in_string, self._escaped, self._item_start = (
            depth, in_string, escaped, item_start
        )  # fmt: skip
        return items


def complete_items(snapshot: str) -> list[str]:
    """The JSON text of each item of the ``items`` array that is complete so far."""
    return _ItemScanner().feed(snapshot)


class ItemStream:
    """Feeds on the answer as it streams and hands over each item once it is complete."""

    def __init__(
        self, passages: Sequence[str], on_item: Callable[[int, CheckedAnalysis], None]
    ) -> None:
        self._passages = list(passages)
        self._on_item = on_item
        self._handed = 0
        self._scanner = _ItemScanner()
        self._pieces: list[str] = []
        self._numbering = Numbering(len(self._passages))
        self.results = ItemResults()

    def feed(self, snapshot: str) -> None:
        """The answer's text so far."""
        self._pieces.extend(self._scanner.feed(snapshot))
        items: list[Any] = []
        for piece in self._pieces[self._handed :]:
            try:
                items.append(jsonsafe.loads(piece))
            except json.JSONDecodeError:
                items.append(None)
        self._hand_over([None] * self._handed + items)

    def finish(self, text: str) -> ItemResults:
        """The complete answer: check what is left, and name the passages with no answer."""
        from reader_app.ai.schema import SchemaMismatch

        try:
            data = jsonsafe.loads(text)
            items = data.get("items") if isinstance(data, dict) else None
        except json.JSONDecodeError:
            items = None
        if not isinstance(items, list):
            raise SchemaMismatch("the answer has no list of items")
        self._hand_over(items)
        self.name_missing()
        return self.results

    def name_missing(self) -> None:
        """Every passage without an answer is a failure of its own."""
        for index in range(len(self._passages)):
            if index not in self.results.done and index not in self.results.failed:
                self.results.failed[index] = "no answer for this passage"

    def _hand_over(self, items: list[Any]) -> None:
        from reader_app.ai.schema import SchemaMismatch

        while self._handed < len(items):
            item = items[self._handed]
            self._handed += 1
            try:
                if not isinstance(item, dict):
                    raise SchemaMismatch("an item is not an object")
                index = self._numbering.index(item.get("passage"))
            except SchemaMismatch:
                # Which passage the item was for is not known for sure, so its failure
                # is not pinned on one: the passages left unanswered say it.
                continue
            try:
                checked = check_body(item, self._passages[index], index)
            except SchemaMismatch as exc:
                self.results.failed.setdefault(index, str(exc))
                continue
            if index in self.results.done:
                continue  # a second answer for the same passage: the first one stands
            self.results.failed.pop(index, None)
            self.results.done[index] = checked
            self._on_item(index, checked)


class StreamingAnalyzer(Protocol):
    """The part of ClaudeToneAnalyzer a multi-passage analysis needs."""

    def stream_answer(
        self,
        request: ToneRequest,
        *,
        on_partial: Callable[[dict[str, Any]], None] | None = None,
        on_snapshot: Callable[[str], None] | None = None,
        cancelled: threading.Event | None = None,
    ) -> RawAnswer:
        """Stream an answer; raise AiError on failure."""
        ...


def analyse_many(
    analyzer: StreamingAnalyzer,
    request: ToneRequest,
    on_item: Callable[[int, CheckedAnalysis], None],
    cancelled: threading.Event | None = None,
) -> tuple[ItemResults, RawAnswer]:
    """Stream a multi-passage request, handing over each item as soon as it is complete.

    Items already handed over stay handed over whatever happens later: a stream that
    breaks off loses only the passages not yet answered (the AiError says so by its kind;
    the caller keeps what ``on_item`` received).

    Raises:
        AiError: the request or stream failed, or the answer as a whole is not a list.
    """
    from reader_app.ai.errors import AiError, AiErrorKind
    from reader_app.ai.schema import SchemaMismatch
    from reader_app.ai.thinking import cut_off_error

    items = ItemStream(request.passages, on_item)
    raw = analyzer.stream_answer(request, on_snapshot=items.feed, cancelled=cancelled)
    try:
        return items.finish(raw.text), raw
    except SchemaMismatch as exc:
        if raw.stop_reason == "max_tokens":
            limit = raw.max_tokens or request.max_tokens
            raise cut_off_error(limit, raw.usage.output_tokens, raw.request_id,
                                no_text=not raw.text.strip()) from exc  # fmt: skip
        raise AiError(AiErrorKind.SCHEMA, str(exc), request_id=raw.request_id) from exc

"""Examples: passages with the answer the reader found right (few-shot, no weights)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reader_app.core import jsonsafe
from reader_app.core.emotions import EMOTIONS

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True, slots=True)
class Example:
    """One worked example.

    Attributes:
        excerpt: the passage.
        tone: the right tone label.
        emotions: (name, intensity) pairs, strongest first; may be empty.
        explanation: why, in plain words; may be empty.
        source: where the excerpt comes from.
        tags: free labels for finding and grouping.
        speaker: who says the excerpt ("narrator" for narration); may be empty.
        addressee: to whom; may be empty.
    """

    excerpt: str
    tone: str
    emotions: tuple[tuple[str, float], ...] = ()
    explanation: str = ""
    source: str = ""
    tags: tuple[str, ...] = ()
    speaker: str = ""
    addressee: str = ""


class ExampleFormatError(ValueError):
    """A row that is not a usable example."""


def example_from_dict(data: dict[str, Any]) -> Example:
    """Build an example from a JSON object; raises ExampleFormatError on bad fields."""
    excerpt = data.get("excerpt")
    tone = data.get("tone")
    if not isinstance(excerpt, str) or not excerpt.strip():
        raise ExampleFormatError("“excerpt” is missing or empty")
    if not isinstance(tone, str) or not tone.strip():
        raise ExampleFormatError("“tone” is missing or empty")
    emotions: list[tuple[str, float]] = []
    for item in data.get("emotions") or []:
        if not isinstance(item, dict) or item.get("name") not in EMOTIONS:
            raise ExampleFormatError(f"unknown emotion {item!r}")
        intensity = item.get("intensity", 0.5)
        if not isinstance(intensity, int | float) or not 0 <= intensity <= 1:
            raise ExampleFormatError(f"intensity of {item.get('name')} must be between 0 and 1")
        emotions.append((str(item["name"]), float(intensity)))
    tags = data.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ExampleFormatError("“tags” must be a list of words")
    for name in ("speaker", "addressee"):
        if not isinstance(data.get(name) or "", str):
            raise ExampleFormatError(f"“{name}” must be a name")
    return Example(
        excerpt=excerpt.strip(),
        tone=tone.strip(),
        emotions=tuple(sorted(emotions, key=lambda e: -e[1])),
        explanation=str(data.get("explanation") or "").strip(),
        source=str(data.get("source") or "").strip(),
        tags=tuple(tags),
        speaker=" ".join(str(data.get("speaker") or "").split()),
        addressee=" ".join(str(data.get("addressee") or "").split()),
    )


def example_to_dict(example: Example) -> dict[str, Any]:
    """The JSON form (as in seed.jsonl)."""
    data: dict[str, Any] = {"excerpt": example.excerpt, "tone": example.tone}
    if example.emotions:
        data["emotions"] = [{"name": n, "intensity": i} for n, i in example.emotions]
    if example.explanation:
        data["explanation"] = example.explanation
    if example.source:
        data["source"] = example.source
    if example.tags:
        data["tags"] = list(example.tags)
    if example.speaker:
        data["speaker"] = example.speaker
    if example.addressee:
        data["addressee"] = example.addressee
    return data


def read_jsonl(path: Path) -> tuple[list[Example], list[str]]:
    """Examples from a JSONL file, and one message per bad line (with its number)."""
    examples: list[Example] = []
    problems: list[str] = []
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = jsonsafe.loads(line)
                if not isinstance(data, dict):
                    raise ExampleFormatError("not a JSON object")
                examples.append(example_from_dict(data))
            except (json.JSONDecodeError, ExampleFormatError) as exc:
                problems.append(f"line {number}: {exc}")
    return examples, problems

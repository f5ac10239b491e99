"""``json.loads`` for text from outside: JSON nested too deep is a decode error, not a crash.

The standard decoder recurses once per level of nesting, so a file (or a model's answer)
of 100,000 opening brackets raises ``RecursionError``, which nothing expects and which
reached the crash handler. Here it becomes a :class:`JsonTooDeep`, a
``json.JSONDecodeError``, so every caller's existing "not valid JSON" message covers it.
"""

from __future__ import annotations

import json
from typing import Any


class JsonTooDeep(json.JSONDecodeError):
    """JSON nested deeper than the decoder can follow."""

    def __init__(self, doc: str) -> None:
        super().__init__("it is nested too deeply", doc, 0)


def loads(text: str | bytes) -> Any:
    """Parse JSON like ``json.loads``.

    Args:
        text: the JSON text.

    Raises:
        json.JSONDecodeError: not JSON, or (as JsonTooDeep) nested too deeply.
    """
    try:
        return json.loads(text)
    except RecursionError:
        # The error object must not keep a 1 GB document alive, nor print one.
        raise JsonTooDeep("") from None

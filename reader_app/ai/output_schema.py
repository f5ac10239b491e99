"""The JSON schema of an answer, as sent in ``output_config.format``.

Kept apart from the pydantic models in ``schema.py`` so that composing a request does not
import pydantic, which would slow the app's start.
"""

from __future__ import annotations

from typing import Any

from reader_app.core.emotions import EMOTIONS


def output_schema() -> dict[str, Any]:
    """The JSON schema sent as ``output_config.format``.

    Written out rather than generated so that it stays within what structured outputs
    accept: no numeric bounds, no string lengths, no ``maxItems``, ``minItems`` only 0
    or 1, ``additionalProperties: false`` on every object. The bounds it cannot state are
    in the descriptions, and ``schema.repair_answer`` makes the answer keep them.
    """
    emotion = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "enum": list(EMOTIONS)},
            "intensity": {"type": "number", "description": "0 (barely) to 1 (overwhelming)"},
        },
        "required": ["name", "intensity"],
        "additionalProperties": False,
    }
    evidence = {
        "type": "object",
        "properties": {
            "quote": {"type": "string", "description": "words copied exactly from the passage"},
            "why": {"type": "string"},
        },
        "required": ["quote", "why"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "tone": {"type": "string", "description": "a short label like the examples'"},
            "polarity": {"type": "string", "enum": ["negative", "neutral", "positive", "mixed"]},
            "emotions": {
                "type": "array",
                "items": emotion,
                "minItems": 1,
                "description": "1 to 3 emotions, strongest first",
            },
            "evidence": {"type": "array", "items": evidence},
            "explanation": {"type": "string"},
            "confidence": {"type": "number", "description": "0 to 1"},
            "speaker": {
                "type": "string",
                "description": 'who speaks the passage: a name as the book gives it, "narrator"'
                ' or "unknown"',
            },
            "addressee": {
                "type": "string",
                "description": 'to whom it is said: a name, "reader", or "" when it cannot be told',
            },
        },
        "required": [
            "tone",
            "polarity",
            "emotions",
            "evidence",
            "explanation",
            "confidence",
            "speaker",
            "addressee",
        ],
        "additionalProperties": False,
    }

"""The tone words of a tone label: "Scornful and Disapproving" → scornful, disapproving.

The joining words and the softeners around them ("and", "slightly", "with a hint of") are
not tone words. The glossary collects these words, and a learner's guessed tone word is
matched against them.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_JOINING_WORDS = """a an and as at but by for from hint in into nor not of on or over rather
slightly somewhat tinge the to tone touch undertone undertones very with yet mildly quite
almost deeply faintly"""
_NOT_TONE = frozenset(_JOINING_WORDS.split())
MIN_LETTERS = 3


def tone_words(label: str) -> list[str]:
    """The tone words of a label, lower-cased, in order, each once."""
    words: list[str] = []
    for match in _WORD.finditer(label):
        word = match.group(0).casefold().replace("’", "'")
        if len(word) >= MIN_LETTERS and word not in _NOT_TONE and word not in words:
            words.append(word)
    return words

"""Convert offsets between Python code points and Qt's UTF-16 code units.

Every offset the core stores (anchors, search hits, positions) counts code points into
``Chapter.text``. Qt's ``QTextCursor`` and ``QTextDocument`` count UTF-16 code units, where a
character above U+FFFF (emoji, some CJK, mathematical letters) takes two units, a surrogate pair.
The two counts only drift apart at those astral characters, so a map needs just their positions.
"""

from __future__ import annotations

import re
from bisect import bisect_left

__all__ = ["Utf16Map"]

# One match per character that UTF-16 encodes as a surrogate pair.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16Map:
    r"""Translates offsets into one string between code points and UTF-16 code units.

    Building the map costs one regex scan of the text. Each conversion then takes
    O(log n) in the number of astral characters, and O(1) when there are none, which is the
    case for nearly every book.

    Example:
        >>> m = Utf16Map("a\U0001F600b")
        >>> m.to_utf16(2), m.to_codepoint(3)
        (3, 2)
    """

    __slots__ = ("_astral_cp", "_astral_u16", "_length")

    def __init__(self, text: str) -> None:
        """Index the astral characters of ``text``.

        Args:
            text: the string whose offsets are to be converted, normally a chapter's text.
        """
        self._length = len(text)
        # Code point offsets of the astral characters, ascending.
        self._astral_cp: list[int] = [m.start() for m in _ASTRAL.finditer(text)]
        # The same characters' UTF-16 offsets: each earlier astral character adds one unit.
        self._astral_u16: list[int] = [cp + i for i, cp in enumerate(self._astral_cp)]

    @property
    def length(self) -> int:
        """The text's length in code points."""
        return self._length

    @property
    def utf16_length(self) -> int:
        """The text's length in UTF-16 code units."""
        return self._length + len(self._astral_cp)

    @property
    def has_astral(self) -> bool:
        """Whether any character needs a surrogate pair, i.e. whether the counts differ."""
        return bool(self._astral_cp)

    def to_utf16(self, cp_offset: int) -> int:
        """Convert a code point offset to a UTF-16 offset.

        Args:
            cp_offset: an offset between 0 and ``length`` inclusive.

        Returns:
            The UTF-16 offset of the same position.

        Raises:
            ValueError: if the offset lies outside the text.
        """
        if not 0 <= cp_offset <= self._length:
            raise ValueError(f"code point offset {cp_offset} outside 0..{self._length}")
        if not self._astral_cp:
            return cp_offset
        # Every astral character strictly before the offset adds one extra unit.
        return cp_offset + bisect_left(self._astral_cp, cp_offset)

    def to_codepoint(self, u16_offset: int) -> int:
        """Convert a UTF-16 offset to a code point offset.

        An offset that falls between the two halves of a surrogate pair cannot be expressed in
        code points; it maps to the start of the pair, so a selection never splits a character.

        Args:
            u16_offset: an offset between 0 and ``utf16_length`` inclusive.

        Returns:
            The code point offset of the same position (or of the pair's start).

        Raises:
            ValueError: if the offset lies outside the text.
        """
        if not 0 <= u16_offset <= self.utf16_length:
            raise ValueError(f"UTF-16 offset {u16_offset} outside 0..{self.utf16_length}")
        if not self._astral_cp:
            return u16_offset
        # Astral characters that start strictly before the offset.
        before = bisect_left(self._astral_u16, u16_offset)
        if before and self._astral_u16[before - 1] + 1 == u16_offset:
            # The offset sits on the low surrogate of the pair that starts one unit earlier.
            return self._astral_cp[before - 1]
        return u16_offset - before

"""Code point <-> UTF-16 offset conversion (Qt counts UTF-16 units, the core code points)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader_app.core.offsets import Utf16Map

GRIN = "\U0001f600"  # 😀, outside the BMP: two UTF-16 units
VIOLIN = "\U0001f3bb"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_text_without_astral_characters_maps_to_itself() -> None:
    text = "Grüße, naïve café — “quoted” ß İ"
    m = Utf16Map(text)
    assert not m.has_astral
    assert m.length == m.utf16_length == len(text)
    for i in range(len(text) + 1):
        assert m.to_utf16(i) == i
        assert m.to_codepoint(i) == i


def test_emoji_shifts_later_offsets_by_one_unit() -> None:
    text = f"a{GRIN}b"
    m = Utf16Map(text)
    assert m.has_astral
    assert (m.length, m.utf16_length) == (3, 4)
    assert [m.to_utf16(i) for i in range(4)] == [0, 1, 3, 4]
    assert [m.to_codepoint(u) for u in (0, 1, 3, 4)] == [0, 1, 2, 3]


def test_offset_inside_a_surrogate_pair_maps_to_the_pair_start() -> None:
    text = f"x{GRIN}{VIOLIN}y"
    m = Utf16Map(text)
    # UTF-16: x=0, GRIN=1..2, VIOLIN=3..4, y=5.
    assert m.to_codepoint(2) == 1
    assert m.to_codepoint(4) == 2
    assert m.to_codepoint(5) == 3


def test_astral_at_both_ends_and_adjacent() -> None:
    text = f"{GRIN}{GRIN}mid{VIOLIN}"
    m = Utf16Map(text)
    assert m.utf16_length == utf16_len(text) == 9
    assert [m.to_utf16(i) for i in range(len(text) + 1)] == [0, 2, 4, 5, 6, 7, 9]
    assert m.to_codepoint(1) == 0
    assert m.to_codepoint(3) == 1
    assert m.to_codepoint(8) == 5


def test_mathematical_letters_and_cjk_extension_b_are_astral() -> None:
    text = "\U0001d400\U00020000"  # MATHEMATICAL BOLD CAPITAL A, a CJK Extension B ideograph
    m = Utf16Map(text)
    assert m.utf16_length == 4
    assert m.to_utf16(1) == 2


@pytest.mark.parametrize("offset", [-1, 4])
def test_code_point_offset_out_of_range(offset: int) -> None:
    with pytest.raises(ValueError, match="code point offset"):
        Utf16Map(f"a{GRIN}b").to_utf16(offset)


@pytest.mark.parametrize(("text", "offset"), [("abc", 4), (f"a{GRIN}b", 5), ("", -1)])
def test_utf16_offset_out_of_range(text: str, offset: int) -> None:
    with pytest.raises(ValueError, match="UTF-16 offset"):
        Utf16Map(text).to_codepoint(offset)


def test_empty_text() -> None:
    m = Utf16Map("")
    assert (m.to_utf16(0), m.to_codepoint(0), m.utf16_length) == (0, 0, 0)


def test_big_text_with_a_few_emoji(war_and_peace: list[str]) -> None:
    text = "".join(war_and_peace[:40])
    third = len(text) // 3
    text = text[:third] + GRIN + text[third : 2 * third] + VIOLIN + text[2 * third :]
    m = Utf16Map(text)
    assert m.utf16_length == utf16_len(text)
    for cp in (0, third, third + 1, 2 * third + 1, 2 * third + 2, len(text)):
        assert m.to_utf16(cp) == utf16_len(text[:cp])
        assert m.to_codepoint(m.to_utf16(cp)) == cp


@given(st.text(alphabet=st.sampled_from(["a", "é", "\n", GRIN, VIOLIN, "\U0010ffff"])))
def test_matches_python_utf16_encoding(text: str) -> None:
    m = Utf16Map(text)
    assert m.utf16_length == utf16_len(text)
    for cp in range(len(text) + 1):
        u16 = m.to_utf16(cp)
        assert u16 == utf16_len(text[:cp])
        assert m.to_codepoint(u16) == cp
        # The unit after an astral character's start is its low surrogate.
        if cp < len(text) and ord(text[cp]) > 0xFFFF:
            assert m.to_codepoint(u16 + 1) == cp

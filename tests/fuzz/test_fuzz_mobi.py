"""Fuzz the MOBI and AZW3 loader: every input opens or gives a BookError, in time and memory.

Seeds are the small Kindle books of tests/data/mobi (MOBI 6, AZW3, combined). They are
damaged twice over: as raw bytes, which mostly breaks the record list and is refused
before unpacking; and record by record, with the record list kept valid so that the
damage reaches the unpacker (the text, the indexes, the headers' record numbers). Each
input that reaches the unpacker starts a process, so the counts are lower than for the
other loaders. Each book that opens has its images read again, as the view would.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader_app.core.errors import BookError
from reader_app.core.loaders import load_book
from tests.fuzz.harness import assert_rss_bounded, run_bounded
from tests.fuzz.mutations import Seeds, mutated
from tests.fuzz.test_fuzz_loaders import fuzz_settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from reader_app.core.book import Book

MOBI = Path(__file__).resolve().parents[1] / "data" / "mobi"
_RES = re.compile(r'src="res:([^"]+)"')

MOBI_SEEDS = Seeds(
    (MOBI / name).read_bytes() for name in ("minimal.mobi", "minimal.azw3", "hefty-water.mobi")
)
# Values that break assumptions: record numbers past the end, sizes that overflow.
HOSTILE_U32 = (0, 1, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0x10000, 9, 14, 28)


def _offsets(data: bytes) -> list[int]:
    (count,) = struct.unpack_from(">H", data, 76)
    return [struct.unpack_from(">I", data, 78 + 8 * i)[0] for i in range(count)] + [len(data)]


@st.composite
def damaged_records(draw: st.DrawFn) -> bytes:
    """A seed with some records damaged in place; the record list stays consistent."""
    data = bytearray(draw(st.sampled_from(MOBI_SEEDS)))
    offsets = _offsets(bytes(data))
    for _ in range(draw(st.integers(1, 4))):
        record = draw(st.integers(0, len(offsets) - 2))
        start, end = offsets[record], offsets[record + 1]
        if end - start < 4:
            continue
        at = draw(st.integers(start, end - 4))
        op = draw(st.sampled_from(("u32", "flip", "zero", "noise")))
        if op == "u32":
            # Header fields are 32-bit and aligned: hit one of them squarely.
            at = start + (at - start) // 4 * 4
            struct.pack_into(">I", data, at, draw(st.sampled_from(HOSTILE_U32)))
        elif op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "zero":
            span = draw(st.integers(1, end - at))
            data[at : at + span] = bytes(span)
        else:
            span = min(draw(st.integers(1, 64)), end - at)
            data[at : at + span] = draw(st.binary(min_size=span, max_size=span))
    return bytes(data)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("fuzz-mobi")
    assert_rss_bounded()


def _open_and_view(path: Path) -> Book:
    book = load_book(path)
    assert any(chapter.text.strip() for chapter in book.chapters)
    for name in _RES.findall("".join(c.html for c in book.chapters))[:5]:
        assert book.read_resource is not None
        book.read_resource(name)
    return book


def _load(workdir: Path, data: bytes, suffix: str) -> None:
    path = workdir / f"book{suffix}"
    path.write_bytes(data)
    run_bounded("mobi", lambda: _open_and_view(path), (BookError,), data, suffix)


@fuzz_settings(120)
@given(data=mutated(MOBI_SEEDS, max_edits=3))
def test_mobi_bytes(workdir: Path, data: bytes) -> None:
    _load(workdir, data, ".mobi")


@fuzz_settings(200)
@given(data=damaged_records(), suffix=st.sampled_from((".mobi", ".azw3")))
def test_mobi_records(workdir: Path, data: bytes, suffix: str) -> None:
    _load(workdir, data, suffix)

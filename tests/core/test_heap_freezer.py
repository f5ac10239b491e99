"""HeapFreezer: long-lived objects set aside from full collections, and handed back."""

from __future__ import annotations

import gc
import time
from typing import TYPE_CHECKING

import pytest

from reader_app.core.gc_pause import HeapFreezer

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def heap() -> Iterator[HeapFreezer]:
    freezer = HeapFreezer()
    gc.unfreeze()
    yield freezer
    freezer.thaw()


def test_settle_sets_aside_what_is_alive_and_makes_full_collections_short(
    heap: HeapFreezer,
) -> None:
    keep = [[n] for n in range(200_000)]  # a big long-lived heap, like a library's
    started = time.perf_counter()
    gc.collect()
    walked = time.perf_counter() - started
    heap.settle()
    assert gc.get_freeze_count() >= len(keep)
    started = time.perf_counter()
    gc.collect()
    skipped = time.perf_counter() - started
    assert skipped < walked / 3, (walked, skipped)


def test_garbage_made_before_settling_is_collected_not_set_aside(heap: HeapFreezer) -> None:
    class Node:
        other: object = None

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle only the collector can free
    del a, b
    heap.settle()
    assert not any(type(o) is Node for o in gc.get_objects())


def test_holds_nest_and_the_last_release_hands_back_and_asks_to_settle(
    heap: HeapFreezer,
) -> None:
    heap.hold()
    heap.hold()
    assert gc.get_freeze_count() > 0
    assert heap.release() is False  # one job still running
    assert gc.get_freeze_count() > 0
    assert heap.release() is True
    assert gc.get_freeze_count() == 0
    assert heap.release() is False  # an extra release neither fails nor asks again


def test_settle_waits_while_a_hold_is_on(heap: HeapFreezer) -> None:
    heap.hold()
    frozen = gc.get_freeze_count()
    made_during = [[n] for n in range(1_000)]
    heap.settle()
    assert gc.get_freeze_count() == frozen  # what the running work made stays collectable
    assert heap.release() is True
    assert made_during


def test_thaw_hands_everything_back_and_forgets_holds(heap: HeapFreezer) -> None:
    heap.settle()
    heap.hold()
    heap.thaw()
    assert gc.get_freeze_count() == 0
    assert heap.release() is False

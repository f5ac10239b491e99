"""Holding off Python's cycle collector during bulk work that makes no cycles."""

from __future__ import annotations

import contextlib
import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Hold off the cycle collector while work makes thousands of objects.

    For work that makes no reference cycles (placing or importing highlights).

    Those allocations trigger full collections, and a full collection holds the GIL for
    as long as it walks every object: with 20,000 highlights that froze the window for
    over 200 ms, whichever thread it ran on, and cost an import 0.15 s of its 2. Reference
    counting still frees everything meanwhile. Nested uses are fine: the outermost one
    turns the collector back on, and only if it was on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class HeapFreezer:
    """Keeps long-lived objects out of the cycle collector's full collections.

    A full collection walks every tracked object with the GIL held: after start-up that
    is some 50,000 objects (modules, classes, the window's wrappers) and 25-35 ms in which
    the window cannot paint, added to whatever the reader was doing. Objects set aside by
    ``gc.freeze`` are skipped, and reference counting still frees them.

    ``settle`` collects once and sets aside everything alive: call it when the app is
    idle. ``hold`` and ``release`` bracket work that allocates a lot (streamed answers):
    while any hold is on, what existed at the first hold is set aside too; the last
    release hands everything back so that nothing dropped meanwhile stays uncollected,
    and returns True to say ``settle`` is due again.

    One per process: the collector it steers is the interpreter's.
    """

    def __init__(self) -> None:
        self._holds = 0

    def settle(self) -> None:
        """Collect, then set aside every object alive now (skipped while a hold is on)."""
        if self._holds:
            return
        gc.collect()
        gc.freeze()

    def hold(self) -> None:
        """Set aside what exists now, until the matching ``release``."""
        if not self._holds:
            gc.freeze()
        self._holds += 1

    def release(self) -> bool:
        """End a hold; True when it was the last one and ``settle`` should follow later."""
        if not self._holds:
            return False
        self._holds -= 1
        if self._holds:
            return False
        gc.unfreeze()
        return True

    def thaw(self) -> None:
        """Hand everything back to the collector and forget any holds (on shutdown)."""
        self._holds = 0
        gc.unfreeze()

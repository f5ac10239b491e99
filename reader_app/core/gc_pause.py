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

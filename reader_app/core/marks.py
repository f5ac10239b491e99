"""What the reading page draws over a chapter's text: a plain value, shared by the layers.

The highlight service says which ranges to draw; the page draws them. Neither needs the
other's module for that, only this value.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Mark:
    """A range to draw over the text: a highlight, or the current search match."""

    start: int
    end: int
    color: str  # a highlight colour name, or "search" for the current search match
    key: int = 0  # the highlight id; 0 for temporary marks

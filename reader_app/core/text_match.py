"""Edit distances for anchoring: approximate matching of a quote in a window of text."""

from __future__ import annotations


def common_prefix(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share at their start."""
    # Binary search on slice equality: O(log n) comparisons that each run at C speed.
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if a[:mid] == b[:mid] else (lo, mid - 1)
    return lo


def edit_scores(pattern: str, window: str) -> list[int]:
    """For each end j in ``window``, the fewest edits from ``pattern`` to a text ending there.

    The copy may start anywhere, so this is approximate string matching; Myers' bit-vector
    algorithm does it in one pass, a few integer operations per character of the window.

    Args:
        pattern: what to look for, at least one character.
        window: where to look.

    Returns:
        ``len(window) + 1`` distances; index j is for the text ending just before ``window[j]``.
    """
    m = len(pattern)
    full, top, masks = (1 << m) - 1, 1 << (m - 1), dict[str, int]()
    for i, char in enumerate(pattern):
        masks[char] = masks.get(char, 0) | (1 << i)
    positive, negative, score = full, 0, m  # the column's vertical deltas, as bit vectors
    scores = [m]
    for char in window:
        eq = masks.get(char, 0)
        xv = eq | negative
        xh = (((eq & positive) + positive) ^ positive) | eq
        ph = negative | (~(xh | positive) & full)
        mh = positive & xh
        score += 1 if ph & top else -1 if mh & top else 0
        # No carry into the first row: the copy may start anywhere in the window.
        ph, mh = (ph << 1) & full, (mh << 1) & full
        positive, negative = mh | (~(xv | ph) & full), ph & xv
        scores.append(score)
    return scores


def best_end(pattern: str, window: str, expected: int) -> int:
    """Where in ``window`` an edited copy of ``pattern`` ends (fewest edits, then nearest)."""
    scores = edit_scores(pattern, window)
    return min(range(len(scores)), key=lambda j: (scores[j], abs(j - expected), j))

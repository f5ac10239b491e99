"""Run one fuzzed input under the fuzz contract: a result or an expected error, fast and small.

Every target is called through :func:`run_bounded`. It allows only the error types the
target documents, times the call, and records the Python heap peak with ``tracemalloc``.
Native allocations (libxml2, zlib) are invisible to ``tracemalloc``, so the process's
maximum resident size is checked as well once a test has run all its inputs.
"""

from __future__ import annotations

import hashlib
import resource
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

MAX_SECONDS = 5.0
MAX_PEAK_BYTES = 200 * 1024 * 1024
# The whole test process, Qt and the other suites included; a bomb that got through
# would push it far past this.
MAX_RSS_BYTES = 2 * 1024 * 1024 * 1024
FAILURES = Path(tempfile.gettempdir()) / "tone-reader-fuzz-failures"


@dataclass
class TargetStats:
    """What one target saw across its inputs."""

    inputs: int = 0
    expected_errors: int = 0
    worst_seconds: float = 0.0
    worst_peak: int = 0


@dataclass
class Stats:
    """Figures for every target, printed at the end of the run."""

    targets: dict[str, TargetStats] = field(default_factory=dict)

    def of(self, target: str) -> TargetStats:
        return self.targets.setdefault(target, TargetStats())


STATS = Stats()


def save_failure(target: str, data: bytes, suffix: str) -> Path:
    """Keep an input that broke the contract, named by its hash, for reproduction."""
    FAILURES.mkdir(parents=True, exist_ok=True)
    path = FAILURES / f"{target}-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
    path.write_bytes(data)
    return path


def run_bounded(
    target: str,
    call: Callable[[], T],
    expected: tuple[type[BaseException], ...],
    data: bytes,
    suffix: str,
) -> T | None:
    """Call ``call``; return its result, or None when it raised one of ``expected``.

    Anything else, a slow call or a large heap peak fails the test with the input saved.
    """
    stats = STATS.of(target)
    stats.inputs += 1
    tracemalloc.start()
    start = time.perf_counter()
    result: T | None = None
    try:
        result = call()
    except expected:
        stats.expected_errors += 1
    except Exception as exc:
        tracemalloc.stop()
        saved = save_failure(target, data, suffix)
        raise AssertionError(f"{target}: {type(exc).__name__} escaped; input in {saved}") from exc
    finally:
        elapsed = time.perf_counter() - start
        if tracemalloc.is_tracing():
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        else:
            peak = 0
    stats.worst_seconds = max(stats.worst_seconds, elapsed)
    stats.worst_peak = max(stats.worst_peak, peak)
    if elapsed >= MAX_SECONDS:
        saved = save_failure(target, data, suffix)
        raise AssertionError(f"{target}: took {elapsed:.1f} s; input in {saved}")
    if peak >= MAX_PEAK_BYTES:
        saved = save_failure(target, data, suffix)
        raise AssertionError(f"{target}: peaked at {peak / 2**20:.0f} MB; input in {saved}")
    return result


def max_rss_bytes() -> int:
    """The process's peak resident size so far (Linux reports KiB, macOS bytes)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def assert_rss_bounded() -> None:
    """Fail when the process as a whole grew past what any real book needs."""
    rss = max_rss_bytes()
    assert rss < MAX_RSS_BYTES, f"peak resident size {rss / 2**20:.0f} MB"

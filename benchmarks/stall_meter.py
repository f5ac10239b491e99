"""How long the GUI thread stops answering: a fast heartbeat timer and its longest gaps.

A ``QTimer`` ticks every few milliseconds on the GUI thread. While the thread is busy in
a slot, a paint or a layout, no tick can run, so the gap between two ticks is how long
the window was frozen. Gaps are attributed to the user action in progress::

    meter = StallMeter()
    meter.start()
    with meter.action("search"):
        ...  # send the keys, then wait (pumping events) until the result is painted
    meter.stop()
    print(meter.report())

Anything that blocks the thread counts: our code, Qt's layout and painting, Python's
garbage collector, waiting for the disk, and the operating system not scheduling the
process. To tell work from waiting, each gap also records how much CPU time the thread
used in it: a 120 ms gap with 110 ms of CPU is the app's own work; one with 5 ms of CPU
was the thread waiting (for the disk, or for a core on a busy machine).
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer

if TYPE_CHECKING:
    from collections.abc import Iterator

IDLE = "(between actions)"


@dataclass
class ActionStalls:
    """The longest gap of every run of one kind of action, in milliseconds."""

    name: str
    longest: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # the thread's CPU time in each longest gap

    @property
    def count(self) -> int:
        """How many times the action ran."""
        return len(self.longest)

    @property
    def median(self) -> float:
        """The median of the per-run longest gaps."""
        return statistics.median(self.longest) if self.longest else 0.0

    @property
    def max(self) -> float:
        """The longest gap of any run."""
        return max(self.longest, default=0.0)

    @property
    def cpu_of_max(self) -> float:
        """The CPU time the GUI thread used during the longest gap of any run."""
        return self.cpu[self.longest.index(self.max)] if self.longest else 0.0

    def over(self, limit_ms: float) -> int:
        """How many runs stalled longer than ``limit_ms``."""
        return sum(1 for gap in self.longest if gap > limit_ms)


class StallMeter(QObject):
    """A heartbeat on the GUI thread that records the longest gap between its ticks."""

    def __init__(self, interval_ms: int = 5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        # A coarse timer may fire up to 5 % late by design; that is not a stall of ours.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self._last_cpu = 0.0
        self._current = IDLE
        self._longest = 0.0
        self._longest_cpu = 0.0
        self.actions: dict[str, ActionStalls] = {}
        self.ticks = 0

    def start(self) -> None:
        """Start the heartbeat."""
        self._restart()
        self._timer.start()

    def stop(self) -> None:
        """Stop the heartbeat."""
        self._timer.stop()

    def _restart(self) -> None:
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self._longest = 0.0
        self._longest_cpu = 0.0

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        gap = (now - self._last) * 1000
        if gap > self._longest:
            self._longest = gap
            self._longest_cpu = (cpu - self._last_cpu) * 1000
        self._last, self._last_cpu = now, cpu
        self.ticks += 1

    @contextmanager
    def action(self, name: str) -> Iterator[None]:
        """Attribute the gaps inside the block to one run of the action ``name``.

        The clock restarts on entry, so the driver's own time before the action is not
        counted; on exit the time since the last tick is counted, so an action that
        blocked right up to the end of the block is not missed.
        """
        self._restart()
        self._current = name
        try:
            yield
        finally:
            self._tick()
            record = self.actions.setdefault(name, ActionStalls(name))
            record.longest.append(self._longest)
            record.cpu.append(self._longest_cpu)
            self._current = IDLE
            self._restart()

    def worst(self) -> ActionStalls | None:
        """The action with the longest single stall."""
        return max(self.actions.values(), key=lambda a: a.max, default=None)

    def report(self, limit_ms: float = 50.0) -> str:
        """A table per action: runs, median and max of the longest gap (with the CPU time
        the thread used in that max gap), and the runs over ``limit_ms``."""
        lines = [
            f"{'action':<30}{'runs':>6}{'median ms':>11}{'max ms':>9}{'(cpu ms)':>10}"
            f"{'>' + format(limit_ms, 'g') + ' ms':>9}"
        ]
        for item in sorted(self.actions.values(), key=lambda a: -a.max):
            lines.append(
                f"{item.name:<30}{item.count:>6}{item.median:>11.1f}{item.max:>9.1f}"
                f"{item.cpu_of_max:>10.1f}{item.over(limit_ms):>9}"
            )
        return "\n".join(lines)

"""How much this machine stretches a fixed piece of work, and whether the CPU clock sees it.

    .venv/bin/python benchmarks/machine_noise.py [--seconds 120] [--work-ms 20]

Runs the same pure-Python loop (about ``--work-ms`` on an unloaded core) again and again
for ``--seconds``, timing each run by the wall clock and by the thread's CPU clock, and
reading the machine's steal time (``/proc/stat``) around it. On a shared virtual machine
a run can take two or three times as long as the median while the thread's CPU clock
counts every millisecond and no steal is recorded: the host took the core, and the guest
cannot tell. The soak test's judgement of GUI stalls rests on these figures.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

STAT = Path("/proc/stat")


def steal_ticks() -> int:
    """The machine's steal time so far, in clock ticks (0 where /proc/stat is missing)."""
    try:
        with STAT.open() as handle:
            fields = handle.readline().split()
    except OSError:
        return 0
    return int(fields[8]) if len(fields) > 8 else 0


def loop(count: int) -> int:
    total = 0
    for i in range(count):
        total += i * i
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--work-ms", type=float, default=20.0)
    args = parser.parse_args()
    # Size the loop to the wanted duration on this machine, from the best of a few tries.
    trial = 100_000
    best = min(_timed(trial)[0] for _ in range(5))
    count = max(1_000, int(trial * args.work_ms / max(best, 0.1)))
    runs: list[tuple[float, float]] = []  # (wall ms, CPU ms)
    stolen = 0
    ends = time.monotonic() + args.seconds
    while time.monotonic() < ends:
        before = steal_ticks()
        runs.append(_timed(count))
        stolen += steal_ticks() != before
        time.sleep(0.05)
    walls = sorted(wall for wall, _cpu in runs)
    median = statistics.median(walls)
    # Of the runs stretched past 1.5x the median, the share of their time the CPU clock saw.
    stretched_cpu = [cpu / wall for wall, cpu in runs if wall > 1.5 * median]

    def at(share: float) -> float:
        return walls[min(len(walls) - 1, int(len(walls) * share))]

    print(f"{len(walls)} runs of the same work over {args.seconds:.0f} s")
    print(
        f"wall ms: median {median:.1f}  p90 {at(0.9):.1f}  p99 {at(0.99):.1f}"
        f"  p99.9 {at(0.999):.1f}  max {walls[-1]:.1f}  (max {walls[-1] / median:.1f}× median)"
    )
    share = statistics.mean(stretched_cpu) if stretched_cpu else 0.0
    print(
        f"runs over 1.5× median: {len(stretched_cpu)}; the thread's CPU clock counted {share:.0%} of"
        f" their wall time; runs with any steal recorded: {stolen}"
    )


def _timed(count: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.thread_time()
    loop(count)
    return (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000


if __name__ == "__main__":
    main()

"""Background jobs report progress without starving the GUI thread."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal

from benchmarks.gui_clock import StallMeter
from reader_app.services.tasks import Mailbox, TaskRunner, Throttle

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot


def test_throttle_lets_one_update_through_per_interval() -> None:
    throttle = Throttle(0.05)
    assert throttle.ready()
    assert not throttle.ready()
    time.sleep(0.06)
    assert throttle.ready()


def test_a_job_reporting_constantly_leaves_the_gui_thread_its_turns(qtbot: QtBot) -> None:
    pool = QThreadPool()
    runner = TaskRunner(pool)
    heartbeat = StallMeter(5)  # the longest gap between 5 ms beats of the GUI thread
    reports: list[tuple[int, int]] = []
    results: list[object] = []

    def work(report: object) -> int:
        # Pure Python for 0.4 s, reporting as often as a careless loop would.
        total, done, end = 1_000_000, 0, time.perf_counter() + 0.4
        while time.perf_counter() < end:
            done = min(total - 1, done + 1)
            report(done, total)  # type: ignore[operator]
        report(total, total)  # type: ignore[operator]
        return done

    heartbeat.start()
    runner.submit_reporting(
        work, results.append, results.append, lambda d, t: reports.append((d, t))
    )
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    longest = heartbeat.stop()
    pool.waitForDone()
    # Without the throttle the GUI thread went 200 ms and more between beats; with it,
    # under 10 ms on a quiet machine (the margin is for a busy one).
    assert longest < 0.08
    assert reports[-1] == (1_000_000, 1_000_000)
    assert 2 <= len(reports) <= 20  # about 0.4 s / 50 ms, and the final one


def test_a_fast_stream_reaches_the_gui_newest_first_without_starving_it(qtbot: QtBot) -> None:
    class Relay(QObject):
        ready = Signal()

    relay, mailbox = Relay(), Mailbox()
    seen: list[int] = []
    relay.ready.connect(lambda: seen.append(int(str(mailbox.take()))))
    heartbeat = StallMeter(5)  # the longest gap between 5 ms beats of the GUI thread
    final: list[int] = []

    def stream() -> None:
        value, end = 0, time.perf_counter() + 0.4
        while time.perf_counter() < end:
            value += 1
            if mailbox.put(value):
                relay.ready.emit()
        final.append(value)

    heartbeat.start()
    worker = threading.Thread(target=stream)
    worker.start()
    qtbot.waitUntil(lambda: bool(final) and bool(seen) and seen[-1] == final[0], timeout=10_000)
    worker.join()
    longest = heartbeat.stop()
    # One queued call per value starved the GUI thread for 200 ms and more.
    assert longest < 0.08
    # Newest first: values only grow, the last one arrives, most in between are skipped.
    assert seen == sorted(set(seen))
    assert 10 <= len(seen) < final[0]

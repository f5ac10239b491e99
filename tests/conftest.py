"""Shared fixtures: real corpus files, a throw-away profile, and strict logging."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.fake_api import FakeAnthropic

if TYPE_CHECKING:
    from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
BOOKS = CORPUS / "books"
SAMPLES = CORPUS / "epub-samples"
BROKEN = SAMPLES / "broken"


# The suites that take minutes: `./run-tests -m "not slow"` leaves them out while working;
# the plain `./run-tests` (and CI) runs everything.
SLOW_SUITES = ("fuzz", "durability", "soak")


def pytest_configure(config: pytest.Config) -> None:
    if not BOOKS.is_dir():
        raise pytest.UsageError(f"The test corpus is missing: expected it at {CORPUS}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests = Path(__file__).resolve().parent
    for item in items:
        parts = item.path.resolve().relative_to(tests).parts
        if parts and parts[0] in SLOW_SUITES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def corpus() -> Path:
    return CORPUS


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def allow_log_warnings() -> None:
    """Use in a test that expects WARNING or ERROR log records."""


@pytest.fixture(autouse=True)
def fail_on_warning_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    """An unexpected WARNING or ERROR record means a problem went unnoticed: fail."""
    collector = _Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    yield
    root.removeHandler(collector)
    if "allow_log_warnings" in request.fixturenames:
        return
    messages = [f"{r.levelname}: {r.getMessage()}" for r in collector.records]
    if messages:
        pytest.fail("Unexpected log records:\n" + "\n".join(messages))


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    """A running fake Messages API, with no proxy or ANTHROPIC_* setting able to interfere."""
    for name in list(os.environ):
        # httpx2 applies HTTP_PROXY even to 127.0.0.1; ANTHROPIC_* could redirect the SDK.
        if name.upper().endswith("_PROXY") or name.upper().startswith("ANTHROPIC_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with FakeAnthropic() as fake:
        yield fake

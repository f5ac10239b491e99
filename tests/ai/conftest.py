"""Fixtures for the ai tests: a fake Messages API the real SDK talks to over HTTP."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from tests.fake_api import FakeAnthropic

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    """A running fake API, with no proxy or ANTHROPIC_* setting able to interfere."""
    for name in list(os.environ):
        # httpx2 applies HTTP_PROXY even to 127.0.0.1; ANTHROPIC_* could redirect the SDK.
        if name.upper().endswith("_PROXY") or name.upper().startswith("ANTHROPIC_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with FakeAnthropic() as fake:
        yield fake

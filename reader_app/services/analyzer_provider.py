"""Hands the tone service an analyzer for the current API key, built once per key."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from reader_app.usecases.api_key import api_key

if TYPE_CHECKING:
    from collections.abc import Callable

    from reader_app.config.secrets import ApiKeys
    from reader_app.services.tone_service import ToneAnalyzer


def _claude(key: str) -> ToneAnalyzer:
    # Imported here, off the start-up path: the SDK import alone takes about a second.
    from reader_app.ai.client import ClaudeToneAnalyzer

    return ClaudeToneAnalyzer(key)


def check_key(key: str) -> None:
    """Make the cheapest authenticated call with ``key``: list one model, retry nothing.

    The same client the analyses use, so a key that passes here works for them. Blocks on
    the network: call it off the GUI thread.

    Raises:
        AiError: AUTH or PERMISSION for a rejected key, OFFLINE or TIMEOUT without a
            network, and so on as for any call.
    """
    from reader_app.ai.client import ClaudeToneAnalyzer

    analyzer = ClaudeToneAnalyzer(key, max_retries=0)
    try:
        analyzer.check_key()
    finally:
        analyzer.close()


class AnalyzerProvider:
    """Gives out the analyzer for the current key, replacing it when the key changed.

    Called on a worker thread, because reading the keyring may block on D-Bus.
    """

    def __init__(self, keys: ApiKeys, make: Callable[[str], ToneAnalyzer] = _claude) -> None:
        self._keys = keys
        self._make = make
        self._lock = threading.Lock()
        self._key = ""
        self._analyzer: ToneAnalyzer | None = None

    def __call__(self) -> ToneAnalyzer:
        """The analyzer for the key in force; raises AiError when there is no key."""
        key = api_key(self._keys)
        with self._lock:
            if self._analyzer is None or key != self._key:
                self._close_current()
                self._analyzer = self._make(key)
                self._key = key
            return self._analyzer

    def close(self) -> None:
        """Close the analyzer's connections (on quit)."""
        with self._lock:
            self._close_current()
            self._analyzer = None
            self._key = ""

    def _close_current(self) -> None:
        close = getattr(self._analyzer, "close", None)
        if callable(close):
            close()

"""Hostile input for the whole app: the real app on a throw-away profile, and a trap server."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest

# The app looks for a key as its window opens: no test here reaches the real keyring unasked.
from tests.ui.conftest import (  # noqa: F401  (shared app fixtures)
    make_app,
    no_system_keyring_unasked,
    profile,
)

if TYPE_CHECKING:
    from collections.abc import Iterator


class Trap:
    """A local HTTP server that answers nothing useful and records every request."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        trap = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:
                trap.hits.append(self.path)
                self.send_response(404)
                self.send_header("content-length", "0")
                self.end_headers()

            do_POST = do_GET

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Trap:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def trap() -> Iterator[Trap]:
    with Trap() as server:
        yield server

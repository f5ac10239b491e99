"""Files the user names are read only when they are regular files, and only up to a limit."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from reader_app.core.errors import BookError, ReaderError
from reader_app.core.files import read_regular


def test_reads_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello")
    assert read_regular(path, 10) == b"hello"


def test_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result: list[BaseException] = []

    def read() -> None:
        try:
            read_regular(fifo, 10, BookError)
        except BookError as exc:
            result.append(exc)

    # A blocking open of a FIFO with no writer never returns: run it where a hang shows.
    worker = threading.Thread(target=read)
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "reading a FIFO blocked"
    assert "not a regular file" in str(result[0])


@pytest.mark.parametrize("path", ["/dev/zero", "/proc/self/status", "/dev/stdin"])
def test_refuses_devices_and_system_files(path: str) -> None:
    with pytest.raises(ReaderError, match=r"not a regular file|could not be read"):
        read_regular(Path(path), 1 << 20)


def test_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match="folder"):
        read_regular(tmp_path, 10)


def test_refuses_more_than_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(ReaderError, match="too large for a book"):
        read_regular(path, 1024, what="book")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReaderError, match="does not exist"):
        read_regular(tmp_path / "nope", 10)

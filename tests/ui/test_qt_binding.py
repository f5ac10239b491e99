"""The Qt binding keeps its reference counts: a long session must not abort.

PySide6 6.12.0 on Python 3.11 dropped one reference to ``None`` on every Qt call that
returns ``void``; ``None`` starts with about 32,000 references, so a day of reading ended
in ``Fatal Python error: none_dealloc``. On 3.12 and newer ``None`` is immortal and its
count does not move, so the check holds there too.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication, QLabel

CALLS = 100_000


@pytest.mark.gui
def test_void_qt_calls_keep_none_referenced(qapp: QApplication) -> None:
    label = QLabel()
    document = QTextDocument()
    holder = QObject()
    before = sys.getrefcount(None)
    for i in range(CALLS // 4):
        label.setText("x")  # void setters: the calls that leaked
        label.update()
        document.setPlainText("y" if i % 2 else "z")
        holder.setObjectName("h")
    after = sys.getrefcount(None)
    # A leak of one reference per call would show as -100,000; allow Python's own noise.
    assert abs(after - before) < 100, f"None lost {before - after} references in {CALLS} calls"

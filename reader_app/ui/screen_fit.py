"""Windows that fit the screen they open on: sized to its free area, centred, all on screen.

A window that is taller than a 1366×768 laptop screen hides its status bar and buttons
below the panel. Every window and dialog of the app goes through here: the main window
when it is built (and when its saved geometry is restored), each dialog when it is first
shown, once its layout has settled.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QDataStream, QEvent, QMargins, QObject, QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Room for a window manager's frame (title bar and borders) while it is not known yet,
# that is before the window is first shown.
FRAME_GUESS = QMargins(4, 36, 4, 4)


def available_area(widget: QWidget) -> QRect:
    """The free area (panels left out) of the screen the widget's parent window is on.

    A window with no parent (or an unshown parent) uses the screen it is placed on.
    """
    parent = widget.parentWidget()
    anchor = parent.window() if parent is not None and parent.isVisible() else widget
    screen = anchor.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def frame_margins(widget: QWidget) -> QMargins:
    """What the frame adds around the widget: measured once shown, guessed before."""
    frame, inner = widget.frameGeometry(), widget.geometry()
    if widget.isVisible() and frame != inner:
        return QMargins(
            inner.left() - frame.left(),
            inner.top() - frame.top(),
            frame.right() - inner.right(),
            frame.bottom() - inner.bottom(),
        )
    return FRAME_GUESS


def outer_rect(widget: QWidget) -> QRect:
    """The window with its frame, on the screen (the frame guessed until it is shown)."""
    if widget.isVisible():
        return widget.frameGeometry()
    # Not shown yet: its position is where its frame will start (as move() places it).
    return QRect(widget.pos(), widget.size().grownBy(FRAME_GUESS))


def fits(widget: QWidget) -> bool:
    """Whether the window with its frame lies inside the free area of its screen."""
    if widget.isMaximized() or widget.isFullScreen():
        return True
    return available_area(widget).contains(outer_rect(widget))


def fit_window(widget: QWidget, preferred: QSize | None = None) -> None:
    """Size the window to ``preferred`` (its size now by default) within the free area.

    It is centred over its parent window when that is shown, else on the screen, and kept
    inside the free area either way.
    """
    area = available_area(widget)
    margins = frame_margins(widget)
    room = area.size().shrunkBy(margins)
    wanted = preferred if preferred is not None else widget.size()
    size = wanted.boundedTo(room).expandedTo(widget.minimumSize())
    widget.resize(size)
    outer = QSize(size.width() + margins.left() + margins.right(),
                  size.height() + margins.top() + margins.bottom())  # fmt: skip
    parent = widget.parentWidget()
    middle = (
        parent.window().frameGeometry().center()
        if parent is not None and parent.window().isVisible()
        else area.center()
    )
    left = middle.x() - outer.width() // 2
    top = middle.y() - outer.height() // 2
    # Kept inside the free area: the top-left corner last, so a window too large to fit
    # shows its title bar.
    left = max(area.left(), min(left, area.right() + 1 - outer.width()))
    top = max(area.top(), min(top, area.bottom() + 1 - outer.height()))
    widget.move(QPoint(left, top))


def restore_geometry(widget: QWidget, saved: str, preferred: QSize) -> None:
    """Put the window back where it was, if that still fits the screen.

    ``saved`` is the base64 of ``saveGeometry()``; when it is empty, or its frame does
    not lie inside the free area of a screen now (it was saved on a larger screen, or on
    one that is gone), the window gets ``preferred``, fitted and centred.
    """
    data = QByteArray.fromBase64(saved.encode())
    frame = saved_frame(data)
    if frame is not None and _on_a_screen(frame) and widget.restoreGeometry(data):
        return
    fit_window(widget, preferred)


# What saveGeometry() writes first: a magic number, a version, then the frame's corners.
_GEOMETRY_MAGIC = 0x1D9D0CB


def saved_frame(saved: QByteArray) -> QRect | None:
    """The window frame that ``saveGeometry()`` wrote into ``saved``; None if unreadable."""
    stream = QDataStream(saved)
    if stream.readUInt32() != _GEOMETRY_MAGIC:
        return None
    stream.readUInt16()  # the format's major
    stream.readUInt16()  # and minor version
    left, top, right, bottom = (stream.readInt32() for _ in range(4))
    if stream.status() != QDataStream.Status.Ok:
        return None
    return QRect(QPoint(left, top), QPoint(right, bottom))


def _on_a_screen(frame: QRect) -> bool:
    screen = QGuiApplication.screenAt(frame.center())
    return screen is not None and screen.availableGeometry().contains(frame)


class _FitOnShow(QObject):
    """Fits the window it watches as it is shown: always the first time, then if it no longer fits.

    It keeps no reference to the window, which owns it.
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._shown = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Fit before the window appears (Show comes before the window is mapped)."""
        if event.type() == QEvent.Type.Show and isinstance(watched, QWidget):
            if not self._shown:
                self._shown = True
                fit_window(watched)
            elif not fits(watched):
                fit_window(watched)
        return False


def fit_on_show(widget: QWidget) -> None:
    """Fit ``widget`` (a dialog or other window) to its screen whenever it is shown.

    The size it asks for is the one it was given with ``resize()``, else the one its
    layout asks for; either is cut down to the free area of the screen.
    """
    widget.installEventFilter(_FitOnShow(widget))

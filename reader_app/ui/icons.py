"""The toolbar's icons: one line-drawn set, shipped as SVG, drawn in the theme's text colour.

Qt's theme icons are missing offscreen and in many desktops, and its standard pixmaps mix
styles (a yellow folder beside flat arrows), so the toolbar draws its own. Each SVG strokes
with ``currentColor``; the engine below replaces it with the palette's button-text colour
each time an icon is painted, so the set follows Light, Dark and Sepia without rebuilding
the actions, and a disabled action is drawn in the palette's disabled colour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap

from reader_app.config.resources import resource_path

if TYPE_CHECKING:
    from PySide6.QtSvg import QSvgRenderer

# The shipped set, by name: resources/icons/actions/<name>.svg.
NAMES = ("open", "contents", "previous", "next", "search", "highlight", "analyse")

_sources: dict[str, bytes] = {}


def _source(name: str) -> bytes:
    """An icon's SVG text (read once), or empty when this installation lacks it."""
    if name not in _sources:
        path = resource_path(f"icons/actions/{name}.svg")
        try:
            _sources[name] = path.read_bytes() if path is not None else b""
        except OSError:
            _sources[name] = b""
    return _sources[name]


class _TintedSvgEngine(QIconEngine):
    """Paints one SVG with ``currentColor`` set to the palette's colour for the mode."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name
        self._renderers: dict[str, QSvgRenderer] = {}

    def _renderer(self, color: str) -> QSvgRenderer | None:
        renderer = self._renderers.get(color)
        if renderer is None:
            source = _source(self._name)
            if not source:
                return None
            # Imported on first paint, not at start: only the toolbar needs it.
            from PySide6.QtSvg import QSvgRenderer

            tinted = source.replace(b"currentColor", color.encode("ascii"))
            renderer = self._renderers[color] = QSvgRenderer(QByteArray(tinted))
        return renderer

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        """Draw the icon in ``rect`` in the colour of ``mode``."""
        del state  # the set has no on/off variants
        palette = QGuiApplication.palette()
        group = (
            QPalette.ColorGroup.Disabled
            if mode == QIcon.Mode.Disabled
            else QPalette.ColorGroup.Normal
        )
        color = palette.color(group, QPalette.ColorRole.ButtonText).name()
        renderer = self._renderer(color)
        if renderer is not None:
            renderer.render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        """The icon at ``size`` (device-independent pixels)."""
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return pixmap

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        """Any size asked for: the drawing scales."""
        del mode, state
        return size

    def clone(self) -> QIconEngine:
        """A copy (Qt copies engines when an icon is detached)."""
        return _TintedSvgEngine(self._name)

    def isNull(self) -> bool:
        """Null when the SVG is not shipped in this installation."""
        return not _source(self._name)


def action_icon(name: str) -> QIcon:
    """One of the toolbar's icons (see :data:`NAMES`); a null icon if it is not shipped."""
    if name not in NAMES:
        raise ValueError(f"unknown icon {name!r}")
    return QIcon(_TintedSvgEngine(name))

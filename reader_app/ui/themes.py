"""Reading themes: the page colours, and the application palette and focus ring that go with them.

Every theme keeps three things apart that a reader must never confuse: the selection (a
strong colour with its own text colour), the highlights (pale tints on a light page, deep
ones on a dark page, each far from the selection) and the keyboard focus ring (a colour that
stands out from the window at 3:1 or more, as WCAG asks of focus indicators).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionComplex,
    QWidget,
)

from reader_app.core.emotions import PLUTCHIK_COLORS

THEME_NAMES = ("system", "light", "dark", "sepia")

HIGHLIGHT_COLORS: dict[str, tuple[str, str]] = {
    # name: (on a light page, on a dark page)
    "yellow": ("#fff1a8", "#6b5d12"),
    "green": ("#c9f2c1", "#2f5a2a"),
    "blue": ("#c6dcff", "#2b4570"),
    "pink": ("#ffd0e4", "#6e2c48"),
    "purple": ("#e2d2ff", "#4b3478"),
}
# On a sepia page the light tints wash out: warmer, fuller ones in the same hues.
SEPIA_HIGHLIGHTS: dict[str, str] = {
    "yellow": "#f5dc78",
    "green": "#cde4ad",
    "blue": "#c2d6ee",
    "pink": "#f3c6cf",
    "purple": "#dccaec",
}


@dataclass(frozen=True, slots=True)
class PageColors:
    """Colours of the reading page.

    Attributes:
        selection: the background of selected text (and of the search match).
        selected_text: the text colour on ``selection``.
        focus: the keyboard focus ring, in the page and in every panel and dialog.
        highlights: the background of each named highlight colour on this page.
    """

    background: str
    text: str
    link: str
    selection: str
    dark: bool
    selected_text: str = "#ffffff"
    focus: str = "#1a5fb4"
    highlights: dict[str, str] = field(default_factory=dict)


LIGHT = PageColors(
    "#fdfdfb", "#1d1d1f", "#1a5fb4", "#2a62c9", dark=False, selected_text="#ffffff",
    focus="#1a5fb4", highlights={name: pair[0] for name, pair in HIGHLIGHT_COLORS.items()},
)  # fmt: skip
DARK = PageColors(
    "#1e1f22", "#d8d8d4", "#8ab4f8", "#a8c7fa", dark=True, selected_text="#101114",
    focus="#8ab4f8", highlights={name: pair[1] for name, pair in HIGHLIGHT_COLORS.items()},
)  # fmt: skip
SEPIA = PageColors(
    "#f4ecd8", "#4a3b2a", "#8a4b10", "#6f4a24", dark=False, selected_text="#fbf5e6",
    focus="#8a4b10", highlights=dict(SEPIA_HIGHLIGHTS),
)  # fmt: skip

# Line spacing choices, in percent of the font size: (percent, menu label).
LINE_SPACINGS = ((130, "Compact"), (150, "Normal"), (180, "Relaxed"))


def system_prefers_dark() -> bool:
    """Whether the desktop asks for a dark appearance."""
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def page_colors(theme: str) -> PageColors:
    """The page colours for a theme name; "system" follows the desktop."""
    if theme == "dark":
        return DARK
    if theme == "sepia":
        return SEPIA
    if theme == "light":
        return LIGHT
    return DARK if system_prefers_dark() else LIGHT


def highlight_color(name: str, *, dark: bool) -> QColor:
    """The background of a highlight on a light or dark page (lists, swatches)."""
    return mark_color(name, DARK if dark else LIGHT)


def mark_color(name: str, colors: PageColors) -> QColor:
    """The background of a highlight on a page: a colour name, or an emotion's colour."""
    if name in PLUTCHIK_COLORS:
        # A tint of the emotion's colour over the page, so text stays readable.
        page = QColor(colors.background)
        tint = QColor(PLUTCHIK_COLORS[name])
        share = 0.45 if colors.dark else 0.32
        return QColor(
            round(page.red() + (tint.red() - page.red()) * share),
            round(page.green() + (tint.green() - page.green()) * share),
            round(page.blue() + (tint.blue() - page.blue()) * share),
        )
    found = colors.highlights.get(name) or colors.highlights.get("yellow")
    if found is None:  # a PageColors made without a palette
        light_hex, dark_hex = HIGHLIGHT_COLORS.get(name, HIGHLIGHT_COLORS["yellow"])
        found = dark_hex if colors.dark else light_hex
    return QColor(found)


def contrast_ratio(first: QColor, second: QColor) -> float:
    """The WCAG contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""

    def luminance(color: QColor) -> float:
        def channel(value: float) -> float:
            return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

        red, green, blue = (channel(c) for c in (color.redF(), color.greenF(), color.blueF()))
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def application_palette(colors: PageColors) -> QPalette:
    """A Fusion palette matching the page, so panels and menus agree with it."""
    palette = QPalette()
    if colors.dark:
        window, base, text, mid = "#2b2d31", "#1e1f22", "#e3e3e0", "#3a3d42"
    elif colors is SEPIA:
        window, base, text, mid = "#efe6d2", "#f8f1e2", "#3e3122", "#d8ccb3"
    else:
        window, base, text, mid = "#f3f3f1", "#ffffff", "#1d1d1f", "#d4d4d0"
    for group in (
        QPalette.ColorGroup.Active,
        QPalette.ColorGroup.Inactive,
        QPalette.ColorGroup.Disabled,
    ):
        palette.setColor(group, QPalette.ColorRole.Window, QColor(window))
        palette.setColor(group, QPalette.ColorRole.WindowText, QColor(text))
        palette.setColor(group, QPalette.ColorRole.Base, QColor(base))
        palette.setColor(group, QPalette.ColorRole.AlternateBase, QColor(mid))
        palette.setColor(group, QPalette.ColorRole.Text, QColor(text))
        palette.setColor(group, QPalette.ColorRole.Button, QColor(window))
        palette.setColor(group, QPalette.ColorRole.ButtonText, QColor(text))
        palette.setColor(group, QPalette.ColorRole.ToolTipBase, QColor(base))
        palette.setColor(group, QPalette.ColorRole.ToolTipText, QColor(text))
        placeholder = QColor(text)
        placeholder.setAlpha(120)
        palette.setColor(group, QPalette.ColorRole.PlaceholderText, placeholder)
        palette.setColor(group, QPalette.ColorRole.Highlight, QColor(colors.selection))
        palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor(colors.selected_text))
        palette.setColor(group, QPalette.ColorRole.Link, QColor(colors.link))
        palette.setColor(group, QPalette.ColorRole.Mid, QColor(mid))
        palette.setColor(group, QPalette.ColorRole.Accent, QColor(colors.focus))
    # Disabled text is the normal text, faded: the same hue on every background.
    disabled = QColor(text)
    disabled.setAlpha(110)
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def apply_application_theme(colors: PageColors) -> None:
    """The palette and the focus ring of the whole application, for these page colours."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    style = app.style()
    if not isinstance(style, FocusRingStyle):
        style = FocusRingStyle(style.name())
        style.setParent(app)  # Qt owns it from here on
        QApplication.setStyle(style)
    style.ring = QColor(colors.focus)
    QApplication.setPalette(application_palette(colors))


class FocusRingStyle(QProxyStyle):
    """The application's style, with a keyboard focus ring that can be seen.

    Fusion draws focus as a faint outline derived from the selection colour (alpha 80),
    which vanishes on a sepia or dark window. Here it is a solid two-pixel ring in the
    theme's focus colour, around every control that has the keyboard focus: buttons, check
    boxes, lists and trees (their current item), tabs, and the fields being typed in
    (text, spin and combo boxes).
    """

    def __init__(self, base: str) -> None:
        super().__init__(base)
        self.ring = QColor(LIGHT.focus)

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        """Draw as the base style does, with the ring in place of its faint focus frame."""
        primitive = QStyle.PrimitiveElement
        state = option.state
        has_focus = bool(state & QStyle.StateFlag.State_HasFocus)
        if element == primitive.PE_FrameFocusRect:
            if state & QStyle.StateFlag.State_KeyboardFocusChange:
                self._draw_ring(painter, QRectF(option.rect).adjusted(1, 1, -1, -1))
            return
        super().drawPrimitive(element, option, painter, widget)
        by_keyboard = has_focus and bool(state & QStyle.StateFlag.State_KeyboardFocusChange)
        # Fusion shows a focused button in its panel, not with a focus frame.
        buttons = (primitive.PE_PanelButtonCommand, primitive.PE_PanelButtonTool)
        if (element == primitive.PE_FrameLineEdit and has_focus) or (
            element in buttons and by_keyboard
        ):
            self._draw_ring(painter, QRectF(option.rect).adjusted(1, 1, -1, -1))

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        """Spin boxes and combo boxes, ringed like text fields while they have the focus."""
        super().drawComplexControl(control, option, painter, widget)
        fields = (QStyle.ComplexControl.CC_SpinBox, QStyle.ComplexControl.CC_ComboBox)
        if control in fields and option.state & QStyle.StateFlag.State_HasFocus:
            self._draw_ring(painter, QRectF(option.rect).adjusted(1, 1, -1, -1))

    def _draw_ring(self, painter: QPainter, rect: QRectF) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        pen = QPen(self.ring, 2)
        pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        painter.restore()


def document_css(colors: PageColors) -> str:
    """The default style sheet of the reading page.

    A block of lines (a stanza, an address, a letter's closing) ends with a gap of about a
    line, so that stanzas stand apart from each other at every line spacing.
    """
    return (
        f"a {{ color: {colors.link}; text-decoration: none; }}"
        "p { margin-top: 0; margin-bottom: 0.55em; }"
        "p.lines { margin-bottom: 1.6em; }"
        "img { max-width: 100%; }"
    )


def line_height_percent(spacing: int, line_px: float, font_px: float) -> int:
    """Qt's proportional line height for a spacing given in percent of the font size.

    Qt scales the font's own line height (ascent plus descent, about 1.15 to 1.3 times the
    font size), so "150%" in its terms spaced lines at 1.75 to 1.95 times the font size.
    """
    if line_px <= 0 or font_px <= 0:
        return spacing
    return max(80, round(spacing * font_px / line_px))

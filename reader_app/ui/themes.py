"""Reading themes: the page colours, and the application palette that goes with them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from reader_app.core.emotions import PLUTCHIK_COLORS

THEME_NAMES = ("system", "light", "dark", "sepia")


@dataclass(frozen=True, slots=True)
class PageColors:
    """Colours of the reading page."""

    background: str
    text: str
    link: str
    selection: str
    dark: bool


LIGHT = PageColors("#fdfdfb", "#1d1d1f", "#1a5fb4", "#b5d3ff", dark=False)
DARK = PageColors("#1e1f22", "#d8d8d4", "#8ab4f8", "#3d5a80", dark=True)
SEPIA = PageColors("#f4ecd8", "#4a3b2a", "#8a4b10", "#e0c79a", dark=False)

HIGHLIGHT_COLORS: dict[str, tuple[str, str]] = {
    # name: (on a light page, on a dark page)
    "yellow": ("#fff1a8", "#6b5d12"),
    "green": ("#c9f2c1", "#2f5a2a"),
    "blue": ("#c6dcff", "#2b4570"),
    "pink": ("#ffd0e4", "#6e2c48"),
    "purple": ("#e2d2ff", "#4b3478"),
}


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
    """The background of a highlight: a colour name, or an emotion's Plutchik colour."""
    if name in PLUTCHIK_COLORS:
        # A tint of the emotion's colour over the page, so text stays readable.
        page = QColor(DARK.background if dark else LIGHT.background)
        tint = QColor(PLUTCHIK_COLORS[name])
        share = 0.45 if dark else 0.32
        return QColor(
            round(page.red() + (tint.red() - page.red()) * share),
            round(page.green() + (tint.green() - page.green()) * share),
            round(page.blue() + (tint.blue() - page.blue()) * share),
        )
    light_hex, dark_hex = HIGHLIGHT_COLORS.get(name, HIGHLIGHT_COLORS["yellow"])
    return QColor(dark_hex if dark else light_hex)


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
        palette.setColor(group, QPalette.ColorRole.HighlightedText, QColor(colors.text))
        palette.setColor(group, QPalette.ColorRole.Link, QColor(colors.link))
        palette.setColor(group, QPalette.ColorRole.Mid, QColor(mid))
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


def document_css(colors: PageColors) -> str:
    """The default style sheet of the reading page."""
    return (
        f"a {{ color: {colors.link}; text-decoration: none; }}"
        "p { margin-top: 0; margin-bottom: 0.55em; }"
        "img { max-width: 100%; }"
    )

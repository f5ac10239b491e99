"""Reading comfort, driven as a reader does: keys, menus, the font dialog, the page's colours.

F11 and Esc, the View menu bringing back every panel, F9 giving the page the room, line
spacing and stanza gaps measured on the laid-out page, a focus ring that can be seen in
every theme, highlights that never look like the selection, and the font picker.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QFontDatabase, QFontInfo, QImage, QTextCursor, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDockWidget, QMenu, QPushButton

from reader_app.ui.font_picker import FontPicker
from reader_app.ui.themes import HIGHLIGHT_COLORS, contrast_ratio, page_colors
from tests.ui.conftest import CORPUS, MakeApp, wait_for_book

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from pytestqt.qtbot import QtBot

    from reader_app.app import ReaderApp
    from reader_app.ui.main_window import MainWindow

BALLADS = CORPUS / "books" / "lyrical-ballads_standardebooks_epub3.epub"
THEMES = ("light", "dark", "sepia")
# The key is looked for at start: in a keyring of the test's own, not the session's.
pytestmark = pytest.mark.usefixtures("memory_keyring")


# -- helpers ----------------------------------------------------------------------------------


def open_window(qtbot: QtBot, make_app: MakeApp) -> ReaderApp:
    app = make_app()
    window = app.window
    window.resize(1366, 740)
    window.show()
    window.open_path(BALLADS)
    wait_for_book(qtbot, app, "Lyrical Ballads")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.pane.view.setFocus()
    return app


def press(window: MainWindow, key: Qt.Key) -> None:
    """A key pressed in the window, on the widget that has the focus."""
    target = QApplication.focusWidget() or window.pane.view
    QTest.keyClick(target, key)
    QTest.qWait(30)


def menu_action(window: MainWindow, *path: str) -> QAction:
    """The action a reader reaches through the menus, by the texts shown (no mnemonics)."""
    actions = window.menuBar().actions()
    found: QAction | None = None
    for step in path:
        found = next(a for a in actions if a.text().replace("&", "") == step)
        menu = found.menu()
        actions = menu.actions() if isinstance(menu, QMenu) else []
    assert found is not None
    return found


def go_to_poem(window: MainWindow) -> int:
    """Show The Tables Turned; its offset in the chapter."""
    book = window.pane.book
    assert book is not None
    chapter = next(i for i, c in enumerate(book.chapters) if "The Tables Turned" in c.text)
    offset = book.chapters[chapter].text.index("The Tables Turned")
    window.pane.go_to(chapter, offset)
    return offset


def lab(color: QColor) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of a colour."""

    def linear(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in (color.redF(), color.greenF(), color.blueF()))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def distance(first: QColor, second: QColor) -> float:
    """How different two colours look (CIE76 ΔE: 2.3 is just noticeable, 50+ is plainly)."""
    return sum((p - q) ** 2 for p, q in zip(lab(first), lab(second), strict=True)) ** 0.5


def background_at(image: QImage, left: int, top: int, width: int, height: int) -> QColor:
    """The commonest colour in a rectangle of the page: the background behind the glyphs."""
    seen: Counter[int] = Counter()
    for x in range(max(0, left), min(image.width(), left + width)):
        for y in range(max(0, top), min(image.height(), top + height)):
            seen[image.pixel(x, y)] += 1
    return QColor.fromRgb(seen.most_common(1)[0][0])


# -- full screen ------------------------------------------------------------------------------


def test_f11_toggles_full_screen_and_esc_leaves_it(qtbot: QtBot, make_app: MakeApp) -> None:
    window = open_window(qtbot, make_app).window
    full_screen = menu_action(window, "View", "Full Screen")
    assert "F11" in [key.toString() for key in full_screen.shortcuts()]

    press(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    assert full_screen.isChecked()
    press(window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen())
    assert not full_screen.isChecked()

    press(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    press(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen())
    # Out of full screen, Esc is the page's again: it does not enter or toggle anything.
    press(window, Qt.Key.Key_Escape)
    assert not window.isFullScreen()
    assert "Esc" not in [key.toString() for key in full_screen.shortcuts()]


# -- panels -----------------------------------------------------------------------------------


def test_view_menu_brings_back_every_panel_the_tone_panel_too(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    window = open_window(qtbot, make_app).window
    docks = window.findChildren(QDockWidget)
    assert {d.objectName() for d in docks} >= {
        "tocDock",
        "searchDock",
        "highlightsDock",
        "toneDock",
    }
    view_menu = menu_action(window, "View").menu()
    assert isinstance(view_menu, QMenu)
    for dock in docks:
        assert dock.toggleViewAction() in view_menu.actions(), dock.objectName()

    # Closed with its own close button, as a reader closes it.
    window.tone_dock.raise_()
    close = window.tone_dock.findChild(QAbstractButton, "qt_dockwidget_closebutton")
    assert close is not None
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.tone_dock.isHidden())

    tone = menu_action(window, "View", "Tone")
    assert not tone.isChecked()
    tone.trigger()
    qtbot.waitUntil(lambda: window.tone_dock.isVisible())
    assert not window.tone_dock.visibleRegion().isEmpty()  # in front, not behind a tab
    assert window.tone_panel.isVisible()


def left_docks_shown(window: MainWindow) -> list[str]:
    return [
        d.objectName()
        for d in window.findChildren(QDockWidget)
        if d.isVisible()
        and not d.isFloating()
        and window.dockWidgetArea(d) == Qt.DockWidgetArea.LeftDockWidgetArea
    ]


def test_f9_gives_the_page_the_room_and_brings_the_panel_back_as_it_was(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    window = open_window(qtbot, make_app).window
    page = window.pane.view
    # Search open in front of Contents, tabbed with it on the left.
    menu_action(window, "Edit", "Search in Book…").trigger()
    qtbot.waitUntil(lambda: not window.search_dock.visibleRegion().isEmpty())
    window.pane.view.setFocus()
    width = page.width()
    assert sorted(left_docks_shown(window)) == ["searchDock", "tocDock"]

    press(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: page.width() > width + 150)
    assert left_docks_shown(window) == []  # Search did not take Contents' place
    assert not menu_action(window, "View", "Side Panel").isChecked()
    # Other settings applied meanwhile leave the room alone.
    menu_action(window, "View", "Theme", "Sepia").trigger()
    QTest.qWait(50)
    assert left_docks_shown(window) == []

    press(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: page.width() == width)
    assert sorted(left_docks_shown(window)) == ["searchDock", "tocDock"]
    assert not window.search_dock.visibleRegion().isEmpty()  # the tab in front before
    assert window.search_dock in window.tabifiedDockWidgets(window.toc_dock)
    assert menu_action(window, "View", "Side Panel").isChecked()


# -- line spacing and stanzas -----------------------------------------------------------------


def test_normal_spacing_is_calm_and_stanzas_stand_apart(qtbot: QtBot, make_app: MakeApp) -> None:
    window = open_window(qtbot, make_app).window
    menu_action(window, "View", "Line Spacing", "Normal").trigger()
    offset = go_to_poem(window)
    doc = window.pane.view.document()
    layout = doc.documentLayout()
    font_px = QFontInfo(doc.defaultFont()).pixelSize()
    stanza = doc.findBlock(window.pane.view.text.index("Up! up! my Friend, and clear", offset))
    lines = stanza.layout()
    assert lines.lineCount() == 4
    pitch = lines.lineAt(1).y() - lines.lineAt(0).y()
    assert 1.4 <= pitch / font_px <= 1.55, pitch / font_px
    # From the last line of a stanza to the first of the next: well over a line.
    first_of_next = layout.blockBoundingRect(stanza.next()).top()
    last_line = layout.blockBoundingRect(stanza).top() + lines.lineAt(3).y()
    assert (first_of_next - last_line) / pitch >= 1.6

    # Compact and Relaxed are below and above it, and the menu shows which is in force.
    pitches = {}
    for choice in ("Compact", "Normal", "Relaxed"):
        action = menu_action(window, "View", "Line Spacing", choice)
        action.trigger()
        assert action.isChecked()
        block = window.pane.view.document().findBlock(stanza.position())
        pitches[choice] = block.layout().lineAt(1).y() - block.layout().lineAt(0).y()
    assert pitches["Compact"] < pitches["Normal"] < pitches["Relaxed"]


# -- colours ----------------------------------------------------------------------------------


@pytest.mark.parametrize("theme", THEMES)
def test_the_focus_ring_stands_out_in_every_theme(
    qtbot: QtBot, make_app: MakeApp, theme: str
) -> None:
    window = open_window(qtbot, make_app).window
    menu_action(window, "View", "Theme", theme.capitalize()).trigger()
    menu_action(window, "View", "Font…").trigger()
    qtbot.waitUntil(lambda: window.findChild(FontPicker) is not None)
    dialog = window.findChild(FontPicker)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    for _ in range(8):  # Tab along to the OK button
        focused = QApplication.focusWidget()
        if isinstance(focused, QPushButton) and focused.text().replace("&", "") == "OK":
            break
        QTest.keyClick(focused or dialog, Qt.Key.Key_Tab)
    button = QApplication.focusWidget()
    assert isinstance(button, QPushButton)
    assert button.text().replace("&", "") == "OK"

    background = dialog.palette().color(dialog.backgroundRole())
    ring = QColor(page_colors(theme).focus)
    assert contrast_ratio(ring, background) >= 3.0, (theme, ring.name(), background.name())
    # The ring is drawn, all round the button: not a dot, not a faint tint.
    image = button.grab().toImage()
    drawn = sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y) == ring
    )
    assert drawn >= image.width() + image.height(), (theme, drawn)
    dialog.reject()


@pytest.mark.parametrize("theme", THEMES)
def test_highlights_never_look_like_the_selection(
    qtbot: QtBot, make_app: MakeApp, theme: str
) -> None:
    app = open_window(qtbot, make_app)
    window = app.window
    view = window.pane.view
    menu_action(window, "View", "Theme", theme.capitalize()).trigger()
    offset = go_to_poem(window)
    text = view.text
    lines = [text.index(s, offset) for s in ("Up! up! my Friend, and clear", "The sun, above",
             "Books! ’tis a dull", "And hark! how blithe", "She has a world")]  # fmt: skip
    # Each line in its colour, with the keys 1-5.
    for number, start in enumerate(lines, start=1):
        view.select_range(start, start + 14)
        view.setFocus()
        press(window, Qt.Key(Qt.Key.Key_0 + number))
    qtbot.waitUntil(lambda: len(app.highlights.marks(window.pane.chapter)) == 5)
    selected = text.index("Why all this toil")
    view.select_range(selected, selected + 14)
    QTest.qWait(50)

    image = view.viewport().grab().toImage()
    scale = image.width() / view.viewport().width()

    def painted(at: int) -> QColor:
        cursor = QTextCursor(view.document())
        cursor.setPosition(at + 3)
        rect = view.cursorRect(cursor)
        return background_at(
            image, int(rect.right() * scale), int(rect.top() * scale), int(30 * scale),
            int(rect.height() * scale),
        )  # fmt: skip

    page = QColor(view.palette().color(view.viewport().backgroundRole()))
    text_color = view.palette().color(view.foregroundRole())
    selection = painted(selected)
    assert distance(selection, page) > 30
    assert contrast_ratio(view.palette().highlightedText().color(), selection) >= 4.5
    colours = {}
    for name, start in zip(HIGHLIGHT_COLORS, lines, strict=True):
        colour = colours[name] = painted(start)
        assert distance(colour, page) > 8, (theme, name)  # seen on the page
        assert distance(colour, selection) >= 40, (theme, name, colour.name(), selection.name())
        assert contrast_ratio(text_color, colour) >= 4.5, (theme, name)
    assert len({c.name() for c in colours.values()}) == 5


# -- fonts ------------------------------------------------------------------------------------


def test_the_font_picker_offers_reading_fonts_and_sets_the_page_font(
    qtbot: QtBot, make_app: MakeApp
) -> None:
    window = open_window(qtbot, make_app).window
    menu_action(window, "View", "Font…").trigger()
    qtbot.waitUntil(lambda: window.findChild(FontPicker) is not None)
    dialog = window.findChild(FontPicker)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    listed = [dialog.fonts.item(i).text() for i in range(dialog.fonts.count())]
    assert listed[0].startswith("Default serif")
    assert any("Sans serif" in t for t in listed)
    assert any("Monospace" in t for t in listed)
    assert len(listed) <= 10  # a handful, not every family on the machine
    # Every family offered is installed (or what Qt resolves a kind to).
    installed = {f.casefold() for f in QFontDatabase.families()}
    for i in range(1, dialog.fonts.count()):
        family = str(dialog.fonts.item(i).data(Qt.ItemDataRole.UserRole))
        assert family.casefold() in installed, family

    sans = next(i for i in range(dialog.fonts.count()) if "Sans serif" in listed[i])
    item = dialog.fonts.item(sans)
    rect = dialog.fonts.visualItemRect(item)
    qtbot.mouseClick(dialog.fonts.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    family = str(item.data(Qt.ItemDataRole.UserRole))
    # The preview follows at once.
    assert dialog.preview.document().defaultFont().family() == family
    dialog.size_box.setFocus()
    dialog.size_box.selectAll()
    qtbot.keyClicks(dialog.size_box, "17")
    assert dialog.preview.document().defaultFont().pointSize() == 17
    ok = next(b for b in dialog.findChildren(QPushButton) if b.text().replace("&", "") == "OK")
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    page_font = window.pane.view.document().defaultFont()
    assert page_font.family() == family
    assert page_font.pointSize() == 17
    assert window.settings.font_family == family
    assert window.settings.font_size == 17


@pytest.mark.parametrize("theme", THEMES)
def test_a_see_through_picture_stays_visible_in_every_theme(
    qtbot: QtBot, make_app: MakeApp, theme: str
) -> None:
    window = open_window(qtbot, make_app).window
    menu_action(window, "View", "Theme", theme.capitalize()).trigger()
    document = window.pane.view.document()
    (name,) = set(re.findall(r'src="(res:[^"]+)"', document.toHtml()))
    image = document.resource(QTextDocument.ResourceType.ImageResource.value, QUrl(name))
    assert isinstance(image, QImage)
    corner = image.pixelColor(0, 0)  # the cover's letters are black on nothing
    if page_colors(theme).dark:
        assert corner.alpha() == 255
        assert contrast_ratio(corner, QColor("black")) >= 7.0, corner.name()
    else:
        assert corner.alpha() == 0

"""View → Font…: a handful of good reading fonts, a size, and the page as it will look.

Qt's own font dialog lists every family on the machine (symbol fonts, UI fonts, a dozen
weights of each) with a sample in no particular colours. Readers choose from a short list
of book faces that are actually installed, and see a paragraph and a stanza in the page's
colours and line spacing while they choose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontInfo, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reader_app.ui.screen_fit import fit_on_show
from reader_app.ui.themes import document_css, line_height_percent, page_colors

if TYPE_CHECKING:
    from collections.abc import Iterable

    from reader_app.config.settings import Settings

# Book faces worth offering, best first, by kind. Only installed ones are listed.
SERIF = (
    "Literata", "Source Serif 4", "Source Serif Pro", "Charis SIL", "Gentium Book Plus",
    "Libertinus Serif", "Linux Libertine O", "EB Garamond", "Crimson Pro", "Merriweather",
    "Noto Serif", "Georgia", "Iowan Old Style", "Palatino Linotype", "Palatino", "Cambria",
    "Charter", "Bitstream Charter", "Liberation Serif", "DejaVu Serif", "Times New Roman",
)  # fmt: skip
SANS = (
    "Atkinson Hyperlegible", "Inter", "Source Sans 3", "Source Sans Pro", "Noto Sans",
    "Open Sans", "Fira Sans", "Ubuntu", "Cantarell", "Segoe UI", "Helvetica Neue", "Verdana",
    "Liberation Sans", "DejaVu Sans", "Arial",
)  # fmt: skip
MONOSPACE = (
    "JetBrains Mono", "Source Code Pro", "Fira Mono", "Noto Sans Mono", "Cascadia Mono",
    "Menlo", "Consolas", "DejaVu Sans Mono", "Liberation Mono", "Courier New",
)  # fmt: skip
# How many of each kind to offer.
SHOWN = {"serif": 4, "sans": 3, "monospace": 2}
FAMILY_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True, slots=True)
class FontChoice:
    """A font offered: its family ("" for the platform's default serif) and kind."""

    family: str
    kind: str


def resolved_family(hint: QFont.StyleHint) -> str:
    """The family Qt really uses for a generic kind of font on this machine."""
    font = QFont()
    font.setStyleHint(hint)
    font.setFamily({QFont.StyleHint.Serif: "Serif", QFont.StyleHint.SansSerif: "Sans Serif",
                    QFont.StyleHint.Monospace: "Monospace"}.get(hint, ""))  # fmt: skip
    return QFontInfo(font).family()


def curated_fonts(installed: Iterable[str], current: str = "") -> list[FontChoice]:
    """The fonts to offer: the default serif, then the best installed of each kind.

    A kind with none of its candidates installed falls back to the family Qt resolves for
    it, so every machine offers a serif, a sans serif and a monospace face. The reader's
    current font stays in the list even when it is none of these.
    """
    present = {family.casefold(): family for family in installed}
    choices = [FontChoice("", "serif")]
    # The default serif is listed once, as the default.
    seen = {"", resolved_family(QFont.StyleHint.Serif).casefold()}
    kinds = (("serif", SERIF, QFont.StyleHint.Serif), ("sans", SANS, QFont.StyleHint.SansSerif),
             ("monospace", MONOSPACE, QFont.StyleHint.Monospace))  # fmt: skip
    for kind, candidates, hint in kinds:
        found = [present[c.casefold()] for c in candidates if c.casefold() in present]
        if not found:
            found = [resolved_family(hint)]
        for family in found[: SHOWN[kind]]:
            if family.casefold() not in seen:
                seen.add(family.casefold())
                choices.append(FontChoice(family, kind))
    if current and current.casefold() not in seen:
        choices.insert(1, FontChoice(current, "current"))
    return choices


class FontPicker(QDialog):
    """Choose the reading font and size, with a live preview of the page.

    Signals:
        font_chosen(str, int): the family ("" for the default serif) and size in points,
            when OK is pressed.
    """

    font_chosen = Signal(str, int)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        """Start from the reader's font, size, theme and line spacing in ``settings``."""
        super().__init__(parent)
        self.setObjectName("fontPicker")
        self.setWindowTitle(self.tr("Reading Font"))
        self._colors = page_colors(settings.theme)
        self._spacing = settings.line_height
        kinds = {
            "serif": self.tr("Serif"),
            "sans": self.tr("Sans serif"),
            "monospace": self.tr("Monospace"),
            "current": self.tr("Your font"),
        }
        self.fonts = QListWidget(self)
        self.fonts.setObjectName("fontList")
        self.fonts.setAccessibleName(self.tr("Fonts"))
        default_serif = resolved_family(QFont.StyleHint.Serif)
        for choice in curated_fonts(QFontDatabase.families(), settings.font_family):
            shown = choice.family or default_serif
            if choice.family:
                text = f"{shown}  —  {kinds[choice.kind]}"
            else:
                text = self.tr("Default serif ({family})").format(family=shown)
            item = QListWidgetItem(text, self.fonts)
            item.setData(FAMILY_ROLE, choice.family)
            item.setFont(QFont(shown, self.font().pointSize() + 1))
            if choice.family.casefold() == settings.font_family.casefold():
                self.fonts.setCurrentItem(item)
        self.size_box = QSpinBox(self)
        self.size_box.setObjectName("fontSize")
        self.size_box.setRange(8, 40)
        self.size_box.setSuffix(self.tr(" pt"))
        self.size_box.setValue(settings.font_size)
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("fontPreview")
        self.preview.setAccessibleName(self.tr("Preview"))
        self.preview.setMinimumHeight(220)
        self.preview.document().setDocumentMargin(14)
        palette = self.preview.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor(self._colors.background))
        palette.setColor(QPalette.ColorRole.Text, QColor(self._colors.text))
        self.preview.setPalette(palette)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("&Size:"), self.size_box)
        fonts_label = QLabel(self.tr("&Font:"), self)
        fonts_label.setBuddy(self.fonts)
        layout = QVBoxLayout(self)
        layout.addWidget(fonts_label)
        layout.addWidget(self.fonts)
        rows = max(4, min(self.fonts.count(), 9))
        self.fonts.setFixedHeight(
            rows * self.fonts.sizeHintForRow(0) + 2 * self.fonts.frameWidth() + 4
        )
        self.size_box.setMinimumWidth(90)
        self.size_box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Preview:"), self))
        layout.addWidget(self.preview, 1)
        layout.addWidget(buttons)
        self.fonts.currentItemChanged.connect(lambda *_: self._update_preview())
        self.size_box.valueChanged.connect(lambda _v: self._update_preview())
        self.resize(560, 560)
        fit_on_show(self)
        self._update_preview()

    def family(self) -> str:
        """The family chosen ("" for the default serif)."""
        item = self.fonts.currentItem()
        return str(item.data(FAMILY_ROLE)) if item is not None else ""

    def chosen_font(self) -> QFont:
        """The font as the page will use it."""
        font = QFont(self.family() or "Serif")
        if not self.family():
            font.setStyleHint(QFont.StyleHint.Serif)
        font.setPointSize(self.size_box.value())
        return font

    def accept(self) -> None:
        """Hand the choice over and close."""
        self.font_chosen.emit(self.family(), self.size_box.value())
        super().accept()

    def _update_preview(self) -> None:
        font = self.chosen_font()
        line_px = QFontMetrics(font, self.preview).height()
        font_px = QFontInfo(font).pixelSize()
        spacing = line_height_percent(self._spacing, line_px, font_px)
        doc = self.preview.document()
        doc.setDefaultFont(font)
        doc.setDefaultStyleSheet(document_css(self._colors) + f"p {{ line-height: {spacing}%; }}")
        prose = self.tr(
            "It is a truth universally acknowledged, that a single man in possession of a good"
            " fortune, must be in want of a wife. However little known the feelings or views"
            " of such a man may be on his first entering a neighbourhood, this truth is so well"
            " fixed in the minds of the surrounding families."
        )
        stanzas = [
            self.tr("Up! up! my Friend, and clear your looks;\nWhy all this toil and trouble?"),
            self.tr("Books! ’tis a dull and endless strife:\nCome, hear the woodland Linnet,"),
        ]
        verse = "".join(f'<p class="lines">{s.replace(chr(10), "<br />")}</p>' for s in stanzas)
        self.preview.setHtml(f"<p>{prose}</p>{verse}")

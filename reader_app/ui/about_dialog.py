"""The About dialog: what this is, its versions, where its files live, whose code it uses."""

from __future__ import annotations

import html
import platform
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reader_app import APP_NAME, __version__
from reader_app.ui.screen_fit import fit_on_show

if TYPE_CHECKING:
    from reader_app.config.paths import AppPaths


@dataclass(frozen=True)
class Component:
    """A third-party component shipped with the app.

    Attributes:
        name: how the project calls itself.
        distribution: the Python distribution name, to check the licence against its metadata.
        licence: an SPDX expression, as the installed package declares it.
        url: the project's home page.
    """

    name: str
    distribution: str
    licence: str
    url: str


# Checked against the installed packages' metadata by tests/ui/test_about_crash.py, so a
# dependency bump that changes a licence fails a test instead of going unnoticed.
COMPONENTS: tuple[Component, ...] = (
    Component("Qt 6", "PySide6-Essentials", "LGPL-3.0-only", "https://www.qt.io/"),
    Component(
        "PySide6 (Qt for Python)", "PySide6-Essentials", "LGPL-3.0-only", "https://pyside.org/"
    ),
    Component("Shiboken6", "shiboken6", "LGPL-3.0-only", "https://pyside.org/"),
    Component("anthropic", "anthropic", "Apache-2.0", "https://github.com/anthropics/"),
    Component("httpx2", "httpx2", "BSD-3-Clause", "https://pypi.org/project/httpx2/"),
    Component("pydantic", "pydantic", "MIT", "https://docs.pydantic.dev/"),
    Component("keyring", "keyring", "MIT", "https://github.com/jaraco/keyring"),
    Component(
        "SecretStorage", "SecretStorage", "BSD-3-Clause", "https://github.com/mitya57/secretstorage"
    ),
    Component("jeepney", "jeepney", "MIT", "https://gitlab.com/takluyver/jeepney"),
    Component("platformdirs", "platformdirs", "MIT", "https://github.com/tox-dev/platformdirs"),
    Component(
        "charset-normalizer",
        "charset-normalizer",
        "MIT",
        "https://github.com/jawah/charset_normalizer",
    ),
    Component("lxml", "lxml", "BSD-3-Clause", "https://lxml.de/"),
    Component(
        "markdown-it-py",
        "markdown-it-py",
        "MIT",
        "https://github.com/executablebooks/markdown-it-py",
    ),
    Component(
        "diff-match-patch",
        "diff-match-patch",
        "Apache-2.0",
        "https://github.com/diff-match-patch-python",
    ),
    Component("genanki", "genanki", "MIT", "https://github.com/kerrickstaley/genanki"),
    Component(
        "frozendict",
        "frozendict",
        "LGPL-3.0-only",
        "https://github.com/Marco-Sulla/python-frozendict",
    ),
)


def qt_versions() -> str:
    """The Qt and PySide6 versions in use, for the About dialog and crash reports."""
    return f"Qt {qVersion()}, PySide6 {PySide6.__version__}"


def runtime_summary() -> str:
    """One line each for the app, Qt, Python and the platform, as plain text."""
    return "\n".join(
        (
            f"{APP_NAME} {__version__}",
            qt_versions(),
            f"Python {platform.python_version()} ({sys.implementation.name})",
            f"Platform: {platform.platform()}",
        )
    )


class AboutDialog(QDialog):
    """Name, version, versions of the libraries, data locations and third-party licences."""

    def __init__(self, paths: AppPaths | None = None, parent: QWidget | None = None) -> None:
        """Build the dialog; ``paths`` adds the data locations when the app knows them."""
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About {app}").format(app=APP_NAME))
        self.resize(620, 520)
        fit_on_show(self)
        layout = QVBoxLayout(self)
        title = QLabel(f"<h2>{html.escape(APP_NAME)} {html.escape(__version__)}</h2>", self)
        title.setTextFormat(Qt.TextFormat.RichText)
        blurb = QLabel(
            self.tr(
                "A desktop e-book reader that explains how a passage sounds: its tone, "
                "emotions and the words that carry them."
            ),
            self,
        )
        blurb.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(blurb)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr("About sections"))
        self.about_text = self._browser(self._about_html(paths), self.tr("About"))
        self.licences_text = self._browser(self._licences_html(), self.tr("Licences"))
        self.tabs.addTab(self.about_text, self.tr("&About"))
        self.tabs.addTab(self.licences_text, self.tr("&Licences"))
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _browser(self, body: str, name: str) -> QTextBrowser:
        browser = QTextBrowser(self)
        # Nothing is fetched or opened from here: the text is local, links are shown, not followed.
        browser.setOpenExternalLinks(False)
        browser.setOpenLinks(False)
        browser.setHtml(body)
        browser.setAccessibleName(name)
        return browser

    def _about_html(self, paths: AppPaths | None) -> str:
        rows = [
            (self.tr("Version"), __version__),
            (self.tr("Qt"), qVersion()),
            (self.tr("PySide6"), PySide6.__version__),
            (self.tr("Python"), platform.python_version()),
            (self.tr("Platform"), platform.platform()),
        ]
        if paths is not None:
            rows += [
                (self.tr("Library database"), str(paths.database)),
                (self.tr("Settings"), str(paths.settings_file)),
                (self.tr("Cache"), str(paths.cache_dir)),
                (self.tr("Log file"), str(paths.log_file)),
            ]
        cells = "".join(
            f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in rows
        )
        note = self.tr(
            "The API key is kept in the system keyring (or read from ANTHROPIC_API_KEY), "
            "never in these files."
        )
        return f"<table cellspacing='4'>{cells}</table><p>{html.escape(note)}</p>"

    def _licences_html(self) -> str:
        intro = self.tr("{app} is free software under the GPL-3.0-or-later.").format(app=APP_NAME)
        qt_notice = self.tr(
            "This program uses Qt 6 and Qt for Python (PySide6, Shiboken6), used under the "
            "GNU Lesser General Public License version 3 (LGPL-3.0). The Qt libraries are "
            "dynamically linked: you may replace them with your own build of a compatible "
            "version. The source code of Qt is available from https://download.qt.io/ and "
            "https://code.qt.io/, and the licence text from https://www.gnu.org/licenses/lgpl-3.0.html."
        )
        rows = "".join(
            f"<tr><td>{html.escape(c.name)}</td><td>{html.escape(c.licence)}</td>"
            f"<td>{html.escape(c.url)}</td></tr>"
            for c in COMPONENTS
        )
        head = (
            f"<tr><th align='left'>{html.escape(self.tr('Component'))}</th>"
            f"<th align='left'>{html.escape(self.tr('Licence'))}</th>"
            f"<th align='left'>{html.escape(self.tr('Home page'))}</th></tr>"
        )
        return (
            f"<p>{html.escape(intro)}</p><p>{html.escape(qt_notice)}</p>"
            f"<table cellspacing='4'>{head}{rows}</table>"
        )

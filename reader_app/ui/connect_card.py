"""The "Connect Claude" card: what an API key is, where to get one, and a place to paste it.

The Tone panel shows it on a first start, whenever no key is found, and when the reader asks
("Set up key…" beside a rejected or missing key). The key is tested with the same client the
analyses use, saved in the system keyring, or, where there is no keyring, kept for this
session only in memory. Everything that may wait (the keyring over D-Bus, the network) runs
on the task runner; the card says what happened in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.config.secrets import ENV_VAR, ApiKeySource, KeyringUnavailable, checked_key
from reader_app.core.redaction import remember_secret

if TYPE_CHECKING:
    from collections.abc import Callable

    from reader_app.config.secrets import ApiKeys, ApiKeyStatus
    from reader_app.services.tasks import TaskRunner

KEYS_PAGE = "https://console.anthropic.com/settings/keys"

_REJECTED = (AiErrorKind.AUTH, AiErrorKind.PERMISSION)
_NO_NETWORK = (AiErrorKind.OFFLINE, AiErrorKind.TIMEOUT, AiErrorKind.STALLED)


@dataclass(frozen=True)
class KeySetup:
    """What the card works with.

    Attributes:
        keys: finds, saves and keeps the API key (the one the analyses use).
        tasks: runs the keyring and network calls off the GUI thread.
        check: makes the cheapest authenticated call with a key; raises AiError.
    """

    keys: ApiKeys
    tasks: TaskRunner
    check: Callable[[str], None]


class RoundedPanel(QFrame):
    """A frame drawn as a rounded card in the palette's base colour, in every theme.

    Painted rather than styled: a style sheet's palette colours are fixed when it is set,
    so a card styled in the light theme would stay white after a switch to dark.
    """

    def paintEvent(self, event: QPaintEvent) -> None:
        """The rounded card behind the children."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        # Between the panel's colour and a field's, so the fields stand out on the card.
        window, base = (
            palette.color(QPalette.ColorRole.Window),
            palette.color(QPalette.ColorRole.Base),
        )
        painter.setBrush(
            QColor(
                (window.red() + base.red()) // 2,
                (window.green() + base.green()) // 2,
                (window.blue() + base.blue()) // 2,
            )
        )
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)
        painter.end()
        super().paintEvent(event)


class ConnectCard(RoundedPanel):
    """Connects Tone Reader to Claude with the reader's Anthropic API key.

    Signals:
        connected(str): a key is in use now; a sentence saying where it is kept.
        key_missing(): a check (at start, after Settings) found no key anywhere.
        key_found(): a check found a key (from the environment, the keyring or this session).
        dismissed(): the reader chose "Not now".
    """

    connected = Signal(str)
    key_missing = Signal()
    key_found = Signal()
    dismissed = Signal()

    def __init__(self, setup: KeySetup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectCard")
        self.setAccessibleName(self.tr("Connect Claude"))
        self._setup = setup
        # Where Save keeps the key: a code from ApiKeys.store_kind(), "" until known.
        self._kind = ""
        self._keyring_problem = ""
        self.title = QLabel(self.tr("Connect Claude"), self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.intro = self._text(
            self.tr(
                "Tone Reader asks Claude, Anthropic's AI model, how a passage sounds. For that"
                " it needs an Anthropic API key: a private code (it starts with “sk-ant-”)"
                " that lets this app use your Anthropic account, which pays for the analyses."
            )
        )
        self.link = QLabel(self)
        self.link.setObjectName("connectKeysLink")
        self.link.setTextFormat(Qt.TextFormat.RichText)
        self.link.setWordWrap(True)
        self.link.setText(
            self.tr("1. Create a key in the Anthropic console: {link}").format(
                link=f'<a href="{KEYS_PAGE}">console.anthropic.com/settings/keys</a>'
            )
        )
        flags = Qt.TextInteractionFlag
        self.link.setTextInteractionFlags(
            flags.LinksAccessibleByMouse | flags.LinksAccessibleByKeyboard
        )
        # Opened in the reader's browser, never fetched here.
        self.link.setOpenExternalLinks(False)
        self.link.linkActivated.connect(self._open_link)
        self.paste_label = self._text(self.tr("2. Paste it here:"))
        self.key_edit = QLineEdit(self)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("sk-ant-…")
        self.key_edit.setAccessibleName(self.tr("Anthropic API key"))
        self.key_edit.setClearButtonEnabled(True)
        self.paste_label.setBuddy(self.key_edit)
        self.test_button = QPushButton(self.tr("Test Key"), self)
        self.test_button.setToolTip(self.tr("Ask Anthropic whether the key works (costs nothing)"))
        self.save_button = QPushButton(self.tr("Save Key"), self)
        self.save_button.setDefault(True)
        self.session_button = QPushButton(self.tr("Use for This Session Only"), self)
        self.session_button.setToolTip(
            self.tr("Keep the key in memory until you quit; it is never written anywhere")
        )
        self.session_button.hide()
        self.result = self._text("")
        self.result.setObjectName("connectResult")
        self.result.hide()
        self.kept = self._text("")
        self.kept.setObjectName("connectKept")
        self.later_button = QPushButton(self.tr("Not Now"), self)
        self.later_button.setFlat(True)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.later_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(14, 12, 14, 8)
        column.setSpacing(8)
        column.addWidget(self.title)
        column.addWidget(self.intro)
        column.addSpacing(2)
        column.addWidget(self.link)
        column.addWidget(self.paste_label)
        column.addWidget(self.key_edit)
        column.addLayout(buttons)
        column.addWidget(self.session_button)
        column.addWidget(self.result)
        column.addWidget(self.kept)
        column.addLayout(bottom)

        self.test_button.clicked.connect(self.test_key)
        self.save_button.clicked.connect(self.save_key)
        self.session_button.clicked.connect(self.use_for_session)
        self.key_edit.returnPressed.connect(self.save_key)
        self.later_button.clicked.connect(self.dismissed)
        self._show_kept()

    def _text(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        return label

    # -- finding out --------------------------------------------------------------------

    def check_presence(self, *_why: object, if_unopened: bool = False) -> None:
        """Find out in the background whether a key exists; ``key_missing`` if none does.

        Where the environment has a key the keyring is not even loaded: the start of the
        app should not pay for it. With ``if_unopened``, a card the reader has opened by
        the time the answer comes stays open.
        """
        keys = self._setup.keys

        def work() -> tuple[ApiKeyStatus, str]:
            status = keys.status()
            return status, keys.store_kind() if status.source is ApiKeySource.NONE else ""

        def found(result: object) -> None:
            if if_unopened and self.isVisible():
                # The reader opened the card meanwhile (Set up key…): it is theirs to close.
                self._found_quietly(result)
            else:
                self._found(result)

        self._setup.tasks.submit(work, found, self._not_found)

    def refresh(self) -> None:
        """Find out where Save would keep the key (the card is about to be shown)."""
        keys = self._setup.keys

        def work() -> tuple[ApiKeyStatus, str]:
            return keys.status(), keys.store_kind()

        self._setup.tasks.submit(work, self._found_quietly, self._not_found)

    def _found(self, found: object) -> None:
        self._found_quietly(found)
        if isinstance(found, tuple):
            if found[0].source is ApiKeySource.NONE:
                self.key_missing.emit()
            else:
                self.key_found.emit()

    def _found_quietly(self, found: object) -> None:
        if not isinstance(found, tuple):
            return
        status, kind = found
        if kind:
            self._kind = kind
        self._keyring_problem = status.keyring_error
        self._show_kept()

    def _not_found(self, error: BaseException) -> None:
        self._keyring_problem = str(error)
        self._show_kept()
        self.key_missing.emit()

    @property
    def keyring_missing(self) -> bool:
        """Whether Save cannot keep the key: no keyring, or one that refused."""
        return bool(self._keyring_problem) or self._kind == "none"

    def _where(self) -> str:
        """The keyring by name, as the reader knows it."""
        names = {
            "secret-service": self.tr("your system keyring (Secret Service)"),
            "kwallet": self.tr("KWallet"),
            "macos": self.tr("the macOS Keychain"),
            "windows": self.tr("Windows Credential Manager"),
            "memory": self.tr("the key store this app was started with"),
        }
        if self._kind.startswith("other:"):
            return self.tr("your system keyring ({name})").format(name=self._kind[6:])
        return names.get(self._kind, self.tr("your system keyring"))

    def _show_kept(self) -> None:
        missing = self.keyring_missing
        self.session_button.setVisible(missing)
        self.save_button.setEnabled(not missing)
        self.save_button.setDefault(not missing)
        self.session_button.setDefault(missing)
        if missing:
            self.kept.setText(
                self.tr(
                    "No system keyring was found, so the key cannot be saved here. For this"
                    " session only, it is kept in memory until you quit, never on disk. (To"
                    " use a key every time, set {env}.)"
                ).format(env=ENV_VAR)
            )
        else:
            self.kept.setText(
                self.tr("Save keeps the key in {where}, never in a file.").format(
                    where=self._where()
                )
            )

    # -- the reader's actions -------------------------------------------------------------

    def focus_field(self) -> None:
        """Put the cursor in the key field."""
        self.key_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open_link(self, url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))

    def _say(self, text: str) -> None:
        self.result.setText(text)
        self.result.setVisible(bool(text))

    def _typed(self) -> str | None:
        """The key in the field if it can be one; else None, and the card says why."""
        try:
            key = checked_key(self.key_edit.text())
        except ValueError:
            self._say(
                self.tr("Paste your key first.")
                if not self.key_edit.text().strip()
                else self.tr("A key is one word, without spaces or line breaks.")
            )
            return None
        # A key being tried may be echoed by an error: have it blanked from logs too.
        remember_secret(key)
        return key

    def _busy(self, busy: bool) -> None:
        self.test_button.setEnabled(not busy)
        self.save_button.setEnabled(not busy and not self.keyring_missing)
        self.session_button.setEnabled(not busy)

    def test_key(self) -> None:
        """Make the cheapest authenticated call with the key in the field."""
        key = self._typed()
        if key is None:
            return
        self._busy(True)
        self._say(self.tr("Testing the key with Anthropic…"))
        check = self._setup.check
        self._setup.tasks.submit(lambda: check(key), self._tested, self._test_failed)

    def _tested(self, _result: object) -> None:
        self._busy(False)
        self._say(self.tr("✓ The key works."))

    def _test_failed(self, error: BaseException) -> None:
        self._busy(False)
        self._say(self.failure_line(error))

    def failure_line(self, error: BaseException) -> str:
        """One line for a test that failed: rejected, no network, or what happened."""
        if isinstance(error, AiError):
            if error.kind is AiErrorKind.AUTH:
                return self.tr(
                    "✗ Rejected: Anthropic does not accept this key (401). Check that you"
                    " copied all of it."
                )
            if error.kind is AiErrorKind.PERMISSION:
                return self.tr("✗ Rejected: this key may not use the API (403).")
            if error.kind in _NO_NETWORK:
                return self.tr(
                    "No network: the Anthropic API could not be reached, so the key was not tested."
                )
            return self.tr("The key could not be tested: {why}").format(why=error)
        return self.tr("The key could not be tested ({kind}).").format(kind=type(error).__name__)

    def save_key(self) -> None:
        """Keep the key in the system keyring (or, without one, offer the session)."""
        if self.keyring_missing:
            self.use_for_session()
            return
        key = self._typed()
        if key is None:
            return
        self._busy(True)
        self._say(self.tr("Saving the key…"))
        keys = self._setup.keys

        def work() -> None:
            keys.save(key)
            if keys.status().source is ApiKeySource.ENVIRONMENT:
                # The environment's key would win over the saved one; the reader has just
                # chosen this one, so it is used for the rest of this run.
                keys.use_for_session(key)

        self._setup.tasks.submit(work, self._saved, self._save_failed)

    def _saved(self, _result: object) -> None:
        self._busy(False)
        self.key_edit.clear()
        self._say("")
        self.connected.emit(
            self.tr("Claude is connected. Your key is saved in {where}.").format(
                where=self._where()
            )
        )

    def _save_failed(self, error: BaseException) -> None:
        if isinstance(error, KeyringUnavailable):
            self._keyring_problem = str(error)
            self._show_kept()
            self._busy(False)
            self._say(self.tr("The keyring refused to keep the key: {why}").format(why=error))
            return
        self._busy(False)
        self._say(
            str(error)
            if isinstance(error, ValueError)
            else self.tr("The key could not be saved ({kind}).").format(kind=type(error).__name__)
        )

    def use_for_session(self) -> None:
        """Use the key until the app quits, in memory only."""
        key = self._typed()
        if key is None:
            return
        self._setup.keys.use_for_session(key)
        self.key_edit.clear()
        self._say("")
        self.connected.emit(
            self.tr(
                "Claude is connected for this session. The key is kept in memory only and"
                " forgotten when you quit."
            )
        )

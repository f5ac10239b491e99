"""The settings in force, and their one owner."""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from collections.abc import Callable

    from reader_app.config.settings import Settings

log = logging.getLogger(__name__)


class SettingsStore(QObject):
    """Holds the settings in force; every change goes through it, is saved, and announced.

    The window, the analyses, the batches and the settings dialog all read ``current``
    when they need it, so none of them keeps a copy that could go stale (the batch
    service once priced results with the prices it was started with).

    Signals:
        changed(object): the new settings, after they were saved (or failed to be).
        save_failed(str): the one-line reason the settings file could not be written;
            the settings stay in force for this session.
    """

    changed = Signal(object)
    save_failed = Signal(str)

    def __init__(
        self,
        settings: Settings,
        save: Callable[[Settings], None],
        parent: QObject | None = None,
    ) -> None:
        """Own ``settings``; ``save`` writes them to the profile."""
        super().__init__(parent)
        self._current = settings
        self._save = save

    @property
    def current(self) -> Settings:
        """The settings in force."""
        return self._current

    def replace(self, settings: Settings) -> None:
        """Put a whole new set of settings in force (from the settings dialog)."""
        self._current = settings
        try:
            self._save(settings)
        except Exception as exc:  # a full disk or a read-only profile: say so, keep going
            log.info("Could not save the settings: %s", exc)
            self.save_failed.emit(str(exc))
        self.changed.emit(settings)

    def update(self, **changes: object) -> None:
        """Change some settings (``font_size=14``), save and announce them."""
        self.replace(dataclasses.replace(self._current, **changes))  # type: ignore[arg-type]

"""User preferences: a frozen dataclass, loaded forgivingly and saved atomically.

Loading never fails: a hand-edited or half-written file must not stop the reader from
starting, so bad values fall back to defaults and a broken file is set aside. Saving does
fail loudly, with a ``SettingsError`` the UI can show, because silently losing a change is
worse than telling the user.

The API key is never a setting; it lives in the keyring (see ``secrets.py``).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import errno
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader_app.core.atomic import atomic_write_bytes
from reader_app.core.errors import SettingsError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

THEMES = ("system", "light", "dark", "sepia")
FONT_SIZE_RANGE = (8, 40)
LINE_HEIGHT_RANGE = (100, 250)
CONTEXT_RANGE = (0, 20)
LEVELS = ("A2", "B1", "B2", "C1", "C2")
STRATEGIES = ("all", "similar", "fixed")

BAD_SUFFIX = ".bad"
# A full quota reads the same to the user as a full disk. Windows has no EDQUOT.
_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
LOAD_WARNING = "Your settings file was damaged, so the defaults are in use."


@dataclass(frozen=True)
class Settings:
    """Everything the user can change in the preferences and by resizing the window.

    Out-of-range numbers are clamped on construction, so ``dataclasses.replace(settings,
    font_size=spin.value())`` can never produce an unusable value.

    Attributes:
        theme: one of ``THEMES``.
        font_family: the reading font; empty means the platform's default serif.
        font_size: reading font size in points, within ``FONT_SIZE_RANGE``.
        line_height: line height in percent of the font size, within ``LINE_HEIGHT_RANGE``.
        show_toc: whether the table of contents pane is visible.
        window_geometry: ``QWidget.saveGeometry()`` as base64, or empty.
        window_state: ``QMainWindow.saveState()`` as base64, or empty.
        model: the Claude model id; empty means the newest fast model.
        objective: what the reader wants from the analyses; empty means the built-in
            English-learner objective.
        level: the CEFR level of explanations, one of ``LEVELS``.
        language: the language explanations are written in.
        context_paragraphs: paragraphs (or verse lines) of context each side of a passage.
        prices: the reader's own prices in USD per million tokens, as (model prefix,
            input, output): each overrides the model catalogue's input and output rates
            for the models it prefixes (cache and batch rates follow by the catalogue's
            multipliers); empty means the catalogue's prices.
        example_strategy: which examples a request carries: "all", "similar" (the
            ``example_k`` most like the passage) or "fixed" (the set named ``fixed_set``).
        think_more: "Think more" for harder passages: analyses ask for a higher effort and
            allow the model to think (off: the lowest effort, thinking off where the
            model allows it).
        tone_details: whether the Tone panel's "Details" line (tokens, cost, cache,
            timings) is open; closed by default.
        guess_first: practice mode: after pressing A the learner guesses the polarity and
            emotions before Claude's answer is shown.
    """

    theme: str = "system"
    font_family: str = ""
    font_size: int = 13
    line_height: int = 150
    show_toc: bool = True
    window_geometry: str = ""
    window_state: str = ""
    model: str = ""
    objective: str = ""
    level: str = "B1"
    language: str = "English"
    context_paragraphs: int = 3
    prices: tuple[tuple[str, float, float], ...] = ()
    example_strategy: str = "all"
    example_k: int = 8
    fixed_set: str = ""
    think_more: bool = False
    tone_details: bool = False
    guess_first: bool = False

    def __post_init__(self) -> None:
        """Clamp the numbers and reject values no caller should pass.

        Raises:
            ValueError: ``theme`` is not one of ``THEMES``.
        """
        if self.theme not in THEMES:
            # Code passes a theme from a fixed list, so a stray value is a bug to surface;
            # file input is cleaned by from_dict() before it gets here.
            raise ValueError(f"unknown theme {self.theme!r}")
        # The instance is frozen; object.__setattr__ is the documented way in __post_init__.
        object.__setattr__(self, "font_size", _clamp(self.font_size, FONT_SIZE_RANGE))
        object.__setattr__(self, "line_height", _clamp(self.line_height, LINE_HEIGHT_RANGE))
        object.__setattr__(
            self, "context_paragraphs", _clamp(self.context_paragraphs, CONTEXT_RANGE)
        )
        if self.level not in LEVELS:
            object.__setattr__(self, "level", "B1")
        if self.example_strategy not in STRATEGIES:
            object.__setattr__(self, "example_strategy", "all")
        object.__setattr__(self, "example_k", _clamp(self.example_k, (1, 50)))

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Settings:
        """Build settings from parsed JSON, repairing anything odd instead of failing.

        Unknown keys are ignored (they may come from a newer version). A value of the wrong
        type, or a theme or base64 blob that makes no sense, becomes the default; a number
        out of range is clamped.

        Args:
            data: the top-level JSON object.

        Returns:
            Valid settings.
        """
        defaults = cls()
        theme = data.get("theme")
        show_toc = data.get("show_toc")
        think_more = data.get("think_more")
        tone_details = data.get("tone_details")
        guess_first = data.get("guess_first")
        return cls(
            theme=theme if isinstance(theme, str) and theme in THEMES else defaults.theme,
            font_family=_str_or(data.get("font_family"), defaults.font_family).strip(),
            font_size=_int_or(data.get("font_size"), defaults.font_size),
            line_height=_int_or(data.get("line_height"), defaults.line_height),
            show_toc=show_toc if isinstance(show_toc, bool) else defaults.show_toc,
            window_geometry=_base64_or_empty(data.get("window_geometry")),
            window_state=_base64_or_empty(data.get("window_state")),
            model=_str_or(data.get("model"), defaults.model).strip(),
            objective=_str_or(data.get("objective"), defaults.objective).strip(),
            level=_str_or(data.get("level"), defaults.level),
            language=_str_or(data.get("language"), defaults.language).strip() or "English",
            context_paragraphs=_int_or(data.get("context_paragraphs"), defaults.context_paragraphs),
            prices=_prices(data.get("prices")),
            example_strategy=_str_or(data.get("example_strategy"), defaults.example_strategy),
            example_k=_int_or(data.get("example_k"), defaults.example_k),
            fixed_set=_str_or(data.get("fixed_set"), defaults.fixed_set).strip(),
            think_more=think_more if isinstance(think_more, bool) else defaults.think_more,
            tone_details=tone_details if isinstance(tone_details, bool) else False,
            guess_first=guess_first if isinstance(guess_first, bool) else False,
        )

    def to_dict(self) -> dict[str, object]:
        """The settings as a JSON-ready dict.

        Returns:
            One key per field; ``from_dict(s.to_dict()) == s``.
        """
        data = dataclasses.asdict(self)
        data["prices"] = [list(row) for row in self.prices]
        return data


def load_settings(path: Path) -> tuple[Settings, str | None]:
    """Read the settings file, falling back to defaults when it is missing or broken.

    A file that cannot be read or parsed is renamed to ``settings.json.bad`` (replacing an
    older one), so the next save does not destroy what the user may want to recover. The
    warning names where it was kept; the window shows it in its banner and the command
    line prints it on stderr.

    Args:
        path: the settings file, usually ``AppPaths.settings_file``.

    Returns:
        The settings, and a one-line warning for the user when the file was broken
        (None when all went well, including when there was no file yet).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(), None
    except OSError:
        # Unreadable (permissions, a directory in the way, an I/O error): treat it like a
        # corrupt file, since the user can do nothing about it from inside the app.
        return Settings(), _set_aside(path)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return Settings(), _set_aside(path)
    if not isinstance(data, dict):
        return Settings(), _set_aside(path)
    return Settings.from_dict(data), None


def save_settings(path: Path, settings: Settings) -> None:
    """Write the settings atomically, so a crash mid-save leaves the old file intact.

    Args:
        path: the settings file. Its directory must exist (``AppPaths.ensure()``).
        settings: what to save.

    Raises:
        SettingsError: the file could not be written; nothing was changed on disk.
    """
    text = json.dumps(settings.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    try:
        atomic_write_bytes(path, text.encode("utf-8"))
    except OSError as error:
        raise _save_error(error) from error


def _set_aside(path: Path) -> str:
    """Rename a broken settings file out of the way, best effort.

    Args:
        path: the broken file.

    Returns:
        The one-line warning to show.
    """
    bad = path.with_name(path.name + BAD_SUFFIX)
    try:
        os.replace(path, bad)
    except OSError:
        # Nothing more to do: the defaults are in use either way, and the warning stands.
        return LOAD_WARNING
    # The full path: the user has to find the file to recover anything from it.
    return f"{LOAD_WARNING[:-1]}; the old file was kept as {bad}."


def _save_error(error: OSError) -> SettingsError:
    """Turn an OSError from saving into a message a user can act on.

    Args:
        error: what the file system said.

    Returns:
        The error to raise.
    """
    if error.errno in _DISK_FULL_ERRNOS:
        return SettingsError(
            "The disk is full, so your settings were not saved.", "Free some space and try again."
        )
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return SettingsError(
            "The settings folder is read-only, so your settings were not saved.",
            "Check the folder's permissions, or choose another with --profile-dir.",
        )
    reason = error.strerror or type(error).__name__
    return SettingsError(f"Your settings were not saved ({reason}).")


def _clamp(value: int, bounds: tuple[int, int]) -> int:
    """Limit ``value`` to the inclusive ``bounds``.

    Args:
        value: the number to limit.
        bounds: (lowest, highest).

    Returns:
        The clamped number.
    """
    low, high = bounds
    return max(low, min(high, value))


def _int_or(value: object, default: int) -> int:
    """``value`` if it is an integer, else ``default``.

    bool is excluded because it is an int subclass: JSON ``true`` must not become size 1.

    Args:
        value: a parsed JSON value.
        default: the fallback.

    Returns:
        An integer, not yet clamped.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return default


def _str_or(value: object, default: str) -> str:
    """``value`` if it is a string, else ``default``.

    Args:
        value: a parsed JSON value.
        default: the fallback.

    Returns:
        A string.
    """
    return value if isinstance(value, str) else default


def _base64_or_empty(value: object) -> str:
    """``value`` if it is valid base64 text, else the empty string.

    Checked here so the UI can hand the decoded bytes straight to Qt without guarding
    against a hand-edited file.

    Args:
        value: a parsed JSON value.

    Returns:
        The base64 text, or "".
    """
    if not isinstance(value, str) or not value:
        return ""
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return ""
    return value


# The built-in table of earlier versions, saved whole whenever the reader edited any row.
# Its family-wide rows would now override the catalogue (Haiku 5.5 at $1 / $5 instead of
# $0.10 / $0.50), so they are dropped when read: the catalogue prices those models.
_STALE_DEFAULT_PRICES = frozenset(
    {("claude-haiku", 1.0, 5.0), ("claude-sonnet", 3.0, 15.0), ("claude-opus", 5.0, 25.0)}
)


def _prices(value: object) -> tuple[tuple[str, float, float], ...]:
    """Rows of (model prefix, input price, output price); bad and stale rows are skipped."""
    if not isinstance(value, list):
        return ()
    rows: list[tuple[str, float, float]] = []
    for row in value:
        if (
            isinstance(row, list)
            and len(row) == 3
            and isinstance(row[0], str)
            and row[0].strip()
            and all(
                isinstance(x, int | float) and not isinstance(x, bool) and x >= 0 for x in row[1:]
            )
        ):
            parsed = (row[0].strip(), float(row[1]), float(row[2]))
            if parsed not in _STALE_DEFAULT_PRICES:
                rows.append(parsed)
    return tuple(rows)

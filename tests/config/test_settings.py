"""Settings: validation, forgiving loading, and atomic saving."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader_app.config.settings import (
    LOAD_WARNING,
    Settings,
    load_settings,
    save_settings,
)
from reader_app.core.atomic import atomic_write_bytes
from reader_app.core.errors import SettingsError

if TYPE_CHECKING:
    from pathlib import Path

CUSTOM = Settings(
    theme="sepia",
    font_family="Literata",
    font_size=18,
    line_height=170,
    show_toc=False,
    window_geometry="AdnQywADAAA=",
    window_state="AAAA/wAAAAD9",
)


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "settings.json"


def test_defaults() -> None:
    assert Settings().to_dict() == {
        "theme": "system",
        "font_family": "",
        "font_size": 13,
        "line_height": 150,
        "show_toc": True,
        "window_geometry": "",
        "window_state": "",
        "model": "",
        "objective": "",
        "level": "B1",
        "language": "English",
        "context_paragraphs": 3,
        "prices": [],
        "example_strategy": "all",
        "example_k": 8,
        "fixed_set": "",
        "think_more": False,
        "tone_details": False,
        "guess_first": False,
    }


def test_analysis_settings_are_repaired_not_refused() -> None:
    repaired = Settings.from_dict(
        {
            "level": "Z9",
            "context_paragraphs": 999,
            "language": "  ",
            "prices": [["claude-haiku", 2, 8], ["bad"], ["x", -1, 2], ["claude-opus", 4.5, 22.0],
                       ["claude-sonnet", 3.0, 15.0]],
        }
    )  # fmt: skip
    assert repaired.level == "B1"
    assert repaired.context_paragraphs == 20
    assert repaired.language == "English"
    # The earlier versions' built-in rows (claude-sonnet at $3 / $15) are stale: dropped.
    assert repaired.prices == (("claude-haiku", 2.0, 8.0), ("claude-opus", 4.5, 22.0))
    custom = Settings(model="claude-haiku-4-5", level="C1", prices=(("claude", 2.0, 8.0),))
    assert Settings.from_dict(custom.to_dict()) == custom


def test_round_trip_through_a_dict() -> None:
    assert Settings.from_dict(CUSTOM.to_dict()) == CUSTOM


def test_constructor_clamps_numbers() -> None:
    assert Settings(font_size=2, line_height=999) == Settings(font_size=8, line_height=250)
    assert dataclasses.replace(Settings(), font_size=41).font_size == 40


def test_constructor_rejects_an_unknown_theme() -> None:
    with pytest.raises(ValueError, match="theme"):
        Settings(theme="neon")


def test_settings_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().font_size = 20  # type: ignore[misc]


def test_from_dict_ignores_unknown_keys() -> None:
    data = {**CUSTOM.to_dict(), "added_in_v9": [1, 2], "api_key": "sk-nope"}
    assert Settings.from_dict(data) == CUSTOM


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("theme", "neon", "system"),
        ("theme", 3, "system"),
        ("font_family", None, ""),
        ("font_family", "  Georgia ", "Georgia"),
        ("font_size", "14", 13),
        ("font_size", 13.5, 13),
        ("font_size", True, 13),
        ("font_size", 3, 8),
        ("font_size", 400, 40),
        ("line_height", -5, 100),
        ("line_height", 251, 250),
        ("show_toc", 0, True),
        ("show_toc", "false", True),
        ("show_toc", False, False),
        ("window_geometry", "not base64!", ""),
        ("window_geometry", 12, ""),
        ("window_state", "AAAA", "AAAA"),
        ("think_more", True, True),
        ("think_more", "yes", False),
        ("think_more", 1, False),
    ],
)
def test_from_dict_repairs_bad_values(key: str, value: object, expected: object) -> None:
    repaired = Settings.from_dict({key: value})
    assert getattr(repaired, key) == expected


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)
field_names = st.sampled_from([field.name for field in dataclasses.fields(Settings)]) | st.text()


@settings(max_examples=100, deadline=None, database=None)
@given(st.dictionaries(field_names, json_values))
def test_from_dict_never_raises(data: dict[str, Any]) -> None:
    result = Settings.from_dict(data)
    assert 8 <= result.font_size <= 40
    assert 100 <= result.line_height <= 250
    assert result.theme in {"system", "light", "dark", "sepia"}


def test_a_missing_file_gives_defaults_without_a_warning(settings_file: Path) -> None:
    assert load_settings(settings_file) == (Settings(), None)


def test_save_then_load(settings_file: Path) -> None:
    save_settings(settings_file, CUSTOM)
    assert load_settings(settings_file) == (CUSTOM, None)
    assert json.loads(settings_file.read_text(encoding="utf-8")) == CUSTOM.to_dict()
    assert [p.name for p in settings_file.parent.iterdir()] == ["settings.json"]


def test_save_replaces_an_existing_file(settings_file: Path) -> None:
    save_settings(settings_file, Settings())
    save_settings(settings_file, CUSTOM)
    assert load_settings(settings_file)[0] == CUSTOM


def test_save_keeps_non_ascii_readable(settings_file: Path) -> None:
    save_settings(settings_file, Settings(font_family="Noto Serif 日本語"))
    assert "日本語" in settings_file.read_text(encoding="utf-8")


def test_partly_wrong_values_are_repaired_silently(settings_file: Path) -> None:
    settings_file.write_text(json.dumps({"font_size": 99, "theme": "dark", "show_toc": "no"}))
    loaded, warning = load_settings(settings_file)
    assert warning is None
    assert loaded == Settings(font_size=40, theme="dark")


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\xff\xfe garbage",
        b'{"theme": "dark",',
        b"[1, 2, 3]",
        b'"just a string"',
        b"",
        '{"font_family": "\u00e9"}'.encode("latin-1"),
    ],
)
def test_a_corrupt_file_gives_defaults_and_is_kept_aside(
    settings_file: Path, content: bytes
) -> None:
    settings_file.write_bytes(content)
    loaded, warning = load_settings(settings_file)
    assert loaded == Settings()
    assert warning is not None
    assert warning.startswith(LOAD_WARNING[:-1])
    assert "\n" not in warning
    assert not settings_file.exists()
    assert (settings_file.parent / "settings.json.bad").read_bytes() == content
    # The next save starts afresh and the broken copy stays for the user.
    save_settings(settings_file, CUSTOM)
    assert load_settings(settings_file) == (CUSTOM, None)
    assert (settings_file.parent / "settings.json.bad").read_bytes() == content


def test_an_unreadable_path_gives_defaults_and_a_warning(settings_file: Path) -> None:
    settings_file.mkdir()  # a folder where the file should be
    loaded, warning = load_settings(settings_file)
    assert loaded == Settings()
    assert warning is not None
    assert (settings_file.parent / "settings.json.bad").is_dir()


def test_saving_into_a_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        save_settings(tmp_path / "missing" / "settings.json", Settings())
    assert "not saved" in caught.value.message
    assert "\n" not in str(caught.value)


def fail_with(monkeypatch: pytest.MonkeyPatch, name: str, code: int) -> None:
    """Make ``os.<name>`` fail inside the atomic writer as the OS would."""

    def failing(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, name, failing)


@pytest.mark.parametrize(
    ("name", "code", "message"),
    [
        ("fsync", errno.ENOSPC, "The disk is full, so your settings were not saved."),
        (
            "replace",
            errno.EROFS,
            "The settings folder is read-only, so your settings were not saved.",
        ),
        (
            "replace",
            errno.EACCES,
            "The settings folder is read-only, so your settings were not saved.",
        ),
        ("fsync", errno.EIO, f"Your settings were not saved ({os.strerror(errno.EIO)})."),
    ],
)
def test_a_failed_save_keeps_the_old_file_and_no_temp_file(
    settings_file: Path, monkeypatch: pytest.MonkeyPatch, name: str, code: int, message: str
) -> None:
    save_settings(settings_file, Settings())
    before = settings_file.read_bytes()
    fail_with(monkeypatch, name, code)
    with pytest.raises(SettingsError) as caught:
        save_settings(settings_file, CUSTOM)
    assert caught.value.message == message
    assert isinstance(caught.value.__cause__, OSError)
    assert settings_file.read_bytes() == before
    assert [p.name for p in settings_file.parent.iterdir()] == ["settings.json"]


def test_atomic_write_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "export.md"
    atomic_write_bytes(target, b"first")
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_write_raises_oserror_for_callers_to_word(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write_bytes(tmp_path / "missing" / "x", b"data")


def test_atomic_write_cleans_up_when_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "export.md"
    target.write_bytes(b"old")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]

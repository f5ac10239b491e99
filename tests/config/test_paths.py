"""AppPaths: where files go, how the profile is chosen, and creating the folders."""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
import subprocess
import sys
import tempfile
import threading
from typing import TYPE_CHECKING

import platformdirs
import pytest

from reader_app.config.paths import AppPaths
from reader_app.core.errors import SettingsError

if TYPE_CHECKING:
    from pathlib import Path


def test_for_profile_puts_everything_under_the_root(tmp_path: Path) -> None:
    paths = AppPaths.for_profile(tmp_path)
    assert paths == AppPaths(
        config_dir=tmp_path / "config",
        data_dir=tmp_path / "data",
        cache_dir=tmp_path / "cache",
        log_dir=tmp_path / "logs",
    )
    assert paths.database == tmp_path / "data" / "library.sqlite3"
    assert paths.settings_file == tmp_path / "config" / "settings.json"
    assert paths.log_file == tmp_path / "logs" / "tone-reader.log"


def test_default_uses_platformdirs_without_a_vendor_folder() -> None:
    expected = platformdirs.PlatformDirs("tone-reader", appauthor=False)
    paths = AppPaths.default()
    assert paths.config_dir == expected.user_config_path
    assert paths.data_dir == expected.user_data_path
    assert paths.cache_dir == expected.user_cache_path
    assert paths.log_dir == expected.user_log_path
    assert "tone-reader" in paths.data_dir.parts


def test_paths_are_immutable(tmp_path: Path) -> None:
    paths = AppPaths.for_profile(tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        paths.data_dir = tmp_path  # type: ignore[misc]


def test_resolve_prefers_the_flag_over_the_environment(tmp_path: Path) -> None:
    flag, env = tmp_path / "flag", tmp_path / "env"
    paths = AppPaths.resolve(str(flag), {"TONE_READER_HOME": str(env)})
    assert paths == AppPaths.for_profile(flag)


def test_resolve_uses_the_environment_without_the_flag(tmp_path: Path) -> None:
    paths = AppPaths.resolve(None, {"TONE_READER_HOME": str(tmp_path)})
    assert paths == AppPaths.for_profile(tmp_path)


@pytest.mark.parametrize("environ", [{}, {"TONE_READER_HOME": ""}, {"OTHER": "/x"}])
def test_resolve_falls_back_to_the_platform_default(environ: dict[str, str]) -> None:
    assert AppPaths.resolve(None, environ) == AppPaths.default()


def test_resolve_makes_relative_and_home_paths_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    relative = AppPaths.resolve("profile", {})
    assert relative == AppPaths.for_profile(tmp_path / "profile")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))
    home = AppPaths.resolve(None, {"TONE_READER_HOME": "~/reader"})
    assert home == AppPaths.for_profile(tmp_path / "home" / "reader")


def test_resolve_creates_nothing(tmp_path: Path) -> None:
    AppPaths.resolve(str(tmp_path / "profile"), {})
    assert list(tmp_path.iterdir()) == []


def test_ensure_creates_private_folders(tmp_path: Path) -> None:
    paths = AppPaths.for_profile(tmp_path / "profile")
    paths.ensure()
    for directory in (paths.config_dir, paths.data_dir, paths.cache_dir, paths.log_dir):
        assert directory.is_dir()
        if os.name == "posix":
            assert stat.S_IMODE(directory.stat().st_mode) == 0o700
        # The write probe cleans up after itself.
        assert list(directory.iterdir()) == []


def test_ensure_is_idempotent_and_keeps_existing_modes(tmp_path: Path) -> None:
    paths = AppPaths.for_profile(tmp_path)
    paths.config_dir.mkdir()
    paths.config_dir.chmod(0o755)
    (paths.config_dir / "settings.json").write_text("{}")
    paths.ensure()
    paths.ensure()
    assert (paths.config_dir / "settings.json").read_text() == "{}"
    if os.name == "posix":
        assert stat.S_IMODE(paths.config_dir.stat().st_mode) == 0o755


def test_ensure_reports_a_file_in_the_way(tmp_path: Path) -> None:
    blocker = tmp_path / "profile"
    blocker.write_text("not a folder")
    with pytest.raises(SettingsError) as caught:
        AppPaths.for_profile(blocker).ensure()
    message = str(caught.value)
    assert "\n" not in message
    assert "could not create the folder" in caught.value.message
    assert str(blocker) in caught.value.message
    assert "--profile-dir" in caught.value.hint


def test_ensure_reports_a_folder_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = AppPaths.for_profile(tmp_path)

    # Root ignores permission bits, so simulate what a read-only mount answers.
    def read_only_mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.EROFS, "Read-only file system", str(kwargs.get("dir")))

    monkeypatch.setattr(tempfile, "mkstemp", read_only_mkstemp)
    with pytest.raises(SettingsError, match="cannot write to the folder"):
        paths.ensure()


def test_parallel_write_probes_never_trip_over_each_other(tmp_path: Path) -> None:
    # One shared probe name made parallel runs fail at random ("cannot write to the
    # folder", 11 of 200): one run removed the probe another had just made.
    paths = AppPaths.for_profile(tmp_path)
    paths.ensure()
    start = threading.Barrier(20)
    failures: list[str] = []

    def probe() -> None:
        start.wait()
        for _ in range(50):
            try:
                paths.ensure()
            except SettingsError as exc:
                failures.append(exc.message)

    threads = [threading.Thread(target=probe) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    # No probe file is left behind.
    for folder in (paths.config_dir, paths.data_dir, paths.cache_dir, paths.log_dir):
        assert [p.name for p in folder.iterdir()] == []


def test_parallel_processes_probe_the_same_folder(tmp_path: Path) -> None:
    # Twenty real processes at once, as parallel CLI runs are.
    script = (
        "import sys; from pathlib import Path; from reader_app.config.paths import AppPaths\n"
        "p = AppPaths.for_profile(Path(sys.argv[1]))\n"
        "for _ in range(30): p.ensure()\n"
    )
    children = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stderr=subprocess.PIPE)
        for _ in range(20)
    ]
    errors = [child.communicate(timeout=60)[1] for child in children]
    assert [child.returncode for child in children] == [0] * 20, errors

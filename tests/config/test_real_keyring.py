"""The API key in a real Secret Service: gnome-keyring on the session bus (DESIGN.md §11).

``./run-tests`` runs pytest inside ``dbus-run-session``, so there is a private session bus.
The fixture starts its own gnome-keyring-daemon on it, with its keyrings in a temporary
folder and a "login" collection unlocked by an empty password, so nothing touches the
developer's real keyring.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import keyring
import keyring.backends.SecretService
import pytest
import secretstorage
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import Proxy, open_dbus_connection

from reader_app.config.secrets import (
    KEYRING_SERVICE,
    KEYRING_USERNAME,
    ApiKeys,
    ApiKeySource,
    ApiKeyStatus,
    KeyringSecretStore,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.keyring

REPO = Path(__file__).resolve().parents[2]
SECRETS_BUS_NAME = "org.freedesktop.secrets"
DEFAULT_COLLECTION = "/org/freedesktop/secrets/aliases/default"
ATTRIBUTES = {"service": KEYRING_SERVICE, "username": KEYRING_USERNAME}
KEY = "sk-ant-api03-real-secret-service-test-key-Qz98"
START_TIMEOUT = 15.0


def _daemon_owns_the_bus_name(pid: int) -> bool:
    """Whether our daemon (not a D-Bus-activated one) answers as org.freedesktop.secrets.

    NameHasOwner is asked first because calling the Secret Service while nobody owns the
    name would make D-Bus *activate* a gnome-keyring-daemon with the real home directory.
    """
    with closing(open_dbus_connection(bus="SESSION")) as connection:
        bus = Proxy(message_bus, connection)
        if bus.NameHasOwner(SECRETS_BUS_NAME)[0] != 1:
            return False
        return bool(bus.GetConnectionUnixProcessID(SECRETS_BUS_NAME)[0] == pid)


def _default_collection_is_unlocked() -> bool:
    with closing(secretstorage.dbus_init()) as connection:
        try:
            # Not get_default_collection(): when the alias is missing it tries to create
            # a collection, which needs a password prompt that cannot be shown here.
            collection = secretstorage.Collection(connection, DEFAULT_COLLECTION)
            return not collection.is_locked()
        except secretstorage.exceptions.ItemNotFoundException:
            return False


@pytest.fixture(scope="module")
def gnome_keyring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A gnome-keyring-daemon of our own on the session bus; yields its keyrings folder."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.fail(
            "The real-keyring tests need a D-Bus session bus, and DBUS_SESSION_BUS_ADDRESS "
            "is unset. Run the tests with ./run-tests, which wraps pytest in "
            "'dbus-run-session --' (or run: dbus-run-session -- .venv/bin/python -m pytest)."
        )
    daemon = shutil.which("gnome-keyring-daemon")
    if daemon is None:
        pytest.fail(
            "gnome-keyring-daemon is not installed. ./run-tests installs it "
            "(apt package gnome-keyring)."
        )
    home = tmp_path_factory.mktemp("gnome-keyring")
    data, runtime = home / "data", home / "run"
    for folder in (data, runtime):
        folder.mkdir(mode=0o700)
    # The daemon keeps keyrings in $XDG_DATA_HOME/keyrings and its control socket in
    # $XDG_RUNTIME_DIR/keyring; pointing both (and HOME) at the temporary folder keeps the
    # developer's own keyring out of it.
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(data),
        "XDG_RUNTIME_DIR": str(runtime),
    }
    log_path = home / "daemon.log"
    with log_path.open("wb") as log_file:
        # --unlock reads the login password from stdin up to EOF; an empty line creates
        # the "login" collection, unlocked, and makes it the default alias. --replace takes
        # over from a daemon that D-Bus activation may have started earlier.
        process = subprocess.Popen(
            [daemon, "--replace", "--unlock", "--components=secrets", "--foreground"],
            stdin=subprocess.PIPE,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
        )
    assert process.stdin is not None
    process.stdin.write(b"\n")
    process.stdin.close()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (_daemon_owns_the_bus_name(process.pid) and _default_collection_is_unlocked()):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"gnome-keyring-daemon did not come up (exit code {process.poll()}): "
                    + log_path.read_text(errors="replace")
                )
            time.sleep(0.05)
        yield data / "keyrings"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def secret_service(gnome_keyring: Path) -> Iterator[Path]:
    """keyring forced onto the Secret Service backend, with no key stored before or after."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.SecretService.Keyring())
    KeyringSecretStore().delete()
    yield gnome_keyring
    KeyringSecretStore().delete()
    keyring.set_keyring(previous)


def _items_in_secret_service() -> list[bytes]:
    """The secrets stored under our attributes, read over a connection of our own."""
    with closing(secretstorage.dbus_init()) as connection:
        collection = secretstorage.Collection(connection, DEFAULT_COLLECTION)
        return [item.get_secret() for item in collection.search_items(ATTRIBUTES)]


def _files_containing(folder: Path, needle: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_store_read_and_delete_the_key(secret_service: Path) -> None:
    store = KeyringSecretStore()
    keys = ApiKeys(store, {})
    assert keys.status() == ApiKeyStatus(ApiKeySource.NONE)

    keys.save(f"{KEY}\n")
    assert keys.resolve() == (KEY, ApiKeySource.KEYRING)
    assert keys.status() == ApiKeyStatus(ApiKeySource.KEYRING, "sk-ant-…Qz98")
    # Not just in keyring's cache: the daemon holds it, once.
    assert _items_in_secret_service() == [KEY.encode()]
    # The daemon writes the collection to disk encrypted; the key is not in plain text.
    assert (secret_service / "login.keyring").is_file()
    assert _files_containing(secret_service, KEY) == []

    keys.save("sk-ant-api03-replacement-key-0000-Rr11")
    assert _items_in_secret_service() == [b"sk-ant-api03-replacement-key-0000-Rr11"]

    assert keys.delete() is True
    assert store.get() is None
    assert _items_in_secret_service() == []
    assert keys.delete() is False


def _cli(profile: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("ANTHROPIC_API_KEY", "TONE_READER_HOME")
    }
    # Explicit, so the subprocess cannot fall back to another backend unnoticed.
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.SecretService.Keyring"
    return subprocess.run(
        [sys.executable, "-m", "reader_app", "--profile-dir", str(profile), "key", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def test_cli_set_status_delete(secret_service: Path, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    key = "sk-ant-test-XXXX"

    result = _cli(profile, "set", stdin=f"{key}\n")
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "Saved the API key in the system keyring.\n",
        "",
    )
    assert _items_in_secret_service() == [key.encode()]

    result = _cli(profile, "status")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "API key: sk-ant-…XXXX (stored in the system keyring)\n"
    assert key not in result.stdout + result.stderr

    result = _cli(profile, "delete")
    assert (result.returncode, result.stdout) == (
        0,
        "Removed the API key from the system keyring.\n",
    )
    assert _items_in_secret_service() == []

    result = _cli(profile, "delete")
    assert (result.returncode, result.stdout) == (
        0,
        "There was no API key in the system keyring.\n",
    )

    result = _cli(profile, "status")
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.startswith("tone-reader: No API key set.")
    assert result.stderr.count("\n") == 1

    # Nothing the commands wrote into the profile (the log, above all) holds the key.
    assert profile.is_dir()
    assert _files_containing(profile, key) == []

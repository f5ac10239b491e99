"""The API key: stores, precedence of the environment, masking, validation and redaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest

from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.config.secrets import (
    KEYRING_SERVICE,
    KEYRING_USERNAME,
    ApiKeys,
    ApiKeySource,
    ApiKeyStatus,
    KeyringSecretStore,
    KeyringUnavailable,
    MemorySecretStore,
    MissingApiKey,
    mask_key,
)
from reader_app.core.redaction import REDACTED, redact
from reader_app.usecases.api_key import api_key

if TYPE_CHECKING:
    from collections.abc import Iterator

KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789-Xy12"
ENV_KEY = "sk-ant-api03-environment-key-0000-Ab34"


@pytest.fixture
def restore_keyring() -> Iterator[None]:
    """keyring's backend is process-global: put back whatever the test replaced."""
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def fail_keyring(restore_keyring: None) -> None:
    """The backend keyring falls back to on a headless Linux machine."""
    keyring.set_keyring(keyring.backends.fail.Keyring())


class _DictBackend(keyring.backend.KeyringBackend):
    """A real keyring backend in memory, so KeyringSecretStore runs its real code path."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.values.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("No such password!")


class _LockedBackend(_DictBackend):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    set_password = get_password  # type: ignore[assignment]
    delete_password = get_password  # type: ignore[assignment]


def _unavailable() -> KeyringUnavailable:
    return KeyringUnavailable("The system keyring is locked.", "KeyringLocked: test")


# --- MemorySecretStore -------------------------------------------------------------------


def test_memory_store_round_trip() -> None:
    store = MemorySecretStore()
    assert store.get() is None
    store.set(KEY)
    assert store.get() == KEY
    store.set("sk-ant-other")
    assert store.get() == "sk-ant-other"
    assert store.delete() is True
    assert store.get() is None
    assert store.delete() is False


def test_memory_store_can_act_out_a_missing_keyring() -> None:
    store = MemorySecretStore(KEY, error=_unavailable())
    for call in (store.get, lambda: store.set(KEY), store.delete):
        with pytest.raises(KeyringUnavailable):
            call()


# --- ApiKeys -----------------------------------------------------------------------------


def test_the_environment_wins_over_the_keyring() -> None:
    keys = ApiKeys(MemorySecretStore(KEY), {"ANTHROPIC_API_KEY": ENV_KEY})
    assert keys.resolve() == (ENV_KEY, ApiKeySource.ENVIRONMENT)
    assert keys.status() == ApiKeyStatus(ApiKeySource.ENVIRONMENT, "sk-ant-…Ab34")


def test_the_environment_wins_even_when_the_keyring_is_broken() -> None:
    keys = ApiKeys(MemorySecretStore(error=_unavailable()), {"ANTHROPIC_API_KEY": ENV_KEY})
    assert keys.resolve() == (ENV_KEY, ApiKeySource.ENVIRONMENT)
    assert keys.status().source is ApiKeySource.ENVIRONMENT


@pytest.mark.parametrize("value", ["", "   ", "\n"])
def test_an_empty_environment_variable_counts_as_unset(value: str) -> None:
    keys = ApiKeys(MemorySecretStore(KEY), {"ANTHROPIC_API_KEY": value})
    assert keys.resolve() == (KEY, ApiKeySource.KEYRING)


def test_the_environment_key_is_stripped() -> None:
    keys = ApiKeys(MemorySecretStore(), {"ANTHROPIC_API_KEY": f" {ENV_KEY}\n"})
    assert keys.resolve() == (ENV_KEY, ApiKeySource.ENVIRONMENT)


def test_the_keyring_key_is_used_without_the_environment() -> None:
    keys = ApiKeys(MemorySecretStore(KEY), {})
    assert keys.resolve() == (KEY, ApiKeySource.KEYRING)
    status = keys.status()
    assert status == ApiKeyStatus(ApiKeySource.KEYRING, "sk-ant-…Xy12")
    assert KEY not in repr(status)


def test_no_key_anywhere_raises_no_key() -> None:
    keys = ApiKeys(MemorySecretStore(), {})
    with pytest.raises(MissingApiKey):
        keys.resolve()
    # As every caller reports it (the tone service, the settings dialog, the CLI):
    with pytest.raises(AiError) as caught:
        api_key(keys)
    assert caught.value.kind is AiErrorKind.NO_KEY
    assert "ANTHROPIC_API_KEY" in str(caught.value)
    assert keys.status() == ApiKeyStatus(ApiKeySource.NONE)


def test_a_broken_keyring_raises_no_keyring_with_the_hint() -> None:
    error = _unavailable()
    keys = ApiKeys(MemorySecretStore(error=error), {})
    with pytest.raises(KeyringUnavailable) as raw:
        keys.resolve()
    assert raw.value is error
    with pytest.raises(AiError) as caught:
        api_key(keys)
    assert caught.value.kind is AiErrorKind.NO_KEYRING
    assert caught.value.hint == error.hint
    assert "ANTHROPIC_API_KEY" in caught.value.hint
    assert caught.value.detail == "KeyringLocked: test"
    assert caught.value.__cause__ is error
    assert not caught.value.retryable


def test_status_reports_a_broken_keyring_instead_of_raising() -> None:
    error = _unavailable()
    status = ApiKeys(MemorySecretStore(error=error), {}).status()
    assert status.source is ApiKeySource.NONE
    assert status.masked == ""
    assert status.keyring_error == str(error)
    assert "\n" not in status.keyring_error


def test_save_strips_and_stores() -> None:
    store = MemorySecretStore()
    ApiKeys(store, {}).save(f"  {KEY}\r\n")
    assert store.get() == KEY


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        ("  \n", "empty"),
        ("sk-ant-one two", "spaces or line breaks"),
        ("sk-ant-one\nsk-ant-two", "spaces or line breaks"),
        ("sk-ant-one\ttwo", "spaces or line breaks"),
        ("sk-ant-one\x00two", "spaces or line breaks"),
    ],
)
def test_save_rejects_malformed_keys(value: str, message: str) -> None:
    store = MemorySecretStore(KEY)
    with pytest.raises(ValueError, match=message) as caught:
        ApiKeys(store, {}).save(value)
    assert value.strip() not in str(caught.value) or not value.strip()
    assert store.get() == KEY  # the old key is untouched


def test_save_passes_keyring_problems_on() -> None:
    with pytest.raises(KeyringUnavailable):
        ApiKeys(MemorySecretStore(error=_unavailable()), {}).save(KEY)


def test_delete_says_whether_there_was_a_key() -> None:
    store = MemorySecretStore(KEY)
    keys = ApiKeys(store, {"ANTHROPIC_API_KEY": ENV_KEY})
    assert keys.delete() is True
    assert store.get() is None
    assert keys.delete() is False


# --- mask_key and redact -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "masked"),
    [
        ("sk-ant-api03-abcdefghXy12", "sk-ant-…Xy12"),
        ("some-other-provider-key-9876", "…9876"),
        ("sk-ant-abc", "sk-ant-…"),  # too short to show any of it
        ("short", "…"),
        ("", ""),
    ],
)
def test_mask_key(key: str, masked: str) -> None:
    assert mask_key(key) == masked


def test_redact_removes_known_secrets_and_key_shaped_tokens() -> None:
    text = (
        f"Authorization failed for {KEY}\n"
        "x-api-key: sk-ant-api03-LEAKED_token-123\n"
        "custom=hunter2-secret-value and the status shows sk-ant-…Xy12"
    )
    out = redact(text, [KEY, "hunter2-secret-value", ""])
    assert KEY not in out
    assert "LEAKED" not in out
    assert "hunter2" not in out
    assert out.count(REDACTED) == 3
    # The masked form is not a secret and keeps the log useful.
    assert "sk-ant-…Xy12" in out


def test_redact_replaces_the_longer_secret_first() -> None:
    assert redact("token=abcdef123456", ["abc", "abcdef123456"]) == f"token={REDACTED}"


def test_redact_without_secrets_leaves_ordinary_text_alone() -> None:
    assert redact("Nothing secret here.", []) == "Nothing secret here."


# --- KeyringSecretStore on real keyring backends -----------------------------------------


def test_keyring_store_on_an_in_memory_backend(restore_keyring: None) -> None:
    backend = _DictBackend()
    keyring.set_keyring(backend)
    store = KeyringSecretStore()
    assert store.get() is None
    assert store.delete() is False
    store.set(KEY)
    assert backend.values == {(KEYRING_SERVICE, KEYRING_USERNAME): KEY}
    assert store.get() == KEY
    assert store.delete() is True
    assert backend.values == {}


@pytest.mark.usefixtures("fail_keyring")
@pytest.mark.parametrize("action", ["get", "set", "delete"])
def test_the_fail_backend_becomes_keyring_unavailable(action: str) -> None:
    store = KeyringSecretStore()
    calls = {"get": store.get, "set": lambda: store.set(KEY), "delete": store.delete}
    with pytest.raises(KeyringUnavailable) as caught:
        calls[action]()
    error = caught.value
    assert isinstance(error.__cause__, keyring.errors.NoKeyringError)
    assert error.message == "No system keyring was found, so the API key cannot be stored or read."
    assert "GNOME Keyring" in error.hint
    assert "KWallet" in error.hint
    assert "ANTHROPIC_API_KEY" in error.hint
    assert "\n" not in str(error)
    assert error.detail.startswith("NoKeyringError: ")
    assert KEY not in str(error)
    assert KEY not in error.detail


@pytest.mark.usefixtures("fail_keyring")
def test_api_keys_on_the_fail_backend() -> None:
    keys = ApiKeys(KeyringSecretStore(), {})
    with pytest.raises(AiError) as caught:
        api_key(keys)
    assert caught.value.kind is AiErrorKind.NO_KEYRING
    assert "ANTHROPIC_API_KEY" in caught.value.hint
    assert keys.status().keyring_error.startswith("No system keyring was found")


def test_a_locked_keyring_says_so(restore_keyring: None) -> None:
    keyring.set_keyring(_LockedBackend())
    with pytest.raises(KeyringUnavailable) as caught:
        KeyringSecretStore().get()
    assert caught.value.message.startswith("The system keyring is locked")
    assert caught.value.hint.startswith("Unlock the system keyring")


def test_an_unexpected_backend_error_names_its_type(restore_keyring: None) -> None:
    class _InitFails(_DictBackend):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.InitError(f"could not store {password}")

    keyring.set_keyring(_InitFails())
    with pytest.raises(KeyringUnavailable) as caught:
        KeyringSecretStore().set(KEY)
    assert caught.value.message == "The system keyring could not be used (InitError)."
    # A backend that echoes the secret must not carry it into our message or detail.
    assert KEY not in caught.value.detail
    assert REDACTED in caught.value.detail

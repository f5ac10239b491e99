"""The Anthropic API key: kept in the OS keyring, or taken from the environment.

The key is never written to a file, a log, an export or a crash report (DESIGN.md §8). It
lives in the system keyring under service ``tone-reader`` and user name
``anthropic-api-key``; ``ANTHROPIC_API_KEY`` in the environment wins over it. Where no
keyring exists there is deliberately **no** plaintext fallback: the ways out are the
environment variable and a key kept for this session only, in memory (``ApiKeys.
use_for_session``), which wins over both until the app quits.

``reader_app.core.redaction.redact()`` is the last line of defence for text that leaves the
process (log records, crash details): it blanks out every key resolved here (each one is
remembered for it) and anything that looks like one.
"""

from __future__ import annotations

import enum
import importlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from reader_app.core.errors import ReaderError
from reader_app.core.redaction import redact, remember_secret

if TYPE_CHECKING:
    from collections.abc import Mapping

KEYRING_SERVICE = "tone-reader"
KEYRING_USERNAME = "anthropic-api-key"
ENV_VAR = "ANTHROPIC_API_KEY"

KEYRING_HINT = (
    "Unlock the system keyring or install one (such as GNOME Keyring or KWallet), "
    f"or set the {ENV_VAR} environment variable instead."
)
_NO_KEYRING_HINT = (
    "Install and start a keyring such as GNOME Keyring or KWallet, "
    f"or set the {ENV_VAR} environment variable instead."
)
_LOCKED_HINT = f"Unlock the system keyring, or set the {ENV_VAR} environment variable instead."

_KEY_PREFIX = "sk-ant-"
_MASK = "…"
_VISIBLE_TAIL = 4
# Showing 4 characters of a short string would give away too much of it.
_MIN_LENGTH_FOR_TAIL = 12

log = logging.getLogger(__name__)


class KeyringUnavailable(ReaderError):
    """The system keyring is missing, locked or failed, so the key cannot be read or stored.

    Attributes:
        detail: the backend's own first line, for the log and a details view.
    """

    def __init__(self, message: str, detail: str = "", hint: str = KEYRING_HINT) -> None:
        super().__init__(message, hint)
        self.detail = detail


class MissingApiKey(ReaderError):
    """No key in the environment, and none in the keyring."""

    def __init__(self) -> None:
        super().__init__(f"No Anthropic API key is set in the keyring or in {ENV_VAR}.")


class SecretStore(Protocol):
    """Where the API key is kept between runs.

    Implementations raise only ``KeyringUnavailable`` for storage problems, so callers
    have one exception to turn into words.
    """

    def get(self) -> str | None:
        """Return the stored key, or None when there is none."""
        ...

    def set(self, value: str) -> None:
        """Store ``value``, replacing any stored key."""
        ...

    def delete(self) -> bool:
        """Remove the stored key; return whether there was one."""
        ...


class KeyringSecretStore:
    """The key in the OS keyring (Secret Service, KWallet, macOS Keychain, Windows).

    ``keyring`` is imported inside each method: finding a backend probes D-Bus and takes
    tens of milliseconds, which the GUI's start and ``--version`` should not pay.
    """

    def __init__(self, service: str = KEYRING_SERVICE, username: str = KEYRING_USERNAME) -> None:
        self.service = service
        self.username = username

    def get(self) -> str | None:
        """Read the key from the keyring.

        Returns:
            The stored key, or None when the keyring holds none.

        Raises:
            KeyringUnavailable: no keyring, a locked one, or a backend failure.
        """
        import keyring

        try:
            return keyring.get_password(self.service, self.username)
        except _backend_errors() as error:
            raise _unavailable(error) from error

    def set(self, value: str) -> None:
        """Store ``value`` in the keyring, replacing any stored key.

        Args:
            value: the key; the caller has validated it.

        Raises:
            KeyringUnavailable: no keyring, a locked one, or a backend failure.
        """
        import keyring

        try:
            keyring.set_password(self.service, self.username, value)
        except _backend_errors() as error:
            raise _unavailable(error, secret=value) from error

    def delete(self) -> bool:
        """Remove the key from the keyring.

        Returns:
            True if a key was removed, False if there was none.

        Raises:
            KeyringUnavailable: no keyring, a locked one, or a backend failure.
        """
        import keyring
        import keyring.errors

        try:
            keyring.delete_password(self.service, self.username)
        except keyring.errors.PasswordDeleteError as error:
            # Backends raise this both for "nothing stored" and for real failures; only
            # a second look tells them apart.
            if self.get() is None:
                return False
            raise _unavailable(error) from error
        except _backend_errors() as error:
            raise _unavailable(error) from error
        return True


class MemorySecretStore:
    """A dict-backed store for tests and development: nothing leaves the process.

    Args:
        value: a key to start with, or None.
        error: when given, every call raises it, to act out a missing or locked keyring.
    """

    def __init__(
        self, value: str | None = None, *, error: KeyringUnavailable | None = None
    ) -> None:
        self._values: dict[str, str] = {}
        if value is not None:
            self._values[KEYRING_USERNAME] = value
        self.error = error

    def get(self) -> str | None:
        """Return the stored key, or None."""
        self._check()
        return self._values.get(KEYRING_USERNAME)

    def set(self, value: str) -> None:
        """Store ``value``."""
        self._check()
        self._values[KEYRING_USERNAME] = value

    def delete(self) -> bool:
        """Remove the key; return whether there was one."""
        self._check()
        return self._values.pop(KEYRING_USERNAME, None) is not None

    def kind(self) -> str:
        """Return "memory", or "none" while it acts out a missing keyring."""
        return "none" if self.error is not None else "memory"

    def _check(self) -> None:
        if self.error is not None:
            raise self.error


class ApiKeySource(enum.Enum):
    """Where the key in use came from."""

    SESSION = "session"  # pasted in this run, kept in memory only
    ENVIRONMENT = "environment"
    KEYRING = "keyring"
    NONE = "none"


@dataclass(frozen=True)
class ApiKeyStatus:
    """What the settings dialog and ``tone-reader key status`` show. Never the key itself.

    Attributes:
        source: where the key in use comes from, or NONE.
        masked: the key as ``mask_key()`` shows it; empty when there is none.
        keyring_error: a one-line explanation when the keyring could not be read.
    """

    source: ApiKeySource
    masked: str = ""
    keyring_error: str = ""


class ApiKeys:
    """Finds, saves and removes the API key, with the environment taking precedence.

    A key given for this session only (:meth:`use_for_session`) comes first of all: it
    was chosen in this run, and it lives in this object alone, never in a file.

    Args:
        store: where the key is kept (``KeyringSecretStore`` in the app).
        environ: the environment, passed in so tests need not patch ``os.environ``.
    """

    def __init__(self, store: SecretStore, environ: Mapping[str, str]) -> None:
        self._store = store
        self._environ = environ
        # One str assignment at a time: workers read it while the GUI thread sets it.
        self._session = ""

    def _from_environment(self) -> str:
        # "ANTHROPIC_API_KEY= tone-reader" is a common way to switch a variable off, and a
        # stray newline from "$(cat keyfile)" in a .desktop file should not break the key.
        return self._environ.get(ENV_VAR, "").strip()

    def resolve(self) -> tuple[str, ApiKeySource]:
        """Return the key to use and where it came from.

        Returns:
            The environment's key if it is set and non-empty, else the keyring's.

        Raises:
            MissingApiKey: there is no key anywhere.
            KeyringUnavailable: the keyring cannot be read and the environment has no key.
        """
        session = self._session
        if session:
            return session, ApiKeySource.SESSION
        env_key = self._from_environment()
        if env_key:
            remember_secret(env_key)
            return env_key, ApiKeySource.ENVIRONMENT
        stored = self._store.get()
        if stored:
            remember_secret(stored)
            return stored, ApiKeySource.KEYRING
        raise MissingApiKey

    def status(self) -> ApiKeyStatus:
        """Describe the key in use without revealing it.

        The keyring is not consulted when the environment has a key: that key wins anyway,
        and reading a locked keyring could pop up an unlock prompt for nothing.

        Returns:
            The source and masked key, or NONE with the keyring's problem, if any. A
            ``KeyringUnavailable`` from the store is reported here, not raised.
        """
        if self._session:
            return ApiKeyStatus(ApiKeySource.SESSION, mask_key(self._session))
        env_key = self._from_environment()
        if env_key:
            return ApiKeyStatus(ApiKeySource.ENVIRONMENT, mask_key(env_key))
        try:
            stored = self._store.get()
        except KeyringUnavailable as error:
            return ApiKeyStatus(ApiKeySource.NONE, keyring_error=str(error))
        if stored:
            return ApiKeyStatus(ApiKeySource.KEYRING, mask_key(stored))
        return ApiKeyStatus(ApiKeySource.NONE)

    def save(self, key: str) -> None:
        """Validate ``key`` and store it.

        Args:
            key: the key as pasted or typed; surrounding whitespace is removed.

        Raises:
            ValueError: the key is empty or has whitespace or control characters inside,
                with a message fit for the user.
            KeyringUnavailable: the keyring cannot store it.
        """
        key = checked_key(key)
        self._store.set(key)
        # Saved for good: a key kept for this session only would hide it.
        self._session = ""

    def use_for_session(self, key: str) -> None:
        """Use ``key`` until the app quits, kept in memory only (never in a file).

        Args:
            key: the key as pasted or typed; surrounding whitespace is removed.

        Raises:
            ValueError: the key is empty or malformed, as for :meth:`save`.
        """
        key = checked_key(key)
        remember_secret(key)
        self._session = key

    def delete(self) -> bool:
        """Remove the stored key and any session key (the environment is not ours to change).

        Returns:
            True if a key was removed, False if none was stored.

        Raises:
            KeyringUnavailable: the keyring cannot be used.
        """
        had_session, self._session = bool(self._session), ""
        try:
            return self._store.delete() or had_session
        except KeyringUnavailable:
            if had_session:
                return True
            raise

    def store_kind(self) -> str:
        """Where :meth:`save` keeps the key, as a code the UI names (see ``keyring_kind``).

        May probe the keyring over D-Bus: call it off the GUI thread.
        """
        if isinstance(self._store, KeyringSecretStore):
            return keyring_kind()
        kind = getattr(self._store, "kind", None)
        return str(kind()) if callable(kind) else "other"


def checked_key(key: str) -> str:
    """``key`` without surrounding whitespace, if it can be an API key at all.

    Raises:
        ValueError: the key is empty or has whitespace or control characters inside,
            with a message fit for the user.
    """
    key = key.strip()
    if not key:
        raise ValueError("The API key is empty.")
    if any(char.isspace() or not char.isprintable() for char in key):
        # A paste that caught two lines or a space would only fail later, as a 401.
        raise ValueError("The API key must be one word, without spaces or line breaks.")
    return key


# The keyring backends the UI names, by the module that defines them.
_BACKEND_KINDS = {
    "keyring.backends.SecretService": "secret-service",
    "keyring.backends.libsecret": "secret-service",
    "keyring.backends.kwallet": "kwallet",
    "keyring.backends.macOS": "macos",
    "keyring.backends.Windows": "windows",
    "keyring.backends.fail": "none",
    "keyring.backends.null": "none",
}


def keyring_kind() -> str:
    """Which system keyring ``keyring`` would use: a code the UI turns into a name.

    Returns:
        "secret-service" (GNOME Keyring, KWallet's or KeePassXC's Secret Service),
        "kwallet", "macos", "windows", "none" when there is no keyring, or
        "other:<backend name>".
    """
    import keyring

    try:
        backend = keyring.get_keyring()
    except _backend_errors():
        return "none"
    chained = getattr(backend, "backends", None)
    if isinstance(chained, list | tuple) and chained:
        backend = chained[0]  # the chainer asks its backends in this order
    module = type(backend).__module__
    for prefix, kind in _BACKEND_KINDS.items():
        if module == prefix or module.startswith(prefix + "."):
            return kind
    return f"other:{getattr(backend, 'name', type(backend).__name__)}"


def mask_key(key: str) -> str:
    """Show a key the way the UI and CLI may: a known prefix and the last four characters.

    Args:
        key: the full key.

    Returns:
        For example ``"sk-ant-…Xy12"``; ``"…"`` alone for a short key; empty for no key.
    """
    if not key:
        return ""
    prefix = _KEY_PREFIX if key.startswith(_KEY_PREFIX) else ""
    tail = key[-_VISIBLE_TAIL:] if len(key) >= _MIN_LENGTH_FOR_TAIL else ""
    return f"{prefix}{_MASK}{tail}"


def _backend_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "the keyring failed" rather than "our code has a bug".

    ``keyring`` wraps most failures in ``KeyringError``, but its Secret Service and KWallet
    backends let D-Bus errors through (a daemon that died, a dismissed prompt), and a
    socket can fail under any backend. The optional modules are looked up by name because
    which of them exist depends on the platform.

    Returns:
        A tuple for an ``except`` clause.
    """
    import keyring.errors

    errors: list[type[BaseException]] = [keyring.errors.KeyringError, OSError, EOFError]
    for module_name, class_name in (
        ("secretstorage.exceptions", "SecretStorageException"),
        ("jeepney.wrappers", "DBusErrorResponse"),
        ("dbus.exceptions", "DBusException"),
    ):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        error_class = getattr(module, class_name, None)
        if isinstance(error_class, type) and issubclass(error_class, BaseException):
            errors.append(error_class)
    return tuple(errors)


def _unavailable(error: BaseException, *, secret: str = "") -> KeyringUnavailable:
    """Turn a backend's exception into one line the user can act on.

    Args:
        error: what the backend raised.
        secret: a key being stored, blanked out of the detail in case a backend echoes it.

    Returns:
        The exception to raise.
    """
    import keyring.errors

    name = type(error).__name__
    hint = KEYRING_HINT
    if isinstance(error, keyring.errors.NoKeyringError):
        message = "No system keyring was found, so the API key cannot be stored or read."
        hint = _NO_KEYRING_HINT
    elif isinstance(error, keyring.errors.KeyringLocked) or name in (
        "LockedException",
        "PromptDismissedException",
    ):
        message = "The system keyring is locked, so the API key cannot be stored or read."
        hint = _LOCKED_HINT
    else:
        message = f"The system keyring could not be used ({name})."
    lines = str(error).strip().splitlines()
    detail = redact(f"{name}: {lines[0] if lines else ''}".rstrip(": "), [secret])
    # INFO, not WARNING: the user is told in the UI or on stderr; the log keeps the cause.
    log.info("Keyring unavailable: %s", detail)
    return KeyringUnavailable(message, detail, hint)

"""Finding the API key for a request, and saying why there is none as every caller does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.config.secrets import KeyringUnavailable, MissingApiKey

if TYPE_CHECKING:
    from reader_app.config.secrets import ApiKeys


def api_key(keys: ApiKeys) -> str:
    """The key a request should use.

    Args:
        keys: where keys are kept (the environment first, then the keyring).

    Returns:
        The key.

    Raises:
        AiError: ``NO_KEY`` when there is none anywhere; ``NO_KEYRING`` (with the keyring's
            detail and a hint) when the keyring cannot be read and the environment has none.
    """
    try:
        key, _source = keys.resolve()
    except KeyringUnavailable as error:
        raise AiError(AiErrorKind.NO_KEYRING, error.detail, hint=error.hint) from error
    except MissingApiKey as error:
        raise AiError(AiErrorKind.NO_KEY) from error
    return key

"""The key for a request, and the reason there is none, without Qt or a window."""

from __future__ import annotations

import pytest

from reader_app.ai.errors import AiError, AiErrorKind
from reader_app.config.secrets import ApiKeys, KeyringUnavailable, MemorySecretStore
from reader_app.usecases.api_key import api_key

KEY = "sk-ant-api03-" + "k" * 40


def test_the_environment_wins_over_the_keyring() -> None:
    keys = ApiKeys(MemorySecretStore("sk-ant-api03-" + "s" * 40), {"ANTHROPIC_API_KEY": KEY})
    assert api_key(keys) == KEY


def test_the_keyring_key_when_the_environment_has_none() -> None:
    assert api_key(ApiKeys(MemorySecretStore(KEY), {})) == KEY


def test_no_key_anywhere_says_where_to_add_one() -> None:
    with pytest.raises(AiError) as caught:
        api_key(ApiKeys(MemorySecretStore(), {"ANTHROPIC_API_KEY": "  "}))
    assert caught.value.kind is AiErrorKind.NO_KEY
    assert "Settings" in str(caught.value)


def test_an_unreadable_keyring_keeps_its_detail_and_hint() -> None:
    broken = KeyringUnavailable("locked", detail="Secret Service: the collection is locked")
    with pytest.raises(AiError) as caught:
        api_key(ApiKeys(MemorySecretStore(error=broken), {}))
    assert caught.value.kind is AiErrorKind.NO_KEYRING
    assert caught.value.detail == "Secret Service: the collection is locked"
    assert caught.value.hint == broken.hint

"""Removing secrets from text that may be shown, logged or saved.

Every API key the process has handed out is remembered here, so that the log filter
and the crash report can blank a key that came from the keyring (it is in no
environment variable). Pieces of a secret cut short at either end are blanked too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

REDACTED = "[redacted]"

# An echo cut short (a truncated header, a body clipped to a limit) still gives away most
# of a key, so a run of this many of its first or last characters counts as the key.
FRAGMENT = 12

# Anthropic keys start with "sk-ant-" (e.g. "sk-ant-api03-…"). The character class has no
# "…", so a masked key ("sk-ant-…Xy12") survives redaction and stays useful in a log.
KEY_PATTERN = re.compile(r"sk-ant-[A-Za-z0-9_\-]+")

_SECRETS_IN_USE: set[str] = set()


def remember_secret(secret: str) -> None:
    """Have :func:`redact` blank ``secret`` from now on (an empty one is ignored)."""
    if secret:
        _SECRETS_IN_USE.add(secret)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret, and anything that looks like an Anthropic key, in ``text``.

    Besides ``secrets``, every secret given to :func:`remember_secret` in this process is
    removed, and so is a piece of a key cut short at either end.

    Args:
        text: a log message, traceback or crash report.
        secrets: known secret values (for example the key in use); empty ones are ignored.

    Returns:
        ``text`` with each occurrence replaced by ``"[redacted]"``.
    """
    known = {s for s in (*secrets, *_SECRETS_IN_USE) if s}
    # Longest first, so a secret that contains another is not left half-replaced.
    ordered = sorted(known, key=len, reverse=True)
    for secret in ordered:
        text = text.replace(secret, REDACTED)
    # Key-shaped runs go before pieces: a key's first characters ("sk-ant-api03") are
    # shared by every key, and blanking them alone would leave the rest of another one.
    text = KEY_PATTERN.sub(REDACTED, text)
    for secret in ordered:
        text = blank_secret(text, secret, REDACTED)
    return text


def blank_secret(text: str, secret: str, replacement: str) -> str:
    """``text`` with ``secret``, and any piece of it cut short at either end, replaced.

    A piece counts when it holds at least ``FRAGMENT`` of the secret's first or last
    characters; it is blanked as far as it goes on matching the secret.

    Args:
        text: any text.
        secret: the value to remove; an empty one changes nothing.
        replacement: what each occurrence becomes.
    """
    if not secret:
        return text
    text = text.replace(secret, replacement)
    if len(secret) <= FRAGMENT:
        return text
    text = _blank_from_head(text, secret, replacement)
    return _blank_from_tail(text, secret, replacement)


def _blank_from_head(text: str, secret: str, replacement: str) -> str:
    head = secret[:FRAGMENT]
    parts: list[str] = []
    done = 0
    while (start := text.find(head, done)) != -1:
        end = start + FRAGMENT
        while end < len(text) and end - start < len(secret) and text[end] == secret[end - start]:
            end += 1
        parts += [text[done:start], replacement]
        done = end
    return "".join([*parts, text[done:]])


def _blank_from_tail(text: str, secret: str, replacement: str) -> str:
    tail = secret[-FRAGMENT:]
    parts: list[str] = []
    done = 0
    while (found := text.find(tail, done)) != -1:
        start, at = found, len(secret) - FRAGMENT
        while start > done and at > 0 and text[start - 1] == secret[at - 1]:
            start, at = start - 1, at - 1
        parts += [text[done:start], replacement]
        done = found + FRAGMENT
    return "".join([*parts, text[done:]])

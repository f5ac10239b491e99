"""``tone-reader key set|status|delete``: the API key in the system keyring (DESIGN.md §9).

``set`` reads the key from stdin, never from the command line, where it would end up in
the shell history and in ``ps`` output; on a terminal it is read without echo. No
message, log record or error line ever contains the key, only ``mask_key()`` of it.
"""

from __future__ import annotations

import getpass
import logging
import os
import sys
from typing import TYPE_CHECKING

from reader_app.cli.common import command_parser, fail
from reader_app.cli.exit_codes import EXIT_BAD_INPUT, EXIT_NO_KEY, EXIT_OK
from reader_app.config.secrets import (
    ENV_VAR,
    ApiKeys,
    ApiKeySource,
    KeyringSecretStore,
    KeyringUnavailable,
    SecretStore,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from reader_app.cli.common import Parser

log = logging.getLogger(__name__)

_ENV_NOTE = f"Note: {ENV_VAR} is set in the environment, and it takes precedence."


def _key_parser() -> Parser:
    parser = command_parser(
        "key",
        "Keep the Anthropic API key in the system keyring.",
        epilog=f"The {ENV_VAR} environment variable, when set, is used instead.",
    )
    # Subparsers are built with the parent's class, so their errors are one line too.
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser(
        "set", help="read the key from stdin (not echoed on a terminal) and store it"
    )
    actions.add_parser("status", help="say which key is in use, masked")
    actions.add_parser("delete", help="remove the key from the keyring")
    return parser


def cmd_key(
    argv: Sequence[str],
    *,
    store: SecretStore | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Set, show or remove the API key.

    Args:
        argv: the arguments after ``key``.
        store: where the key is kept; the system keyring unless a test passes another.
        environ: the environment; ``os.environ`` unless a test passes another.

    Returns:
        0 on success, 2 for bad input (an empty or malformed key), 3 when there is no
        keyring or, for ``status``, no key at all.
    """
    args = _key_parser().parse_args(list(argv))
    env = os.environ if environ is None else environ
    keys = ApiKeys(KeyringSecretStore() if store is None else store, env)
    if args.action == "set":
        return _set(keys, env)
    if args.action == "status":
        return _status(keys)
    return _delete(keys, env)


def _read_key() -> str:
    """Read one key from stdin: hidden on a terminal, one line from a pipe."""
    if sys.stdin is None:
        return ""
    if sys.stdin.isatty():
        try:
            return getpass.getpass("API key: ")
        except EOFError:
            # Ctrl-D at the prompt: the same as entering nothing.
            return ""
    return sys.stdin.readline()


def _set(keys: ApiKeys, env: Mapping[str, str]) -> int:
    try:
        keys.save(_read_key())
    except ValueError as error:
        return fail(
            f"{error} Paste it on stdin, e.g. 'tone-reader key set < keyfile'.", EXIT_BAD_INPUT
        )
    except KeyringUnavailable as error:
        return fail(str(error), EXIT_NO_KEY)
    log.info("The API key was saved in the system keyring")
    print("Saved the API key in the system keyring.")
    if env.get(ENV_VAR, "").strip():
        print(_ENV_NOTE, file=sys.stderr)
    return EXIT_OK


def _status(keys: ApiKeys) -> int:
    status = keys.status()
    if status.source is ApiKeySource.ENVIRONMENT:
        print(f"API key: {status.masked} (from environment)")
        return EXIT_OK
    if status.source is ApiKeySource.KEYRING:
        print(f"API key: {status.masked} (stored in the system keyring)")
        return EXIT_OK
    if status.keyring_error:
        return fail(status.keyring_error, EXIT_NO_KEY)
    return fail(f"No API key set. Run 'tone-reader key set', or set {ENV_VAR}.", EXIT_NO_KEY)


def _delete(keys: ApiKeys, env: Mapping[str, str]) -> int:
    try:
        removed = keys.delete()
    except KeyringUnavailable as error:
        return fail(str(error), EXIT_NO_KEY)
    if removed:
        log.info("The API key was removed from the system keyring")
        print("Removed the API key from the system keyring.")
    else:
        print("There was no API key in the system keyring.")
    if env.get(ENV_VAR, "").strip():
        # Otherwise "removed" would suggest that no key is in use any more.
        print(f"Note: {ENV_VAR} is still set in the environment.", file=sys.stderr)
    return EXIT_OK

"""Which model answers when the reader has not chosen one: the same in the window and the CLI.

The window lists the API's models (once per run, in the background) and keeps the newest
Haiku that supports structured outputs (by the listing's capabilities, else the model
catalogue) in the profile; the command line and the next start read what was kept. Without
a listing yet, the catalogue's default of ``ai/models.py`` answers (``claude-haiku-5-5``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader_app.ai.models import DEFAULT_MODEL, choose_default_model
from reader_app.config.discovered_model import read_discovered_model, write_discovered_model

if TYPE_CHECKING:
    from pathlib import Path


def known_default_model(cache_dir: Path) -> str:
    """The default model last listed for this profile, else the built-in one."""
    return read_discovered_model(cache_dir) or DEFAULT_MODEL


def discover_default_model(analyzer: object, cache_dir: Path) -> str:
    """List the API's models with ``analyzer``, keep and return the default among them.

    Blocks on the network: run it on a worker. An analyzer that cannot list models (a
    test double) gives the built-in default, which is not kept.

    Raises:
        AiError: the listing failed (offline, no key, refused).
    """
    lister = getattr(analyzer, "list_models", None)
    models = lister() if callable(lister) else None
    if not isinstance(models, list):
        return DEFAULT_MODEL
    model = choose_default_model(models)
    write_discovered_model(cache_dir, model)
    return model

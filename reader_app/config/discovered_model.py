"""The default model the API last listed for this profile, kept between runs.

The window lists the API's models once per run (the first time they matter) and picks the
newest Haiku that supports structured outputs. Keeping that choice in the profile's cache
lets the command line use the same model without an API call of its own, and lets the
window start with it.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING

from reader_app.core.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "default-model.json"
# A model id as the API spells them; anything else in the file is not trusted.
_MODEL_ID = re.compile(r"[a-z0-9][a-z0-9.\-_@:]{1,99}")


def read_discovered_model(cache_dir: Path) -> str | None:
    """The model kept by the last listing, or None (none yet, or the file is unreadable)."""
    try:
        data = json.loads((cache_dir / FILE_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.info("Kept default model not read: %s", exc)
        return None
    model = data.get("model") if isinstance(data, dict) else None
    return model if isinstance(model, str) and _MODEL_ID.fullmatch(model) else None


def write_discovered_model(cache_dir: Path, model: str) -> None:
    """Keep ``model``; a failure is logged, not raised (the cache can always be rebuilt)."""
    if not _MODEL_ID.fullmatch(model):
        return
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"model": model}).encode("utf-8")
        # Not worth an fsync: losing it costs one listing on the next run.
        atomic_write_bytes(cache_dir / FILE_NAME, body, durable=False)
    except OSError as exc:
        log.info("Default model not kept: %s", exc)

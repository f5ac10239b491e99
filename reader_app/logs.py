"""Logging to a rotating file in the profile's log folder."""

from __future__ import annotations

import logging
import logging.handlers
import os
from typing import TYPE_CHECKING

from reader_app.core.redaction import redact

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


class RedactingFilter(logging.Filter):
    """Blanks out API keys in every record, whatever the code that logged it passed in.

    Anything shaped like an Anthropic key is replaced, and so is the key in the
    environment, whatever its shape.
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        super().__init__()
        self._secrets = [v for v in (environ.get("ANTHROPIC_API_KEY", "").strip(),) if v]

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message in place; never drop it."""
        message = record.getMessage()
        cleaned = redact(message, self._secrets)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self._secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def setup_logging(log_file: Path, *, verbose: bool = False) -> None:
    """Log to ``log_file`` (rotated at 1 MB, three kept); stderr too when verbose."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(fmt)
    handler.addFilter(RedactingFilter(os.environ))
    root.addHandler(handler)
    if verbose:
        stream = logging.StreamHandler()
        stream.setFormatter(fmt)
        stream.addFilter(RedactingFilter(os.environ))
        root.addHandler(stream)

"""The log never holds an API key, whoever logs it and however."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from reader_app.logs import RedactingFilter

if TYPE_CHECKING:
    from pathlib import Path

KEY = "sk-ant-api03-SECRETSECRETSECRET-abcdef"


def test_keys_are_redacted_from_messages_args_and_tracebacks(tmp_path: Path) -> None:
    log_file = tmp_path / "t.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.addFilter(RedactingFilter({"ANTHROPIC_API_KEY": "plain-env-key-123456"}))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        logger.info("key is %s", KEY)
        logger.info("env key plain-env-key-123456 in text")
        try:
            raise RuntimeError(f"request failed with {KEY}")
        except RuntimeError:
            logger.exception("failure")
    finally:
        logger.removeHandler(handler)
        handler.close()
    text = log_file.read_text("utf-8")
    assert "SECRET" not in text
    assert "plain-env-key-123456" not in text
    assert text.count("[redacted]") == 3
    assert "RuntimeError" in text

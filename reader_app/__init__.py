"""Tone Reader: a desktop e-book reader that explains how a passage sounds."""

from __future__ import annotations

__version__ = "0.1.0"
APP_ID = "io.github.tonereader.ToneReader"
APP_NAME = "Tone Reader"

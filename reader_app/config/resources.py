"""Find files shipped with the app, installed from a wheel, a bundle, or a source checkout."""

from __future__ import annotations

import importlib.resources
import sys
from pathlib import Path

BUNDLED_BOOK = "lyrical-ballads_standardebooks_epub3.epub"


def resources_dir() -> Path:
    """The folder holding the shipped resources."""
    try:
        root = importlib.resources.files("reader_app.resources")
        path = Path(str(root))
        if path.is_dir():
            return path
    except ModuleNotFoundError:
        pass
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "reader_app" / "resources"
    # Running from a source checkout: resources/ sits beside the package.
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(name: str) -> Path | None:
    """A shipped file by name, or None if this installation lacks it."""
    path = resources_dir() / name
    return path if path.exists() else None


def bundled_book() -> Path | None:
    """The book opened on first start."""
    return resource_path(BUNDLED_BOOK)

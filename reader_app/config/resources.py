"""Find files shipped with the app, installed from a wheel, a bundle, or a source checkout."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BUNDLED_BOOK = "lyrical-ballads_standardebooks_epub3.epub"


def resources_dir() -> Path:
    """The folder holding the shipped resources."""
    # reader_app.resources has no __init__.py (it is the repository's resources/ folder),
    # so an installed wheel makes it a namespace package: importlib.resources.files()
    # then gives a MultiplexedPath, whose str() is no folder at all. The import system's
    # own search locations are real folders in every kind of install.
    try:
        spec = importlib.util.find_spec("reader_app.resources")
    except ModuleNotFoundError:
        spec = None
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        path = Path(location)
        if (path / BUNDLED_BOOK).is_file() or (path / "examples").is_dir():
            return path
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

"""The wheel ships every package and the resources."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "reader_app").rglob("__init__.py")
    }
    assert found | {"reader_app.resources"} == listed


def test_bundled_book_is_found() -> None:
    from reader_app.config.resources import bundled_book

    book = bundled_book()
    assert book is not None
    assert book.name == "lyrical-ballads_standardebooks_epub3.epub"
    assert book.stat().st_size == 504_752

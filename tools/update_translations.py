"""Regenerate the Qt translation sources in resources/i18n from the code, and compile them.

    .venv/bin/python tools/update_translations.py            # refresh every .ts
    .venv/bin/python tools/update_translations.py --release  # and build the .qm files

The window's widgets and the services that speak to the reader (status messages) mark
strings with ``tr()``: reader_app/ui, reader_app/services and app.py are scanned.
New languages start as a copy of the English file renamed to ``tone_reader_<lang>.ts``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "resources" / "i18n"
SOURCE_TS = I18N / "tone_reader_en.ts"


def _tool(name: str) -> str:
    # The venv's wrapper first: it runs the lupdate that matches the installed PySide6.
    beside = Path(sys.executable).parent / f"pyside6-{name}"
    if beside.exists():
        return str(beside)
    found = shutil.which(f"pyside6-{name}")
    if found is None:
        sys.exit(f"pyside6-{name} not found; install PySide6-Essentials")
    return found


def sources() -> list[str]:
    """The Python files whose ``tr()`` strings make up the interface, sorted for stable output."""
    package = ROOT / "reader_app"
    files = [
        *sorted((package / "ui").rglob("*.py")),
        *sorted((package / "services").rglob("*.py")),
        package / "app.py",
    ]
    return [str(path.relative_to(ROOT)) for path in files]


def update() -> list[Path]:
    """Refresh the English source file and every translation next to it."""
    I18N.mkdir(parents=True, exist_ok=True)
    targets = sorted(set(I18N.glob("tone_reader_*.ts")) | {SOURCE_TS})
    for target in targets:
        language = target.stem.removeprefix("tone_reader_")
        subprocess.run(
            [
                _tool("lupdate"),
                *sources(),
                "-no-obsolete",
                "-locations",
                "relative",
                "-source-language",
                "en",
                "-target-language",
                language,
                "-ts",
                str(target.relative_to(ROOT)),
            ],
            cwd=ROOT,
            check=True,
        )
    return targets


def release(targets: list[Path]) -> None:
    """Compile each translation; English is the source language and needs no .qm."""
    for target in targets:
        if target == SOURCE_TS:
            continue
        subprocess.run(
            [_tool("lrelease"), str(target), "-qm", str(target.with_suffix(".qm"))],
            cwd=ROOT,
            check=True,
        )


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", action="store_true", help="also compile the .qm files")
    args = parser.parse_args()
    targets = update()
    if args.release:
        release(targets)


if __name__ == "__main__":
    main()

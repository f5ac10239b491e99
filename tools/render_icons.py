"""Render the application icon SVG into the hicolor PNG sizes.

Desktops that cannot scale SVG, and Windows/macOS bundles, need raster icons at the
standard sizes. The PNGs are committed; run this again whenever the SVG changes:

    python tools/render_icons.py
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "io.github.tonereader.ToneReader"
ICONS = ROOT / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_path(icons: Path, size: int) -> Path:
    """Return where the hicolor theme expects the icon of one size."""
    return icons / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render(svg: Path, icons: Path, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Render ``svg`` at every size and return the files written."""
    # Rendering needs no display; the offscreen platform keeps this usable in CI.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a valid SVG")
    written: list[Path] = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        out = png_path(icons, size)
        out.parent.mkdir(parents=True, exist_ok=True)
        # PNG stores straight alpha; converting first keeps edge pixels exact. The suffix picks PNG.
        if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(out)):
            raise OSError(f"{out}: could not write PNG")
        written.append(out)
    del app
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: render the committed icon into resources/icons/hicolor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--svg", type=Path, default=ICONS / f"{APP_ID}.svg")
    parser.add_argument("--out", type=Path, default=ICONS, help="folder that holds hicolor/")
    args = parser.parse_args(argv)
    for path in render(args.svg, args.out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

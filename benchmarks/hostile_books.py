"""Hostile and huge books: time and peak memory from opening to a result, case by case.

    .venv/bin/python benchmarks/hostile_books.py [--keep DIR] [CASE ...]

Builds the worst shapes at 64 MB (or at the size that makes them worst), then opens each
in a fresh process, as the app's loader thread does: ``load_book`` (read, hash, parse,
cut into chapters) until the Book or the refusal. For a book that opens, it then shows
its largest chapter in a real QTextBrowser, with its images, and times Qt's HTML import
and layout, the part that runs on the GUI thread. The budget: any file up to 64 MB is
opened or refused within 10 s and 1 GB.

Columns: the load time and the peak RSS when load_book returns; then, for a book that
opened, the time to show its largest chapter and the peak RSS after it. Peak RSS is the
child's VmHWM, which includes Python and the modules it imported (Linux only).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024
SIZE = 64 * MB
CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)
XLINK = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def _xhtml(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>t</title></head><body>{body}</body></html>"
    )


def _epub(
    path: Path,
    docs: dict[str, str],
    spine: list[str],
    *,
    nav: str | None = None,
    files: dict[str, str] | None = None,
) -> None:
    items = "".join(
        f'<item id="d{n}" href="{name}" media-type="application/xhtml+xml"/>'
        for n, name in enumerate(docs)
    )
    ids = {name: f"d{n}" for n, name in enumerate(docs)}
    if nav is not None:
        items += (
            '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        )
    refs = "".join(f'<itemref idref="{ids[name]}"/>' for name in spine)
    opf = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"'
        ' unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<dc:title>Hostile</dc:title><dc:identifier id="id">x</dc:identifier></metadata>'
        f"<manifest>{items}</manifest><spine>{refs}</spine></package>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", CONTAINER)
        z.writestr("OEBPS/content.opf", opf)
        for name, text in docs.items():
            z.writestr(f"OEBPS/{name}", text)
        if nav is not None:
            z.writestr("OEBPS/nav.xhtml", nav)
        for name, text in (files or {}).items():
            z.writestr(f"OEBPS/{name}", text)


def _repeat(unit: str, size: int) -> str:
    return unit * (size // len(unit))


def build(case: str, folder: Path) -> Path:
    """Write the hostile file for ``case`` into ``folder``."""
    if case == "paragraph-64mb.txt":
        text = _repeat("word ", SIZE)
    elif case == "paragraph-23m-chars.txt":
        text = _repeat("word ", 23_000_000)
    elif case == "markdown-1mb.md":
        # The largest Markdown file that goes through the Markdown parser, densely marked up.
        text = _repeat("Some *marked* text with a [link](https://example.org/) in it.\n\n", MB)
    elif case == "markdown-23m-chars.md":
        text = _repeat(
            "Some *marked* text with a [link](https://example.org/) in it.\n\n", 23_000_000
        )
    elif case == "verse-23m-chars.txt":
        text = _repeat("a line of verse\n", 23_000_000)
    elif case == "unbreakable-64mb.md":
        text = "x" * SIZE
    elif case == "unbreakable-23m-chars.md":
        text = "x" * 23_000_000
    elif case == "nested-64mb.html":
        half = SIZE // 12
        text = "<html><body>" + "<div>" * half + "deep" + "</div>" * half + "</body></html>"
    elif case == "nested-900k.html":
        text = "<html><body>" + "<b>" * 900_000 + "deep" + "</b>" * 900_000 + "<p>after</p>"
    elif case == "zeros-64mb.txt":
        (folder / case).write_bytes(b"\0" * SIZE)
        return folder / case
    elif case.endswith(".epub"):
        _build_epub(case, folder / case)
        return folder / case
    else:
        raise SystemExit(f"unknown case {case}")
    (folder / case).write_text(text, encoding="utf-8")
    return folder / case


def _build_epub(case: str, path: Path) -> None:
    if case == "toc-100k-entries.epub":
        count = 100_000
        body = "".join(f'<p id="s{n}">Section {n} text.</p>' for n in range(count))
        links = "".join(f'<li><a href="c.xhtml#s{n}">Section {n}</a></li>' for n in range(count))
        nav = _xhtml(f"<nav><ol>{links}</ol></nav>")
        _epub(path, {"c.xhtml": _xhtml(body)}, ["c.xhtml"], nav=nav)
    elif case == "spine-repeat.epub":
        chapter = _xhtml("<p>" + _repeat("quite ordinary words ", 2 * MB) + "</p>")
        _epub(path, {"c.xhtml": chapter}, ["c.xhtml"] * 5000)
    elif case == "nested-epub.epub":
        # As deep as the tag limit lets one document be, with text after every level.
        deep = "<div>" * 300 + "deep" + "</div>" * 300 + "<p>after</p>"
        _epub(path, {"c.xhtml": _xhtml(deep * 800)}, ["c.xhtml"])
    elif case == "one-chapter-23m-chars.epub":
        # Words drawn at random compress about as well as prose: no zip-bomb ratio.
        rng = random.Random(11)
        vocabulary = [
            "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
            for _ in range(5000)
        ]
        words = " ".join(rng.choice(vocabulary) for _ in range(5_000_000))[:23_000_000]
        paragraphs = "".join(f"<p>{words[i : i + 3000]}</p>" for i in range(0, len(words), 3000))
        _epub(path, {"c.xhtml": _xhtml(paragraphs)}, ["c.xhtml"])
    elif case == "svg-use-bomb.epub":
        parts = [
            f'<svg {XLINK} width="100" height="100"><defs><rect id="l0" width="1" height="1"/>'
        ]
        for n in range(1, 31):
            parts.append(
                f'<g id="l{n}"><use xlink:href="#l{n - 1}"/><use xlink:href="#l{n - 1}"/></g>'
            )
        parts.append('</defs><use xlink:href="#l30"/></svg>')
        stdin = f'<svg {XLINK} width="9" height="9"><image xlink:href="/dev/stdin"/></svg>'
        body = '<p>A <img src="bomb.svg" alt="bomb"/> and <img src="stdin.svg" alt="stdin"/>.</p>'
        inline = "".join(parts)
        _epub(
            path,
            {"c.xhtml": _xhtml(body + f"<div>{inline}</div>")},
            ["c.xhtml"],
            files={"bomb.svg": "".join(parts), "stdin.svg": stdin},
        )
    else:
        raise SystemExit(f"unknown case {case}")


CASES = [
    "paragraph-64mb.txt",
    "paragraph-23m-chars.txt",
    "verse-23m-chars.txt",
    "markdown-1mb.md",
    "markdown-23m-chars.md",
    "unbreakable-64mb.md",
    "unbreakable-23m-chars.md",
    "nested-64mb.html",
    "nested-900k.html",
    "zeros-64mb.txt",
    "toc-100k-entries.epub",
    "spine-repeat.epub",
    "nested-epub.epub",
    "one-chapter-23m-chars.epub",
    "svg-use-bomb.epub",
]


def _peak_rss_mb() -> float:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child would report
    # the memory of the parent that built the file.
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(path: Path) -> None:
    """Open one book as the app does; print one JSON line of figures."""
    from reader_app.core.errors import BookError
    from reader_app.core.loaders import load_book

    started = time.perf_counter()
    result: dict[str, object] = {}
    try:
        book = load_book(path)
    except BookError as exc:
        result["outcome"] = f"refused: {exc}"
        book = None
    result["load_s"] = time.perf_counter() - started
    result["load_rss_mb"] = _peak_rss_mb()
    if book is not None:
        result["outcome"] = (
            f"opened: {len(book.chapters)} chapters, {book.char_count:,} chars,"
            f" {sum(1 for _ in book.toc_entries())} contents entries, {len(book.warnings)} notes"
        )
        result["view_s"] = _show_largest_chapter(book)
    result["rss_mb"] = _peak_rss_mb()
    print(json.dumps(result))


def _show_largest_chapter(book: object) -> float:
    from PySide6.QtWidgets import QApplication

    from reader_app.core.book import Book
    from reader_app.ui.reader_view import ReaderView

    assert isinstance(book, Book)
    app = QApplication.instance() or QApplication([])
    view = ReaderView()
    view.resize(900, 800)
    view.show()
    chapter = max(book.chapters, key=lambda c: len(c.text))
    started = time.perf_counter()
    view.set_chapter(chapter.html, chapter.text, book.read_resource)
    view.document().size()  # forces the whole layout, images included
    view.grab()  # and a paint of the first screen
    app.processEvents()
    return time.perf_counter() - started


def _fmt(value: object, unit: str) -> str:
    if not isinstance(value, float):
        return f"{'-':>7}"
    return f"{value:6.2f}s" if unit == "s" else f"{value:5.0f}MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=CASES)
    parser.add_argument("--keep", type=Path, help="build the files here and keep them")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{'case':28} {'file':>8} {'load':>7} {'RSS':>7} {'view':>7} {'RSS':>7}  outcome")
        for case in args.cases:
            path = build(case, folder)
            size = path.stat().st_size / MB
            started = time.perf_counter()
            try:
                run = subprocess.run(
                    [sys.executable, __file__, "--child", str(path)],
                    capture_output=True,
                    text=True,
                    timeout=300,
                    check=False,
                )
                lines = run.stdout.strip().splitlines()
                figures = json.loads(lines[-1]) if lines else {"outcome": run.stderr[-300:]}
            except subprocess.TimeoutExpired:
                figures = {"outcome": f"TIMED OUT after {time.perf_counter() - started:.0f} s"}
            load = figures.get("load_s")
            view = figures.get("view_s")
            print(
                f"{case:28} {size:6.1f}MB {_fmt(load, 's')} {_fmt(figures.get('load_rss_mb'), 'M')}"
                f" {_fmt(view, 's')} {_fmt(figures.get('rss_mb') if view else None, 'M')}"
                f"  {str(figures.get('outcome'))[:110]}",
                flush=True,
            )
            if not args.keep:
                path.unlink()


if __name__ == "__main__":
    main()

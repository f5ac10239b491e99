"""The worst shapes of book open or are refused within the memory budget, in a real process.

The budget is 1 GB and 10 s for any file up to 64 MB (benchmarks/hostile_books.py measures
it at full size). Here each shape is built at 8–16 MB and opened by ``load_book`` in a fresh
interpreter, whose peak resident memory (VmHWM) must stay within the budget's own ratio
(16 bytes per byte of file): a loader that held a copy per word, per tag or per cut would
blow through it. Measured at the time of writing: 64 MB for the 16 MB paragraph, 247 MB
for 16 MB of one-line verse (the worst), 50 MB for nesting 300 deep 400 times.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024

PROBE = """
import json, sys
from reader_app.core.errors import BookError
from reader_app.core.loaders import load_book

def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024

before = peak()
try:
    book = load_book(sys.argv[1])
    outcome = f"opened {book.char_count} {max(len(l) for c in book.chapters for l in c.text.split(chr(10)))}"
except BookError as exc:
    outcome = "refused " + str(exc)
print(json.dumps({"before": before, "peak": peak(), "outcome": outcome}))
"""


def _epub(path: Path, body: str, *, nav: str = "", files: dict[str, str] | None = None) -> None:
    page = (
        '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>t</title></head><body>{body}</body></html>"
    )
    nav_item = (
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        if nav
        else ""
    )
    opf = (
        '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>B</dc:title></metadata>'
        f'<manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/>{nav_item}'
        '</manifest><spine><itemref idref="c"/></spine></package>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("META-INF/container.xml", _CONTAINER)
        z.writestr("OEBPS/content.opf", opf)
        z.writestr("OEBPS/c.xhtml", page)
        if nav:
            z.writestr("OEBPS/nav.xhtml", nav)
        for name, data in (files or {}).items():
            z.writestr(f"OEBPS/{name}", data)


_CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)


def _build(shape: str, folder: Path) -> Path:
    path = folder / shape
    if shape == "paragraph.txt":
        path.write_text("word " * (16 * MB // 5), encoding="ascii")
    elif shape == "unbreakable.md":
        path.write_text("x" * (8 * MB), encoding="ascii")
    elif shape == "marked.md":  # the largest Markdown the Markdown parser is given
        line = "Some *marked* text with a [link](https://example.org/) in it.\n\n"
        path.write_text(line * (MB // len(line)), encoding="ascii")
    elif shape == "lines.txt":
        path.write_text(("a line of verse\n" * (16 * MB // 16)), encoding="ascii")
    elif shape == "zeros.txt":
        path.write_bytes(b"\0" * (16 * MB))
    elif shape == "deep.epub":
        _epub(path, ("<div>" * 300 + "deep" + "</div>" * 300 + "<p>after</p>") * 400)
    elif shape == "toc.epub":
        body = "".join(f'<p id="s{n}">Section {n}.</p>' for n in range(40_000))
        links = "".join(f'<li><a href="c.xhtml#s{n}">S{n}</a></li>' for n in range(40_000))
        _epub(
            path,
            body,
            nav=f'<html xmlns="http://www.w3.org/1999/xhtml"><body><nav><ol>{links}</ol></nav></body></html>',
        )
    elif shape == "svg.epub":
        uses = "".join(
            f'<g id="l{n}"><use href="#l{n - 1}"/><use href="#l{n - 1}"/></g>' for n in range(1, 31)
        )
        svg = f'<svg xmlns="http://www.w3.org/2000/svg"><defs><g id="l0"/>{uses}</defs><use href="#l30"/></svg>'
        _epub(path, '<p><img src="b.svg" alt="b"/>text</p>' + svg, files={"b.svg": svg})
    return path


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ("paragraph.txt", "opened"),
        ("unbreakable.md", "opened"),
        ("marked.md", "opened"),
        ("lines.txt", "opened"),
        ("zeros.txt", "refused"),
        ("deep.epub", "opened"),
        ("toc.epub", "opened"),
        ("svg.epub", "opened"),
    ],
)
def test_worst_shapes_stay_within_memory(tmp_path: Path, shape: str, expected: str) -> None:
    path = _build(shape, tmp_path)
    size = path.stat().st_size
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    report = json.loads(run.stdout)
    outcome = report["outcome"]
    assert outcome.startswith(expected), outcome
    if expected == "opened":
        assert int(outcome.split()[2]) <= 10_000  # no line the view gets is longer
    grown = report["peak"] - report["before"]
    # 16 bytes of memory for each byte of the file: the budget's own ratio (1 GB for 64 MB).
    bound = 16 * max(size, 4 * MB) + 64 * MB
    assert grown < bound, f"{grown / MB:.0f} MB for {size / MB:.1f} MB"

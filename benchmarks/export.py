"""Exporting 10,000 annotations, per format (DESIGN.md §10: budget ≤ 1 s).

    .venv/bin/python benchmarks/export.py [--count 10000] [--runs 5]

The annotations are synthetic but shaped like real ones: 25 books, quotes of 50–300
characters with line breaks and punctuation, about 70 % analysed with 2–3 emotions, 1–3
pieces of evidence and a two-sentence explanation, a note on one in four, a few corrected
and a few orphaned. Each format is timed from the list of annotations to bytes on disk:
the exporter, then ``write_export`` to a temporary folder (with its fsync). The figure
reported is the median of the runs; the budget applies to each format.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reader_app.core.annotations import Annotation, Provenance  # noqa: E402
from reader_app.core.emotions import EMOTIONS  # noqa: E402
from reader_app.core.exporters import EXPORTERS, write_export  # noqa: E402

BUDGET_S = 1.0
SAMPLE = (
    "the sea was calm and grey beneath a heavy sky while she walked alone along the shore "
    "remembering his letters; nothing in that cold house had ever been kind to her, yet "
    "hope — quiet, stubborn hope — returned each morning with the light. “Why,” he asked, "
    "“should we fear what we cannot change?” Élise laughed, 日本 was far away, and the "
    "wind carried the smell of salt, tar, and rain across the empty harbour"
)
WORDS = tuple(SAMPLE.split())
TONES = ("Harsh and Condemning", "Wistful", "Tender and Reflective", "Ironic", "Anxious",
         "Scornful and Disapproving", "Joyful", "Resigned", "Hopeful", "Menacing")  # fmt: skip


def _text(rng: random.Random, low: int, high: int) -> str:
    target = rng.randint(low, high)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < target:
        words.append(rng.choice(WORDS))
        if rng.random() < 0.04:
            words.append("\n")
    return " ".join(words)[:target].strip() or "text"


def build(count: int, seed: int = 7) -> list[Annotation]:
    rng = random.Random(seed)
    books = [(f"{i:064x}", f"Book {i} — {_text(rng, 10, 30)}", (f"Author {i}",)) for i in range(25)]
    out = []
    for n in range(count):
        book_id, title, authors = books[n % len(books)]
        quote = _text(rng, 50, 300)
        analysis = None
        provenance = Provenance()
        if rng.random() < 0.7:
            names = rng.sample(EMOTIONS, rng.randint(2, 3))
            strengths = sorted((round(rng.random(), 2) for _ in names), reverse=True)
            analysis = {
                "tone": rng.choice(TONES),
                "polarity": rng.choice(("negative", "neutral", "positive", "mixed")),
                "emotions": [{"name": e, "intensity": s} for e, s in zip(names, strengths, strict=True)],
                "evidence": [{"quote": rng.choice(WORDS), "why": _text(rng, 20, 60)}
                             for _ in range(rng.randint(1, 3))],
                "explanation": _text(rng, 120, 260),
                "confidence": round(rng.random(), 2),
            }  # fmt: skip
            provenance = Provenance(
                model="claude-haiku-4-5", prompt_version="p-3f2a9c",
                analysed_at=f"2024-05-{1 + n % 28:02d}T10:{n % 60:02d}:00.000Z",
                input_tokens=rng.randint(800, 3000), output_tokens=rng.randint(150, 500),
                cost_usd=round(rng.random() / 100, 6), corrected=rng.random() < 0.05,
            )  # fmt: skip
        start = rng.randint(0, 50_000)
        out.append(
            Annotation(
                highlight_id=n + 1, book_id=book_id, book_title=title, book_authors=authors,
                chapter=rng.randint(0, 40), section=f"Chapter {rng.randint(1, 40)}",
                start=start, end=start + len(quote), quote=quote,
                prefix=_text(rng, 20, 32), suffix=_text(rng, 20, 32),
                note=_text(rng, 20, 120) if rng.random() < 0.25 else "",
                orphaned=rng.random() < 0.02,
                created_at=f"2024-04-{1 + n % 28:02d}T09:{n % 60:02d}:{n % 60:02d}.000Z",
                updated_at=f"2024-04-{1 + n % 28:02d}T09:{n % 60:02d}:{n % 60:02d}.000Z",
                analysis=analysis, provenance=provenance,
            )
        )  # fmt: skip
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    annotations = build(args.count)
    kw = {"generated_at": "2024-06-01T09:30:00Z", "app_version": "bench"}
    over = False
    print(f"{args.count:,} annotations, median of {args.runs} runs (budget {BUDGET_S:.1f} s each)")
    print(f"{'format':<6} {'export':>9} {'write':>9} {'total':>9} {'size':>10}")
    with tempfile.TemporaryDirectory() as folder:
        for key, fmt in EXPORTERS.items():
            exports, writes, size = [], [], 0
            for _ in range(args.runs):
                t0 = time.perf_counter()
                data = fmt.export(annotations, **kw)
                t1 = time.perf_counter()
                write_export(Path(folder) / f"out{fmt.suffix}", data)
                t2 = time.perf_counter()
                exports.append(t1 - t0)
                writes.append(t2 - t1)
                size = len(data.encode() if isinstance(data, str) else data)
            export_s, write_s = statistics.median(exports), statistics.median(writes)
            total = export_s + write_s
            over |= total > BUDGET_S
            flag = "  OVER BUDGET" if total > BUDGET_S else ""
            print(
                f"{key:<6} {export_s:>8.3f}s {write_s:>8.3f}s {total:>8.3f}s {size / 1e6:>8.1f}MB{flag}"
            )
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Tone analysis latency in the real app, against the fake Messages API on 127.0.0.1.

    .venv/bin/python benchmarks/analysis.py [--runs 15]

1. Highlight action → request on the wire: from triggering "Analyse Tone" on a selection
   to the moment the fake server has received the whole request body.
2. SSE chunk received → visible: from the server writing a text delta to the next paint of
   the panel's explanation showing it.
3. Repeat analysis in one chapter: the share of the input tokens read from the prompt cache,
   ``cache_read_input_tokens`` over all input tokens as the API's usage reports them (here the
   fake's, which caches a prefix only from the model's minimum up, tests/fake_rules.py), over
   the analyses after the first, with the shipped examples on a fresh profile.

The first analysis of a session also pays for importing the SDK (about a second); the app
does that in the background a few seconds after start, so it is measured apart ("cold").
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, QObject, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.fake_api import VALID_KEY, FakeAnthropic  # noqa: E402

ANSWER = {
    "tone": "Harsh and Condemning",
    "polarity": "negative",
    "emotions": [{"name": "disgust", "intensity": 0.7}],
    "evidence": [{"quote": "murder", "why": "violent"}],
    "explanation": " ".join(["The speaker condemns the cold study of nature."] * 12),
    "confidence": 0.8,
}
PASSAGES = ["We murder to dissect.", "Sweet is the lore which Nature brings;",
            "Our meddling intellect", "Close up these barren leaves;"]  # fmt: skip


class PaintWatch(QObject):
    """Times the paints of one widget."""

    def __init__(self) -> None:
        super().__init__()
        self.paints: list[float] = []

    def eventFilter(self, _obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints.append(time.perf_counter())
        return False


def pump_until(app: QApplication, done, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    end = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > end:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.0005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    qt = QApplication([])
    fake = FakeAnthropic().start()
    os.environ.update(ANTHROPIC_BASE_URL=fake.base_url, ANTHROPIC_API_KEY=VALID_KEY,
                      NO_PROXY="127.0.0.1,localhost")  # fmt: skip
    from reader_app.app import ReaderApp
    from reader_app.config.paths import AppPaths
    from reader_app.config.secrets import ApiKeys, KeyringSecretStore
    from reader_app.config.settings import Settings
    from reader_app.storage.db import open_database

    paths = AppPaths.for_profile(Path(tempfile.mkdtemp(prefix="tone-bench-")))
    paths.ensure()
    conn = open_database(paths.database)
    app = ReaderApp(
        paths,
        conn,
        Settings(theme="light"),
        api_keys=ApiKeys(KeyringSecretStore(), os.environ),
    )
    app.window.resize(1280, 820)
    app.start(None)
    pump_until(qt, lambda: app.window.pane.book is not None)
    item = app.window.toc.findItems("The Tables Turned", Qt.MatchFlag.MatchRecursive)[0]
    app.window.toc.itemClicked.emit(item, 0)
    view = app.window.pane.view
    finished: list[int] = []
    app.analysis.analysed.connect(finished.append)
    # (uncached input, written to the cache, read from it) of each analysis, as stored.
    usages: list[tuple[int, int, int]] = []

    def analyse(passage: str) -> float:
        """Trigger an analysis; return the wire latency in ms."""
        start = view.text.index(passage)
        # A fresh highlight each time: delete the old one so A creates it again.
        for h in app.highlights.highlights:
            app.highlights.delete(h.id)
        view.select_range(start, start + len(passage))
        before = len(fake.requests_to("/v1/messages"))
        count = len(finished)
        triggered = time.perf_counter()
        app.window.actions_.analyse.trigger()
        pump_until(qt, lambda: len(finished) > count)
        row = conn.execute(
            "SELECT input_tokens, cache_creation_tokens, cache_read_tokens FROM analyses"
            " WHERE highlight_id = ? ORDER BY id DESC LIMIT 1",
            (finished[-1],),
        ).fetchone()
        usages.append((int(row[0]), int(row[1]), int(row[2])))
        request = fake.requests_to("/v1/messages")[before]
        return (request.received_at - triggered) * 1000

    fake.reply_json(ANSWER)
    cold = analyse(PASSAGES[0])
    wire = []
    for n in range(args.runs):
        fake.reply_json(ANSWER)
        wire.append(analyse(PASSAGES[n % len(PASSAGES)]))
    print(f"highlight action → request on the wire: cold {cold:.0f} ms (SDK import);"
          f" warm median {statistics.median(wire):.1f} ms, max {max(wire):.1f} ms"
          f" over {len(wire)} runs")  # fmt: skip

    # Chunk → visible.
    watch = PaintWatch()
    app.window.tone_panel.explanation.viewport().installEventFilter(watch)
    latencies: list[float] = []
    for n in range(5):
        reply = fake.reply_json(ANSWER, chunk_size=24, chunk_delay=0.02)
        watch.paints.clear()
        analyse(PASSAGES[n % len(PASSAGES)])
        sent = [t for t, _text in reply.sent]
        for i, t in enumerate(sent):
            nxt = sent[i + 1] if i + 1 < len(sent) else float("inf")
            paints = [p for p in watch.paints if t <= p < nxt]
            if paints:
                latencies.append((paints[0] - t) * 1000)
    latencies.sort()
    print(f"SSE chunk → painted in the panel: median {statistics.median(latencies):.1f} ms,"
          f" p95 {latencies[int(len(latencies) * 0.95)]:.1f} ms, max {latencies[-1]:.1f} ms"
          f" over {len(latencies)} chunks")  # fmt: skip

    # Repeat analysis in one chapter: the input tokens read from the cache, from the usage.
    from reader_app.ai.prompt import prefix_tokens

    bodies = [r.body for r in fake.requests_to("/v1/messages")]
    model = str(bodies[-1]["model"])
    prefix = "".join(str(b["text"]) for b in bodies[-1]["system"])
    same = all(b["system"] == bodies[0]["system"] for b in bodies)
    first, repeats = usages[0], usages[1:]
    read = sum(u[2] for u in repeats)
    total = sum(sum(u) for u in repeats)
    print(
        f"repeat analysis in one chapter: {read / total:.1%} of the input tokens read from the"
        f" cache (cache_read_input_tokens / input tokens, from the usage) over {len(repeats)}"
        f" analyses after the first, which wrote {first[1]:,} tokens to the cache;"
        f" {model}, {len(app.examples.all())} shipped examples, cache-marked prefix"
        f" {len(prefix):,} characters ≈ {prefix_tokens(prefix, model):,} tokens,"
        f" identical in every request: {same}"
    )
    print("budgets: action → wire ≤ 50 ms; chunk → visible ≤ 30 ms")
    app.window.close()
    app.shutdown()
    fake.stop()


if __name__ == "__main__":
    main()

"""Fuzz the annotation importers: they report problems, never raise.

``parse_clippings`` and ``parse_w3c`` take any text; ``read_import_file`` may only raise
BookError; storing what a fuzzed W3C file held may only raise StorageError.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader_app.core.errors import BookError, StorageError
from reader_app.core.importers.clippings import parse_clippings, to_annotations
from reader_app.core.importers.files import read_import_file
from reader_app.core.importers.w3c import parse_w3c
from reader_app.storage.db import open_database
from reader_app.usecases.importing import import_annotations
from tests.fuzz.harness import assert_rss_bounded, run_bounded
from tests.fuzz.mutations import Seeds, mutated

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator

GOLDEN_W3C = (Path(__file__).resolve().parents[1] / "golden" / "export.json").read_bytes()
GOLDEN_TREE: Any = json.loads(GOLDEN_W3C)

SEP = "=========="
KINDS = (
    "Your Highlight",
    "Your Note",
    "Your Bookmark",
    "Ihre Markierung",
    "Ihre Notiz",
    "Votre surlignement",
    "Tu subrayado",
    "La tua evidenziazione",
    "Seu destaque",
    "Uw markering",
    "Ваше выделение",
    "您在位置",
    "ハイライト",
    "Highlight",
    "",
)
PLACES = (
    "on page 12",
    "on page xiv",
    "auf Seite 5",
    "Location 170-172",
    "Loc. 2045-47",
    "Location 99999999999999999999-1",
    "Position 70-71",
    "emplacement 40",
    "位置 #170-172",
    "第 3 页",
    "12 ページ",
    "Location -5--7",
    "",
)
DATES = (
    "Added on Monday, April 21, 2014 10:08:07 PM",
    "Hinzugefügt am Montag, 3. März 2019 08:00:00",
    "Ajouté le lundi 4 mars 2019 09:00:00",
    "Añadido el lunes, 4 de marzo de 2019 9:00:00",
    "Aggiunto in data lunedì 4 marzo 2019 09:00:00",
    "添加于 2019年3月4日星期一 上午9:00:00",
    "作成日: 2019年3月4日月曜日 午後9:00:00",
    "Added on Friday, February 31, 2014 25:61:61 PM",
    "Added on 0000-00-00 GMT+99:99",
    "Added on Monday, 99999999999999999999 May 2014",
    "Added on",
    "",
)
CLIPPINGS_SEED = Seeds(
    (
        (
            "\ufeffPride and Prejudice (Jane Austen)\r\n- Your Highlight on page 12 | Location"
            " 170-172 | Added on Monday, April 21, 2014 10:08:07 PM\r\n\r\nIt is a truth"
            " universally acknowledged.\r\n==========\r\nPride and Prejudice (Jane Austen)\r\n"
            "- Your Note on page 12 | Location 172 | Added on Monday, April 21, 2014 10:09:00"
            " PM\r\n\r\nIrony.\r\n==========\r\n"
        ).encode(),
    )
)


def fuzz_settings(examples: int) -> settings:
    """Reproducible runs: a fixed derandomized seed and no example database."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@st.composite
def clippings_file(draw: st.DrawFn) -> str:
    """Kindle records with random, localized and broken fields."""
    records = []
    for _ in range(draw(st.integers(0, 8))):
        title = draw(st.sampled_from(("Pride and Prejudice (Jane Austen)", "", "(", "A (B) (C")))
        title = title if draw(st.booleans()) else draw(st.text(max_size=60))
        fields = [
            draw(st.sampled_from(KINDS)) + " " + draw(st.sampled_from(PLACES)),
            draw(st.sampled_from(PLACES)),
            draw(st.sampled_from(DATES)) if draw(st.booleans()) else draw(st.text(max_size=40)),
        ]
        details = "- " + " | ".join(fields[: draw(st.integers(0, 3))])
        body = draw(
            st.sampled_from(("It is a truth.", "", "<You have reached the clipping limit>"))
            | st.text(max_size=200)
        )
        lines = [title, details, "", body]
        cut = draw(st.integers(0, len(lines)))
        records.append("\n".join(lines[cut:] if draw(st.booleans()) else lines))
    sep = draw(st.sampled_from((f"\n{SEP}\n", f"\r\n{SEP}\r\n", SEP, "\n" + "=" * 9 + "\n")))
    return sep.join(records) + draw(st.sampled_from(("", sep)))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=40,
)
# Keys the importer reads, so random trees reach its branches instead of the first check.
W3C_KEYS = st.sampled_from(
    (
        "type",
        "items",
        "first",
        "target",
        "selector",
        "exact",
        "prefix",
        "suffix",
        "start",
        "end",
        "body",
        "value",
        "purpose",
        "motivation",
        "created",
        "modified",
        "source",
        "tone:analysis",
        "tone:provenance",
        "refinedBy",
    )
)


@st.composite
def mutated_export(draw: st.DrawFn) -> bytes:
    """The real export with a few of its subtrees replaced by random JSON."""
    tree = json.loads(json.dumps(GOLDEN_TREE))
    for _ in range(draw(st.integers(1, 5))):
        node: Any = tree
        for _ in range(draw(st.integers(0, 8))):
            if isinstance(node, dict) and node:
                child = node[draw(st.sampled_from(sorted(node)))]
            elif isinstance(node, list) and node:
                child = draw(st.sampled_from(node))
            else:
                break
            if not isinstance(child, (dict, list)):
                break
            node = child
        value = draw(json_values)
        if isinstance(node, dict):
            node[draw(W3C_KEYS | st.sampled_from(sorted(node) or ["x"]))] = value
        elif isinstance(node, list) and node:
            node[draw(st.integers(0, len(node) - 1))] = value
    return json.dumps(tree).encode()


w3c_inputs = (
    mutated_export()
    | json_values.map(lambda value: json.dumps(value).encode())
    | mutated(Seeds((GOLDEN_W3C,)), max_edits=3)
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("fuzz-imports")
    assert_rss_bounded()


@pytest.fixture(scope="module")
def library() -> Iterator[sqlite3.Connection]:
    conn = open_database(":memory:")
    yield conn
    conn.close()


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


@fuzz_settings(700)
@given(text=clippings_file())
def test_clippings_generated(text: str) -> None:
    run_bounded(
        "clippings",
        lambda: to_annotations(parse_clippings(text).clippings),
        (),
        text.encode("utf-8", "surrogatepass"),
        ".txt",
    )


@fuzz_settings(400)
@given(data=mutated(CLIPPINGS_SEED, max_edits=6))
def test_clippings_mutated(data: bytes) -> None:
    run_bounded("clippings", lambda: parse_clippings(_text(data)), (), data, ".txt")


@fuzz_settings(1100)
@given(data=w3c_inputs)
def test_w3c(data: bytes) -> None:
    run_bounded("w3c", lambda: parse_w3c(_text(data)), (), data, ".json")


@fuzz_settings(400)
@given(data=w3c_inputs | clippings_file().map(str.encode))
def test_read_import_file(workdir: Path, data: bytes) -> None:
    path = workdir / "annotations.json"
    path.write_bytes(data)
    run_bounded("read_import_file", lambda: read_import_file(path), (BookError,), data, ".json")


@fuzz_settings(150)
@given(data=mutated_export())
def test_w3c_into_library(library: sqlite3.Connection, data: bytes) -> None:
    report = parse_w3c(data.decode())
    run_bounded(
        "import_annotations",
        lambda: import_annotations(library, report.items, source="w3c"),
        (StorageError,),
        data,
        ".json",
    )

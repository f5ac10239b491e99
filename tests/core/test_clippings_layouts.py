"""Every Kindle layout in tests/data/clippings imports whole, once, with its local times.

Each file holds records in one layout (a Kindle UI language, an old device, the apps),
written after real public ``My Clippings.txt`` samples: highlights, notes on them, lone
notes, bookmarks, re-done highlights. Imports go through the real path: the parser, then
``import_annotations`` into an on-disk library, and the ``tone-reader import`` command.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reader_app.config.paths import AppPaths
from reader_app.core.importers.clippings import parse_clippings
from reader_app.core.importers.files import read_import_file
from reader_app.storage.db import open_database
from reader_app.usecases.importing import import_annotations
from tests.cli_run import run_cli

if TYPE_CHECKING:
    from collections.abc import Iterator

DATA = Path(__file__).resolve().parents[1] / "data" / "clippings"

# Per file: every distinct highlight with the note typed on it, lone notes (quote ""),
# and the first record's time as the device wrote it (local time, no zone invented).
EXPECTED: dict[str, tuple[list[tuple[str, str]], str]] = {
    "en_kindle.txt": (
        [
            ("It is a truth universally acknowledged, that a single man in possession of a good"
             " fortune, must be in want of a wife.", "The famous opening, ironic from the first word."),
            ("She is tolerable; but not handsome enough to tempt me", ""),
            ("You see, but you do not observe.\nThe distinction is clear.", "Seeing versus observing."),
        ],
        "2014-04-21T22:08:07",
    ),
    "en_kindle_classic.txt": (
        [
            ("Call me Ishmael. Some years ago, never mind how long precisely", "Opening line!"),
            ("It is a way I have of driving off the spleen, and regulating the circulation.", ""),
            ("There she blows!", ""),
            ("", "A note the old way, on no highlight."),
        ],
        "2008-04-21T22:08:00",
    ),
    "en_kindle_apps.txt": (
        [
            ("You are my creator, but I am your master; obey!", ""),
            ("Beware; for I am fearless, and therefore powerful.", "The creature speaks."),
            ("I am by birth a Genevese.", ""),
        ],
        "2023-10-11T12:09:00",
    ),
    "clipped_articles.txt": (
        [
            ("Reading slowly is not reading less; it is reading with the whole mind.", ""),
            ("Langsam lesen heißt nicht weniger lesen.", ""),
            ("Ein Artikel, in Ruhe gelesen.", ""),
        ],
        "2015-03-06T10:30:00",
    ),
    "fr.txt": (
        [
            ("Attendre et espérer.", "Toute la sagesse humaine."),
            ("Il y a des services si grands qu'on ne peut les payer que par l'ingratitude.", ""),
        ],
        "2019-09-30T18:00:39",
    ),
    "de.txt": (
        [
            ("Jemand musste Josef K. verleumdet haben.", "Der berühmte erste Satz."),
            ("Vor dem Gesetz steht ein Türhüter.", ""),
            ("Es ist nicht notwendig, alles für wahr zu halten.", ""),
        ],
        "2015-12-27T08:18:36",
    ),
    "es.txt": (
        [
            ("En un lugar de la Mancha, de cuyo nombre no quiero acordarme",
             "El comienzo más famoso."),
            ("Prólogo: desocupado lector, sin juramento me podrás creer.", ""),
        ],
        "2019-09-30T18:00:39",
    ),
    "it.txt": (
        [
            ("Quel ramo del lago di Como, che volge a mezzogiorno", "L'incipit."),
            ("Questo matrimonio non s'ha da fare, né domani, né mai.", ""),
        ],
        "2019-09-30T18:00:39",
    ),
    "pt.txt": (
        [
            ("Uma noite destas, vindo da cidade para o Engenho Novo", "O começo do livro."),
            ("Olhos de cigana oblíqua e dissimulada.", ""),
        ],
        "2015-05-16T13:16:48",
    ),
    "nl.txt": (
        [
            ("Ik ben makelaar in koffie, en woon op de Lauriergracht, No. 37.",
             "De beroemde eerste zin."),
            ("Het is mijn gewoonte niet, romans te schrijven.", ""),
        ],
        "2019-09-30T18:00:39",
    ),
    "ru.txt": (
        [("Все счастливые семьи похожи друг на друга.", "Это из другой книги!")],
        "2024-12-30T14:46:33",
    ),
    "zh_hans.txt": (
        [
            ("两个农民，都上了年纪，都没有喝醉酒，而且早就互相认识，是朋友。", "朋友之间也会出事。"),
            ("美能拯救世界。", ""),
            ("", "一条不属于任何标注的笔记。"),
        ],
        "2014-10-12T22:23:50",  # 下午10:23:50
    ),
    "zh_hant.txt": (
        [
            ("假作真時真亦假，無為有處有還無。", "太虛幻境的對聯。"),
            ("滿紙荒唐言，一把辛酸淚。", ""),
        ],
        "2022-05-30T18:19:37",
    ),
    "ja.txt": (
        [
            ("てからも、ちか子は少しぼんやり茶をたてた。", "茶室の場面。"),
            ("鎌倉の円覚寺の境内にはいっても、菊治は茶会へ行こうか行くまいかと迷っていた。", ""),
            ("全角の区切りの記録。", ""),
        ],
        "2019-03-01T10:00:00",
    ),
}  # fmt: skip


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_database(tmp_path / "library.sqlite3")
    yield connection
    connection.close()


def _stored(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    rows = conn.execute("SELECT quote, note, created_at FROM highlights ORDER BY id").fetchall()
    return [(str(q), str(n), str(c)) for q, n, c in rows]


def test_every_layout_has_a_file_and_an_expectation() -> None:
    files = {p.name for p in DATA.glob("*.txt")} - {"unreadable.txt"}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_layout_imports_every_highlight_and_note_once(
    name: str, conn: sqlite3.Connection
) -> None:
    expected, first_time = EXPECTED[name]
    read = read_import_file(DATA / name)
    assert (read.kind, read.problems) == ("kindle", [])
    result = import_annotations(conn, read.items, source="kindle")
    assert (result.imported, result.problems) == (len(expected), [])
    stored = _stored(conn)
    assert sorted((q, n) for q, n, _ in stored) == sorted(expected)
    # The device's local time, as written: no zone is made up for it.
    assert stored[0][2] == first_time
    again = import_annotations(conn, read_import_file(DATA / name).items, source="kindle")
    assert (again.imported, again.duplicates) == (0, len(expected))
    assert len(_stored(conn)) == len(expected)


def test_unreadable_records_are_reported_once_with_their_lines() -> None:
    report = parse_clippings((DATA / "unreadable.txt").read_text("utf-8"))
    assert [c.text for c in report.clippings] == [
        "It is a truth universally acknowledged.",
        "Mr. Bennet was so odd a mixture of quick parts.",
    ]
    assert report.problems == [
        "record 2 (line 6): “Something odd happened here | Added on Monday, April 21, 20…”"
        " is not a highlight, note or bookmark",
        "record 3 (line 11): it has no details line (kind, location, date)",
        "record 4 (line 13): the highlight has no text",
    ]


def test_the_command_imports_every_layout_and_a_second_run_adds_nothing(
    tmp_path: Path,
) -> None:
    profile = tmp_path / "profile"
    every = tmp_path / "My Clippings.txt"
    every.write_text(
        "".join((DATA / name).read_text("utf-8") for name in sorted(EXPECTED)), "utf-8"
    )
    total = sum(len(expected) for expected, _ in EXPECTED.values())
    first = run_cli(profile, "import", str(every))
    assert (first.returncode, first.stderr) == (0, "")
    # One duplicate: the earlier record of the re-done highlight in en_kindle.txt.
    assert (
        first.stdout == f"Imported {total} annotations ({total} orphaned, 1 duplicates skipped).\n"
    )
    with sqlite3.connect(AppPaths.for_profile(profile).database) as db:
        stored = sorted(db.execute("SELECT quote, note FROM highlights").fetchall())
    assert stored == sorted(pair for expected, _ in EXPECTED.values() for pair in expected)
    second = run_cli(profile, "import", str(every))
    assert (second.returncode, second.stderr) == (0, "")
    assert (
        second.stdout == f"Imported 0 annotations (0 orphaned, {total + 1} duplicates skipped).\n"
    )


def test_the_command_reports_each_unreadable_record_once(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "profile", "import", str(DATA / "unreadable.txt"))
    assert result.returncode == 2
    assert result.stdout.startswith("Imported 2 annotations")
    lines = result.stderr.splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "record 2 (line 6)",
        "record 3 (line 11)",
        "record 4 (line 13)",
    ]
    assert all(line.startswith("unreadable.txt: ") for line in lines)


@pytest.mark.parametrize(
    ("details", "kind", "location", "added"),
    [
        ("- 위치 123-124의 하이라이트 | 추가됨: 2024년 1월 1일 월요일 오후 10:30:45", "highlight",
         (123, 124), "2024-01-01T22:30:45"),
        ("- 12페이지 | 위치 123의 메모 | 추가됨: 2024년 1월 1일 월요일 오전 12:30:45", "note",
         (123, 123), "2024-01-01T00:30:45"),
        ("- 位置No. 38-39のハイライト |作成日: 2019年3月1日金曜日 午後10:00:00", "highlight", (38, 39),
         "2019-03-01T22:00:00"),
        ("- O seu destaque na página 5 | posição 70-71 | Adicionado em segunda-feira, 1 de janeiro"
         " de 2018 10:00:00", "highlight", (70, 71), "2018-01-01T10:00:00"),
        ("- Tu subrayado en la posición 123-124 | Agregado el martes, 2 de enero de 2018 9:00:00",
         "highlight", (123, 124), "2018-01-02T09:00:00"),
        ("- Votre extrait à l'emplacement 1-20 | Ajouté le mardi 2 janvier 2018 09:00:00",
         "highlight", (1, 20), "2018-01-02T09:00:00"),
        ("- Your Highlight at Location 170-172", "highlight", (170, 172), ""),
    ],
)  # fmt: skip
def test_the_words_of_more_layouts(
    details: str, kind: str, location: tuple[int, int], added: str
) -> None:
    report = parse_clippings(f"A Book (An Author)\n{details}\n\nThe text.\n==========\n")
    assert report.problems == []
    (clip,) = report.clippings
    assert (clip.kind, clip.location, clip.added) == (kind, location, added)


@pytest.mark.parametrize(
    "body",
    [
        "<You have reached the clipping limit for this item>",
        "<Sie haben das Markierungslimit für diesen Titel erreicht>",
        "<Has alcanzado el límite de recortes de este libro>",
    ],
)
def test_a_clipping_limit_in_any_language_is_reported_not_imported(body: str) -> None:
    report = parse_clippings(
        f"A Book (An Author)\n- Your Highlight at location 7-8 | Added on Monday, 1 January"
        f" 2018 10:00:00\n\n{body}\n==========\n"
    )
    assert report.clippings == []
    assert report.problems == [
        "record 1 (line 1): Kindle did not save this highlight's text (the book's clipping limit)"
    ]

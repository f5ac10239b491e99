"""The KF8 contents as rebuilt from each entry's parent (reader_app/core/loaders/mobi_unpack.py)."""

from __future__ import annotations

from typing import Any

from lxml import etree

from reader_app.core.loaders.mobi_unpack import k8_ncx

NS = "{http://www.daisy.org/z3986/2005/ncx/}"


def _entry(text: str, parent: int, pos: int, name: str = "part0001.xhtml", tag: str = "") -> Any:
    return {"text": text, "parent": parent, "pos": pos, "filename": name, "idtag": tag}


def _tree(xml: str) -> list[Any]:
    root = etree.fromstring(xml.encode("utf-8"))

    def points(parent: Any) -> list[Any]:
        return [
            (p.findtext(f"{NS}navLabel/{NS}text"), p.find(f"{NS}content").get("src"), points(p))
            for p in parent.findall(f"{NS}navPoint")
        ]

    return points(root.find(f"{NS}navMap"))


def test_headings_without_a_place_take_their_first_childs_and_siblings_are_in_reading_order() -> (
    None
):
    # As calibre writes a nav whose author headings link nowhere: pointed at the book's start.
    entries = [
        _entry("Part", -1, 100, "part0002.xhtml", "p"),
        _entry("Author", 0, 5, "part0000.xhtml"),
        _entry("Bibliography", 0, 150, "part0003.xhtml", "b"),
        _entry("Story & Tale", 1, 300, "part0005.xhtml", "s"),
    ]
    assert _tree(k8_ncx(entries, "Book <1>", "en")) == [
        (
            "Part",
            "Text/part0002.xhtml#p",
            [
                ("Bibliography", "Text/part0003.xhtml#b", []),
                (
                    "Author",
                    "Text/part0005.xhtml#s",
                    [("Story & Tale", "Text/part0005.xhtml#s", [])],
                ),
            ],
        )
    ]


def test_cycles_bad_parents_and_deep_chains_end() -> None:
    entries = [
        _entry("Loop A", 1, 10),
        _entry("Loop B", 0, 20),
        _entry("Self", 2, 30),
        _entry("Nowhere", 99_999, 40),
        _entry("Odd", "x", 50),  # type: ignore[arg-type]
    ]
    # A chain of 5,000 entries, each the child of the one before.
    entries += [
        _entry(f"Level {n}", len(entries) + n - 1 if n else -1, 60 + n) for n in range(5000)
    ]
    tree = _tree(k8_ncx(entries, "t", "en"))
    assert [title for title, _src, _kids in tree] == ["Self", "Nowhere", "Odd", "Level 0"]
    depth, node = 0, tree[-1]
    while node[2]:
        depth, node = depth + 1, node[2][0]
    assert depth == 20

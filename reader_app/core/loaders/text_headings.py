"""Headings of a plain-text book: which paragraphs are chapter and part titles."""

from __future__ import annotations

import bisect
import collections
import itertools
from dataclasses import dataclass, replace

from reader_app.core.loaders.heading_shapes import (
    CHAPTER,
    PART,
    Shape,
    may_be_heading,
    read_shape,
)


@dataclass(slots=True)
class Para:
    """A paragraph of a plain-text book: its lines and the blank lines before it."""

    lines: list[str]
    gap: int  # blank lines before it


@dataclass(slots=True, frozen=True)
class Heading:
    """A heading found in the text: its level and how many paragraphs it spans.

    Level 0 marks a front-matter title (ADVERTISEMENT, ETYMOLOGY…); 1 a part, book or act;
    2 a chapter, scene or letter. A heading spans more than one paragraph when its title
    stands under its number after a blank line (``CHAPTER I.`` / ``The Period``).
    """

    level: int
    span: int = 1


def find_headings(paras: list[Para]) -> dict[int, Heading]:
    """The headings among ``paras``, by the index of their first paragraph.

    Lines shaped like headings are grouped into families (``CHAPTER`` + number, a bare
    numeral, ``— I —``, a date…). A family counts when it behaves like one through the
    book: keyword families from two members on, numeral families only when their numbers
    run in sequence (restarting at one only after a part heading). Entries of a contents
    list (many headings with nothing between them) are never headings. A title standing
    under its number belongs to the heading when most of the family has one.
    """
    shapes = _candidates(paras)
    tops = {i: 1 if s.rank < CHAPTER else 2 for i, s in shapes.items()}
    kept = _drop_contents_lists(tops, paras)
    shapes = {i: s for i, s in shapes.items() if i in kept}
    offsets = list(itertools.accumulate((sum(map(len, p.lines)) for p in paras), initial=0))
    chosen = _choose_families(shapes, offsets)
    chosen.update((i, s) for i, s in shapes.items() if s.rank == 0)
    chosen = _drop_listed(chosen, shapes, paras)
    chosen = _drop_short_runs(chosen, offsets)
    _move_to_body(chosen, paras)
    _fill_parts(chosen, shapes)
    spans = _title_spans({i: s for i, s in chosen.items() if s.rank}, paras)
    absorbed = {i + k for i, span in spans.items() for k in range(1, span)}
    matter = {i: s for i, s in chosen.items() if s.rank == 0 and i not in absorbed}
    chosen = {i: s for i, s in chosen.items() if s.rank and i not in absorbed}
    levels = _levels(chosen, matter, paras)
    numerals = {i for i, s in shapes.items() if s.family.startswith("num:")}
    levels.update(_verse_titles(paras, levels, absorbed | numerals))
    levels.update(_gap_titles(paras, levels, absorbed | numerals))
    return {i: Heading(level, spans.get(i, 1)) for i, level in sorted(levels.items())}


def _candidates(paras: list[Para]) -> dict[int, Shape]:
    """Paragraphs shaped like a heading: a short first line, at most a few short lines."""
    found: dict[int, Shape] = {}
    for index, para in enumerate(paras):
        lines = para.lines
        if len(lines) > 3 or (para.gap < 1 and index):
            continue
        first = lines[0]
        if len(first) > 100 or not may_be_heading(first.lstrip()):
            continue
        if any(len(line.strip()) > 80 for line in lines[1:]):
            continue
        shape = read_shape(" ".join(first.split()))
        if shape is None or (len(lines) > 1 and shape.family == "date"):
            continue
        # A title on the line and more under it is prose, unless a long title wraps.
        wrapped = len(lines) == 2 and len(first) >= 55 and bool(shape.title)
        if len(lines) > 1 and (shape.title or shape.rank == 0) and not wrapped:
            continue
        found[index] = shape
    return found


def _choose_families(shapes: dict[int, Shape], offsets: list[int]) -> dict[int, Shape]:
    """The members of every family that behaves like a family of headings.

    Keyword families (``CHAPTER``, ``BOOK``…) count from two members on; numbered lines
    without a keyword only when their numbers run in sequence through the book, and
    only where no keyword names the chapters.
    """
    families: dict[str, list[int]] = {}
    for index, shape in shapes.items():
        if shape.rank:
            families.setdefault(shape.family, []).append(index)
    chosen: dict[int, Shape] = {}
    keyword = {f: m for f, m in families.items() if not f.startswith(("num:", "date"))}
    for members in keyword.values():
        if len(members) >= 2:
            chosen.update((i, shapes[i]) for i in members)
    single = [m[0] for m in keyword.values() if len(m) == 1 and shapes[m[0]].rank < CHAPTER]
    tops = sorted([*(i for i, s in chosen.items() if s.rank < CHAPTER), *single])
    named = [i for i, s in chosen.items() if s.rank == CHAPTER]
    best, outer = _numbered(families, shapes, offsets, tops)
    if len(named) >= 3 or len(named) >= len(best):
        best, outer = [], []
    else:
        # Two lines that happen to read "Letter II." are no match for numbered chapters.
        for index in named:
            del chosen[index]
    chosen.update((i, shapes[i]) for i in best)
    chosen.update((i, replace(shapes[i], rank=PART)) for i in outer)
    _add_single_tops(chosen, shapes, single)
    return chosen


def _numbered(
    families: dict[str, list[int]], shapes: dict[int, Shape], offsets: list[int], tops: list[int]
) -> tuple[list[int], list[int]]:
    """The best family of numbered lines with no keyword, and a family of parts over it."""
    numerals = sorted(
        (m for f, m in families.items() if f.startswith("num:")), key=len, reverse=True
    )
    best: list[int] = []
    for members in numerals:
        if len(members) < 3 or len(members) <= len(best) or not _covers(members, offsets):
            continue
        if _in_sequence(members, shapes, tops):
            best = members
    # Two numbered families, one inside the other: "— I —" parts of "[ 1 ]" episodes
    # numbered on through the parts.
    outer = next((o for o in numerals if o is not best and _nests(o, best, shapes)), [])
    dates = families.get("date", [])
    # Letters headed by their dates; a time alone ("Night.") joins only dated ones.
    dated = sum(1 for i in dates if shapes[i].keyword != "time")
    if dated >= 3 and 2 * dated >= len(dates) and len(dates) > len(best):
        return dates, []
    return best, outer


def _add_single_tops(chosen: dict[int, Shape], shapes: dict[int, Shape], single: list[int]) -> None:
    """A lone PART or BOOK heading counts when chapters follow it."""
    chapters = [i for i, s in chosen.items() if s.rank == CHAPTER]
    for index in single:
        if any(i > index for i in chapters):
            chosen[index] = shapes[index]


def _nests(outer: list[int], inner: list[int], shapes: dict[int, Shape]) -> bool:
    """Whether ``outer`` numbers divisions that each hold some of ``inner``."""
    if len(outer) < 2 or len(outer) >= len(inner) or not _in_sequence(outer, shapes, []):
        return False
    bounds = [*outer, 1 << 62]
    return all(
        bisect.bisect_left(inner, start) < bisect.bisect_left(inner, end)
        for start, end in itertools.pairwise(bounds)
    )


def _drop_listed(
    chosen: dict[int, Shape], shapes: dict[int, Shape], paras: list[Para]
) -> dict[int, Shape]:
    """Drop the entries of a contents list that stand as paragraphs between other lines.

    Before the first heading with text under it, a heading that comes again later in the
    book (the same family and number) is an entry of the contents list. Lines of a list
    that end in page numbers are not text.
    """
    order = sorted(shapes)
    first = len(paras)
    for n, index in enumerate(order):
        end = order[n + 1] if n + 1 < len(order) else len(paras)
        lines = (line for p in paras[index + 1 : end] for line in p.lines)
        if sum(1 for line in lines if _text_line(line)) >= 3:
            first = index
            break

    def key(index: int) -> tuple[str, int | str]:
        shape = chosen[index]
        number = shape.number
        if number is not None:
            return shape.family, number
        return shape.family, " ".join(paras[index].lines[0].split()).casefold()

    last = {key(i): i for i in sorted(chosen)}
    return {i: s for i, s in chosen.items() if i >= first or last[key(i)] == i}


def _move_to_body(chosen: dict[int, Shape], paras: list[Para]) -> None:
    """Move a part heading seen only in the contents to the line that names it in the text.

    ``PART 2`` listed in the contents before the first chapter, and ``LITTLE WOMEN PART 2``
    standing alone before a later chapter: the line in the text is the heading.
    """
    order = sorted(chosen)
    chapters = [i for i in order if chosen[i].rank == CHAPTER]
    if not chapters:
        return
    texts = {i: " ".join(paras[i].lines[0].split()).casefold() for i in order}
    seen = collections.Counter(texts.values())
    listed = [
        i for i in order if i < chapters[0] and 0 < chosen[i].rank < CHAPTER and seen[texts[i]] == 1
    ]
    if not listed:
        return
    lines = [
        (i, " ".join(p.lines[0].split()).casefold())
        for i, p in enumerate(paras[chapters[0] + 1 :], chapters[0] + 1)
        if len(p.lines) == 1 and len(p.lines[0]) <= 60 and p.gap >= 2 and i not in chosen
    ]
    for index in listed:
        for candidate, line in lines:
            if not line.endswith(" " + texts[index]):
                continue
            following = bisect.bisect_right(chapters, candidate)
            # It stands right before a chapter: no other heading between them.
            if following < len(chapters) and not any(
                candidate < i < chapters[following] for i in order
            ):
                chosen[candidate] = chosen.pop(index)
            break


def _covers(members: list[int], offsets: list[int]) -> bool:
    """Numbered sections that run through the book, not the parts of one poem or a list.

    They span a good part of the text; what follows the last of them may be a long last
    section, or notes, but not most of the book.
    """
    span = offsets[members[-1]] - offsets[members[0]]
    tail = offsets[-1] - offsets[members[-1]]
    return span >= 0.3 * offsets[-1] and tail <= max(4 * span / (len(members) - 1), 20_000)


def _drop_short_runs(chosen: dict[int, Shape], offsets: list[int]) -> dict[int, Shape]:
    """Drop a list of headings that the book repeats as its real headings.

    A family numbered 1, 2, 3… that starts again at 1 with no part heading before it, after
    a run far shorter than the run that follows, listed its headings first (a contents
    list with a line or two about each chapter).
    """
    families: dict[str, list[int]] = {}
    for index in sorted(chosen):
        if chosen[index].rank:
            families.setdefault(chosen[index].family, []).append(index)
    dropped: set[int] = set()
    for members in families.values():
        rank = chosen[members[0]].rank
        tops = sorted(i for i, s in chosen.items() if 0 < s.rank < rank)
        runs: list[list[int]] = [[members[0]]]
        for previous, index in itertools.pairwise(members):
            number = chosen[index].number
            restart = number == 1 and bisect.bisect_left(tops, index) == bisect.bisect_left(
                tops, previous
            )
            if restart:
                runs.append([])
            runs[-1].append(index)
        for run, following in itertools.pairwise(runs):
            end = following[-1] if len(following) > 1 else len(offsets) - 1
            length = offsets[following[0]] - offsets[run[0]]
            if len(run) >= 2 and 5 * length < offsets[end] - offsets[following[0]]:
                dropped.update(run)
    return {i: s for i, s in chosen.items() if i not in dropped}


def _text_line(line: str) -> bool:
    """A line of text, not an entry of a list of headings (with or without page numbers)."""
    return not line[-1].isdigit() and read_shape(" ".join(line.split())) is None


def _in_sequence(members: list[int], shapes: dict[int, Shape], tops: list[int]) -> bool:
    """Numbers that count up by one, starting again at one only after a part heading.

    A slip in the numbering is forgiven now and then; a count that starts again with no
    part heading before it is not: those are the sections of something else (a poem).
    """
    slips = 0
    previous: int | None = None
    for n, index in enumerate(members):
        number = shapes[index].number
        if n and number is not None and previous is not None and number != previous + 1:
            if number == 1 and number <= previous:
                if bisect.bisect_left(tops, index) == bisect.bisect_left(tops, members[n - 1]):
                    return False
            else:
                slips += 1
        previous = number
    first = shapes[members[0]].number
    return (first is None or first <= 2) and slips <= max(1, (len(members) - 1) // 8)


def _fill_parts(chosen: dict[int, Shape], shapes: dict[int, Shape]) -> None:
    """A part with no chapter headings may number its sections with bare numerals.

    ``EPILOGUE`` followed by ``I`` and ``II`` in a book of ``CHAPTER I`` headings.
    """
    chapters = sorted(i for i, s in chosen.items() if s.rank == CHAPTER)
    if not chapters:
        return
    tops = sorted(
        [i for i, s in chosen.items() if s.rank < CHAPTER]
        + [i for i, s in shapes.items() if s.rank == 0 and i > chapters[0]]
    )
    ends = [*tops[1:], 1 << 62][: len(tops)]
    for top, end in zip(tops, ends, strict=True):
        if any(top < i < end for i in chapters):
            continue
        numerals = sorted(
            i for i, s in shapes.items() if top < i < end and s.family.startswith("num:")
        )
        if len(numerals) >= 2 and _in_sequence(numerals, shapes, []):
            chosen.update((i, shapes[i]) for i in numerals)


def _title_spans(chosen: dict[int, Shape], paras: list[Para]) -> dict[int, int]:
    """Headings whose title stands in the next paragraph, and how many paragraphs they span."""
    families: dict[str, list[int]] = {}
    inline = {shape.family for shape in chosen.values() if shape.title}
    for index, shape in chosen.items():
        # In a family where some headings carry their title, the others have none.
        if shape.family not in inline and len(paras[index].lines) == 1:
            families.setdefault(shape.family, []).append(index)
    spans: dict[int, int] = {}
    for members in families.values():
        titled = [i for i in members if _title_like(paras, i + 1, chosen)]
        if len(titled) * 5 >= len(members) * 3:
            spans.update((i, 2) for i in titled)
    return spans


def _title_like(paras: list[Para], index: int, chosen: dict[int, Shape]) -> bool:
    # A title leaves text under the heading: "CHAPTER 4" and one line is no title.
    if index + 1 >= len(paras) or index in chosen or index + 1 in chosen:
        return False
    para = paras[index]
    if len(para.lines) > 4 or any(len(line.strip()) > 80 for line in para.lines):
        return False
    text = " ".join(" ".join(para.lines).split())
    if len(text) > 320 or para.gap > 3:
        return False
    gap_after = paras[index + 1].gap if index + 1 < len(paras) else 9
    letters = [c for c in text if c.isalpha()]
    capitals = bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
    if gap_after > para.gap or capitals:
        return True
    return len(para.lines) == 1 and text[-1] not in ".,;:!?\"”’'»"


def _levels(
    chosen: dict[int, Shape], matter: dict[int, Shape], paras: list[Para]
) -> dict[int, int]:
    """Levels in the contents tree: outer divisions 1, then down to the chapters."""
    if not chosen:
        return {}
    ranks = sorted({s.rank for s in chosen.values()} | {CHAPTER})
    level_of = {rank: n + 1 for n, rank in enumerate(ranks)}
    if len(ranks) == 1:
        level_of[CHAPTER] = 2
    levels = {i: level_of[s.rank] for i, s in chosen.items()}
    order = sorted(chosen)
    first = order[0]
    chapter_level = level_of[CHAPTER]
    for index in matter:
        if len(paras[index].lines) > 1:
            continue
        if index < first:
            levels[index] = 0
            continue
        # An epilogue with chapters under it is a part; one without is a chapter.
        after = order[bisect.bisect_right(order, index) :]
        next_heading = after[0] if after else None
        has_children = next_heading is not None and levels[next_heading] == chapter_level
        levels[index] = 1 if has_children and chapter_level > 1 else chapter_level
    return levels


def _verse_titles(paras: list[Para], chosen: dict[int, int], absorbed: set[int]) -> dict[int, int]:
    """Titles of poems in a book of verse: flush-left lines over indented verse.

    Only in books of parts with no chapters found in them, and where nearly all the text
    is indented, so that a line at the margin stands out as a title.
    """
    if not any(level == 1 for level in chosen.values()) or any(
        level >= 2 for level in chosen.values()
    ):
        return {}
    indented = sum(1 for p in paras if p.lines[0].startswith(" "))
    if indented < 0.8 * len(paras) or len(paras) < 20:
        return {}
    titles: dict[int, int] = {}
    for index, para in enumerate(paras[:-1]):
        line = para.lines[0]
        if index in chosen or index in absorbed or line.startswith(" ") or len(para.lines) > 2:
            continue
        following = paras[index + 1]
        if para.gap < 2 or len(line) > 75 or not following.lines[0].startswith(" "):
            continue
        initial = next((c for c in line if c.isalpha()), "")  # past an opening quote
        if index + 1 in chosen or not initial.isupper():
            continue
        titles[index] = 2
    return titles if len(titles) >= 3 else {}


def _gap_titles(paras: list[Para], chosen: dict[int, int], absorbed: set[int]) -> dict[int, int]:
    """Front matter, and books made only of titled pieces (poems).

    They are cut where a capitalised title stands after a wide gap and has some text
    under it.
    """
    first = min(chosen) if chosen else len(paras)
    candidates = [
        i
        for i, p in enumerate(paras[:first])
        if _gap_heading(p) and i not in chosen and i not in absorbed
    ]
    bounds = sorted([*candidates, *chosen, len(paras)])
    gaps: dict[int, int] = {}
    for i in candidates:
        end = bounds[bisect.bisect_right(bounds, i)]
        if sum(len("".join(p.lines)) for p in paras[i + 1 : end]) >= 200:
            gaps[i] = 0 if chosen else 2
    return gaps if len(gaps) + len(chosen) >= 2 else {}


def _gap_heading(para: Para) -> bool:
    if para.gap < 3 or len(para.lines) > 4:
        return False
    joined = " ".join(line.strip() for line in para.lines)
    letters = [c for c in joined if c.isalpha()]
    if not letters or len(joined) > 250 or any(len(line.strip()) > 75 for line in para.lines):
        return False
    return sum(c.isupper() for c in letters) >= 0.6 * len(letters)


def _drop_contents_lists(headings: dict[int, int], paras: list[Para]) -> dict[int, int]:
    """Remove headings that are lines of a table of contents.

    A contents list looks like many headings in a row with (almost) nothing between
    them. Its entries come before the real headings they name, so a top-level heading
    right after the list whose text comes again later (``Epilogue``) belongs to it too;
    a trailing top-level heading that does not come again (``BOOK ONE``) is real.
    """
    order = sorted(headings)
    texts = [" ".join(paras[i].lines[0].split()).casefold() for i in order]
    last_seen = {text: n for n, text in enumerate(texts)}
    empty: list[bool] = []
    for n, index in enumerate(order):
        end = order[n + 1] if n + 1 < len(order) else len(paras)
        body = sum(len("".join(p.lines).strip()) for p in paras[index + 1 : end])
        empty.append(body < 40)

    def recurs(n: int) -> bool:
        # Looked up, not searched: a book of many headings would make a search quadratic.
        return last_seen[texts[n]] > n

    result = dict(headings)
    n = 0
    while n < len(order):
        if not empty[n]:
            n += 1
            continue
        run_end = n
        while run_end < len(order) and empty[run_end]:
            run_end += 1
        if run_end - n >= 4:
            keep_from = run_end
            while (
                keep_from > n and headings[order[keep_from - 1]] == 1 and not recurs(keep_from - 1)
            ):
                keep_from -= 1
            drop = list(range(n, keep_from))
            after = run_end
            while (
                keep_from == run_end
                and after < len(order)
                and headings[order[after]] == 1
                and recurs(after)
            ):
                drop.append(after)
                after += 1
            for k in drop:
                del result[order[k]]
            run_end = max(run_end, after)
        n = run_end
    return result

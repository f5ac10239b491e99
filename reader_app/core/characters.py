"""Who speaks in a book: speaker names gathered into characters, and what their voices carry.

The model names a speaker as the passage or its context does, so one person arrives as
"Mr. Darcy", "Darcy" and "Fitzwilliam Darcy". Names are gathered per book by what they
share:

* the same name written differently ("Mr Darcy", "mr. darcy") is one name;
* a shorter name joins the one longer name that holds all its words ("Darcy" and
  "Mr. Darcy" join "Fitzwilliam Darcy"; "Elizabeth" joins "Elizabeth Bennet");
* a title is part of who someone is: "Mrs. Bennet" never joins "Mr. Bennet", and a titled
  family name ("Mr. Bennet") joins an untitled full name only when the book has no other
  title with that name (where "Mrs. Bennet" is also met, "Mr. Bennet" is left alone rather
  than joined to "Elizabeth Bennet");
* a short name that fits two people ("Bennet" with "Jane Bennet" and "Elizabeth Bennet")
  stays on its own.

"narrator" and "unknown" are never joined to anyone.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from reader_app.core.annotations import Annotation

NARRATOR = "narrator"
UNKNOWN = "unknown"
# Titles that stand before a name; each is kept as part of who is meant.
_TITLE_WORDS = """mr mrs miss ms mx dr sir lady lord madam madame mme monsieur m mlle
mademoiselle herr frau fräulein señor señora señorita don doña signor signora colonel col
captain capt general major lieutenant lt sergeant father mother sister brother aunt uncle
prince princess count countess duke duchess king queen professor prof rev reverend saint st"""
TITLES = frozenset(_TITLE_WORDS.split())
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
TOP = 3  # emotions, tone labels and addressees shown per character


@dataclass(frozen=True, slots=True)
class _Name:
    raw: str
    title: str  # "" when there is none
    words: tuple[str, ...]  # the name's other words, case-folded

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.title, self.words


def _parse(name: str) -> _Name:
    words = [w.casefold() for w in _WORD.findall(name)]
    title = words[0] if len(words) > 1 and words[0] in TITLES else ""
    return _Name(name, title, tuple(words[1:] if title else words))


def character_names(
    names: Iterable[str], chosen: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Each speaker name met, mapped to the name of the character it belongs to.

    The character's name is the form met most often among its names (the longest of
    equals), so a reader sees the name the book uses. Empty names are left out.

    Args:
        names: the speaker names as the analyses give them (repeats count).
        chosen: the reader's own choices, name → character (renamed, merged or split in
            the Characters window); they win over the rules, and the names they cover
            take no part in the automatic grouping.
    """
    chosen = chosen or {}
    counts = Counter(" ".join(n.split()) for n in names)
    counts.pop("", None)
    mine = {raw: chosen[raw] for raw in counts if raw in chosen}
    for raw in mine:
        del counts[raw]
    return {**_grouped(counts), **mine}


def _grouped(counts: Counter[str]) -> dict[str, str]:
    parsed = {raw: _parse(raw) for raw in counts}
    by_key: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for raw, name in parsed.items():
        if raw.casefold() in (NARRATOR, UNKNOWN) or not name.words:
            by_key[("", (raw.casefold(),))].append(raw)
        else:
            by_key[name.key].append(raw)
    parent = {key: key for key in by_key}

    def root(key: tuple[str, tuple[str, ...]]) -> tuple[str, tuple[str, ...]]:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    titles_of: dict[str, set[str]] = defaultdict(set)
    for title, words in by_key:
        if title:
            titles_of[words[-1]].add(title)
    # The most specific names first, so that by the time a short name looks for its
    # character, the longer forms of that character are already one.
    order = sorted(by_key, key=lambda k: (len(k[1]), bool(k[0])), reverse=True)
    for key in order:
        title, words = key
        if words[0] in (NARRATOR, UNKNOWN) and len(words) == 1 and not title:
            continue
        homes = {
            root(other)
            for other in by_key
            if other != key and _holds(other, key, titles_of) and root(other) != root(key)
        }
        if len(homes) == 1:
            parent[root(key)] = homes.pop()
    members: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for key, raws in by_key.items():
        members[root(key)].extend(raws)
    result: dict[str, str] = {}
    for raws in members.values():
        shown = max(raws, key=lambda r: (counts[r], len(r), r))
        for raw in raws:
            result[raw] = shown
    return result


def _holds(
    longer: tuple[str, tuple[str, ...]],
    shorter: tuple[str, tuple[str, ...]],
    titles_of: dict[str, set[str]],
) -> bool:
    """Whether the name ``longer`` can be the person the name ``shorter`` means."""
    long_title, long_words = longer
    short_title, short_words = shorter
    if (len(long_words), bool(long_title)) <= (len(short_words), bool(short_title)):
        return False
    if long_words[0] in (NARRATOR, UNKNOWN) and len(long_words) == 1:
        return False
    if not set(short_words) <= set(long_words):
        return False
    if short_title and long_title:
        return short_title == long_title
    if short_title:
        # "Mr. Bennet" may be "Thomas Bennet", unless the family has other titles here.
        return titles_of.get(short_words[-1], set()) == {short_title}
    return True


@dataclass(frozen=True, slots=True)
class VoicePoint:
    """One analysed passage of a character: where it is and what it carries."""

    highlight_id: int
    chapter: int
    start: int
    section: str
    quote: str
    tone: str
    emotion: str  # the dominant one, or ""
    intensity: float
    addressee: str


@dataclass(frozen=True, slots=True)
class Character:
    """A character's voice across the analysed passages of one book.

    Attributes:
        name: the name shown.
        aliases: every other name the analyses gave them.
        passages: how many analysed passages they speak.
        emotions: the dominant emotions, strongest in sum first, with their share (0–1).
        tones: the most frequent tone labels with their counts.
        addressees: to whom they speak most, with counts.
        points: each passage in reading order, for a timeline.
    """

    name: str
    aliases: tuple[str, ...]
    passages: int
    emotions: tuple[tuple[str, float], ...]
    tones: tuple[tuple[str, int], ...]
    addressees: tuple[tuple[str, int], ...]
    points: tuple[VoicePoint, ...]

    @property
    def dominant_emotion(self) -> str:
        """The emotion this character carries most, or ""."""
        return self.emotions[0][0] if self.emotions else ""


def characters_of(
    annotations: Sequence[Annotation], chosen: Mapping[str, str] | None = None
) -> list[Character]:
    """The speakers of a book's analysed annotations, most passages first.

    Passages whose speaker is unknown, or whose analysis predates speakers, are left out.
    ``chosen`` is the reader's own grouping of names (see :func:`character_names`).
    """
    spoken = [a for a in annotations if a.analysis is not None and a.tone_result.speaker]
    names = character_names((a.tone_result.speaker for a in spoken), chosen)
    groups: dict[str, list[Annotation]] = defaultdict(list)
    for annotation in spoken:
        shown = names[" ".join(annotation.tone_result.speaker.split())]
        if shown.casefold() != UNKNOWN:
            groups[shown].append(annotation)
    addressee_names = character_names((a.tone_result.addressee for a in spoken), chosen)
    found = [_character(name, items, names, addressee_names) for name, items in groups.items()]
    return sorted(found, key=lambda c: (-c.passages, c.name.casefold()))


def _character(
    name: str, items: list[Annotation], names: dict[str, str], addressees: dict[str, str]
) -> Character:
    items = sorted(items, key=lambda a: (a.chapter, a.start))
    weights: dict[str, float] = defaultdict(float)
    tones: Counter[str] = Counter()
    toward: Counter[str] = Counter()
    points = []
    for annotation in items:
        result = annotation.tone_result
        for emotion in result.emotions:
            weights[emotion.name] += emotion.intensity
        if result.tone:
            tones[result.tone] += 1
        addressee = addressees.get(" ".join(result.addressee.split()), "")
        if addressee:
            toward[addressee] += 1
        top = result.emotions[0] if result.emotions else None
        point = VoicePoint(
            annotation.highlight_id, annotation.chapter, annotation.start,
            annotation.section, annotation.quote, result.tone,
            top.name if top else "", top.intensity if top else 0.0, addressee,
        )  # fmt: skip
        points.append(point)
    total = sum(weights.values()) or 1.0
    aliases = sorted({raw for raw, shown in names.items() if shown == name and raw != name})
    return Character(
        name=name,
        aliases=tuple(aliases),
        passages=len(items),
        emotions=tuple((e, round(w / total, 3)) for e, w in _strongest(weights)),
        tones=tuple(tones.most_common(TOP)),
        addressees=tuple(toward.most_common(TOP)),
        points=tuple(points),
    )


def _strongest(weights: dict[str, float]) -> list[tuple[str, float]]:
    return sorted(weights.items(), key=lambda pair: -pair[1])[:TOP]

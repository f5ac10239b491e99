"""The shapes of heading lines in public-domain texts, in five languages.

One line is read into a :class:`Shape`: the heading's family (``CHAPTER`` + number, a bare
Roman numeral, ``— I —``, a letter's date…), its rank (volume, part, book, chapter) and
its number, if the number can be read. Whether a line that has a heading's shape really
is a heading is decided for the whole family, elsewhere (text_headings.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VOLUME, PART, BOOK, CHAPTER = 1, 2, 3, 4  # ranks, outermost first


def _word_set(*groups: str) -> frozenset[str]:
    return frozenset(word for group in groups for word in group.split())


# Every keyword, case-folded, with its family name and rank.
_KEYWORDS: dict[str, tuple[str, int]] = {}
for _group, _family, _rank in (
    ("volume vol tome tomo band volumen", "volume", VOLUME),
    ("part partie teil theil parte", "part", PART),
    ("act acte akt aufzug acto jornada atto", "act", PART),
    ("book livre buch libro", "book", BOOK),
    ("chapter chap chapitre kapitel capítulo capitulo capitolo", "chapter", CHAPTER),
    ("scene scène szene auftritt escena scena", "scene", CHAPTER),
    ("letter lettre brief carta lettera", "letter", CHAPTER),
    ("adventure aventure stave canto episode épisode", "episode", CHAPTER),
):
    for _word in _group.split():
        _KEYWORDS[_word] = (_family, _rank)

# Headings that carry no number: front and back matter, prologues and epilogues.
_UNNUMBERED = _word_set(
    "prologue epilogue preface introduction foreword afterword conclusion postscript",
    "appendix interlude induction envoi préface avant-propos épilogue vorwort einleitung nachwort",
    "epilog prolog vorrede prólogo prologo epílogo epilogo prefacio introducción prefazione",
    "introduzione",
)

_ROMAN = re.compile(r"^M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}

_UNITS = {
    # English cardinals and ordinals
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "last": 0,
    # French
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "premier": 1, "première": 1,
    "seconde": 2, "deuxième": 2, "troisième": 3, "quatrième": 4, "cinquième": 5,
    "sixième": 6, "septième": 7, "huitième": 8, "neuvième": 9, "dixième": 10,
    # German
    "eins": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7,
    "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12,
    # Spanish
    "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "once": 11, "doce": 12, "primero": 1, "primera": 1, "segundo": 2,
    "segunda": 2, "tercero": 3, "tercera": 3, "cuarto": 4, "cuarta": 4, "quinto": 5,
    "quinta": 5, "sexto": 6, "sexta": 6, "séptimo": 7, "séptima": 7, "octavo": 8,
    "octava": 8, "noveno": 9, "novena": 9, "décimo": 10, "décima": 10, "único": 1,
    # Italian
    "tre": 3, "quattro": 4, "sei": 6, "sette": 7, "otto": 8, "nove": 9, "dieci": 10,
    "primo": 1, "prima": 1, "secondo": 2, "seconda": 2, "terzo": 3, "terza": 3, "quarto": 4,
    "quarta": 4,
    "sesto": 6, "sesta": 6, "settimo": 7, "settima": 7, "ottavo": 8, "ottava": 8, "nono": 9,
    "nona": 9, "decimo": 10, "decima": 10,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "twentieth": 20, "thirtieth": 30, "fortieth": 40,
    "fiftieth": 50, "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90,
}  # fmt: skip
_GERMAN_STEMS = {
    "er": 1, "ers": 1, "ein": 1, "zwei": 2, "drit": 3, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6,
    "sieb": 7, "sieben": 7, "ach": 8, "acht": 8, "neun": 9, "zehn": 10, "elf": 11,
    "zwölf": 12, "zwanzig": 20, "dreißig": 30, "dreissig": 30, "vierzig": 40,
    "fünfzig": 50, "sechzig": 60,
}  # fmt: skip
# Ordinal words by their ending, where the word itself is not listed: "Sechsunddreißigstes",
# "vingt-troisième", "undicesimo", "vigésimo", "twenty-third".
_ORDINAL_ENDING = re.compile(
    r"^[^\W\d_][^\W\d_-]*(?:-[^\W\d_]+)*"
    r"(?:te|tes|ter|ten|ste|stes|ster|sten|ième|ieme|esimo|esima|ésimo|ésima|th|st|nd|rd)$",
    re.IGNORECASE,
)
_MONTHS = _word_set(
    "january february march april may june july august september october november",
    "december janvier février fevrier mars avril mai juin juillet août aout septembre octobre",
    "novembre décembre decembre januar jänner februar märz juni juli oktober dezember enero",
    "febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre",
    "diciembre gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre",
)
_DATE = re.compile(
    r"^(?:(?:am|le|el|il)\s+)?(?:(?P<day1>\d{1,2})(?:\.|er|º|°)?\s+)?(?P<month>[^\W\d_]+)\.?"
    r"(?:\s+(?P<day2>\d{1,2})(?:st|nd|rd|th)?\b)?(?:,?\s+\d{4})?\s*[.:,]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_TIME_OF_DAY = re.compile(
    r"^(?:(?:the|on the|in the|at|same|next)\s+)*"
    r"(?:day|evening|morning|night|afternoon|noon|midnight|later)[.:]?$",
    re.IGNORECASE,
)
_SPACED = re.compile(r"^(?:[A-Z] ){3,}[A-Z]\b")
_KEYWORD_FIRST = re.compile(r"^(?P<word>[^\W\d_]+)\.?\s*(?P<rest>.*)$")
_NUMERAL_LED = re.compile(
    r"^(?P<pre>[\[(<{—–=*~-]*)\s*(?P<num>[IVXLCDM]+|\d{1,3})\s*(?P<post>[\])>}—–=*~-]*)"
    r"(?P<dot>[.:)]?)(?:\s+|$)(?P<rest>.*)$"
)
_SEPARATOR = re.compile(r"^(?:[.:,;]|\s)*(?:--|—|–|-)?\s*")


def _alternatives(words: frozenset[str] | set[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# A quick look at the start of a line, so that the full reading runs only on lines that
# may be headings (a novel has tens of thousands of short paragraphs of dialogue).
_MAYBE = re.compile(
    r"^(?:[\d\[(<{—–=*~-]|[IVXLCDM]+\b"
    rf"|(?:{_alternatives(set(_KEYWORDS))})"
    rf"|(?:{_alternatives(_UNNUMBERED | _MONTHS)})\b"
    r"|(?:the|on|in|at|same|next|day|evening|morning|night|afternoon|noon|midnight|later)\b"
    rf"|[^\W\d_]+(?:-[^\W\d_]+)?\s+(?:\d|(?:{_alternatives(set(_KEYWORDS) | _UNNUMBERED)})))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Shape:
    """What one line looks like as a heading.

    ``family`` groups lines of the same kind (``chapter``, ``num:[]``, ``date``…); ``rank``
    is VOLUME, PART, BOOK or CHAPTER (0 for unnumbered front or back matter); ``number``
    is the heading's number where it can be read; ``title`` is what follows the number.
    """

    family: str
    rank: int
    number: int | None
    title: str
    keyword: str = ""


def roman_value(token: str) -> int | None:
    """The value of an upper-case Roman numeral, or None."""
    if not token or not _ROMAN.match(token):
        return None
    total = 0
    for n, ch in enumerate(token):
        value = _ROMAN_VALUES[ch]
        following = _ROMAN_VALUES[token[n + 1]] if n + 1 < len(token) else 0
        total += -value if value < following else value
    return total


def word_number(word: str) -> int | None:
    """The value of a number written as a word, or -1 for an ordinal of unknown value."""
    folded = word.casefold().strip(".,:")
    if folded in _UNITS:
        return _UNITS[folded]
    parts = re.split(r"[-\s]+", folded)
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _UNITS:
        return _TENS[parts[0]] + _UNITS[parts[1]]
    if folded in _TENS:
        return _TENS[folded]
    german = _german_ordinal(folded)
    if german is not None:
        return german
    if _ORDINAL_ENDING.match(folded) and len(folded) > 3:
        return -1
    return None


def _german_ordinal(word: str) -> int | None:
    match = re.match(r"^(?:(?P<unit>[^\W\d_]+?)und)?(?P<stem>[^\W\d_]+?)s?t(?:e|es|er|en)?$", word)
    if match is None:
        return None
    stem = _GERMAN_STEMS.get(match.group("stem"))
    if stem is None and match.group("stem").endswith("zehn"):
        unit = _GERMAN_STEMS.get(match.group("stem")[:-4])
        stem = unit + 10 if unit is not None and unit < 10 else None
    if stem is None:
        return None
    unit_word = match.group("unit")
    if unit_word is None:
        return stem
    unit = _GERMAN_STEMS.get(unit_word)
    return stem + unit if unit is not None and unit < 10 else None


def _number_token(text: str) -> tuple[int | None, str] | None:
    """Read a number at the start of ``text``: (value or None, the rest), or None if none."""
    match = re.match(r"^(?:the\s+)?(?P<tok>[^\W_]+(?:-[^\W_]+)?)(?P<rest>.*)$", text, re.I)
    if match is None:
        return None
    token, rest = match.group("tok"), match.group("rest")
    if token.isdigit():
        return (int(token), rest) if len(token) <= 4 else None
    roman = roman_value(token)
    if roman is not None:
        return roman, rest
    value = word_number(token)
    if value is None:
        return None
    return (None if value < 0 else value), rest


def _title_ok(title: str, line: str) -> bool:
    """A heading's inline title starts like a title, not like a sentence going on."""
    if not title:
        return True
    return line.isupper() or not title[0].islower()


def may_be_heading(line: str) -> bool:
    """A quick look: whether ``line`` (stripped at the left) may have a heading's shape."""
    return bool(_MAYBE.match(line) or _SPACED.match(line))


def read_shape(line: str) -> Shape | None:
    """The heading shape of one line (already stripped), or None."""
    if len(line) > 90 or not line:
        return None
    if _SPACED.match(line):  # "C H A P T E R   I", "C H A P.   I"
        line = re.sub(r"\b([A-Z]) (?=[A-Z]\b)", r"\1", line)
    if not _MAYBE.match(line):
        return None
    return _keyword_shape(line) or _numeral_shape(line) or _date_shape(line)


def _keyword_shape(line: str) -> Shape | None:
    match = _KEYWORD_FIRST.match(line)
    if match is None:
        return None
    word = match.group("word")
    if not (word.isupper() or word[0].isupper()):
        return None
    folded = word.casefold()
    rest = match.group("rest")
    keyword = _KEYWORDS.get(folded)
    if keyword is None:
        # BOOKXXXV: the keyword run into its numeral.
        glued = re.match(r"^([A-Z]+?)([IVXLC]+)$", word)
        if glued and glued.group(1).casefold() in _KEYWORDS:
            keyword = _KEYWORDS[glued.group(1).casefold()]
            rest = line[len(glued.group(1)) :]
        else:
            return _reversed_shape(line) or _unnumbered_shape(line)
    family, rank = keyword
    number = _number_token(rest)
    if number is None:
        return None
    value, after = number
    if after and after[0].isalnum():
        return None
    title = _SEPARATOR.sub("", after, count=1).strip()
    # After a dash or a colon a title may start in lower case: "Book the Second--the Golden
    # Thread"; right after the number it would be a sentence going on.
    if not _title_ok(title, line) and not re.match(r"^[\s.]*(?:--|—|–|:)", after):
        return None
    if rank < CHAPTER and title:
        # "ACT I. SCENE 2. A Room in the Castle": the line heads the scene.
        inner = _keyword_shape(title)
        if inner is not None and inner.rank == CHAPTER:
            return inner
    return Shape(family, rank, value, title, folded)


def _reversed_shape(line: str) -> Shape | None:
    """``Erstes Kapitel``, ``PREMIÈRE PARTIE``, ``Second Book``."""
    match = re.match(
        r"^(?:the\s+)?(?P<num>[^\W\d_]+(?:-[^\W\d_]+)?)\s+(?P<kw>[^\W\d_]+)\.?(?P<rest>.*)$",
        line,
        re.IGNORECASE,
    )
    if match is None:
        return None
    keyword = _KEYWORDS.get(match.group("kw").casefold())
    if keyword is None or not match.group("num")[0].isupper():
        return None
    value = word_number(match.group("num"))
    if value is None:
        return None
    title = _SEPARATOR.sub("", match.group("rest"), count=1).strip()
    if match.group("rest") and not title:
        return None
    family, rank = keyword
    # "Primera parte del ingenioso hidalgo": a part's name may go on in lower case.
    if not _title_ok(title, line) and rank == CHAPTER:
        return None
    return Shape(family, rank, None if value < 0 else value, title, match.group("kw").casefold())


def _unnumbered_shape(line: str) -> Shape | None:
    """``PREFACE``, ``EPILOGUE``, ``FIRST EPILOGUE: 1813 - 20``, ``Prologue. In Heaven``."""
    match = re.match(
        r"^(?:(?P<ord>[^\W\d_]+)\s+)?(?P<kw>[^\W\d_-]+(?:-[^\W\d_]+)?)\.?(?P<rest>.*)$", line
    )
    if match is None or match.group("kw").casefold() not in _UNNUMBERED:
        return None
    if match.group("ord") and word_number(match.group("ord")) is None:
        return None
    rest = match.group("rest")
    if rest and not re.match(r"^\s*[.:—–-]", rest):
        return None
    title = _SEPARATOR.sub("", rest, count=1).strip()
    if not (line.isupper() or line.istitle() or _title_ok(title, line)):
        return None
    if not (match.group("kw")[0].isupper()):
        return None
    return Shape("matter", 0, None, title, match.group("kw").casefold())


def _numeral_shape(line: str) -> Shape | None:
    """``I``, ``12.``, ``I. The Period``, ``— I —``, ``[ 1 ]``, ``(IV)``."""
    match = _NUMERAL_LED.match(line)
    if match is None:
        return None
    token = match.group("num")
    value = int(token) if token.isdigit() else roman_value(token)
    if value is None or value == 0:
        return None
    pre, post, dot = match.group("pre"), match.group("post"), match.group("dot")
    rest = match.group("rest").strip()
    if rest:
        # "I. The Period" needs its full stop; a bare "I went" is a sentence.
        if not dot or dot == ")" or not _title_ok(rest, line) or rest.endswith(","):
            return None
        if re.match(r"^[A-Z]\.", rest):  # an initial: "J. M. Barrie"
            return None
    if pre and not post and not dot:
        return None
    # The decoration is part of the family: "— I —" and "[ 1 ]" are distinct shapes.
    opening = pre[:1]
    family = f"num:{opening}{'t' if rest else ''}{'r' if not token.isdigit() else 'a'}"
    return Shape(family, CHAPTER, value, rest)


def _date_shape(line: str) -> Shape | None:
    """A letter's date: ``MAY 4.``, ``November 26.``, ``JANUARY 8, 1772.``, ``Am 4. Mai``.

    A diary or a novel in letters also heads an entry with the time alone: ``THE SAME
    EVENING.``, ``Later.``; such a line counts only where dated headings do.
    """
    if _TIME_OF_DAY.match(line) and (line.isupper() or line.istitle()):
        return Shape("date", CHAPTER, None, "", "time")
    match = _DATE.match(line)
    if match is None or match.group("month").casefold() not in _MONTHS:
        return None
    if not (match.group("day1") or match.group("day2")):
        return None
    rest = match.group("rest")
    if len(rest) > 25 or (rest and not _title_ok(rest, line)):
        return None
    if not match.group("month")[0].isupper():
        return None
    return Shape("date", CHAPTER, None, rest)

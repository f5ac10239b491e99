"""The words and dates of a Kindle ``My Clippings.txt`` details line, in every UI language.

A details line says what a record is, where it is and when it was made, in the language
the Kindle was set to, in any order::

    - Your Highlight on page 12 | Location 170-172 | Added on Monday, April 21, 2014 10:08:07 PM
    - Highlight Loc. 13169 | Added on Saturday, 26 July 14 21:37:48 GMT+01:00
    - Ihre Markierung auf Seite 5 | Position 70-71 | Hinzugefügt am Montag, 1. Januar 2018 10:00:00
    - 133ページ|位置No. 1647-1648のハイライト |作成日: 2019年3月1日金曜日 10:00:00
    - 您在第 47 页（位置 #708-710）的标注 | 添加于 2021年3月5日星期五 上午1:26:56

The time is the device's local time. Kindle says no zone (the oldest ones sometimes write
``GMT+01:00``), so none is invented: the time is kept as written, ISO 8601 without a zone
(``2014-04-21T22:08:07``), which means local time; a written offset is kept too.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Literal

RecordKind = Literal["highlight", "note", "bookmark", "article"]

# Kinds of record in the languages Kindle writes. Bookmarks first: "marcador" must not read
# as anything else; clipped articles before highlights.
BOOKMARK = re.compile(
    r"bookmark|lesezeichen|signet|marcador|segnalibro|bladwijzer|marque-page|закладка|"
    r"书签|書籤|ブックマーク|북마크",
    re.IGNORECASE,
)
# A clipped article ("Clip This Article", "Diesen Artikel speichern", "この記事をクリップ"):
# the details line names no article otherwise, so the word alone tells it.
ARTICLE = re.compile(
    r"\bclip(?:ped|ping)?\b|\bart(?:icle|ikel|[ií]culo|icolo|igo)\b|статья|статью|"
    r"\brecorte\b|\bausschnitt\b|\bextrait\b|\britaglio\b|\bknipsel\b|вырезк|"
    r"記事|文章|剪辑|剪輯|剪贴|剪貼|クリップ|클립",
    re.IGNORECASE,
)
HIGHLIGHT = re.compile(
    r"highlight|markierung|surlignement|subrayado|resaltado|evidenziazione|destaque|"
    r"surlignage|markering|выделени|выделенный\s+отрывок|标注|標註|標記|划线|劃線|ハイライト|"
    r"하이라이트",
    re.IGNORECASE,
)
NOTE = re.compile(r"\bnot(?:e|iz|a|itie)\b|заметка|笔记|筆記|メモ|메모", re.IGNORECASE)

# "Location 170-172", "Loc. 13169", "Position 170-172", "emplacement 170", "locatie 5",
# "位置 #170-172", "位置No. 170-172". Older Kindles shorten the end: "Loc. 2045-47".
LOCATION = re.compile(
    r"(?:location|loc\.|position|emplacement|posici[oó]n|posizione|posi[cç][aã]o|positie|"
    r"locatie|позиция|местоположение|위치|位置(?:\s*no\.)?)\s*#?\s*(\d+)(?:\s*(?:[-–]|t/m)\s*(\d+))?",
    re.IGNORECASE,
)
PAGE = re.compile(
    r"(?:\bpage|\bseite|\bp[aá]gina|\bpag\.|\bstrona|\bстраниц[аеы])\s*(\d+|[ivxlcdm]+)\b|"
    r"第\s*(\d+)\s*[页頁]|(\d+)\s*(?:ページ|페이지)",
    re.IGNORECASE,
)
# What introduces the date: "Added on", "Hinzugefügt am", "Ajouté le", "Añadido el", …
DATE_INTRO = re.compile(
    r"^\s*(?:added\s+on|added|hinzugef[üu]gt\s+am|ajout[ée]\s+le|a[ñn]adido\s+el|"
    r"agregado\s+el|aggiunto\s+(?:in\s+data|il)|adicionad[oa]:?(?:\s+em)?|toegevoegd\s+op|"
    r"добавлено:?|添加于|添加於|加入於|新增於|作成日:?|追加日:?|추가됨:?)\s*",
    re.IGNORECASE,
)

_MONTHS = {
    # English, and the abbreviations older Kindles used
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "mai": 5, "juni": 6,
    "juli": 7, "oktober": 10, "dezember": 12,
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "decembre": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
    # Italian
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "settembre": 9, "ottobre": 10, "dicembre": 12,
    # Portuguese
    "janeiro": 1, "fevereiro": 2, "março": 3, "marco": 3, "maio": 5, "junho": 6, "julho": 7,
    "setembro": 9, "outubro": 10, "dezembro": 12,
    # Russian (the genitive Kindle writes: "30 декабря 2024 г.")
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
    # Dutch
    "januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8,
}  # fmt: skip
MONTHS = _MONTHS
_TIME = re.compile(
    r"(上午|下午|午前|午後|오전|오후)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?\s*[Mm]\b\.?)?"
)
_ZONE = re.compile(r"\b(?:GMT|UTC)\s*(?:([+-])(\d{1,2}):?(\d{2})?)?")
_CJK_DATE = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def record_kind(parts: list[str]) -> RecordKind | None:
    """What a record is, from the parts of its details line other than the date.

    Any part may say it ("133ページ|位置No. 1647-1648のハイライト": the second), so all of
    them are looked at, bookmarks first, then clipped articles, highlights and notes.

    Args:
        parts: the ``|``-separated parts, without the date part.

    Returns:
        The kind, or None when no part names one we know.
    """
    joined = " | ".join(parts)
    if BOOKMARK.search(joined):
        return "bookmark"
    if ARTICLE.search(joined):
        return "article"
    if HIGHLIGHT.search(joined):
        return "highlight"
    if NOTE.search(joined):
        return "note"
    return None


def local_time(moment: datetime) -> str:
    """A clipping's time as stored: ISO 8601 to the second, with its offset only if known.

    Args:
        moment: a naive time (the device's local time) or one with the offset Kindle wrote.

    Returns:
        ``2014-04-21T22:08:07`` (local time), or ``2014-07-26T21:37:48+01:00``.
    """
    return moment.replace(microsecond=0).isoformat()


def parse_date(text: str) -> str | None:
    """Read a Kindle date in any of the layouts and languages we know.

    Args:
        text: the date part of the details line, with or without "Added on".

    Returns:
        The device's local time, ``2014-04-21T22:08:07`` (with ``+01:00`` when the file
        gives an offset), or None when it cannot be read.
    """
    text = DATE_INTRO.sub("", unicodedata.normalize("NFC", text)).strip()
    zone: timezone | None = None
    found_zone = _ZONE.search(text)
    if found_zone:
        sign, hours, minutes = found_zone.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0)) if sign else timedelta()
        try:
            zone = timezone(-offset if sign == "-" else offset)
        except ValueError:
            return None  # an offset of a day or more
        text = text[: found_zone.start()] + text[found_zone.end() :]
    hour = minute = second = 0
    found_time = _TIME.search(text)
    if found_time:
        half, h, m, s, ampm = found_time.groups()
        hour, minute, second = int(h), int(m), int(s or 0)
        pm = (ampm or "").lower() == "p" or half in ("下午", "午後", "오후")
        am = (ampm or "").lower() == "a" or half in ("上午", "午前", "오전")
        if pm and hour < 12:
            hour += 12
        elif am and hour == 12:
            hour = 0
        text = text[: found_time.start()] + " " + text[found_time.end() :]
    day_month_year = _day_month_year(text)
    if day_month_year is None:
        return None
    year, month, day = day_month_year
    try:
        return local_time(datetime(year, month, day, hour, minute, second, tzinfo=zone))
    except (ValueError, OverflowError):
        # A day or year too large for a C long overflows instead of failing validation.
        return None


def _day_month_year(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of the date left once the time and zone are taken out."""
    for pattern in (_CJK_DATE, _ISO_DATE):
        found = pattern.search(text)
        if found:
            year, month, day = (int(g) for g in found.groups())
            return year, month, day
    words = [w.lower().rstrip(".") for w in re.findall(r"[^\W\d_]+\.?", text)]
    named = next((_MONTHS[w] for w in words if w in _MONTHS), None)
    numbers = re.findall(r"\d+", text)
    if named is None or len(numbers) != 2:
        return None
    month = named
    if len(numbers[1]) == 4:
        day, year = int(numbers[0]), int(numbers[1])
    elif len(numbers[0]) == 4:
        year, day = int(numbers[0]), int(numbers[1])
    else:
        # Old Kindles: "Saturday, 26 July 14", the day first and a two-digit year.
        day, year = int(numbers[0]), 2000 + int(numbers[1])
    return year, month, day

"""Make the FB2 test books. Run once from the repository root; the output is committed.

    python tests/data/fb2/make_fixtures.py

* pride-and-prejudice_calibre.fb2: calibre's FB2 output with its default settings (one
  untitled section per source file, chapter headings as bold paragraphs), from the
  corpus's Project Gutenberg EPUB: ``ebook-convert pride-and-prejudice_pg1342_epub2.epub
  pride-and-prejudice_calibre.fb2`` (calibre 6.13).
* pride-and-prejudice_calibre-toc.fb2.zip: the same with ``--sectionize toc`` (one titled
  section per contents entry), zipped as a single .fb2 member, as FB2 libraries serve them.
* russian-library.fb2 (windows-1251), russian-library-koi8.fb2 (KOI8-R) and
  russian-library.fb2.zip (UTF-8, ``xlink:`` prefix): a hand-written book in the style of
  Russian online libraries: nested parts and chapters, an epigraph, a poem (Pushkin, 1825),
  a citation, subtitles, notes with note links, a cover and an inline picture as binaries.
* no-namespace.fb2: a FictionBook without its namespace and with an unprefixed href.
* Damaged and hostile books: bad-base64.fb2, truncated.fb2, entities.fb2 (billion laughs),
  external-entity.fb2, external-dtd.fb2 (a DOCTYPE naming a remote DTD, nothing else),
  zip-bomb.fb2.zip (8 MB of spaces compressed ~1000 times), not-fictionbook.fb2.
"""

from __future__ import annotations

import base64
import struct
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[3] / "shared" / "corpus" / "books"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A one-colour PNG, written by hand so that no imaging library is needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def b64(data: bytes) -> str:
    text = base64.b64encode(data).decode("ascii")
    return "\n".join(text[i : i + 76] for i in range(0, len(text), 76))


COVER = png(60, 90, (150, 30, 30))
PICTURE = png(40, 20, (20, 90, 160))

RUSSIAN = """<?xml version="1.0" encoding="{encoding}"?>
<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0" xmlns:{x}="http://www.w3.org/1999/xlink">
<description>
 <title-info>
  <genre>poetry</genre>
  <author><first-name>Александр</first-name><middle-name>Сергеевич</middle-name><last-name>Пушкин</last-name></author>
  <author><nickname>Составитель</nickname></author>
  <book-title>Чудное мгновенье</book-title>
  <annotation><p>Сборник для проверки: <emphasis>стихи</emphasis>, примечания и картинки.</p></annotation>
  <coverpage><image {x}:href="#cover.png"/></coverpage>
  <lang>ru</lang>
 </title-info>
 <document-info><author><nickname>test</nickname></author><date>2026</date><id>tone-reader-fb2-1</id><version>1.0</version></document-info>
</description>
<body>
 <title><p>Александр Пушкин</p><p>Чудное мгновенье</p></title>
 <epigraph><p>Как сладко жить, когда поэзия с тобой.</p><text-author>Неизвестный автор</text-author></epigraph>
 <section id="part1">
  <title><p>Часть первая</p></title>
  <section id="ch1">
   <title><p>Глава 1</p><p>Встреча</p></title>
   <epigraph><p>Минувших дней очарованье.</p><text-author>В. Жуковский</text-author></epigraph>
   <p>Было <strong>тихое</strong> утро, и <emphasis>никто</emphasis> не спешил.<a {x}:href="#n1" type="note">[1]</a></p>
   <p>Он открыл тетрадь и прочёл вслух стихи, написанные много лет назад.</p>
   <empty-line/>
   <poem id="poem1">
    <title><p>К ***</p></title>
    <stanza>
     <v>Я помню чудное мгновенье:</v>
     <v>Передо мной явилась ты,</v>
     <v>Как мимолётное виденье,</v>
     <v>Как гений чистой красоты.</v>
    </stanza>
    <stanza>
     <v>В томленьях грусти безнадежной,</v>
     <v>В тревогах шумной суеты,</v>
     <v>Звучал мне долго голос нежный</v>
     <v>И снились милые черты.</v>
    </stanza>
    <text-author>А. С. Пушкин</text-author>
    <date>1825</date>
   </poem>
   <p>Тетрадь была старая, с выцветшей обложкой.<a {x}:href="#n2" type="note">[2]</a></p>
  </section>
  <section id="ch2">
   <title><p>Глава 2</p><p>Письмо</p></title>
   <subtitle>* * *</subtitle>
   <p>Письмо пришло вечером.</p>
   <cite id="letter"><p>Дорогой друг, пишу вам из деревни, где всё по-прежнему.</p><text-author>Ваша Н.</text-author></cite>
   <image {x}:href="#picture.png"/>
   <p>Он улыбнулся и отложил письмо.</p>
  </section>
 </section>
 <section id="part2">
  <title><p>Часть вторая</p></title>
  <section id="ch3">
   <title><p>Глава 3</p></title>
   <p>Прошёл год. Ссылка на <a {x}:href="#ch1">первую главу</a> и на <a {x}:href="https://ru.wikisource.org/">библиотеку</a>.</p>
   <p>Конец.</p>
  </section>
 </section>
</body>
<body name="notes">
 <title><p>Примечания</p></title>
 <section id="n1"><title><p>1</p></title><p>Утро было действительно тихим.</p></section>
 <section id="n2"><title><p>2</p></title><p>Обложка тетради была синей.</p></section>
</body>
<binary id="cover.png" content-type="image/png">{cover}</binary>
<binary id="picture.png" content-type="application/octet-stream">{picture}</binary>
</FictionBook>
"""

NO_NAMESPACE = """<?xml version="1.0" encoding="utf-8"?>
<FictionBook>
<description><title-info><book-title>Plain</book-title><author><last-name>Nobody</last-name></author></title-info></description>
<body>
<section><title><p>One</p></title><p>First chapter, with a picture <image href="#dot.png"/>.</p></section>
<section><title><p>Two</p></title><p>Second chapter.</p></section>
<section><title><p>Three</p></title><p>Third chapter.</p></section>
</body>
<binary id="dot.png" content-type="image/png">{dot}</binary>
</FictionBook>
"""


def russian(encoding: str, prefix: str = "l") -> bytes:
    text = RUSSIAN.format(encoding=encoding, x=prefix, cover=b64(COVER), picture=b64(PICTURE))
    return text.encode(encoding)


def calibre(target: Path, *options: str) -> None:
    source = CORPUS / "pride-and-prejudice_pg1342_epub2.epub"
    subprocess.run(["ebook-convert", str(source), str(target), *options], check=True)


def zipped(path: Path, member: str, data: bytes) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(member, (2000, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def main() -> None:
    calibre(HERE / "pride-and-prejudice_calibre.fb2")
    with tempfile.TemporaryDirectory() as tmp:
        toc = Path(tmp) / "pride-and-prejudice.fb2"
        calibre(toc, "--sectionize", "toc")
        zipped(HERE / "pride-and-prejudice_calibre-toc.fb2.zip", toc.name, toc.read_bytes())

    cp1251 = russian("windows-1251")
    (HERE / "russian-library.fb2").write_bytes(cp1251)
    (HERE / "russian-library-koi8.fb2").write_bytes(russian("koi8-r"))
    zipped(HERE / "russian-library.fb2.zip", "russian-library.fb2", russian("utf-8", "xlink"))
    (HERE / "no-namespace.fb2").write_bytes(NO_NAMESPACE.format(dot=b64(PICTURE)).encode())

    # 41 characters out of the middle of the cover's base64: no longer a whole number of
    # 4-character groups, so it does not decode.
    cover = b64(COVER).encode()
    middle = len(cover) // 2
    bad = cp1251.replace(cover, cover[:middle] + b"@" + cover[middle + 41 :], 1)
    (HERE / "bad-base64.fb2").write_bytes(bad)
    cut = cp1251.index("Прошёл год".encode("windows-1251"))
    (HERE / "truncated.fb2").write_bytes(cp1251[:cut])
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE FictionBook [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;">]>\n'
        b"<FictionBook><body><section><p>&d;&d;&d;</p></section></body></FictionBook>\n"
    )
    (HERE / "entities.fb2").write_bytes(laughs)
    external = (
        b'<?xml version="1.0"?>\n<!DOCTYPE FictionBook [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        b"<FictionBook><body><section><p>&secret;</p></section></body></FictionBook>\n"
    )
    (HERE / "external-entity.fb2").write_bytes(external)
    dtd = (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        b'<!DOCTYPE FictionBook SYSTEM "http://127.0.0.1:9/FictionBook.dtd">\n'
        b"<FictionBook><description><title-info><book-title>DTD</book-title></title-info>"
        b"</description><body><section><title><p>Only</p></title><p>The text is here.</p>"
        b"</section></body></FictionBook>\n"
    )
    (HERE / "external-dtd.fb2").write_bytes(dtd)
    bomb = (
        b'<?xml version="1.0"?><FictionBook><body><p>'
        + b" " * (8 << 20)
        + b"</p></body></FictionBook>"
    )
    with zipfile.ZipFile(
        HERE / "zip-bomb.fb2.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=9
    ) as z:
        z.writestr("bomb.fb2", bomb)
    (HERE / "not-fictionbook.fb2").write_bytes(
        b'<?xml version="1.0"?><html><body><p>An HTML page named .fb2</p></body></html>'
    )


if __name__ == "__main__":
    main()

"""Parse XML and HTML from books without letting them reach outside.

No DTD is loaded, no entity is expanded, nothing is fetched from the network, and the
parser's own limits on depth and text size stay on (``huge_tree=False``).

libxml2 meets those limits by dropping the rest of the document, without an error when
it recovers. So every parse checks the parser's log: markup nested too deep is flattened
and parsed again (the words stay, the deepest structure goes, and a note says so); any
other limit refuses the document with a message. Text is never lost in silence.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from reader_app.core.errors import BookError, UnsafeBookError
from reader_app.core.loaders.limits import MAX_DOCUMENT_TAGS, MAX_NESTING

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
# A start or end tag. Attributes may not hold "<" or ">" here, and they begin only after a
# space or "/", so the name and the attributes never compete for the same bytes: the scan
# stays linear (a tag left open before 20,000 bytes of base64 took 5 s when they could)
# at the price of a rough depth on exotic markup; the parser, not this scan, decides what
# the document is.
_TAG = re.compile(rb"<(/?)([A-Za-z][^\s/<>]*)((?:[\s/][^<>]*)?)>")
_VOID = frozenset(b"area base br col embed hr img input link meta param source track wbr".split())
# Elements HTML closes by itself when the same element opens again.
_SELF_CLOSING_SIBLINGS = frozenset(b"p li dt dd tr td th option".split())
_CLOSE_SEARCH = 32  # how far down the open elements an end tag may close
DEEP_NOTE = f"Markup nested more than {MAX_NESTING} levels deep was flattened; its text is kept."


def _xml_parser(*, recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=recover,
        remove_comments=True,
        remove_pis=True,
    )


def refuse_entity_declarations(data: bytes, what: str) -> None:
    """Refuse documents that declare entities: no real book needs them, attacks do."""
    if _ENTITY_DECL.search(data, 0, 1_000_000):
        raise UnsafeBookError(
            f"{what} declares XML entities, which can be used to attack a reader;"
            " the book was not opened."
        )


def refuse_tag_floods(data: bytes | str, what: str) -> None:
    """Refuse documents with more tags than any real chapter: their tree would not fit."""
    opens = data.count(b"<") if isinstance(data, bytes) else data.count("<")
    if opens > MAX_DOCUMENT_TAGS:
        raise UnsafeBookError(
            f"{what} holds more than {MAX_DOCUMENT_TAGS:,} tags, more than a real book does."
        )


def parse_xml(data: bytes, what: str, notes: list[str] | None = None) -> etree._Element:
    """Parse a strict-ish XML document (container, OPF, NCX), recovering from small faults.

    Args:
        data: the document.
        what: how to name it in messages.
        notes: where to say that deep markup was flattened.
    """
    refuse_entity_declarations(data, what)
    refuse_tag_floods(data, what)
    parser = _xml_parser(recover=True)
    try:
        root = etree.fromstring(data, parser)
        if _over_limit(parser.error_log, what):
            parser = _xml_parser(recover=True)
            root = etree.fromstring(_flat_bytes(data), parser)
            _refuse_if_over_limit(parser.error_log, what)
            _note(notes)
    except etree.XMLSyntaxError as exc:
        raise BookError(f"{what} is not readable XML ({exc.msg}).") from exc
    if root is None:
        raise BookError(f"{what} is empty or not XML.")
    return root


def parse_xhtml(data: bytes, what: str, notes: list[str] | None = None) -> etree._Element:
    """Parse a content document: as XML first, then as forgiving HTML."""
    refuse_entity_declarations(data, what)
    refuse_tag_floods(data, what)
    root: etree._Element | None
    parser = _xml_parser(recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        root = None
        if _over_limit(exc.error_log, what):
            # Strict XML stops at the limit; flattened, it may well be valid XML again.
            try:
                root = etree.fromstring(_flat_bytes(data), _xml_parser(recover=False))
            except etree.XMLSyntaxError:
                root = None
            if root is not None:
                _note(notes)
    if root is not None:
        return root
    return parse_html(data, what, notes)


def parse_html(data: bytes | str, what: str, notes: list[str] | None = None) -> etree._Element:
    """Parse HTML the way browsers do, with the same safety settings."""
    if isinstance(data, bytes):
        refuse_entity_declarations(data, what)
    refuse_tag_floods(data, what)
    if isinstance(data, str):
        # lxml refuses str input that carries an encoding declaration.
        data = re.sub(r"^\s*<\?xml[^>]*\?>", "", data, count=1)
    parser = _html_parser()
    try:
        root = lxml_html.document_fromstring(data, parser=parser)
        if _over_limit(parser.error_log, what):
            parser = _html_parser()
            root = lxml_html.document_fromstring(flatten_deep_markup(data), parser=parser)
            _refuse_if_over_limit(parser.error_log, what)
            _note(notes)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise BookError(f"{what} is not readable HTML.") from exc
    if root is None:
        raise BookError(f"{what} is empty.")
    return root


def _flat_bytes(data: bytes) -> bytes:
    flat = flatten_deep_markup(data)
    assert isinstance(flat, bytes)
    return flat


def _html_parser() -> lxml_html.HTMLParser:
    return lxml_html.HTMLParser(
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
        default_doctype=False,
    )


def _over_limit(log: etree._ListErrorLog, what: str) -> bool:
    """True if the parser stopped at its depth limit; refuse on any other of its limits."""
    deep = False
    for entry in log:
        if entry.type_name != "ERR_RESOURCE_LIMIT":
            continue
        if "depth" not in entry.message.lower():
            raise BookError(
                f"{what} has a paragraph or a name too long to display"
                " (over 10 million characters); it was not opened."
            )
        deep = True
    return deep


def _refuse_if_over_limit(log: etree._ListErrorLog, what: str) -> None:
    if _over_limit(log, what):
        raise BookError(f"{what} is nested too deeply to display.")


def _note(notes: list[str] | None) -> None:
    if notes is not None and DEEP_NOTE not in notes:
        notes.append(DEEP_NOTE)


def flatten_deep_markup(data: bytes | str) -> bytes | str:
    """Drop the tags nested deeper than MAX_NESTING, keeping all text (linear time).

    A dropped tag becomes a space, so words on either side stay apart. Elements HTML
    closes by itself (``<p>`` after ``<p>``) are counted as closed, so that a plain page of
    unclosed paragraphs is not mistaken for deep markup.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    out: list[bytes] = []
    stack: list[tuple[bytes, bool]] = []  # (name, kept)
    pos = 0
    for match in _TAG.finditer(raw):
        closing, name, rest = match.group(1), match.group(2).lower(), match.group(3)
        out.append(raw[pos : match.start()])
        pos = match.end()
        if closing:
            found = next(
                (i for i in range(len(stack) - 1, max(-1, len(stack) - 1 - _CLOSE_SEARCH), -1)
                 if stack[i][0] == name),
                None,
            )  # fmt: skip
            if found is None:
                out.append(match.group(0))  # unmatched: the parser decides
                continue
            kept = stack[found][1]
            del stack[found:]
            out.append(match.group(0) if kept else b" ")
            continue
        if name in _VOID or rest.endswith(b"/"):
            out.append(match.group(0))
            continue
        if name in _SELF_CLOSING_SIBLINGS and stack and stack[-1][0] == name:
            stack.pop()
        kept = len(stack) < MAX_NESTING
        stack.append((name, kept))
        out.append(match.group(0) if kept else b" ")
    out.append(raw[pos:])
    flat = b"".join(out)
    return flat.decode("utf-8") if isinstance(data, str) else flat

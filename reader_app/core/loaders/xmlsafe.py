"""Parse XML and HTML from books without letting them reach outside.

No DTD is loaded, no entity is expanded, nothing is fetched from the network, and the
parser's own limits on depth and text size stay on (``huge_tree=False``).
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from reader_app.core.errors import BookError, UnsafeBookError

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


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


def parse_xml(data: bytes, what: str) -> etree._Element:
    """Parse a strict-ish XML document (container, OPF, NCX), recovering from small faults."""
    refuse_entity_declarations(data, what)
    try:
        root = etree.fromstring(data, _xml_parser(recover=True))
    except etree.XMLSyntaxError as exc:
        raise BookError(f"{what} is not readable XML ({exc.msg}).") from exc
    if root is None:
        raise BookError(f"{what} is empty or not XML.")
    return root


def parse_xhtml(data: bytes, what: str) -> etree._Element:
    """Parse a content document: as XML first, then as forgiving HTML."""
    refuse_entity_declarations(data, what)
    root: etree._Element | None
    try:
        root = etree.fromstring(data, _xml_parser(recover=False))
    except etree.XMLSyntaxError:
        root = None
    if root is not None:
        return root
    return parse_html(data, what)


def parse_html(data: bytes | str, what: str) -> etree._Element:
    """Parse HTML the way browsers do, with the same safety settings."""
    if isinstance(data, bytes):
        refuse_entity_declarations(data, what)
    parser = lxml_html.HTMLParser(
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
        default_doctype=False,
    )
    try:
        if isinstance(data, str):
            # lxml refuses str input that carries an encoding declaration.
            data = re.sub(r"^\s*<\?xml[^>]*\?>", "", data, count=1)
        root = lxml_html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise BookError(f"{what} is not readable HTML.") from exc
    if root is None:
        raise BookError(f"{what} is empty.")
    return root

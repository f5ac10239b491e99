"""Turn a parsed (X)HTML tree into flat blocks, keeping only what is safe to show.

Scripts, styles, forms, embedded objects and everything else outside a small allow-list
are dropped here, before any HTML reaches the view. Links and image sources are passed
through resolvers the caller supplies, so nothing outside the book can be referenced.
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from reader_app.core.loaders.blocks import (
    BOLD,
    CODE,
    ITALIC,
    SUB,
    SUP,
    UNDERLINE,
    Block,
    Break,
    Image,
    Mark,
    Run,
    normalise_block,
)

LinkResolver = Callable[[str], str]
ImageResolver = Callable[[str], str | None]

_SKIP = frozenset(
    {
        "head", "script", "style", "template", "noscript", "iframe", "object", "embed",
        "audio", "video", "canvas", "form", "input", "button", "select", "textarea",
        "option", "title", "meta", "link", "base", "map", "area", "track", "source",
        "param", "frame", "frameset", "applet", "switch",
    }
)  # fmt: skip
_BLOCKS = frozenset(
    {
        "p", "div", "blockquote", "pre", "li", "dt", "dd", "ul", "ol", "dl", "section",
        "article", "header", "footer", "aside", "nav", "figure", "figcaption", "table",
        "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "address", "main",
        "hgroup", "body", "html", "center", "details", "summary", "hr", "h1", "h2", "h3",
        "h4", "h5", "h6", "fieldset", "legend", "menu", "dir", "listing", "xmp", "plaintext",
    }
)  # fmt: skip
_INDENTING = frozenset({"blockquote", "dd", "ul", "ol", "menu", "dir"})
_INLINE_FLAGS = {
    "b": BOLD, "strong": BOLD, "i": ITALIC, "em": ITALIC, "cite": ITALIC, "dfn": ITALIC,
    "var": ITALIC, "u": UNDERLINE, "ins": UNDERLINE, "sup": SUP, "sub": SUB, "code": CODE,
    "kbd": CODE, "samp": CODE, "tt": CODE,
}  # fmt: skip
_MAX_DEPTH = 200
_ALIGN = re.compile(r"text-align\s*:\s*(center|right)", re.IGNORECASE)
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].lower()


def entity_text(name: str) -> str:
    """The character of a named HTML entity; unknown names give nothing."""
    code = html.entities.name2codepoint.get(name)
    if code is not None:
        return chr(code)
    return html.entities.html5.get(name + ";", "")


@dataclass
class _Walker:
    resolve_link: LinkResolver
    resolve_image: ImageResolver
    blocks: list[Block] = field(default_factory=list)
    current: Block | None = None
    list_counters: list[int] = field(default_factory=list)

    def flush(self) -> None:
        if self.current is not None:
            self.blocks.append(self.current)
            self.current = None

    def block(self, kind: str, indent: int, align: str) -> Block:
        if self.current is None:
            self.current = Block(kind=kind, indent=indent, align=align)
        return self.current

    def add_text(self, text: str | None, ctx: _Ctx) -> None:
        if not text:
            return
        if self.current is None and not text.strip() and ctx.kind != "pre":
            return
        block = self.block(ctx.kind, ctx.indent, ctx.align)
        block.items.append(Run(text, ctx.flags, ctx.href))

    def walk(self, el: etree._Element, ctx: _Ctx, depth: int) -> None:
        tag = el.tag
        if tag is etree.Comment or tag is etree.PI:
            return
        if tag is etree.Entity:
            self.add_text(entity_text(str(el.text or "").strip("&;")), ctx)
            return
        name = _local(tag)
        if name in _SKIP or el.get("hidden") is not None:
            return
        if depth > _MAX_DEPTH:
            # Absurdly deep markup: keep the words, drop the structure.
            self.add_text(" ".join(el.itertext()), ctx)
            return
        ident = el.get("id") or (el.get("name") if name == "a" else None)
        if name in _BLOCKS:
            self.walk_block(el, name, ctx, depth, ident)
        else:
            if ident:
                self.block(ctx.kind, ctx.indent, ctx.align).items.append(Mark(ident))
            self.walk_inline(el, name, ctx, depth)

    def walk_inline(self, el: etree._Element, name: str, ctx: _Ctx, depth: int) -> None:
        if name == "br":
            self.block(ctx.kind, ctx.indent, ctx.align).items.append(Break())
            return
        if name == "img" or name == "image":
            src = el.get("src") or el.get(_XLINK_HREF) or el.get("href") or ""
            resolved = self.resolve_image(src) if src else None
            if resolved is not None:
                block = self.block(ctx.kind, ctx.indent, ctx.align)
                block.items.append(Image(resolved, el.get("alt") or ""))
            elif el.get("alt"):
                self.add_text(f"[{el.get('alt')}]", ctx)
            return
        inner = ctx
        if name in _INLINE_FLAGS:
            inner = ctx.with_flags(_INLINE_FLAGS[name])
        elif name == "a" and el.get("href"):
            inner = ctx.with_href(self.resolve_link(el.get("href") or ""))
        self.add_text(el.text, inner)
        for child in el:
            self.walk(child, inner, depth + 1)
            self.add_text(child.tail, inner)

    def walk_block(
        self, el: etree._Element, name: str, ctx: _Ctx, depth: int, ident: str | None
    ) -> None:
        self.flush()
        if name == "hr":
            return
        inner = ctx.for_block(name, _alignment(el))
        if ident:
            self.block(inner.kind, inner.indent, inner.align).items.append(Mark(ident))
        if name in ("ol", "ul", "menu", "dir"):
            self.list_counters.append(_int(el.get("start"), 1) - 1 if name == "ol" else -1)
        if name == "li":
            self.add_text(self._bullet(), inner)
        self.add_text(el.text, inner)
        for child in el:
            self.walk(child, inner, depth + 1)
            self.add_text(child.tail, inner)
        if name in ("ol", "ul", "menu", "dir"):
            self.list_counters.pop()
        self.flush()

    def _bullet(self) -> str:
        # -1 on the counter stack marks an unordered list.
        if not self.list_counters or self.list_counters[-1] < 0:
            return "• "
        self.list_counters[-1] += 1
        return f"{self.list_counters[-1]}. "


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _alignment(el: etree._Element) -> str:
    align = (el.get("align") or "").lower()
    if align in ("center", "right"):
        return align
    match = _ALIGN.search(el.get("style") or "")
    return match.group(1).lower() if match else ""


@dataclass(frozen=True, slots=True)
class _Ctx:
    kind: str = "p"
    indent: int = 0
    align: str = ""
    flags: int = 0
    href: str = ""

    def with_flags(self, flag: int) -> _Ctx:
        return _Ctx(self.kind, self.indent, self.align, self.flags | flag, self.href)

    def with_href(self, href: str) -> _Ctx:
        return _Ctx(self.kind, self.indent, self.align, self.flags, href)

    def for_block(self, name: str, align: str) -> _Ctx:
        kind = self.kind
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            kind = name
        elif name in ("pre", "listing", "xmp", "plaintext"):
            kind = "pre"
        indent = self.indent + (1 if name in _INDENTING else 0)
        return _Ctx(kind, indent, align or self.align, self.flags, self.href)


def tree_to_blocks(
    root: etree._Element, resolve_link: LinkResolver, resolve_image: ImageResolver
) -> list[Block]:
    """Walk an (X)HTML tree and return its normalised, non-empty blocks.

    Blocks that end up empty but carry link targets are kept, so that render_blocks can
    point those targets at the next visible block.
    """
    walker = _Walker(resolve_link, resolve_image)
    body = _find_body(root)
    walker.walk(body, _Ctx(), 0)
    walker.flush()
    result: list[Block] = []
    for block in walker.blocks:
        if normalise_block(block) or any(isinstance(i, Mark) for i in block.items):
            result.append(block)
    return result


def _find_body(root: etree._Element) -> etree._Element:
    for el in root.iter():
        if _local(el.tag) == "body":
            return el
    return root

"""Read the Lua table literals KOReader writes, without running any Lua.

KOReader keeps a book's highlights in ``<book>.sdr/metadata.<ext>.lua``: ``return {...}``
with ``["key"] = value`` and ``[1] = value`` entries, quoted strings with escapes, numbers,
booleans and nested tables, and ``--`` comments. This parser accepts exactly that subset
and refuses anything else (a function call, an operator, a name) with a one-line
:class:`LuaTableError`; it never evaluates anything, and limits size and nesting.
"""

from __future__ import annotations

import re
from typing import Final

LuaValue = str | int | float | bool | None | dict[object, object]

MAX_LUA_CHARS: Final = 64 << 20
MAX_DEPTH: Final = 64

_NUMBER = re.compile(r"-?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPACE = re.compile(r"(?:\s+|--\[(=*)\[.*?\]\1\]|--[^\n]*)+", re.DOTALL)
_STOP_DOUBLE = re.compile(r'["\\\n]')
_STOP_SINGLE = re.compile(r"['\\\n]")
_DIGITS = re.compile(r"\d{1,3}")
_ESCAPES: Final = {
    "n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
    "\\": "\\", '"': '"', "'": "'", "\n": "\n",
}  # fmt: skip


class LuaTableError(ValueError):
    """The text is not a Lua table literal of the subset KOReader writes."""


def parse_lua_table(text: str) -> dict[object, object]:
    """Parse ``return { ... }`` (or a bare ``{ ... }``) into a dict.

    Args:
        text: the file's text.

    Returns:
        The table: keys are strings or numbers, values strings, numbers, booleans or tables.

    Raises:
        LuaTableError: anything outside the subset, too large or too deeply nested; the
            message is one line and names the line where it went wrong.
    """
    if len(text) > MAX_LUA_CHARS:
        raise LuaTableError(f"it is larger than {MAX_LUA_CHARS >> 20} MB")
    parser = _Parser(text)
    parser.skip()
    if parser.text.startswith("return", parser.pos) and not _NAME.match(
        parser.text, parser.pos + 6
    ):
        parser.pos += 6
        parser.skip()
    if parser.peek() != "{":
        parser.fail("it does not hold a Lua table")
    table = parser.table(0)
    parser.skip()
    if parser.pos < len(parser.text):
        parser.fail("something follows the table")
    return table


def _byte(code: int) -> str:
    """An escaped byte: over 127 it is part of a UTF-8 sequence, kept as a surrogate escape."""
    return chr(code) if code < 0x80 else chr(0xDC00 + code)


def _utf8(text: str) -> str:
    r"""A string with its escaped bytes (``\226\128\148``) decoded as UTF-8."""
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, why: str) -> None:
        line = self.text.count("\n", 0, self.pos) + 1
        raise LuaTableError(f"{why} (line {line})")

    def skip(self) -> None:
        match = _SPACE.match(self.text, self.pos)
        if match:
            self.pos = match.end()

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def table(self, depth: int) -> dict[object, object]:
        if depth >= MAX_DEPTH:
            self.fail(f"its tables are nested more than {MAX_DEPTH} deep")
        self.pos += 1  # "{"
        result: dict[object, object] = {}
        index = 1
        while True:
            self.skip()
            char = self.peek()
            if char == "}":
                self.pos += 1
                return result
            if char == "[" and self.text[self.pos + 1 : self.pos + 2] not in ("[", "="):
                self.pos += 1
                self.skip()
                key = self.value(depth)
                if key is None or isinstance(key, dict):
                    self.fail("a table key is not a string or a number")
                self.skip()
                self.expect("]")
                self.skip()
                self.expect("=")
                result[key] = self.value(depth)
            elif (name := _NAME.match(self.text, self.pos)) and self._assigns(name.end()):
                self.pos = name.end()
                self.skip()
                self.expect("=")
                result[name.group()] = self.value(depth)
            else:
                result[index] = self.value(depth)
                index += 1
            self.skip()
            if self.peek() in (",", ";"):
                self.pos += 1
            elif self.peek() != "}":
                self.fail("a table entry is followed by something other than ',' or '}'")

    def _assigns(self, end: int) -> bool:
        match = _SPACE.match(self.text, end)
        after = match.end() if match else end
        return self.text[after : after + 1] == "=" and self.text[after + 1 : after + 2] != "="

    def expect(self, char: str) -> None:
        if self.peek() != char:
            self.fail(f"'{char}' was expected")
        self.pos += 1

    def value(self, depth: int) -> LuaValue:
        self.skip()
        char = self.peek()
        if char == "{":
            return self.table(depth + 1)
        if char in ('"', "'"):
            return self.string(char)
        if char == "[" and self.text[self.pos + 1 : self.pos + 2] in ("[", "="):
            return self.long_string()
        number = _NUMBER.match(self.text, self.pos)
        if number:
            self.pos = number.end()
            raw = number.group()
            if len(raw) > 40:
                self.fail("a number is longer than any KOReader writes")
            if "x" in raw.lower():
                return int(raw, 16)
            return float(raw) if any(c in raw for c in ".eE") else int(raw)
        name = _NAME.match(self.text, self.pos)
        if name and name.group() in ("true", "false", "nil"):
            self.pos = name.end()
            return {"true": True, "false": False}.get(name.group())
        if not char:
            self.fail("the file ends inside a table")
        what = f"'{name.group()}'" if name else f"'{char}'"
        self.fail(f"{what} is not a value KOReader writes (only strings, numbers and tables)")
        return None  # unreachable: fail raises

    def string(self, quote: str) -> str:
        start_line = self.pos
        self.pos += 1
        parts: list[str] = []
        text = self.text
        stop = _STOP_DOUBLE if quote == '"' else _STOP_SINGLE
        escaped = False
        while True:
            found = stop.search(text, self.pos)
            end = found.start() if found else len(text)
            parts.append(text[self.pos : end])
            self.pos = end
            if end >= len(text) or text[end] == "\n":
                self.pos = start_line
                self.fail("a string is not closed")
            if text[end] == quote:
                self.pos = end + 1
                joined = "".join(parts)
                return _utf8(joined) if escaped else joined
            self.pos = end + 1
            parts.append(self._escape())
            escaped = True

    def _escape(self) -> str:
        char = self.peek()
        if char == "\r":  # a backslash ending a line of a file with CRLF line ends
            self.pos += 2 if self.text[self.pos + 1 : self.pos + 2] == "\n" else 1
            return "\n"
        if char in _ESCAPES:
            self.pos += 1
            return _ESCAPES[char]
        if char.isdigit():
            digits = _DIGITS.match(self.text, self.pos)
            assert digits is not None
            self.pos += len(digits.group())
            code = int(digits.group())
            if code > 255:
                self.fail("a string holds an escape over \\255")
            return _byte(code)
        if char == "x":
            digits = re.match(r"[0-9a-fA-F]{2}", self.text[self.pos + 1 : self.pos + 3])
            if digits is None:
                self.fail("a string holds a broken \\x escape")
            self.pos += 3
            return _byte(int(self.text[self.pos - 2 : self.pos], 16))
        if char == "u":
            digits = re.match(r"\{([0-9a-fA-F]{1,6})\}", self.text[self.pos + 1 : self.pos + 10])
            if digits is None or int(digits.group(1), 16) > 0x10FFFF:
                self.fail("a string holds a broken \\u escape")
            assert digits is not None
            self.pos += 1 + len(digits.group())
            return chr(int(digits.group(1), 16))
        if char == "z":
            self.pos += 1
            while self.peek().isspace():
                self.pos += 1
            return ""
        self.fail("a string holds an unknown escape")
        return ""

    def long_string(self) -> str:
        match = re.compile(r"\[(=*)\[\n?(.*?)\]\1\]", re.DOTALL).match(self.text, self.pos)
        if match is None:
            self.fail("a long string is not closed")
        assert match is not None
        self.pos = match.end()
        return match.group(2)

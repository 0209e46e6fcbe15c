"""JSON bodies with token positions, for the errors ES's object parsers report at `[line:col]`.

`parse` reads a JSON text into `Located` values: every value knows the line and column of its
first character and, inside an object, the position of its key, as Jackson reports token
locations (1-based lines and columns). Malformed text is the server's 400 for content that is
no map.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fake_tasks.errors import EsError, ParseError

__all__ = ["Located", "parse", "plain", "token_name"]

_WHITESPACE = " \t\r\n"
_DEPTH_LIMIT = 500


@dataclass
class Located:
    """A JSON value and where it starts; objects keep their members in order."""

    value: Any  # str, int, float, bool, None, list[Located] or dict[str, Located]
    line: int
    col: int
    key_line: int = 0
    key_col: int = 0
    members: dict[str, Located] = field(default_factory=dict)
    end: str = ""  # where an object's closing brace is (`line:col`)

    @property
    def where(self) -> str:
        return f"{self.line}:{self.col}"

    @property
    def key_where(self) -> str:
        return f"{self.key_line}:{self.key_col}"


def token_name(node: Located) -> str:
    """The Jackson token a value starts with (`VALUE_STRING`, `START_OBJECT`, ...)."""
    value = node.value
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, list):
        return "START_ARRAY"
    if isinstance(value, bool):
        return "VALUE_BOOLEAN"
    if isinstance(value, int | float):
        return "VALUE_NUMBER"
    if value is None:
        return "VALUE_NULL"
    return "VALUE_STRING"


def plain(node: Located) -> Any:
    """The value without positions."""
    if isinstance(node.value, dict):
        return {k: plain(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [plain(v) for v in node.value]
    return node.value


def parse(text: str) -> Located:
    """Parse a whole JSON text; anything malformed is a 400 `parse_exception`."""
    parser = _Parser(text)
    try:
        parser.skip()
        node = parser.value(0)
        parser.skip()
        if parser.pos != len(text):
            parser.fail("trailing content")
    except (_Malformed, RecursionError) as error:
        cause = EsError.custom("json_parse_exception", str(error), 400)
        raise ParseError("Failed to parse content to map", caused_by=cause) from None
    return node


class _Malformed(Exception):
    pass


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.line_start = 0

    def fail(self, what: str) -> None:
        raise _Malformed(f"{what} at line {self.line}, column {self.pos - self.line_start + 1}")

    def skip(self) -> None:
        text = self.text
        while self.pos < len(text) and text[self.pos] in _WHITESPACE:
            if text[self.pos] == "\n":
                self.line += 1
                self.line_start = self.pos + 1
            self.pos += 1

    def here(self) -> tuple[int, int]:
        return self.line, self.pos - self.line_start + 1

    def value(self, depth: int) -> Located:
        if depth > _DEPTH_LIMIT:
            self.fail("nesting too deep")
        if self.pos >= len(self.text):
            self.fail("unexpected end of content")
        line, col = self.here()
        char = self.text[self.pos]
        if char == "{":
            return self.obj(line, col, depth)
        if char == "[":
            return self.array(line, col, depth)
        if char == '"':
            return Located(self.string(), line, col)
        return Located(self.scalar(), line, col)

    def obj(self, line: int, col: int, depth: int) -> Located:
        self.pos += 1
        members: dict[str, Located] = {}
        self.skip()
        if self.text.startswith("}", self.pos):
            end = "{}:{}".format(*self.here())
            self.pos += 1
            return Located(members, line, col, end=end)
        while True:
            self.skip()
            if not self.text.startswith('"', self.pos):
                self.fail("expected a field name")
            key_line, key_col = self.here()
            key = self.string()
            self.skip()
            if not self.text.startswith(":", self.pos):
                self.fail("expected ':'")
            self.pos += 1
            self.skip()
            member = self.value(depth + 1)
            member.key_line, member.key_col = key_line, key_col
            members[key] = member
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("}", self.pos):
                end = "{}:{}".format(*self.here())
                self.pos += 1
                return Located(members, line, col, members=members, end=end)
            self.fail("expected ',' or '}'")

    def array(self, line: int, col: int, depth: int) -> Located:
        self.pos += 1
        items: list[Located] = []
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return Located(items, line, col)
        while True:
            self.skip()
            items.append(self.value(depth + 1))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return Located(items, line, col)
            self.fail("expected ',' or ']'")

    def string(self) -> str:
        decoder = json.JSONDecoder()
        try:
            value, end = decoder.raw_decode(self.text, self.pos)
        except ValueError as error:
            raise _Malformed(str(error)) from None
        if not isinstance(value, str) or "\n" in self.text[self.pos : end]:
            self.fail("malformed string")
        self.pos = end
        return str(value)

    def scalar(self) -> Any:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ",}] \t\r\n:":
            self.pos += 1
        word = self.text[start : self.pos]
        try:
            return json.loads(word, parse_constant=_refuse) if word else self.fail("no value")
        except ValueError:
            self.pos = start
            self.fail(f"unrecognized token '{word}'")


def _refuse(word: str) -> Any:
    raise ValueError(f"non-standard token {word}")

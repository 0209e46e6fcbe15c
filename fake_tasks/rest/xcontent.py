"""A JSON token stream with Jackson's token locations, and object parsing as ES's `ObjectParser`.

Elasticsearch parses request bodies token by token and reports errors at the current token's
`[line:column]`, wrapping them once per level (`[groups] failed to parse field
[date_histogram]`). `Fields` reproduces that: declared fields with the token types they take,
unknown-field errors, required arguments (`Required [a, b]`) and the "Failed to build [name]
after last required field arrived" wrapping of a constructor's refusal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fake_tasks.errors import (
    EsError,
    IllegalArgumentError,
    NumberFormatError,
    ParseError,
    XContentParseError,
)
from fake_tasks.rest.params import similarity

__all__ = ["Field", "Fields", "Location", "Parser", "Token"]

Location = tuple[int, int]

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_SPACE = re.compile(r"[ \t\r\n]*")


@dataclass(frozen=True)
class Token:
    """One JSON token: its kind (Jackson's name), its value and where it starts."""

    kind: str
    value: Any
    location: Location


def tokenize(text: str) -> list[Token]:
    """The tokens of one JSON value; XContentParseError at the first malformed character."""
    tokens: list[Token] = []
    stack: list[str] = []
    pos, line, line_start = 0, 1, 0
    expect_name = False
    need = ""  # after ':' or ',' something must follow: "value" or "name"

    def where(at: int) -> Location:
        return (line, at - line_start + 1)

    def skip(at: int) -> int:
        nonlocal line, line_start
        end = _SPACE.match(text, at).end()  # type: ignore[union-attr]
        for i in range(at, end):
            if text[i] == "\n":
                line, line_start = line + 1, i + 1
        return end

    while True:
        pos = skip(pos)
        if pos >= len(text):
            if stack or not tokens:
                raise XContentParseError("Unexpected end-of-input", where(pos))
            return tokens
        if tokens and not stack:
            raise _unexpected(text[pos], where(pos), "expected end of input")
        c = text[pos]
        if c in "{[":
            tokens.append(Token("START_OBJECT" if c == "{" else "START_ARRAY", None, where(pos)))
            stack.append(c)
            expect_name = c == "{"
            need = ""
            pos += 1
            continue
        if c in "}]":
            if need == "name":
                raise _unexpected(c, where(pos), "was expecting double-quote to start field name")
            if need or not stack or {"}": "{", "]": "["}[c] != stack[-1]:
                raise _unexpected(c, where(pos), "expected a value")
            stack.pop()
            tokens.append(Token("END_OBJECT" if c == "}" else "END_ARRAY", None, where(pos)))
            pos += 1
            pos, need = _after_value(text, skip(pos), stack, where)
            expect_name = bool(stack) and stack[-1] == "{"
            continue
        if stack and stack[-1] == "{" and expect_name:
            found = _STRING.match(text, pos)
            if found is None:
                raise _unexpected(c, where(pos), "was expecting double-quote to start field name")
            tokens.append(Token("FIELD_NAME", json.loads(found.group()), where(pos)))
            need = ""
            pos = skip(found.end())
            if pos >= len(text) or text[pos] != ":":
                got = text[pos] if pos < len(text) else ""
                if not got:
                    raise XContentParseError("Unexpected end-of-input", where(pos))
                raise _unexpected(
                    got, where(pos), "was expecting a colon to separate field name and value"
                )
            pos += 1
            expect_name, need = False, "value"
            continue
        token, end = _scalar(text, pos, where)
        tokens.append(token)
        pos, need = _after_value(text, skip(end), stack, where)
        expect_name = bool(stack) and stack[-1] == "{"


def _after_value(
    text: str, pos: int, stack: list[str], where: Callable[[int], Location]
) -> tuple[int, str]:
    """Past the `,` after a value (what must follow), or at the closing bracket."""
    if not stack or pos >= len(text):
        return pos, ""
    c = text[pos]
    if c == ",":
        return pos + 1, "name" if stack[-1] == "{" else "value"
    if c in "}]":
        return pos, ""
    closing = "}" if stack[-1] == "{" else "]"
    raise _unexpected(c, where(pos), f"was expecting comma to close entries or '{closing}'")


def _scalar(text: str, pos: int, where: Callable[[int], Location]) -> tuple[Token, int]:
    c = text[pos]
    if c == '"':
        found = _STRING.match(text, pos)
        if found is None:
            raise XContentParseError("Unexpected end-of-input in VALUE_STRING", where(pos))
        return Token("VALUE_STRING", json.loads(found.group()), where(pos)), found.end()
    found = _NUMBER.match(text, pos)
    if found is not None and found.group():
        raw = found.group()
        value: Any = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
        return Token("VALUE_NUMBER", value, where(pos)), found.end()
    for word, kind, value in (
        ("true", "VALUE_BOOLEAN", True),
        ("false", "VALUE_BOOLEAN", False),
        ("null", "VALUE_NULL", None),
    ):
        if text.startswith(word, pos):
            return Token(kind, value, where(pos)), pos + len(word)
    raise _unexpected(
        c,
        where(pos),
        "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' "
        "or 'false')",
    )


def _unexpected(char: str, location: Location, expectation: str) -> XContentParseError:
    return XContentParseError(
        f"Unexpected character ('{char}' (code {ord(char)})): {expectation}", location
    )


class Parser:
    """A cursor over the tokens of a request body (`XContentParser`)."""

    def __init__(self, body: bytes) -> None:
        if not body.strip():
            raise ParseError("request body is required")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            start = error.object[error.start]
            raise XContentParseError(f"Invalid UTF-8 start byte {start:#x}") from None
        self._tokens = tokenize(text)
        self._at = -1

    @property
    def token(self) -> Token:
        return self._tokens[self._at]

    @property
    def location(self) -> Location:
        return self.token.location

    def next(self) -> Token:
        self._at += 1
        return self._tokens[self._at]

    def skip_children(self) -> None:
        """Past the end of the object or array the current token starts."""
        if self.token.kind not in ("START_OBJECT", "START_ARRAY"):
            return
        depth = 0
        while True:
            kind = self.token.kind
            if kind in ("START_OBJECT", "START_ARRAY"):
                depth += 1
            elif kind in ("END_OBJECT", "END_ARRAY"):
                depth -= 1
                if depth == 0:
                    return
            self.next()


# What a declared field accepts (`ObjectParser.ValueType`) and how its value is read.
_KINDS: dict[str, tuple[str, ...]] = {
    "string": ("VALUE_STRING",),
    "string_or_null": ("VALUE_STRING", "VALUE_NULL"),
    "int": ("VALUE_NUMBER", "VALUE_STRING"),
    "long": ("VALUE_NUMBER", "VALUE_STRING"),
    "string_array": ("START_ARRAY", "VALUE_STRING"),
    "object": ("START_OBJECT",),
    "object_array": ("START_OBJECT", "START_ARRAY"),
}
_INT_RANGE = range(-(2**31), 2**31)
_LONG_RANGE = range(-(2**63), 2**63)


@dataclass(frozen=True)
class Field:
    """A declared field: its name, value type, whether the constructor needs it, its sub-parser."""

    name: str
    kind: str
    required: bool = False
    sub: Fields | None = None
    convert: Callable[[Any], Any] | None = None  # read as the field's parser reads it


class Fields:
    """`ConstructingObjectParser`: declared fields in order, then a constructor over them.

    `build` gets the values by field name (absent ones missing) and raises an `EsError` to
    refuse them; that refusal is wrapped as Elasticsearch wraps it.
    """

    def __init__(
        self, name: str, fields: Sequence[Field], build: Callable[[dict[str, Any]], Any]
    ) -> None:
        self.name = name
        self.fields = {f.name: f for f in fields}
        self.build = build

    def parse(self, parser: Parser) -> Any:
        """Parse the object starting at the next token (or the current one, if it starts one)."""
        if parser._at < 0 or parser.token.kind != "START_OBJECT":
            token = parser.next()
            if token.kind != "START_OBJECT":
                raise XContentParseError(
                    f"[{self.name}] Expected START_OBJECT but was: {token.kind}", token.location
                )
        values: dict[str, Any] = {}
        built: list[Any] = []
        while True:
            token = parser.next()
            if token.kind == "END_OBJECT":
                break
            name = token.value
            field = self.fields.get(name)
            if field is None:
                raise XContentParseError(self._unknown(name), token.location)
            value_token = parser.next()
            if value_token.kind not in _KINDS[field.kind]:
                raise XContentParseError(
                    f"[{self.name}] {name} doesn't support values of type: {value_token.kind}",
                    value_token.location,
                )
            try:
                values[name] = self._value(parser, field)
                if field.convert is not None:
                    values[name] = field.convert(values[name])
                if len(values) == len(self.fields) and not built:
                    built.append(self._build(values))
            except EsError as error:
                raise XContentParseError(
                    f"[{self.name}] failed to parse field [{name}]",
                    parser.location,
                    caused_by=error,
                ) from None
        if built:
            return built[0]
        missing = [f.name for f in self.fields.values() if f.required and f.name not in values]
        if missing:
            raise IllegalArgumentError(f"Required [{', '.join(missing)}]")
        return self._build(values)

    def _build(self, values: dict[str, Any]) -> Any:
        try:
            return self.build(values)
        except XContentParseError as error:
            raise XContentParseError(
                f"failed to build [{self.name}] after last required field arrived",
                error.location,
                caused_by=error,
            ) from None
        except EsError as error:
            raise XContentParseError(
                f"Failed to build [{self.name}] after last required field arrived",
                caused_by=error,
            ) from None

    def _unknown(self, name: str) -> str:
        scored = sorted(
            ((similarity(name, c), c) for c in self.fields if similarity(name, c) > 0.7),
            key=lambda sc: (-sc[0], sc[1]),
        )
        keys = [c for _, c in scored]
        hint = ""
        if len(keys) == 1:
            hint = f" did you mean [{keys[0]}]?"
        elif keys:
            hint = f" did you mean any of [{', '.join(keys)}]?"
        return f"[{self.name}] unknown field [{name}]{hint}"

    def _value(self, parser: Parser, field: Field) -> Any:
        token = parser.token
        if field.kind in ("string", "string_or_null"):
            return token.value
        if field.kind in ("int", "long"):
            return _number(token, _INT_RANGE if field.kind == "int" else _LONG_RANGE)
        if field.kind == "string_array":
            if token.kind == "VALUE_STRING":
                return [token.value]
            out: list[Any] = []
            while parser.next().kind != "END_ARRAY":
                out.append(_text(parser.token))
            return out
        assert field.sub is not None
        if field.kind == "object":
            return field.sub.parse(parser)
        if token.kind == "START_OBJECT":
            return [field.sub.parse(parser)]
        items: list[Any] = []
        while parser.next().kind != "END_ARRAY":
            items.append(field.sub.parse(parser))
        return items


def _text(token: Token) -> str:
    if token.kind in ("VALUE_STRING",):
        return str(token.value)
    if token.kind == "VALUE_NUMBER":
        return str(token.value)
    if token.kind == "VALUE_BOOLEAN":
        return "true" if token.value else "false"
    raise XContentParseError(f"Can't get text on a {token.kind}", token.location)


def _number(token: Token, allowed: range) -> int:
    if token.kind == "VALUE_STRING":
        text = str(token.value).strip()
        try:
            value = int(text)
        except ValueError:
            try:
                value = int(float(text))
            except ValueError:
                raise NumberFormatError(f'For input string: "{token.value}"') from None
    else:
        value = int(token.value)
    if value not in allowed:
        kind = "int" if allowed == _INT_RANGE else "long"
        raise XContentParseError(
            f"Numeric value ({token.value}) out of range of {kind}", token.location
        )
    return value
